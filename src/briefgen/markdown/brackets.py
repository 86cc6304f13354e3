"""Where each ``[`` of a paragraph closes, and where each ``@{…}`` key ends: one pass, kept.

The citation rules ask at every ``[`` where its group ends and whether an ``@`` lies inside,
and at every ``@{`` where the braced key ends. Scanning forward from each of them made a
paragraph of unclosed brackets quadratic (100 KB of ``[@k1 `` took minutes); one pass with a
stack answers every question in constant time, and the answer is kept for the paragraph's
inline state (markdown-it makes one per paragraph and reuses it for nested spans and links).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

if TYPE_CHECKING:
    from collections.abc import Callable

    from markdown_it import MarkdownIt
    from markdown_it.rules_inline import StateInline

# What the bracket pass stops at: a backslash escape, a bracket, an ``@`` (of a braced key).
_SPECIAL = re.compile(r"[\\\[\]@]")
# What the brace pass stops at: a braced key holds no white space (Pandoc's
# ``charsInBalanced`` of non-space characters).
_BRACES = re.compile(r"[{}\s]")


@dataclass(frozen=True, slots=True)
class BracketIndex:
    """Bracket pairs, braced keys and ``@`` signs of one inline source."""

    source: str
    """The text indexed (the paragraph's inline source)."""
    closing: dict[int, int]
    """The position of each ``[`` that is closed → the position of its ``]``."""
    height: dict[int, int]
    """The position of each closed ``[`` → how deep brackets nest inside its pair (0: none)."""
    braces: dict[int, int]
    """The position of each ``{`` closed before any white space → its ``}``."""
    at_signs: list[int]
    """The positions of every ``@``, in order."""
    last: dict[str, int]
    """Where each text looked for by :meth:`last_of` last occurs (-1: nowhere)."""

    def last_of(self, text: str) -> int:
        """Where ``text`` last occurs in the source (-1: nowhere), found once."""
        if text not in self.last:
            self.last[text] = self.source.rfind(text)
        return self.last[text]

    def has_at(self, start: int, end: int) -> bool:
        """Whether an ``@`` lies in ``source[start:end]``."""
        i = bisect_left(self.at_signs, start)
        return i < len(self.at_signs) and self.at_signs[i] < end


_INDEXES: WeakKeyDictionary[StateInline, BracketIndex] = WeakKeyDictionary()


def bracket_index(state: StateInline) -> BracketIndex:
    """The index of ``state.src``, built on first use and kept while the state lives."""
    index = _INDEXES.get(state)
    if index is None or index.source is not state.src:
        index = _INDEXES[state] = index_brackets(state.src)
    return index


LABEL_ENDS = {
    "link": ("](", "]["),
    "image": ("](", "]["),
    "span": ("]{",),
    "footnote_inline": ("]",),
}
"""The inline rules that read a bracketed label, and what must follow the label's ``]`` for
each to match (a link with no ``](`` or ``][`` needs a reference definition)."""


def skip_unclosed_labels(md: MarkdownIt) -> None:
    """Wrap the rules of :data:`LABEL_ENDS`: at a ``[`` with nothing they need after it (no
    ``](`` for a link, no ``]{`` for a span) they cannot match, yet each scanned on through the
    paragraph to find that out, at every ``[`` (5,000 ``[k1 `` cost 2.5 times what
    markdown-it alone does, 100 KB of nested ``[`` 3 s; now a fraction of either). Only the
    absence of the text is trusted: a label may hold brackets in code spans, which this index
    does not know about."""
    for name, ends in LABEL_ENDS.items():
        rule = md.inline.ruler.__rules__[md.inline.ruler.__find__(name)].fn
        md.inline.ruler.at(name, _unless_unclosed(rule, ends))


def _unless_unclosed(
    rule: Callable[[StateInline, bool], bool], ends: tuple[str, ...]
) -> Callable[[StateInline, bool], bool]:
    def label_rule(state: StateInline, silent: bool) -> bool:
        index = bracket_index(state)
        # ``[text]`` alone is a link when the document defines the label ``text``.
        needed = ("]",) if "](" in ends and state.env.get("references") else ends
        if all(state.pos >= index.last_of(end) for end in needed):
            return False
        return rule(state, silent)

    return label_rule


def index_brackets(src: str) -> BracketIndex:
    """Pair brackets as the citation rules read them: ``\\`` escapes the next character, and
    a ``]`` inside a braced key (``@{x]y}``) is part of the key, as in Pandoc."""
    braces = _pair_braces(src) if "@{" in src else {}
    closing: dict[int, int] = {}
    height: dict[int, int] = {}
    # Each open bracket with the greatest height of the pairs closed inside it so far.
    stack: list[list[int]] = []
    pos = 0
    for match in _SPECIAL.finditer(src):
        i = match.start()
        if i < pos:  # escaped, or inside a braced key
            continue
        char = src[i]
        if char == "\\":
            pos = i + 2
        elif char == "@" and i + 1 in braces:
            pos = braces[i + 1] + 1
        elif char == "[":
            stack.append([i, -1])
        elif char == "]" and stack:
            start, inner = stack.pop()
            closing[start] = i
            height[start] = inner + 1
            if stack and stack[-1][1] < inner + 1:
                stack[-1][1] = inner + 1
    at_signs = [match.start() for match in re.finditer("@", src)]
    return BracketIndex(src, closing, height, braces, at_signs, {})


def _pair_braces(src: str) -> dict[int, int]:
    """Each ``{`` → its ``}``, for braces balanced before any white space (no escapes: Pandoc
    reads ``@{a\\}`` as the key ``a\\``)."""
    pairs: dict[int, int] = {}
    stack: list[int] = []
    for match in _BRACES.finditer(src):
        char = match.group()
        if char == "{":
            stack.append(match.start())
        elif char == "}":
            if stack:
                pairs[stack.pop()] = match.start()
        else:
            stack.clear()
    return pairs


def braced_key_end(text: str, start: int) -> int | None:
    """The ``}`` closing the ``{`` at ``text[start]``, with no white space between (a
    Pandoc braced key, ``@{10.1000/a{b}c}``); None when there is none."""
    depth = 0
    for match in _BRACES.finditer(text, start):
        char = match.group()
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return match.start()
        else:
            return None
    return None
