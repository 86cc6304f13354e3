"""The state one section's parse shares between the plugins and the renderer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

if TYPE_CHECKING:
    from markdown_it.token import Token

from briefgen.errors import Diagnostic, Location
from briefgen.model import BodyLink, CitationGroup, Footnote


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
    render_marker: Callable[[int], str]
    """Set before rendering: HTML for the n-th (0-based) citation group of this document."""
    render_footnote: Callable[[str, int], str]
    """Set before rendering: HTML for a reference to a footnote (its key, and which reference
    to it this is: 0 for the first)."""
    crossref_titles: dict[str, str]
    """Set before rendering: "Figure 1" for each label (``fig-heat``) a cross-reference names."""


def report(env: Any, line: int | None, message: str) -> None:
    """Record an error at a 0-based line of the Markdown body (``token.map[0]``)."""
    path = env.get("path", Path("<string>"))
    where = Location(path, None if line is None else line + env.get("line_offset", 0) + 1)
    env.setdefault("errors", []).append(Diagnostic(message, where))
