"""Parse Markdown sections as Pandoc reads them, and render them to HTML.

One markdown-it-py parser per language, built from small plugins, each in its own module with
its own fixture file: ``citations`` (Pandoc's ``[@key]``), ``footnotes`` (joining the endnote
sequence), ``figures``, ``tables`` (``Table:`` captions), ``math`` (MathML), ``typography``
(Pandoc's ``smart``), ``headings`` (ranks, ids, attributes) and ``comments``.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from markdown_it import MarkdownIt

from briefgen.markdown.citations import citations_plugin, parse_citation_group
from briefgen.markdown.env import MarkdownEnv
from briefgen.markdown.footnotes import footnote_key, footnotes_plugin
from briefgen.model import BodyLink, CitationGroup, CitationItem, ParsedSection, Section

__all__ = [
    "BodyLink",
    "CitationGroup",
    "CitationItem",
    "MarkdownEnv",
    "ParsedSection",
    "citations_plugin",
    "create_markdown",
    "parse_citation_group",
    "parse_section",
]

if TYPE_CHECKING:
    from markdown_it.token import Token


@cache
def create_markdown(language: str = "en-US") -> MarkdownIt:
    """The parser: CommonMark with Pandoc's extensions and citations; raw HTML stays escaped."""
    # Raw HTML stays off: anything a contributor writes is escaped, never injected.
    md = MarkdownIt("commonmark", {"html": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.use(footnotes_plugin)
    md.use(citations_plugin)
    return md


def parse_section(section: Section, *, language: str = "en-US") -> ParsedSection:
    """Parse a section's Markdown body, recording each citation's file and line."""
    env: MarkdownEnv = {
        "path": section.path,
        "line_offset": section.body_line - 1,
        "language": language,
    }
    tokens = create_markdown(language).parse(section.body, env)  # type: ignore[arg-type]
    return ParsedSection(
        section,
        tokens,
        tuple(env.get("citations", ())),
        tuple(env.get("links", ())),
        marks=tuple(env.get("marks", ())),
        footnotes={
            footnote_key(env, number): body
            for number, body in env.get("footnote_bodies", {}).items()
        },
        language=language,
        errors=tuple(env.get("errors", ())),
    )


def render_section(parsed: ParsedSection, env: MarkdownEnv) -> str:
    """Render a parsed section to HTML; ``env["render_marker"]`` draws the citation markers."""
    md = create_markdown(parsed.language)
    return str(md.renderer.render(parsed.tokens, md.options, env))  # type: ignore[arg-type]


def render_note_body(
    parsed: ParsedSection, tokens: list[Token], env: MarkdownEnv
) -> tuple[str, bool]:
    """A footnote's body as HTML: inline when it is one paragraph, else blocks (and True)."""
    md = create_markdown(parsed.language)
    if [token.type for token in tokens] == ["paragraph_open", "inline", "paragraph_close"]:
        return str(md.renderer.render(tokens[1].children or [], md.options, env)), False  # type: ignore[arg-type]
    return str(md.renderer.render(tokens, md.options, env)), True  # type: ignore[arg-type]
