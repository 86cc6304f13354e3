"""``briefgen build``: read every brief, resolve, format and render each in turn (or take it
from the build cache when nothing it is made from changed), report every problem before
anything is written, then write the site in one swap."""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Callable, Collection, Generator
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from briefgen import parallel
from briefgen.bibliography import load_bibliography
from briefgen.citations import resolve_citations
from briefgen.config import PYPROJECT, Config
from briefgen.content import BRIEF_FILE, PAGE_IDS, bundle_files, load_briefs
from briefgen.crossrefs import number_crossrefs
from briefgen.errors import Diagnostic, Diagnostics, Location, Severity
from briefgen.incremental import (
    BriefRecord,
    BuildCache,
    FileHashes,
    as_warning_rows,
    bibliography_fingerprint,
    brief_key,
    digest,
    entry_fingerprint,
    folder_fingerprint,
    replay,
    site_key,
)
from briefgen.markdown import parse_section, render_inline
from briefgen.model import (
    BibEntry,
    Bibliography,
    Brief,
    FormattedBrief,
    Project,
    ResolvedBrief,
    ResolvedCitations,
)

if TYPE_CHECKING:
    from briefgen.format import Formatter
    from briefgen.render import BriefRenderer


class BriefBuilder(Protocol):
    """What a build does with each brief it resolves: :meth:`build` runs wherever the brief is
    resolved (perhaps in a worker process), :meth:`keep` in the build's own process."""

    def build(self, resolved: ResolvedBrief, healthy: bool) -> tuple[ResolvedBrief, Any]:
        """Use a freshly resolved brief (``healthy``: no error so far); return what the project
        keeps of it and what :meth:`keep` receives."""

    def keep(self, slug: str, result: Any) -> None:
        """Take a built brief's ``result`` back in the build's own process."""


def load_project(
    config: Config,
    *,
    strict: bool = False,
    cache: BuildCache | None = None,
    search: bool = False,
    builder: BriefBuilder | None = None,
    loaded: Callable[[list[Brief]], object] | None = None,
    jobs: int = 1,
) -> Project:
    """Read and resolve every brief; raise :class:`BuildFailed` listing every problem.

    With a ``cache``, a brief whose inputs are unchanged is not parsed: its record is kept in
    :attr:`Project.reused` and its warnings are reported again. A ``builder`` receives each
    brief as soon as it is resolved and returns what the project keeps of it: a build formats
    and renders it there and keeps no tokens. With ``jobs`` > 1 and enough briefs to resolve,
    they are resolved and built in that many worker processes; the problems are reported in
    the same order as a serial build's.
    """
    diagnostics = Diagnostics()
    # Each brief folder's bytes, hashed before anything is read: a file saved during the build
    # then gives a new key next time rather than a stale page under the new key.
    folders = _folder_fingerprints(config, cache.hashes) if cache is not None else {}
    # With a build cache, the library's parse is kept too (a shared one holds thousands).
    parses = config.root / config.cache_dir if cache is not None and cache.incremental else None
    bibliography = load_bibliography(config.bibliography, root=config.root,
                                     diagnostics=diagnostics, cache_dir=parses)  # fmt: skip
    # An empty file is one problem, not one "unknown key" per citation.
    empty = bibliography.readable and not bibliography.entries
    if empty:
        bibliography = replace(bibliography, readable=False)
    briefs = load_briefs(config, diagnostics,
                         memo=cache.front_matter if cache is not None else None)  # fmt: skip
    if loaded is not None:
        loaded(briefs)
    own = BriefBibliographies(bibliography, config, diagnostics)
    site, tags_of = "", {}
    if cache is not None:
        from briefgen.render import collect_tags, newest_first  # a build's own; lint never

        site = site_key(config, briefs, cache.health, search=search)
        tags_of = collect_tags(newest_first(briefs))[1]
    # Each brief's slot, in reading order: its record's replay, or the outcome of resolving it.
    slots: list[ResolvedBrief | None] = []
    replays: list[list[Diagnostic]] = []
    todo: list[tuple[Brief, Bibliography]] = []
    reused: dict[str, int] = {}
    used: dict[str, set[str]] = {}
    for brief in briefs:
        brief_bibliography = own.of(brief)
        record = None
        if cache is not None:
            tags = [(tag.name, tag.slug) for tag in tags_of.get(brief.slug, ())]
            key = brief_key(site, brief.slug, folders.get(brief.slug, ""), tags)
            record = cache.reusable(brief.slug, key, brief_bibliography)
            cache.keys[brief.slug] = key
            cache.bibliographies[brief.slug] = brief_bibliography
        if record is None:
            slots.append(None)
            replays.append([])
            todo.append((brief, brief_bibliography))
            continue
        reused[brief.slug] = record.notes
        used[brief.slug] = set(record.cites)
        replays.append(replay(record.warnings))
        empty_citations = ResolvedCitations((), (), ())
        slots.append(ResolvedBrief(_titles_from(record.titles, brief)
                                   or _titles_rendered(brief, diagnostics), (),
                                   empty_citations, ()))  # fmt: skip
    work = _BriefWork(config, cache, builder)
    outcomes = _in_order(work, todo, healthy=not diagnostics.errors, jobs=jobs)
    cites_any = False
    resolved = []
    for slot, found in zip(slots, replays, strict=True):
        if slot is None:
            outcome = next(outcomes)
            slot, found = outcome.resolved, outcome.diagnostics
            used[slot.slug] = outcome.used
            cites_any = cites_any or outcome.cites_any
            if cache is not None:
                cache.warnings[slot.slug] = [d for d in found if d.severity is Severity.WARNING]
            if builder is not None:
                builder.keep(slot.slug, outcome.kept)
        diagnostics.extend(found)
        resolved.append(slot)
    outcomes.close()  # the workers, if any, are done
    if empty and cites_any:
        diagnostics.error(
            "the bibliography has no entries, so no citation can be resolved; expected BibTeX "
            "entries such as @book{key, title = {…}} (export them from Zotero, JabRef or "
            "Mendeley)",
            Location(bibliography.path),
        )
    # After an error (say an unknown key), "not cited" warnings would only be noise.
    if not diagnostics.errors:
        cited = {key for keys in used.values() for key in keys}
        for key in bibliography.entries:
            if key not in cited:
                diagnostics.warning(
                    f"BibTeX entry {key!r} is not cited by any brief", bibliography.location(key)
                )
        for brief, entries in own.loaded_by_brief():
            for key, entry in entries.items():  # the brief's own few entries, decoded anyway
                if key not in used.get(brief.slug, set()):
                    diagnostics.warning(
                        f"BibTeX entry {key!r} is not cited by the brief {brief.slug!r}, whose "
                        "bibliography holds it",
                        entry.location,
                    )
    diagnostics.raise_if_failed(strict=strict)
    return Project(config, bibliography, tuple(resolved), tuple(diagnostics.warnings), reused)


@dataclass(slots=True)
class _Outcome:
    """What resolving (and building) one brief leaves for the project, sent back by a worker."""

    resolved: ResolvedBrief
    diagnostics: list[Diagnostic]
    used: set[str]
    cites_any: bool
    kept: Any = None


@dataclass(slots=True)
class _BriefWork:
    """Resolve one brief and hand it to the builder: the same in a worker as in the build."""

    config: Config
    cache: BuildCache | None
    builder: BriefBuilder | None

    def __call__(self, brief: Brief, bibliography: Bibliography, healthy: bool) -> _Outcome:
        found = Diagnostics()
        one = resolve_brief(brief, bibliography, self.config, found)
        used = _used(one)
        cites_any = any(c.group.items for c in one.citations.citations)
        if self.cache is not None:  # the brief's record names them
            self.cache.warnings[brief.slug] = list(found.warnings)
        kept = None
        if self.builder is not None:
            one, kept = self.builder.build(one, healthy and not found.errors)
        return _Outcome(one, found.items, used, cites_any, kept)


def _in_order(
    work: _BriefWork, todo: list[tuple[Brief, Bibliography]], *, healthy: bool, jobs: int
) -> Generator[_Outcome, None, None]:
    """Each brief's outcome, in ``todo``'s order: from worker processes when it pays. A worker
    sees only its own briefs, so it builds each (``healthy``); the build then decides."""
    if parallel.pays(len(todo), jobs):
        yield from parallel.forked_map(lambda item: work(*item, True), todo, jobs)
        return
    for brief, bibliography in todo:
        outcome = work(brief, bibliography, healthy)
        healthy = healthy and not any(d.severity is Severity.ERROR for d in outcome.diagnostics)
        yield outcome


def _folder_fingerprints(config: Config, hashes: FileHashes) -> dict[str, str]:
    if not config.content_dir.is_dir():
        return {}
    return {
        folder.name: folder_fingerprint(folder, hashes)
        for folder in config.content_dir.iterdir()
        if folder.is_dir() and not folder.is_symlink()
    }


def _used(resolved: ResolvedBrief) -> set[str]:
    """The keys a brief uses: cited, listed by ``nocite``, and their crossref/xdata parents
    (which a Zotero or biblatex export carries for every chapter of an edited book)."""
    entries = {c.entry.key: c.entry for cit in resolved.citations.citations for c in cit.cites}
    entries |= {entry.key: entry for entry in resolved.citations.works}
    parents = {
        key
        for entry in entries.values()
        for field in ("crossref", "xdata")
        for key in entry.fields.get(field, "").replace(",", " ").split()
    }
    return set(entries) | parents


class BriefBibliographies:
    """The bibliography each brief resolves against: the project's, plus the brief's own .bib
    files (Pandoc's ``bibliography:``), each file read once however many briefs name it."""

    def __init__(self, project: Bibliography, config: Config, diagnostics: Diagnostics) -> None:
        self.project = project
        self.config = config
        self.diagnostics = diagnostics
        self.files: dict[Path, Bibliography] = {}
        self.used_by: list[tuple[Brief, dict[str, BibEntry]]] = []

    def of(self, brief: Brief) -> Bibliography:
        if not brief.bibliographies:
            return self.project
        own: dict[str, BibEntry] = {}
        locations: dict[str, Location] = {}
        for path in brief.bibliographies:
            if path not in self.files:
                self.files[path] = load_bibliography(self.config.root / path,
                                                     root=self.config.root,
                                                     diagnostics=self.diagnostics)  # fmt: skip
            file = self.files[path]
            for key in file.entries:
                if key in self.project.entries or key in own:
                    where = self.project.location(key) if key not in own else locations[key]
                    self.diagnostics.warning(
                        f"BibTeX key {key!r} is also in {where}; the brief {brief.slug!r} uses "
                        "this entry",
                        file.location(key),
                    )
                own[key] = file.entries[key]
                locations[key] = file.location(key)
        self.used_by.append((brief, own))
        readable = self.project.readable or any(self.files[p].entries for p in brief.bibliographies)
        # The brief's own entries first; the project's are looked up (and decoded) only if cited.
        entries = ChainMap(own, self.project.entries)  # type: ignore[arg-type]
        return Bibliography(self.project.path, entries, readable,
                            ChainMap(locations, self.project.locations))  # type: ignore[arg-type]

    def loaded_by_brief(self) -> list[tuple[Brief, dict[str, BibEntry]]]:
        return self.used_by


def resolve_brief(
    brief: Brief, bibliography: Bibliography, config: Config, diagnostics: Diagnostics
) -> ResolvedBrief:
    """Parse a brief's sections and resolve its citations (independently of other briefs)."""
    brief = _titles_rendered(brief, diagnostics)
    bundle = config.root / brief.path
    # The ids the page itself uses (templates: the theme's brief.html), beside the sections'.
    used_ids = set(PAGE_IDS) | {s.slug for s in brief.sections} | {
        f"{part}-title" for part in ("toc", "notes", "references", "cite", "about")
    }
    used_ids |= {f"{s.slug}-title" for s in brief.sections}
    parsed = tuple(
        parse_section(section, language=brief.language, bundle=bundle, used_ids=used_ids)
        for section in brief.sections
    )
    for section in parsed:
        diagnostics.extend(section.errors)
    marks = [mark for section in parsed for mark in section.marks]
    citations = resolve_citations(marks, bibliography, brief, diagnostics)
    links = tuple(link for section in parsed for link in section.links)
    crossrefs = number_crossrefs(brief, parsed, diagnostics)
    return ResolvedBrief(brief, parsed, citations, links, crossrefs.titles, crossrefs.numbers,
                         crossrefs.anchors)  # fmt: skip


def _titles_from(titles: list[list[str]], brief: Brief) -> Brief | None:
    """The brief with the titles a cached build rendered (None when they do not fit)."""
    if len(titles) != len(brief.sections) + 1:
        return None
    (html, text), *rest = titles
    sections = tuple(replace(section, title=t, title_html=h)
                     for section, (h, t) in zip(brief.sections, rest, strict=True))  # fmt: skip
    return replace(brief, title=text, title_html=html, sections=sections)


def _titles_rendered(brief: Brief, diagnostics: Diagnostics) -> Brief:
    """Titles are Markdown: keep their HTML for headings and their plain text everywhere else."""

    def rendered(title: str, where: Path) -> tuple[str, str]:
        html, text, notes = render_inline(title, brief.language)
        if notes:  # the front matter starts on line 1, as the other front-matter errors say
            message = f"the title {title!r} holds a citation, footnote or cross-reference, which "
            diagnostics.error(message + "a title cannot show; put it in the text below",
                              Location(where, 1))  # fmt: skip
        return html, text

    html, text = rendered(brief.title, brief.path / BRIEF_FILE)
    sections = []
    for section in brief.sections:
        section_html, section_text = rendered(section.title, section.path)
        sections.append(replace(section, title=section_text, title_html=section_html))
    return replace(brief, title=text, title_html=html, sections=tuple(sections))


def format_project(
    project: Project,
    config: Config,
    *,
    strict: bool = False,
) -> tuple[dict[str, FormattedBrief], tuple[Diagnostic, ...]]:
    """Format every brief's citations in its style: slug → formatted brief, and the warnings.

    (A build formats each brief as it is resolved, in :func:`build_site`; this is the same for
    a project loaded whole.)"""

    from briefgen.format import Formatter

    diagnostics = Diagnostics()
    formatter = Formatter(config.root, diagnostics)
    formatted = {}
    for resolved in project.briefs:
        result = _format(formatter, config, resolved)
        if result is not None:
            formatted[resolved.slug] = result
    diagnostics.raise_if_failed(strict=strict)
    return formatted, tuple(diagnostics.warnings)


def _format(formatter: Formatter, config: Config, resolved: ResolvedBrief) -> FormattedBrief | None:
    """One brief's citations and reference list, and the brief's own reference, in its style."""
    from briefgen.exports import brief_entry, brief_url

    brief = resolved.brief
    own = brief_entry(brief, url=brief_url(config.base_url, brief), publisher=config.title)
    return formatter.format_brief(brief, resolved.citations, own_entry=own)


def bundles(project: Project, files: Collection[str]) -> dict[str, Path]:
    """Each brief's own files (images, PDFs, data), published beside its page: site path → file.

    A file that would replace a page briefgen writes (``index.html``, the brief's ``.bib``) is an
    error at that file.
    """
    config = project.config
    copies: dict[str, Path] = {}
    diagnostics = Diagnostics()
    for resolved in project.briefs:
        folder = config.root / resolved.brief.path
        for relative in bundle_files(folder):
            site_path = f"{resolved.slug}/{relative.as_posix()}"
            if site_path in files:
                diagnostics.error(
                    f"this file would replace the page briefgen writes at {site_path}; "
                    "rename it",
                    Location(resolved.brief.path / relative),
                )
            copies[site_path] = folder / relative
    diagnostics.raise_if_failed()
    return copies


def build_site(
    config: Config, *, strict: bool = False, incremental: bool = True, jobs: int | None = None
) -> Project:
    """Build the site into ``config.output_dir``; on any error the old site stays untouched.

    Briefs whose inputs are unchanged since the last build are copied from the build cache
    (:mod:`briefgen.incremental`); ``incremental=False`` builds everything and rewrites it.
    The others are built in ``jobs`` worker processes (default: one per core) when there are
    enough of them.
    """
    from briefgen.write import check_output_dir, pagefind_binary

    shown = config.relative(config.output_dir)
    check_output_dir(config.output_dir, shown)
    pagefind = pagefind_binary() if config.search else None
    cache = BuildCache(config) if incremental else BuildCache.empty(config)
    try:
        return _build(config, cache, pagefind, strict=strict, jobs=jobs or parallel.cores())
    finally:
        cache.close()


class _SiteBuilder:
    """Formats and renders each brief as soon as it is resolved, writes its files to the build
    cache and lets its tokens go: memory holds one brief at a time, not the archive."""

    def __init__(self, config: Config, cache: BuildCache, *, search: bool) -> None:
        from briefgen.format import Formatter

        self.config = config
        self.cache = cache
        self.search = search
        self.problems = Diagnostics()
        self.formatter = Formatter(config.root, self.problems)
        self.briefs: list[Brief] = []
        """Every brief, set once they are loaded (the pages list the site's tags)."""
        self.renderer: BriefRenderer | None = None
        self.built: dict[str, BriefRecord] = {}

    def build(
        self, resolved: ResolvedBrief, healthy: bool
    ) -> tuple[ResolvedBrief, tuple[BriefRecord | None, list[Diagnostic]]]:
        light = ResolvedBrief(resolved.brief, (), ResolvedCitations((), (), ()), ())
        if not healthy:  # a clean build formats nothing once the input has an error
            return light, (None, [])
        before = len(self.problems.items)
        formatted = _format(self.formatter, self.config, resolved)
        problems = self.problems.items[before:]
        if formatted is None:
            return light, (None, problems)
        files = self.brief_renderer().brief_files(resolved, formatted)
        self.cache.format_warnings[resolved.slug] = problems
        record = self.cache.store(resolved.slug, _record(self.cache, resolved), files)
        return light, (record, problems)

    def keep(self, slug: str, result: tuple[BriefRecord | None, list[Diagnostic]]) -> None:
        record, problems = result
        self.cache.format_warnings[slug] = problems
        if record is not None:
            self.built[slug] = record

    def brief_renderer(self) -> BriefRenderer:
        from briefgen.render import BriefRenderer

        if self.renderer is None:  # every brief is loaded by now: the site's tags are known
            self.renderer = BriefRenderer(self.briefs, self.config, search=self.search,
                                          health=self.cache.health)  # fmt: skip
        return self.renderer


def _build(
    config: Config, cache: BuildCache, pagefind: Path | None, *, strict: bool, jobs: int
) -> Project:
    from briefgen.render import THEME, render_site
    from briefgen.write import index_search, write_site

    builder = _SiteBuilder(config, cache, search=pagefind is not None)
    project = load_project(config, strict=False, cache=cache, search=pagefind is not None,
                           builder=builder, loaded=builder.briefs.extend, jobs=jobs)  # fmt: skip
    builder.briefs[:] = [r.brief for r in project.briefs]  # with their titles rendered
    built = builder.built
    loading = Diagnostics()
    loading.extend(project.warnings)
    loading.raise_if_failed(strict=strict)
    # Formatting's problems, brief by brief in reading order, as a clean build reports them.
    # Workers each format with their own formatter, which reports a style's or an entry's
    # problem once: so does the build, at its first place.
    formatting = Diagnostics()
    seen: set[Diagnostic] = set()
    for resolved in project.briefs:
        if resolved.slug in project.reused:
            found = replay(cache.records[resolved.slug].format_warnings)
        else:
            found = cache.format_warnings.get(resolved.slug, [])
        formatting.extend(d for d in found if d not in seen)
        seen.update(found)
    formatting.raise_if_failed(strict=strict)
    warnings = tuple(formatting.warnings)
    if config.search and pagefind is None:
        missing = Diagnostics()
        missing.warning(
            "site search is on but Pagefind is not installed, so the site has no search; "
            "install it with `pip install 'pagefind[bin]'` (briefgen depends on it, but it has "
            "no wheel for every platform), or set search = false in [tool.briefgen]",
            PYPROJECT,
        )
        missing.raise_if_failed(strict=strict)
        warnings += tuple(missing.warnings)
    records = {**{slug: cache.records[slug] for slug in project.reused}, **built}
    reused = {}
    for slug, record in records.items():
        reused.update(cache.page_files(slug, record))
    # The pages every brief shares depend on nothing but the briefs' versions (which hold the
    # site's own key): with the same versions as last time, they are last time's.
    shared_key = digest(*(f"{r.slug} {records[r.slug].version}" for r in project.briefs))
    shared = cache.site_pages(shared_key)
    if shared is None:
        files = render_site(project, {}, config, search=pagefind is not None,
                            renderer=builder.brief_renderer(), rendered=built)  # fmt: skip
        cache.store_site_pages(shared_key, files)
    else:
        files = {}
        reused.update(shared)
    copies = bundles(project, set(files) | set(reused))
    # The theme's static files, then the project's: a project file replaces the theme's.
    static = (THEME / "static", config.templates_dir / "static")
    # Pagefind indexes the staged folder, so a failed index never replaces the old site.
    finish = partial(index_search, binary=pagefind, language=config.language) if pagefind else None
    write_site(config.output_dir, files, static_dirs=static, copies=copies, reused=reused,
               finish=finish, root=config.root, spare=cache.spare_site)  # fmt: skip
    cache.save(records, config.output_dir, built=set(built))
    notes = {slug: record.notes for slug, record in records.items()}
    return replace(project, warnings=project.warnings + warnings, notes=notes)


def _record(cache: BuildCache, resolved: ResolvedBrief) -> BriefRecord:
    """What a freshly built brief was made from (its files are added by :meth:`store`)."""
    slug = resolved.slug
    # The bibliography the brief was resolved against (its own .bib files first).
    bibliography = cache.bibliographies[slug]
    used = _used(resolved)
    return BriefRecord(
        key=cache.keys[slug],
        cites={key: entry_fingerprint(bibliography, key) for key in sorted(used)},
        whole_bibliography=bibliography_fingerprint(bibliography)
        if "*" in resolved.brief.nocite
        else "",
        warnings=as_warning_rows(cache.warnings.get(slug, ())),
        format_warnings=as_warning_rows(cache.format_warnings.get(slug, ())),
        notes=len(resolved.citations.notes),
        titles=[[resolved.brief.title_html, resolved.brief.title]]
        + [[s.title_html, s.title] for s in resolved.brief.sections],
    )
