"""What to check: every cited URL, once, with every place that cites it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

from briefgen.config import Config
from briefgen.errors import Location, UsageError
from briefgen.model import doi_url

# Links that are not web pages: nothing to check, nothing to report.
_NOT_CHECKED_SCHEMES = frozenset({"mailto", "tel", "sms", "javascript", "data"})


class CitationKind(StrEnum):
    """Where in the sources a URL comes from."""

    URL = "url"
    """A BibTeX ``url`` field."""
    DOI = "doi"
    """A BibTeX ``doi`` field, checked as ``https://doi.org/<doi>``."""
    LINK = "link"
    """A link written in the Markdown body."""


@dataclass(frozen=True, slots=True, order=True)
class Citation:
    """One place that cites a URL."""

    location: Location
    """The file and line of the citation (for an uncited BibTeX entry, the entry itself)."""
    kind: CitationKind
    brief: str | None = None
    """The brief's slug, or None when checking a file outside any brief."""
    endnote: str | None = None
    """The endnote numeral as shown to readers (``xvi``)."""
    key: str | None = None
    """The BibTeX key."""


@dataclass(frozen=True, slots=True)
class Target:
    """A URL to fetch once, with every citation of it."""

    url: str
    """The URL without its fragment (a fragment is never sent to the server)."""
    citations: tuple[Citation, ...]


def is_checkable_link(url: str) -> bool:
    """Tell whether a body link points outside the site (relative and mailto links do not)."""
    parts = urlsplit(url.strip())
    return bool(parts.scheme) and parts.scheme.lower() not in _NOT_CHECKED_SCHEMES


def merge(pairs: Iterable[tuple[str, Citation]]) -> list[Target]:
    """Group citations by URL (fragment dropped), keeping first-seen order."""
    grouped: dict[str, list[Citation]] = {}
    for url, citation in pairs:
        key = urldefrag(url.strip()).url
        cites = grouped.setdefault(key, [])
        if citation not in cites:
            cites.append(citation)
    return [Target(url, tuple(cites)) for url, cites in grouped.items()]


def collect_targets(config: Config, paths: Iterable[Path] = ()) -> list[Target]:
    """Collect the URLs of the project's briefs, or of just the given files and folders."""
    paths = [Path(p) for p in paths]
    if not paths:
        return merge(_project_pairs(config, None))
    pairs: list[tuple[str, Citation]] = []
    in_project: list[Path] = []
    for path in paths:
        resolved = (Path.cwd() / path).resolve()
        if not resolved.exists():
            raise UsageError(f"no such file or folder: {str(path)!r}")
        if resolved.suffix == ".bib":
            pairs.extend(_bib_pairs(config, resolved))
        elif resolved.is_relative_to(config.content_dir):
            in_project.append(resolved)
        elif resolved.is_dir():
            files = sorted(resolved.rglob("*.md")) + sorted(resolved.rglob("*.bib"))
            for file in files:
                if file.suffix == ".bib":
                    pairs.extend(_bib_pairs(config, file))
                else:
                    pairs.extend(_markdown_pairs(config, file))
        elif resolved.suffix in (".md", ".markdown"):
            pairs.extend(_markdown_pairs(config, resolved))
        else:
            raise UsageError(
                f"cannot check {str(path)!r}; expected a .bib file, a .md file or a brief folder"
            )
    if in_project:
        pairs.extend(_project_pairs(config, in_project))
    return merge(pairs)


def _project_pairs(config: Config, only: list[Path] | None) -> list[tuple[str, Citation]]:
    """URLs cited by the project's briefs; with ``only``, those cited in files under it."""
    from briefgen.build import load_project

    project = load_project(config)
    pairs: list[tuple[str, Citation]] = []

    def wanted(location: Location) -> bool:
        if only is None:
            return True
        where = (config.root / location.path).resolve()
        return any(where == path or where.is_relative_to(path) for path in only)

    for brief in project.briefs:
        for citation in brief.citations.citations:
            where = citation.group.location
            if not wanted(where):
                continue
            label = citation.note.label if citation.note else ""
            for cited in citation.cites:
                entry = cited.entry
                if entry.url:
                    pairs.append(
                        (entry.url, Citation(where, CitationKind.URL, brief.slug, label, entry.key))
                    )
                if entry.doi:
                    doi_cite = Citation(where, CitationKind.DOI, brief.slug, label, entry.key)
                    pairs.append((doi_url(entry.doi), doi_cite))
        for link in brief.links:
            if wanted(link.location) and is_checkable_link(link.url):
                pairs.append((link.url, Citation(link.location, CitationKind.LINK, brief.slug)))
    return pairs


def _bib_pairs(config: Config, path: Path) -> list[tuple[str, Citation]]:
    """Every URL and DOI of a BibTeX file, cited or not (vetting a fresh export)."""
    from briefgen.bibliography import load_bibliography
    from briefgen.errors import Diagnostics

    diagnostics = Diagnostics()
    bibliography = load_bibliography(path, root=config.root, diagnostics=diagnostics)
    diagnostics.raise_if_failed()
    pairs: list[tuple[str, Citation]] = []
    for entry in bibliography.entries.values():
        if entry.url:
            pairs.append((entry.url, Citation(entry.location, CitationKind.URL, key=entry.key)))
        if entry.doi:
            doi_cite = Citation(entry.location, CitationKind.DOI, key=entry.key)
            pairs.append((doi_url(entry.doi), doi_cite))
    return pairs


def _markdown_pairs(config: Config, path: Path) -> list[tuple[str, Citation]]:
    """Links of a Markdown file outside the project's briefs, read from its tokens."""
    from markdown_it import MarkdownIt

    text = path.read_text(encoding="utf-8")
    shown = config.relative(path)
    pairs: list[tuple[str, Citation]] = []
    for block in MarkdownIt("commonmark").parse(text):
        line = block.map[0] + 1 if block.map else None
        for token in block.children or ():
            if token.type in ("softbreak", "hardbreak") and line is not None:
                line += 1
            href = token.attrGet("href") if token.type == "link_open" else None
            if isinstance(href, str) and is_checkable_link(href):
                pairs.append((href, Citation(Location(shown, line), CitationKind.LINK)))
    return pairs
