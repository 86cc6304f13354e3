"""In-text citations and note styles in Chromium: accessible, each citation reaching its work."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .conftest import helpers
from .test_accessibility import axe_violations

BODY = (
    "---\ntitle: The Deal\n---\n"
    "As @blum2004 [p. 3] shows, aid was political [see @batz2021, pp. 4--6; -@blum2004].\n\n"
    "It was noted before [@batz2021].\n"
)


def _site(root: Path, style: str, mode: str) -> Path:
    helpers.small_project(root)
    (root / "content/small/_index.md").write_text(
        f"---\ntitle: Modes\nstyle: {style}\ncitations: {mode}\nbibliography: true\n---\n",
        encoding="utf-8",
    )
    (root / "content/small/01-the-deal.md").write_text(BODY, encoding="utf-8")
    helpers.build(root)
    return root / "site" / "small" / "index.html"


@pytest.fixture(scope="module")
def in_text_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _site(tmp_path_factory.mktemp("in-text"), "apa", "in-text")


@pytest.fixture(scope="module")
def notes_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _site(tmp_path_factory.mktemp("notes"), "chicago-notes-bibliography", "endnotes")


def test_in_text_citations_link_to_their_works(
    in_text_page: Path, new_page: Any, artifacts: Path
) -> None:
    page = new_page(viewport={"width": 1280, "height": 900})
    page.goto(in_text_page.as_uri())
    assert page.locator(".citation").first.inner_text() == "Blum (2004, p. 3)"
    assert axe_violations(page) == []
    links = page.locator(".citation a")
    assert links.count() == 4  # one per work cited: the group of two gives two
    for index in range(links.count()):
        target = links.nth(index).get_attribute("href")
        assert target is not None and page.locator(target).count() == 1, target
    page.locator(".citation a").last.click()
    assert page.evaluate("location.hash") == "#work-batz2021"
    assert page.locator("#work-batz2021").is_visible()
    page.screenshot(path=str(artifacts / "in-text-citations.png"), full_page=True)


def test_note_style_notes_are_accessible_and_short_after_the_first(
    notes_page: Path, new_page: Any
) -> None:
    page = new_page(viewport={"width": 390, "height": 844})
    page.goto(notes_page.as_uri())
    assert axe_violations(page) == []
    notes = page.locator(".note-text").all_inner_texts()
    # @blum2004 names the author in the sentence, so the note leaves it out (as in Pandoc).
    assert page.locator("#the-deal p").first.inner_text().startswith("As William Blum[1] shows")
    assert notes[0] == "Killing Hope (Zed Books, 2004), 3."
    assert notes[1].startswith("See Giovanni Batz and Jean de la Fontaine, ‘Displacement")
    assert notes[2] == "Batz and Fontaine, ‘Displacement & Its Discontents’."  # short form
    assert page.locator("#references .csl-entry").count() == 2
