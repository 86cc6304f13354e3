"""Pandoc's inline extensions for markdown-it-py, and its definition lists.

- ``subscript`` (``H~2~O``) and ``superscript`` (``10^3^``): Markdown inside is parsed, as in
  Pandoc (``x^*a*^``); no unescaped space; ``^[`` is left to inline notes.
- ``strikeout`` (``~~gone~~``) renders as ``<del>``, as Pandoc does (markdown-it writes ``<s>``).
- bracketed spans, ``[text]{#id .class key=value}``, through mdit-py-plugins' attrs plugin.
  Attributes follow Pandoc's HTML5 writer (a key HTML does not know becomes ``data-key``) but
  are made safe: event handlers, style with resources (``url(…)``) and URL attributes with a
  ``javascript:`` scheme are removed and reported.
- ``definition_lists`` (``Term`` then ``: Definition`` or ``~ Definition``), through
  mdit-py-plugins' deflist plugin, with Pandoc's spacing: a definition is a paragraph when a
  blank line comes before its marker, plain text otherwise (markdown-it decides per list).

Citations (``[@a]``, ``[see @a]{.x}``) come before spans: their rules run before ``link``, the
span rule after it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import OptionsDict
from mdit_py_plugins.attrs import attrs_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.utils import WHITESPACE_RE

from briefgen.markdown.env import report

# Attributes an HTML5 span takes as they are; Pandoc's writer prefixes others with ``data-``.
SPAN_ATTRIBUTES = frozenset(
    {
        "id", "class", "lang", "dir", "title", "translate", "hidden", "role", "style",
        "itemprop", "itemscope", "itemtype", "itemid", "itemref",
    }
)  # fmt: skip
_URL_ATTRIBUTES = frozenset(
    {"href", "src", "srcset", "action", "formaction", "xlink:href", "poster", "background",
     "cite", "longdesc", "usemap", "ping", "codebase", "data", "manifest", "icon"}
)  # fmt: skip
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
# CSS functions that cannot fetch anything (``url()``, ``image-set()``… can).
_SAFE_CSS_FUNCTIONS = frozenset(
    {"rgb", "rgba", "hsl", "hsla", "hwb", "lab", "lch", "oklab", "oklch", "color-mix",
     "calc", "min", "max", "clamp", "var"}
)  # fmt: skip
_CSS_FUNCTION = re.compile(r"([-\w]*)\s*\(")
_BLANK = re.compile(r"[\s>]*")


def inline_extensions_plugin(md: MarkdownIt) -> None:
    """Register Pandoc's sub/superscript, strikeout as ``<del>``, spans and definition lists."""
    md.inline.ruler.after("emphasis", "subscript", _make_script_rule("~", "sub"))
    md.inline.ruler.after("subscript", "superscript", _make_script_rule("^", "sup"))
    # Every attribute lands in meta["insecure_attrs"] (nothing is allowed): span_attributes
    # decides, in one place, what reaches the HTML.
    attrs_plugin(md, after=(), spans=True, allowed=())
    md.core.ruler.after("inline", "span_attributes", _span_attributes_rule)
    md.add_render_rule("s_open", _tag("<del>"))
    md.add_render_rule("s_close", _tag("</del>"))
    deflist_plugin(md)
    md.core.ruler.after("inline", "definition_spacing", _definition_spacing)


def _make_script_rule(marker: str, tag: str) -> Callable[[StateInline, bool], bool]:
    def script_rule(state: StateInline, silent: bool) -> bool:
        start, maximum = state.pos, state.posMax
        if state.src[start] != marker or start + 2 >= maximum:
            return False
        # ``~~`` is strikeout; ``^[`` an inline note.
        if state.src[start + 1] == marker or state.src[start : start + 2] == "^[":
            return False
        state.pos = start + 1
        while state.pos < maximum and state.src[state.pos] != marker:
            state.md.inline.skipToken(state)
        end = state.pos
        content = state.src[start + 1 : end]
        if end >= maximum or not content or WHITESPACE_RE.search(content):
            state.pos = start
            return False
        if not silent:
            state.pos, state.posMax = start + 1, end
            token = state.push(f"{tag}_open", tag, 1)
            token.markup = marker
            state.md.inline.tokenize(state)
            token = state.push(f"{tag}_close", tag, -1)
            token.markup = marker
            state.posMax = maximum
        state.pos = end + 1
        return True

    return script_rule


def span_attributes(
    raw: dict[str, Any], validate_url: Callable[[str], bool]
) -> tuple[dict[str, str], dict[str, str]]:
    """Split a span's parsed attributes into those to write and those refused (with why).

    ``validate_url`` is markdown-it's ``validateLink`` (it refuses ``javascript:`` and kin).
    """
    kept: dict[str, str] = {}
    refused: dict[str, str] = {}
    for key, value in raw.items():
        value = str(value)
        base = key.lower().removeprefix("data-")
        if not _NAME.match(key):
            refused[key] = "not a valid attribute name"
        elif key.lower().startswith("on"):
            refused[key] = "event handlers run scripts"
        elif base in _URL_ATTRIBUTES and not validate_url(_url_text(value)):
            refused[key] = "its URL scheme is not allowed"
        elif key.lower() == "style" and not _safe_style(value):
            refused[key] = "styles may not load resources or use escapes"
        elif key in SPAN_ATTRIBUTES or key.startswith(("data-", "aria-")):
            kept[key] = value
        else:
            kept[f"data-{key}"] = value
    # Pandoc writes the identifier and classes first.
    ordered = {key: kept.pop(key) for key in ("id", "class") if key in kept}
    return ordered | kept, refused


def _url_text(value: str) -> str:
    # Browsers ignore tabs, newlines and surrounding control characters in a URL's scheme.
    return re.sub(r"[\t\n\r]", "", value).strip("".join(chr(i) for i in range(0x21)))


def _safe_style(value: str) -> bool:
    if any(sign in value for sign in ("\\", "/*", "@", "<", "&")):
        return False
    return all(name.lower() in _SAFE_CSS_FUNCTIONS for name in _CSS_FUNCTION.findall(value))


def _span_attributes_rule(state: StateCore) -> None:
    md = state.md

    def validate(url: str) -> bool:
        return bool(md.validateLink(md.normalizeLink(url)))

    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        for token in block.children:
            if token.type != "span_open" or "insecure_attrs" not in token.meta:
                continue
            kept, refused = span_attributes(token.meta.pop("insecure_attrs"), validate)
            token.attrs = dict(kept)
            for key, why in refused.items():
                report(
                    state.env,
                    block.map[0] if block.map else None,
                    f"span attribute '{key}' was removed: {why}",
                )


def _definition_spacing(state: StateCore) -> None:
    """A definition is loose (paragraphs) when a blank line comes before its marker."""
    lines = state.src.split("\n")
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type == "dd_open":
            tight = not _blank_before_marker(tokens, index, lines)
            _set_tight(tokens, index, tight)


def _blank_before_marker(tokens: list[Token], index: int, lines: list[str]) -> bool:
    previous = tokens[index - 1]
    if previous.type == "dt_close":
        # deflist gives a later term's first definition the term's line: count from the term.
        term = tokens[index - 3]
        line = term.map[0] + 1 if term.map else 0
        return line < len(lines) and _BLANK.fullmatch(lines[line]) is not None
    where = tokens[index].map
    line = where[0] if where else 0
    return line > 0 and _BLANK.fullmatch(lines[line - 1]) is not None


def _set_tight(tokens: list[Token], index: int, tight: bool) -> None:
    """Show or hide the definition's own paragraphs; tight ones are joined by a line break."""
    depth = 0
    last_inline: Token | None = None
    for inner in tokens[index + 1 :]:
        depth += inner.nesting
        if depth < 0:
            return
        if (inner.type, depth) in (("paragraph_open", 1), ("paragraph_close", 0)):
            inner.hidden = tight
        elif inner.type == "inline" and depth == 1 and tight:
            # Pandoc writes a compact definition's paragraphs one per line: "D1\nmore".
            if last_inline is not None and last_inline.children is not None:
                last_inline.children.append(Token("softbreak", "br", 0))
            last_inline = inner


def _tag(html: str) -> Callable[..., str]:
    def render(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: Any) -> str:
        return html

    return render
