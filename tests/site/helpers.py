"""Build a project into a temporary folder and read what the reader's site holds."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from briefgen.build import build_site
from briefgen.config import load_config
from briefgen.linkcheck.cache import LinkCache
from briefgen.linkcheck.verdict import LinkResult, Verdict
from briefgen.model import Project

REPO = Path(__file__).resolve().parents[2]

SPECHT_URL = (
    "https://theconversation.com/el-salvador-young-maverick-bukele-wins-presidential-election-"
    "but-countrys-future-remains-uncertain-111775"
)
"""Endnote [i]: broken in :func:`sample_health`, with an archived copy."""
NPR_URL = "https://www.npr.org/2025/02/04/g-s1-46352/rubio-el-salvador-deportees-americans"
"""Endnote [ii]: verified working."""
NBC_URL = (
    "https://www.nbcnews.com/politics/national-security/trump-designates-cartels-terrorist-"
    "organizations-rcna192826"
)
"""Endnote [iii]: the site turns the checker away."""
ARCHIVE_URL = "https://web.archive.org/web/20250115000000/" + SPECHT_URL


def copy_cecot(root: Path, *, base_url: str = "https://briefs.example.org/") -> Path:
    """A copy of the shipped CECOT project (content, bibliography, templates) in ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    for folder in ("content", "templates"):
        shutil.copytree(REPO / folder, root / folder)
    shutil.copy(REPO / "references.bib", root / "references.bib")
    (root / "pyproject.toml").write_text(
        f'[tool.briefgen]\ntitle = "Test briefs"\nbase_url = "{base_url}"\n', encoding="utf-8"
    )
    return root


FEATURES = REPO / "tests" / "fixtures" / "features"
"""A project whose one brief uses every Pandoc Markdown feature briefgen reads."""


def add_features_brief(root: Path) -> None:
    """Add the features brief and its sources to the project in ``root``."""
    shutil.copytree(FEATURES / "content" / "features", root / "content" / "features")
    bib = (FEATURES / "references.bib").read_text(encoding="utf-8")
    with (root / "references.bib").open("a", encoding="utf-8") as file:
        file.write("\n" + bib)


def build(root: Path) -> Project:
    """Build the project in ``root`` into ``root/site``."""
    return build_site(load_config(root))


def store_health(root: Path, results: Iterable[LinkResult]) -> None:
    """Record verdicts in the project's link cache through the checker's own cache API."""
    with LinkCache.open(load_config(root).cache_dir) as cache:
        cache.store(results)


def sample_health(root: Path) -> None:
    """Note [i] broken with an archived copy, [ii] verified working, [iii] blocked."""
    ok_at = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    broken_at = datetime(2025, 3, 20, 9, 30, tzinfo=UTC)
    bib = (root / "references.bib").read_text(encoding="utf-8")
    for url in (SPECHT_URL, NPR_URL, NBC_URL):
        assert url in bib, f"the CECOT bibliography no longer cites {url}"
    store_health(
        root,
        [
            LinkResult(SPECHT_URL, Verdict.OK, "ok (200)", 200, SPECHT_URL, checked_at=ok_at),
            LinkResult(NPR_URL, Verdict.OK, "ok (200)", 200, NPR_URL, checked_at=ok_at),
            LinkResult(NBC_URL, Verdict.BLOCKED, "forbidden (403)", 403, NBC_URL, checked_at=ok_at),
        ],
    )
    # A later run finds [i] gone; the cache keeps the day it was last seen live.
    store_health(
        root, [LinkResult(SPECHT_URL, Verdict.BROKEN, "not found (404)", 404, checked_at=broken_at)]
    )
    with LinkCache.open(load_config(root).cache_dir) as cache:
        cache.store_archive(SPECHT_URL, ARCHIVE_URL, datetime(2025, 1, 15, tzinfo=UTC))


SMALL_BIB = """\
@book{blum2004,
  author = {Blum, William},
  title = {Killing Hope},
  publisher = {Zed Books},
  date = {2004},
}

@article{batz2021,
  author = {Batz, Giovanni and de la Fontaine, Jean},
  title = {Displacement & its discontents},
  journal = {Journal of <Latin> American Studies},
  volume = {53},
  number = {2},
  pages = {201--230},
  date = {2021-05},
  doi = {10.1017/S0022216X21000201},
}
"""


def small_project(root: Path, *, title: str = "A small brief", base_url: str = "") -> Path:
    """A one-section brief citing two works (one of them twice), with a chosen title."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "templates", root / "templates")
    table = '[tool.briefgen]\ntitle = "Test <briefs> & co"\n'
    if base_url:
        table += f'base_url = "{base_url}"\n'
    files = {
        "pyproject.toml": table,
        "references.bib": SMALL_BIB,
        "content/small/_index.md": (
            "---\n"
            f"title: {json.dumps(title)}\n"
            "authors:\n  - name: Ada Lovelace\n    bio: Wrote <the> first program.\n"
            "date: 2025-01-02\n"
            'summary: "Short & sweet: </script> is not a tag here."\n'
            "numbering: lower-roman\n---\n"
        ),
        "content/small/01-the-deal.md": (
            "---\ntitle: The Deal\n---\nFirst claim[@blum2004] here.\n\n"
            "Second claim[@batz2021] and again[@blum2004, p. 3].\n"
        ),
    }
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root
