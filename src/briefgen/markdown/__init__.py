"""Parse Markdown sections as Pandoc reads them, and render them to HTML.

One markdown-it-py parser per language, built from small plugins, each in its own module with
its own fixture file: ``citations`` (Pandoc's ``[@key]``), ``footnotes`` (joining the endnote
sequence), ``figures``, ``tables`` (``Table:`` captions), ``math`` (MathML), ``typography``
(Pandoc's ``smart``), ``headings`` (ranks, ids, attributes) and ``comments``.
"""

from __future__ import annotations

from functools import cache

from markdown_it import MarkdownIt

from briefgen.markdown.citations import citations_plugin, parse_citation_group
from briefgen.markdown.env import MarkdownEnv
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


@cache
def create_markdown(language: str = "en-US") -> MarkdownIt:
    """The parser: CommonMark with Pandoc's extensions and citations; raw HTML stays escaped."""
    # Raw HTML stays off: anything a contributor writes is escaped, never injected.
    md = MarkdownIt("commonmark", {"html": False, "typographer": False})
    md.enable(["table", "strikethrough"])
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
        language=language,
        errors=tuple(env.get("errors", ())),
    )


def render_section(parsed: ParsedSection, env: MarkdownEnv) -> str:
    """Render a parsed section to HTML; ``env["render_marker"]`` draws the citation markers."""
    md = create_markdown(parsed.language)
    return str(md.renderer.render(parsed.tokens, md.options, env))  # type: ignore[arg-type]
