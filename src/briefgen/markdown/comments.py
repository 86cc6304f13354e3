"""HTML comments (``<!-- TODO: check the Madrid figures -->``) are the author's, never the reader's.

Raw HTML stays off, so markdown-it would print a comment as text. These two rules, for a
comment standing as a block and one inside a paragraph, drop it instead; any other HTML is
still escaped.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline

_OPEN = "<!--"
_CLOSE = "-->"


def comments_plugin(md: MarkdownIt) -> None:
    """Drop HTML comments, as blocks and inline."""
    md.block.ruler.before("paragraph", "html_comment_block", _comment_block,
                          {"alt": ["paragraph", "reference", "blockquote"]})  # fmt: skip
    md.inline.ruler.before("html_inline", "html_comment", _comment_inline)


def _comment_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    if state.sCount[start_line] - state.blkIndent >= 4:
        return False  # indented code
    begin = state.bMarks[start_line] + state.tShift[start_line]
    if not state.src.startswith(_OPEN, begin):
        return False
    close = state.src.find(_CLOSE, begin + len(_OPEN))
    if close == -1:
        return False
    line = start_line
    after = close + len(_CLOSE)
    while line < end_line and state.eMarks[line] < after:
        line += 1
    if line >= end_line or state.src[after : state.eMarks[line]].strip():
        return False  # text follows the comment on its line: the inline rule takes it
    if silent:
        return True
    state.line = line + 1
    return True


def _comment_inline(state: StateInline, silent: bool) -> bool:
    if not state.src.startswith(_OPEN, state.pos):
        return False
    close = state.src.find(_CLOSE, state.pos + len(_OPEN))
    if close == -1:
        return False
    state.pos = close + len(_CLOSE)
    return True
