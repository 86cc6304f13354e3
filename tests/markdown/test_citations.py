from __future__ import annotations

from html import escape
from pathlib import Path

import pytest
from markdown_it.utils import read_fixture_file

from briefgen.markdown import MarkdownEnv, create_markdown, parse_citation_group
from briefgen.model import CitationItem, CitationMode

FIXTURES = Path(__file__).parent / "fixtures" / "citations.md"


def render_with_numbers(text: str) -> str:
    """Render with a marker that shows what the plugin recorded: keys, line and index."""
    md = create_markdown()
    env: MarkdownEnv = {"path": Path("doc.md")}
    tokens = md.parse(text, env)
    groups = env["citations"]

    def marker(index: int) -> str:
        group = groups[index]
        keys = " ".join(item.key for item in group.items)
        return (
            f'<sup data-keys="{escape(keys)}" data-line="{group.location.line}">{index + 1}</sup>'
        )

    env["render_marker"] = marker
    return str(md.renderer.render(tokens, md.options, env))


@pytest.mark.parametrize(
    ("line", "title", "text", "expected"),
    [pytest.param(*case, id=case[1]) for case in read_fixture_file(FIXTURES)],
)
def test_fixture(line: int, title: str, text: str, expected: str) -> None:
    assert render_with_numbers(text) == expected


N = CitationMode.NORMAL


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param("@a", (CitationItem("a"),), id="bare"),
        pytest.param("@a, p. 12", (CitationItem("a", "12", "page"),), id="locator"),
        pytest.param(
            "see @a, pp. 1--2; also -@b",
            (
                CitationItem("a", "1–2", "page", prefix="see", prefix_html="see"),
                CitationItem(
                    "b", prefix="also", mode=CitationMode.SUPPRESS_AUTHOR, prefix_html="also"
                ),
            ),
            id="prefix-range-and-suppress",
        ),
        pytest.param("@a, 33", (CitationItem("a", "33", "page"),), id="bare-number-is-a-page"),
        pytest.param("@a, ch. 2", (CitationItem("a", "2", "chapter"),), id="chapter"),
        pytest.param("@a, sec. 4.2", (CitationItem("a", "4.2", "section"),), id="section"),
        pytest.param(
            "@a, para. 12 and passim",
            (CitationItem("a", "12", "paragraph", suffix=" and passim", suffix_html="and passim"),),
            id="locator-then-suffix",
        ),
        pytest.param(
            "@a, and passim",
            (CitationItem("a", suffix=", and passim", suffix_html=", and passim"),),
            id="suffix-without-locator",
        ),
        pytest.param(
            "@a, {pp. iv, vi--xi}",
            (CitationItem("a", "iv, vi–xi", "page"),),
            id="braced-locator",
        ),
        pytest.param(
            "*see* @a",
            (CitationItem("a", prefix="*see*", prefix_html="<em>see</em>"),),
            id="markdown-prefix",
        ),
        pytest.param("no key here", None, id="no-key"),
        pytest.param("@a; plain", None, id="one-part-without-key"),
        pytest.param("mail@example.org", None, id="email"),
    ],
)
def test_parse_citation_group(source: str, expected: tuple[CitationItem, ...] | None) -> None:
    md = create_markdown()
    inline = lambda text: str(md.renderInline(text)).strip()  # noqa: E731
    assert parse_citation_group(source, inline=inline) == expected


def test_line_numbers_account_for_front_matter() -> None:
    env: MarkdownEnv = {"path": Path("x.md"), "line_offset": 5}
    create_markdown().parse("Para one.\n\nPara [@a]\nand [@b].\n", env)
    assert [(g.location.path, g.location.line) for g in env["citations"]] == [
        (Path("x.md"), 8),
        (Path("x.md"), 9),
    ]


def test_body_links_are_recorded() -> None:
    env: MarkdownEnv = {"path": Path("x.md")}
    create_markdown().parse("Intro.\n\nSee [the report](https://example.org/r).\n", env)
    assert [(link.url, link.location.line) for link in env["links"]] == [
        ("https://example.org/r", 3)
    ]


def test_render_without_resolution_shows_source() -> None:
    assert create_markdown().render("A [@a].") == "<p>A [@a].</p>\n"
