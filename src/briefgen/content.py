"""Load briefs from ``content/<brief>/``: front matter and Markdown bodies, with source lines."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from briefgen.config import NUMBERING_SCHEMES, PYPROJECT, Config
from briefgen.errors import Diagnostics, Location
from briefgen.model import CITATION_KEY, Author, Brief, Section

BRIEF_FILE = "_index.md"
"""The file in a brief's folder holding the brief's own front matter (like Hugo's ``_index.md``)."""

_SECTION_NAME = re.compile(r"^(?P<order>\d+)-(?P<slug>[a-z0-9][a-z0-9-]*)\.md$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
# A section's slug is its HTML id on the brief's page, beside these (templates/brief.html).
PAGE_IDS = frozenset({"main", "about", "cite", "references", "notes", "toc"})
_PAGE_ID_PREFIXES = ("note-", "ref-", "work-", "author-")


def bundle_files(folder: Path) -> list[Path]:
    """The files a brief's folder publishes beside its page (images, PDFs, data), relative to it.

    Everything but its Markdown, hidden files and symbolic links (which could point anywhere).
    """
    found = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts) or path.suffix == ".md":
            continue
        if path.is_symlink() or any(p.is_symlink() for p in relative.parents if p != Path(".")):
            continue
        if path.is_file():
            found.append(relative)
    return found


def load_briefs(config: Config, diagnostics: Diagnostics) -> list[Brief]:
    """Load every brief under the content folder, reporting problems to ``diagnostics``."""
    content_dir = config.content_dir
    if not content_dir.is_dir():
        diagnostics.error(
            "content folder not found; expected one folder per brief, e.g. content/my-brief/",
            Location(config.relative(content_dir)),
        )
        return []
    briefs = []
    for folder in sorted(p for p in content_dir.iterdir() if p.is_dir()):
        if folder.name.startswith((".", "_")):
            continue
        briefs.append(load_brief(folder, config, diagnostics))
    if not briefs and not diagnostics.errors:
        diagnostics.error(
            "no briefs found; expected content/<brief>/_index.md",
            Location(config.relative(content_dir)),
        )
    return briefs


def load_brief(folder: Path, config: Config, diagnostics: Diagnostics) -> Brief:
    """Load one brief folder; problems go to ``diagnostics`` and bad sections are left out.

    A brief with errors is still returned, so that its good sections are checked too and one
    run reports every problem.
    """
    rel = config.relative(folder)
    if not _SLUG.match(folder.name):
        diagnostics.error(
            f"brief folder name {folder.name!r} must be lower-case letters, digits and hyphens",
            Location(rel),
        )
    index = folder / BRIEF_FILE
    meta: Mapping[str, Any] = {}
    meta_read = False
    if not index.is_file():
        diagnostics.error(
            f"missing {BRIEF_FILE}; expected the brief's front matter (title, authors, date, "
            "summary) there",
            Location(rel / BRIEF_FILE),
        )
    else:
        parsed = _read_front_matter(index, config, diagnostics)
        if parsed is not None:
            meta, meta_read = parsed[0], True

    where = Location(rel / BRIEF_FILE, 1)
    title = _get_str(meta, "title", where, diagnostics, required=meta_read)
    numbering = _get_str(meta, "numbering", where, diagnostics) or config.numbering
    if numbering not in NUMBERING_SCHEMES:
        diagnostics.error(
            f"unknown numbering {numbering!r}; expected one of {', '.join(NUMBERING_SCHEMES)}",
            where,
        )
    date = meta.get("date")
    if date is not None and not isinstance(date, dt.date):
        diagnostics.error(f"date {date!r} is not a date; expected YYYY-MM-DD", where)
        date = None
    if isinstance(date, dt.datetime):
        date = date.date()

    sections = []
    for path in sorted(folder.glob("*.md")):
        if path.name == BRIEF_FILE or not path.is_file():
            continue
        section = _load_section(path, config, diagnostics)
        if section is not None:
            sections.append(section)
    if not sections and index.is_file():
        diagnostics.error(
            "brief has no sections; expected files named like 01-introduction.md", Location(rel)
        )
    orders: dict[int, Section] = {}
    for section in sections:
        if section.order in orders:
            diagnostics.error(
                f"section order {section.order} is also used by {orders[section.order].path}",
                Location(section.path, 1),
            )
        orders[section.order] = section

    return Brief(
        slug=folder.name,
        path=rel,
        title=title,
        authors=_get_authors(meta, where, diagnostics),
        date=date,
        summary=_get_str(meta, "summary", where, diagnostics),
        numbering=numbering,
        style=_get_str(meta, "style", where, diagnostics) or config.style,
        style_set_at=where if meta.get("style") else PYPROJECT,
        language=_get_str(meta, "language", where, diagnostics) or config.language,
        sections=tuple(sorted(sections, key=lambda s: s.order)),
        **_citation_settings(meta, where, diagnostics),
    )


CITATION_MODES = ("endnotes", "in-text")
_NOCITE_KEY = re.compile(rf"@(?:\{{([^{{}}]+)\}}|(\*|{CITATION_KEY}))")


def _citation_settings(
    meta: Mapping[str, Any], where: Location, diagnostics: Diagnostics
) -> dict[str, Any]:
    """``citations``, ``bibliography: true``, Pandoc's ``suppress-bibliography`` and ``nocite``."""
    mode = _get_str(meta, "citations", where, diagnostics) or "endnotes"
    if mode not in CITATION_MODES:
        diagnostics.error(
            f"unknown citations mode {mode!r}; expected one of {', '.join(CITATION_MODES)}", where
        )
        mode = "endnotes"
    nocite_value = meta.get("nocite", "")
    if isinstance(nocite_value, list):
        nocite_value = " ".join(str(v) for v in nocite_value)
    if not isinstance(nocite_value, str):
        diagnostics.error(f"'nocite' must be text such as '@key1, @key2' or '@*', not "
                          f"{nocite_value!r}", where)  # fmt: skip
        nocite_value = ""
    nocite = tuple(braced or key for braced, key in _NOCITE_KEY.findall(nocite_value))
    listed = meta.get("bibliography")
    if listed is not None and not isinstance(listed, bool):
        # Pandoc's bibliography: names .bib files; briefgen reads one project bibliography.
        diagnostics.error(
            f"'bibliography' must be true or false (whether to add a reference list), not "
            f"{listed!r}; the BibTeX file is set by 'bibliography' in [tool.briefgen]",
            where,
        )
        listed = None
    suppress = meta.get("suppress-bibliography", False)
    if not isinstance(suppress, bool):
        diagnostics.error(f"'suppress-bibliography' must be true or false, not {suppress!r}",
                          where)  # fmt: skip
        suppress = False
    reference_list = bool(listed) or (listed is None and (mode == "in-text" or bool(nocite)))
    return {"citations": mode, "reference_list": reference_list and not suppress,
            "nocite": nocite}  # fmt: skip


def _load_section(path: Path, config: Config, diagnostics: Diagnostics) -> Section | None:
    rel = config.relative(path)
    name = _SECTION_NAME.match(path.name)
    if name is None:
        diagnostics.error(
            f"section file name {path.name!r} should look like 'NN-slug.md' (e.g. 02-the-deal.md)",
            Location(rel),
        )
        return None
    if name["slug"] in PAGE_IDS or name["slug"].startswith(_PAGE_ID_PREFIXES):
        diagnostics.error(
            f"section file name {path.name!r} gives the id {name['slug']!r}, which the page uses "
            f"for its own parts; rename the file (e.g. {name['order']}-{name['slug']}-section.md)",
            Location(rel),
        )
        return None
    parsed = _read_front_matter(path, config, diagnostics)
    if parsed is None:
        return None
    meta, body, body_line = parsed
    where = Location(rel, 1)
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        diagnostics.error("section has no title; expected 'title: ...' in its front matter", where)
        return None
    order = meta.get("order", int(name["order"]))
    if not isinstance(order, int) or isinstance(order, bool):
        diagnostics.error(f"section order {order!r} must be an integer", where)
        return None
    lead = meta.get("lead", False)
    if not isinstance(lead, bool):
        diagnostics.error(f"lead must be true or false, not {lead!r}", where)
        return None
    return Section(
        path=rel,
        slug=name["slug"],
        title=title.strip(),
        order=order,
        lead=lead,
        body=body,
        body_line=body_line,
    )


def _read_front_matter(
    path: Path, config: Config, diagnostics: Diagnostics
) -> tuple[Mapping[str, Any], str, int] | None:
    """Split a file into (front matter, body, first body line); None after reporting an error."""
    rel = config.relative(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        diagnostics.error(f"file is not valid UTF-8 ({exc.reason})", Location(rel))
        return None
    except OSError as exc:
        diagnostics.error(f"cannot read file ({exc.strerror})", Location(rel))
        return None
    text = text.removeprefix("\ufeff")
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != "---":
        diagnostics.error(
            "missing YAML front matter; expected the file to start with a '---' line",
            Location(rel, 1),
        )
        return None
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if end is None:
        diagnostics.error(
            "front matter is not closed; expected a '---' line after it", Location(rel, 1)
        )
        return None
    try:
        meta = yaml.safe_load("".join(lines[1:end])) or {}
    except ValueError as exc:
        # PyYAML builds dates itself and raises ValueError for 2025-13-45.
        diagnostics.error(f"invalid value in front matter: {exc}", Location(rel, 1))
        return None
    except yaml.YAMLError as exc:
        # The context mark (where an unclosed bracket or quote began) is the line to fix.
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context", None)
        if context:
            problem = f"{problem} ({context})"
        diagnostics.error(f"invalid YAML front matter: {problem}", Location(rel, line))
        return None
    if not isinstance(meta, dict):
        diagnostics.error(
            f"front matter must be a mapping of keys to values, not {type(meta).__name__}",
            Location(rel, 2),
        )
        return None
    return meta, "".join(lines[end + 1 :]), end + 2


def _get_str(
    meta: Mapping[str, Any],
    key: str,
    where: Location,
    diagnostics: Diagnostics,
    *,
    required: bool = False,
) -> str:
    value = meta.get(key)
    if value is None:
        if required:
            diagnostics.error(f"missing {key!r} in the brief's front matter", where)
        return ""
    if not isinstance(value, str):
        diagnostics.error(f"{key!r} must be text, not {value!r}", where)
        return ""
    return value.strip()


def _get_authors(
    meta: Mapping[str, Any], where: Location, diagnostics: Diagnostics
) -> tuple[Author, ...]:
    raw = meta.get("authors", meta.get("author"))
    if raw is None:
        return ()
    items = raw if isinstance(raw, list) else [raw]
    authors = []
    for item in items:
        if isinstance(item, str):
            authors.append(Author(name=item.strip(), bio=str(meta.get("author_bio") or "").strip()))
        elif isinstance(item, dict) and isinstance(item.get("name"), str):
            fields = {k: str(item.get(k) or "").strip() for k in ("bio", "affiliation", "url")}
            authors.append(Author(name=item["name"].strip(), **fields))
        else:
            diagnostics.error(
                f"author {item!r} must be a name or a mapping with 'name' (and 'bio', "
                "'affiliation', 'url')",
                where,
            )
    return tuple(authors)
