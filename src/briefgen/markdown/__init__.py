"""Parse Markdown sections into tokens (with citations and their source lines) and render them."""

from __future__ import annotations

from functools import cache

from markdown_it import MarkdownIt

from briefgen.markdown.citations import CitationEnv, citations_plugin, parse_citation_group
from briefgen.model import BodyLink, CitationGroup, CitationItem, ParsedSection, Section

__all__ = [
    "BodyLink",
    "CitationEnv",
    "CitationGroup",
    "CitationItem",
    "ParsedSection",
    "citations_plugin",
    "create_markdown",
    "parse_citation_group",
    "parse_section",
]


@cache
def create_markdown() -> MarkdownIt:
    """The Markdown parser: CommonMark plus tables, strikethrough and citations; raw HTML off."""
    # Raw HTML stays off: anything a contributor writes is escaped, never injected.
    md = MarkdownIt("commonmark", {"html": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.use(citations_plugin)
    return md


def parse_section(section: Section, *, language: str = "en-US") -> ParsedSection:
    """Parse a section's Markdown body, recording each citation's file and line."""
    env: CitationEnv = {
        "path": section.path,
        "line_offset": section.body_line - 1,
        "language": language,
    }
    tokens = create_markdown().parse(section.body, env)  # type: ignore[arg-type]
    return ParsedSection(
        section, tokens, tuple(env.get("citations", ())), tuple(env.get("links", ()))
    )


def render_section(parsed: ParsedSection, env: CitationEnv) -> str:
    """Render a parsed section to HTML; ``env["render_marker"]`` draws the citation markers."""
    md = create_markdown()
    return str(md.renderer.render(parsed.tokens, md.options, env))  # type: ignore[arg-type]
