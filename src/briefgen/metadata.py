"""A brief's machine-readable metadata: Highwire ``citation_*`` tags, JSON-LD, OpenGraph.

Google Scholar and Zotero read the Highwire tags; search engines read the JSON-LD; social sites
read OpenGraph and Twitter cards. All three are built from the CSL-JSON form of each work, so
they say the same thing as the formatted notes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from briefgen.exports import GENRE, author_name
from briefgen.format.csljson import entry_to_csl
from briefgen.model import BibEntry, Brief, doi_url
from briefgen.urls import link_target


@dataclass(frozen=True, slots=True)
class MetaTag:
    """One ``<meta>`` element."""

    attribute: str
    """``name`` (Highwire, Twitter) or ``property`` (OpenGraph)."""
    key: str
    content: str


# CSL type → the schema.org type of a cited work.
SCHEMA_TYPES = {
    "article-journal": "ScholarlyArticle",
    "article-newspaper": "NewsArticle",
    "article-magazine": "Article",
    "article": "Article",
    "book": "Book",
    "chapter": "Chapter",
    "report": "Report",
    "thesis": "Thesis",
    "webpage": "WebPage",
    "legislation": "Legislation",
    "dataset": "Dataset",
    "software": "SoftwareSourceCode",
}


def cited_works(entries: Iterable[BibEntry]) -> tuple[BibEntry, ...]:
    """Distinct works in order of first citation (a work cited twice is listed once)."""
    seen: dict[str, BibEntry] = {}
    for entry in entries:
        seen.setdefault(entry.key, entry)
    return tuple(seen.values())


def highwire_tags(
    brief: Brief, *, url: str, publisher: str, works: Sequence[BibEntry]
) -> tuple[MetaTag, ...]:
    """Google Scholar's tags: title, each author, date, and one ``citation_reference`` per work."""
    tags = [MetaTag("name", "citation_title", brief.title)]
    for author in brief.authors:
        tags.append(MetaTag("name", "citation_author", author.name))
        if author.affiliation:
            tags.append(MetaTag("name", "citation_author_institution", author.affiliation))
        if author.orcid:
            tags.append(MetaTag("name", "citation_author_orcid", author.orcid))
    if brief.date:
        tags.append(MetaTag("name", "citation_publication_date", brief.date.strftime("%Y/%m/%d")))
    tags.append(MetaTag("name", "citation_language", brief.language))
    if publisher:
        tags.append(MetaTag("name", "citation_publisher", publisher))
        # Zotero saves a page with this tag as a report (a brief), not a journal article.
        tags.append(MetaTag("name", "citation_technical_report_institution", publisher))
    if brief.summary:
        tags.append(MetaTag("name", "citation_abstract", brief.summary))
    if url:
        tags.append(MetaTag("name", "citation_abstract_html_url", url))
        tags.append(MetaTag("name", "citation_fulltext_html_url", url))
    tags += [MetaTag("name", "citation_reference", highwire_reference(w)) for w in works]
    return tuple(tags)


def highwire_reference(entry: BibEntry) -> str:
    """A cited work as ``citation_reference`` content: ``citation_title=…; citation_author=…``."""
    item = entry_to_csl(entry)
    # The title as written: CSL's is sentence-cased for styles to recase, as Pandoc does.
    pairs = [("citation_title", entry.fields.get("title") or item.get("title", ""))]
    pairs += [("citation_author", _csl_name_text(n)) for n in item.get("author", ())]
    date = _csl_date(item.get("issued"), separator="/")
    if date:
        pairs.append(("citation_publication_date", date))
    container = item.get("container-title", "")
    if item["type"] == "article-journal":
        pairs.append(("citation_journal_title", container))
    elif container:
        pairs.append(("citation_inbook_title", container))
    for key, variable in (("citation_volume", "volume"), ("citation_issue", "issue"),
                          ("citation_publisher", "publisher"),
                          ("citation_doi", "DOI")):  # fmt: skip
        if item.get(variable):
            pairs.append((key, str(item[variable])))
    web = link_target(item.get("URL"))
    if web:
        pairs.append(("citation_public_url", web))
    pages = [p.strip() for p in re.split(r"[-–—]+", str(item.get("page", ""))) if p.strip()]
    if pages:
        pairs.append(("citation_firstpage", pages[0]))
    if len(pages) > 1:
        pairs.append(("citation_lastpage", pages[-1]))
    # The semicolon separates pairs; one inside a value would split it.
    return "; ".join(f"{k}={v.replace(';', ',')}" for k, v in pairs if v)


def social_tags(
    brief: Brief, *, url: str, site_title: str, description: str
) -> tuple[MetaTag, ...]:
    """OpenGraph and Twitter card tags."""
    tags = [
        MetaTag("property", "og:type", "article"),
        MetaTag("property", "og:title", brief.title),
        MetaTag("property", "og:description", description),
        MetaTag("property", "og:site_name", site_title),
        MetaTag("property", "og:locale", brief.language.replace("-", "_")),
    ]
    if url:
        tags.append(MetaTag("property", "og:url", url))
    if brief.date:
        tags.append(MetaTag("property", "article:published_time", brief.date.isoformat()))
    tags += [MetaTag("property", "article:author", a.name) for a in brief.authors]
    tags += [
        MetaTag("name", "twitter:card", "summary"),
        MetaTag("name", "twitter:title", brief.title),
        MetaTag("name", "twitter:description", description),
    ]
    return tuple(tags)


def scholarly_article(
    brief: Brief, *, url: str, publisher: str, works: Sequence[BibEntry], word_count: int
) -> dict[str, Any]:
    """The brief as a schema.org ``ScholarlyArticle`` whose ``citation`` lists every work."""
    article: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ScholarlyArticle",
        "headline": brief.title,
        "name": brief.title,
        "genre": GENRE,
        "inLanguage": brief.language,
        "isAccessibleForFree": True,
        "wordCount": word_count,
    }
    if brief.summary:
        article["description"] = brief.summary
        article["abstract"] = brief.summary
    if url:
        article["url"] = url
        article["mainEntityOfPage"] = {"@type": "WebPage", "@id": url}
    if brief.date:
        article["datePublished"] = brief.date.isoformat()
    authors = []
    for author in brief.authors:
        name = author_name(author)
        person: dict[str, Any] = {"@type": "Person", "name": author.name}
        if name.family:
            person["familyName"] = name.family
            person["givenName"] = name.given
        if author.bio:
            person["description"] = author.bio
        if author.affiliation:
            person["affiliation"] = {"@type": "Organization", "name": author.affiliation}
        if author.url:
            person["url"] = author.url
        if author.orcid:
            person["identifier"] = f"https://orcid.org/{author.orcid}"
        authors.append(person)
    if authors:
        article["author"] = authors
    if publisher:
        article["publisher"] = {"@type": "Organization", "name": publisher}
    article["citation"] = [cited_work(w) for w in works]
    return article


def cited_work(entry: BibEntry) -> dict[str, Any]:
    """One cited work as a schema.org ``CreativeWork`` (or its closest subtype)."""
    item = entry_to_csl(entry)
    kind = SCHEMA_TYPES.get(item["type"], "CreativeWork")
    work: dict[str, Any] = {"@type": kind, "name": entry.fields.get("title") or entry.key}
    authors = [
        {"@type": "Organization", "name": n["literal"]}
        if "literal" in n
        else {"@type": "Person", "name": _csl_name_text(n, inverted=False)}
        for n in item.get("author", ())
    ]
    if authors:
        work["author"] = authors
    date = _csl_date(item.get("issued"), separator="-")
    if date:
        work["datePublished"] = date
    container = item.get("container-title")
    if container:
        if item["type"] == "article-journal":
            work["isPartOf"] = _journal_issue(item, container)
        elif item["type"] == "webpage":
            work["isPartOf"] = {"@type": "WebSite", "name": container}
        elif kind in ("NewsArticle", "Article"):
            work["isPartOf"] = {"@type": "Periodical", "name": container}
        else:
            work["isPartOf"] = {"@type": "CreativeWork", "name": container}
    if item.get("publisher"):
        work["publisher"] = {"@type": "Organization", "name": item["publisher"]}
    if item.get("page") and kind in ("ScholarlyArticle", "Article", "NewsArticle", "Chapter"):
        work["pagination"] = str(item["page"])
    web = link_target(item.get("URL"))
    if web:  # a consumer may make it a link: only what a page may link to
        work["url"] = web
    if item.get("DOI"):
        work["identifier"] = work["sameAs"] = doi_url(str(item["DOI"]))
    return work


def json_ld_script(data: dict[str, Any]) -> str:
    """JSON for a ``<script type="application/ld+json">``: ``<``, ``>``, ``&`` escaped.

    Escaping them as ``\\u003c`` etc. keeps the JSON identical for a parser while making
    ``</script>`` (or ``<!--``) in a title unable to end or confuse the script element.
    """
    text = json.dumps(data, ensure_ascii=False, indent=2)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _journal_issue(item: dict[str, Any], journal: str) -> dict[str, Any]:
    part: dict[str, Any] = {"@type": "Periodical", "name": journal}
    if item.get("volume"):
        part = {"@type": "PublicationVolume", "volumeNumber": str(item["volume"]), "isPartOf": part}
    if item.get("issue"):
        part = {"@type": "PublicationIssue", "issueNumber": str(item["issue"]), "isPartOf": part}
    return part


def _csl_name_text(name: dict[str, str], *, inverted: bool = True) -> str:
    if "literal" in name:
        return name["literal"]
    particles = (name.get("dropping-particle"), name.get("non-dropping-particle"))
    family = " ".join(p for p in (*particles, name.get("family")) if p)
    given = name.get("given", "")
    if not given:
        return family
    return f"{family}, {given}" if inverted else f"{given} {family}"


def _csl_date(issued: dict[str, Any] | None, *, separator: str) -> str:
    if not issued or not issued.get("date-parts"):
        return ""
    parts = issued["date-parts"][0]
    return separator.join(f"{p:04d}" if i == 0 else f"{p:02d}" for i, p in enumerate(parts))
