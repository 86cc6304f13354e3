"""Render resolved briefs through the Jinja templates in ``templates/`` into page bytes.

Python decides *what* a page says (typed contexts below); the templates decide how it looks, so
a think tank rebrands the site by editing ``templates/`` alone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import heapq
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from html import escape, unescape
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict
from urllib.parse import urlsplit

from markupsafe import Markup

from briefgen.config import Config, user_cache_folder
from briefgen.errors import Location, RenderError
from briefgen.exports import brief_entry, brief_url, export_paths, to_bibtex, to_csl_json, to_ris
from briefgen.markdown import MarkdownEnv, render_note_body, render_section
from briefgen.metadata import (
    MetaTag,
    cited_works,
    highwire_tags,
    json_ld_script,
    scholarly_article,
    social_tags,
)
from briefgen.model import (
    BibEntry,
    Brief,
    Endnote,
    FormattedBrief,
    Heading,
    LinkResult,
    Project,
    ResolvedBrief,
    Section,
    Verdict,
    doi_url,
    work_anchor,
)

if TYPE_CHECKING:
    import jinja2


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
    search: bool = False
    """Whether the search page exists (Pagefind indexes the site after it is written)."""
    topics: bool = False
    """Whether any brief has tags, so ``tags/`` exists."""


@dataclass(frozen=True, slots=True)
class Tag:
    """A topic and the briefs that carry it; published at ``tags/<slug>/index.html``."""

    name: str
    """As the briefs write it (the newest brief's spelling, when they differ only in case)."""
    slug: str
    """Its folder under ``tags/``: lowercase ASCII, unique on the site."""
    briefs: tuple[Brief, ...]
    """Newest first."""


@dataclass(frozen=True, slots=True)
class RenderedSection:
    """A section with its body rendered to HTML."""

    section: Section
    html: str
    headings: tuple[Heading, ...] = ()
    """Headings inside the section, for the contents."""


@dataclass(frozen=True, slots=True)
class WorkView:
    """One cited work, with what the link checker last found about its link."""

    entry: BibEntry
    health: LinkResult | None
    """The checker's last verdict on the work's link, when it is one a reader should see."""


@dataclass(frozen=True, slots=True)
class NoteView:
    """An endnote as the page shows it."""

    endnote: Endnote
    html: Markup
    """The note in the brief's style; links carry Robust Links attributes when archived."""
    text: str
    works: tuple[WorkView, ...]
    also_cited_in: tuple[Endnote, ...]
    """Other endnotes citing any of this note's works ([xvi] and [xvii] share a source): the
    first :data:`ALSO_SHOWN` of them."""
    also_more: int = 0
    """How many more notes cite them ("and 3,990 other places"): a source cited thousands of
    times would otherwise list every other note in every note."""
    block: bool = False
    """The author's footnote of several paragraphs (or a list…): ``html`` is block HTML."""


@dataclass(frozen=True, slots=True)
class ReferenceView:
    """One entry of the reference list."""

    anchor: str
    """HTML id the in-text citations link to."""
    html: Markup
    work: WorkView


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
    references: tuple[ReferenceView, ...]
    """The reference list (``bibliography: true``, in-text citations or ``nocite``)."""
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
    tags: tuple[Tag, ...] = ()
    """The brief's topics, in the order its front matter lists them."""


class IndexContext(TypedDict):
    site: Site
    root: str
    """Relative path from the page to the site root (``""`` or ``"../"``)."""
    briefs: Sequence[Brief]
    tags_of: Mapping[str, Sequence[Tag]]
    """Brief slug → its tags, in the order its front matter lists them."""
    url: str


class TagsContext(TypedDict):
    site: Site
    root: str
    tags: Sequence[Tag]
    """Every tag, alphabetically."""
    url: str


class TagContext(TypedDict):
    site: Site
    root: str
    tag: Tag
    briefs: Sequence[Brief]
    """The tag's briefs, newest first."""
    tags_of: Mapping[str, Sequence[Tag]]
    url: str


class SearchContext(TypedDict):
    site: Site
    root: str


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
    tags: Sequence[Tag]


TAGS_DIR = "tags"
SEARCH_PAGE = "search/index.html"


class BriefRenderer:
    """Renders one brief's page and records at a time, with what every page shares (the site,
    its tags, link health, the templates): a build can render each brief as soon as it is
    formatted and keep none of them in memory."""

    def __init__(
        self,
        briefs: Iterable[Brief],
        config: Config,
        *,
        search: bool,
        health: Mapping[str, LinkResult] | None = None,
    ) -> None:
        self.config = config
        self.env = create_environment(config.templates_dir)
        base_url = config.base_url.rstrip("/") + "/" if config.base_url else ""
        self.briefs = newest_first(briefs)
        self.tags, self.tags_of = collect_tags(self.briefs)
        self.site = Site(config.title, base_url, config.language, feed=bool(base_url),
                         search=search, topics=bool(self.tags))  # fmt: skip
        # The link checker's verdicts: a build that has read them already passes them in.
        self.health = _read_health(config) if health is None else health

    def brief_files(self, resolved: ResolvedBrief, formatted: FormattedBrief) -> dict[str, bytes]:
        """The brief's page and its BibTeX, RIS and CSL-JSON records: site path → bytes."""
        page = brief_page(resolved, formatted, self.site, self.health, self.config)
        page = replace(page, tags=tuple(self.tags_of[resolved.slug]))
        context = BriefContext(site=self.site, root="../", page=page)
        files = {f"{resolved.slug}/index.html": _render(self.env, "brief.html", context,
                                                          self.config)}  # fmt: skip
        files.update(brief_exports(resolved.brief, page.url, self.site))
        return files


def render_site(
    project: Project,
    formatted: Mapping[str, FormattedBrief],
    config: Config,
    *,
    search: bool = False,
    renderer: BriefRenderer | None = None,
    rendered: Iterable[str] = (),
) -> dict[str, bytes]:
    """Render every page and file of the site: site-relative path → UTF-8 bytes.

    ``search``: add the search page (the caller has Pagefind index the written site).
    Briefs named in ``rendered`` or :attr:`Project.reused` are left out: their files are
    already written (in the build cache).
    """
    renderer = renderer or BriefRenderer((r.brief for r in project.briefs), config,
                                         search=search)  # fmt: skip
    env, site = renderer.env, renderer.site
    # The index lists the project's briefs (their titles rendered), with the renderer's tags.
    briefs = newest_first(resolved.brief for resolved in project.briefs)
    tags, tags_of = collect_tags(briefs)
    base_url = site.base_url
    skipped = set(rendered) | set(project.reused)
    files: dict[str, bytes] = {}

    def render(name: str, template: str, context: Mapping[str, object]) -> None:
        files[name] = _render(env, template, context, config)

    index = IndexContext(site=site, root="", briefs=briefs, tags_of=tags_of, url=base_url)
    render("index.html", "index.html", index)
    for resolved in project.briefs:
        if resolved.slug not in skipped:
            files.update(renderer.brief_files(resolved, formatted[resolved.slug]))
    if tags:
        render(f"{TAGS_DIR}/index.html", "tags.html",
               TagsContext(site=site, root="../", tags=tags,
                           url=f"{base_url}{TAGS_DIR}/" if base_url else ""))  # fmt: skip
    for tag in tags:
        render(f"{TAGS_DIR}/{tag.slug}/index.html", "tag.html",
               TagContext(site=site, root="../../", tag=tag, briefs=tag.briefs, tags_of=tags_of,
                          url=f"{base_url}{TAGS_DIR}/{tag.slug}/" if base_url else ""))  # fmt: skip
    if search:
        render(SEARCH_PAGE, "search.html", SearchContext(site=site, root="../"))
    render("404.html", "404.html", NotFoundContext(site=site, root=urlsplit(base_url).path or "/"))
    dates = [b.date for b in briefs if b.date]
    updated = max(dates).isoformat() if dates else "1970-01-01"
    feed = FeedContext(site=site, briefs=briefs, updated=updated, tags=tags)
    render("robots.txt", "robots.txt", feed)
    if site.feed:
        render("feed.xml", "feed.xml", feed)
        render("sitemap.xml", "sitemap.xml", feed)
    return files


def newest_first(briefs: Iterable[Brief]) -> list[Brief]:
    """Briefs as the index lists them: newest first, undated last, then by folder name."""
    return sorted(
        briefs, key=lambda b: (b.date is None, -(b.date.toordinal() if b.date else 0), b.slug)
    )


def collect_tags(
    briefs: Sequence[Brief],
) -> tuple[tuple[Tag, ...], dict[str, tuple[Tag, ...]]]:
    """Every tag of ``briefs`` (newest first), alphabetically, and each brief's tags.

    Tags differing only in case or Unicode form are one tag. Two tags whose slugs coincide
    (``Human rights`` and ``human-rights``) get ``-2``, ``-3``… in the order of their names, so
    the same tags always get the same folders.
    """
    names: dict[str, str] = {}
    members: dict[str, list[Brief]] = {}
    for brief in briefs:
        for name in brief.tags:
            key = _tag_key(name)
            names.setdefault(key, name)
            found = members.setdefault(key, [])
            if not found or found[-1] is not brief:  # "Prisons" and "prisons" in one brief
                found.append(brief)
    slugs: dict[str, str] = {}
    taken: set[str] = set()
    for key in sorted(names, key=lambda k: (tag_slug(names[k]), k)):
        base = slug = tag_slug(names[key])
        number = 1
        while slug in taken:
            number += 1
            slug = f"{base}-{number}"
        slugs[key] = slug
        taken.add(slug)
    by_key = {key: Tag(names[key], slugs[key], tuple(members[key])) for key in names}
    tags = tuple(sorted(by_key.values(), key=lambda t: (_tag_key(t.name), t.slug)))
    tags_of = {
        brief.slug: tuple(by_key[key] for key in dict.fromkeys(map(_tag_key, brief.tags)))
        for brief in briefs
    }
    return tags, tags_of


def tag_slug(name: str) -> str:
    """A tag's folder name: ``Derechos humanos`` → ``derechos-humanos``, ``Política`` →
    ``politica``; a tag with no Latin letters or digits gets ``tag-`` and a hash of its name."""
    folded = _tag_key(name).translate(_LATIN_LETTERS)
    ascii_text = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    if slug:
        return slug
    return "tag-" + hashlib.sha256(_tag_key(name).encode("utf-8")).hexdigest()[:8]


def _tag_key(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


# Latin letters that Unicode does not decompose into a base letter and an accent.
_LATIN_LETTERS = str.maketrans(
    {"æ": "ae", "ø": "o", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
)


def brief_page(
    resolved: ResolvedBrief,
    formatted: FormattedBrief,
    site: Site,
    health: Mapping[str, LinkResult],
    config: Config,
) -> BriefPage:
    """Render a brief's sections (markers linked to notes) and gather its notes and metadata."""
    brief = resolved.brief
    citations = resolved.citations.citations
    notes = resolved.citations.notes
    footnotes = {note.footnote.key: note for note in notes if note.footnote}
    footnote_html: dict[str, tuple[str, bool]] = {}

    def marker(index: int, first: int = 0) -> str:
        citation = citations[first + index]
        shown = formatted.citations[citation.index]
        in_text = shown.in_text.html if shown.in_text else ""
        # Pandoc's markup for what a citation puts in the text: a span naming its keys.
        keys = escape(" ".join(item.key for item in citation.group.items))
        if citation.group.footnote:
            # Inside the author's own footnote the citation is written out where it stands (the
            # reference names the author, so ``@key`` adds nothing); the sentence ends it.
            text = shown.note.html.removesuffix(".") if shown.note else in_text
            return f'<span class="citation" data-cites="{keys}">{text}</span>'
        if citation.note is None:
            return f'<span class="citation" data-cites="{keys}">{in_text}</span>'
        # "As Blum[i] shows": the marker follows the name it belongs to, as a footnote does.
        if in_text:
            in_text = f'<span class="citation" data-cites="{keys}">{in_text}</span>'
        return in_text + render_marker(citation.note)

    def footnote(key: str, repeat: int) -> str:
        # A note no text reaches was reported as an error; its body is never shown.
        return render_marker(footnotes[key], repeat) if key in footnotes else ""

    sections = []
    first = 0
    for parsed in resolved.parsed_sections:
        env: MarkdownEnv = {
            "render_marker": partial(marker, first=first),
            "render_footnote": footnote,
            "path": parsed.section.path,
            "crossref_titles": dict(resolved.crossref_titles),
            "crossref_numbers": dict(resolved.crossref_numbers),
            "crossref_anchors": dict(resolved.crossref_anchors),
        }
        sections.append(
            RenderedSection(parsed.section, render_section(parsed, env), parsed.headings)
        )
        for key, body in parsed.footnotes.items():
            footnote_html[key] = render_note_body(parsed, body, env)
        first += len(parsed.citations)
    citing = resolved.citations.notes_citing()
    also = _AlsoCited(citing)
    shown_note = {c.note.number: formatted.citations[c.index].note
                  for c in citations if c.note and not c.group.footnote}  # fmt: skip
    note_views = []
    for note in notes:
        works = tuple(work_view(e, health) for e in cited_works(c.entry for c in note.cites))
        shown, more = also.of(note)
        block = False
        if note.footnote:
            html, block = footnote_html.get(note.footnote.key, ("", False))
            text = _plain_text(html)
        else:
            found = shown_note.get(note.number)
            html, text = (found.html, found.text) if found else ("", "")
        note_views.append(
            NoteView(
                note,
                Markup(_robust_links(html, works)),
                text,
                works,
                shown,
                more,
                block,
            )
        )
    references = tuple(
        ReferenceView(
            work_anchor(entry.key),
            Markup(_robust_links(text.html, (view := work_view(entry, health),))),
            view,
        )
        for entry, text in formatted.references
    )
    words = sum(len(parsed.section.body.split()) for parsed in resolved.parsed_sections)
    url = brief_url(site.base_url, brief)
    works_cited = resolved.citations.works  # distinct already: cited, then nocite
    description = brief.summary or brief.title
    meta = highwire_tags(brief, url=url, publisher=site.title, works=works_cited) + social_tags(
        brief, url=url, site_title=site.title, description=description
    )
    article = scholarly_article(brief, url=url, publisher=site.title, works=works_cited,
                                word_count=words)  # fmt: skip
    return BriefPage(
        brief=brief,
        sections=tuple(sections),
        notes=tuple(note_views),
        references=references,
        reading_minutes=max(1, round(words / WORDS_PER_MINUTE)),
        word_count=words,
        url=url,
        description=description,
        cite=cite_block(brief, formatted),
        meta=meta,
        json_ld=Markup(json_ld_script(article)),
        health_checked=any(w.health for note in note_views for w in note.works)
        or any(r.work.health for r in references),
    )


def render_marker(note: Endnote, repeat: int = 0) -> str:
    """HTML of an endnote marker: a superscript link to the note, which links back here.

    The note's text is the marker's accessible description, so a screen reader announces the
    source on focus with or without JavaScript; the script only draws the visual preview.
    ``repeat`` counts earlier references to the same footnote (their markers need their own id;
    the note links back to the first).
    """
    label = escape(note.label)
    anchor = f"ref-{label}" + (f"-{repeat + 1}" if repeat else "")
    return (
        f'<sup class="note-ref"><a id="{anchor}" href="#note-{label}" '
        f'role="doc-noteref" aria-label="Note {label}" '
        f'aria-describedby="{escape(note.anchor)}-text">[{label}]</a></sup>'
    )


def _plain_text(html: str) -> str:
    """Markup removed: a note's text for places that take no HTML."""
    return unescape(_TAG.sub("", html)).strip()


_TAG = re.compile(r"<[^>]*>")


ALSO_SHOWN = 10
"""At most this many other notes are named under a note; the rest are counted."""


class _AlsoCited:
    """The other notes that cite a note's works, named up to :data:`ALSO_SHOWN` and counted
    beyond: linear in the notes citing each work, not quadratic."""

    def __init__(self, citing: Mapping[str, list[Endnote]]) -> None:
        self.citing = citing
        self.numbers = {key: {note.number for note in notes} for key, notes in citing.items()}

    def of(self, note: Endnote) -> tuple[tuple[Endnote, ...], int]:
        keys = list(dict.fromkeys(cite.entry.key for cite in note.cites))
        if not keys:
            return (), 0
        if len(keys) == 1:
            total = len(self.numbers[keys[0]])
        else:
            total = len(set().union(*(self.numbers[key] for key in keys)))
        total -= 1  # the note itself
        # Each work's notes are in reading order: the first few of their merge are the first.
        shown: list[Endnote] = []
        seen = {note.number}
        for other in heapq.merge(*(self.citing[key] for key in keys), key=_number):
            if other.number not in seen:
                seen.add(other.number)
                shown.append(other)
                if len(shown) == ALSO_SHOWN:
                    break
        return tuple(shown), total - len(shown)


def _number(note: Endnote) -> int:
    return note.number


def work_view(entry: BibEntry, health: Mapping[str, LinkResult]) -> WorkView:
    """A cited work with its link's health, when ``briefgen check`` has seen it."""
    for url in (entry.url, doi_url(entry.doi) if entry.doi else None):
        if url and (url in health or url.split("#")[0] in health):
            found = health.get(url) or health[url.split("#")[0]]
            shown = found.verdict in _SHOWN_VERDICTS and found.checked_at is not None
            return WorkView(entry, found if shown else None)
    return WorkView(entry, None)


def _robust_links(html: str, works: Iterable[WorkView]) -> str:
    """Robust Links (robustlinks.mementoweb.org): a cited link names its archived copy."""
    for work in works:
        found = work.health
        if found and found.archive_url:
            old = f'<a href="{escape(found.url)}">'
            attrs = f' data-versionurl="{escape(found.archive_url)}"'
            if found.archive_on:
                attrs += f' data-versiondate="{found.archive_on.isoformat()}"'
            html = html.replace(old, f'<a href="{escape(found.url)}"{attrs}>', 1)
    return html


def cite_block(brief: Brief, formatted: FormattedBrief) -> CiteBlock:
    """The brief's own reference, formatted in its CSL style, with its export files."""
    if formatted.cite is None:
        # The style formatted the notes, so it formats the brief; this is a bug, not user error.
        raise RenderError(f"cannot format the brief {brief.slug!r} in style {brief.style!r}",
                          Location(brief.path))  # fmt: skip
    files = {fmt: Path(path).name for fmt, path in export_paths(brief).items()}
    return CiteBlock(Markup(formatted.cite.html), formatted.cite.text, files)


def brief_exports(brief: Brief, url: str, site: Site) -> dict[str, bytes]:
    """The brief's BibTeX, RIS and CSL-JSON records, by site-relative path."""
    entry = brief_entry(brief, url=url, publisher=site.title)
    paths = export_paths(brief)
    return {
        paths["bibtex"]: to_bibtex(entry).encode("utf-8"),
        paths["ris"]: to_ris(entry).encode("utf-8"),
        paths["csl"]: to_csl_json(entry, language=brief.language).encode("utf-8"),
    }


_SHOWN_VERDICTS = frozenset({Verdict.OK, Verdict.REDIRECTED, Verdict.BROKEN, Verdict.BLOCKED})


def _read_health(config: Config) -> Mapping[str, LinkResult]:
    # The reader lives beside the checker but never imports httpx: building stays offline.
    from briefgen.linkcheck.cache import read_link_health

    return read_link_health(config.cache_dir)


THEME = Path(__file__).parent / "theme"
"""The default theme: templates and ``static/``, shipped inside the package."""


def create_environment(templates_dir: Path) -> jinja2.Environment:
    """The Jinja environment: the project's templates first, then the theme's; autoescape on,
    undefined variables are errors."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(
            [jinja2.FileSystemLoader(templates_dir), jinja2.FileSystemLoader(THEME)]
        ),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=_template_cache(),
    )
    env.filters["long_date"] = _long_date
    return env


def _template_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates, kept in the user's cache folder as Python keeps ``.pyc`` files:
    compiling the theme costs a cold build more than rendering a brief.

    Never in the project (a pull request could plant compiled code there). Jinja stores each
    template's source checksum and recompiles a template that changed; a cache that cannot be
    read or written is skipped.
    """
    import contextlib

    import jinja2

    class Advisory(jinja2.FileSystemBytecodeCache):
        def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            try:
                super().load_bytecode(bucket)
            except Exception:  # unreadable or damaged: compile, as without a cache
                bucket.reset()

        def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            with contextlib.suppress(OSError):
                super().dump_bytecode(bucket)

    folder = user_cache_folder() / "templates"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        return None
    return Advisory(str(folder))


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
            f"template {exc.name!r} not found in {config.relative(config.templates_dir)} or in "
            "briefgen's theme; check the name in the {% extends %} or {% include %} that uses it",
            Location(config.relative(config.templates_dir)),
        ) from exc
    except jinja2.UndefinedError as exc:
        raise RenderError(
            f"template uses an undefined value: {exc.message}",
            Location(config.relative(config.templates_dir / name)),
        ) from exc
