"""Headings, HTML comments, fenced divs and cross-references: each plugin's fixture file."""

from __future__ import annotations

from pathlib import Path

import pytest
from markdown_it.utils import read_fixture_file

from briefgen.markdown import MarkdownEnv, create_markdown, parse_section
from briefgen.model import Section

FIXTURES = Path(__file__).parent / "fixtures"
NUMBERS = {"fig-heat": "1", "tbl-regions": "2", "sec-the-deal": "2"}
TITLES = {"fig-heat": "Figure 1", "tbl-regions": "Table 2", "sec-the-deal": "Section 2"}


def render(text: str) -> str:
    md = create_markdown()
    env: MarkdownEnv = {"path": Path("doc.md"), "top_rank": 3}
    tokens = md.parse(text, env)  # type: ignore[arg-type]
    env["render_marker"] = lambda index: "[citation]"
    env["crossref_titles"] = TITLES
    env["crossref_numbers"] = NUMBERS
    env["crossref_anchors"] = {"sec-the-deal": "the-deal"}
    return str(md.renderer.render(tokens, md.options, env))  # type: ignore[arg-type]


def cases(name: str) -> list[object]:
    return [pytest.param(*case, id=case[1]) for case in read_fixture_file(FIXTURES / name)]


@pytest.mark.parametrize(("line", "title", "text", "expected"), cases("headings.md"))
def test_headings(line: int, title: str, text: str, expected: str) -> None:
    assert render(text) == expected


@pytest.mark.parametrize(("line", "title", "text", "expected"), cases("comments.md"))
def test_comments(line: int, title: str, text: str, expected: str) -> None:
    assert render(text) == expected


@pytest.mark.parametrize(("line", "title", "text", "expected"), cases("divs.md"))
def test_divs(line: int, title: str, text: str, expected: str) -> None:
    assert render(text) == expected


def test_a_refused_div_attribute_is_reported_at_its_line() -> None:
    env: MarkdownEnv = {"path": Path("doc.md"), "line_offset": 2}
    create_markdown().parse("Text.\n\n::: {.x onclick=\"alert(1)\"}\ny\n:::\n", env)  # type: ignore[arg-type]
    assert [e.format() for e in env.get("errors", [])] == [
        "doc.md:5: fenced div attribute 'onclick' was left out: event handlers run scripts"
    ]


@pytest.mark.parametrize(("line", "title", "text", "expected"), cases("crossrefs.md"))
def test_crossrefs(line: int, title: str, text: str, expected: str) -> None:
    assert render(text) == expected


def parse(body: str, *, lead: bool = False, used: set[str] | None = None) -> object:
    section = Section(Path("content/b/01-x.md"), "x", "X", 1, lead, body, 4)
    return parse_section(section, used_ids=used)


def test_heading_ids_stay_unique_across_a_briefs_sections() -> None:
    used = {"notes", "x", "x-title"}
    first = parse("# Notes\n\n# Method\n", used=used)
    second = parse("# Method\n", used=used)
    assert [h.id for h in first.headings] == ["notes-1", "method"]  # type: ignore[attr-defined]
    assert [h.id for h in second.headings] == ["method-1"]  # type: ignore[attr-defined]


def test_a_lead_sections_headings_rank_below_the_brief_title() -> None:
    parsed = parse("# Opening\n", lead=True)
    assert [h.rank for h in parsed.headings] == [2]  # type: ignore[attr-defined]


def test_a_repeated_explicit_id_is_an_error_at_its_line() -> None:
    parsed = parse("# A {#same}\n\ntext\n\n# B {#same}\n")
    assert [e.format() for e in parsed.errors] == [  # type: ignore[attr-defined]
        "content/b/01-x.md:8: heading id 'same' is used twice on this page; give each "
        "heading its own {#id}"
    ]


def test_labels_and_references_are_recorded_with_their_lines() -> None:
    parsed = parse("Intro.\n\nSee\n@fig-heat.\n\n![Heat](h.png){#fig-heat}\n")
    assert [(r.labels, r.location.line) for r in parsed.crossrefs] == [  # type: ignore[attr-defined]
        (("fig-heat",), 7)
    ]
    assert [(lab.id, lab.kind, lab.location.line) for lab in parsed.labels] == [  # type: ignore[attr-defined]
        ("fig-heat", "figure", 9)
    ]
