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
    md.core.ruler.after("block", "div_attributes", _attributes)


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
