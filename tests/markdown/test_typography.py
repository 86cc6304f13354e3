from __future__ import annotations

import json
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt
from markdown_it.utils import read_fixture_file

from briefgen.markdown.citations import citations_plugin
from briefgen.markdown.inline import inline_extensions_plugin
from briefgen.markdown.typography import QuoteMarks, quote_marks, typography_plugin

FIXTURES = Path(__file__).parent / "fixtures" / "typography.md"
LANGUAGE_TITLE = re.compile(r"^(?P<language>[a-z]{2}-[A-Z]{2}): ")


def create(language: str = "en-US") -> MarkdownIt:
    return (
        MarkdownIt("commonmark", {"html": False})
        .enable(["table", "strikethrough"])
        .use(citations_plugin)
        .use(inline_extensions_plugin)
        .use(typography_plugin, language=language)
    )


@pytest.mark.parametrize(
    ("line", "title", "text", "expected"),
    [pytest.param(*case, id=case[1]) for case in read_fixture_file(FIXTURES)],
)
def test_fixture(line: int, title: str, text: str, expected: str) -> None:
    match = LANGUAGE_TITLE.match(title)
    env = {"language": match["language"]} if match else {}
    assert create().render(text, env) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        pytest.param("en-US", QuoteMarks("“", "”", "‘", "’"), id="en-US"),
        pytest.param("en-GB", QuoteMarks("‘", "’", "“", "”"), id="en-GB"),
        pytest.param("de-DE", QuoteMarks("„", "“", "‚", "‘"), id="de-DE"),
        pytest.param("fr-FR", QuoteMarks("«\u202f", "\u202f»", "“", "”"), id="fr-FR"),
        pytest.param("fr-CA", QuoteMarks("«\u00a0", "\u00a0»", "“", "”"), id="fr-CA"),
    ],
)
def test_quote_marks_come_from_the_csl_locale(language: str, expected: QuoteMarks) -> None:
    assert quote_marks(language) == expected


def test_plugin_language_is_the_default_and_env_overrides_it() -> None:
    md = create("de-DE")
    assert md.render('"a"') == "<p>„a“</p>\n"
    assert md.render('"a"', {"language": "en-US"}) == "<p>“a”</p>\n"


def test_math_and_citation_tokens_are_left_alone() -> None:
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    md = create().use(dollarmath_plugin)
    tokens = md.parse('$a--b\'\'$ and [@a, pp. 1--2 "x"] "q"\n\n$$\nx--y\n$$\n')
    children = tokens[1].children or []
    assert [(t.type, t.content) for t in children if t.type != "text"] == [
        ("math_inline", "a--b''"),
        ("citation", '[@a, pp. 1--2 "x"]'),
    ]
    assert children[-1].content == " “q”"
    assert tokens[3].type == "math_block" and tokens[3].content == "\nx--y\n"


def test_many_unmatched_quotes_stay_fast() -> None:
    """Each unmatched mark would rescan the rest of the paragraph: 25 million steps here."""
    from time import perf_counter

    start = perf_counter()
    html = create().render(" ".join(["'a"] * 5000))
    assert perf_counter() - start < 1
    assert html.count("’a") == 5000


# Oracle: Pandoc's reading of the same text, with its Quoted nodes written in the language's
# marks (Pandoc's HTML writer would always write English ones).

ORACLE_SNIPPETS = [
    "\"outer 'inner' outer\" and 'single \"double\"'",
    "It's O'Neil's, Jones' book, 'tis, the '90s and rock 'n' roll.",
    "a 'b'c d, a\"b\"c, 5'10\", '90s and 'quoted'",
    '("a") ["b"] ---"c" x---\'d\' x."e" x)\'f\'',
    '"*emph*" *"emph"* "`code`" "[link](https://example.org)"',
    '*x*"a" and **y**\'b\' and `c`"d"',
    '"a *b" c* d" and \'a "b\' c"',
    '"a" "b" "c\n\nx \' y and x " y and \'a and "" and \'\'',
    "He said \"hi.\" and \"a \" here; ''a'' \"'a'\"",
    "\"a\nb\" and 'c\nd'",
    "\\\"a\\\" and &quot;b&quot; and \\'c\\'",
    "1990--91, a---b, a -- b, a----b, -- a, x-- y",
    "wait... no. ..... and . . .",
    "Mr. Smith, Dr. *Who*, e.g. this, pp. 3, (Prof. X), St. Y, Mr.  Z",
    "Hr. X, mr. x, x.Mr. X, Mr.\nSmith, Mr. `x`",
    '# A "heading" -- here',
    "See (c) (tm) +- !!!! ?? ,,",
    "'a \"b' c\" 'a \"b' c\"",
]


def _blocks_text(blocks: list[Any], marks: QuoteMarks) -> str:
    parts = []
    for block in blocks:
        content = block["c"]
        if block["t"] in ("Para", "Plain"):
            parts.append(_inlines_text(content, marks))
        elif block["t"] == "Header":
            parts.append(_inlines_text(content[2], marks))
    return "\n".join(parts)


def _inlines_text(inlines: list[Any], marks: QuoteMarks) -> str:
    text = []
    for inline in inlines:
        kind, content = inline["t"], inline.get("c")
        if kind == "Str":
            text.append(content.replace("“", marks.open).replace("”", marks.close))
        elif kind in ("Space", "SoftBreak", "LineBreak"):
            text.append(" ")
        elif kind == "Code":
            text.append(content[1])
        elif kind == "Quoted":
            double = content[0]["t"] == "DoubleQuote"
            opening, closing = (
                (marks.open, marks.close) if double else (marks.open_inner, marks.close_inner)
            )
            text.append(opening + _inlines_text(content[1], marks) + closing)
        elif kind in ("Emph", "Strong", "Strikeout", "Superscript", "Subscript", "SmallCaps"):
            text.append(_inlines_text(content, marks))
        elif kind in ("Link", "Span"):
            text.append(_inlines_text(content[1], marks))
        else:
            raise AssertionError(f"no text for Pandoc's {kind}")
    return "".join(text)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("p", "h1", "h2", "li", "dt", "dd"):
            self.parts.append("\n")


def _our_text(source: str, language: str) -> str:
    parser = _Text()
    parser.feed(create().render(source, {"language": language}))
    return _normalize("".join(parser.parts))


def _normalize(text: str) -> str:
    """One space for each run of ordinary white space; no-break spaces are kept."""
    return re.sub(r"[ \t\n]+", " ", text).strip()


@pytest.mark.parametrize("language", ["en-US", "de-DE", "fr-FR"])
@pytest.mark.parametrize("source", [pytest.param(s, id=s[:30]) for s in ORACLE_SNIPPETS])
def test_same_text_as_pandoc(source: str, language: str, pandoc: Callable[..., str]) -> None:
    blocks = json.loads(pandoc(source, "-t", "json"))["blocks"]
    theirs = _normalize(_blocks_text(blocks, quote_marks(language)))
    assert _our_text(source, language) == theirs
