"""Resolve a brief's citations: keys to BibTeX entries, citation groups to numbered endnotes.

This stage is data only: it never formats anything, so ``briefgen check`` can use it to learn
which works a brief cites without loading a CSL style.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from briefgen.errors import Diagnostics, Location
from briefgen.model import (
    BibEntry,
    Bibliography,
    Brief,
    Citation,
    CitationGroup,
    Cite,
    Endnote,
    Footnote,
    ResolvedCitations,
)


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
    marks: Sequence[CitationGroup | Footnote],
    bibliography: Bibliography,
    brief: Brief,
    diagnostics: Diagnostics,
) -> ResolvedCitations:
    """Resolve every key, number the notes and gather the works; report unknown keys.

    ``marks`` are the brief's citations and footnote references in reading order. Footnotes and
    (in endnotes mode) citations are numbered as one series; a citation inside a footnote
    belongs to that footnote's note.
    """
    lookup = _KeyLookup(bibliography)
    groups = [mark for mark in marks if isinstance(mark, CitationGroup)]
    cites_of: list[tuple[Cite, ...]] = []
    in_footnote: dict[str, list[Cite]] = {}
    for group in groups:
        cites = []
        for item in group.items:
            entry = lookup.find(item.key, group.location, diagnostics, narrative=group.narrative)
            if entry is not None:
                cites.append(Cite(item, entry))
        cites_of.append(tuple(cites))
        if group.footnote:
            in_footnote.setdefault(group.footnote, []).extend(cites)
    notes: list[Endnote] = []
    footnotes: dict[str, Endnote] = {}

    def new_note(location: Location, cites: Sequence[Cite], footnote: Footnote | None) -> Endnote:
        number = len(notes) + 1
        note = Endnote(number, format_number(number, brief.numbering), location, tuple(cites),
                       footnote)  # fmt: skip
        notes.append(note)
        return note

    citations: list[Citation] = []
    for mark in marks:
        if isinstance(mark, Footnote):
            footnotes[mark.key] = new_note(mark.location, in_footnote.get(mark.key, ()), mark)
            continue
        index = len(citations)
        note = None
        if mark.footnote:
            note = footnotes.get(mark.footnote)
        elif brief.citations == "endnotes":
            note = new_note(mark.location, cites_of[index], None)
        citations.append(Citation(index, mark, cites_of[index], note))
    works = {cite.entry.key: cite.entry for citation in citations for cite in citation.cites}
    where = Location(brief.path / "_index.md", 1)
    for key in brief.nocite:
        if key == "*":
            works.update((k, e) for k, e in bibliography.entries.items() if k not in works)
            continue
        entry = lookup.find(key, where, diagnostics, narrative=False, field="nocite")
        if entry is not None:
            works.setdefault(key, entry)
    return ResolvedCitations(tuple(citations), tuple(notes), tuple(works.values()))


class _KeyLookup:
    """Keys to entries, with "did you mean" hints that also catch a difference of case."""

    def __init__(self, bibliography: Bibliography) -> None:
        self.bibliography = bibliography
        self._folded: dict[str, str] | None = None

    @property
    def folded(self) -> dict[str, str]:
        """Case-folded keys, made on the first unknown key (a brief with none never pays for a
        pass over the whole bibliography)."""
        if self._folded is None:
            self._folded = {key.casefold(): key for key in self.bibliography.entries}
        return self._folded

    def find(
        self,
        key: str,
        where: Location,
        diagnostics: Diagnostics,
        *,
        narrative: bool,
        field: str = "citation",
    ) -> BibEntry | None:
        entry = self.bibliography.entries.get(key)
        if entry is not None or not self.bibliography.readable:
            return entry  # an unreadable file is reported once, not once per citation
        same_but_case = self.folded.get(key.casefold())
        if same_but_case is not None:
            hint = f"; did you mean {same_but_case!r}? (keys are case-sensitive, as in Pandoc)"
        else:
            close = difflib.get_close_matches(key, list(self.bibliography.entries), n=1,
                                              cutoff=0.6)  # fmt: skip
            hint = (
                f"; did you mean {close[0]!r}?"
                if close
                else f"; add an entry with this key to {self.bibliography.path}"
            )
        if narrative:
            hint += " (write \\@ for a literal @)"
        diagnostics.error(f"unknown {field} key {key!r}{hint}", where)
        return None
