from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from briefgen.build import load_project
from briefgen.config import load_config
from briefgen.content import load_briefs
from briefgen.errors import BuildFailed, Diagnostics


def load(root: Path) -> tuple[list[object], list[str]]:
    diagnostics = Diagnostics()
    briefs = load_briefs(load_config(root), diagnostics)
    return briefs, sorted(d.format() for d in diagnostics.items)


def test_cecot_brief(make_project: Callable[..., Path]) -> None:
    diagnostics = Diagnostics()
    (brief,) = load_briefs(load_config(make_project(cecot=True)), diagnostics)
    assert diagnostics.items == []
    assert brief.slug == "cecot"
    assert brief.numbering == "lower-roman"
    assert brief.date == dt.date(2025, 2, 11)
    assert [a.name for a in brief.authors] == ["Doug Specht"]
    assert brief.authors[0].bio.startswith("Dr. Doug Specht is a Chartered Geographer")
    assert [(s.title, s.lead) for s in brief.sections] == [
        ("Introduction", True),
        ("The Deal", False),
        ("Political and Legal Implications", False),
        ("The CECOT Mega-Prison and Public Concern", False),
        ("Broader Implications", False),
    ]


def test_sections_follow_order_then_body_line(make_project: Callable[..., Path]) -> None:
    root = make_project(
        {
            "content/small/02-second.md": "---\ntitle: Second\norder: 0\n---\n\nBody.\n",
        }
    )
    (brief,), problems = load(root)
    assert problems == []
    assert [s.title for s in brief.sections] == ["Second", "The Deal"]  # type: ignore[attr-defined]
    assert brief.sections[0].body_line == 5  # type: ignore[attr-defined]


def test_layout_errors(make_project: Callable[..., Path]) -> None:
    root = make_project(
        {
            "content/small/notes.md": "---\ntitle: Notes\n---\n",
            "content/small/07-dup.md": "---\ntitle: Dup\norder: 1\n---\n",
            "content/small/08-open.md": "---\ntitle: Open\n",
            "content/small/09-list.md": "---\n- a\n- b\n---\n",
            "content/Bad_Name/_index.md": "---\ntitle: X\n---\n",
            "content/Bad_Name/01-a.md": "---\ntitle: A\n---\n",
            "content/empty/_index.md": "---\ntitle: Empty\n---\n",
        }
    )
    _, problems = load(root)
    assert problems == [
        "content/Bad_Name: brief folder name 'Bad_Name' must be lower-case letters, digits and"
        " hyphens",
        "content/empty: brief has no sections; expected files named like 01-introduction.md",
        "content/small/07-dup.md:1: section order 1 is also used by content/small/01-the-deal.md",
        "content/small/08-open.md:1: front matter is not closed; expected a '---' line after it",
        "content/small/09-list.md:2: front matter must be a mapping of keys to values, not list",
        "content/small/notes.md: section file name 'notes.md' should look like 'NN-slug.md'"
        " (e.g. 02-the-deal.md)",
    ]


def test_missing_index_and_content(tmp_path: Path) -> None:
    _, problems = load(tmp_path)
    assert problems == [
        "content: content folder not found; expected one folder per brief, e.g. content/my-brief/"
    ]
    (tmp_path / "content" / "brief").mkdir(parents=True)
    (tmp_path / "content" / "brief" / "01-a.md").write_text("---\ntitle: A\n---\n", "utf-8")
    _, problems = load(tmp_path)
    assert problems == [
        "content/brief/_index.md: missing _index.md; expected the brief's front matter (title,"
        " authors, date, summary) there"
    ]


@pytest.mark.parametrize("name", ["02-notes.md", "02-references.md", "02-note-one.md"])
def test_a_section_cannot_take_an_id_the_page_uses(
    make_project: Callable[..., Path], name: str
) -> None:
    root = make_project({f"content/small/{name}": "---\ntitle: T\n---\nText.\n"})
    diagnostics = Diagnostics()
    load_briefs(load_config(root), diagnostics)
    (error,) = diagnostics.errors
    assert error.format().startswith(f"content/small/{name}: section file name {name!r} gives")


@pytest.mark.parametrize("name", ["tags", "search", "static", "pagefind"])
def test_a_brief_may_not_take_a_site_folders_name(
    make_project: Callable[..., Path], name: str
) -> None:
    root = make_project()
    shutil.copytree(root / "content" / "small", root / "content" / name)
    with pytest.raises(BuildFailed) as info:
        load_project(load_config(root))
    assert [d.format() for d in info.value.diagnostics] == [
        f"content/{name}: brief folder name {name!r} is a folder of the site itself (_briefgen, "
        "pagefind, search, static, tags); rename the brief's folder"
    ]
