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
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
"""A brief's folder name, which is also its URL: lower-case letters, digits and hyphens."""
# A section's slug is its HTML id on the brief's page, beside these (templates/brief.html).
PAGE_IDS = frozenset({"main", "about", "cite", "references", "notes", "toc"})
SITE_FOLDERS = frozenset({"tags", "search", "static", "pagefind", "_briefgen"})
"""Folders of the site that are not briefs: a brief may not take their names."""
_PAGE_ID_PREFIXES = ("note-", "ref-", "work-", "author-")


def bundle_files(folder: Path) -> list[Path]:
    """The files a brief's folder publishes beside its page (images, PDFs, data), relative to it.

    Everything but its Markdown and BibTeX (sources, not content: Zotero's exports carry local
    file paths and private notes), hidden files and symbolic links (which could point anywhere).
    """
    found = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts) or path.suffix in (".md", ".bib"):
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
    if not SLUG.match(folder.name):
        diagnostics.error(
            f"brief folder name {folder.name!r} must be lower-case letters, digits and hyphens",
            Location(rel),
        )
    elif folder.name in SITE_FOLDERS:
        diagnostics.error(
            f"brief folder name {folder.name!r} is a folder of the site itself "
            f"({', '.join(sorted(SITE_FOLDERS))}); rename the brief's folder",
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

    for key in meta:
        if key not in _BRIEF_KEYS:
            _unknown_key(str(key), _BRIEF_KEYS, "front matter", where, diagnostics)
    # Pandoc's names are read too: csl (a file, relative to the brief), lang, abstract, keywords.
    style = _get_str(meta, "style", where, diagnostics)
    csl = _get_str(meta, "csl", where, diagnostics)
    if csl and not style:
        style = (rel / csl).as_posix() if (folder / csl).is_file() else csl
    return Brief(
        slug=folder.name,
        path=rel,
        title=title,
        authors=_get_authors(meta, where, diagnostics),
        date=date,
        summary=_get_str(meta, "summary", where, diagnostics)
        or _get_str(meta, "abstract", where, diagnostics),
        numbering=numbering,
        style=style or config.style,
        style_set_at=where if style else PYPROJECT,
        language=_get_str(meta, "language", where, diagnostics)
        or _get_str(meta, "lang", where, diagnostics)
        or config.language,
        sections=tuple(sorted(sections, key=lambda s: s.order)),
        tags=_get_tags(meta, where, diagnostics),
        **_citation_settings(meta, where, diagnostics, folder=folder, rel=rel),
    )


_BRIEF_KEYS = frozenset({
    "title", "authors", "author", "author_bio", "date", "summary", "abstract", "numbering",
    "style", "csl", "language", "lang", "citations", "bibliography", "suppress-bibliography",
    "nocite", "tags", "keywords",
})  # fmt: skip
_SECTION_KEYS = frozenset({"title", "order", "lead"})


def _get_tags(
    meta: Mapping[str, Any], where: Location, diagnostics: Diagnostics
) -> tuple[str, ...]:
    """``tags:`` (or Pandoc's ``keywords:``): a list, or one comma-separated string."""
    raw = meta.get("tags", meta.get("keywords"))
    if raw is None:
        return ()
    items = raw.split(",") if isinstance(raw, str) else raw
    if not isinstance(items, list) or not all(isinstance(i, str | int) for i in items):
        diagnostics.error(f"tags {raw!r} must be a list of words, e.g. [heat, labour]", where)
        return ()
    tags = [str(item).strip() for item in items]
    return tuple(dict.fromkeys(tag for tag in tags if tag))


CITATION_MODES = ("endnotes", "in-text")
_NOCITE_KEY = re.compile(rf"@(?:\{{([^{{}}]+)\}}|(\*|{CITATION_KEY}))")


def _citation_settings(
    meta: Mapping[str, Any], where: Location, diagnostics: Diagnostics, *, folder: Path, rel: Path
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
    files: list[Path] = []
    if listed is not None and not isinstance(listed, bool):
        # Pandoc's meaning: one or more .bib files (relative to the brief), read in addition to
        # the project's; ``true``/``false`` asks for a reference list or not.
        names = listed if isinstance(listed, list) else [listed]
        for name in names:
            if not isinstance(name, str) or not name.strip():
                diagnostics.error(f"'bibliography' must be true, false, or .bib file names, "
                                  f"not {name!r}", where)  # fmt: skip
                continue
            if not (folder / name).is_file():
                diagnostics.error(f"bibliography file {name!r} not found; expected it in "
                                  f"{rel.as_posix()}/ (paths are relative to the brief's folder)",
                                  where)  # fmt: skip
                continue
            files.append(rel / name)
        listed = None
    suppress = meta.get("suppress-bibliography", False)
    if not isinstance(suppress, bool):
        diagnostics.error(f"'suppress-bibliography' must be true or false, not {suppress!r}",
                          where)  # fmt: skip
        suppress = False
    reference_list = bool(listed) or (listed is None and (mode == "in-text" or bool(nocite)))
    return {"citations": mode, "reference_list": reference_list and not suppress,
            "nocite": nocite, "bibliographies": tuple(files)}  # fmt: skip


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
    for key in meta:
        if key not in _SECTION_KEYS:
            _unknown_key(str(key), _SECTION_KEYS, "section front matter", where, diagnostics)
    return Section(
        path=rel,
        slug=name["slug"],
        title=title.strip(),
        order=order,
        lead=lead,
        body=body,
        body_line=body_line,
    )


# libyaml's safe loader when PyYAML was built with it (ten times faster; the same YAML 1.1).
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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
    source = "".join(lines[1:end])
    try:
        try:
            meta = yaml.load(source, Loader=_YAML_LOADER) or {}
        except yaml.YAMLError:
            # Read again by the Python loader, whose messages say what it found instead.
            meta = yaml.load(source, Loader=yaml.SafeLoader) or {}
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
            continue
        if not isinstance(item, dict) or not any(
            isinstance(item.get(k), str) for k in ("name", "family", "literal")
        ):
            diagnostics.error(
                f"author {item!r} must be a name, or a mapping with 'name' (or 'family' and "
                "'given', or 'literal') and optionally 'bio', 'affiliation', 'url', 'orcid'",
                where,
            )
            continue
        fields = {
            key: str(item.get(key) or "").strip()
            for key in ("bio", "affiliation", "url", "family", "given", "literal")
        }
        unknown = sorted(set(item) - _AUTHOR_KEYS)
        for key in unknown:
            _unknown_key(str(key), _AUTHOR_KEYS, "author", where, diagnostics)
        name = (
            str(item.get("name") or "").strip()
            or fields["literal"]
            or (f"{fields['given']} {fields['family']}".strip())
        )
        orcid = _orcid(str(item.get("orcid") or "").strip(), where, diagnostics)
        authors.append(Author(name=name, orcid=orcid, **fields))
    return tuple(authors)


_AUTHOR_KEYS = frozenset({"name", "bio", "affiliation", "url", "family", "given", "literal",
                          "orcid", "email", "corresponding", "equal-contributor"})  # fmt: skip
_ORCID = re.compile(r"^(?:https?://orcid\.org/)?(\d{4}-\d{4}-\d{4}-\d{3}[\dX])$")


def _orcid(value: str, where: Location, diagnostics: Diagnostics) -> str:
    if not value:
        return ""
    match = _ORCID.match(value)
    if match is None:
        diagnostics.error(f"ORCID iD {value!r} should look like 0000-0002-1825-0097", where)
        return ""
    return match[1]


# Keys Pandoc, Quarto and R Markdown documents carry that mean nothing for a brief's page: read
# and left alone, never reported. Any other key briefgen does not know is a warning.
_TOOL_KEYS = frozenset({
    "output", "format", "editor", "execute", "jupyter", "knitr", "engine", "documentclass",
    "classoption", "geometry", "fontsize", "mainfont", "header-includes", "include-before",
    "include-after", "toc", "toc-depth", "toc-title", "number-sections", "link-citations",
    "link-bibliography", "reference-section-title", "citation-abbreviations", "csl-refs",
    "papersize", "linestretch", "margin-left", "margin-right", "colorlinks", "urlcolor",
    "linkcolor", "draft", "params", "runtime", "always_allow_html", "vignette", "lof", "lot",
})  # fmt: skip


def _unknown_key(
    key: str, known: frozenset[str], what: str, where: Location, diagnostics: Diagnostics
) -> None:
    import difflib

    if key in _TOOL_KEYS:
        return
    close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.7)
    hint = (
        f"; did you mean {close[0]!r}?" if close else f"; briefgen reads {', '.join(sorted(known))}"
    )
    diagnostics.warning(f"unknown {what} key {key!r} is ignored{hint}", where)
