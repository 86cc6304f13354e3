"""Pandoc citation syntax for markdown-it-py: ``[@key]``, ``[@key, p. 12]``, ``[see @a; @b]``.

The plugin turns each bracketed group into one ``citation`` token carrying a
:class:`CitationGroup`. It never renders numbers itself: resolution happens later, over the
whole brief, and the renderer asks ``env["render_marker"]`` for each group's marker HTML.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from markdown_it import MarkdownIt
from markdown_it.common.utils import normalizeReference
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from briefgen.errors import Location
from briefgen.markdown.env import MarkdownEnv
from briefgen.markdown.locators import locator_terms, parse_locator
from briefgen.model import CITATION_KEY, BodyLink, CitationGroup, CitationItem, CitationMode

if TYPE_CHECKING:
    from collections.abc import Sequence

    from markdown_it.utils import OptionsDict

_KEY = CITATION_KEY
_ITEM = re.compile(
    rf"^(?P<prefix>(?:[^@]*?[\s(])?)(?P<suppress>-?)@(?:\{{(?P<braced>[^{{}}]+)\}}|(?P<key>{_KEY}))"
    r"(?P<suffix>.*)$",
    re.DOTALL,
)
_NARRATIVE = re.compile(rf"@(?:\{{(?P<braced>[^{{}}]+)\}}|(?P<key>{_KEY}))")


def citations_plugin(md: MarkdownIt, *, token_type: str = "citation") -> None:
    """Register the Pandoc citation rules on ``md`` (tokens of type ``token_type``)."""
    md.inline.ruler.before("link", "citation", _make_inline_rule(token_type))
    md.inline.ruler.before("link", "narrative_citation", _make_narrative_rule(token_type))
    md.core.ruler.after("inline", "citation_locations", _make_core_rule(token_type))
    md.add_render_rule(token_type, _render_citation)


def parse_citation_group(
    text: str, *, language: str = "en-US", inline: Callable[[str], str] | None = None
) -> tuple[CitationItem, ...] | None:
    """Parse the inside of ``[...]``; None when it is not a citation group.

    ``inline`` renders a prefix or suffix's Markdown to HTML (escaped text when not given).
    """
    from html import escape

    render = inline or escape
    terms = locator_terms(language)
    items = []
    for part in _split_items(text):
        match = _ITEM.match(part.strip())
        if match is None:
            return None
        if "@" in match["suffix"] and _ITEM.match(match["suffix"].strip(" ,")):
            return None
        label, locator, suffix = parse_locator(match["suffix"], terms)
        prefix = match["prefix"].strip()
        items.append(
            CitationItem(
                key=match["braced"] or match["key"],
                locator=locator,
                label=label,
                prefix=prefix,
                suffix=suffix.rstrip(),
                mode=CitationMode.SUPPRESS_AUTHOR if match["suppress"] else CitationMode.NORMAL,
                prefix_html=render(prefix) if prefix else "",
                suffix_html=render(suffix.rstrip()) if suffix.strip() else "",
            )
        )
    return tuple(items) if items else None


def _split_items(text: str) -> list[str]:
    """Split at ``;`` outside braces (a braced locator may hold semicolons)."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(0, depth - 1)
        elif char == ";" and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _make_inline_rule(token_type: str) -> Callable[[StateInline, bool], bool]:
    def citation_rule(state: StateInline, silent: bool) -> bool:
        start = state.pos
        # Silent mode is markdown-it measuring a link's label: ``[see [@b]](url)`` must count
        # the brackets of ``[@b]`` one by one, or the link is lost (its label looks nested).
        if silent or state.src[start] != "[":
            return False
        end = _matching_bracket(state.src, start)
        if end is None or "@" not in state.src[start:end]:
            return False
        if _is_link_text(state, end):
            return False
        items = parse_citation_group(
            state.src[start + 1 : end],
            language=state.env.get("language", "en-US"),
            inline=lambda source: _render_inline(state, source),
        )
        if items is None:
            return False
        if not silent:
            token = state.push(token_type, "", 0)
            token.content = state.src[start : end + 1]
            token.meta = {"items": items, "pos": start, "narrative": False}
        state.pos = end + 1
        return True

    return citation_rule


def _make_narrative_rule(token_type: str) -> Callable[[StateInline, bool], bool]:
    """``@key`` in a sentence, optionally followed by `` [p. 33]`` (Pandoc's author-in-text)."""

    def narrative_rule(state: StateInline, silent: bool) -> bool:
        start = state.pos
        src = state.src
        if src[start] != "@" or state.linkLevel > 0:
            return False
        # ``name@example.org`` is an address, not a citation.
        if start > 0 and (src[start - 1].isalnum() or src[start - 1] in "_@"):
            return False
        match = _NARRATIVE.match(src, start)
        if match is None:
            return False
        key = match["braced"] or match["key"]
        pos = match.end()
        label = locator = suffix = ""
        bracket = re.match(r"[ \t]\[", src[pos:])
        if bracket:
            end = _matching_bracket(src, pos + 1)
            inner = src[pos + 2 : end] if end is not None else ""
            if end is not None and "@" not in inner and not _is_link_text(state, end):
                label, locator, suffix = parse_locator(
                    inner, locator_terms(state.env.get("language", "en-US"))
                )
                suffix = suffix.rstrip()
                pos = end + 1
        if not silent:
            item = CitationItem(
                key=key,
                locator=locator,
                label=label,
                suffix=suffix,
                mode=CitationMode.AUTHOR_IN_TEXT,
                suffix_html=_render_inline(state, suffix) if suffix.strip() else "",
            )
            token = state.push(token_type, "", 0)
            token.content = src[start:pos]
            token.meta = {"items": (item,), "pos": start, "narrative": True}
        state.pos = pos
        return True

    return narrative_rule


def _render_inline(state: StateInline, source: str) -> str:
    """A prefix or suffix's Markdown as inline HTML (emphasis, code, links…)."""
    return str(state.md.renderInline(source)).strip()


def _is_link_text(state: StateInline, end: int) -> bool:
    """``[@key](url)`` and ``[@key][ref]`` (a defined reference) are links, not citations.

    ``[@a][@b]`` is two adjacent citations, so a following ``[...]`` only makes a link when it
    names a reference defined in the document.
    """
    following = state.src[end + 1 : end + 2]
    if following == "(":
        return True
    if following != "[":
        return False
    label_end = _matching_bracket(state.src, end + 1)
    if label_end is None:
        return False
    label = state.src[end + 2 : label_end] or state.src[state.pos + 1 : end]
    references = state.env.get("references", {})
    return normalizeReference(label) in references


def _matching_bracket(src: str, start: int) -> int | None:
    depth = 0
    i = start
    while i < len(src):
        char = src[i]
        if char == "\\":
            i += 2
            continue
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return None


def _make_core_rule(token_type: str) -> Callable[[StateCore], None]:
    def citation_locations(state: StateCore) -> None:
        env = cast(MarkdownEnv, state.env)
        path = env.get("path", Path("<string>"))
        offset = env.get("line_offset", 0)
        citations = env.setdefault("citations", [])
        links = env.setdefault("links", [])
        for block in state.tokens:
            if block.type != "inline" or not block.children:
                continue
            first_line = (block.map[0] if block.map else 0) + offset + 1
            for child in block.children:
                if child.type == token_type:
                    line = first_line + block.content.count("\n", 0, child.meta["pos"])
                    child.meta["index"] = len(citations)
                    citations.append(
                        CitationGroup(
                            child.meta["items"], Location(path, line), child.meta["narrative"]
                        )
                    )
                elif child.type == "link_open":
                    href = str(child.attrGet("href") or "")
                    # markdown-it gives no position for links; the paragraph's line is close.
                    links.append(BodyLink(href, Location(path, first_line)))

    return citation_locations


def _render_citation(
    self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: Any
) -> str:
    render_marker = env.get("render_marker")
    if render_marker is None:
        # Rendering without resolution (e.g. a quick preview): show the source text.
        from html import escape

        return escape(tokens[idx].content)
    return str(render_marker(tokens[idx].meta["index"]))
