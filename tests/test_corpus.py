"""The benchmark corpus (``benchmarks/corpus.py``): deterministic, the promised size, and a
project briefgen builds without errors."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

from briefgen.build import build_site
from briefgen.config import load_config

REPO = Path(__file__).resolve().parents[1]
CITATION = re.compile(r"\[[^\[\]]*@[^\[\]]*\]|(?<![\w@\[;])@\w")
SMALL = {"briefs": 3, "entries": 200, "cited": 50}


@pytest.fixture(scope="module")
def corpus() -> ModuleType:
    spec = importlib.util.spec_from_file_location("corpus", REPO / "benchmarks" / "corpus.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["corpus"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_same_seed_same_bytes(corpus: ModuleType, tmp_path: Path) -> None:
    corpus.generate(tmp_path / "a", seed=7, **SMALL)
    corpus.generate(tmp_path / "b", seed=7, **SMALL)
    corpus.generate(tmp_path / "c", seed=8, **SMALL)
    assert tree(tmp_path / "a") == tree(tmp_path / "b")
    assert tree(tmp_path / "a") != tree(tmp_path / "c")


def test_sizes(corpus: ModuleType, tmp_path: Path) -> None:
    made = corpus.generate(tmp_path, briefs=20, entries=2000, cited=300, seed=1)
    briefs = sorted(p for p in (tmp_path / "content").iterdir() if p.is_dir())
    assert len(briefs) == len(made.briefs) == 20
    bib = (tmp_path / "references.bib").read_text(encoding="utf-8")
    assert len(re.findall(r"^@\w+\{", bib, flags=re.MULTILINE)) == made.entries == 2000
    for kind in ("article", "book", "report", "online", "incollection", "collection", "thesis"):
        assert f"@{kind}{{" in bib, kind
    assert "crossref = {" in bib and "doi = {10." in bib and "urldate = {" in bib
    assert "{{" in bib and r"{\'" in bib and r"\"u" in bib  # corporate authors, accents
    cited: set[str] = set()
    groups = 0
    for brief in briefs:
        sections = sorted(brief.glob("[0-9]*.md"))
        assert len(sections) == 5
        front = (brief / "_index.md").read_text(encoding="utf-8")
        for key in ("title:", "authors:", "date:", "summary:", "tags:"):
            assert key in front
        body = "\n".join(s.read_text(encoding="utf-8").split("\n---\n", 1)[1] for s in sections)
        words = len(CITATION.sub("", body).split())
        assert 2400 <= words <= 3600, (brief.name, words)
        found = CITATION.findall(body)
        assert 24 <= len(found) <= 36, (brief.name, len(found))
        groups += len(found)
        cited |= set(re.findall(r"@([\w:.\-]*\w)", body))
    assert groups == made.citations
    # The ~cited subset, each source at least once (20 briefs × 30 citations go round 300).
    assert cited == set(made.cited)
    assert len(cited) == 300
    text = "\n".join(p.read_text(encoding="utf-8") for p in tmp_path.rglob("0*.md"))
    assert re.search(r"\[@\w+, (p|pp|ch|para)\. ", text)  # locators
    assert re.search(r"\[(see )?@[^\]]*; @", text)  # multi-key groups
    assert re.search(r"As @\w+", text)  # narrative


def test_section_slugs_are_unique_in_each_brief(corpus: ModuleType, tmp_path: Path) -> None:
    """A section's slug is its id on the page (seed 1 drew one title twice within 75 briefs)."""
    corpus.generate(tmp_path, briefs=150, entries=300, cited=100, seed=1)
    for brief in (tmp_path / "content").iterdir():
        slugs = [section.stem.split("-", 1)[1] for section in brief.glob("[0-9]*.md")]
        assert len(set(slugs)) == len(slugs) == 5, (brief.name, slugs)


def test_builds_with_briefgen(corpus: ModuleType, tmp_path: Path) -> None:
    made = corpus.generate(tmp_path, seed=1, **SMALL)
    project = build_site(load_config(tmp_path))
    assert len(project.briefs) == 3
    for slug in made.briefs:
        assert (tmp_path / "site" / slug / "index.html").is_file()
    # Only uncited entries may warn.
    assert all("is not cited" in w.message for w in project.warnings)


def test_strip_citations_for_hugo(corpus: ModuleType, tmp_path: Path) -> None:
    made = corpus.generate(tmp_path, seed=1, **SMALL)
    pages = corpus.strip_citations(tmp_path)
    assert sorted(pages) == [f"{slug}.md" for slug in made.briefs]
    for text in pages.values():
        front, body = text.split("\n---\n", 1)
        assert front.startswith("---\ntitle:") and "\ntags:" in front and "authors:" in front
        assert "@" not in body
        assert body.count("\n## ") == 4  # sections after the lead, under their titles
