"""``briefgen import`` writes a brief that builds, or nothing at all, and says why in one line."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape
from pathlib import Path

import pytest
import yaml

from briefgen.bibliography import parse_bibliography
from briefgen.errors import Diagnostics
from briefgen.format.csljson import entry_to_csl
from briefgen.importer.compose import ImportedEntry, escape_prose, to_bibtex
from briefgen.importer.records import ParsedReference
from briefgen.model import Project

from .helpers import SEED, build, new_project, only_brief, run_import

ONE_REFERENCE = "\n\nReferences\n\n[1] Doe, J. (2020) Title. Example Site. Available from: https://example.org/one\n"
CSIS = "Center for Strategic and International Studies"


def _page_text(root: Path, slug: str) -> str:
    page = (root / "site" / slug / "index.html").read_text(encoding="utf-8")
    return unescape(re.sub(r"<[^>]+>", "", page))


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        pytest.param("2019.", r"2019\.", id="year-alone"),
        pytest.param("see\n7)", "see\n7\\)", id="number-ending-a-line"),
        pytest.param("a.\n(b)", "a\\.\n(b\\)", id="letters"),
    ],
)
def test_a_line_that_is_only_a_number_is_escaped(text: str, escaped: str) -> None:
    assert escape_prose(text) == escaped


def test_a_line_that_is_only_a_number_keeps_its_number(
    tmp_path: Path, article: Callable[[str], Path]
) -> None:
    source = article("A Calm Year\n\n2019.\nThe year was calm [1]." + ONE_REFERENCE)
    root = new_project(tmp_path / "project")
    assert run_import(root, str(source), "--slug", "calm") == 0
    assert len(only_brief(build(root)).citations.notes) == 1
    page = (root / "site" / "calm" / "index.html").read_text(encoding="utf-8")
    assert "2019." in _page_text(root, "calm")
    prose = page[page.index("2019") : page.index('id="references"')]
    assert re.findall(r"<(?:ul|ol)\b", prose) == []


@pytest.mark.parametrize(
    ("field", "csl"),
    [
        pytest.param("organization", "publisher", id="organization"),
        pytest.param("publisher", "publisher", id="publisher"),
        pytest.param("institution", "publisher", id="institution"),
        pytest.param("location", "publisher-place", id="location"),
    ],
)
def test_a_name_with_and_stays_one_name(field: str, csl: str) -> None:
    reference = ParsedReference(
        "Rubio, J. (2024) A title.", "misc", {"title": "A title", field: CSIS}
    )
    bibtex = to_bibtex(ImportedEntry("rubio2024title", reference, ("1",), 1))
    assert f"  {field} = {{{{{CSIS}}}}},\n" in bibtex
    entries = parse_bibliography(bibtex, Path("x.bib"), Diagnostics()).entries
    assert entry_to_csl(entries["rubio2024title"])[csl] == CSIS
    plain = ParsedReference("Doe, J. (2024) B.", "misc", {"title": "B", field: "Example Press"})
    assert f"  {field} = {{Example Press}},\n" in to_bibtex(ImportedEntry("doe", plain, ("2",), 2))


def test_an_organisation_with_and_is_printed_whole(
    imported: tuple[Path, Project], shipped: tuple[Path, Project]
) -> None:
    for root in (imported[0], shipped[0]):
        text = _page_text(root, "cecot")
        assert CSIS in text
        assert "Strategic; International" not in text


def test_another_bibliography_is_the_briefs_own(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = new_project(tmp_path / "project")
    capsys.readouterr()  # what init printed
    project_bib = (root / "references.bib").read_text(encoding="utf-8")
    assert run_import(root, str(SEED), "--slug", "cecot", "--bibliography", "cecot.bib") == 0
    assert "added 27 entries to cecot.bib" in capsys.readouterr().err
    index = (root / "content" / "cecot" / "_index.md").read_text(encoding="utf-8")
    assert yaml.safe_load(index.strip("-\n"))["bibliography"] == "../../cecot.bib"
    assert (root / "references.bib").read_text(encoding="utf-8") == project_bib
    brief = only_brief(build(root))
    assert len(brief.citations.notes) == 28


def test_a_bibliography_that_cannot_be_written_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = new_project(tmp_path / "project")
    capsys.readouterr()  # what init printed
    bib = (root / "references.bib").read_text(encoding="utf-8")
    assert run_import(root, str(SEED), "--bibliography", "references.bib/sub.bib") == 1
    err = capsys.readouterr().err
    assert err == (
        "references.bib: exists and is not a folder, so references.bib/sub.bib cannot be "
        "written; move it or choose another place\n"
    )
    assert list((root / "content").iterdir()) == [root / "content" / ".gitkeep"]
    assert (root / "references.bib").read_text(encoding="utf-8") == bib


def test_a_content_folder_that_is_a_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = new_project(tmp_path / "project")
    capsys.readouterr()  # what init printed
    (root / "content" / ".gitkeep").unlink()
    (root / "content").rmdir()
    (root / "content").write_text("", encoding="utf-8")
    bib = (root / "references.bib").read_text(encoding="utf-8")
    assert run_import(root, str(SEED), "--slug", "cecot") == 1
    err = capsys.readouterr().err
    assert err.startswith("content: exists and is not a folder, so content/cecot/_index.md")
    assert "Traceback" not in err and len(err.splitlines()) == 1
    assert (root / "references.bib").read_text(encoding="utf-8") == bib


def test_a_long_slug_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = new_project(tmp_path / "project")
    capsys.readouterr()  # what init printed
    assert run_import(root, str(SEED), "--slug", "a" * 300) == 2
    assert "has 300 characters; expected at most 80" in capsys.readouterr().err
    assert list((root / "content").iterdir()) == [root / "content" / ".gitkeep"]


def test_messages_come_in_line_order_with_whole_file_ones_last(
    tmp_path: Path, article: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    source = article("A Title\n\nA claim[1] and [ii] again.\n")
    root = new_project(tmp_path / "project")
    capsys.readouterr()  # what init printed
    assert run_import(root, str(source)) == 1
    lines = capsys.readouterr().err.splitlines()
    assert [line.split(": ")[0] for line in lines] == [f"{source}:3", str(source)]
    assert "no reference list found" in lines[1]
