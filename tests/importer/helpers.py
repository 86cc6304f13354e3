"""Helpers for the importer's tests: projects made with ``briefgen init``, then imported into."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

from briefgen.build import build_site, load_project
from briefgen.cli import main
from briefgen.config import load_config
from briefgen.model import Project, ResolvedBrief

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "tests" / "fixtures" / "cecot-article.txt"
"""The article the shipped brief content/cecot/ was made from by hand (a copy of
../shared/seed/cecot-article.txt, so that a clone alone runs the tests)."""


def new_project(root: Path) -> Path:
    """A project made by ``briefgen init`` (its references.bib holds one example entry)."""
    assert main(["init", str(root)]) == 0
    return root


def run_import(root: Path, *args: str) -> int:
    """``briefgen -C ROOT import ARGS…``; returns the exit code."""
    return main(["-C", str(root), "import", *args])


def build(root: Path) -> Project:
    """Build the site, and return the project as resolved (a build keeps no citations)."""
    build_site(load_config(root))
    return load_project(load_config(root))


def only_brief(project: Project) -> ResolvedBrief:
    (brief,) = project.briefs
    return brief


def note_urls(brief: ResolvedBrief) -> list[tuple[str | None, ...]]:
    """Each endnote's cited URLs, in reading order (None for a work without one)."""
    return [tuple(cite.entry.url for cite in note.cites) for note in brief.citations.notes]


def page_note_urls(page: Path) -> list[tuple[str, list[str]]]:
    """From the built page: each note's label and the web links in its text, in order."""
    html = page.read_text(encoding="utf-8")
    notes = re.findall(
        r'<li id="note-([^"]+)" class="note">.*?<p class="note-text"[^>]*>(.*?)</p>', html, re.S
    )
    return [
        (label, [unescape(u) for u in re.findall(r'href="(https?://[^"]+)"', text)])
        for label, text in notes
    ]
