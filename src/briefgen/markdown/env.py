"""The state one section's parse shares between the plugins and the renderer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

if TYPE_CHECKING:
    from markdown_it.token import Token

from briefgen.errors import Diagnostic, Location
from briefgen.model import BodyLink, CitationGroup, CrossRef, Footnote, Heading, Label


class MarkdownEnv(TypedDict, total=False):
    """markdown-it's ``env`` for one section file: inputs, what the plugins found, and hooks."""

    path: Path
    """The Markdown file (relative to the project root), for locations."""
    line_offset: int
    """Lines before the Markdown body in its file (the front matter)."""
    language: str
    """The brief's language (BCP 47): locator terms and quotation marks follow it."""
    bundle: Path
    """The brief's folder on disk: images and files it links to are published from here."""
    used_ids: set[str]
    """Ids already on the page (shared by a brief's sections): heading ids stay unique."""
    top_rank: int
    """The HTML rank of the section's highest heading (3 below a section title, else 2)."""
    citations: list[CitationGroup]
    """Filled by the parser: every citation group in reading order."""
    links: list[BodyLink]
    """Filled by the parser: every link in the body."""
    marks: list[CitationGroup | Footnote]
    """Filled by the parser: citations and footnote references in reading order."""
    footnote_bodies: dict[int, list[Token]]
    """Filled by the parser: each footnote's body, by its number in the file."""
    errors: list[Diagnostic]
    """Filled by the parser: problems in the Markdown, each at its file and line."""
    headings: list[Heading]
    """Filled by the parser: the headings inside the section, for the contents."""
    labels: list[Label]
    """Filled by the parser: figures, tables, headings and equations a cross-reference names."""
    crossrefs: list[CrossRef]
    """Filled by the parser: every cross-reference."""
    render_marker: Callable[[int], str]
    """Set before rendering: HTML for the n-th (0-based) citation group of this document."""
    render_footnote: Callable[[str, int], str]
    """Set before rendering: HTML for a reference to a footnote (its key, and which reference
    to it this is: 0 for the first)."""
    crossref_titles: dict[str, str]
    """Set before rendering: "Figure 1" for each label (``fig-heat``) a cross-reference names."""
    crossref_numbers: dict[str, str]
    """Set before rendering: the number alone (``1``, ``2.1``) of each label."""
    crossref_anchors: dict[str, str]
    """Set before rendering: the page id of labels that are not ids themselves (``sec-<slug>``
    names a section file, whose id is its slug)."""


def report(env: Any, line: int | None, message: str) -> None:
    """Record an error at a 0-based line of the Markdown body (``token.map[0]``)."""
    path = env.get("path", Path("<string>"))
    where = Location(path, None if line is None else line + env.get("line_offset", 0) + 1)
    env.setdefault("errors", []).append(Diagnostic(message, where))


MESSAGE_LIMIT = 60
"""The most characters of the author's text a message repeats (a label can be 100 KB long)."""


def clip(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """``text`` cut to ``limit`` characters for a message, with "…" where it was cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
