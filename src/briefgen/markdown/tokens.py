"""What several plugins read from markdown-it's inline tokens."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from functools import lru_cache

from markdown_it.token import Token


def plain_text(children: Sequence[Token]) -> str:
    """Inline tokens as plain text, for ``alt``, ids, ``<title>`` and the contents: formatting,
    links, citations and notes left out, white space collapsed."""
    parts = []
    for child in children:
        if child.type in ("text", "text_special", "code_inline", "math_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(plain_text(child.children or ()))
    return " ".join("".join(parts).split())


def lines_before(text: str, pos: int) -> int:
    """Line breaks in ``text[:pos]``: the line, within a paragraph, of an inline token.

    Counting from the paragraph's start at every citation made a paragraph of 20,000
    citations quadratic; the line breaks of the paragraph are found once.
    """
    return bisect_left(_line_breaks(text), pos)


@lru_cache(maxsize=8)
def _line_breaks(text: str) -> tuple[int, ...]:
    return tuple(match.start() for match in re.finditer("\n", text))
