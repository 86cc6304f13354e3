"""Render resolved briefs through the Jinja templates in ``templates/`` into page bytes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

from briefgen.citations import Endnote, cited_keys
from briefgen.config import Config
from briefgen.content import Brief, Section
from briefgen.errors import Location, RenderError
from briefgen.markdown import CitationEnv, render_section

if TYPE_CHECKING:
    import jinja2

    from briefgen.build import Project, ResolvedBrief

WORDS_PER_MINUTE = 230


@dataclass(frozen=True, slots=True)
class Site:
    """Site-wide settings shown on every page."""

    title: str
    base_url: str
    language: str


@dataclass(frozen=True, slots=True)
class RenderedSection:
    """A section with its body rendered to HTML."""

    section: Section
    html: str


@dataclass(frozen=True, slots=True)
class NoteView:
    """An endnote as the page shows it."""

    endnote: Endnote
    also_cited_in: tuple[Endnote, ...]
    """Other endnotes citing any of this note's works ([xvi] and [xvii] share a source)."""


@dataclass(frozen=True, slots=True)
class BriefPage:
    """Everything the brief template needs."""

    brief: Brief
    sections: tuple[RenderedSection, ...]
    notes: tuple[NoteView, ...]
    reading_minutes: int
    url: str
    """Absolute URL of the page (empty when no base_url is set)."""


class IndexContext(TypedDict):
    site: Site
    root: str
    """Relative path from the page to the site root (``""`` or ``"../"``)."""
    briefs: Sequence[Brief]


class BriefContext(TypedDict):
    site: Site
    root: str
    page: BriefPage


def render_site(project: Project, config: Config) -> dict[str, bytes]:
    """Render every page of the site: site-relative path → UTF-8 bytes."""
    env = create_environment(config.templates_dir)
    site = Site(config.title, config.base_url, config.language)
    files: dict[str, bytes] = {}
    briefs = sorted(
        (resolved.brief for resolved in project.briefs),
        key=lambda b: (b.date is None, -(b.date.toordinal() if b.date else 0), b.slug),
    )
    files["index.html"] = _render(
        env, "index.html", IndexContext(site=site, root="", briefs=briefs), config
    )
    for resolved in project.briefs:
        page = brief_page(resolved, site)
        files[f"{resolved.slug}/index.html"] = _render(
            env, "brief.html", BriefContext(site=site, root="../", page=page), config
        )
    return files


def brief_page(resolved: ResolvedBrief, site: Site) -> BriefPage:
    """Render a brief's sections (markers linked to notes) and gather its notes."""
    by_number = {note.number: note for note in resolved.endnotes}
    sections = []
    first = 1
    for parsed in resolved.parsed_sections:
        env: CitationEnv = {
            "render_marker": lambda index, first=first: render_marker(by_number[first + index])
        }
        sections.append(RenderedSection(parsed.section, render_section(parsed, env)))
        first += len(parsed.citations)
    citing = cited_keys(resolved.endnotes)
    notes = tuple(
        NoteView(
            note,
            tuple(
                other
                for other in resolved.endnotes
                if other is not note
                and any(other in citing[r.entry.key] for r in note.references)
            ),
        )
        for note in resolved.endnotes
    )
    words = sum(len(parsed.section.body.split()) for parsed in resolved.parsed_sections)
    url = f"{site.base_url.rstrip('/')}/{resolved.slug}/" if site.base_url else ""
    return BriefPage(
        resolved.brief, tuple(sections), notes, max(1, round(words / WORDS_PER_MINUTE)), url
    )


def render_marker(note: Endnote) -> str:
    """HTML of an endnote marker: a superscript link to the note, which links back here."""
    label = escape(note.label)
    return (
        f'<sup class="note-ref"><a id="ref-{label}" href="#note-{label}" '
        f'role="doc-noteref" aria-label="Note {label}">[{label}]</a></sup>'
    )


def create_environment(templates_dir: Path) -> jinja2.Environment:
    """The Jinja environment: autoescape on, undefined variables are errors."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


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
            f"template {exc.name!r} not found; expected it in {config.relative(config.templates_dir)}",
            Location(config.relative(config.templates_dir)),
        ) from exc
    except jinja2.UndefinedError as exc:
        raise RenderError(
            f"template uses an undefined value: {exc.message}",
            Location(config.relative(config.templates_dir / name)),
        ) from exc
