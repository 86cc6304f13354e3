"""How a work's cite reads alone is worked out once per build and style (to find the works a
brief cites that read alike); sharing it must not change a page."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from briefgen.build import build_site
from briefgen.config import load_config
from briefgen.format import engine

BIB = """
@article{smithj2020, author = {Smith, John}, title = {On ports}, journal = {Ports}, year = {2020}}
@article{smitha2020, author = {Smith, Anne}, title = {On roads}, journal = {Roads}, year = {2020}}
@article{smithj2020b, author = {Smith, John}, title = {On docks}, journal = {Ports}, year = {2020}}
@book{un2020, author = {{United Nations}}, title = {Report}, year = {2020}}
"""
FRONT = "---\ntitle: {title}\nauthors:\n  - name: Ada Lovelace\ndate: 2025-01-02\nsummary: S\n---\n"
BRIEFS = {
    "both": "As @smithj2020 argues, and @smitha2020 [p. 3] too; see [@un2020].",
    "one": "As @smithj2020 argues. Later @smithj2020 again.",
    "suffixes": "As @smithj2020b and @smithj2020 argue, and @un2020.",
    "other": "As @smitha2020 says [-@smitha2020, p. 4].",
}


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize("style", ["harvard-cite-them-right", "apa", "ieee"])
def test_shared_probes_change_no_page(
    style: str, make_project: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {
        "pyproject.toml": f'[tool.briefgen]\ntitle = "T"\nstyle = "{style}"\nsearch = false\n',
        "references.bib": BIB,
    }
    for slug, body in BRIEFS.items():
        files[f"content/{slug}/_index.md"] = FRONT.format(title=slug.title())
        files[f"content/{slug}/01-text.md"] = f"---\ntitle: Text\n---\n\n{body}\n"
    root = make_project(files)
    shutil.rmtree(root / "content" / "small")
    build_site(load_config(root), jobs=1)
    shared = tree(root / "site")
    monkeypatch.setattr(engine, "probes_are_shareable", lambda csl: False)
    build_site(load_config(root), jobs=1, incremental=False)
    assert tree(root / "site") == shared
