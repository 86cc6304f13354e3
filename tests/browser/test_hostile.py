"""Hostile content and BibTeX, opened in Chromium: no script of an author's choosing runs, and
no link a reader can click leads anywhere but the web (or the page itself)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from briefgen.build import build_site
from briefgen.config import load_config
from briefgen.linkcheck.cache import LinkCache
from briefgen.linkcheck.verdict import LinkResult, Verdict

from .conftest import serving

WEB = "https://example.org/cited"
AUTHOR = "https://example.org/author"
# (A script as an author's url is an error at the front matter: tests/corpus/author-url-script.)

BIB = f"""
@online{{hostile,
  author = {{Mallory, Eve}},
  title = {{<img src=x onerror=alert(7)> and <script>alert(8)</script>}},
  url = {{javascript:alert(9)}},
  urldate = {{2025-01-01}},
}}
@online{{web,
  author = {{Trent, Tom}},
  title = {{A live page}},
  url = {{{WEB}}},
  urldate = {{2025-01-01}},
}}
@article{{doi,
  author = {{Doe, Jo}},
  title = {{A DOI "onmouseover=alert(10) x="}},
  journal = {{J}},
  year = {{2020}},
  doi = {{10.1/x" onmouseover="alert(11)}},
}}
"""


def project(root: Path, base_url: str) -> Path:
    authors = f'  - name: <b>Author</b> "x" onmouseover=alert(6)\n    url: {AUTHOR}\n'
    files = {
        "pyproject.toml": f'[tool.briefgen]\ntitle = "T"\nbase_url = "{base_url}"\n'
        "search = false\n",
        "references.bib": BIB,
        "content/hostile/_index.md": '---\ntitle: "<script>alert(12)</script> x"\n'
        f"authors:\n{authors}date: 2025-01-02\n"
        'summary: "<img src=x onerror=alert(13)>"\n---\n',
        "content/hostile/01-text.md": "---\ntitle: Text\n---\n\n"
        "Cited [@hostile], [@web] and [@doi]. A [link](javascript:alert(14)) and "
        '<a href="javascript:alert(15)">raw</a>.\n',
    }
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    # An archive service that answered with a script for the live page's "archived copy".
    checked = datetime(2025, 3, 1, tzinfo=UTC)
    with LinkCache.open(load_config(root).cache_dir) as cache:
        cache.store([LinkResult(WEB, Verdict.BROKEN, "not found (404)", 404,
                                checked_at=checked)])  # fmt: skip
        cache.store_archive(WEB, "javascript:alert(16)", checked)
    return root


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    docroot = tmp_path_factory.mktemp("docroot")
    with serving(docroot) as url:
        root = project(tmp_path_factory.mktemp("project"), url)
        build_site(load_config(root), jobs=1)
        shutil.copytree(root / "site", docroot, dirs_exist_ok=True)
        yield url


LINKS = """() => [...document.querySelectorAll('[href], [src], [action], [formaction]')].map(
    el => el.href || el.src || el.action || el.formAction || '')"""
HOVER = """() => document.querySelectorAll('a, img, span, sup').forEach(el => {
    el.dispatchEvent(new MouseEvent('mouseover', {bubbles: true}));
    el.dispatchEvent(new FocusEvent('focus'));
})"""
HANDLERS = """() => [...document.querySelectorAll('*')].flatMap(el => [...el.attributes]
    .filter(a => a.name.startsWith('on')).map(a => el.tagName + ' ' + a.name))"""


@pytest.mark.parametrize("page_path", ["hostile/index.html", "index.html", "feed.xml"])
def test_nothing_hostile_runs_or_links(hostile_site: str, new_page: Any, page_path: str) -> None:
    page = new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(hostile_site + page_path)
    if page_path.endswith(".html"):
        for url in page.evaluate(LINKS):
            assert url.startswith(("http://", "https://", "mailto:")), url
        assert page.evaluate(HANDLERS) == []
        assert (
            page.locator("script:not([src])").count()
            <= page.locator('script[type="application/ld+json"]').count()
        )
        # Hover everything (previews open, handlers would fire): still no script runs.
        page.evaluate(HOVER)
    page.wait_for_timeout(200)
    assert dialogs == []


def test_refused_links_keep_their_text(hostile_site: str, new_page: Any) -> None:
    page = new_page()
    page.goto(hostile_site + "hostile/index.html")
    byline = page.locator("body").inner_text()
    assert '<b>Author</b> "x" onmouseover=alert(6)' in byline  # shown as text
    assert page.locator(f'a[href="{AUTHOR}"]').count() == 1
    assert "Read the archived copy" not in byline  # its only link was a script
    assert page.locator(f'a[href="{WEB}"]').count() >= 1  # the live source stays a link
    # Metadata a reader's tools may turn into links: only web URLs.
    metadata = page.evaluate(
        """() => [...document.querySelectorAll('meta[content], script[type="application/ld+json"]')]
        .map(el => el.content || el.textContent).join(' ')"""
    )
    assert WEB in metadata
    for scheme in ("javascript:", "data:", "vbscript:"):
        assert scheme not in metadata.lower()
