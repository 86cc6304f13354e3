from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt
from markdown_it.utils import read_fixture_file

from briefgen.markdown.citations import citations_plugin
from briefgen.markdown.math import math_plugin

FIXTURES = Path(__file__).parent / "fixtures" / "math.md"
MATHML = "{http://www.w3.org/1998/Math/MathML}"


def make_md() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False}).use(math_plugin)


@pytest.mark.parametrize(
    ("line", "title", "text", "expected"),
    [pytest.param(*case, id=case[1]) for case in read_fixture_file(FIXTURES)],
)
def test_fixture(line: int, title: str, text: str, expected: str) -> None:
    env: dict[str, Any] = {"crossref_numbers": {"eq-energy": "1"}}
    assert make_md().render(text, env) == expected


def test_errors_are_reported_at_file_and_line() -> None:
    env: dict[str, Any] = {"path": Path("x.md"), "line_offset": 3}
    # Body lines 3, 4 and 6 (0-based) are lines 7, 8 and 10 of a file with 3 front-matter lines.
    source = "Fine $x$.\n\nText\nthen $\\foo$ and\n$x^$.\n\n$$\n\\frac{1}\n$$\n"
    make_md().parse(source, env)
    found = [(e.location.path, e.location.line, e.message) for e in env["errors"]]
    assert [(path, line) for path, line, _ in found] == [
        (Path("x.md"), 7),
        (Path("x.md"), 8),
        (Path("x.md"), 10),
    ]
    assert found[0][2] == (
        "TeX math '\\\\foo' does not convert to MathML: unknown control sequence '\\\\foo'; "
        "check the formula (Pandoc's TeX math syntax)"
    )
    assert "'^' or '_' has nothing to raise or lower" in found[1][2]
    assert "a fraction has 1 of its 2 parts" in found[2][2]


@pytest.mark.parametrize(
    ("tex", "expected"),
    [
        pytest.param(r"\foo", "unknown control sequence '\\\\foo'", id="unknown-command"),
        pytest.param(r"\frac{1}", "a fraction has 1 of its 2 parts", id="missing-argument"),
        pytest.param(r"\frac", "a command is missing its argument", id="bare-command"),
        pytest.param("{a", "1 '{' never closed", id="unclosed-brace"),
        pytest.param("a}", "'}' at character 2 closes no '{'", id="extra-brace"),
        pytest.param(r"\begin{unknown}x\end{unknown}", "unknown environment 'unknown'", id="env"),
        pytest.param(r"\left( x", "a \\left has no matching \\right", id="left-right"),
        pytest.param(r"\unicode{x}", "invalid character code", id="unicode"),
        pytest.param(r"\text{a\\b}", "unknown control sequence", id="backslash-in-text"),
        pytest.param(r"\def\a{\a\a}\a", "macro definitions ('\\\\def')", id="macro"),
        pytest.param("{" * 5000 + "x" + "}" * 5000, "nested too deeply", id="deep-nesting"),
        pytest.param(r"\style{color:red}{x}", "it sets 'style'", id="style"),
    ],
)
def test_tex_that_does_not_convert_is_one_error(tex: str, expected: str) -> None:
    env: dict[str, Any] = {}
    html = make_md().render(f"${tex}$\n", env)
    assert len(env["errors"]) == 1
    assert expected in env["errors"][0].message
    assert html.startswith('<p><code class="math-error">$')


def test_long_formulas_are_shortened_in_messages() -> None:
    env: dict[str, Any] = {}
    make_md().parse("$" + "{" * 5000 + "x" + "}" * 5000 + "$\n", env)
    assert len(env["errors"][0].message) < 300


def test_tex_is_converted_at_parse_time() -> None:
    tokens = make_md().parse("$x^2$ and\n\n$$ y $$ {#eq-y}\n")
    inline = tokens[1].children
    assert inline is not None
    assert inline[0].meta["mathml"] == "<msup><mi>x</mi><mn>2</mn></msup>"
    block = tokens[3]
    assert (block.type, block.attrs, block.meta["label"]) == (
        "math_block_label",
        {"id": "eq-y"},
        "eq-y",
    )
    assert block.meta["mathml"] == "<mi>y</mi>"


def test_math_and_citations_in_one_paragraph() -> None:
    md = make_md().use(citations_plugin)
    env: dict[str, Any] = {"path": Path("x.md")}
    tokens = md.parse("As $x$ [@a] and [@b, p. 3] $y$ show.\n", env)
    children = tokens[1].children
    assert children is not None
    assert [t.type for t in children if t.type != "text"] == [
        "math_inline",
        "citation",
        "citation",
        "math_inline",
    ]
    assert [item.key for group in env["citations"] for item in group.items] == ["a", "b"]
    assert "errors" not in env


def _math_elements(html: str) -> list[ET.Element]:
    return [
        ET.fromstring(match)
        for match in re.findall(r"<math\b.*?</math>", html, re.DOTALL)  # one formula each
    ]


def _shape(math: ET.Element) -> tuple[str | None, list[str], str | None]:
    """``display``, the formula's element names, and the TeX annotation of one ``<math>``."""
    semantics = math.find(f"{MATHML}semantics")
    assert semantics is not None
    formula, annotation = semantics[0], semantics[-1]
    assert annotation.tag == f"{MATHML}annotation"
    assert annotation.get("encoding") == "application/x-tex"
    names = sorted({element.tag.removeprefix(MATHML) for element in formula.iter()} - {"mrow"})
    return math.get("display"), names, annotation.text


@pytest.mark.parametrize(
    "markdown",
    [
        pytest.param("Inline $x^2 + y_1$ here.", id="msup-msub"),
        pytest.param("Hence $$\\frac{a}{b}$$ follows.", id="mfrac-display-inline"),
        pytest.param("$$\n\\sqrt{a<b} \\& c\n$$", id="msqrt-escaped-multiline"),
        pytest.param("$\\sum_{i=1}^n i$", id="msubsup"),
        pytest.param("$\\alpha \\leq \\beta$", id="greek-operators"),
        pytest.param("$$\\begin{aligned} a &= b \\\\ c &= d \\end{aligned}$$", id="aligned"),
    ],
)
def test_same_structure_as_pandoc(markdown: str, pandoc: Callable[..., str]) -> None:
    ours = _math_elements(make_md().render(markdown + "\n"))
    theirs = _math_elements(pandoc(markdown + "\n", "-t", "html", "--mathml"))
    assert ours and len(ours) == len(theirs)
    for mine, pandoc in zip(ours, theirs, strict=True):
        assert mine.tag == pandoc.tag == f"{MATHML}math"
        assert _shape(mine) == _shape(pandoc)


@pytest.mark.parametrize(
    "markdown",
    [
        pytest.param("Between $5 and $6 a day.", id="currency"),
        pytest.param("Rates of $x$2 apply, a1$y$ b.", id="digits"),
        pytest.param("Neither $ x$ nor $x $ here, but $z$.", id="whitespace"),
        pytest.param("Costs \\$5 and `$x$`, then $y$.", id="escape-and-code"),
        pytest.param("$$\nx\n\ny\n$$", id="blank-line-in-display"),
        pytest.param("From $20,000$30 to a1$x$ b.", id="pandoc-reads-left-to-right"),
    ],
)
def test_finds_the_same_formulas_as_pandoc(markdown: str, pandoc: Callable[..., str]) -> None:
    def annotations(html: str) -> list[tuple[str | None, str | None]]:
        return [(math.get("display"), _shape(math)[2]) for math in _math_elements(html)]

    theirs = pandoc(markdown + "\n", "-t", "html", "--mathml")
    assert annotations(make_md().render(markdown + "\n")) == annotations(theirs)
