"""Highwire tags, schema.org JSON-LD, OpenGraph/Twitter and canonical links of the brief page."""

from __future__ import annotations

import json
from pathlib import Path

from briefgen.build import load_project
from briefgen.metadata import highwire_reference, json_ld_script
from briefgen.model import Project

from .helpers import build, small_project
from .pages import Page
from .schemaorg_vocab import validate


def cited_entries(project: Project) -> dict[str, object]:
    """The works the first brief cites (a build keeps no citations: they are read again)."""
    brief = load_project(project.config).briefs[0]
    return {entry.key: entry for entry in brief.citations.works}


def test_highwire_tags_name_the_brief(cecot: tuple[Path, Project]) -> None:
    page = Page(cecot[0] / "cecot" / "index.html")
    assert page.named("citation_title") == [cecot[1].briefs[0].title]
    assert page.named("citation_author") == ["Doug Specht"]
    assert page.named("citation_publication_date") == ["2025/02/11"]
    assert page.named("citation_language") == ["en-GB"]
    assert page.named("citation_abstract_html_url") == ["https://briefs.example.org/cecot/"]


def test_every_cited_work_has_one_citation_reference(cecot: tuple[Path, Project]) -> None:
    page = Page(cecot[0] / "cecot" / "index.html")
    references = page.named("citation_reference")
    entries = cited_entries(cecot[1])
    # 28 notes, [xvi] and [xvii] share one report: 27 works.
    assert len(entries) == 27
    assert len(references) == len(entries)
    for key, entry in entries.items():
        expected = highwire_reference(entry)  # type: ignore[arg-type]
        assert references.count(expected) == 1, key
        title = entry.fields["title"]  # type: ignore[attr-defined]
        assert f"citation_title={title.replace(';', ',')}" in expected
    amnesty = next(r for r in references if "Behind the veil of popularity" in r)
    assert "citation_author=Amnesty International" in amnesty


def test_highwire_reference_of_a_journal_article(tmp_path: Path) -> None:
    project = build(small_project(tmp_path / "p"))
    entry = cited_entries(project)["batz2021"]
    reference = highwire_reference(entry)  # type: ignore[arg-type]
    assert reference == (
        "citation_title=Displacement & its discontents; citation_author=Batz, Giovanni; "
        "citation_author=de la Fontaine, Jean; citation_publication_date=2021/05; "
        "citation_journal_title=Journal of <Latin> American Studies; citation_volume=53; "
        "citation_issue=2; citation_doi=10.1017/S0022216X21000201; citation_firstpage=201; "
        "citation_lastpage=230"
    )


def json_ld(page: Page) -> dict[str, object]:
    blocks = [text for attrs, text in page.scripts if attrs.get("type") == "application/ld+json"]
    assert len(blocks) == 1
    data = json.loads(blocks[0])
    assert isinstance(data, dict)
    return data


def test_json_ld_is_a_valid_scholarly_article_citing_every_work(
    cecot: tuple[Path, Project],
) -> None:
    data = json_ld(Page(cecot[0] / "cecot" / "index.html"))
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "ScholarlyArticle"
    assert data["datePublished"] == "2025-02-11"
    assert data["author"] == [
        {**data["author"][0], "@type": "Person", "name": "Doug Specht"}  # type: ignore[index]
    ]
    citations = data["citation"]
    assert isinstance(citations, list) and len(citations) == 27
    names = {c["name"] for c in citations}
    titles = {e.fields["title"] for e in cited_entries(cecot[1]).values()}  # type: ignore[attr-defined]
    assert titles == names
    assert validate(data) == []


def test_json_ld_of_a_journal_article_nests_issue_volume_periodical(tmp_path: Path) -> None:
    root = small_project(tmp_path / "p", base_url="https://example.org/")
    build(root)
    data = json_ld(Page(root / "site" / "small" / "index.html"))
    article = next(c for c in data["citation"] if c["@type"] == "ScholarlyArticle")  # type: ignore[union-attr]
    assert article["isPartOf"] == {
        "@type": "PublicationIssue",
        "issueNumber": "2",
        "isPartOf": {
            "@type": "PublicationVolume",
            "volumeNumber": "53",
            "isPartOf": {"@type": "Periodical", "name": "Journal of <Latin> American Studies"},
        },
    }
    assert article["sameAs"] == "https://doi.org/10.1017/S0022216X21000201"
    assert article["pagination"] == "201--230" or article["pagination"] == "201–230"
    assert validate(data) == []


def test_schema_validator_can_fail() -> None:
    assert validate({"@type": "ScholarlyArticle", "headline": "x", "volumeNumber": "3"}) == [
        "$.volumeNumber: not a property of ScholarlyArticle"
    ]
    assert validate({"@type": "Book", "author": {"@type": "Place", "name": "x"}})
    assert validate({"@type": "NoSuchType"})


def test_json_ld_cannot_end_its_script_element(tmp_path: Path) -> None:
    written = "Prisons </script><script>alert(1)</script> <!-- & more"
    root = small_project(tmp_path / "p", title=written)
    # A title is Markdown: smart typography makes ``--`` a dash; the rest is text as written.
    title = written.replace("--", "–")
    build(root)
    page = Page(root / "site" / "small" / "index.html")
    block = next(t for a, t in page.scripts if a.get("type") == "application/ld+json")
    assert "<" not in block and ">" not in block and "&" not in block
    assert json.loads(block)["headline"] == title
    # Everywhere else the title is escaped HTML text, never markup.
    assert "<script>alert(1)" not in page.raw
    assert page.named("citation_title") == [title]
    assert page.named("og:title") == [title]
    assert json.loads(json_ld_script({"x": "</script>"})) == {"x": "</script>"}


def test_social_tags_canonical_and_description(cecot: tuple[Path, Project]) -> None:
    page = Page(cecot[0] / "cecot" / "index.html")
    brief = cecot[1].briefs[0].brief
    url = "https://briefs.example.org/cecot/"
    assert [link["href"] for link in page.links if link.get("rel") == "canonical"] == [url]
    assert page.named("description") == [brief.summary]
    assert page.named("og:type") == ["article"]
    assert page.named("og:url") == [url]
    assert page.named("og:title") == [brief.title]
    assert page.named("og:locale") == ["en_GB"]
    assert page.named("twitter:card") == ["summary"]
    assert page.named("article:published_time") == ["2025-02-11"]


def test_without_base_url_no_absolute_url_is_invented(tmp_path: Path) -> None:
    root = small_project(tmp_path / "p")
    build(root)
    page = Page(root / "site" / "small" / "index.html")
    assert not [link for link in page.links if link.get("rel") == "canonical"]
    assert page.named("og:url") == []
    assert "url" not in json_ld(page)
    assert not (root / "site" / "feed.xml").exists()
    assert "Sitemap" not in (root / "site" / "robots.txt").read_text("utf-8")
