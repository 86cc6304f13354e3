"""What several plugins read from markdown-it's inline tokens."""

from __future__ import annotations

from collections.abc import Sequence

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
