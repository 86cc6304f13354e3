"""Pandoc's TeX math (``tex_math_dollars``) for markdown-it-py, converted to MathML at parse time.

``$x^2$`` is inline math, ``$$x^2$$`` display math (inside a paragraph or as a block of its own),
and a display block followed by a Quarto label, ``$$ E = mc^2 $$ {#eq-energy}``, is a numbered
equation. The dollar syntax is mdit-py-plugins' ``dollarmath`` rules; this module converts each
formula with latex2mathml while parsing, so a formula that does not convert is reported at its
file and line (``env["errors"]``) before anything is rendered, and renders as its escaped source.

Output follows ``pandoc --mathml``: ``<math display="inline|block">`` around ``<semantics>``,
the formula and an ``application/x-tex`` annotation holding the TeX. The formula itself is
latex2mathml's, not Pandoc's texmath (e.g. ``\\frac{a}{b}`` has ``<mrow>`` around each part).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from xml.etree.ElementTree import Element

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.dollarmath.index import math_block_dollar, math_inline_dollar

from briefgen.markdown.env import report
from briefgen.markdown.tokens import lines_before

if TYPE_CHECKING:
    from collections.abc import Sequence

    from markdown_it.utils import OptionsDict

MATHML_NS = "http://www.w3.org/1998/Math/MathML"
INLINE_TYPES = ("math_inline", "math_inline_double")
"""Math inside a paragraph: ``$…$`` and ``$$…$$``."""
BLOCK_TYPES = ("math_block", "math_block_label")
"""Display math on its own lines, without and with a Quarto ``{#eq-…}`` label."""

# A paragraph that is one display formula followed by a Quarto label. A ``$$`` inside would
# make it two formulas, which Pandoc reads as math, text, math.
_LABELLED = re.compile(
    r"\$\$(?P<tex>(?:(?!\$\$).)+)\$\$[ \t]*\{#(?P<label>eq-[A-Za-z0-9_:.-]+)\}[ \t]*", re.DOTALL
)
# Macros expand inside latex2mathml with no limit on their width (``\def\b{\a\a}``… doubles at
# each step), and Pandoc defines them for the whole document, not inside a formula.
_MACRO_DEFINITION = re.compile(
    r"\\(?:def|gdef|edef|xdef|let|(?:re)?newcommand|providecommand|(?:re)?newenvironment)"
    r"(?![A-Za-z])"
)
_BEGIN = re.compile(r"\\begin\s*\{([^{}]*)\}")
_CHARACTER_REFERENCE = re.compile(r"&#(?:x([0-9A-Fa-f]+)|([0-9]+));")
_TEXT_ESCAPE = re.compile(r"\\([$%&_#{}])")
_CONTROL_SEQUENCE = re.compile(r"\\(?:[A-Za-z]+|.)?", re.DOTALL)
_COLOR = re.compile(r"#[0-9A-Fa-f]{3,8}|[A-Za-z]+")
_ARITY = {
    "mfrac": (2, "fraction"),
    "mroot": (2, "root"),
    "msub": (2, "subscript"),
    "msup": (2, "superscript"),
    "msubsup": (3, "subscript and superscript"),
    "munder": (2, "under-script"),
    "mover": (2, "over-script"),
    "munderover": (3, "under- and over-script"),
}
# Presentation attributes latex2mathml writes. Everything else it can write (\href's href,
# \style's style, \class's class) would put links, styles or classes from a formula in the page.
_ATTRIBUTES = frozenset(
    [
        "accent",
        "accentunder",
        "columnalign",
        "columnlines",
        "columnspacing",
        "depth",
        "displaystyle",
        "fence",
        "form",
        "frame",
        "height",
        "largeop",
        "linebreak",
        "linethickness",
        "lspace",
        "mathbackground",
        "mathcolor",
        "mathsize",
        "mathvariant",
        "maxsize",
        "minsize",
        "movablelimits",
        "notation",
        "rowlines",
        "rowspacing",
        "rspace",
        "scriptlevel",
        "separator",
        "stretchy",
        "symmetric",
        "voffset",
        "width",
    ]
)


class MathConversionError(Exception):
    """TeX that latex2mathml cannot turn into MathML faithfully; the message says why."""


def math_plugin(md: MarkdownIt) -> None:
    """Register Pandoc's ``$…$``/``$$…$$`` math and Quarto equation labels on ``md``."""
    # Registered from dollarmath's rule factories rather than with dollarmath_plugin: its
    # allow_digits=False also refuses a digit before the opening ``$`` (``a1$x$`` is math in
    # Pandoc), and its tokens carry no position, which an error's line needs.
    md.inline.ruler.before("escape", "math_inline", _make_inline_rule())
    md.block.ruler.before(
        "fence", "math_block", math_block_dollar(allow_labels=False, allow_blank_lines=False)
    )
    md.core.ruler.after("block", "math_label", _label_equations)
    md.core.ruler.after("inline", "math_mathml", _convert_math)
    md.add_render_rule("math_inline", _render_math_inline)
    md.add_render_rule("math_inline_double", _render_math_inline_double)
    md.add_render_rule("math_block", _render_math_block)
    md.add_render_rule("math_block_label", _render_math_block_label)


def tex_to_mathml(tex: str, *, display: bool = False) -> str:
    """The MathML presentation markup for ``tex`` (no ``<math>`` wrapper); escaped, safe HTML.

    Raises :class:`MathConversionError` when the TeX does not convert.
    """
    from latex2mathml.converter import convert_to_element

    tex = _ENVIRONMENT_ALIAS.sub(_alias, tex)
    _check_source(tex)
    try:
        root = convert_to_element(tex, display="block" if display else "inline")
    except Exception as exc:  # latex2mathml's own errors, and RecursionError for deep nesting
        raise MathConversionError(_describe(exc)) from exc
    formula = root[0] if len(root) else Element("mrow")
    # Pandoc's texmath leaves out an mrow around a single element (``<msup>`` for ``x^2``).
    if len(formula) == 1 and not formula.attrib and not (formula.text or "").strip():
        formula = formula[0]
    return _serialize(formula)


def _make_inline_rule() -> Callable[[StateInline, bool], bool]:
    find_math = math_inline_dollar(allow_space=False, allow_digits=True, allow_double=True)

    def math_inline(state: StateInline, silent: bool) -> bool:
        start = state.pos
        if state.src[start] != "$" or not find_math(state, True):
            return False
        end = state.pos
        state.pos = start
        double = state.src.startswith("$$", start)
        # Pandoc: the closing ``$`` is not followed by a digit, so "$5 and $6" is not math.
        if not double and state.src[end : end + 1].isdigit():
            return False
        if silent:
            state.pos = end
            return True
        find_math(state, False)
        state.tokens[-1].meta["pos"] = start
        return True

    return math_inline


def _label_equations(state: StateCore) -> None:
    """A paragraph ``$$ … $$ {#eq-name}`` becomes one labelled display block."""
    tokens = state.tokens
    i = 0
    while i + 2 < len(tokens):
        opening, inline = tokens[i], tokens[i + 1]
        match = (
            _LABELLED.fullmatch(inline.content)
            if opening.type == "paragraph_open" and inline.type == "inline"
            else None
        )
        if match is None:
            i += 1
            continue
        token = Token("math_block_label", "math", 0)
        token.block = True
        token.content = match["tex"]
        token.markup = "$$"
        token.map = opening.map
        token.level = opening.level
        token.info = match["label"]
        token.attrs = {"id": match["label"]}
        token.meta = {"label": match["label"]}
        tokens[i : i + 3] = [token]
        i += 1


def _convert_math(state: StateCore) -> None:
    """Convert every formula while parsing, reporting the ones that do not convert."""
    for token in state.tokens:
        if token.type in BLOCK_TYPES:
            _convert_token(token, state.env, token.map[0] if token.map else None)
        elif token.type == "inline" and token.children:
            first_line = token.map[0] if token.map else None
            for child in token.children:
                if child.type in INLINE_TYPES:
                    line = first_line
                    if line is not None:
                        line += lines_before(token.content, child.meta.get("pos", 0))
                    _convert_token(child, state.env, line)


def _convert_token(token: Token, env: Any, line: int | None) -> None:
    display = token.type != "math_inline"
    try:
        token.meta["mathml"] = tex_to_mathml(token.content, display=display)
    except MathConversionError as exc:
        token.meta["error"] = str(exc)
        tex = token.content.strip()
        if len(tex) > 60:
            tex = tex[:60] + "…"
        report(
            env,
            line,
            f"TeX math {tex!r} does not convert to MathML: {exc}; "
            "check the formula (Pandoc's TeX math syntax)",
        )


# amsmath environments researchers write inside $$…$$ that latex2mathml lacks, as the ones it
# has that typeset the same: ``aligned`` is ``align*`` without its own display.
_ALIASES = {
    "aligned": ("align*", ""),
    "gathered": ("array", "{c}"),
    "gather": ("array", "{c}"),
    "gather*": ("array", "{c}"),
    "equation": ("array", "{c}"),
    "equation*": ("array", "{c}"),
}
_ENVIRONMENT_ALIAS = re.compile(r"(\\begin|\\end)\{(aligned|gathered|gather\*?|equation\*?)\}")


def _alias(match: re.Match[str]) -> str:
    environment, arguments = _ALIASES[match[2]]
    return f"{match[1]}{{{environment}}}" + (arguments if match[1] == "\\begin" else "")


def _check_source(tex: str) -> None:
    """What latex2mathml accepts silently but gets wrong: definitions, braces, environments."""
    from latex2mathml.commands import MATRICES

    definition = _MACRO_DEFINITION.search(tex)
    if definition:
        raise MathConversionError(
            f"macro definitions ({definition[0]!r}) are not supported inside a formula"
        )
    depth = 0
    i = 0
    while i < len(tex):
        char = tex[i]
        if char == "\\":
            i += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                raise MathConversionError(f"'}}' at character {i + 1} closes no '{{'")
        i += 1
    if depth > 0:
        raise MathConversionError(f"{depth} '{{' never closed")
    supported = sorted(command[1:] for command in MATRICES)
    for name in _BEGIN.findall(tex):
        if f"\\{name}" not in MATRICES:
            raise MathConversionError(
                f"unknown environment {name!r} (supported: {', '.join(supported)})"
            )


def _describe(exc: Exception) -> str:
    if isinstance(exc, RecursionError):
        return "the formula is nested too deeply"
    descriptions = {
        "NumeratorNotFoundError": "a fraction has no numerator",
        "DenominatorNotFoundError": "a fraction has no denominator",
        "ExtraLeftOrMissingRightError": "a \\left has no matching \\right, or the reverse",
        "MissingSuperScriptOrSubscriptError": "'^' or '_' has nothing to raise or lower",
        "DoubleSubscriptsError": "double subscript (use braces: x_{a_b})",
        "DoubleSuperscriptsError": "double superscript (use braces: x^{a^b})",
        "NoAvailableTokensError": "a command is missing its argument",
        "InvalidStyleForGenfracError": "\\genfrac has an invalid style",
        "MissingEndError": "a \\begin has no matching \\end",
        "InvalidAlignmentError": "a column alignment is not one of l, c, r, |",
        "InvalidWidthError": "a width is not a TeX length",
        "LimitsMustFollowMathOperatorError": "\\limits must follow an operator such as \\sum",
    }
    name = type(exc).__name__
    return descriptions.get(name) or f"{name}: {exc}"


def _serialize(root: Element) -> str:
    """Escaped MathML for a latex2mathml tree, checking it as it goes (iteratively: deep trees)."""
    parts: list[str] = []
    stack: list[Element | str] = [root]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            parts.append(item)
            continue
        tag = item.tag
        if not re.fullmatch(r"m[a-z]+", tag):
            raise MathConversionError(f"unexpected element {tag!r}")
        arity = _ARITY.get(tag)
        if arity and len(item) != arity[0]:
            raise MathConversionError(
                f"a {arity[1]} has {len(item)} of its {arity[0]} parts (is an argument missing?)"
            )
        attributes = []
        for name, value in item.attrib.items():
            if name not in _ATTRIBUTES:
                raise MathConversionError(
                    f"it sets {name!r} (\\href, \\style and \\class are not published)"
                )
            if name in ("mathcolor", "mathbackground") and not _COLOR.fullmatch(value):
                raise MathConversionError(f"{value!r} is not a colour name or #hex colour")
            attributes.append(f' {name}="{escapeHtml(value)}"')
        parts.append(f"<{tag}{''.join(attributes)}>{_text(tag, item.text)}")
        stack.append(f"</{tag}>{_text('', item.tail)}")
        stack.extend(reversed(list(item)))
    return "".join(parts)


def _text(tag: str, text: str | None) -> str:
    """Element text as escaped HTML: latex2mathml writes symbols as character references."""
    if not text:
        return ""
    if tag == "mtext":
        text = _TEXT_ESCAPE.sub(r"\1", text)
    control = _CONTROL_SEQUENCE.search(text)
    if control:
        raise MathConversionError(f"unknown control sequence {control[0]!r}")
    if tag != "mtext" and text.strip() in ("{", "}", "&"):
        raise MathConversionError(f"unexpected {text.strip()!r} (unbalanced, or outside a table)")

    def character(match: re.Match[str]) -> str:
        code = int(match[1], 16) if match[1] else int(match[2])
        if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise MathConversionError(f"invalid character {match[0]!r}")
        return chr(code)

    text = _CHARACTER_REFERENCE.sub(character, text)
    if "&#" in text:
        raise MathConversionError("an invalid character code (\\unicode needs a number)")
    return escapeHtml(text)


def _math_html(token: Token, display: str) -> str:
    mathml = token.meta.get("mathml")
    if mathml is None and "error" not in token.meta:
        # Tokens made outside this parser's core chain: convert now (errors were not reported).
        try:
            display_math = token.type != "math_inline"
            mathml = token.meta["mathml"] = tex_to_mathml(token.content, display=display_math)
        except MathConversionError as exc:
            token.meta["error"] = str(exc)
    if mathml is None:
        source = escapeHtml(f"{token.markup}{token.content}{token.markup}")
        code = f'<code class="math-error">{source}</code>'
        return f"<pre>{code}</pre>" if token.block else code
    return (
        f'<math display="{display}" xmlns="{MATHML_NS}"><semantics>{mathml}'
        f'<annotation encoding="application/x-tex">{escapeHtml(token.content)}</annotation>'
        "</semantics></math>"
    )


def _render_math_inline(
    self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: Any
) -> str:
    return _math_html(tokens[idx], "inline")


def _render_math_inline_double(
    self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: Any
) -> str:
    return _math_html(tokens[idx], "block")


def _render_math_block(
    self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: Any
) -> str:
    return _math_html(tokens[idx], "block") + "\n"


def _render_math_block_label(
    self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: Any
) -> str:
    """``<div class="equation" id=…>`` with the number ``env["crossref_numbers"]`` gives it."""
    token = tokens[idx]
    label = str(token.meta["label"])
    number = (env or {}).get("crossref_numbers", {}).get(label)
    number_html = (
        f'<span class="equation-number">({escapeHtml(number)})</span>'
        if isinstance(number, str)
        else ""
    )
    return (
        f'<div class="equation" id="{escapeHtml(label)}">'
        f"{_math_html(token, 'block')}{number_html}</div>\n"
    )
