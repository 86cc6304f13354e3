"""'Same source also cited at': every other note while they are few, then folded, so a source
cited thousands of times gives a page that grows with its notes, not with their square."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from briefgen.build import build_site
from briefgen.config import load_config

BIB = """
@book{k1, author = {Doe, Jane}, title = {Hot}, year = {2020}, publisher = {P}}
@book{k2, author = {Roe, Jim}, title = {Cold}, year = {2021}, publisher = {P}}
@book{k3, author = {Poe, Al}, title = {Lone}, year = {2022}, publisher = {P}}
"""


def build(make_project: Callable[..., Path], body: str) -> str:
    root = make_project(
        {
            "references.bib": BIB,
            "content/small/_index.md": "---\ntitle: A small brief\nauthors:\n  - name: Ada\n"
            "date: 2025-01-02\nsummary: Short.\nnumbering: arabic\n---\n",
            "content/small/01-the-deal.md": f"---\ntitle: The Deal\n---\n\n{body}\n",
        }
    )
    build_site(load_config(root), jobs=1)
    return (root / "site" / "small" / "index.html").read_text(encoding="utf-8")


def also(html: str, note: int) -> str:
    found = re.search(rf'<li id="note-{note}".*?</li>', html, flags=re.DOTALL)
    assert found, note
    text = re.search(r'class="also-cited">(.*?)</span>', found.group(0), flags=re.DOTALL)
    return re.sub(r"<[^>]+>", "", text.group(1)) if text else ""


def test_few_are_all_named(make_project: Callable[..., Path]) -> None:
    html = build(make_project, "A [@k1]. B [@k2]. C [@k1; @k2]. D [@k3]. E [@k1].")
    assert also(html, 1) == " · Same source also cited at [3], [5]"
    assert also(html, 3) == " · Same source also cited at [1], [2], [5]"
    assert also(html, 4) == ""


def test_many_are_folded(make_project: Callable[..., Path]) -> None:
    cites = " ".join("A [@k1; @k2]." if n % 3 == 0 else "B [@k1]." for n in range(3000))
    html = build(make_project, cites + " C [@k3].")
    first = also(html, 1)
    assert first.startswith(" · Same source also cited at [2], [3], [4], [5], [6], [7], [8], [9],")
    assert first.endswith("[11] and 2,989 other places")
    assert also(html, 2999).endswith("[10] and 2,989 other places")
    assert also(html, 3001) == ""
    assert len(html) < 3000 * 3000  # each note names at most ten others
