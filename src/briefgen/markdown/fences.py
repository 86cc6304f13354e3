"""Pandoc's attributes on fenced code: ```` ```{.python} ```` and ``~~~ {#id .r}``.

markdown-it takes a fence's first word as its language, so ``{.python}`` gave
``class="language-{.python}"``. Pandoc reads the braces as attributes and its first class as
the language; here the first class becomes the language and the other attributes are left out
(an id or ``.numberLines`` has nothing to do on a page without line numbers).
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore

_ATTRIBUTES = re.compile(r"^\{([^{}]*)\}\s*$")
_LINE_NUMBERS = frozenset({"numberLines", "number-lines"})
"""Pandoc's classes for numbered lines: never the language."""


def fences_plugin(md: MarkdownIt) -> None:
    """Read Pandoc's ``{…}`` attributes after a code fence: its first class is the language."""
    md.core.ruler.after("block", "fence_attributes", _fence_attributes)


def _fence_attributes(state: StateCore) -> None:
    for token in state.tokens:
        if token.type != "fence":
            continue
        match = _ATTRIBUTES.match(token.info.strip())
        if match is not None:
            classes = [word[1:] for word in match[1].split() if word.startswith(".")]
            languages = [name for name in classes if name and name not in _LINE_NUMBERS]
            token.info = languages[0] if languages else ""
