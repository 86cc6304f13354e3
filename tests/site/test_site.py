"""The site around the brief: feeds, sitemap, robots, 404, link health, budget, determinism."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

from briefgen.model import Project

from .helpers import ARCHIVE_URL, SPECHT_URL, build, copy_cecot, sample_health
from .pages import Page

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
PAGES = ("index.html", "cecot/index.html", "404.html")


def test_output_files(cecot: tuple[Path, Project]) -> None:
    site = cecot[0]
    files = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    assert files >= {
        "index.html", "cecot/index.html", "404.html", "robots.txt", "sitemap.xml", "feed.xml",
        "static/briefgen.css", "static/notes.js", "static/favicon.svg",
        "cecot/cecot.bib", "cecot/cecot.ris", "cecot/cecot.json",
    }  # fmt: skip


def test_atom_feed(cecot: tuple[Path, Project]) -> None:
    feed = ET.parse(cecot[0] / "feed.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}id") == "https://briefs.example.org/"
    assert feed.findtext(f"{ATOM}updated") == "2025-02-11T00:00:00Z"
    [entry] = feed.findall(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}id") == "https://briefs.example.org/cecot/"
    assert entry.findtext(f"{ATOM}title") == cecot[1].briefs[0].title
    assert entry.findtext(f"{ATOM}published") == "2025-02-11T00:00:00Z"
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "Doug Specht"
    assert entry.find(f"{ATOM}link").get("href") == "https://briefs.example.org/cecot/"  # type: ignore[union-attr]
    self_link = [e.get("href") for e in feed.findall(f"{ATOM}link") if e.get("rel") == "self"]
    assert self_link == ["https://briefs.example.org/feed.xml"]


def test_sitemap_and_robots(cecot: tuple[Path, Project]) -> None:
    urls = ET.parse(cecot[0] / "sitemap.xml").getroot().findall(f"{SITEMAP}url")
    # The briefs, then the tag pages (tests/site/test_tags_search.py).
    assert [u.findtext(f"{SITEMAP}loc") for u in urls][:2] == [
        "https://briefs.example.org/",
        "https://briefs.example.org/cecot/",
    ]
    assert urls[1].findtext(f"{SITEMAP}lastmod") == "2025-02-11"
    robots = (cecot[0] / "robots.txt").read_text("utf-8").splitlines()
    assert robots == [
        "User-agent: *",
        "Allow: /",
        "Sitemap: https://briefs.example.org/sitemap.xml",
    ]


def test_index_lists_each_brief(cecot: tuple[Path, Project]) -> None:
    raw = (cecot[0] / "index.html").read_text("utf-8")
    brief = cecot[1].briefs[0].brief
    for text in (brief.title, brief.summary, "Doug Specht", "11 February 2025"):
        assert text in raw
    assert 'href="cecot/index.html"' in raw


def test_links_are_relative_and_nothing_is_fetched_from_elsewhere(
    cecot: tuple[Path, Project],
) -> None:
    for name in ("index.html", "cecot/index.html"):
        page = Page(cecot[0] / name)
        assert page.srcs == ["../static/notes.js"] or name == "index.html"
        for link in page.links:
            if link.get("rel") in ("stylesheet", "icon"):
                assert not urlsplit(link["href"]).scheme and not link["href"].startswith("/")
        for href in page.hrefs:
            # Site-internal links never start at the server root: site/ works under any path.
            assert not href.startswith("/"), href
            if not urlsplit(href).scheme and not href.startswith("#"):
                target = (cecot[0] / name).parent / href.split("#")[0]
                assert target.exists(), f"{name}: {href} leads nowhere"


def test_404_links_from_the_site_root_path(cecot: tuple[Path, Project]) -> None:
    page = Page(cecot[0] / "404.html")
    assert "/static/briefgen.css" in page.hrefs
    assert "/index.html" in page.hrefs
    assert page.named("robots") == ["noindex"]


def test_css_and_js_weigh_under_30_kb(cecot: tuple[Path, Project]) -> None:
    static = cecot[0] / "static"
    total = sum(p.stat().st_size for p in static.rglob("*") if p.suffix in (".css", ".js"))
    assert 0 < total < 30 * 1024, f"CSS+JS weigh {total} bytes"


def test_robust_links_on_an_archived_reference(cecot: tuple[Path, Project]) -> None:
    raw = (cecot[0] / "cecot" / "index.html").read_text("utf-8")
    note = raw[raw.index('id="note-i"') : raw.index('id="note-ii"')]
    assert (
        f'<a href="{SPECHT_URL}" data-versionurl="{ARCHIVE_URL}" data-versiondate="2025-01-15">'
    ) in note
    assert f'data-originalurl="{SPECHT_URL}"' in note
    assert "Link broken" in note


def test_no_cache_means_no_health_shown(tmp_path: Path) -> None:
    root = copy_cecot(tmp_path / "p")
    build(root)
    raw = (root / "site" / "cecot" / "index.html").read_text("utf-8")
    assert "health" not in raw.split('class="endnotes"')[1].split("</section>")[0]
    assert "data-versionurl" not in raw


def test_same_input_gives_byte_identical_output(tmp_path: Path) -> None:
    first = copy_cecot(tmp_path / "a")
    sample_health(first)
    build(first)
    second = tmp_path / "b"
    shutil.copytree(first, second, ignore=shutil.ignore_patterns("site"))
    build(second)

    def files(root: Path) -> dict[str, bytes]:
        site = root / "site"
        return {
            p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()
        }

    assert files(first) == files(second)
