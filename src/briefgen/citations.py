"""Resolve a brief's citations against the bibliography, number them as endnotes, format them."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path

from briefgen.config import PYPROJECT
from briefgen.errors import Diagnostics, Location
from briefgen.format import format_references
from briefgen.model import BibEntry, Bibliography, CitationGroup


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


def cited_keys(endnotes: Iterable[Endnote]) -> Mapping[str, list[Endnote]]:
    """For each cited key, the endnotes that cite it (to show "also cited at")."""
    result: dict[str, list[Endnote]] = {}
    for note in endnotes:
        for reference in note.references:
            result.setdefault(reference.entry.key, []).append(note)
    return result
