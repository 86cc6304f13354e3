"""The records that flow between stages: briefs, sections, BibTeX entries, citations, notes.

Every stage imports this module and none imports another stage's records, so the pipeline
``config → content → markdown → bibliography → citations → format → render → write`` reads in
one direction. Records are frozen; each field says where its value comes from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from briefgen.errors import Diagnostic, Location
from briefgen.urls import link_target

if TYPE_CHECKING:
    from markdown_it.token import Token

    from briefgen.config import Config


def doi_url(doi: str) -> str:
    """The resolver URL of a bare DOI (``10.1000/x`` → ``https://doi.org/10.1000/x``)."""
    return f"https://doi.org/{doi.strip()}"


CITATION_KEY = r"[\w](?:[\w]|[:.#$%&\-+?<>~/](?=[\w]))*"
"""Pandoc's citation key: a letter, digit or _, then internal punctuation (``:.#$%&-+?<>~/``)
only where a word character follows; ``@{...}`` allows anything else."""


# --- Briefs, as written in content/ -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Author:
    """One author of a brief."""

    name: str
    """As shown in the byline: ``name``, or ``given family``, or ``literal``."""
    bio: str = ""
    """A short biography, shown under the byline."""
    affiliation: str = ""
    url: str = ""
    """A web page readers may follow: anything :func:`~briefgen.urls.link_target` refuses
    (``javascript:``, ``data:``…) is dropped here, whatever made the author."""
    family: str = ""
    """The family name when the front matter gives it (``García Márquez``): exports and
    metadata use it rather than guessing from ``name``."""
    given: str = ""
    literal: str = ""
    """A name never split (an organisation), from ``literal:``."""
    orcid: str = ""
    """The bare ORCID iD (``0000-0002-1825-0097``)."""

    def __post_init__(self) -> None:
        if self.url:
            object.__setattr__(self, "url", link_target(self.url) or "")


@dataclass(frozen=True, slots=True)
class Section:
    """One Markdown file of a brief."""

    path: Path
    """The file, relative to the project root."""
    slug: str
    """From the file name (``02-the-deal.md`` gives ``the-deal``); used as the HTML anchor."""
    title: str
    order: int
    lead: bool
    """A lead section is shown without its heading (the untitled opening of an article)."""
    body: str
    """The Markdown after the front matter."""
    body_line: int
    """1-based line in ``path`` where ``body`` starts, to map Markdown line numbers back."""
    title_html: str = ""
    """The title's inline Markdown as HTML (``title`` is then its plain text); set on parsing."""


@dataclass(frozen=True, slots=True)
class Brief:
    """A brief as written: its metadata and its sections in reading order."""

    slug: str
    """The folder name; the brief is published at ``site/<slug>/``."""
    path: Path
    """The brief's folder, relative to the project root."""
    title: str
    authors: tuple[Author, ...]
    date: dt.date | None
    summary: str
    numbering: str
    """Endnote numbering scheme (one of ``config.NUMBERING_SCHEMES``)."""
    style: str
    """CSL style name or path for this brief's references."""
    style_set_at: Location
    """Where ``style`` was chosen (the brief's front matter or pyproject.toml), for errors."""
    language: str
    sections: tuple[Section, ...]
    citations: str = "endnotes"
    """``endnotes`` (one numbered note per citation) or ``in-text`` (the style's own citations)."""
    reference_list: bool = False
    """Whether the page ends with a reference list (``bibliography: true``, or in-text mode)."""
    nocite: tuple[str, ...] = ()
    """Keys listed in Pandoc's ``nocite`` (``*`` for every entry), added to the reference list."""
    title_html: str = ""
    """The title's inline Markdown as HTML (``title`` is then its plain text); set on parsing."""
    tags: tuple[str, ...] = ()
    """Topics from ``tags:`` (or Pandoc's ``keywords:``), for the index and the tag pages."""
    bibliographies: tuple[Path, ...] = ()
    """The brief's own .bib files (Pandoc's ``bibliography:``), relative to the project root,
    read in addition to the project's."""


# --- Citations, as parsed from Markdown -------------------------------------------------


class CitationMode(StrEnum):
    """How a cited work appears in the text (Pandoc's three citation modes)."""

    NORMAL = "normal"
    """``[@key]``: the style's citation, or an endnote marker."""
    SUPPRESS_AUTHOR = "suppress-author"
    """``[-@key]``: the citation without its author ("(2019, p. 4)")."""
    AUTHOR_IN_TEXT = "author-in-text"
    """``@key`` written in the sentence: the author's name is part of the prose."""


@dataclass(frozen=True, slots=True)
class CitationItem:
    """One cited work inside a citation group, as Pandoc reads it."""

    key: str
    """The BibTeX key, without the ``@``; case-sensitive, as in Pandoc."""
    locator: str = ""
    """The locator's value: ``33–35`` from ``[@key, pp. 33--35]``, or empty."""
    label: str = ""
    """The CSL locator type (``page``, ``chapter``, ``section``…); empty without a locator."""
    prefix: str = ""
    """Markdown before the key, such as ``see``."""
    suffix: str = ""
    """Markdown after the locator, such as ``, and passim`` (kept with its punctuation)."""
    mode: CitationMode = CitationMode.NORMAL
    prefix_html: str = ""
    """``prefix`` rendered as inline HTML (it may hold emphasis, links, code)."""
    suffix_html: str = ""
    """``suffix`` rendered as inline HTML."""


@dataclass(frozen=True, slots=True)
class CitationGroup:
    """One citation as written: a bracketed group, or a narrative ``@key``."""

    items: tuple[CitationItem, ...]
    location: Location
    """The file and line the group was written on."""
    narrative: bool = False
    """Written in the sentence (``@key says``) rather than in brackets."""
    footnote: str = ""
    """The :attr:`Footnote.key` of the author's footnote it is written in; empty in the text."""


@dataclass(frozen=True, slots=True)
class Footnote:
    """An author's footnote (``[^label]`` or ``^[…]``), at its first reference in the text.

    It takes its place in the brief's one sequence of endnotes, with the citation notes.
    """

    key: str
    """Unique within the brief: the section file and the footnote's number in it."""
    label: str
    """The label as written (``1`` in ``[^1]``); empty for an inline footnote."""
    location: Location
    """Where it is first referenced."""


@dataclass(frozen=True, slots=True)
class Label:
    """A figure, table, section or equation a cross-reference can name (``{#fig-heat}``)."""

    id: str
    kind: str
    """``figure``, ``table``, ``section`` or ``equation`` (CSL locale term names)."""
    location: Location


@dataclass(frozen=True, slots=True)
class CrossRef:
    """A cross-reference as written: ``@fig-heat``, ``[@tbl-a; @tbl-b]``."""

    labels: tuple[str, ...]
    location: Location


@dataclass(frozen=True, slots=True)
class Heading:
    """A heading inside a section, for the contents and section numbers."""

    rank: int
    """The HTML rank it is rendered at (3–6: below the brief's h1 and the section's h2)."""
    id: str
    text: str
    """Plain text."""
    html: str = ""
    """Its inline Markdown rendered (emphasis, code…), for the contents."""


@dataclass(frozen=True, slots=True)
class BodyLink:
    """A link written in the Markdown body."""

    url: str
    location: Location


# --- The bibliography ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Name:
    """One person (or organisation) in a name list, decoded to plain text."""

    family: str = ""
    given: str = ""
    particle: str = ""
    """The "von" part: ``de la`` in ``de la Fontaine, Jean``."""
    suffix: str = ""
    """The "jr" part: ``Jr.``, ``III``."""
    literal: str = ""
    """A corporate or unsplittable name, written in braces: ``{Amnesty International}``."""

    def __str__(self) -> str:
        if self.literal:
            return self.literal
        family = f"{self.particle} {self.family}".strip()
        return f"{self.given} {family}".strip() + (f", {self.suffix}" if self.suffix else "")


@dataclass(frozen=True, slots=True)
class BibEntry:
    """One BibTeX entry, with every field decoded from LaTeX to plain text."""

    key: str
    entry_type: str
    """Lower-case BibTeX/biblatex type: ``article``, ``online``, ``jurisdiction``…"""
    fields: Mapping[str, str]
    """Decoded text of each field (names too, as written), lower-case field names."""
    names: Mapping[str, tuple[Name, ...]]
    """Parsed name lists (``author``, ``editor``…)."""
    location: Location
    """The .bib file and the line the entry starts on."""
    url: str | None = None
    """The ``url`` field exactly as written."""
    doi: str | None = None
    """The bare DOI (``10.xxxx/...``), with any ``https://doi.org/`` prefix removed."""
    latex: Mapping[str, str] = field(default_factory=dict)
    """Each field as written (macros, ``#`` and crossref resolved; LaTeX not decoded): the
    CSL-JSON converter needs the braces, which say what a title protects from case changes."""

    @property
    def link(self) -> str | None:
        """The URL a reader should follow: the DOI resolver when there is a DOI, else ``url``."""
        return doi_url(self.doi) if self.doi else self.url


@dataclass(frozen=True, slots=True)
class Bibliography:
    """Every entry of the project's BibTeX file, by key."""

    path: Path
    entries: Mapping[str, BibEntry] = field(default_factory=dict)
    """Decoded when first looked up: a build reads the few hundred entries its briefs cite from
    a library of thousands. Iterate the keys, or use :attr:`locations`, to stay lazy."""
    readable: bool = True
    """False when the file could not be read at all (then no key can be checked against it)."""
    locations: Mapping[str, Location] = field(default_factory=dict)
    """Where each entry starts, by key, known without decoding the entry."""

    def location(self, key: str) -> Location:
        """Where the entry ``key`` starts."""
        found = self.locations.get(key)
        return found if found is not None else self.entries[key].location


# --- Resolved citations: what cites what, and how notes are numbered ----------------------


@dataclass(frozen=True, slots=True)
class Cite:
    """One cited work, resolved: the item as written and the entry its key names."""

    item: CitationItem
    entry: BibEntry


@dataclass(frozen=True, slots=True)
class Endnote:
    """One citation group of a brief shown as a numbered note, in reading order."""

    number: int
    """1-based position among the brief's notes."""
    label: str
    """The number as shown, in the brief's numbering scheme: ``xvi``."""
    location: Location
    """Where the citation (or the footnote's first reference) is written."""
    cites: tuple[Cite, ...]
    """The works it cites: a citation's, or those cited inside a footnote."""
    footnote: Footnote | None = None
    """Set when the note is the author's footnote rather than a citation."""

    @property
    def anchor(self) -> str:
        """HTML id of the note; the marker's id is ``ref-`` + label."""
        return f"note-{self.label}"


@dataclass(frozen=True, slots=True)
class Citation:
    """One citation group of a brief, resolved; ``index`` is its place in reading order."""

    index: int
    group: CitationGroup
    cites: tuple[Cite, ...]
    """The group's works whose keys resolved, in the order written."""
    note: Endnote | None
    """The endnote this citation is shown as; None for citations set in the text."""


@dataclass(frozen=True, slots=True)
class ResolvedCitations:
    """A brief's citations resolved against the bibliography: the input of formatting."""

    citations: tuple[Citation, ...]
    notes: tuple[Endnote, ...]
    works: tuple[BibEntry, ...]
    """Every work for the reference list: cited ones in first-cited order, then ``nocite``."""

    def notes_citing(self) -> dict[str, list[Endnote]]:
        """For each cited key, the endnotes that cite it (to show "also cited at")."""
        result: dict[str, list[Endnote]] = {}
        for note in self.notes:
            for cite in note.cites:
                notes_of_key = result.setdefault(cite.entry.key, [])
                if not notes_of_key or notes_of_key[-1] is not note:
                    notes_of_key.append(note)
        return result


# --- Formatted citations: what the format stage hands to render ----------------------------


@dataclass(frozen=True, slots=True)
class Formatted:
    """A formatted reference or citation: safe HTML, and the same as plain text."""

    html: str
    text: str


@dataclass(frozen=True, slots=True)
class FormattedCitation:
    """A citation group, formatted: what stands in the text, and its note."""

    in_text: Formatted | None
    """Set in the running text: the author of ``@key``, or the style's citation in in-text mode."""
    note: Formatted | None
    """The endnote's content; None in in-text mode."""


@dataclass(frozen=True, slots=True)
class FormattedBrief:
    """Every citation of a brief, formatted, and its reference list."""

    citations: tuple[FormattedCitation, ...]
    """By :attr:`Citation.index`."""
    references: tuple[tuple[BibEntry, Formatted], ...]
    """The reference list in the style's order; empty unless the brief shows one."""
    cite: Formatted | None = None
    """The brief's own reference ("Cite this brief"), in its style."""


def work_anchor(key: str) -> str:
    """HTML id of a work in the reference list, one per key (``x.y`` and ``x_y`` differ).

    Letters, digits and hyphens stay; any other character becomes ``_<hex>_``.
    """
    return "work-" + "".join(
        char if char.isascii() and (char.isalnum() or char == "-") else f"_{ord(char):x}_"
        for char in key
    )


# --- A project, parsed and resolved: what formatting and rendering read ------------------------


@dataclass(frozen=True, slots=True)
class ParsedSection:
    """A section's tokens with what the parser found in it."""

    section: Section
    tokens: list[Token]
    """markdown-it-py's tokens, rendered later by ``briefgen.markdown.render_section``."""
    citations: tuple[CitationGroup, ...]
    links: tuple[BodyLink, ...]
    marks: tuple[CitationGroup | Footnote, ...] = ()
    """Citations and footnote references in reading order (a footnote's citations follow it):
    the order of the endnote sequence."""
    footnotes: Mapping[str, list[Token]] = field(default_factory=dict)
    """Each footnote's body (block tokens), by :attr:`Footnote.key`."""
    headings: tuple[Heading, ...] = ()
    labels: tuple[Label, ...] = ()
    """Figures, tables, headings and equations with a cross-reference label."""
    crossrefs: tuple[CrossRef, ...] = ()
    language: str = "en-US"
    """The language it was parsed in (quotation marks, locator terms): rendering uses it too."""
    errors: tuple[Diagnostic, ...] = ()
    """Problems the parser found (a missing image, TeX that does not convert…)."""


@dataclass(frozen=True, slots=True)
class ResolvedBrief:
    """A brief with every citation resolved and numbered; ready to render."""

    brief: Brief
    parsed_sections: tuple[ParsedSection, ...]
    citations: ResolvedCitations
    links: tuple[BodyLink, ...]
    """Links written in the Markdown body."""
    crossref_titles: Mapping[str, str] = field(default_factory=dict)
    """Each cross-reference label's name as the text shows it: ``fig-heat`` → ``Figure 1``."""
    crossref_numbers: Mapping[str, str] = field(default_factory=dict)
    """Each label's number alone (``1``, ``2.1``), for ``[-@fig-heat]`` and equation numbers."""
    crossref_anchors: Mapping[str, str] = field(default_factory=dict)
    """Labels whose page id is not the label itself (``sec-<slug>`` → the section's slug)."""

    @property
    def slug(self) -> str:
        return self.brief.slug

    @property
    def title(self) -> str:
        return self.brief.title


@dataclass(frozen=True, slots=True)
class Project:
    """All briefs of a project, resolved against its one bibliography."""

    config: Config
    bibliography: Bibliography
    briefs: tuple[ResolvedBrief, ...]
    warnings: tuple[Diagnostic, ...] = ()
    reused: Mapping[str, int] = field(default_factory=dict)
    """Briefs whose pages come from the build cache, unchanged (slug → number of notes): their
    :class:`ResolvedBrief` holds the brief alone, not its parsed sections and citations."""

    notes: Mapping[str, int] = field(default_factory=dict)
    """Each brief's number of notes, when its citations are no longer held (a build)."""

    @property
    def note_count(self) -> int:
        """The notes of every brief, built or reused."""
        if self.notes:
            return sum(self.notes.values())
        built = sum(len(r.citations.notes) for r in self.briefs if r.slug not in self.reused)
        return built + sum(self.reused.values())


# --- Link health: what ``briefgen check`` found, shown on the page --------------------------


class Verdict(StrEnum):
    """The outcome of checking one URL."""

    OK = "ok"
    REDIRECTED = "redirected"
    BROKEN = "broken"
    BLOCKED = "blocked"
    SKIPPED = "skipped"
    UNCHECKED = "unchecked"
    """No verdict: the run's deadline came first, or ``--offline`` found nothing cached."""


class FailureKind(StrEnum):
    """How a request failed without an HTTP answer; decides retries and network-down."""

    DNS = "dns"
    CONNECT = "connect"
    CONNECT_TIMEOUT = "connect-timeout"
    TIMEOUT = "timeout"
    RESET = "reset"
    TLS = "tls"
    PROTOCOL = "protocol"
    REFUSED = "refused"
    """Refused by the checker's own safety rules; nothing was sent."""


@dataclass(frozen=True, slots=True)
class Hop:
    """One redirect in a chain."""

    url: str
    """The URL requested."""
    status_code: int
    """The redirect status it answered with."""


@dataclass(frozen=True, slots=True)
class LinkResult:
    """Everything known about one URL after a run."""

    url: str
    """The URL as cited (fragment removed: it is never sent to the server)."""
    verdict: Verdict
    reason: str
    """The verdict in plain words, e.g. ``"not found (404)"``."""
    status_code: int | None = None
    """The final HTTP status, or None when no answer came."""
    final_url: str | None = None
    """Where the redirects ended; for ``redirected``, the URL the citation should use."""
    redirects: tuple[Hop, ...] = ()
    """The redirect chain, in order."""
    checked_at: dt.datetime | None = None
    """When the verdict was reached (from the cache, the original time)."""
    from_cache: bool = False
    """True when this verdict was read from the cache instead of the network."""
    failure: FailureKind | None = None
    """How the last request failed, when it got no HTTP answer."""
    answered: bool = False
    """True when the host sent any HTTP answer at all (evidence the network is up)."""
    last_ok_at: dt.datetime | None = None
    """The last time this URL was verified live (kept even after it broke)."""
    archive_url: str | None = None
    """An archived copy (Wayback Machine), when ``--archive`` found one."""
    archive_timestamp: dt.datetime | None = None
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def broken(self) -> bool:
        return self.verdict is Verdict.BROKEN

    @property
    def checked_on(self) -> dt.date | None:
        """The day of the verdict (shown to readers)."""
        return self.checked_at.date() if self.checked_at else None

    @property
    def verified_on(self) -> dt.date | None:
        """The last day the link was seen live."""
        return self.last_ok_at.date() if self.last_ok_at else None

    @property
    def archive_on(self) -> dt.date | None:
        """The day the archived copy was taken."""
        return self.archive_timestamp.date() if self.archive_timestamp else None
