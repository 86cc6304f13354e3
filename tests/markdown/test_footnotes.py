from __future__ import annotations

from html import escape
from pathlib import Path

import pytest
from markdown_it.utils import read_fixture_file

from briefgen.markdown import MarkdownEnv, create_markdown
from briefgen.model import CitationGroup, Footnote

FIXTURES = Path(__file__).parent / "fixtures" / "footnotes.md"


def parse(text: str, **env: object) -> tuple[str, MarkdownEnv]:
    md = create_markdown()
    state: MarkdownEnv = {"path": Path("doc.md"), **env}  # type: ignore[typeddict-item]
    tokens = md.parse(text, state)
    groups = state["citations"]
    state["render_marker"] = lambda i: (
        f'<sup data-keys="{escape(" ".join(item.key for item in groups[i].items))}">{i + 1}</sup>'
    )
    state["render_footnote"] = lambda key, repeat: (
        f'<sup data-note="{escape(key)}" data-repeat="{repeat}">†</sup>'
    )
    return str(md.renderer.render(tokens, md.options, state)), state


@pytest.mark.parametrize(
    ("line", "title", "text", "expected"),
    [pytest.param(*case, id=case[1]) for case in read_fixture_file(FIXTURES)],
)
def test_fixture(line: int, title: str, text: str, expected: str) -> None:
    assert parse(text)[0] == expected


def test_reading_order_puts_a_footnotes_citations_after_it() -> None:
    _, env = parse("One [@a].[^n] Two [@c].\n\n[^n]: See [@b].\n")
    marks = env["marks"]
    kinds = [
        mark.items[0].key if isinstance(mark, CitationGroup) else f"fn:{mark.label}"
        for mark in marks
    ]
    assert kinds == ["a", "fn:n", "b", "c"]
    inside = [m for m in marks if isinstance(m, CitationGroup) and m.footnote]
    assert [g.items[0].key for g in inside] == ["b"]
    footnote = next(m for m in marks if isinstance(m, Footnote))
    assert inside[0].footnote == footnote.key
    assert inside[0].location.line == 3  # the definition's line, not the reference's


def test_undefined_and_unused_footnotes_are_errors_at_their_lines() -> None:
    _, env = parse("Intro.\n\nText[^missing] here.\n\n[^spare]: Never used.\n", line_offset=4)
    errors = sorted(error.format() for error in env.get("errors", []))
    assert errors == [
        "doc.md:7: footnote [^missing] is referenced but never defined; add a line "
        "'[^missing]: …' with its text",
        "doc.md:9: footnote [^spare] is defined but never referenced; cite it in the text as "
        "[^label], or remove it",
    ]


def test_a_footnote_body_leaves_the_text() -> None:
    html, env = parse("Text.[^1]\n\n[^1]: First paragraph.\n\n    Second paragraph.\n")
    assert "paragraph" not in html
    (body,) = env["footnote_bodies"].values()
    assert [t.type for t in body].count("paragraph_open") == 2


def test_a_footnote_defined_twice_is_an_error_at_the_second() -> None:
    _, env = parse("A[^d].\n\n[^d]: One.\n[^d]: Two.\n", line_offset=3)
    assert [error.format() for error in env.get("errors", [])] == [
        "doc.md:7: footnote [^d] is defined twice (first on line 6); give each its own label"
    ]
