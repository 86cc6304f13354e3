"""Split a citation's suffix into locator, label and the rest, as Pandoc reads it.

``[@key, pp. 33--35 and passim]`` gives label ``page``, locator ``33–35`` and suffix
``and passim``; ``[@key, 33]`` is a page; ``[@key, {pp. iv, vi--xi}]`` keeps anything inside the
braces as the locator. The labels are the locale's own terms (``p.``, ``pp.``, ``page``, ``ch.``,
``chap.``, ``sec.``, ``para.``, ``fig.``, ``vol.``…, long, short and symbol forms), which is how
Pandoc's ``Text.Pandoc.Citeproc.Locator`` builds its map.
"""

from __future__ import annotations

import re
from functools import cache

from briefgen.markdown.terms import term_elements

LOCATOR_TERMS = (
    "book", "chapter", "column", "figure", "folio", "issue", "line", "note", "opus", "page",
    "number-of-pages", "paragraph", "part", "section", "sub-verbo", "verse", "volume",
)  # fmt: skip
"""CSL's locator types (Pandoc's ``locatorTerms``)."""

# English abbreviations researchers type that some locales lack (Pandoc accepts them through
# en-US, which every locale falls back to).
_EXTRA = {"ch.": "chapter", "chs.": "chapter", "sect.": "section", "sects.": "section",
          "§": "section", "§§": "section", "fn.": "note", "art.": "section"}  # fmt: skip

_ROMAN = re.compile(r"^(?=[mdclxvi])m*(c[md]|d?c{0,3})(x[cl]|l?x{0,3})(i[xv]|v?i{0,3})$", re.I)
# One "word" of a locator: digits, letters, roman numerals and ranges, with bracketed parts.
_WORD = re.compile(r"[^\s,;]+")


@cache
def locator_terms(language: str) -> dict[str, str]:
    """Every form of every locator term in ``language`` and en-US, case-folded → CSL label."""
    forms_by_label: dict[str, list[str]] = {label: [] for label in LOCATOR_TERMS}
    for element in term_elements(language):
        label = element.get("name", "")
        if label not in LOCATOR_TERMS:
            continue
        forms = [element.text or ""] + [child.text or "" for child in element]
        forms_by_label[label] += [form.strip().casefold() for form in forms if form.strip()]
    # Where two types share a form (``p.`` is both page and number-of-pages), the earlier type in
    # LOCATOR_TERMS wins, as in Pandoc; the brief's language comes before en-US.
    terms: dict[str, str] = {}
    for label in LOCATOR_TERMS:
        for form in forms_by_label[label]:
            terms.setdefault(form, label)
    for form, label in _EXTRA.items():
        terms.setdefault(form, label)
    return terms


def parse_locator(suffix: str, terms: dict[str, str]) -> tuple[str, str, str]:
    """Split a suffix into ``(label, locator, rest)``; label and locator empty when there is none.

    ``rest`` keeps its leading punctuation: Pandoc prints ``[@key, and passim]`` with the comma.
    """
    text = suffix.lstrip()
    body = text.removeprefix(",").lstrip()
    if body.startswith("{"):
        end = _closing_brace(body)
        if end is not None:
            inner = body[1:end].strip()
            label, value = _label_prefix(inner, terms)
            if not label and inner[:1].isdigit():
                label = "page"
            if label or value:
                return label or "page", _dashes(value if label else inner), body[end + 1 :]
    label, value = _label_prefix(body, terms)
    implicit = not label
    words: list[tuple[str, str]] = []
    rest = value if label else body
    position = 0
    for index, match in enumerate(_WORD.finditer(rest)):
        between = rest[position : match.start()]
        if index and not re.fullmatch(r"\s*[,;]?\s*", between):
            break
        if index and between.strip() == ";":
            break
        word = match.group()
        trailing = ""
        while word and word[-1] in ".:!?" and not (word[-1] == "." and _ROMAN.match(word[:-1])):
            trailing = word[-1] + trailing
            word = word[:-1]
        if not _is_locator_word(word, require_digit=implicit or (bool(words) and implicit)):
            break
        words.append((between if index else "", word))
        position = match.start() + len(word)
        if trailing:
            break
    if not words:
        return "", "", _with_comma(suffix)
    locator = "".join(sep.replace(" ,", ",") + word for sep, word in words)
    return label or "page", _dashes(locator.strip()), rest[position:]


def _label_prefix(text: str, terms: dict[str, str]) -> tuple[str, str]:
    """The longest locale term at the start of ``text`` → ``(label, text after it)``."""
    best = ("", text)
    for match in re.finditer(r"(?:\s+|$|(?<=\.)(?=\d))", text):
        candidate = text[: match.start()].strip().casefold()
        if not candidate:
            continue
        if candidate in terms:
            best = (terms[candidate], text[match.end() :].lstrip())
        if len(candidate) > 24:
            break
    return best


def _is_locator_word(word: str, *, require_digit: bool) -> bool:
    if not word:
        return False
    core = word.strip("()[]{}")
    if any(c.isdigit() for c in word):
        return True
    if require_digit:
        return False
    return all(_ROMAN.match(part) for part in re.split(r"[-–]+", core) if part) and bool(core)


def _closing_brace(text: str) -> int | None:
    depth = 0
    for i, char in enumerate(text):
        if char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
            if depth == 0:
                return i if char == "}" else None
    return None


def _dashes(locator: str) -> str:
    """``33--35`` and ``33-35`` are ranges: Pandoc's smart typography makes ``--`` an en dash."""
    return locator.replace("---", "—").replace("--", "–")


def _with_comma(suffix: str) -> str:
    """Pandoc's ``maybeAddComma``: a suffix starting with a word is set off by a comma."""
    if not suffix or suffix[0].isspace() or not suffix[0].isalnum():
        return suffix
    return ", " + suffix
