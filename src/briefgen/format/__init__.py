"""Format resolved citations in a CSL style: the notes, in-text citations and reference list.

Each kind of style is rendered the way its users expect:

- *note styles* (Chicago notes, OSCOLA…): every citation group is an endnote holding the
  style's citation, full the first time, short afterwards, ibid where the style says so;
- *in-text styles* (author-date, numeric) with ``citations: endnotes`` (the default): one endnote
  per group carrying each work's full reference, with its locator after the reference's body and
  before its link, and no second number;
- *in-text styles* with ``citations: in-text``: the style's own citation in the text, each work
  linked to the reference list.

A :class:`Formatter` lives for one build: each style is loaded once, and each distinct entry's
reference is formatted once per style and locale, whatever the number of briefs citing it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from briefgen.errors import Diagnostics, Location
from briefgen.format.engine import (
    CitationProcessor,
    CiteRequest,
    StyleFailed,
    render_bibliography,
)
from briefgen.format.output import slot, to_formatted
from briefgen.format.styles import Style, load_style, style_names
from briefgen.model import (
    BibEntry,
    Brief,
    Cite,
    Formatted,
    FormattedBrief,
    FormattedCitation,
    ResolvedCitations,
    work_anchor,
)

__all__ = ["Formatter", "Style", "format_references", "load_style", "style_names"]

_LINK_VARIABLES = ("URL", "DOI", "accessed")
"""What follows a reference's body: the locator goes before these."""


@dataclass(slots=True)
class Formatter:
    """Formats briefs for one build; styles and references are cached across briefs."""

    root: Path
    diagnostics: Diagnostics
    _styles: dict[tuple[str, str], Style | None] = field(default_factory=dict)
    _references: dict[tuple[int, str, bool], Formatted | None] = field(default_factory=dict)
    _failed: set[tuple[int, str, bool]] = field(default_factory=set)
    """Entries already reported as raising in a style (not reported twice)."""
    _reported: set[tuple[str, int]] = field(default_factory=set)
    """Styles already reported as unable to format references."""
    _probes: dict[int, dict[tuple[int, str], tuple[BibEntry, tuple[str, str]]]] = field(
        default_factory=dict
    )
    """Per style: how each work's cite reads alone (to find ambiguous works)."""

    def style(self, name: str, language: str, set_at: Location) -> Style | None:
        """The style for a language, loaded once; None after an error (reported once)."""
        key = (name, language)
        if key not in self._styles:
            self._styles[key] = load_style(name, language, self.root, self.diagnostics, set_at)
        return self._styles[key]

    def references(
        self, style: Style, entries: Iterable[BibEntry], *, core: bool = False
    ) -> dict[str, Formatted]:
        """Each entry's full reference (``core``: without URL, DOI and access date), no number."""
        wanted = {entry.key: entry for entry in entries}
        missing = [e for k, e in wanted.items() if (id(style), k, core) not in self._references]
        if missing:
            drop = _LINK_VARIABLES if core else ()
            for entry, raw in self._render(style, missing, drop):
                text = _formatted(style, raw, [entry]) if raw else None
                if text is None and not core and (id(style), entry.key, core) not in self._failed:
                    self.diagnostics.error(
                        f"CSL style {style.name!r} prints nothing for entry {entry.key!r} "
                        f"(type {entry.entry_type!r}); give it a title, or choose another style",
                        entry.location,
                    )
                self._references[(id(style), entry.key, core)] = text
        found = {key: self._references.get((id(style), key, core)) for key in wanted}
        return {key: value for key, value in found.items() if value is not None}

    def _render(
        self, style: Style, entries: list[BibEntry], drop: Sequence[str]
    ) -> list[tuple[BibEntry, str]]:
        try:
            # Each reference is kept by key, so the style's order is not needed here.
            return render_bibliography(
                style.numberless, entries, drop=drop, sort=False, **_locale_options(style)
            )
        except StyleFailed as failure:
            self._style_failed(style, failure)
            self._failed.add((id(style), failure.entry.key, False))
            rest = [e for e in entries if e is not failure.entry]
            return [(failure.entry, ""), *self._render(style, rest, drop)] if rest else []
        except Exception as exc:  # the style as a whole (e.g. no bibliography layout)
            self._cannot_format(style, exc)
            self._failed.update((id(style), entry.key, False) for entry in entries)
            return [(entry, "") for entry in entries]

    def _cannot_format(self, style: Style, exc: Exception) -> None:
        """A style that formats no reference at all: one error, where the style was chosen."""
        if ("style", id(style)) in self._reported:
            return
        self._reported.add(("style", id(style)))
        self.diagnostics.error(
            f"CSL style {style.name!r} cannot format references ({exc}); choose a style with a "
            "bibliography",
            style.set_at,
        )

    def _style_failed(self, style: Style, failure: StyleFailed) -> None:
        self.diagnostics.error(
            f"CSL style {style.name!r} cannot format entry {failure.entry.key!r} "
            f"({failure}); try another style, or report the entry with the style's name",
            failure.entry.location,
        )

    def format_brief(
        self, brief: Brief, resolved: ResolvedCitations, *, own_entry: BibEntry | None = None
    ) -> FormattedBrief | None:
        """Format a brief's citations, reference list and own reference; None after an error."""
        style = self.style(brief.style, brief.language, brief.style_set_at)
        if style is None:
            return None
        if style.is_note and brief.citations == "in-text":
            self.diagnostics.error(
                f"CSL style {brief.style!r} is a note style, so its citations are notes; remove "
                "'citations: in-text' or choose an author-date or numeric style",
                brief.style_set_at,
            )
            return None
        if brief.reference_list and style.csl.root.bibliography is None:
            self.diagnostics.warning(
                f"CSL style {brief.style!r} has no bibliography, so the brief shows no reference "
                "list ('bibliography', 'nocite' or in-text citations ask for one)",
                brief.style_set_at,
            )
            brief = replace(brief, reference_list=False)
        errors = len(self.diagnostics.errors)
        if style.is_note or brief.citations == "in-text":
            result = self._with_processor(brief, style, resolved)
        else:
            result = self._as_endnotes(brief, style, resolved)
        if result is not None and own_entry is not None:
            result = FormattedBrief(
                result.citations, result.references, self._own_reference(style, own_entry)
            )
        return result if len(self.diagnostics.errors) == errors else None

    # -- in-text styles, one endnote per citation ------------------------------------------

    def _as_endnotes(
        self, brief: Brief, style: Style, resolved: ResolvedCitations
    ) -> FormattedBrief:
        full = self.references(style, resolved.works)
        located = [c.entry for cit in resolved.citations for c in cit.cites if c.item.locator]
        core = self.references(style, located, core=True)
        listed: dict[str, Formatted] = {}
        if brief.reference_list:
            # The list is one document (year suffixes: "2021a"); the notes then read as it does,
            # and the reference bodies that place locators come from the same document.
            listed = self.document(style, resolved.works)
            full = {**full, **listed}
            if located:
                core = {**core, **self.document(style, resolved.works, core=True)}
        authors = self._narrative_authors(style, resolved)
        citations = []
        for citation in resolved.citations:
            pieces = [
                _reference_in_note(style, cite, full.get(cite.entry.key), core.get(cite.entry.key))
                for cite in citation.cites
            ]
            note = _join_note([p for p in pieces if p is not None], style.citation_delimiter)
            citations.append(FormattedCitation(authors.get(citation.index), note))
        by_key = {entry.key: entry for entry in resolved.works}
        references = tuple((by_key[key], text) for key, text in listed.items())
        return FormattedBrief(tuple(citations), references)

    def _own_reference(self, style: Style, entry: BibEntry) -> Formatted | None:
        """The brief as a reference; a style without a bibliography (Bluebook) cites it.

        Never from the reference cache: the brief's key may equal a BibTeX entry's.
        """
        if style.csl.root.bibliography is not None:
            return self.document(style, [entry]).get(entry.key)
        processor = CitationProcessor(style.csl, [entry], **_locale_options(style))
        processor.register([CiteRequest(entry)], note=1)
        try:
            (found,) = processor.render()
        except StyleFailed as failure:
            self._style_failed(style, failure)
            return None
        return _capitalised(_formatted(style, found.raw, [entry])) if found.raw else None

    def document(
        self, style: Style, entries: Iterable[BibEntry], *, core: bool = False
    ) -> dict[str, Formatted]:
        """Entries as one reference list, in the style's order, with year suffixes: key → text
        (``core``: without URL, DOI and access date).

        Not cached: a work's year suffix depends on the other works of the list.
        """
        entries = list(entries)
        drop = _LINK_VARIABLES if core else ()
        try:
            rendered = render_bibliography(style.numberless, entries, year_suffixes=True,
                                           drop=drop, **_locale_options(style))  # fmt: skip
        except StyleFailed:
            self.references(style, entries)  # reports the entry the style cannot format
            return {}
        except Exception as exc:  # the style as a whole (e.g. no bibliography layout)
            self._cannot_format(style, exc)
            return {}
        return {e.key: _formatted(style, raw, [e]) for e, raw in rendered if raw}

    def _narrative_authors(
        self, style: Style, resolved: ResolvedCitations
    ) -> dict[int, Formatted]:
        """The names an ``@key`` puts in the sentence, as the style's citations print them."""
        narrative = [c for c in resolved.citations if c.group.narrative and c.cites]
        if not narrative:
            return {}
        processor = CitationProcessor(style.csl, [c.cites[0].entry for c in narrative],
                                      probes=self._probes.setdefault(id(style), {}),
                                      **_locale_options(style))  # fmt: skip
        for citation in narrative:
            processor.register([CiteRequest(citation.cites[0].entry)])
        try:
            rendered = processor.render(numbered=False)  # only the names are used
        except StyleFailed as failure:
            self._style_failed(style, failure)
            return {}
        return {
            citation.index: _author(style, citation.cites[0].entry, found.author)
            for citation, found in zip(narrative, rendered, strict=True)
        }

    # -- note styles, and in-text citations ------------------------------------------------

    def _with_processor(
        self, brief: Brief, style: Style, resolved: ResolvedCitations
    ) -> FormattedBrief | None:
        in_text = not style.is_note
        processor = CitationProcessor(style.csl, resolved.works, **_locale_options(style))
        slots_by_citation: list[list[str]] = []
        for citation in resolved.citations:
            slots: list[str] = []
            requests = [
                _request(cite, slots, link=in_text and brief.reference_list)
                for cite in citation.cites
            ]
            slots_by_citation.append(slots)
            processor.register(requests, note=citation.note.number if citation.note else None)
        cited = {cite.entry.key for c in resolved.citations for cite in c.cites}
        processor.register_uncited(e for e in resolved.works if e.key not in cited)
        try:
            rendered = processor.render()
            listed = processor.references() if brief.reference_list else []
        except StyleFailed as failure:
            self._style_failed(style, failure)
            return None
        citations = []
        for citation, found, slots in zip(resolved.citations, rendered, slots_by_citation,
                                          strict=True):  # fmt: skip
            entries = [cite.entry for cite in citation.cites]
            body = _formatted(style, found.raw, entries if not in_text else (), slots)
            author = (
                _author(style, entries[0], found.author)
                if citation.group.narrative and entries
                else None
            )
            if in_text:
                if author is not None:
                    body = Formatted(f"{author.html} {body.html}".strip(),
                                     f"{author.text} {body.text}".strip())  # fmt: skip
                citations.append(FormattedCitation(body, None))
            else:
                # A citation inside the author's footnote stands in a sentence: no capital.
                note = body if citation.group.footnote else _capitalised(body)
                citations.append(FormattedCitation(author, note))
        references = tuple((entry, _formatted(style, raw, [entry])) for entry, raw in listed if raw)
        return FormattedBrief(tuple(citations), references)


def _locale_options(style: Style) -> dict[str, Any]:
    """What the data needs of the style's locale: its language and quotation marks."""
    return {"language": style.locale, "quotes": style.quotes}


def _formatted(
    style: Style, raw: str, entries: Sequence[BibEntry] = (), slots: Sequence[str] = ()
) -> Formatted:
    return to_formatted(raw, entries, slots, punctuation_in_quote=style.punctuation_in_quote)


def _request(cite: Cite, slots: list[str], *, link: bool) -> CiteRequest:
    """What citeproc-py needs of a cite; ``link``: the work links to the reference list."""
    item = cite.item
    prefix = suffix = ""
    if item.prefix_html:
        slots.append(item.prefix_html)
        prefix = slot(len(slots) - 1) + " "
    if item.suffix_html:
        slots.append(item.suffix_html)
        lead = item.suffix[: len(item.suffix) - len(item.suffix.lstrip())]
        suffix = lead + slot(len(slots) - 1)
    # In a note style, ``@key`` puts the author in the sentence and the rest in the note (as
    # Pandoc does): the note's citation is then suppress-author.
    return CiteRequest(
        cite.entry,
        item.mode,
        item.locator,
        item.label,
        prefix,
        suffix,
        anchor=work_anchor(cite.entry.key) if link else None,
    )


def _reference_in_note(
    style: Style, cite: Cite, full: Formatted | None, core: Formatted | None
) -> Formatted | None:
    """A work's full reference in an endnote, with the citation's prefix, locator and suffix."""
    if full is None:
        return None
    item = cite.item
    html, text = full.html, full.text
    if item.locator or item.suffix:
        located_html, located_text = _locator(style, item.label, item.locator)
        suffix_html = item.suffix_html
        if suffix_html:
            # The suffix's own leading space (" & 7"), or one before a bare word.
            lead = item.suffix[: len(item.suffix) - len(item.suffix.lstrip())]
            suffix_html = (lead or (" " if item.suffix[:1].isalnum() else "")) + suffix_html
        insert_html = located_html + suffix_html
        insert_text = located_text + (_strip_tags(suffix_html))
        html = _insert(html, core.html if core else html, insert_html)
        text = _insert(text, core.text if core else text, insert_text)
    if item.prefix_html:
        html = f"{item.prefix_html} {html}"
        text = f"{_strip_tags(item.prefix_html)} {text}"
    return Formatted(html, text)


def _locator(style: Style, label: str, locator: str) -> tuple[str, str]:
    if not locator:
        return "", ""
    plural = any(mark in locator for mark in ("-", "–", ",", ";", "&", " and "))
    term = style.term(label or "page", plural=plural)
    shown = f", {term} {locator}" if term else f", {locator}"
    from html import escape

    return escape(shown, quote=False), shown


def _insert(full: str, core: str, addition: str) -> str:
    """Put ``addition`` after the reference's body (``core``), before its link and access date."""
    body = core.rstrip().removesuffix(".")
    ends_sentence = addition.rstrip().endswith((".", "?", "!"))
    if body and full.startswith(body):
        tail = full[len(body) :]
        if ends_sentence:
            tail = tail.removeprefix(".")  # "p." then ". Available from" is one period
        return body + addition + (tail if tail.strip() else ("" if ends_sentence else "."))
    return full.rstrip().removesuffix(".") + addition + ("" if ends_sentence else ".")


def _join_note(pieces: Sequence[Formatted], delimiter: str) -> Formatted | None:
    if not pieces:
        return None
    html = [p.html for p in pieces]
    text = [p.text for p in pieces]
    for parts in (html, text):
        for i in range(len(parts) - 1):
            parts[i] = parts[i].rstrip().removesuffix(".")
    return _capitalised(Formatted(delimiter.join(html), delimiter.join(text)))


def _capitalised(formatted: Formatted) -> Formatted:
    """A note starts with a capital, as Pandoc's notes do ("see" → "See", "ibid." → "Ibid.")."""
    text = formatted.text
    return Formatted(_capitalise_html(formatted.html), text[:1].upper() + text[1:])


def _capitalise_html(html: str) -> str:
    in_tag = False
    for i, char in enumerate(html):
        if char == "<":
            in_tag = True
        elif char == ">":
            in_tag = False
        elif not in_tag and char.isalpha():
            return html[:i] + char.upper() + html[i + 1 :]
        elif not in_tag and not char.isspace() and char not in "\"'“‘(":
            return html
    return html


def _author(style: Style, entry: BibEntry, printed: str) -> Formatted:
    """``@key`` in a sentence: the names the style printed, or the family names when it printed
    none (a numeric style's citation is only a number)."""
    if printed:
        return _formatted(style, printed)
    from html import escape

    names = entry.names.get("author") or entry.names.get("editor") or ()
    families = [name.literal or f"{name.particle} {name.family}".strip() for name in names]
    if not families:
        title = entry.fields.get("title", entry.key)
        return Formatted(f"<i>{escape(title)}</i>", title)
    and_term = style.term("and", plural=False, form="long") or "and"
    if len(families) == 1:
        text = families[0]
    elif len(families) == 2:
        text = f"{families[0]} {and_term} {families[1]}"
    else:
        text = f"{families[0]} {style.term('et-al', plural=False, form='long') or 'et al.'}"
    return Formatted(escape(text), text)


def _strip_tags(html: str) -> str:
    import re
    from html import unescape

    return unescape(re.sub(r"<[^>]*>", "", html))


def format_references(
    entries: Iterable[BibEntry],
    *,
    style: str,
    language: str,
    root: Path,
    diagnostics: Diagnostics,
    style_set_at: Location | None = None,
) -> dict[str, tuple[str, str]] | None:
    """Format entries as one bibliography: key → (safe HTML, plain text), in the style's order;
    None on error."""
    formatter = Formatter(root, diagnostics)
    loaded = formatter.style(style, language, style_set_at or Location(Path("pyproject.toml")))
    if loaded is None:
        return None
    errors = len(diagnostics.errors)
    formatted = formatter.document(loaded, entries)
    if len(diagnostics.errors) != errors:
        return None
    return {key: (value.html, value.text) for key, value in formatted.items()}
