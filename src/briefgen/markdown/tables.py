"""Pandoc's table captions for markdown-it-py's pipe tables, in a scrollable region.

A paragraph starting ``Table:`` or ``:`` directly before a table (or, failing that, directly
after it) becomes the table's ``<caption>``; a trailing ``{#tbl-id}`` gives the table its id
(Quarto's form). Each table is wrapped in a keyboard-scrollable region named by its caption::

    table_scroll_open  table_open  table_caption_open inline table_caption_close  thead_open
    …  table_close  table_scroll_close
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.attrs.parse import ParseError, parse

from briefgen.markdown.figures import crossref_title, warn

if TYPE_CHECKING:
    from markdown_it.utils import OptionsDict

TABLE_ATTRIBUTES = ("id", "class")
"""What ``{...}`` at the end of a caption may set on the table."""

_CAPTION = re.compile(r"(?:[Tt]able:|:(?!:))[ \t]*")
_TRAILING_ATTRIBUTES = re.compile(r"[ \t]*(\{[^{}]*\})\s*$")
_ALIGN = re.compile(r"text-align:(left|right|center)")


def tables_plugin(md: MarkdownIt) -> None:
    """Register table captions, ids, Pandoc's alignment styles and the scroll region on ``md``."""
    # Before "inline", so the caption's Markdown is parsed without its ``Table:`` marker and
    # its attributes, and its citations are found like any other paragraph's.
    md.core.ruler.after("block", "table_captions", _table_captions)
    md.add_render_rule("table_caption_open", _render_caption_open)


def _table_captions(state: StateCore) -> None:
    tokens = state.tokens
    count = 0
    i = 0
    while i < len(tokens):
        if tokens[i].type != "table_open":
            i += 1
            continue
        count += 1
        table_open = tokens[i]
        close = _closing(tokens, i)
        close, trailing = _split_trailing_caption(tokens, i, close, state.src)
        # Pandoc takes a caption before the table first; one after only when there is none.
        if i >= 3 and _is_caption(tokens, i - 3, table_open.level):
            caption = tokens[i - 2]
            del tokens[i - 3 : i]
            i -= 3
            close -= 3
        elif trailing is not None:
            caption = trailing
        elif _is_caption(tokens, close + 1, table_open.level):
            caption = tokens[close + 2]
            del tokens[close + 1 : close + 4]
        else:
            caption = None
        for token in tokens[i : close + 1]:
            token.level += 1
            _pandoc_alignment(token)
        # Focusable so that keyboard users can scroll a table wider than the screen; a region
        # named by the caption, so that screen readers say what they are scrolling.
        scroll_open = Token("table_scroll_open", "div", 1, map=table_open.map)
        scroll_open.attrs = {"class": "table-scroll"}
        if caption is not None:
            _take_caption(caption, table_open, state.env)
            caption_id = _caption_id(state.env, table_open, count)
            scroll_open.attrs.update(
                {"role": "region", "tabindex": "0", "aria-labelledby": caption_id}
            )
            tokens[i + 1 : i + 1] = _caption_tokens(caption, caption_id, table_open)
            close += 3
        else:
            scroll_open.attrs["tabindex"] = "0"
        scroll_close = Token("table_scroll_close", "div", -1)
        for token in (scroll_open, scroll_close):
            token.block = True
            token.level = table_open.level - 1
        tokens.insert(close + 1, scroll_close)
        tokens.insert(i, scroll_open)
        i = close + 3


def _caption_id(env: Any, table_open: Token, count: int) -> str:
    """The table's id + ``-caption``, else ``table-N-caption`` not yet used on the page."""
    used: set[str] = env.get("used_ids", set())
    if "id" in table_open.attrs:
        caption_id = f"{table_open.attrs['id']}-caption"
    else:
        caption_id = f"table-{count}-caption"
        while caption_id in used:
            count += 1
            caption_id = f"table-{count}-caption"
    used.add(caption_id)
    return caption_id


def _closing(tokens: Sequence[Token], start: int) -> int:
    level = tokens[start].level
    for j in range(start + 1, len(tokens)):
        if tokens[j].type == "table_close" and tokens[j].level == level:
            return j
    return len(tokens) - 1


def _split_trailing_caption(
    tokens: list[Token], start: int, close: int, src: str
) -> tuple[int, Token | None]:
    """``Table: caption`` directly under a table, without a blank line.

    markdown-it reads a line without pipes after a table as one more row (GFM); Pandoc reads a
    caption. Rows from a caption marker on are taken back out of the table as caption lines.
    Returns the table's new closing index and the caption's inline token, if any.
    """
    table_map = tokens[start].map
    if table_map is None:
        return close, None
    lines = src.split("\n")
    # Body rows (a header row follows thead_open) with their source lines.
    rows = [
        (j, token.map[0])
        for j, token in enumerate(tokens[start:close], start)
        if token.type == "tr_open" and token.map and tokens[j - 1].type != "thead_open"
    ]
    first: tuple[int, int] | None = None
    for row in reversed(rows):
        line = lines[row[1]].strip()
        if "|" in line:
            break
        if _CAPTION.match(line):
            first = row
    if first is None:
        return close, None
    index, begin = first
    caption = Token("inline", "", 0, map=[begin, table_map[1]], children=[])
    caption.content = "\n".join(line.strip() for line in lines[begin : table_map[1]])
    if first == rows[0]:
        # No body row is left: the body goes too, as markdown-it writes none for such a table.
        body_open = max(j for j in range(start, index) if tokens[j].type == "tbody_open")
        del tokens[body_open:close]
        close = body_open
    else:
        del tokens[index : close - 1]  # up to, not including, tbody_close
        close = index + 1
    tokens[start].map = [table_map[0], begin]
    return close, caption


def _is_caption(tokens: Sequence[Token], start: int, level: int) -> bool:
    """A paragraph at ``start``, beside a table at ``level``, that starts ``Table:`` or ``:``."""
    return (
        start + 2 < len(tokens)
        and tokens[start].type == "paragraph_open"
        and tokens[start].level == level
        and tokens[start + 1].type == "inline"
        and tokens[start + 2].type == "paragraph_close"
        and _CAPTION.match(tokens[start + 1].content) is not None
    )


def _take_caption(caption: Token, table_open: Token, env: Any) -> None:
    """Strip the caption's marker and trailing attributes; the attributes go to the table."""
    text = caption.content
    marker = _CAPTION.match(text)
    assert marker is not None  # _is_caption checked it
    text = text[marker.end() :]
    if text.startswith("\n") and caption.map:
        # ``Table:`` alone on its line: the caption starts a line later (citation locations).
        caption.map = [caption.map[0] + 1, caption.map[1]]
        text = text[1:]
    line = caption.map[0] if caption.map else None
    trailing = _TRAILING_ATTRIBUTES.search(text)
    if trailing is not None:
        try:
            end, attributes = parse(trailing[1])
        except ParseError:
            attributes, end = {}, -1
        if end == len(trailing[1]) - 1:
            text = text[: trailing.start()]
            for key, value in attributes.items():
                if key in TABLE_ATTRIBUTES:
                    table_open.attrs[key] = value
                else:
                    warn(
                        env,
                        line,
                        f"table attribute '{key}' is not supported and was dropped; "
                        "expected id or class",
                    )
    caption.content = text.rstrip()


def _caption_tokens(caption: Token, caption_id: str, table_open: Token) -> list[Token]:
    caption_open = Token("table_caption_open", "caption", 1, level=table_open.level + 1)
    caption_open.attrs = {"id": caption_id}
    caption_open.meta = {"id": table_open.attrs.get("id")}
    caption_close = Token("table_caption_close", "caption", -1, level=table_open.level + 1)
    for token in (caption_open, caption_close):
        token.block = True
    caption.level = table_open.level + 2
    return [caption_open, caption, caption_close]


def _pandoc_alignment(token: Token) -> None:
    """``style="text-align:right"`` becomes Pandoc's ``style="text-align: right;"``."""
    if token.type in ("th_open", "td_open") and "style" in token.attrs:
        token.attrs["style"] = _ALIGN.sub(r"text-align: \1;", str(token.attrs["style"]))


def _render_caption_open(
    self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: Any
) -> str:
    title = crossref_title(env, tokens[idx].meta.get("id"))
    return f"{self.renderToken(tokens, idx, options, env)}{title}"
