"""A bound on how deep lists, block quotes, fenced divs and definitions nest.

markdown-it stops at ``maxNesting`` levels (20 in its CommonMark preset) and silently drops
whatever is deeper: a list nested ten deep lost its text. Pandoc renders any depth. The block
parser here gets a bound far above anything a brief needs, and past it an error is reported at
the line and the text kept as a plain paragraph, so nothing is ever lost silently. A bound is
still needed: each level is a nested call in markdown-it's block parser, and thousands of ``>``
would end in a RecursionError.

Only the block parser gets the deeper bound. The inline parser keeps 20: it measures link
labels by recursing up to ``maxNesting`` levels at every ``[``, so a deeper bound there makes a
paragraph of brackets five times slower and changes nothing an author can see.
"""

from __future__ import annotations

from typing import Any, cast

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import OptionsDict

from briefgen.markdown.env import report

MAX_BLOCK_NESTING = 60
"""The block parser's ``maxNesting``: levels of open blocks (a list and its item are two).

Far above what a brief nests, and not higher: an unclosed fenced div makes markdown-it scan the
rest of the document once per level (240 KB of ``::: a`` lines: 2.4 s at 20 levels, 3.7 s at
60, 12.6 s at 100)."""


def nesting_plugin(md: MarkdownIt) -> None:
    """Parse blocks nested up to :data:`MAX_BLOCK_NESTING` levels, and report (never drop)
    what lies deeper. Use it last: its rule must run before every other block rule."""
    first = md.block.ruler.__rules__[0].name
    md.block.ruler.before(first, "nesting_limit", _nesting_limit)
    md.core.ruler.at("block", _deep_block)


class _DeepView:
    """The parser as the block rules see it: the same in all but a deeper ``maxNesting``."""

    def __init__(self, md: MarkdownIt) -> None:
        self._md = md
        self.options = OptionsDict({**md.options, "maxNesting": MAX_BLOCK_NESTING})  # type: ignore[typeddict-item]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._md, name)

    def __getitem__(self, name: str) -> Any:  # ``md["block"]``, as StateBlock reads it
        return self._md[name]


def _deep_block(state: StateCore) -> None:
    """markdown-it's core ``block`` rule, run with :class:`_DeepView` as the parser."""
    if state.inlineMode:
        token = Token("inline", "", 0)
        token.content = state.src
        token.map = [0, 1]
        token.children = []
        state.tokens.append(token)
    else:
        view = cast(MarkdownIt, _DeepView(state.md))
        state.md.block.parse(state.src, view, state.env, state.tokens)


def _nesting_limit(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    # A list opens two levels before its content: at this depth its content would be dropped.
    if state.level < state.md.options["maxNesting"] - 2:
        return False
    if silent:
        return True
    message = (
        "lists, block quotes or fenced divs are nested too deep here "
        f"(over {MAX_BLOCK_NESTING - 2} levels, a list and its item counting two); flatten them"
    )
    report(state.env, start, message)
    token = state.push("paragraph_open", "p", 1)
    token.map = [start, end]
    token = state.push("inline", "", 0)
    token.content = state.getLines(start, end, state.blkIndent, False).strip()
    token.map = [start, end]
    token.children = []
    state.push("paragraph_close", "p", -1)
    state.line = end
    return True
