from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markdown_it.utils import read_fixture_file

from briefgen.markdown.citations import citations_plugin
from briefgen.markdown.env import MarkdownEnv
from briefgen.markdown.figures import figures_plugin
from briefgen.markdown.tables import tables_plugin

FIXTURES = Path(__file__).parent / "fixtures" / "tables.md"
SECTION = Path("content/b/01-x.md")
TABLE = "| a | b |\n|--:|:-:|\n| 1 | 2 |\n"


def make_md() -> MarkdownIt:
    return (
        MarkdownIt("commonmark", {"html": False})
        .enable(["table"])
        .use(citations_plugin)
        .use(figures_plugin)
        .use(tables_plugin)
    )


def cite_keys(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    """Show which citation token the renderer met, by its keys."""
    return "<cite>" + " ".join(item.key for item in tokens[idx].meta["items"]) + "</cite>"


@pytest.mark.parametrize(
    ("line", "title", "text", "expected"),
    [pytest.param(*case, id=case[1]) for case in read_fixture_file(FIXTURES)],
)
def test_fixture(line: int, title: str, text: str, expected: str) -> None:
    md = make_md()
    md.add_render_rule("citation", cite_keys)
    env = {"crossref_titles": {"tbl-regions": "Table 1"}}
    assert md.render(text, env) == expected
    assert "errors" not in env


def test_citations_in_a_caption_are_recorded_at_their_line() -> None:
    env: MarkdownEnv = {"path": SECTION, "line_offset": 4}
    make_md().parse(f"Intro.\n\n{TABLE}\nTable:\nRates [@a]\nand [@b].\n", env)
    assert [(g.items[0].key, str(g.location)) for g in env["citations"]] == [
        ("a", "content/b/01-x.md:12"),
        ("b", "content/b/01-x.md:13"),
    ]


def test_caption_markers_are_not_parsed_as_markdown() -> None:
    """The marker is removed before inline parsing, so ``:`` never reaches the caption."""
    tokens = make_md().parse(f"{TABLE}\nTable: *Cases* {{#tbl-x}}\n")
    caption = next(t for t in tokens if t.type == "inline" and t.level == 3)
    assert caption.content == "*Cases*"
    assert [child.type for child in caption.children or []] == ["em_open", "text", "em_close"]


def test_unsupported_caption_attribute_warns_at_its_line() -> None:
    env: MarkdownEnv = {"path": SECTION, "line_offset": 4}
    html = make_md().render(f"{TABLE}\nTable: Cap {{#tbl-x onclick=alert style=x}}\n", env)
    assert [d.format() for d in env["errors"]] == [
        f"content/b/01-x.md:9: warning: table attribute '{key}' is not supported and was "
        "dropped; expected id or class"
        for key in ("onclick", "style")
    ]
    assert "onclick" not in html
    assert "style=" not in html.replace('style="text-align', "")


def test_numbering_uses_the_crossref_title_only_for_known_ids() -> None:
    source = f"{TABLE}\n: One {{#tbl-one}}\n\n{TABLE}\n: Two {{#tbl-two}}\n\n{TABLE}\n: Three\n"
    env = {"crossref_titles": {"tbl-one": "Table 1", "tbl-two": "Tab. <2>"}}
    html = make_md().render(source, env)
    assert '<caption id="tbl-one-caption"><span class="crossref-title">Table 1:</span> One' in html
    assert '<span class="crossref-title">Tab. &lt;2&gt;:</span> Two' in html
    assert '<caption id="table-3-caption">Three</caption>' in html


def test_generated_caption_ids_skip_ids_already_on_the_page() -> None:
    used = {"table-1-caption"}
    html = make_md().render(f"{TABLE}\n: Cap\n", {"used_ids": used})
    assert '<caption id="table-2-caption">' in html
    assert used == {"table-1-caption", "table-2-caption"}


def test_the_region_is_named_by_its_caption() -> None:
    html = make_md().render(f"{TABLE}\n: Cap {{#tbl-r}}\n")
    region = re.search(r'<div [^>]*aria-labelledby="([^"]+)"', html)
    assert region is not None
    assert f'<caption id="{region[1]}">' in html


def test_table_tokens_keep_their_source_lines() -> None:
    tokens = make_md().parse(f"Intro.\n\n{TABLE}\n: Cap\n")
    types = [t.type for t in tokens]
    assert types[types.index("table_scroll_open") :][:5] == [
        "table_scroll_open",
        "table_open",
        "table_caption_open",
        "inline",
        "table_caption_close",
    ]
    assert tokens[types.index("table_scroll_open")].map == [2, 5]
    assert tokens[types.index("table_open")].map == [2, 5]


# --- Pandoc as the oracle ----------------------------------------------------------------------


class Structure(HTMLParser):
    """Tables, captions and cells with what matters: ids, classes, alignment, text."""

    TAGS = ("table", "caption", "thead", "tbody", "th", "td")

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[dict[str, str]] = []
        self.open: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.TAGS:
            return
        values = {key: value or "" for key, value in attrs}
        element = {"tag": tag, "text": ""}
        for key in ("id", "class"):
            if key in values and tag != "caption":
                element[key] = values[key]
        # The exact style text: briefgen writes Pandoc's "text-align: right;".
        if "style" in values:
            element["style"] = values["style"]
        self.elements.append(element)
        self.open.append(element)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.TAGS:
            element = self.open.pop()
            element["text"] = " ".join(element["text"].split())

    def handle_data(self, data: str) -> None:
        for element in self.open:
            element["text"] += data


def structure(html: str) -> list[dict[str, str]]:
    parser = Structure()
    parser.feed(html)
    return parser.elements


@pytest.mark.parametrize(
    "markdown",
    [
        pytest.param(
            "| Region | Cases | Note |\n|:-------|------:|:----:|\n| North  | 12    | ok   |\n\n"
            "Table: Cases by *region* [@who2020] {#tbl-regions}",
            id="caption-after-with-id-and-alignment",
        ),
        pytest.param(f": Before\n\n{TABLE}\n: After", id="caption-before-wins"),
        pytest.param(TABLE, id="no-caption"),
        pytest.param(f"{TABLE}\ntable: lower\n\n{TABLE}", id="caption-between-tables"),
        pytest.param(f"Table:nospace\n\n{TABLE}", id="no-space-after-marker"),
        pytest.param(f":: not a caption\n\n{TABLE}", id="double-colon"),
        pytest.param(f"{TABLE}\nTable: A long\ncaption {{#tbl-long}}", id="multi-line"),
        pytest.param(f"{TABLE}\nTable: Sets {{a, b}}", id="braces-that-are-not-attributes"),
        pytest.param(
            "- Item\n\n  " + TABLE.replace("\n", "\n  ") + "\n  : In the list", id="in-a-list"
        ),
        pytest.param(f"{TABLE}Table: directly after", id="caption-without-blank-line"),
    ],
)
def test_same_structure_as_pandoc(markdown: str, pandoc: Callable[..., str]) -> None:
    ours = structure(make_md().render(markdown + "\n"))
    theirs = structure(pandoc(markdown + "\n", "-t", "html"))
    assert ours, "the snippet must produce something to compare"
    for mine, expected in zip(ours, theirs, strict=True):
        assert mine == expected
