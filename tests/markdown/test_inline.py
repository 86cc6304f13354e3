from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from markdown_it.utils import read_fixture_file

from briefgen.markdown.citations import citations_plugin
from briefgen.markdown.env import MarkdownEnv
from briefgen.markdown.inline import inline_extensions_plugin, span_attributes

FIXTURES = Path(__file__).parent / "fixtures" / "inline.md"


def create() -> MarkdownIt:
    return (
        MarkdownIt("commonmark", {"html": False})
        .enable(["table", "strikethrough"])
        .use(citations_plugin)
        .use(inline_extensions_plugin)
    )


@pytest.mark.parametrize(
    ("line", "title", "text", "expected"),
    [pytest.param(*case, id=case[1]) for case in read_fixture_file(FIXTURES)],
)
def test_fixture(line: int, title: str, text: str, expected: str) -> None:
    from briefgen.markdown.typography import typography_plugin

    assert create().use(typography_plugin).render(text) == expected


def test_citations_and_spans_on_one_parser() -> None:
    md = create()
    env: MarkdownEnv = {}
    tokens = md.parse("[see @a]{.x} [@b] [text]{.smallcaps}", env)
    children = tokens[1].children or []
    assert [t.type for t in children] == [
        "citation", "text", "citation", "text", "span_open", "text", "span_close",
    ]  # fmt: skip
    assert [group.items[0].key for group in env["citations"]] == ["a", "b"]
    assert children[1].content == "{.x} "


def test_removed_attributes_are_reported_at_their_line() -> None:
    env: MarkdownEnv = {"path": Path("brief.md"), "line_offset": 2}
    create().parse('Intro.\n\nA [x]{onclick="steal()" .c}.\n', env)
    assert [(d.message, d.location.line if d.location else None) for d in env["errors"]] == [
        ("span attribute 'onclick' was removed: event handlers run scripts", 5)
    ]


def _always(url: str) -> bool:
    return True


def _never(url: str) -> bool:
    return False


@pytest.mark.parametrize(
    ("raw", "kept", "refused"),
    [
        pytest.param({"class": "a b", "id": "x"}, {"id": "x", "class": "a b"}, [], id="id-class"),
        pytest.param({"foo": "bar"}, {"data-foo": "bar"}, [], id="unknown-key-is-data"),
        pytest.param({"aria-label": "l", "lang": "de"}, {"aria-label": "l", "lang": "de"}, [],
                     id="known-keys"),
        pytest.param({"ONCLICK": "x"}, {}, ["ONCLICK"], id="event-handler-any-case"),
        pytest.param({"style": "color:red"}, {"style": "color:red"}, [], id="plain-style"),
        pytest.param({"style": "background: URL (x)"}, {}, ["style"], id="style-url"),
        pytest.param({"style": "background: image-set('x.png' 1x)"}, {}, ["style"],
                     id="style-image-set"),
        pytest.param({"style": "background: u\\72l(x)"}, {}, ["style"], id="style-escape"),
        pytest.param({"style": "x: expression(alert(1))"}, {}, ["style"], id="style-expression"),
        pytest.param({"href": "javascript:x"}, {}, ["href"], id="href-refused-by-validator"),
        pytest.param({"src": "javascript:x"}, {}, ["src"], id="src-refused-by-validator"),
    ],
)  # fmt: skip
def test_span_attributes(raw: dict[str, str], kept: dict[str, str], refused: list[str]) -> None:
    validate = _never if refused and "style" not in refused else _always
    result_kept, result_refused = span_attributes(raw, validate)
    assert (list(result_kept.items()), list(result_refused)) == (list(kept.items()), refused)


def test_javascript_url_is_refused_by_the_real_validator() -> None:
    html = create().render('[x]{href="  JaVa\tScRiPt:alert(1)"} [y]{href="https://a.org"}')
    assert "javascript" not in html.lower()
    assert 'data-href="https://a.org"' in html


# Oracle: the elements Pandoc writes for the same snippets (smart typography off on both
# sides; it has its own tests).

ORACLE_SNIPPETS = [
    "H~2~O and 10^3^ and 2^-1^ and a~b~c~d~",
    "x~*a*~ and x^**b**^ and [H~2~O](https://example.org)",
    "~a b~ and ^a b^ and x^a",
    "~~gone~~ and ~~*gone* too~~",
    "[Text]{.smallcaps} and [x]{.a .b} and [y]{#i} and [z]{}",
    "[text]{#id .class key=val}",
    "[*em* and `code`]{.c} [x] {.c}",
    "[me@example.org]{.email}",
    "Term\n: Definition\n\nOther *term*\n~ One\n~ Two\n",
    "Term\n\n:   First\n\n    Second\n\nNext\n: compact\n",
    "T1\n: D1\n\nT2\n\n: D2\n",
    "Term\n\n:   D1\n\n:   D2\n",
    "A\n: x\nB\n: y\n",
]
STRUCTURE_TAGS = {"sub", "sup", "del", "span", "dl", "dt", "dd", "p", "em", "strong", "code"}


class _Structure(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in STRUCTURE_TAGS:
            kept = sorted(f"{k}={v}" for k, v in attrs if k in ("id", "class") or "data-" in k)
            self.items.append(f"<{tag}{' ' if kept else ''}{' '.join(kept)}>")

    def handle_endtag(self, tag: str) -> None:
        if tag in STRUCTURE_TAGS:
            self.items.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        text = re.sub(r"\s+", " ", data).strip()
        if text:
            self.items.append(text)


def _structure(html: str) -> list[str]:
    parser = _Structure()
    parser.feed(html)
    return parser.items


@pytest.mark.parametrize("source", [pytest.param(s, id=s[:30]) for s in ORACLE_SNIPPETS])
def test_same_elements_as_pandoc(source: str, pandoc: Callable[..., str]) -> None:
    theirs = pandoc(source, "-f", "markdown-smart", "-t", "html")
    assert _structure(create().render(source)) == _structure(theirs)
