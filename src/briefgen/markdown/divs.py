"""Pandoc's fenced divs: ``::: {.callout-note}`` … ``:::`` (Quarto's callouts are these).

mdit-py-plugins' container rule finds the fences; an opening fence carries Pandoc's attributes,
``{#id .class key=value}``, or a single class name (``::: warning``), which become the
``<div>``'s, made safe as a span's are (``inline.span_attributes``). A fence closes at the
first ``:::`` line at least as long as its own (markdown-it-container's rule): a div nested in
another needs the outer fence longer (``::::``), where Pandoc also pairs equal fences.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import OptionsDict
from mdit_py_plugins.attrs.parse import ParseError
from mdit_py_plugins.attrs.parse import parse as parse_attributes
from mdit_py_plugins.container import container_plugin

from briefgen.markdown.env import report
from briefgen.markdown.inline import span_attributes

_OPENING = re.compile(r"^\s*(?:(?P<word>[\w-]+)|(?P<braces>\{[^{}]*\}))\s*:*\s*$")


def divs_plugin(md: MarkdownIt) -> None:
    """Register fenced divs (tokens ``container_div_open`` / ``container_div_close``)."""
    container_plugin(md, "div", validate=_is_opening, render=_render)
    rule = next(r.fn for r in md.block.ruler.__rules__ if r.name == "container_div")
    md.block.ruler.at("container_div", _closed_only(rule),
                      {"alt": ["paragraph", "reference", "blockquote", "list"]})  # fmt: skip
    md.core.ruler.after("normalize", "final_line_break", _final_line_break)
    md.core.ruler.after("block", "div_attributes", _attributes)


def _final_line_break(state: StateCore) -> None:
    """End the text with a line break: the container rule reads past the end of a last line
    in a quote or list that has none (``"> ::: a\\n> "`` was an IndexError)."""
    if not state.inlineMode and not state.src.endswith("\n"):
        state.src += "\n"


UNCLOSED_DEPTH = 8
"""How deep a fence that nothing closes may still open a div."""


def _closed_only(rule: Any) -> Any:
    """A fence that no closing fence follows opens a div that ends with the document, as in
    Pandoc, but only up to :data:`UNCLOSED_DEPTH` levels deep; deeper, it is text. The
    container rule looks for the closing fence line by line to the end of the document, once
    per level: a megabyte of ``::: a`` lines took 14 s. Whether one follows is known at once
    from each line's longest closing fence from there on, found once per document."""

    def closed_only(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        first = state.bMarks[start] + state.tShift[start]
        if state.level >= UNCLOSED_DEPTH and state.src.startswith(":::", first):
            line = state.src[first : state.eMarks[start]]
            if _longest_closer_after(state, start) < len(line) - len(line.lstrip(":")):
                return False
        return bool(rule(state, start, end, silent))

    return closed_only


_CLOSER = re.compile(r"[ \t]*(:{3,})[ \t]*$")


def _longest_closer_after(state: StateBlock, line: int) -> int:
    """The longest bare ``:::`` fence on any line after ``line`` (0 when there is none)."""
    env = state.env
    key = (id(state.src), len(state.src))
    table = env.get("div_closers")
    if table is None or table[0] != key:
        lines = len(state.bMarks) - 1  # the whole document's, not a container's lineMax
        lengths = [0] * (lines + 1)
        for number in range(lines - 1, -1, -1):
            text = state.src[state.bMarks[number]:state.eMarks[number]]
            found = _CLOSER.match(text) if ":" in text else None
            lengths[number] = max(lengths[number + 1], len(found.group(1)) if found else 0)
        table = (key, lengths)
        env["div_closers"] = table
    return table[1][line + 1] if line + 1 < len(table[1]) else 0


def _is_opening(params: str, markup: str) -> bool:
    """An opening fence has a class name or attributes; a bare ``:::`` only closes."""
    return _OPENING.match(params) is not None


def _attributes(state: StateCore) -> None:
    """Each div's attributes, read and made safe while parsing (so problems fail the build)."""
    for token in state.tokens:
        if token.type != "container_div_open":
            continue
        line = token.map[0] if token.map else None
        match = _OPENING.match(token.info)
        raw: dict[str, Any] = {}
        if match and match["word"]:
            raw = {"class": match["word"]}
        elif match and match["braces"]:
            try:
                _, raw = parse_attributes(match["braces"])
            except ParseError:
                report(state.env, line, f"the attributes {match['braces']!r} of a fenced div do "
                       "not parse; expected Pandoc's {#id .class key=value}")  # fmt: skip
        kept, refused = span_attributes(raw, state.md.validateLink)
        for key, why in refused.items():
            report(state.env, line, f"fenced div attribute {key!r} was left out: {why}")
        if any(c.startswith("callout-") for c in kept.get("class", "").split()):
            kept.setdefault("role", "note")  # Quarto's callouts: an aside, for screen readers
        token.attrs = dict(kept)


def _render(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: Any) -> str:
    return str(self.renderToken(tokens, idx, options, env))
