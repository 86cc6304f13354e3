"""Headings inside a section: Pandoc's attributes (``{#id .class}``), ranks and stable ids.

A section's own title is the page's ``<h2>`` (the brief's title its ``<h1>``), so a section's
outermost headings become ``<h3>``, whether the author wrote ``#`` or ``##`` for them, and each
heading inside another ranks one below it (``#`` then ``###`` gives h3 then h4: a screen
reader's outline never skips a rank, where Pandoc keeps the levels as written). Each heading
gets an id as Pandoc's ``auto_identifiers`` makes it (``{#id}`` wins), unique on the page.
"""

from __future__ import annotations

import re
import unicodedata
from html import escape
from typing import TYPE_CHECKING, Any

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from briefgen.markdown.env import report
from briefgen.markdown.tokens import plain_text
from briefgen.model import Heading

if TYPE_CHECKING:
    from collections.abc import Sequence

    from markdown_it.utils import OptionsDict

RESERVED_PREFIXES = ("note-", "ref-", "work-", "author-")
"""Ids the page gives its notes, markers, references and authors (``note-1``, ``ref-iv``…)."""

TOP_RANK = 3
"""The rank of a section's highest heading: below the brief's ``h1`` and the section's ``h2``."""

# Pandoc's header attributes at the end of the heading: ``{#id .class key=value}`` or ``{-}``.
_ATTRIBUTES = re.compile(r"\s*\{(?P<body>[^{}]*)\}\s*$")
_ID = re.compile(r"^[A-Za-z][\w\-:.]*$")
# The contents shows the words: no notes, no links (each entry is a link), no second id.
_NOT_IN_CONTENTS = frozenset({"citation", "footnote_ref", "crossref", "link_open", "link_close"})


def headings_plugin(md: MarkdownIt) -> None:
    """Read heading attributes, set ranks and ids; headings go to ``env["headings"]``."""
    md.core.ruler.after("inline", "heading_attributes", _headings)
    # Last before text_join: after typography (when it is used before this plugin).
    md.core.ruler.before("text_join", "heading_contents", _contents)
    md.add_render_rule("heading_open", _render_open)


def _render_open(
    self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: Any
) -> str:
    """A heading a cross-reference names shows its number ("2.1 Method"), as Quarto's do."""
    html = str(self.renderToken(tokens, idx, options, env))
    identifier = str(tokens[idx].attrGet("id") or "")
    number = (
        env.get("crossref_numbers", {}).get(identifier) if identifier.startswith("sec-") else None
    )
    return html + f'<span class="section-number">{escape(number)}</span> ' if number else html


def _headings(state: StateCore) -> None:
    used: set[str] = state.env.setdefault("used_ids", set())
    tokens = state.tokens
    top = state.env.get("top_rank", TOP_RANK)
    # (level written, rank given) of the headings the current one sits under.
    enclosing: list[tuple[int, int]] = []
    rank = top
    for i, token in enumerate(tokens):
        if token.type == "heading_close":
            token.tag = f"h{rank}"
            continue
        if token.type != "heading_open":
            continue
        level = int(token.tag[1])
        while enclosing and enclosing[-1][0] >= level:
            enclosing.pop()
        # One rank below the heading it sits under: never a skipped rank (h3 then h5).
        rank = min(6, enclosing[-1][1] + 1 if enclosing else top)
        enclosing.append((level, rank))
        token.tag = f"h{rank}"
        inline = tokens[i + 1]
        explicit = _read_attributes(state, token, inline)
        if explicit and explicit in used:
            report(state.env, token.map[0] if token.map else None,
                   f"heading id {explicit!r} is used twice on this page; give each heading "
                   "its own {#id}")  # fmt: skip
        if explicit.startswith(RESERVED_PREFIXES):
            report(state.env, token.map[0] if token.map else None,
                   f"heading id {explicit!r} starts like the page's own note and reference ids "
                   f"({', '.join(RESERVED_PREFIXES)}); choose another")  # fmt: skip
            explicit = ""
        automatic = pandoc_identifier(_smart_text(inline))
        if automatic.startswith(RESERVED_PREFIXES):  # "Note 1" would take note-1's place
            automatic = f"h-{automatic}"
        identifier = explicit or unique_id(automatic, used)
        used.add(identifier)
        classes = token.attrGet("class")
        token.attrs = {"id": identifier, **({"class": classes} if classes else {})}
        token.meta["rank"] = rank


def _contents(state: StateCore) -> None:
    """Each heading for the contents, once smart typography has run (curly quotes, dashes)."""
    found: list[Heading] = state.env.setdefault("headings", [])
    for i, token in enumerate(state.tokens):
        if token.type != "heading_open":
            continue
        children = state.tokens[i + 1].children or []
        # The contents shows the heading's words and formatting, not its notes.
        shown = [t.copy(attrs={k: v for k, v in t.attrs.items() if k != "id"})
                 for t in children if t.type not in _NOT_IN_CONTENTS]  # fmt: skip
        html = str(state.md.renderer.render(shown, state.md.options, {})).strip()
        identifier = str(token.attrGet("id"))
        found.append(Heading(token.meta["rank"], identifier, plain_text(children), html))


def _read_attributes(state: StateCore, heading: Token, inline: Token) -> str:
    """Strip a trailing ``{#id .class}`` from the heading; return the id (or "")."""
    children = inline.children or []
    last = children[-1] if children else None
    if last is None or last.type != "text":
        return ""
    match = _ATTRIBUTES.search(last.content)
    if match is None:
        return ""
    identifier = ""
    classes = []
    for part in match["body"].split():
        if part.startswith("#") and _ID.match(part[1:]):
            identifier = part[1:]
        elif part.startswith("."):
            classes.append(part[1:])
        elif part == "-":
            classes.append("unnumbered")
        elif "=" not in part:
            return ""  # not attributes after all: leave the text as written
    last.content = last.content[: match.start()]
    inline.content = _ATTRIBUTES.sub("", inline.content)
    safe = [c for c in classes if re.fullmatch(r"[\w-]+", c)]
    if safe:
        heading.attrSet("class", " ".join(safe))
    if not identifier and "{#" in match[0]:
        report(state.env, heading.map[0] if heading.map else None,
               f"heading id in {match[0].strip()!r} must start with a letter and hold only "
               "letters, digits, '-', '_', ':' or '.'")  # fmt: skip
    return identifier


# Pandoc makes an id from the text after ``smart``, where ``--``, ``---`` and ``...`` are dashes
# and an ellipsis, punctuation the id leaves out ("1990--91" gives ``199091``, not
# ``1990--91``); our typography rule runs after this one, so the id drops them here.
_SMART_PUNCTUATION = re.compile(r"---|--|\.\.\.")


def _smart_text(inline: Token) -> str:
    """The heading's plain text as Pandoc reads it for an id: without smart punctuation."""
    children = [
        child.copy(content=_SMART_PUNCTUATION.sub("", child.content))
        if child.type == "text"
        else child
        for child in inline.children or []
    ]
    return plain_text(children)


def pandoc_identifier(text: str) -> str:
    """Pandoc's ``auto_identifiers``: ``"1. The Deal: what's in it?"`` → ``the-deal-whats-in-it``.

    Keep letters, digits, ``_``, ``-`` and ``.``; spaces become hyphens; lower case; drop
    everything before the first letter; ``section`` when nothing is left.
    """
    kept = "".join(
        char
        for char in text
        if char.isalnum() or char in "_-. " or unicodedata.category(char) == "Zs"
    )
    words = "-".join(kept.split()).lower()
    start = next((i for i, char in enumerate(words) if char.isalpha()), len(words))
    return words[start:] or "section"


def unique_id(identifier: str, used: set[str]) -> str:
    """``identifier``, or with ``-1``, ``-2``… appended when the page already has it."""
    if identifier not in used:
        return identifier
    n = 1
    while f"{identifier}-{n}" in used:
        n += 1
    return f"{identifier}-{n}"
