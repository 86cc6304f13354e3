"""Tag pages (``site/tags/``) and site search (Pagefind on the staged site, before the swap)."""

from __future__ import annotations

import json
import re
import stat
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from briefgen.build import build_site
from briefgen.config import load_config
from briefgen.errors import BriefgenError, BuildFailed, Severity
from briefgen.render import tag_slug
from briefgen.write import pagefind_binary

from .helpers import SMALL_BIB, build

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"

BRIEFS = {
    # slug: (date, tags); listed out of date order on purpose.
    "older": ("2024-11-05", "[Human rights, Prisons]"),
    "newest": ("2025-03-01", "[human rights, Política, 人权]"),
    "undated": (None, "[Prisons, human-rights]"),
    "middle": ("2025-01-15", "Prisons, Política"),  # Pandoc's keywords: one string
}


def tagged_project(root: Path, *, table: str = "") -> Path:
    """Four briefs whose tags overlap, differ in case, collide in slug and use non-ASCII."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(
        '[tool.briefgen]\ntitle = "Tagged"\nbase_url = "https://briefs.example.org/"\n' + table,
        encoding="utf-8",
    )
    (root / "references.bib").write_text(SMALL_BIB, encoding="utf-8")
    for slug, (date, tags) in BRIEFS.items():
        folder = root / "content" / slug
        folder.mkdir(parents=True)
        key = "keywords" if slug == "middle" else "tags"
        dated = f"date: {date}\n" if date else ""
        (folder / "_index.md").write_text(
            f"---\ntitle: Brief {slug}\n{dated}{key}: {tags}\n---\n", encoding="utf-8"
        )
        (folder / "01-text.md").write_text(
            f"---\ntitle: Text\n---\nThe {slug} brief[@blum2004] on cells[@batz2021].\n",
            encoding="utf-8",
        )
    return root


@pytest.fixture(scope="module")
def tagged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tagged project built once, with search: its ``site/`` folder."""
    if pagefind_binary() is None:
        pytest.fail("Pagefind is not installed; `pip install 'pagefind[bin]'` (the test extras)")
    root = tagged_project(tmp_path_factory.mktemp("tagged") / "project")
    build(root)
    return root / "site"


def read(site: Path, path: str) -> str:
    return (site / path).read_text(encoding="utf-8")


def links(html: str, cls: str = "tags") -> list[str]:
    """The hrefs inside every ``<p class="{cls}">`` of a page, in order."""
    found = re.findall(rf'<p class="{cls}">(.*?)</p>', html, flags=re.S)
    return [href for block in found for href in re.findall(r'href="([^"]+)"', block)]


def titles(html: str) -> list[str]:
    return re.findall(r'<h2><a href="[^"]*">Brief (\w+)</a></h2>', html)


HAN_SLUG = tag_slug("人权")


def test_tags_index_lists_every_tag_with_its_count(tagged: Path) -> None:
    html = read(tagged, "tags/index.html")
    items = re.findall(
        r'<li><a href="\.\./tags/([^/]+)/index\.html">([^<]+)</a> <span class="count">([^<]+)<',
        html,
    )
    # Tags differing in case are one (spelt as the newest brief writes it, "human rights");
    # "human-rights" is another tag whose slug collides, so it takes "-2".
    assert sorted(items) == sorted([
        ("human-rights", "human rights", "2 briefs"),
        ("human-rights-2", "human-rights", "1 brief"),
        ("politica", "Política", "2 briefs"),
        ("prisons", "Prisons", "3 briefs"),
        (HAN_SLUG, "人权", "1 brief"),
    ])  # fmt: skip
    assert [name for _, name, _ in items] == sorted(
        (name for _, name, _ in items), key=str.casefold
    )


@pytest.mark.parametrize(
    ("tag", "slug"),
    [
        pytest.param("Human rights", "human-rights", id="spaces"),
        pytest.param("  Mano dura!  ", "mano-dura", id="punctuation"),
        pytest.param("Política", "politica", id="accent"),
        pytest.param("Straße", "strasse", id="casefold"),
        pytest.param("Ærø Łódź", "aero-lodz", id="undecomposed-letters"),
        pytest.param("COVID-19", "covid-19", id="digits"),
        pytest.param("../../etc", "etc", id="path"),
    ],
)
def test_tag_slugs_are_lowercase_ascii(tag: str, slug: str) -> None:
    assert tag_slug(tag) == slug


def test_a_tag_without_latin_letters_gets_a_stable_hashed_slug() -> None:
    assert re.fullmatch(r"tag-[0-9a-f]{8}", HAN_SLUG)
    assert tag_slug("人权") == HAN_SLUG != tag_slug("人")


def test_each_tag_page_lists_its_briefs_newest_first(tagged: Path) -> None:
    prisons = read(tagged, "tags/prisons/index.html")
    assert "<h1" in prisons and ">Prisons</h1>" in prisons
    assert titles(prisons) == ["middle", "older", "undated"]  # the undated brief last
    assert titles(read(tagged, "tags/human-rights/index.html")) == ["newest", "older"]
    assert titles(read(tagged, "tags/human-rights-2/index.html")) == ["undated"]
    assert titles(read(tagged, f"tags/{HAN_SLUG}/index.html")) == ["newest"]
    # Links climb two folders: the pages work below any sub-path and from file://.
    assert '<link rel="stylesheet" href="../../static/briefgen.css">' in prisons
    assert '<a href="../../middle/index.html">' in prisons


def test_the_index_shows_each_briefs_tags_as_links(tagged: Path) -> None:
    html = read(tagged, "index.html")
    assert titles(html) == ["newest", "middle", "older", "undated"]
    assert links(html) == [
        "tags/human-rights/index.html", "tags/politica/index.html", f"tags/{HAN_SLUG}/index.html",
        "tags/prisons/index.html", "tags/politica/index.html",
        "tags/human-rights/index.html", "tags/prisons/index.html",
        "tags/prisons/index.html", "tags/human-rights-2/index.html",
    ]  # fmt: skip
    assert '<a href="tags/index.html">Topics</a>' in html


def test_every_tag_link_leads_to_a_page(tagged: Path) -> None:
    for page in tagged.rglob("*.html"):
        if page.name == "404.html" or "pagefind" in page.parts:
            continue
        for href in re.findall(r'href="([^"#:]+\.html)"', page.read_text(encoding="utf-8")):
            assert (page.parent / href).resolve().is_file(), f"{page}: {href} is missing"


def test_the_brief_page_shows_its_tags(tagged: Path) -> None:
    html = read(tagged, "newest/index.html")
    assert re.findall(r'<a href="([^"]+)" rel="tag">([^<]+)</a>', html) == [
        ("../tags/human-rights/index.html", "human rights"),
        ("../tags/politica/index.html", "Política"),
        (f"../tags/{HAN_SLUG}/index.html", "人权"),
    ]


def test_the_sitemap_lists_the_tag_pages(tagged: Path) -> None:
    urls = ET.parse(tagged / "sitemap.xml").getroot().findall(f"{SITEMAP}url")
    found = {u.findtext(f"{SITEMAP}loc"): u.findtext(f"{SITEMAP}lastmod") for u in urls}
    base = "https://briefs.example.org/"
    assert found[f"{base}tags/"] == "2025-03-01"
    assert found[f"{base}tags/prisons/"] == "2025-01-15"  # its newest brief
    assert f"{base}tags/human-rights-2/" in found  # the one undated brief: no lastmod
    assert found[f"{base}tags/human-rights-2/"] is None
    assert f"{base}search/" not in "".join(found)


def test_no_tags_no_tag_pages(tmp_path: Path) -> None:
    root = tagged_project(tmp_path / "project", table="search = false\n")
    for slug in BRIEFS:
        index = root / "content" / slug / "_index.md"
        index.write_text(re.sub(r"(tags|keywords): .*\n", "", index.read_text("utf-8")), "utf-8")
    build(root)
    assert not (root / "site" / "tags").exists()
    assert "Topics" not in read(root / "site", "index.html")


# Search


def test_search_indexes_the_briefs_only(tagged: Path) -> None:
    entry = json.loads(read(tagged, "pagefind/pagefind-entry.json"))
    assert entry["languages"]["en"]["page_count"] == len(BRIEFS)
    assert (tagged / "pagefind" / "pagefind-ui.js").is_file()
    assert (tagged / "pagefind" / "pagefind-ui.css").is_file()
    brief = read(tagged, "older/index.html")
    assert '<article class="brief" data-pagefind-body>' in brief
    assert '<nav class="toc" aria-labelledby="toc-title" data-pagefind-ignore>' in brief
    for page in ("index.html", "tags/index.html", "tags/prisons/index.html", "search/index.html"):
        assert "data-pagefind-body" not in read(tagged, page), page


def test_the_search_page_loads_the_ui_relative_to_itself(tagged: Path) -> None:
    html = read(tagged, "search/index.html")
    assert '<link rel="stylesheet" href="../pagefind/pagefind-ui.css">' in html
    assert '<script src="../pagefind/pagefind-ui.js" defer></script>' in html
    assert '<script src="../static/search.js" defer></script>' in html
    assert 'data-bundle="../pagefind/"' in html
    assert "<noscript>" in html
    assert '<a href="search/index.html">Search</a>' in read(tagged, "index.html")
    assert '<a href="../../search/index.html">Search</a>' in read(tagged, "tags/prisons/index.html")


def without_pagefind(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if ``pagefind[bin]`` were not installed (and no ``pagefind`` on PATH)."""
    monkeypatch.setattr("briefgen.write.pagefind_binary", lambda: None)


def test_without_pagefind_the_build_warns_once_and_has_no_search(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    without_pagefind(monkeypatch)
    root = tagged_project(tmp_path / "project")
    project = build(root)
    found = [w for w in project.warnings if "Pagefind" in w.message]
    assert len(found) == 1
    assert found[0].severity is Severity.WARNING
    assert "pip install 'pagefind[bin]'" in found[0].message
    assert "search = false" in found[0].message
    assert found[0].format().startswith("pyproject.toml: warning: ")
    site = root / "site"
    assert not (site / "search").exists() and not (site / "pagefind").exists()
    assert "Search</a>" not in read(site, "index.html")
    assert (site / "tags" / "prisons" / "index.html").is_file()  # tags need no search


def test_without_pagefind_strict_fails_before_writing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    without_pagefind(monkeypatch)
    root = tagged_project(tmp_path / "project")
    with pytest.raises(BuildFailed) as caught:
        build_site(load_config(root), strict=True)
    assert any("pagefind[bin]" in d.message for d in caught.value.diagnostics)
    assert not (root / "site").exists()


def test_search_false_is_quiet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    without_pagefind(monkeypatch)
    root = tagged_project(tmp_path / "project", table="search = false\n")
    assert not [w for w in build(root).warnings if "Pagefind" in w.message]
    assert not (root / "site" / "search").exists()


def test_search_must_be_a_boolean(tmp_path: Path) -> None:
    root = tagged_project(tmp_path / "project", table='search = "yes"\n')
    with pytest.raises(BuildFailed) as caught:
        load_config(root)
    assert [d.format() for d in caught.value.diagnostics] == [
        "pyproject.toml:4: [tool.briefgen] search must be true or false, not 'yes'"
    ]


def test_a_failed_index_leaves_the_previous_site_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tagged_project(tmp_path / "project")
    without_pagefind(monkeypatch)
    build(root)
    before = {p: p.read_bytes() for p in (root / "site").rglob("*") if p.is_file()}
    broken = tmp_path / "pagefind"
    broken.write_text("#!/bin/sh\necho 'Error: cannot write index' >&2\nexit 3\n", "utf-8")
    broken.chmod(broken.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setattr("briefgen.write.pagefind_binary", lambda: broken)
    with pytest.raises(BriefgenError, match=r"exit 3\): Error: cannot write index"):
        build(root)
    after = {p: p.read_bytes() for p in (root / "site").rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in root.iterdir() if p.name.startswith(".site")) == []


def test_pagefind_is_found_on_path_without_the_python_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An npm or system install of Pagefind works too."""
    for package in ("pagefind_bin", "pagefind_bin_extended"):  # the packages are not installed
        monkeypatch.setitem(sys.modules, package, None)
    monkeypatch.delenv("PAGEFIND_BINARY_PATH", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert pagefind_binary() is None
    (tmp_path / "pagefind").write_text("#!/bin/sh\n", "utf-8")
    (tmp_path / "pagefind").chmod(0o755)
    assert pagefind_binary() == tmp_path / "pagefind"
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "elsewhere"))
    assert pagefind_binary() == tmp_path / "elsewhere"  # as pagefind.service reads it


def test_pagefind_is_found_without_importing_its_service(tmp_path: Path) -> None:
    """Finding the binary does not import asyncio's service client (start-up time)."""
    code = (
        "import sys; from briefgen.write import pagefind_binary; found = pagefind_binary();"
        " print(found is not None and found.is_file(), 'pagefind.service' in sys.modules,"
        " 'asyncio' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=tmp_path)  # fmt: skip
    assert result.stdout.split() == ["True", "False", "False"]
