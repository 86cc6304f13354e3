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
from briefgen.text import quote


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


# --- Hostile input (issue 11) ------------------------------------------------------------


def test_a_folder_name_ending_in_a_newline_is_refused(make_project: Callable[..., Path]) -> None:
    root = make_project()
    shutil.copytree(root / "content" / "small", root / "content" / "nl\n")
    _, problems = load(root)
    assert problems == [
        "content/nl\n: brief folder name 'nl\\n' must be lower-case letters, digits and hyphens"
    ]


def test_two_sections_with_one_slug_are_an_error_naming_both(
    make_project: Callable[..., Path],
) -> None:
    root = make_project({"content/small/02-the-deal.md": "---\ntitle: Again\n---\nText.\n"})
    _, problems = load(root)
    assert problems == [
        "content/small/02-the-deal.md: section slug 'the-deal' is also used by "
        "content/small/01-the-deal.md; each section's slug is its id on the page, so rename one "
        "of the files"
    ]


def test_a_section_that_is_not_utf8_names_the_line_and_byte(
    make_project: Callable[..., Path],
) -> None:
    root = make_project()
    section = root / "content" / "small" / "01-the-deal.md"
    section.write_bytes(b"---\ntitle: The Deal\n---\nFirst line.\nCaf\xe9 [@blum2004].\n")
    _, problems = load(root)
    assert problems == [
        "content/small/01-the-deal.md:5: byte 0xE9 (byte 4 of the line) is not valid UTF-8 "
        "(invalid continuation byte); save the file as UTF-8",
        "content/small: brief has no sections; expected files named like 01-introduction.md",
    ]


def test_a_control_character_in_a_body_is_an_error_at_its_line(
    make_project: Callable[..., Path],
) -> None:
    section = "---\ntitle: The Deal\n---\nFine.\n\nA bell\x07 [@blum2004].\n"
    root = make_project({"content/small/01-the-deal.md": section})
    _, problems = load(root)
    assert problems == [
        "content/small/01-the-deal.md:6: the control character U+0007 at column 7; remove it "
        "(it would make the page's XML, feeds and exports ill-formed)",
        "content/small: brief has no sections; expected files named like 01-introduction.md",
    ]


def _outside(tmp_path: Path) -> Path:
    secret = tmp_path / "elsewhere"
    secret.mkdir()
    (secret / "_index.md").write_text("---\ntitle: Secret\n---\n", "utf-8")
    (secret / "01-secret.md").write_text("---\ntitle: Secret\n---\nPrivate.\n", "utf-8")
    return secret


def test_a_section_linked_from_outside_the_project_is_refused(
    make_project: Callable[..., Path], tmp_path: Path
) -> None:
    secret = _outside(tmp_path)
    root = make_project()
    (root / "content" / "small" / "02-secret.md").symlink_to(secret / "01-secret.md")
    (brief,), problems = load(root)
    assert problems == [
        f"content/small/02-secret.md: symbolic link points outside the project, to "
        f"{quote(str(secret / '01-secret.md'))}; content must lie inside the project's folder "
        "(copy the file in instead)"
    ]
    assert [s.title for s in brief.sections] == ["The Deal"]  # type: ignore[attr-defined]


def test_a_brief_folder_linked_from_outside_the_project_is_refused(
    make_project: Callable[..., Path], tmp_path: Path
) -> None:
    secret = _outside(tmp_path)
    root = make_project()
    (root / "content" / "secret").symlink_to(secret, target_is_directory=True)
    briefs, problems = load(root)
    assert problems == [
        f"content/secret: symbolic link points outside the project, to {quote(str(secret))}; "
        "content must lie inside the project's folder (copy the file in instead)"
    ]
    assert [b.slug for b in briefs] == ["small"]  # type: ignore[attr-defined]


def test_links_inside_the_project_are_followed(make_project: Callable[..., Path]) -> None:
    root = make_project({"shared/02-shared.md": "---\ntitle: Shared\n---\nText.\n"})
    (root / "content" / "small" / "02-shared.md").symlink_to(root / "shared" / "02-shared.md")
    (brief,), problems = load(root)
    assert problems == []
    assert [s.title for s in brief.sections] == ["The Deal", "Shared"]  # type: ignore[attr-defined]


def test_symlink_loops_are_errors_not_tracebacks(make_project: Callable[..., Path]) -> None:
    root = make_project()
    small = root / "content" / "small"
    (small / "02-loop.md").symlink_to(small / "03-loop.md")
    (small / "03-loop.md").symlink_to(small / "02-loop.md")
    (root / "content" / "circle").symlink_to(root / "content" / "circle")
    with pytest.raises(BuildFailed) as info:
        load_project(load_config(root))
    assert [d.format() for d in info.value.diagnostics] == [
        f"content/{name}: symbolic link loops or points to nothing; expected a file or folder "
        "of the project"
        for name in ("circle", "small/02-loop.md", "small/03-loop.md")
    ]


def test_an_index_linked_from_outside_the_project_is_refused(
    make_project: Callable[..., Path], tmp_path: Path
) -> None:
    secret = _outside(tmp_path)
    root = make_project()
    index = root / "content" / "small" / "_index.md"
    index.unlink()
    index.symlink_to(secret / "_index.md")
    _, problems = load(root)
    assert problems == [
        f"content/small/_index.md: symbolic link points outside the project, to "
        f"{quote(str(secret / '_index.md'))}; content must lie inside the project's folder "
        "(copy the file in instead)"
    ]
