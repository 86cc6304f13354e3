"""Load briefs from ``content/<brief>/``: front matter and Markdown bodies, with source lines."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, MutableMapping
from pathlib import Path
from typing import Any

import yaml

from briefgen.config import NUMBERING_SCHEMES, PYPROJECT, Config
from briefgen.errors import Diagnostics, Location
from briefgen.model import CITATION_KEY, Author, Brief, Section
from briefgen.text import decoding_problem, describe_character, forbidden_character, quote
from briefgen.urls import link_target

BRIEF_FILE = "_index.md"
"""The file in a brief's folder holding the brief's own front matter (like Hugo's ``_index.md``)."""

# ``\Z``, not ``$``: ``$`` also matches before a final newline, and a folder may be named "nl\n".
_SECTION_NAME = re.compile(r"^(?P<order>\d+)-(?P<slug>[a-z0-9][a-z0-9-]*)\.md\Z")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*\Z")
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


def load_briefs(
    config: Config, diagnostics: Diagnostics, *, memo: MutableMapping[str, Any] | None = None
) -> list[Brief]:
    """Load every brief under the content folder, reporting problems to ``diagnostics``.

    ``memo`` maps front matter text to what it was read as, kept between builds (see
    :class:`briefgen.incremental.FrontMatterMemo`): YAML read once per text, not per build.
    """
    content_dir = config.content_dir
    if not content_dir.is_dir():
        diagnostics.error(
            "content folder not found; expected one folder per brief, e.g. content/my-brief/",
            Location(config.relative(content_dir)),
        )
        return []
    briefs = []
    for folder in sorted(content_dir.iterdir()):
        if folder.name.startswith((".", "_")) or not _inside_project(folder, config, diagnostics):
            continue
        if folder.is_dir():
            briefs.append(load_brief(folder, config, diagnostics, memo=memo))
    if not briefs and not diagnostics.errors:
        diagnostics.error(
            "no briefs found; expected content/<brief>/_index.md",
            Location(config.relative(content_dir)),
        )
    return briefs


def _inside_project(path: Path, config: Config, diagnostics: Diagnostics) -> bool:
    """Whether ``path``, followed through symbolic links, lies inside the project; else reported.

    A brief is published whole, so a link from content/ to a file elsewhere (a home folder,
    ``/etc``) would publish that file; links within the project (a section shared by two
    briefs) are fine. A link that loops or points to nothing is reported, not a traceback.
    """
    if not path.is_symlink():
        return True
    where = Location(config.relative(path))
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):  # RuntimeError: Python 3.11's "Symlink loop"
        diagnostics.error(
            "symbolic link loops or points to nothing; expected a file or folder of the project",
            where,
        )
        return False
    root = config.root.resolve()
    if target != root and root not in target.parents:
        diagnostics.error(
            f"symbolic link points outside the project, to {quote(str(target))}; content must "
            "lie inside the project's folder (copy the file in instead)",
            where,
        )
        return False
    return True


def load_brief(
    folder: Path,
    config: Config,
    diagnostics: Diagnostics,
    *,
    memo: MutableMapping[str, Any] | None = None,
) -> Brief:
    """Load one brief folder; problems go to ``diagnostics`` and bad sections are left out.

    A brief with errors is still returned, so that its good sections are checked too and one
    run reports every problem.
    """
    rel = config.relative(folder)
    if not SLUG.match(folder.name):
        diagnostics.error(
            f"brief folder name {quote(folder.name)} must be lower-case letters, digits and "
            "hyphens",
            Location(rel),
        )
    elif folder.name in SITE_FOLDERS:
        diagnostics.error(
            f"brief folder name {quote(folder.name)} is a folder of the site itself "
            f"({', '.join(sorted(SITE_FOLDERS))}); rename the brief's folder",
            Location(rel),
        )
    index = folder / BRIEF_FILE
    meta: Mapping[str, Any] = {}
    meta_read = False
    index_inside = _inside_project(index, config, diagnostics)
    if index_inside and not index.is_file():
        diagnostics.error(
            f"missing {BRIEF_FILE}; expected the brief's front matter (title, authors, date, "
            "summary) there",
            Location(rel / BRIEF_FILE),
        )
    elif index_inside:
        parsed = _read_front_matter(index, config, diagnostics, memo)
        if parsed is not None:
            meta, meta_read = parsed[0], True

    where = Location(rel / BRIEF_FILE, 1)
    title = _get_str(meta, "title", where, diagnostics, required=meta_read)
    numbering = _get_str(meta, "numbering", where, diagnostics) or config.numbering
    if numbering not in NUMBERING_SCHEMES:
        diagnostics.error(
            f"unknown numbering {quote(numbering)}; expected one of {', '.join(NUMBERING_SCHEMES)}",
            where,
        )
    date = meta.get("date")
    if date is not None and not isinstance(date, dt.date):
        diagnostics.error(f"date {quote(date)} is not a date; expected YYYY-MM-DD", where)
        date = None
    if isinstance(date, dt.datetime):
        date = date.date()

    sections = []
    for path in sorted(folder.glob("*.md")):
        if path.name == BRIEF_FILE or path.name.startswith("."):
            continue  # hidden: editors' lock and backup files
        if not _inside_project(path, config, diagnostics):
            continue
        if not path.is_file():
            continue
        section = _load_section(path, config, diagnostics, memo)
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
    slugs: dict[str, Section] = {}
    for section in sections:
        if section.slug in slugs:
            diagnostics.error(
                f"section slug {section.slug!r} is also used by {slugs[section.slug].path}; "
                "each section's slug is its id on the page, so rename one of the files",
                Location(section.path),
            )
        slugs.setdefault(section.slug, section)

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
        **_citation_settings(meta, where, diagnostics, folder=folder, rel=rel, root=config.root),
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
        diagnostics.error(f"tags {quote(raw)} must be a list of words, e.g. [heat, labour]", where)
        return ()
    tags = [str(item).strip() for item in items]
    return tuple(dict.fromkeys(tag for tag in tags if tag))


CITATION_MODES = ("endnotes", "in-text")
_NOCITE_KEY = re.compile(rf"@(?:\{{([^{{}}]+)\}}|(\*|{CITATION_KEY}))")


def _citation_settings(
    meta: Mapping[str, Any],
    where: Location,
    diagnostics: Diagnostics,
    *,
    folder: Path,
    rel: Path,
    root: Path,
) -> dict[str, Any]:
    """``citations``, ``bibliography: true``, Pandoc's ``suppress-bibliography`` and ``nocite``."""
    mode = _get_str(meta, "citations", where, diagnostics) or "endnotes"
    if mode not in CITATION_MODES:
        diagnostics.error(
            f"unknown citations mode {quote(mode)}; expected one of {', '.join(CITATION_MODES)}",
            where,
        )
        mode = "endnotes"
    nocite_value = meta.get("nocite", "")
    if isinstance(nocite_value, list):
        nocite_value = " ".join(str(v) for v in nocite_value)
    if not isinstance(nocite_value, str):
        diagnostics.error(f"'nocite' must be text such as '@key1, @key2' or '@*', not "
                          f"{quote(nocite_value)}", where)  # fmt: skip
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
                                  f"not {quote(name)}", where)  # fmt: skip
                continue
            try:
                target = (folder / name).resolve()
            except (OSError, RuntimeError):  # a link loop: reported as not found below
                target = folder
            if target != root.resolve() and root.resolve() not in target.parents:
                diagnostics.error(f"bibliography file {quote(name)} is outside the project; "
                                  "expected a .bib file inside it", where)  # fmt: skip
                continue
            if not (folder / name).is_file():
                diagnostics.error(f"bibliography file {quote(name)} not found; expected it in "
                                  f"{rel.as_posix()}/ (paths are relative to the brief's folder)",
                                  where)  # fmt: skip
                continue
            files.append(rel / name)
        listed = None
    suppress = meta.get("suppress-bibliography", False)
    if not isinstance(suppress, bool):
        diagnostics.error(f"'suppress-bibliography' must be true or false, not {quote(suppress)}",
                          where)  # fmt: skip
        suppress = False
    reference_list = bool(listed) or (listed is None and (mode == "in-text" or bool(nocite)))
    return {"citations": mode, "reference_list": reference_list and not suppress,
            "nocite": nocite, "bibliographies": tuple(files)}  # fmt: skip


def _load_section(
    path: Path,
    config: Config,
    diagnostics: Diagnostics,
    memo: MutableMapping[str, Any] | None = None,
) -> Section | None:
    rel = config.relative(path)
    name = _SECTION_NAME.match(path.name)
    if name is None:
        diagnostics.error(
            f"section file name {quote(path.name)} should look like 'NN-slug.md' "
            "(e.g. 02-the-deal.md)",
            Location(rel),
        )
        return None
    if name["slug"] in PAGE_IDS or name["slug"].startswith(_PAGE_ID_PREFIXES):
        diagnostics.error(
            f"section file name {quote(path.name)} gives the id {quote(name['slug'])}, which the "
            "page uses for its own parts; rename the file "
            f"(e.g. {name['order']}-{name['slug']}-section.md)",
            Location(rel),
        )
        return None
    parsed = _read_front_matter(path, config, diagnostics, memo)
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
        diagnostics.error(f"section order {quote(order)} must be an integer", where)
        return None
    lead = meta.get("lead", False)
    if not isinstance(lead, bool):
        diagnostics.error(f"lead must be true or false, not {quote(lead)}", where)
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
    path: Path,
    config: Config,
    diagnostics: Diagnostics,
    memo: MutableMapping[str, Any] | None = None,
) -> tuple[Mapping[str, Any], str, int] | None:
    """Split a file into (front matter, body, first body line); None after reporting an error.

    Front matter found in ``memo`` is not read again (only front matter read without a
    problem is kept there)."""
    rel = config.relative(path)
    try:
        data = path.read_bytes()
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, message = decoding_problem(data, exc)
        diagnostics.error(message, Location(rel, line))
        return None
    except OSError as exc:
        diagnostics.error(f"cannot read file ({exc.strerror})", Location(rel))
        return None
    text = text.removeprefix("\ufeff")
    if (bad := forbidden_character(text)) is not None:
        line = text.count("\n", 0, bad) + 1
        column = bad - (text.rfind("\n", 0, bad) + 1) + 1
        diagnostics.error(
            f"{describe_character(text[bad])} at column {column}; remove it "
            "(it would make the page's XML, feeds and exports ill-formed)",
            Location(rel, line),
        )
        return None
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
    body = "".join(lines[end + 1 :])
    known = memo.get(source) if memo is not None else None
    if isinstance(known, dict):
        return known, body, end + 2
    refused = _yaml_problem(source) if _may_be_refused(source) else None
    if refused is not None:
        diagnostics.error(refused[1], Location(rel, refused[0] + 2))
        return None
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
    huge = _huge_number(meta)
    if huge is not None:
        diagnostics.error(f"front matter value at {quote(huge)} is a number too large for "
                          "anything a brief says; expected text or a small number",
                          Location(rel, 1))  # fmt: skip
        return None
    if memo is not None:
        memo[source] = meta
    return meta, body, end + 2


_MAX_NESTING = 32
"""How deep front matter may nest: real front matter nests three or four levels, and PyYAML's
constructor recurses once per level (1,000 nested ``[`` is a RecursionError)."""


def _huge_number(meta: Mapping[str, Any]) -> str | None:
    """Where front matter holds an integer past 64 bits (``0x`` and thousands of digits reads
    quickly, but Python refuses to print it, so every message and page would fail)."""
    pending: list[tuple[str, Any]] = [(str(key), value) for key, value in meta.items()]
    seen: set[int] = set()
    while pending:
        where, value = pending.pop()
        if isinstance(value, dict | list):
            if id(value) in seen:  # shared by aliases: looked at once
                continue
            seen.add(id(value))
        if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
            return where
        if isinstance(value, dict):
            pending += [(f"{where}.{key}"[:60], item) for key, item in value.items()]
        elif isinstance(value, list):
            pending += [(where, item) for item in value]
    return None


def _may_be_refused(source: str) -> bool:
    """Whether front matter could hold what :func:`_yaml_problem` refuses; when not (nearly
    always), reading its events, a second parse, is skipped.

    An alias needs an anchor (``&``); a forbidden character that the text check before this
    did not see needs an escape (``\\``); and a level of nesting needs a flow bracket, a
    deeper indent or a compact ``- ``, ``? `` or ``: `` on its line, so the bound below is
    never less than the real depth.
    """
    if "&" in source or "\\" in source:
        return True
    brackets = source.count("[") + source.count("{")
    deepest = max((_depth_bound(line) for line in source.splitlines()), default=0)
    return brackets + deepest >= _MAX_NESTING


def _depth_bound(line: str) -> int:
    """No fewer levels than a line can be nested in, flow brackets aside: a sequence may sit at
    its key's indent, so each column of indent may stand for two levels, and each ``-``, ``?``
    or ``:`` before a space or the line's end may open one more."""
    indent = len(line) - len(line.lstrip(" "))
    stripped = line.rstrip()
    tokens = line.count("- ") + line.count("? ") + line.count(": ")
    tokens += stripped.endswith(("-", "?", ":"))
    return 2 * indent + tokens + 1


def _yaml_problem(source: str) -> tuple[int, str] | None:
    """The first thing in front matter that briefgen refuses before building it, with its line.

    Read by the loaders :func:`_read_front_matter` uses, libyaml's first: the Python one also
    reads what libyaml refuses (``"\\ud800"``) and is used then.
    """
    try:
        return _refused(source, _YAML_LOADER)
    except yaml.YAMLError:
        try:
            return _refused(source, yaml.SafeLoader)
        except yaml.YAMLError:
            return None  # the loader reports it, with a better message


def _refused(source: str, loader: Any) -> tuple[int, str] | None:
    """What :func:`_yaml_problem` finds, read by ``loader`` as a stream of events.

    Events need no recursion and no memory per alias. Refused: nesting past
    :data:`_MAX_NESTING`; aliases that expand the document past ten times its size (nine
    levels of aliases to ten aliases each, a "billion laughs", is 10⁹ values whose ``repr``
    or page is gigabytes); and characters no page may hold (``"\\x01"``, ``"\\ud800"``).
    None when none is found; a syntax error raises :class:`yaml.YAMLError`.
    """
    limit = 10 * len(source) + 10_000
    anchored: dict[str, int] = {}
    # One open collection per level: [anchor, expanded size, is a mapping, next is a key, key]
    stack: list[list[Any]] = []
    expanded = 0

    def field() -> str:
        keys = [str(level[4]) for level in stack if level[2] and level[4] is not None]
        return ".".join(keys)[:60] or "(the document)"

    for event in yaml.parse(source, Loader=loader):
        line = event.start_mark.line if event.start_mark is not None else 0
        size = 0
        if isinstance(event, yaml.CollectionStartEvent):
            if len(stack) >= _MAX_NESTING:
                return line, (
                    f"front matter nests deeper than {_MAX_NESTING} levels at "
                    f"{quote(field())}; expected a few levels of lists and mappings"
                )
            stack.append([event.anchor, 1, isinstance(event, yaml.MappingStartEvent),
                          True, None])  # fmt: skip
            continue
        if isinstance(event, yaml.CollectionEndEvent):
            anchor, size, *_ = stack.pop()
            if anchor is not None:
                anchored[anchor] = size
        elif isinstance(event, yaml.ScalarEvent):
            bad = forbidden_character(event.value)
            if bad is not None:
                return line, (
                    f"front matter value at {quote(field())} holds "
                    f"{describe_character(event.value[bad])}; remove it"
                )
            size = 1 + len(event.value)
            expanded += size
            if event.anchor is not None:
                anchored[event.anchor] = size
        elif isinstance(event, yaml.AliasEvent):
            if any(level[0] is not None and level[0] == event.anchor for level in stack):
                return line, (
                    f"front matter's alias *{str(event.anchor)[:40]} is inside the list or "
                    "mapping it names (a value that holds itself); write the values out instead"
                )
            size = anchored.get(event.anchor or "", 1)
            expanded += size
            if expanded > limit:
                return line, (
                    f"front matter's aliases (*{str(event.anchor)[:40]}) repeat its values "
                    f"past {limit:,} characters; write the values out instead"
                )
        else:
            continue
        if stack:
            level = stack[-1]
            level[1] += size
            if level[2]:
                # In a mapping, events alternate key, value: remember the key for messages.
                is_key = level[3]
                level[4] = event.value if is_key and isinstance(event, yaml.ScalarEvent) \
                    else (level[4] if not is_key else "?")  # fmt: skip
                level[3] = not is_key
    return None


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
        diagnostics.error(f"{key!r} must be text, not {quote(value)}", where)
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
                f"author {quote(item)} must be a name, or a mapping with 'name' (or 'family' and "
                "'given', or 'literal') and optionally 'bio', 'affiliation', 'url', 'orcid'",
                where,
            )
            continue
        fields = {}
        for key in ("bio", "affiliation", "url", "family", "given", "literal"):
            value = item.get(key)
            if isinstance(value, list | dict | set):
                # str() would publish a list's repr (and an alias bomb's gigabytes of it)
                diagnostics.error(f"author's {key!r} must be text, not {quote(value)}", where)
                value = None
            fields[key] = str(value or "").strip()
        if fields["url"] and link_target(fields["url"]) is None:
            diagnostics.error(
                f"author's 'url' {quote(fields['url'])} is not a web address a reader can "
                "follow; expected one starting with https:// (or http://)",
                where,
            )
            fields["url"] = ""
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
        diagnostics.error(f"ORCID iD {quote(value)} should look like 0000-0002-1825-0097", where)
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
    diagnostics.warning(f"unknown {what} key {quote(key)} is ignored{hint}", where)
