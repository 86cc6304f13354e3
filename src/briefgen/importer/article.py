"""Read an article's text: title, byline, sections, endnote markers, reference list and bio.

The article is plain text or Markdown as people paste it from a web page or a word processor:
any line endings, markers in brackets (``[iv]``, ``[4]``, ``[1, 3]``, ``[^4]``) right after a
word or a quotation mark, and a reference list at the end, under a heading ("References",
"Notes"…) or just a run of numbered lines (``[i]``, ``i.``, ``1.``, ``[1]``, ``1)``, ``^1``,
``[^1]:``). Whatever follows the list (an author's name, a bio) is read as the byline.
Nothing here parses a reference itself; that is :mod:`briefgen.importer.references`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from briefgen.errors import Diagnostics, Location
from briefgen.importer.records import (
    Article,
    ArticleAuthor,
    ArticleSection,
    Block,
    Marker,
    ReferenceItem,
)

_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}
_ROMAN_DIGITS = (
    (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
    (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
)  # fmt: skip


def roman_value(text: str) -> int | None:
    """The value of a well-formed Roman numeral (``xvii`` → 17), else None (``iiii``, ``mix``)."""
    lower = text.lower()
    if not lower or any(c not in _ROMAN_VALUES for c in lower):
        return None
    total = 0
    for char, after in zip(lower, [*lower[1:], ""], strict=True):
        value = _ROMAN_VALUES[char]
        total += -value if after and _ROMAN_VALUES[after] > value else value
    return total if to_roman(total) == lower else None


def to_roman(number: int) -> str:
    """``17`` → ``xvii``."""
    digits = []
    for value, letters in _ROMAN_DIGITS:
        count, number = divmod(number, value)
        digits.append(letters * count)
    return "".join(digits)


# --- Reference list -------------------------------------------------------------------------

_ROMAN = r"[ivxlcdm]{1,8}|[IVXLCDM]{1,8}"
_ITEM = re.compile(
    rf"""^\s{{0,3}}(?:
        \[\^(?P<caret>[^\]\s]+)\]:?\s*
      | \[(?P<bracket>\d{{1,4}}|{_ROMAN})\][:.]?\s*
      | \^(?P<sup>\d{{1,4}})[.)]?\s+
      | \((?P<paren>\d{{1,4}}|{_ROMAN})\)\s+
      | (?P<dot>\d{{1,4}}|{_ROMAN})[.)]\s+
    )(?P<rest>\S.*)$""",
    re.VERBOSE,
)
"""A line that starts a reference: its label, then the reference's text."""

_LIST_HEADING = re.compile(
    r"^\s*(?:#{1,6}\s*)?[*_]{0,2}\s*(?:references?|notes?|end\s?notes?|foot\s?notes?|sources?"
    r"|bibliography|works\s+cited|literature\s+cited|citations?)\s*:?\s*[*_]{0,2}\s*#*\s*$",
    re.IGNORECASE,
)
_DEFINITION = re.compile(r"^ {0,3}\[\^[^\]\s]+\]:")
"""A Markdown footnote definition, ``[^1]: …``, wherever it stands."""
_CONTINUATION = re.compile(
    r"^(?:\s{2,}\S|\s*(?:<?https?://|www\.|doi|available|retrieved|accessed|\[accessed|\(accessed))",
    re.IGNORECASE,
)
"""A line after a blank line that still belongs to the reference before it."""


@dataclass(frozen=True, slots=True)
class _Label:
    label: str
    number: int | None


def _item_label(match: re.Match[str]) -> _Label | None:
    if match["caret"] is not None:
        caret = match["caret"]
        return _Label(caret.lower(), int(caret) if caret.isdigit() else None)
    raw = match["bracket"] or match["sup"] or match["paren"] or match["dot"] or ""
    if raw.isdigit():
        return _Label(str(int(raw)), int(raw))
    value = roman_value(raw)
    return _Label(raw.lower(), value) if value is not None else None


def _is_blank(line: str) -> bool:
    return not line.strip()


def _read_items(
    lines: list[str], start: int, stop: int
) -> tuple[list[tuple[_Label, int, list[str]]], int]:
    """Reference entries from ``lines[start:stop]``: ``(label, index, lines)`` and the end."""
    items: list[tuple[_Label, int, list[str]]] = []
    index, after_blank = start, False
    while index < stop:
        line = lines[index]
        if _is_blank(line):
            after_blank = True
            index += 1
            continue
        match = _ITEM.match(line)
        label = _item_label(match) if match else None
        if match and label:
            items.append((label, index, [match["rest"].strip()]))
        elif items and (not after_blank or _CONTINUATION.match(line)):
            items[-1][2].append(line.strip())
        else:
            break
        after_blank = False
        index += 1
    # The list ends after its last entry, not after the blank lines that follow it.
    end = index
    while end > start and _is_blank(lines[end - 1]):
        end -= 1
    return items, end


@dataclass(frozen=True, slots=True)
class _ListPlace:
    heading: int | None
    """Index of the list's heading line, if it has one."""
    start: int
    end: int
    items: list[tuple[_Label, int, list[str]]]


def _find_reference_list(lines: list[str], first: int) -> _ListPlace | None:
    """The reference list: after the last list heading, else the best run of numbered lines."""
    for index in range(len(lines) - 1, first - 1, -1):
        if not _LIST_HEADING.match(lines[index]):
            continue
        if index > first and not _is_blank(lines[index - 1]):
            continue
        nxt = next((j for j in range(index + 1, len(lines)) if not _is_blank(lines[j])), None)
        if nxt is None or not _ITEM.match(lines[nxt]):
            continue
        items, end = _read_items(lines, nxt, len(lines))
        if items:
            return _ListPlace(index, nxt, end, items)
    best: _ListPlace | None = None
    best_score: tuple[bool, int] = (False, 0)
    for index in range(first, len(lines)):
        match = _ITEM.match(lines[index])
        if not match or (index > first and not _is_blank(lines[index - 1])):
            continue
        label = _item_label(match)
        if label is None or (label.number is not None and label.number != 1):
            continue
        items, end = _read_items(lines, index, len(lines))
        # Prefer a list after which no marker appears (the text is over), then the longest.
        clean = not any(_MARKER.search(line) for line in lines[end:])
        score = (clean, len(items))
        if len(items) >= 1 and score >= best_score:
            best, best_score = _ListPlace(None, index, end, items), score
    return best


# --- Markers --------------------------------------------------------------------------------

_MARKER = re.compile(
    r"""(?<![\\!])\[(?:
        \^(?P<caret>[^\]\s\[]+)
      | (?P<arabic>\d{1,4}(?:\s*[,–—-]\s*\d{1,4})*)
      | (?P<roman>[ivxlcdm]{1,8}(?:\s*,\s*[ivxlcdm]{1,8})*
                 |[IVXLCDM]{1,8}(?:\s*,\s*[IVXLCDM]{1,8})*)
    )\](?![(]|[^\W\d_])""",
    re.VERBOSE,
)
"""An endnote marker; not a link (``[1](…)``) nor an editorial ``[I]t`` (see _find_markers)."""


def _marker_scheme(match: re.Match[str]) -> str:
    if match["caret"] is not None:
        return "footnote"
    if match["arabic"] is not None:
        return "arabic"
    return "lower-roman" if match["roman"].islower() else "upper-roman"


def _marker_labels(match: re.Match[str]) -> list[_Label] | None:
    """The labels a marker cites, or None when it is not a marker (``[mix]``, ``[90-1]``)."""
    if match["caret"] is not None:
        caret = match["caret"]
        return [_Label(caret.lower(), int(caret) if caret.isdigit() else None)]
    if match["arabic"] is not None:
        labels: list[_Label] = []
        for part in match["arabic"].split(","):
            ends = [int(n) for n in re.split(r"\s*[–—-]\s*", part.strip())]
            if len(ends) == 1:
                labels.append(_Label(str(ends[0]), ends[0]))
            elif len(ends) == 2 and 0 < ends[1] - ends[0] <= 20:
                labels.extend(_Label(str(n), n) for n in range(ends[0], ends[1] + 1))
            else:
                return None
        return labels
    values = [(part.strip(), roman_value(part.strip())) for part in match["roman"].split(",")]
    if any(value is None for _, value in values):
        return None
    return [_Label(text.lower(), value) for text, value in values]


def _find_markers(text: str, line: int, scheme: str | None) -> Iterator[tuple[str, Marker]]:
    """Every marker in a block, with its scheme; ``scheme`` keeps only that one."""
    last_end = -1
    for match in _MARKER.finditer(text):
        at_line_start = match.start() == 0 or text[match.start() - 1] == "\n"
        if at_line_start and text.startswith(":", match.end()):
            continue  # a Markdown link or footnote definition, not a marker
        if text[match.start() - 1 : match.start()] == "]" and last_end != match.start():
            continue  # the label of a reference link: [text][1]
        if text.startswith("[", match.end()) and not _MARKER.match(text, match.end()):
            continue  # the text of a reference link: [1][ref]
        kind = _marker_scheme(match)
        labels = _marker_labels(match)
        if labels is None or (scheme is not None and kind != scheme):
            continue
        last_end = match.end()
        yield (
            kind,
            Marker(
                labels=tuple(label.label for label in labels),
                numbers=tuple(label.number for label in labels),
                start=match.start(),
                end=match.end(),
                line=line + text.count("\n", 0, match.start()),
                text=match.group(),
            ),
        )


# --- Headings, bylines and dates ------------------------------------------------------------

_ATX = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)\s*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_NAME_WORD = r"(?:[^\W\d_][\w’'.-]*)"
_NAME = re.compile(
    rf"^(?:(?:Dr|Prof|Professor|Mr|Mrs|Ms)\.?\s+)?(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD}){{1,3}})$"
)
_PARTICLES = frozenset(
    {"van", "von", "de", "der", "den", "da", "di", "du", "del", "la", "le", "dos"}
)
_BYLINE = re.compile(r"^(?:by|author|authors|written by)\s*:?\s+(?P<names>.+)$", re.IGNORECASE)
_BIO_START = re.compile(
    rf"^(?:(?:Dr|Prof|Professor)\.?\s+)?(?P<name>[^\W\d_][\w’'-]+(?:\s+{_NAME_WORD}){{1,3}}?)\s+"
    r"(?:is|was|works|teaches|leads|has been)\b"
)
_MONTHS = {
    name: number
    for number, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
         ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
         ("oct", "october"), ("nov", "november"), ("dec", "december")],
        start=1,
    )
    for name in names
}  # fmt: skip


def parse_date(text: str) -> dt.date | None:
    """``11 February 2025``, ``February 11, 2025``, ``2025-02-11`` → a date; else None."""
    text = re.sub(r"^(?:published|posted|date|updated)\s*:?\s*", "", text.strip(), flags=re.I)
    text = re.sub(r"^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+", "", text, flags=re.I)
    text = text.rstrip(".")
    found = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text)
    parts: tuple[str, str, str] | None = None
    if found:
        parts = (found[1], found[2], found[3])
    elif found := re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\.?,?\s+(\d{4})", text):
        month = _MONTHS.get(found[2].lower())
        parts = (found[3], str(month), found[1]) if month else None
    elif found := re.fullmatch(r"([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})", text):
        month = _MONTHS.get(found[1].lower())
        parts = (found[3], str(month), found[2]) if month else None
    if parts is None:
        return None
    try:
        return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        return None


def _looks_like_heading(line: str) -> bool:
    """A short line without closing punctuation or markers: a plain-text heading."""
    text = line.strip()
    words = text.split()
    return (
        0 < len(words) <= 16
        and len(text) <= 140
        and not text.endswith((".", ",", ";", ":"))
        and (text[0].isupper() or text[0].isdigit() or text[0] in "“‘\"'")
        and not _MARKER.search(text)
        and not re.match(r"^(?:https?://|www\.)", text)
    )


def _names(text: str) -> list[str]:
    """Names in a byline: ``Jane Doe and John Roe``, ``Jane Doe, John Roe``."""
    parts = re.split(r"\s*(?:,|&|\band\b)\s*", text.strip().rstrip("."))
    names = []
    for part in parts:
        found = _NAME.match(part.strip())
        if not found or not all(
            word[0].isupper() or word in _PARTICLES for word in found["name"].split()
        ):
            return []
        names.append(found["name"])
    return names


# --- The article ----------------------------------------------------------------------------


@dataclass(slots=True)
class _Unit:
    """A heading or a block of text, before sections are made."""

    heading: bool
    text: str
    line: int


def _plain_units(lines: list[str], indices: list[int]) -> list[_Unit]:
    """Blocks separated by blank lines; a lone short line before prose is a heading."""
    blocks: list[tuple[int, list[str]]] = []
    previous = -2
    for index in indices:
        line = lines[index]
        if _is_blank(line):
            previous = -2
            continue
        if previous == index - 1 and blocks:
            blocks[-1][1].append(line.strip())
        else:
            blocks.append((index, [line.strip()]))
        previous = index
    units = []
    for number, (index, block) in enumerate(blocks):
        heading = len(block) == 1 and _looks_like_heading(block[0]) and number + 1 < len(blocks)
        units.append(_Unit(heading, "\n".join(block), index + 1))
    return units


def _markdown_units(lines: list[str], indices: list[int]) -> list[_Unit]:
    """ATX and setext headings, and the Markdown between them in blank-line-separated blocks."""
    units: list[_Unit] = []
    current: list[str] = []
    current_line = 0
    fenced = False

    def flush() -> None:
        nonlocal current
        if current:
            units.append(_Unit(False, "\n".join(current), current_line))
        current = []

    position = 0
    while position < len(indices):
        index = indices[position]
        line = lines[index].rstrip()
        if _FENCE.match(line):
            fenced = not fenced
        atx = None if fenced else _ATX.match(line)
        following = lines[indices[position + 1]] if position + 1 < len(indices) else ""
        setext = (
            not fenced
            and line.strip()
            and not current
            and indices[position + 1 : position + 2] == [index + 1]
            and _SETEXT.match(following)
        )
        if atx:
            flush()
            level = len(atx[1])
            units.append(_Unit(True, f"{level}\t{atx[2].strip()}", index + 1))
        elif setext:
            flush()
            level = 1 if following.strip().startswith("=") else 2
            units.append(_Unit(True, f"{level}\t{line.strip()}", index + 1))
            position += 1
        elif _is_blank(line) and not fenced:
            flush()
        else:
            if not current:
                current_line = index + 1
            current.append(line)
        position += 1
    flush()
    return units


def _front_matter(lines: list[str]) -> tuple[dict[str, Any], int]:
    """A Markdown file's YAML front matter (title, author, date) and the first line after it."""
    if not lines or lines[0].strip() != "---":
        return {}, 0
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        return {}, 0
    try:
        meta = yaml.safe_load("\n".join(lines[1:end]))
    except (yaml.YAMLError, ValueError):
        return {}, 0
    return (meta if isinstance(meta, dict) else {}), end + 1


def read_article(text: str, path: Path, diagnostics: Diagnostics, *, markdown: bool) -> Article:
    """Split an article into its parts; problems go to ``diagnostics`` at ``path:line``."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    meta, first = _front_matter(lines) if markdown else ({}, 0)

    place = _find_reference_list(lines, first)
    body_end = len(lines)
    references: list[tuple[_Label, int, list[str]]] = []
    trailer: list[int] = []
    if place is not None:
        body_end = place.heading if place.heading is not None else place.start
        references = list(place.items)
        trailer = list(range(place.end, len(lines)))

    # Markdown footnote definitions ([^1]: …) anywhere in the body are references too.
    body: list[int] = []
    index = first
    while index < body_end:
        match = _ITEM.match(lines[index])
        if match and match["caret"] is not None and _DEFINITION.match(lines[index]):
            label = _item_label(match)
            assert label is not None
            entry = [match["rest"].strip()]
            index += 1
            while index < body_end and (
                lines[index].startswith(("    ", "\t"))
                or (not _is_blank(lines[index]) and not _ITEM.match(lines[index]))
            ):
                entry.append(lines[index].strip())
                index += 1
            references.append((label, index - len(entry), entry))
            continue
        body.append(index)
        index += 1

    units = _markdown_units(lines, body) if markdown else _plain_units(lines, body)
    title, title_line = str(meta.get("title") or "").strip(), None
    if not title and units and units[0].heading:
        level, _, heading = units[0].text.rpartition("\t")
        if not markdown or level == "1":
            title, title_line = heading, units[0].line
            units = units[1:]

    authors = [ArticleAuthor(name) for name in _meta_authors(meta)]
    date = meta.get("date") if isinstance(meta.get("date"), dt.date) else None
    # A byline and a date between the title and the text: "By Jane Doe", "11 February 2025".
    while units and "\n" not in units[0].text and title_line is not None:
        line = units[0].text.rpartition("\t")[2].strip()
        byline = _BYLINE.match(line)
        found_date = parse_date(line)
        names = _names(byline["names"]) if byline else []
        if names:
            authors.extend(ArticleAuthor(n) for n in names if n not in {a.name for a in authors})
        elif found_date and date is None:
            date = found_date
        else:
            break
        units = units[1:]

    authors = _read_trailer(lines, trailer, authors, path, diagnostics)
    scheme = _choose_scheme(units, path, diagnostics)
    sections = _sections(units, scheme, markdown)
    items = _reference_items(references, path, diagnostics)
    if not title:
        diagnostics.warning(
            f"no title found; used the file name {path.stem!r} (edit 'title' in _index.md)",
            Location(path, 1),
        )
        title = path.stem.replace("-", " ").replace("_", " ").strip().capitalize()
    return Article(
        path=path,
        title=title,
        authors=tuple(authors),
        date=date,
        sections=tuple(sections),
        references=tuple(items),
        scheme=scheme,
        markdown=markdown,
    )


def _meta_authors(meta: dict[str, Any]) -> list[str]:
    raw = meta.get("authors", meta.get("author"))
    items = raw if isinstance(raw, list) else [raw] if raw else []
    names = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, str) and name.strip():
            names.append(name.strip())
    return names


def _choose_scheme(units: list[_Unit], path: Path, diagnostics: Diagnostics) -> str:
    """The article's marker style: the one most of its markers use."""
    counts: dict[str, list[Marker]] = {}
    for unit in units:
        if unit.heading:
            continue
        for kind, marker in _find_markers(unit.text, unit.line, None):
            counts.setdefault(kind, []).append(marker)
    if not counts:
        return ""
    order = ["footnote", "lower-roman", "upper-roman", "arabic"]
    scheme = max(counts, key=lambda k: (len(counts[k]), -order.index(k)))
    for kind, markers in counts.items():
        if kind != scheme:
            diagnostics.warning(
                f"{len(markers)} bracketed {kind} label(s) such as {markers[0].text!r} left as "
                f"text: the article's markers are {scheme}",
                Location(path, markers[0].line),
            )
    return scheme


def _sections(units: list[_Unit], scheme: str, markdown: bool) -> list[ArticleSection]:
    """Sections split at the top-level headings; deeper Markdown headings stay in the text."""
    levels = [int(u.text.partition("\t")[0]) for u in units if u.heading and markdown]
    top = min(levels, default=1)
    sections: list[ArticleSection] = []
    title, line = "", units[0].line if units else 1
    blocks: list[Block] = []
    for unit in units:
        level, _, heading = unit.text.rpartition("\t") if markdown else ("1", "", unit.text)
        if unit.heading and int(level or 1) <= top:
            if blocks or title:
                sections.append(ArticleSection(title, line, tuple(blocks)))
            title, line, blocks = heading.strip(), unit.line, []
            continue
        text = "#" * int(level) + " " + heading if unit.heading else unit.text
        fenced = markdown and bool(_FENCE.match(text))
        markers = (
            ()
            if fenced or not scheme
            else tuple(m for _, m in _find_markers(text, unit.line, scheme))
        )
        blocks.append(Block(text, unit.line, markers))
    if blocks or title:
        sections.append(ArticleSection(title, line, tuple(blocks)))
    return sections


def _reference_items(
    raw: list[tuple[_Label, int, list[str]]], path: Path, diagnostics: Diagnostics
) -> list[ReferenceItem]:
    """The list's entries; a label given twice keeps the first, out-of-order ones are reported."""
    items: list[ReferenceItem] = []
    seen: dict[str, int] = {}
    previous: ReferenceItem | None = None
    for label, index, text_lines in raw:
        item = ReferenceItem(label.label, label.number, " ".join(text_lines).strip(), index + 1)
        if label.label in seen:
            diagnostics.warning(
                f"reference [{label.label}] is listed twice (first on line {seen[label.label]}); "
                "the second is left out",
                Location(path, item.line),
            )
            continue
        if (
            previous is not None
            and previous.number is not None
            and item.number is not None
            and item.number != previous.number + 1
        ):
            diagnostics.warning(
                f"reference [{item.label}] follows [{previous.label}] in the list; expected "
                f"the references numbered in order",
                Location(path, item.line),
            )
        seen[label.label] = item.line
        items.append(item)
        previous = item
    return items


def _read_trailer(
    lines: list[str],
    indices: list[int],
    authors: list[ArticleAuthor],
    path: Path,
    diagnostics: Diagnostics,
) -> list[ArticleAuthor]:
    """After the reference list: author names (often repeated) and their bios."""
    blocks = _plain_units(lines, indices)
    found = {a.name: a for a in authors}
    for block in blocks:
        block_lines = [line.strip() for line in block.text.split("\n")]
        names = [n for line in block_lines for n in _names(_strip_byline(line))]
        if names and all(_names(_strip_byline(line)) for line in block_lines):
            for name in names:
                found.setdefault(name, ArticleAuthor(name))
            continue
        paragraph = " ".join(block_lines)
        owner = next(
            (a for a in found.values() if not a.bio and _mentions(paragraph, a.name)), None
        )
        if owner is None and (start := _BIO_START.match(paragraph)):
            name = re.sub(r"^(?:Dr|Prof|Professor)\.?\s+", "", start["name"])
            owner = found.setdefault(name, ArticleAuthor(name))
        if owner is not None and not owner.bio:
            found[owner.name] = ArticleAuthor(owner.name, paragraph)
            continue
        diagnostics.warning(
            f"text after the reference list was not imported: {_shorten(paragraph)!r}",
            Location(path, block.line),
        )
    return list(found.values())


def _strip_byline(line: str) -> str:
    byline = _BYLINE.match(line)
    return byline["names"] if byline else line


def _mentions(paragraph: str, name: str) -> bool:
    family = name.split()[-1]
    return name in paragraph or re.search(rf"\b{re.escape(family)}\b", paragraph) is not None


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
