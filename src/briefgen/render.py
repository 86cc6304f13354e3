"""Render resolved briefs through the Jinja templates in ``templates/`` into page bytes.

Python decides *what* a page says (typed contexts below); the templates decide how it looks, so
a think tank rebrands the site by editing ``templates/`` alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict
from urllib.parse import urlsplit

from markupsafe import Markup

from briefgen.citations import Endnote, Reference, cited_keys
from briefgen.config import Config
from briefgen.errors import Diagnostics, Location, RenderError
from briefgen.exports import brief_entry, export_paths, to_bibtex, to_csl_json, to_ris
from briefgen.format import format_references
from briefgen.markdown import CitationEnv, render_section
from briefgen.metadata import (
    MetaTag,
    cited_works,
    highwire_tags,
    json_ld_script,
    scholarly_article,
    social_tags,
)
from briefgen.model import Brief, Section

if TYPE_CHECKING:
    import jinja2

    from briefgen.build import Project, ResolvedBrief
    from briefgen.linkcheck.cache import LinkHealth

WORDS_PER_MINUTE = 230


@dataclass(frozen=True, slots=True)
class Site:
    """Site-wide settings shown on every page."""

    title: str
    base_url: str
    """Absolute URL of the site root, ending in ``/``; empty when not configured."""
    language: str
    feed: bool
    """Whether ``feed.xml`` and ``sitemap.xml`` exist (they need absolute URLs)."""


@dataclass(frozen=True, slots=True)
class RenderedSection:
    """A section with its body rendered to HTML."""

    section: Section
    html: str


@dataclass(frozen=True, slots=True)
class Health:
    """What ``briefgen check`` last found about a reference's link, for readers."""

    url: str
    verdict: str
    """``ok``, ``redirected``, ``broken`` or ``blocked``."""
    checked_on: dt.date
    verified_on: dt.date | None
    """The last day the link was seen live."""
    archive_url: str
    """An archived copy (Wayback Machine), or empty."""
    archive_on: dt.date | None

    @property
    def broken(self) -> bool:
        return self.verdict == "broken"


@dataclass(frozen=True, slots=True)
class ReferenceView:
    """One cited work inside a note, as the page shows it."""

    reference: Reference
    html: Markup
    """The formatted reference; its link carries Robust Links attributes when archived."""
    health: Health | None


@dataclass(frozen=True, slots=True)
class NoteView:
    """An endnote as the page shows it."""

    endnote: Endnote
    references: tuple[ReferenceView, ...]
    also_cited_in: tuple[Endnote, ...]
    """Other endnotes citing any of this note's works ([xvi] and [xvii] share a source)."""


@dataclass(frozen=True, slots=True)
class CiteBlock:
    """The "Cite this brief" block: the brief in its own style, and its downloadable records."""

    html: Markup
    text: str
    files: Mapping[str, str]
    """Format (``bibtex``, ``ris``, ``csl``) → file name, relative to the brief's page."""


@dataclass(frozen=True, slots=True)
class BriefPage:
    """Everything the brief template needs."""

    brief: Brief
    sections: tuple[RenderedSection, ...]
    notes: tuple[NoteView, ...]
    reading_minutes: int
    word_count: int
    url: str
    """Absolute URL of the page (empty when no base_url is set)."""
    description: str
    cite: CiteBlock
    meta: tuple[MetaTag, ...]
    """Highwire ``citation_*``, OpenGraph and Twitter tags."""
    json_ld: Markup
    """schema.org ScholarlyArticle, escaped for a ``<script>`` element."""
    health_checked: bool
    """Whether any of the brief's links has a verdict from ``briefgen check``."""


class IndexContext(TypedDict):
    site: Site
    root: str
    """Relative path from the page to the site root (``""`` or ``"../"``)."""
    briefs: Sequence[Brief]
    url: str


class BriefContext(TypedDict):
    site: Site
    root: str
    page: BriefPage


class NotFoundContext(TypedDict):
    site: Site
    root: str
    """The site's absolute path (``/`` or ``/briefs/``): a 404 is served at any depth."""


class FeedContext(TypedDict):
    site: Site
    briefs: Sequence[Brief]
    updated: str
    """The newest brief's date: the feed changes only when the content does."""


def render_site(project: Project, config: Config) -> dict[str, bytes]:
    """Render every page and file of the site: site-relative path → UTF-8 bytes."""
    env = create_environment(config.templates_dir)
    base_url = config.base_url.rstrip("/") + "/" if config.base_url else ""
    site = Site(config.title, base_url, config.language, feed=bool(base_url))
    health = _read_health(config)
    briefs = sorted(
        (resolved.brief for resolved in project.briefs),
        key=lambda b: (b.date is None, -(b.date.toordinal() if b.date else 0), b.slug),
    )
    files: dict[str, bytes] = {}

    def render(name: str, template: str, context: Mapping[str, object]) -> None:
        files[name] = _render(env, template, context, config)

    render(
        "index.html", "index.html", IndexContext(site=site, root="", briefs=briefs, url=base_url)
    )
    for resolved in project.briefs:
        page = brief_page(resolved, site, health, config)
        render(f"{resolved.slug}/index.html", "brief.html",
               BriefContext(site=site, root="../", page=page))  # fmt: skip
        files.update(brief_exports(resolved.brief, page.url, site))
    render("404.html", "404.html", NotFoundContext(site=site, root=urlsplit(base_url).path or "/"))
    dates = [b.date for b in briefs if b.date]
    updated = max(dates).isoformat() if dates else "1970-01-01"
    feed = FeedContext(site=site, briefs=briefs, updated=updated)
    render("robots.txt", "robots.txt", feed)
    if site.feed:
        render("feed.xml", "feed.xml", feed)
        render("sitemap.xml", "sitemap.xml", feed)
    return files


def brief_page(
    resolved: ResolvedBrief, site: Site, health: Mapping[str, LinkHealth], config: Config
) -> BriefPage:
    """Render a brief's sections (markers linked to notes) and gather its notes and metadata."""
    brief = resolved.brief
    by_number = {note.number: note for note in resolved.endnotes}
    sections = []
    first = 1
    for parsed in resolved.parsed_sections:

        def marker(index: int, first: int = first) -> str:
            return render_marker(by_number[first + index])

        env: CitationEnv = {"render_marker": marker}
        sections.append(RenderedSection(parsed.section, render_section(parsed, env)))
        first += len(parsed.citations)
    citing = cited_keys(resolved.endnotes)
    notes = tuple(
        NoteView(
            note,
            tuple(reference_view(r, health) for r in note.references),
            tuple(
                by_number[number]
                for number in sorted(
                    {o.number for r in note.references for o in citing[r.entry.key]} - {note.number}
                )
            ),
        )
        for note in resolved.endnotes
    )
    words = sum(len(parsed.section.body.split()) for parsed in resolved.parsed_sections)
    url = f"{site.base_url}{brief.slug}/" if site.base_url else ""
    works = cited_works(r.entry for note in resolved.endnotes for r in note.references)
    description = brief.summary or brief.title
    meta = highwire_tags(brief, url=url, publisher=site.title, works=works) + social_tags(
        brief, url=url, site_title=site.title, description=description
    )
    article = scholarly_article(brief, url=url, publisher=site.title, works=works, word_count=words)
    return BriefPage(
        brief=brief,
        sections=tuple(sections),
        notes=notes,
        reading_minutes=max(1, round(words / WORDS_PER_MINUTE)),
        word_count=words,
        url=url,
        description=description,
        cite=cite_block(brief, url, site, config),
        meta=meta,
        json_ld=Markup(json_ld_script(article)),
        health_checked=any(ref.health for note in notes for ref in note.references),
    )


def render_marker(note: Endnote) -> str:
    """HTML of an endnote marker: a superscript link to the note, which links back here.

    The note's text is the marker's accessible description, so a screen reader announces the
    source on focus with or without JavaScript; the script only draws the visual preview.
    """
    label = escape(note.label)
    return (
        f'<sup class="note-ref"><a id="ref-{label}" href="#note-{label}" '
        f'role="doc-noteref" aria-label="Note {label}" '
        f'aria-describedby="{escape(note.anchor)}-text">[{label}]</a></sup>'
    )


def reference_view(reference: Reference, health: Mapping[str, LinkHealth]) -> ReferenceView:
    """A reference with its link's health and, when archived, Robust Links attributes."""
    entry = reference.entry
    found = None
    for url in (entry.url, f"https://doi.org/{entry.doi}" if entry.doi else None):
        if url and (url in health or url.split("#")[0] in health):
            found = _health_view(health.get(url) or health[url.split("#")[0]])
            break
    html = reference.html
    if found and found.archive_url:
        # Robust Links (robustlinks.mementoweb.org): the cited link names its archived copy.
        old = f'<a href="{escape(found.url)}">'
        attrs = f' data-versionurl="{escape(found.archive_url)}"'
        if found.archive_on:
            attrs += f' data-versiondate="{found.archive_on.isoformat()}"'
        html = html.replace(old, f'<a href="{escape(found.url)}"{attrs}>', 1)
    return ReferenceView(reference, Markup(html), found)


def cite_block(brief: Brief, url: str, site: Site, config: Config) -> CiteBlock:
    """The brief's own reference, formatted in its CSL style, with its export files."""
    entry = brief_entry(brief, url=url, publisher=site.title)
    diagnostics = Diagnostics()
    formatted = format_references(
        [entry], style=brief.style, language=brief.language, root=config.root,
        diagnostics=diagnostics,
    )  # fmt: skip
    if not formatted or diagnostics.errors:
        # The style loaded for the notes already; this is a bug, not a user error.
        raise RenderError(
            f"cannot format the brief {brief.slug!r} in style {brief.style!r}",
            Location(brief.path),
        )
    html, text = formatted[entry.key]
    files = {fmt: Path(path).name for fmt, path in export_paths(brief).items()}
    return CiteBlock(Markup(html), text, files)


def brief_exports(brief: Brief, url: str, site: Site) -> dict[str, bytes]:
    """The brief's BibTeX, RIS and CSL-JSON records, by site-relative path."""
    entry = brief_entry(brief, url=url, publisher=site.title)
    paths = export_paths(brief)
    return {
        paths["bibtex"]: to_bibtex(entry).encode("utf-8"),
        paths["ris"]: to_ris(entry).encode("utf-8"),
        paths["csl"]: to_csl_json(entry, language=brief.language).encode("utf-8"),
    }


def _health_view(found: LinkHealth) -> Health | None:
    if found.verdict not in ("ok", "redirected", "broken", "blocked"):
        return None
    return Health(
        url=found.url,
        verdict=found.verdict,
        checked_on=found.checked_at.date(),
        verified_on=found.last_ok_at.date() if found.last_ok_at else None,
        archive_url=found.archive_url or "",
        archive_on=found.archive_timestamp.date() if found.archive_timestamp else None,
    )


def _read_health(config: Config) -> Mapping[str, LinkHealth]:
    # The reader lives beside the checker but never imports httpx: building stays offline.
    from briefgen.linkcheck.cache import read_link_health

    return read_link_health(config.cache_dir)


def create_environment(templates_dir: Path) -> jinja2.Environment:
    """The Jinja environment: autoescape on, undefined variables are errors."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["long_date"] = _long_date
    return env


def _long_date(value: dt.date) -> str:
    """``11 February 2025`` (day without a leading zero, on every platform)."""
    return f"{value.day} {value:%B %Y}"


def _render(
    env: jinja2.Environment, name: str, context: Mapping[str, object], config: Config
) -> bytes:
    import jinja2

    try:
        return env.get_template(name).render(context).encode("utf-8")
    except jinja2.TemplateSyntaxError as exc:
        path = Path(exc.filename) if exc.filename else config.templates_dir / name
        raise RenderError(f"template syntax error: {exc.message}",
                          Location(config.relative(path), exc.lineno)) from exc  # fmt: skip
    except jinja2.TemplateNotFound as exc:
        raise RenderError(
            f"template {exc.name!r} not found; expected it in "
            f"{config.relative(config.templates_dir)}",
            Location(config.relative(config.templates_dir)),
        ) from exc
    except jinja2.UndefinedError as exc:
        raise RenderError(
            f"template uses an undefined value: {exc.message}",
            Location(config.relative(config.templates_dir / name)),
        ) from exc
