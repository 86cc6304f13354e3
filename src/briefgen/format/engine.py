"""The citeproc-py adapter: CSL-JSON items in, rendered references and citations out.

:func:`render_bibliography` formats entries as a bibliography; :class:`CitationProcessor` renders
a document's citations in reading order, with its own loop around citeproc-py's: works keep the
order they were written in (unless the style sorts citations), Pandoc's citation modes apply,
and what CSL decides over the whole document (which cites are ambiguous, year suffixes,
``first-reference-note-number``) is decided here, since citeproc-py does not.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from briefgen.format.csljson import entry_to_csl
from briefgen.format.output import FORMATTER, linked, without_sentinels
from briefgen.format.styles import ready
from briefgen.model import BibEntry, CitationMode


class StyleFailed(Exception):
    """citeproc-py raised while applying a style to one entry."""

    def __init__(self, entry: BibEntry, cause: Exception) -> None:
        super().__init__(f"{type(cause).__name__}: {cause}")
        self.entry = entry
        self.cause = cause


def render_bibliography(
    csl: Any,
    entries: Sequence[BibEntry],
    *,
    drop: Iterable[str] = (),
    language: str = "en-US",
    quotes: tuple[str, str] = ("“", "”"),
    sort: bool = True,
    year_suffixes: bool = False,
) -> list[tuple[BibEntry, str]]:
    """Bibliography entries, ``(entry, raw)``, in the style's order unless ``sort`` is false (it
    costs a rendering of every sort key); raises :class:`StyleFailed`.

    ``drop`` names CSL variables left out of every item (to find where a locator goes);
    ``language`` and ``quotes`` are the locale's (see :func:`csl_item`); ``year_suffixes``
    treats the entries as one document: works by the same authors in the same year get
    "2021a", "2021b" where the style asks for it.
    """
    options = {"drop": drop, "language": language, "quotes": quotes, "sort": sort,
               "year_suffixes": year_suffixes}  # fmt: skip
    ready()
    from citeproc import Citation, CitationItem, CitationStylesBibliography
    from citeproc.source.json import CiteProcJSON

    if csl.root.bibliography is None:
        raise ValueError("the style has no <bibliography> layout")
    ids = {f"item-{n}": entry for n, entry in enumerate(entries)}
    dropped = set(drop)
    items = [csl_item(entry, item_id, dropped, language, quotes) for item_id, entry in ids.items()]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            bibliography = CitationStylesBibliography(csl, CiteProcJSON(items), FORMATTER)
            for item in items:
                cite = CitationItem(item["id"])
                cite["briefgen_disambiguate"] = False  # see fixes: "disambiguate-condition"
                bibliography.register(Citation([cite]))
            if sort or year_suffixes:
                bibliography.sort()
            if year_suffixes:
                add_year_suffixes(csl, bibliography)
            rendered = [str(text) for text in bibliography.bibliography()]
    except Exception as exc:
        if len(entries) == 1:
            raise StyleFailed(entries[0], exc) from exc
        for entry in entries:  # find the entry the style cannot format
            render_bibliography(csl, [entry], **options)  # type: ignore[arg-type]
        raise
    keys = [str(item.key) for item in bibliography.items]
    if len(rendered) != len(keys):
        if len(entries) == 1:
            return [(entries[0], "")]  # the style prints nothing for this entry
        # citeproc-py drops items that render to nothing; find them one by one.
        result = []
        for item_id in keys:
            single = render_bibliography(csl, [ids[item_id]], **options)  # type: ignore[arg-type]
            result += single or [(ids[item_id], "")]
        return result
    return [(ids[key], raw) for key, raw in zip(keys, rendered, strict=True)]


def csl_item(
    entry: BibEntry,
    item_id: str,
    drop: set[str] = frozenset(),  # type: ignore[assignment]
    language: str = "en-US",
    quotes: tuple[str, str] = ("“", "”"),
) -> dict[str, Any]:
    """The CSL-JSON item citeproc-py gets for an entry, in a locale.

    citeproc-py lower-cases ids, so BibTeX keys (case-sensitive, as in Pandoc) cannot be ids.
    Quotation marks inside the data take the locale's form, as Pandoc's citeproc sets them
    (“state of exception” is ‘state of exception’ in en-GB).
    """
    item = {
        k: without_sentinels(v)
        for k, v in entry_to_csl(entry, language=language).items()
        if k not in drop
    }
    if quotes != ("“", "”"):
        for key, value in item.items():
            if isinstance(value, str) and "“" in value:
                item[key] = _QUOTED.sub(lambda m: f"{quotes[0]}{m.group(1)}{quotes[1]}", value)
    item["id"] = item_id
    return item


_QUOTED = re.compile(r"“([^“”]*)”")


@dataclass(frozen=True, slots=True)
class CiteRequest:
    """One work to cite, with what the citation item says about it."""

    entry: BibEntry
    mode: CitationMode = CitationMode.NORMAL
    locator: str = ""
    label: str = ""
    prefix: str = ""
    """Raw text put before the work (a slot placeholder for Markdown HTML)."""
    suffix: str = ""
    anchor: str | None = None
    """An HTML id the work's rendering links to (its entry in the reference list)."""


@dataclass(frozen=True, slots=True)
class RenderedCitation:
    """One citation as citeproc-py rendered it: raw text, and the author names it printed."""

    raw: str
    author: str
    """The first names the citation rendered (for ``@key`` in the text), raw; may be empty."""


class CitationProcessor:
    """A style's citations for one document, in reading order (positions, ibid, numbers)."""

    def __init__(
        self,
        csl: Any,
        entries: Sequence[BibEntry],
        *,
        language: str = "en-US",
        quotes: tuple[str, str] = ("“", "”"),
        probes: dict[tuple[int, str], tuple[BibEntry, tuple[str, str]]] | None = None,
    ) -> None:
        from citeproc import CitationStylesBibliography
        from citeproc.source.json import CiteProcJSON

        ready()
        self.csl = csl
        self._probes = probes if probes is not None and probes_are_shareable(csl) else None
        """How each work reads alone, shared by every document in this style and locale."""
        self.ids = {entry.key: f"item-{n}" for n, entry in enumerate(entries)}
        self._keys = {item_id: key for key, item_id in self.ids.items()}
        self._entries = {entry.key: entry for entry in entries}
        self._first_note: dict[str, int] = {}
        items = [
            csl_item(entry, self.ids[entry.key], language=language, quotes=quotes)
            for entry in entries
        ]
        self.bibliography = CitationStylesBibliography(csl, CiteProcJSON(items), FORMATTER)
        self._citations: list[Any] = []

    def register(self, requests: Sequence[CiteRequest], *, note: int | None = None) -> None:
        """Declare a citation, in reading order, before any is rendered (for numbering).

        ``note`` is the number of the note the citation is printed in, for styles that refer
        back to it ("Blum (n 1)", CSL's ``first-reference-note-number``).
        """
        from citeproc import Citation, CitationItem

        cites = []
        for request in requests:
            item = CitationItem(self.ids[request.entry.key])
            if request.locator:
                item["locator"] = _locator(request.label or "page", request.locator)
            if request.prefix:
                item["prefix"] = request.prefix
            if request.suffix:
                item["suffix"] = request.suffix
            if request.anchor is not None:
                item["briefgen_anchor"] = request.anchor
            item["briefgen_mode"] = request.mode.value
            item["briefgen_disambiguate"] = False  # until render() finds the work ambiguous
            item["briefgen_entry"] = request.entry
            cites.append(item)
        if note is not None:
            for request in requests:
                self._first_note.setdefault(request.entry.key, note)
        citation = Citation(cites)
        if note is not None:
            citation["note_index"] = note  # positions count notes (near-note), not citations
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.bibliography.register(citation)
        self._citations.append(citation)

    def register_uncited(self, entries: Iterable[BibEntry]) -> None:
        """Add works to the bibliography that no citation names (Pandoc's ``nocite``)."""
        from citeproc import Citation, CitationItem

        for entry in entries:
            self.bibliography.register(Citation([CitationItem(self.ids[entry.key])]))

    def references(self) -> list[tuple[BibEntry, str]]:
        """The bibliography of every registered work, in the style's order (and numbers)."""
        by_id = {item_id: key for key, item_id in self.ids.items()}
        items = list(self.bibliography.items)
        for item in items:
            # These are the works' first citation items: what belonged to that citation (its
            # locator, "p. 1370", where Chicago's entry prints the article's pages) is not the
            # entry's.
            for key in ("locator", "prefix", "suffix"):
                item.pop(key, None)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rendered = [str(text) for text in self.bibliography.bibliography()]
            if len(rendered) != len(items):
                # citeproc-py drops entries that render to nothing: render one by one to pair
                # each text with its work.
                rendered = [
                    "".join(str(t) for t in self.csl.render_bibliography([item])) for item in items
                ]
        return [
            (self._entries[by_id[str(item.key)]], raw)
            for item, raw in zip(items, rendered, strict=True)
        ]

    def render(self, *, numbered: bool = True) -> list[RenderedCitation]:
        """Render every registered citation in order; raises :class:`StyleFailed`.

        ``numbered=False`` is for callers that read only the names printed (not the citation
        numbers, which need the bibliography sorted, nor which work gets "2021a").
        """
        # citeproc-py has no first-reference-note-number: it is a variable of the reference here,
        # read only by subsequent citations (the first one is in that very note).
        for key, note in self._first_note.items():
            self.bibliography.source[self.ids[key]]["first_reference_note_number"] = str(note)
        if numbered:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self.bibliography.sort()  # numeric styles number works in bibliography order
        add_year_suffixes(self.csl, self.bibliography)
        ambiguous = self._ambiguous_works()
        for citation in self._citations:
            for item in citation.cites:
                item["briefgen_disambiguate"] = item.key in ambiguous
        out = self._render_all()
        # The reference list renders these same items: there, names always print.
        for citation in self._citations:
            for item in citation.cites:
                item["briefgen_names_done"] = True
        return out

    def _ambiguous_works(self) -> set[str]:
        """Works whose cite reads like another work's, first time or after (CSL's ambiguity).

        Each work is rendered alone, without locator, prefix or suffix, in first position and
        in subsequent position (never ibid, which reads alike for every work by design); works
        that print the same text as another are ambiguous, and only their cites take
        ``disambiguate="true"`` branches.
        """
        from citeproc import Citation, CitationItem

        keys = list({item.key for citation in self._citations for item in citation.cites})
        if len(keys) < 2:
            return set()
        element = self.csl.root.citation
        layout = element.layout

        def probe(key: str, earlier: list[str]) -> str:
            cites = []
            for earlier_key in [*earlier, key]:
                citation = Citation([CitationItem(earlier_key)])
                citation.bibliography = self.bibliography
                citation.cites[0]["briefgen_disambiguate"] = False
                cites.append(citation.cites[0])
            element.cites = cites[:-1]
            layout.repressed = {}
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    return str(layout.render_children(cites[-1]) or "")
            except Exception:
                return ""  # the real rendering reports it, with the entry

        def texts(key: str) -> tuple[str, str]:
            other = next(k for k in keys if k != key)
            if self._probes is None:
                return probe(key, []), probe(key, [key, other])
            # A work reads the same in every document, but for its year suffix ("2021a").
            reference = self.bibliography.source[key]
            entry = self._entries[self._keys[key]]
            shared = (id(entry), str(reference.get("year_suffix", "")))
            known = self._probes.get(shared)
            if known is None or known[0] is not entry:
                known = (entry, (probe(key, []), probe(key, [key, other])))
                self._probes[shared] = known
            return known[1]

        readings: dict[str, set[str]] = {}
        for key in keys:
            for text in texts(key):
                if text:
                    readings.setdefault(text, set()).add(key)
        element.cites = []
        return {key for same in readings.values() if len(same) > 1 for key in same}

    def _render_all(self) -> list[RenderedCitation]:
        element = self.csl.root.citation
        element.cites = []
        out = []
        for citation in self._citations:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out.append(_render_citation(element, citation))
        return out


def _locator(label: str, value: str) -> Any:
    from citeproc.source import Locator

    # citeproc-py matches ``locator="sub-verbo"`` against a label with a space.
    return Locator(label.replace("-", " "), value)


def _render_citation(element: Any, citation: Any) -> RenderedCitation:
    """citeproc-py's ``Layout.render_citation``, keeping the written order of works."""
    layout = element.layout
    cites = list(citation.cites)
    if element.sort is not None:
        cites = element.sort.sort(cites, layout)
    out = []
    author = ""
    for item in cites:
        layout.repressed = {}
        item["briefgen_names_done"] = False
        try:
            output = layout.render_children(item)
        except Exception as exc:
            raise StyleFailed(item["briefgen_entry"], exc) from exc
        author = author or str(item.get("briefgen_author") or "")
        if output is None and item["briefgen_mode"] != CitationMode.NORMAL.value:
            output = ""
        if output is not None:
            anchor = item.get("briefgen_anchor")
            if anchor is not None and str(output):
                output = linked(anchor, output)
            out.append(item.get("prefix", "") + output + item.get("suffix", ""))
            element.cites.append(item)
    if not any(str(part) for part in out):
        return RenderedCitation("", author)
    return RenderedCitation(str(layout.format(layout.wrap(layout.join(out)))), author)


def probes_are_shareable(csl: Any) -> bool:
    """Whether a work's cite, taken alone, reads the same in every document: not in a note
    style (positions count notes) nor where anything prints a citation number (the work's
    place in the document's own list)."""
    root = csl.root
    if root.get("class") == "note":
        return False
    return not root.xpath('//*[@variable="citation-number" or @position]')


def add_year_suffixes(csl: Any, bibliography: Any) -> None:
    """Give works by the same authors in the same year the suffixes "a", "b"… (CSL's
    ``disambiguate-add-year-suffix``), in bibliography order; citeproc-py has no such step.

    The suffix becomes the reference's ``year-suffix`` variable, which the style may print
    itself; otherwise it follows the first year of the ``issued`` date (see
    :func:`_install_year_suffix`).
    """
    citation = csl.root.citation
    if citation is None or citation.get("disambiguate-add-year-suffix") != "true":
        return
    groups: dict[tuple[object, ...], list[Any]] = {}
    for item in bibliography.items:
        reference = bibliography.source[item.key]
        year = _year(reference)
        if year is None:
            continue
        names = reference.get("author") or reference.get("editor") or ()
        key = (tuple(str(name) for name in names) or (str(reference.get("title", "")),), year)
        groups.setdefault(key, []).append(reference)
    for references in groups.values():
        if len(references) > 1:
            for index, reference in enumerate(references):
                reference["year_suffix"] = _suffix(index)


def _year(reference: Any) -> int | None:
    # citeproc-py's records raise VariableError (not AttributeError) for a missing field.
    issued = reference.get("issued")
    if issued is None:
        return None
    begin = issued.get("begin", issued) if isinstance(issued, dict) else issued
    year = begin.get("year") if isinstance(begin, dict) else None
    return year if isinstance(year, int) else None


def _suffix(index: int) -> str:
    """0 → a, 25 → z, 26 → aa (CSL's year-suffix sequence)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters
