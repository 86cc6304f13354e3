"""Parse Markdown sections as Pandoc reads them, and render them to HTML.

One markdown-it-py parser per language, built from small plugins, each in its own module with
its own fixture file: ``citations`` (Pandoc's ``[@key]``), ``footnotes`` (joining the endnote
sequence), ``crossrefs`` (Quarto's ``@fig-x``), ``figures``, ``tables`` (``Table:`` captions),
``math`` (MathML), ``typography`` (Pandoc's ``smart``), ``inline`` (sub, sup, strikeout, spans,
definition lists), ``divs`` (fenced divs, Quarto's callouts), ``headings`` (ranks, ids,
attributes) and ``comments``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from markdown_it import MarkdownIt

from briefgen.markdown.brackets import skip_unclosed_labels
from briefgen.markdown.citations import citations_plugin, parse_citation_group
from briefgen.markdown.comments import comments_plugin
from briefgen.markdown.crossrefs import crossrefs_plugin
from briefgen.markdown.divs import divs_plugin
from briefgen.markdown.env import MarkdownEnv
from briefgen.markdown.fences import fences_plugin
from briefgen.markdown.figures import figures_plugin
from briefgen.markdown.footnotes import footnote_key, footnotes_plugin
from briefgen.markdown.headings import TOP_RANK, headings_plugin
from briefgen.markdown.inline import inline_extensions_plugin
from briefgen.markdown.math import math_plugin
from briefgen.markdown.nesting import nesting_plugin
from briefgen.markdown.tables import tables_plugin
from briefgen.markdown.tokens import plain_text
from briefgen.markdown.typography import typography_plugin
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
    md.use(comments_plugin)
    md.use(divs_plugin)
    md.use(footnotes_plugin)
    md.use(citations_plugin)
    md.use(inline_extensions_plugin)  # after citations: ``[@a]`` is a citation, not a span
    md.use(typography_plugin, language=language)
    md.use(crossrefs_plugin)  # before the citation rules, which would read @fig-x as a key
    md.use(headings_plugin)
    md.use(math_plugin)
    md.use(figures_plugin)
    md.use(tables_plugin)
    md.use(fences_plugin)
    md.use(nesting_plugin)  # last: its rule runs before every other block rule
    skip_unclosed_labels(md)
    return md


def parse_section(
    section: Section,
    *,
    language: str = "en-US",
    bundle: Path | None = None,
    used_ids: set[str] | None = None,
) -> ParsedSection:
    """Parse a section's Markdown body, recording each citation's file and line.

    ``bundle`` is the brief's folder on disk (images are checked in it); ``used_ids`` the ids
    already on the page, shared by the brief's sections so that heading ids stay unique.
    """
    env: MarkdownEnv = {
        "path": section.path,
        "line_offset": section.body_line - 1,
        "language": language,
        "used_ids": used_ids if used_ids is not None else set(),
        "top_rank": TOP_RANK if not section.lead else TOP_RANK - 1,
    }
    if bundle is not None:
        env["bundle"] = bundle
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
        headings=tuple(env.get("headings", ())),
        labels=tuple(env.get("labels", ())),
        crossrefs=tuple(env.get("crossrefs", ())),
        language=language,
        errors=tuple(env.get("errors", ())),
    )


def render_inline(text: str, language: str = "en-US") -> tuple[str, str, bool]:
    """A title's Markdown as inline HTML, as plain text (for ``<title>``, feeds, metadata), and
    whether it holds a citation, footnote or cross-reference (which a title cannot show)."""
    md = create_markdown(language)
    env: MarkdownEnv = {"language": language}
    tokens = md.parseInline(text, env)  # type: ignore[arg-type]
    children = tokens[0].children or [] if tokens else []
    notes = any(child.type in ("citation", "footnote_ref", "crossref") for child in children)
    # A title is itself a link in the contents and the index: its own links are kept as text.
    children = [child for child in children if child.type not in ("link_open", "link_close")]
    html = str(md.renderer.render(children, md.options, env))  # type: ignore[arg-type]
    return html, plain_text(children), notes


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
