"""The records the importer's stages hand each other: the article as read, and each reference."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Marker:
    """One endnote marker in the article's prose: ``[iv]``, ``[4]``, ``[1, 3]`` or ``[^4]``."""

    labels: tuple[str, ...]
    """The reference labels it points at, normalised (``iv``, ``4``); a group holds several."""
    numbers: tuple[int | None, ...]
    """The value of each label (``iv`` is 4); None for a footnote label that is a name."""
    start: int
    """Offset of the marker in its block's text."""
    end: int
    """Offset just after the marker."""
    line: int
    """1-based line of the source file."""
    text: str
    """The marker as written."""


@dataclass(frozen=True, slots=True)
class Block:
    """A paragraph of prose (plain text), or a run of Markdown between two headings."""

    text: str
    """The text as in the source, lines joined with ``\\n``."""
    line: int
    """1-based line of its first line in the source file."""
    markers: tuple[Marker, ...] = ()
    """Its markers in reading order; their offsets index :attr:`text`."""


@dataclass(frozen=True, slots=True)
class ArticleSection:
    """The text under one heading; the untitled opening section has ``title == ""``."""

    title: str
    line: int
    """Line of the heading (of the first block, for the opening section)."""
    blocks: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class ReferenceItem:
    """One entry of the article's reference list, as written."""

    label: str
    """Normalised label: ``iv``, ``4`` or a footnote's name."""
    number: int | None
    """The label's value, None for a named footnote."""
    text: str
    """The reference's text, its lines joined by single spaces."""
    line: int
    """1-based line where the entry starts."""


@dataclass(frozen=True, slots=True)
class ArticleAuthor:
    """An author found in a byline or after the reference list."""

    name: str
    bio: str = ""


@dataclass(frozen=True, slots=True)
class Article:
    """Everything read from the article, before any reference is parsed."""

    path: Path
    """The source file, as given on the command line (for messages)."""
    title: str
    """The title; empty when none was found."""
    authors: tuple[ArticleAuthor, ...]
    date: dt.date | None
    sections: tuple[ArticleSection, ...]
    references: tuple[ReferenceItem, ...]
    scheme: str
    """Marker style: ``lower-roman``, ``upper-roman``, ``arabic`` or ``footnote`` (``[^n]``)."""
    markdown: bool
    """True when the prose is Markdown and is kept as written; plain text is escaped."""


@dataclass(frozen=True, slots=True)
class RefName:
    """One name in a reference: a person (family, given) or an organisation (literal)."""

    family: str = ""
    given: str = ""
    literal: str = ""


@dataclass(frozen=True, slots=True)
class ParsedReference:
    """A free-text reference read into biblatex fields (plain text, not yet LaTeX-escaped)."""

    source: str
    """The reference as written."""
    entry_type: str
    """biblatex type: ``online``, ``article``, ``book``, ``report``, ``jurisdiction``, ``misc``."""
    fields: Mapping[str, str] = field(default_factory=dict)
    """Field values in the order they are written (``title``, ``date``, ``url``…)."""
    authors: tuple[RefName, ...] = ()
    editors: tuple[RefName, ...] = ()
    unparsed: str = ""
    """What could not be read; it goes to ``note``, verbatim, with a warning."""
    ibid: bool = False
    """"Ibid." (the previous reference), with any locator in ``fields['locator']``."""

    @property
    def year(self) -> str:
        """The four-digit year, or "" (``n.d.``)."""
        return self.fields.get("date", "")[:4]
