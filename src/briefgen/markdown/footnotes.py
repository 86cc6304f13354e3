"""Pandoc footnotes (``[^label]`` with a definition, and inline ``^[…]``) as the author's notes.

mdit-py-plugins parses them. This plugin takes each footnote's body out of the token stream
(it is rendered in the brief's one endnote list, numbered with the citation notes), reports a
footnote referenced but never defined, or defined but never referenced, at its line, and draws
each reference through ``env["render_footnote"]``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from mdit_py_plugins.footnote import footnote_plugin

from briefgen.markdown.env import clip, report
from briefgen.markdown.tokens import lines_before

if TYPE_CHECKING:
    from collections.abc import Sequence

    from markdown_it.token import Token
    from markdown_it.utils import OptionsDict

# A reference the footnote rule left as text: its label was never defined. (A label with a
# "[" is not looked for: from each "[^" of "[^[^[^…" the search ran to the end, quadratic.)
_UNDEFINED = re.compile(r"\[\^([^\]\[\s]+)\]")


def footnotes_plugin(md: MarkdownIt) -> None:
    """Parse footnotes; bodies go to ``env["footnote_bodies"]`` (footnote id → block tokens)."""
    md.use(footnote_plugin, inline=True, move_to_end=True)
    md.core.ruler.before("footnote_tail", "footnote_check", _check_definitions)
    md.core.ruler.after("footnote_tail", "footnote_bodies", _take_bodies)
    md.add_render_rule("footnote_ref", _render_reference)


def footnote_key(env: Any, footnote_id: int) -> str:
    """A footnote's key, unique within the brief: its section file and its number there."""
    return f"{env.get('path', '<string>')}#{footnote_id}"


def _check_definitions(state: StateCore) -> None:
    refs: dict[str, int] = state.env.get("footnotes", {}).get("refs", {})
    defined: dict[str, int | None] = {}
    offset = state.env.get("line_offset", 0)
    for token in state.tokens:
        if token.type == "footnote_reference_open":
            label, line = token.meta["label"], token.map[0] if token.map else None
            if label in defined:
                first = defined[label]
                where = "" if first is None else f" (first on line {first + offset + 1})"
                message = (f"footnote [^{clip(label)}] is defined twice{where}; "
                           "give each its own label")  # fmt: skip
                report(state.env, line, message)
            defined.setdefault(label, line)
        if token.type == "footnote_reference_open" and refs.get(":" + token.meta["label"]) == -1:
            line = token.map[0] if token.map else None
            report(state.env, line, f"footnote [^{clip(token.meta['label'])}] is defined but never "
                   "referenced; cite it in the text as [^label], or remove it")  # fmt: skip
        if token.type != "inline" or not token.children:
            continue
        # Before text_join, an escaped ``\[`` is its own token, so ``\[^1]`` is not reported.
        searched = 0  # the text children come in order: search on from the last one found
        for child in token.children:
            if child.type != "text":
                continue
            for match in _UNDEFINED.finditer(child.content):
                found = max(0, token.content.find(match[0], searched))
                searched = found + 1
                before = lines_before(token.content, found)
                report(state.env, token.map[0] + before if token.map else None,
                       f"footnote [^{clip(match[1])}] is referenced but never defined; add a line "
                       f"'[^{clip(match[1])}]: …' with its text")  # fmt: skip


def _take_bodies(state: StateCore) -> None:
    """Move each footnote's body out of the document into ``env["footnote_bodies"]``."""
    bodies: dict[int, list[Token]] = state.env.setdefault("footnote_bodies", {})
    kept: list[Token] = []
    current: list[Token] | None = None
    for token in state.tokens:
        if token.type == "footnote_open":
            current = bodies.setdefault(token.meta["id"], [])
        elif token.type == "footnote_close":
            current = None
        elif token.type in ("footnote_block_open", "footnote_block_close", "footnote_anchor"):
            continue
        elif current is not None:
            current.append(token)
        else:
            kept.append(token)
    state.tokens[:] = kept


def _render_reference(
    self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: Any
) -> str:
    meta = tokens[idx].meta
    render = env.get("render_footnote")
    if render is None:  # rendered without resolution: the footnote's number in its file
        return f"<sup>[{meta['id'] + 1}]</sup>"
    return str(render(footnote_key(env, meta["id"]), meta.get("subId", 0)))
