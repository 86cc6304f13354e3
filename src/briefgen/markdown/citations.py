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
from briefgen.markdown.brackets import braced_key_end, bracket_index
from briefgen.markdown.env import MarkdownEnv, clip, report
from briefgen.markdown.footnotes import footnote_key
from briefgen.markdown.locators import locator_terms, parse_locator
from briefgen.markdown.tokens import lines_before
from briefgen.model import (
    CITATION_KEY,
    BodyLink,
    CitationGroup,
    CitationItem,
    CitationMode,
    Footnote,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from markdown_it.utils import OptionsDict

_KEY = re.compile(CITATION_KEY)
# Markup that splits a group into items (``;``) or protects a ``;`` (braces, brackets, keys).
_SPLITTERS = re.compile(r"[;{}\[\]]|@\{")
_DEFINITION = re.compile(r"^[ \t>]*\[\^([^\]\s]+)\]:", re.MULTILINE)
_LABEL_MAX = 999
"""CommonMark's longest link label: a longer ``[...]`` after a group never names a reference."""
MAX_NESTED_BRACKETS = 4
"""How deep brackets may nest inside a citation group (``[see [the [x] report](u) @a]`` is
2). Deeper groups are text: each position is then read by at most five enclosing groups, so
parsing stays linear however deeply an input nests ``[`` (Pandoc nests without a bound)."""


def citations_plugin(md: MarkdownIt, *, token_type: str = "citation") -> None:
    """Register the Pandoc citation rules on ``md`` (tokens of type ``token_type``)."""
    md.inline.ruler.before("link", "citation", _make_inline_rule(token_type))
    md.inline.ruler.before("link", "narrative_citation", _make_narrative_rule(token_type))
    # Last of the core rules: after footnotes are gathered and captions parsed.
    md.core.ruler.push("citation_locations", _make_core_rule(token_type))
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
        item = _parse_item(part.strip())
        if item is None:
            return None
        prefix, suppress, key, rest = item
        if "@" in rest and _parse_item(rest.strip(" ,")) is not None:
            return None
        label, locator, suffix = parse_locator(rest, terms)
        prefix = prefix.strip()
        items.append(
            CitationItem(
                key=key,
                locator=locator,
                label=label,
                prefix=prefix,
                suffix=suffix.rstrip(),
                mode=CitationMode.SUPPRESS_AUTHOR if suppress else CitationMode.NORMAL,
                prefix_html=render(prefix) if prefix else "",
                suffix_html=render(suffix.rstrip()) if suffix.strip() else "",
            )
        )
    return tuple(items) if items else None


def _parse_item(part: str) -> tuple[str, bool, str, str] | None:
    """``see -@key, p. 3`` → (prefix, author suppressed, key, what follows the key).

    The key is the part's first ``@``: a prefix holds none, and ends in white space or ``(``.
    """
    at = part.find("@")
    if at < 0:
        return None
    prefix = part[:at]
    suppress = prefix.endswith("-")
    if suppress:
        prefix = prefix[:-1]
    if prefix and not (prefix[-1].isspace() or prefix[-1] == "("):
        return None
    found = cite_key(part, at + 1)
    if found is None:
        return None
    key, end = found
    return prefix, suppress, key, part[end:]


def cite_key(text: str, start: int, braces: dict[int, int] | None = None) -> tuple[str, int] | None:
    """The citation key at ``text[start]`` (just after its ``@``) and where it ends.

    Pandoc's grammar: a word character then word characters and inner punctuation, or any
    characters but white space in balanced braces (``@{10.1/a;b}``). ``braces`` is the
    paragraph's :class:`BracketIndex` pairs, when the caller has them (no scan needed).
    """
    if text.startswith("{", start):
        end = braces.get(start) if braces is not None else braced_key_end(text, start)
        return None if end is None else (text[start + 1 : end], end + 1)
    match = _KEY.match(text, start)
    return None if match is None else (match.group(), match.end())


def _split_items(text: str) -> list[str]:
    """Split at ``;`` outside braces and brackets: a braced locator, or a link in a suffix
    (``[@a, see [x; y](url)]``), may hold semicolons."""
    parts, depth, start, skip = [], 0, 0, 0
    for match in _SPLITTERS.finditer(text):
        char = match.group()
        if match.start() < skip:  # inside a braced key
            continue
        if char == "@{":
            skip = (braced_key_end(text, match.start() + 1) or match.start()) + 1
        elif char in "{[":
            depth += 1
        elif char in "}]":
            depth = max(0, depth - 1)
        elif depth == 0:
            parts.append(text[start : match.start()])
            start = match.end()
    parts.append(text[start:])
    return parts


def _make_inline_rule(token_type: str) -> Callable[[StateInline, bool], bool]:
    def citation_rule(state: StateInline, silent: bool) -> bool:
        start = state.pos
        # Silent mode is markdown-it measuring a link's label: ``[see [@b]](url)`` must count
        # the brackets of ``[@b]`` one by one, or the link is lost (its label looks nested).
        if silent or state.src[start] != "[":
            return False
        index = bracket_index(state)
        end = index.closing.get(start)
        if (
            end is None
            or end >= state.posMax
            or index.height[start] > MAX_NESTED_BRACKETS
            or not index.has_at(start, end)
        ):
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
        index = bracket_index(state) if src.startswith("@{", start) else None
        found = cite_key(src, start + 1, index.braces if index is not None else None)
        if found is None:
            return False
        key, pos = found
        label = locator = suffix = ""
        if src.startswith((" [", "\t["), pos):
            index = index or bracket_index(state)
            end = index.closing.get(pos + 1)
            if (
                end is not None
                and end < state.posMax
                and not index.has_at(pos + 2, end)
                and not _is_link_text(state, end)
            ):
                label, locator, suffix = parse_locator(
                    src[pos + 2 : end], locator_terms(state.env.get("language", "en-US"))
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
    """A prefix or suffix's Markdown as inline HTML (emphasis, code, links…).

    Its own env: what it holds is part of this citation, not of the document's lists.
    """
    env = {"language": state.env.get("language", "en-US"), "path": state.env.get("path")}
    return str(state.md.renderInline(source, env)).strip()


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
    label_end = bracket_index(state).closing.get(end + 1)
    if label_end is None or label_end - end > _LABEL_MAX + 2:
        return False
    label = state.src[end + 2 : label_end] or state.src[state.pos + 1 : end]
    references = state.env.get("references", {})
    return len(label) <= _LABEL_MAX and normalizeReference(label) in references


def _make_core_rule(token_type: str) -> Callable[[StateCore], None]:
    def citation_locations(state: StateCore) -> None:
        env = cast(MarkdownEnv, state.env)
        path = env.get("path", Path("<string>"))
        offset = env.get("line_offset", 0)
        citations = env.setdefault("citations", [])
        links = env.setdefault("links", [])
        marks = env.setdefault("marks", [])
        bodies: dict[int, list[Token]] = state.env.get("footnote_bodies", {})

        def walk_blocks(tokens: list[Token], footnote: str, fallback_line: int) -> None:
            for block in tokens:
                if block.type == "inline" and block.children:
                    # An inline footnote's paragraph has no lines of its own: its reference's.
                    first_line = block.map[0] + offset + 1 if block.map else fallback_line
                    _citations_after_links(block.children, token_type)
                    walk_inline(block, block.children, first_line, footnote)

        def walk_inline(block: Token, children: list[Token], first_line: int,
                        footnote: str) -> None:  # fmt: skip
            for child in children:
                if child.type == token_type:
                    line = first_line + lines_before(block.content, child.meta["pos"])
                    child.meta["index"] = len(citations)
                    group = CitationGroup(child.meta["items"], Location(path, line),
                                          child.meta["narrative"], footnote)  # fmt: skip
                    citations.append(group)
                    marks.append(group)
                elif child.type == "link_open":
                    href = str(child.attrGet("href") or "")
                    # markdown-it gives no position for links; the paragraph's line is close.
                    links.append(BodyLink(href, Location(path, first_line)))
                elif child.type == "footnote_ref" and child.meta["id"] not in walked:
                    # A footnote's citations come where it is first met in reading order.
                    walked.add(child.meta["id"])
                    key = footnote_key(env, child.meta["id"])
                    line = first_line + _lines_before(block, child)
                    marks.append(Footnote(key, child.meta.get("label") or "",
                                          Location(path, line)))  # fmt: skip
                    walk_blocks(bodies.get(child.meta["id"], []), key, line)
                if child.children:  # an image's caption
                    walk_inline(block, child.children, first_line, footnote)

        walked: set[int] = set()
        walk_blocks(state.tokens, "", offset + 1)
        unreached = sorted(set(bodies) - walked)
        lines = _definition_lines(state, unreached)
        for number in unreached:
            label = state.env.get("footnotes", {}).get("list", {}).get(number, {}).get("label")
            shown = f"[^{clip(label)}]" if label else "an inline footnote"
            message = (f"footnote {shown} is referenced only from inside footnotes that the "
                       "text never references; reference it from the text")  # fmt: skip
            report(state.env, lines.get(number), message)

    return citation_locations


def _definition_lines(state: StateCore, numbers: list[int]) -> dict[int, int]:
    """The 0-based line where each footnote is written: a definition's own line, or where an
    inline footnote's ``^[…]`` is in the source (its tokens have no lines)."""
    bodies: dict[int, list[Token]] = state.env.get("footnote_bodies", {})
    notes = state.env.get("footnotes", {}).get("list", {})
    lines: dict[int, int] = {}
    searched = 0  # ids follow the source order: search on from the last one found
    definitions: dict[str, int] | None = None  # each label's first definition, found once
    for number in numbers:
        mapped = [token.map[0] for token in bodies.get(number, ()) if token.map]
        label = notes.get(number, {}).get("label")
        if not mapped and label is not None:  # an empty body has no lines: its definition's
            if definitions is None:
                definitions = {}
                for match in _DEFINITION.finditer(state.src):
                    definitions.setdefault(match[1], match.start())
            if label in definitions:
                mapped = [lines_before(state.src, definitions[label])]
        if mapped:
            lines[number] = mapped[0]
            continue
        found = state.src.find(f"^[{notes.get(number, {}).get('content', '')}", searched)
        if found < 0:  # its content is not its source (a line break in a list item…)
            found = state.src.find("^[", searched)
        if found >= 0:
            lines[number] = lines_before(state.src, found)
            searched = found + 1
    return lines


def _lines_before(block: Token, child: Token) -> int:
    """Line breaks in the paragraph before ``child`` (counted over the tokens before it)."""
    lines = 0
    for token in block.children or ():
        if token is child:
            break
        lines += token.type in ("softbreak", "hardbreak")
    return lines


def _citations_after_links(children: list[Token], token_type: str) -> None:
    """``[the WHO fact sheet [@who]](url)``: the link stays whole and its marker follows it."""
    moved: list[Token] = []
    depth = 0
    result: list[Token] = []
    for i, child in enumerate(children):
        if child.type == token_type and depth > 0:
            moved.append(child)
            before = result[-1] if result and result[-1].type == "text" else None
            after = children[i + 1] if i + 1 < len(children) else None
            if before is not None and after is not None:
                # "link with [@b] inside" reads "link with inside"; "sheet [@c]]" "sheet".
                if after.type == "link_close":
                    before.content = before.content.rstrip()
                elif after.type == "text" and before.content.endswith(" "):
                    after.content = after.content.lstrip(" ")
            continue
        result.append(child)
        if child.type == "link_open":
            depth += 1
        elif child.type == "link_close":
            depth -= 1
            if depth == 0:
                result.extend(moved)
                moved = []
    children[:] = result + moved


def _render_citation(
    self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: Any
) -> str:
    render_marker = env.get("render_marker")
    if render_marker is None:
        # Rendering without resolution (e.g. a quick preview): show the source text.
        from html import escape

        return escape(tokens[idx].content)
    return str(render_marker(tokens[idx].meta["index"]))
