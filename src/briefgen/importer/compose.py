"""Turn a read article into a brief: keys for its references, its files, and BibTeX to append.

Each reference gets a Better BibTeX style key (``specht2019salvador``) that no existing entry
uses; a reference whose URL or DOI is already in the bibliography reuses that entry; identical
references share one entry. Markers become ``[@key]`` citations, in the order written, so the
brief builds to the same notes as the article. Nothing is written here:
:func:`compose_brief` returns the texts, and the command writes them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from briefgen.content import PAGE_IDS
from briefgen.errors import Diagnostics, Location
from briefgen.exports import bibtex_name, latex_escape, raw_url
from briefgen.importer.article import to_roman
from briefgen.importer.records import (
    Article,
    ArticleSection,
    Block,
    Marker,
    ParsedReference,
    ReferenceItem,
    RefName,
)
from briefgen.importer.references import key_base, parse_reference
from briefgen.model import CITATION_KEY, Bibliography

_PAGE_ID_PREFIXES = ("note-", "ref-", "work-", "author-")


@dataclass(frozen=True, slots=True)
class ImportedEntry:
    """One bibliography entry the brief cites: new (with its BibTeX) or reused."""

    key: str
    reference: ParsedReference
    labels: tuple[str, ...]
    """The list labels it stands for: ``("xvi", "xvii")`` for two identical references."""
    line: int
    """Line of its (first) reference in the article."""
    reused: str = ""
    """Why an existing entry was reused ("same URL"); empty for a new entry."""


@dataclass(frozen=True, slots=True)
class ComposedBrief:
    """What ``briefgen import`` writes: the brief's files and the BibTeX to append."""

    files: Mapping[str, str]
    """File name in the brief's folder → text (``_index.md``, ``01-lead.md``…)."""
    bibtex: str
    """Entries to append to the bibliography, with their comments; "" when all were reused."""
    entries: tuple[ImportedEntry, ...]
    notes: int
    """How many citations (endnotes) the brief has."""
    keys_by_label: Mapping[str, str] = field(default_factory=dict)


def compose_brief(
    article: Article,
    bibliography: Bibliography,
    diagnostics: Diagnostics,
    *,
    brief_folder: str,
    own_bibliography: str = "",
    reserved_keys: Collection[str] = (),
) -> ComposedBrief:
    """Keys, citations, section files and BibTeX for ``article``; warnings to ``diagnostics``.

    ``own_bibliography`` is the brief's own .bib (relative to its folder), when the entries go
    to a file other than the project's; no new key is one of ``reserved_keys``.
    """
    cited = _check_markers(article, diagnostics)
    entries, targets = _entries(article, bibliography, diagnostics, reserved_keys)
    for item in article.references:
        if _reference_id(item) not in cited:
            diagnostics.warning(
                f"reference [{item.label}] is never cited in the text"
                + (
                    f"; its entry {targets[_reference_id(item)][0]!r} is added to the "
                    "bibliography all the same"
                    if _reference_id(item) in targets
                    else ""
                ),
                Location(article.path, item.line),
            )
    files: dict[str, str] = {"_index.md": _index_file(article, own_bibliography if entries else "")}
    notes = 0
    used: set[str] = set()
    for number, section in enumerate(article.sections, start=1):
        slug = _section_slug(section, used)
        body, count = _section_body(section, article, targets)
        notes += count
        files[f"{number:02d}-{slug}.md"] = _section_file(section, body, article.markdown)
    new = [e for e in entries if not e.reused]
    bibtex = ""
    if new:
        header = f"% Imported by briefgen import from {article.path.name} into {brief_folder}/\n"
        bibtex = header + "".join("\n" + to_bibtex(e) for e in new)
    return ComposedBrief(
        files=files,
        bibtex=bibtex,
        entries=tuple(entries),
        notes=notes,
        keys_by_label={label: key for label, (key, _) in targets.items()},
    )


# --- Markers and references -----------------------------------------------------------------


def _reference_id(item: ReferenceItem) -> str:
    """What a marker and a list entry agree on: the number, else the footnote's name."""
    return str(item.number) if item.number is not None else item.label


def _marker_ids(marker: Marker) -> list[str]:
    return [
        str(number) if number is not None else label
        for label, number in zip(marker.labels, marker.numbers, strict=True)
    ]


def _label(number: int | None, label: str, scheme: str) -> str:
    if number is None:
        return label
    if scheme == "lower-roman":
        return to_roman(number)
    if scheme == "upper-roman":
        return to_roman(number).upper()
    return str(number)


def _all_markers(article: Article) -> list[Marker]:
    return [m for s in article.sections for b in s.blocks for m in b.markers]


def _check_markers(article: Article, diagnostics: Diagnostics) -> set[str]:
    """Report markers without a reference and numbers out of order; return the ids cited."""
    listed = {_reference_id(item) for item in article.references}
    seen: set[str] = set()
    numbers: set[int] = set()
    for marker in _all_markers(article):
        for ident, number, label in zip(
            _marker_ids(marker), marker.numbers, marker.labels, strict=True
        ):
            if ident not in listed:
                diagnostics.warning(
                    f"marker {marker.text!r} has no reference in the list; it is kept as text",
                    Location(article.path, marker.line),
                )
            if number is not None and number not in numbers:
                # The next new number should be the lowest not cited yet (a repeat is fine).
                expected = next(n for n in range(1, len(numbers) + 2) if n not in numbers)
                if number != expected:
                    diagnostics.warning(
                        f"marker [{label}] is out of order: expected "
                        f"[{_label(expected, '', article.scheme)}] next",
                        Location(article.path, marker.line),
                    )
                numbers.add(number)
            seen.add(ident)
    return seen


def _normalised(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split()).rstrip(".")


def _url_id(url: str) -> str:
    """A URL as compared for reuse: no scheme, ``www.``, or trailing slash; host in lower case."""
    url = re.sub(r"^https?://(?:www\.)?", "", url.strip(), flags=re.I)
    host, _, path = url.partition("/")
    return f"{host.lower()}/{path}".rstrip("/")


def _entries(
    article: Article,
    bibliography: Bibliography,
    diagnostics: Diagnostics,
    reserved_keys: Collection[str],
) -> tuple[list[ImportedEntry], dict[str, tuple[str, str]]]:
    """One entry per distinct reference; ``targets`` maps a reference id to (key, locator)."""
    by_url = {_url_id(e.url): e.key for e in bibliography.entries.values() if e.url}
    by_doi = {e.doi.lower(): e.key for e in bibliography.entries.values() if e.doi}
    taken = set(bibliography.entries) | set(reserved_keys)
    entries: list[ImportedEntry] = []
    by_text: dict[str, int] = {}
    targets: dict[str, tuple[str, str]] = {}
    previous: tuple[str, str] | None = None
    for item in article.references:
        ident = _reference_id(item)
        where = Location(article.path, item.line)
        reference = parse_reference(item.text)
        if reference.ibid:
            if previous is None:
                diagnostics.warning(
                    f"reference [{item.label}] says 'Ibid.' but no reference comes before it",
                    where,
                )
                continue
            targets[ident] = (previous[0], reference.fields.get("locator", ""))
            continue
        same = by_text.get(_normalised(item.text))
        if same is not None:
            entry = entries[same]
            entries[same] = ImportedEntry(
                entry.key, entry.reference, (*entry.labels, item.label), entry.line, entry.reused
            )
            targets[ident] = previous = (entry.key, "")
            continue
        url = reference.fields.get("url", "")
        doi = reference.fields.get("doi", "").lower()
        existing, why = "", ""
        if doi and doi in by_doi:
            existing, why = by_doi[doi], "same DOI"
        elif url and _url_id(url) in by_url:
            existing, why = by_url[_url_id(url)], "same URL"
        if existing:
            key = existing
        else:
            key = _free_key(key_base(reference), taken)
            taken.add(key)
            if url:
                by_url.setdefault(_url_id(url), key)
            if doi:
                by_doi.setdefault(doi, key)
            if reference.unparsed:
                what = (
                    "could not read this reference"
                    if reference.unparsed == reference.source
                    else f"could not read {reference.unparsed!r}"
                )
                diagnostics.warning(
                    f"reference [{item.label}]: {what}; kept verbatim in the 'note' of {key!r}",
                    where,
                )
        by_text[_normalised(item.text)] = len(entries)
        entries.append(ImportedEntry(key, reference, (item.label,), item.line, why))
        targets[ident] = previous = (key, "")
    return entries, targets


def _free_key(base: str, taken: set[str]) -> str:
    """``base``, or ``base`` + a, b, c… as Better BibTeX does: an existing key is never reused."""
    if base not in taken:
        return base
    suffix = 0
    while True:
        suffix += 1
        letters, n = "", suffix
        while n:
            n, rest = divmod(n - 1, 26)
            letters = chr(ord("a") + rest) + letters
        if base + letters not in taken:
            return base + letters


# --- BibTeX ---------------------------------------------------------------------------------

_OPEN, _CLOSE = "\ue000", "\ue001"
"""Stand-ins for the braces that protect words, so escaped text cannot be confused with them."""


def protect_case(title: str) -> str:
    """Escape a title for BibTeX and brace its capitalised words, so styles keep them as written.

    The first word of the title and of a subtitle is left unbraced (sentence case keeps it).
    """
    out = []
    start = True
    for token in title.split():
        lead = re.match(r"^[“‘\"'(\[]*", token)
        trail = re.search(r"[,:;.?!”’\"')\]]*$", token)
        assert lead is not None and trail is not None
        head, core = token[: lead.end()], token[lead.end() : max(lead.end(), trail.start())]
        tail = token[max(lead.end(), trail.start()) :]
        escaped = latex_escape(core)
        if any(c.isupper() for c in (core if not start else core[1:])):
            escaped = _OPEN + escaped + _CLOSE
        out.append(latex_escape(head) + escaped + latex_escape(tail))
        start = tail.endswith((":", "?", "!", "."))
    text = " ".join(out).replace(f"{_CLOSE} {_OPEN}", " ")
    return text.replace(_OPEN, "{").replace(_CLOSE, "}")


def _bib_names(names: tuple[RefName, ...]) -> str:
    return " and ".join("others" if n.literal == "others" else bibtex_name(n) for n in names)


_LITERAL_LISTS = frozenset({"organization", "publisher", "institution", "location"})
"""biblatex list fields among those the importer writes: their items are separated by "and"."""


def to_bibtex(entry: ImportedEntry) -> str:
    """The entry as biblatex source, after a comment naming the endnotes it stands for."""
    reference = entry.reference
    lines = [f"% endnote {', '.join(f'[{label}]' for label in entry.labels)}"]
    lines.append(f"@{reference.entry_type}{{{entry.key},")
    if reference.authors:
        lines.append(f"  author = {{{_bib_names(reference.authors)}}},")
    if reference.editors:
        lines.append(f"  editor = {{{_bib_names(reference.editors)}}},")
    for name, value in reference.fields.items():
        if name == "locator":
            continue
        if name in ("url", "doi", "date", "urldate"):
            text = raw_url(value)
        elif name == "title":
            text = protect_case(value)
        elif name in _LITERAL_LISTS and re.search(r"\sand\s", value):
            # A literal list splits at " and "; braces keep "Center for … and …" one name.
            text = "{" + latex_escape(value) + "}"
        else:
            text = latex_escape(value)
        lines.append(f"  {name} = {{{text}}},")
    if reference.unparsed:
        lines.append(f"  note = {{{latex_escape(reference.unparsed)}}},")
    lines.append("}")
    return "\n".join(lines) + "\n"


# --- Markdown -------------------------------------------------------------------------------

_SLOT = "\ue010"
"""Marks a citation's place while the prose around it is escaped."""
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>$~^@|])")
_ENTITY = re.compile(r"&(?=#?\w+;)")
_LINE_START = re.compile(
    r"^(?:(?P<hash>#)|(?P<bullet>[-+])(?=\s|$)|(?P<number>\(?[0-9]{1,9}|\(?[a-zA-Z])(?P<dot>[.)])(?=\s|$)"
    r"|(?P<colon>:)(?=\s|:)|(?P<rule>[=-])(?=[=-]*\s*$)|(?P<percent>%))"
)


def escape_prose(text: str) -> str:
    """Escape plain text so that, read as Pandoc Markdown, it says exactly what it said."""
    lines = []
    for line in text.split("\n"):
        line = _INLINE_SPECIAL.sub(r"\\\1", line.strip())
        line = _ENTITY.sub(r"\\&", line)
        start = _LINE_START.match(line)
        if start:
            if start["number"] is not None:
                cut = start.start("dot")
                line = line[:cut] + "\\" + line[cut:]
            else:
                line = "\\" + line
        lines.append(line)
    return "\n".join(lines)


def _citation(targets: list[tuple[str, str]]) -> str:
    items = []
    for key, locator in targets:
        shown = f"@{key}" if re.fullmatch(CITATION_KEY, key) else f"@{{{key}}}"
        items.append(f"{shown}, {locator}" if locator else shown)
    return "[" + "; ".join(items) + "]"


def _block_text(
    block: Block, article: Article, targets: Mapping[str, tuple[str, str]]
) -> tuple[str, int]:
    """The block with its markers as citations, prose escaped unless it is Markdown."""
    # Markers become placeholders (private-use characters no escape touches), so the prose is
    # escaped as whole lines, then each placeholder becomes its citation.
    pieces: list[str] = []
    citations: list[str] = []
    position = 0
    for marker in block.markers:
        found = [targets[i] for i in _marker_ids(marker) if i in targets]
        pieces.append(block.text[position : marker.start])
        if found:
            pieces.append(f"{_SLOT}{len(citations)}{_SLOT}")
            citations.append(_citation(found))
        else:
            pieces.append(marker.text)
        position = marker.end
    pieces.append(block.text[position:])
    text = "".join(pieces)
    if not article.markdown:
        text = escape_prose(text)
    text = re.sub(f"{_SLOT}(\\d+){_SLOT}", lambda m: citations[int(m[1])], text)
    return text, len(citations)


def _section_body(
    section: ArticleSection, article: Article, targets: Mapping[str, tuple[str, str]]
) -> tuple[str, int]:
    texts, total = [], 0
    for block in section.blocks:
        text, count = _block_text(block, article, targets)
        texts.append(text)
        total += count
    return "\n\n".join(texts), total


def _slugify(text: str, limit: int = 50) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    plain = re.sub(r"['’]", "", plain)
    slug = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0]
    return slug


def brief_slug(title: str) -> str:
    """A folder name from a title: the part before a colon, lower-case words and hyphens."""
    main = title.split(":", 1)[0] if len(title.split(":", 1)[0].split()) >= 2 else title
    return _slugify(main) or "imported-brief"


def _section_slug(section: ArticleSection, used: set[str]) -> str:
    slug = "lead" if not section.title else (_slugify(section.title) or "section")
    if slug in PAGE_IDS or slug.startswith(_PAGE_ID_PREFIXES):
        slug += "-section"
    unique, n = slug, 1
    while unique in used:
        n += 1
        unique = f"{slug}-{n}"
    used.add(unique)
    return unique


def _yaml(data: Mapping[str, Any]) -> str:
    return yaml.safe_dump(
        dict(data), allow_unicode=True, sort_keys=False, width=100, default_flow_style=False
    )


def _section_file(section: ArticleSection, body: str, markdown: bool) -> str:
    meta: dict[str, Any] = {}
    if section.title:
        meta["title"] = section.title if markdown else escape_prose(section.title)
    else:
        meta = {"title": "Introduction", "lead": True}
    return f"---\n{_yaml(meta)}---\n\n{body.strip()}\n"


def _index_file(article: Article, own_bibliography: str) -> str:
    meta: dict[str, Any] = {
        "title": article.title if article.markdown else escape_prose(article.title)
    }
    if article.authors:
        meta["authors"] = [
            {"name": a.name, **({"bio": a.bio} if a.bio else {})} for a in article.authors
        ]
    if article.date:
        meta["date"] = article.date
    meta["numbering"] = (
        article.scheme if article.scheme in ("lower-roman", "upper-roman") else "arabic"
    )
    if own_bibliography:
        meta["bibliography"] = own_bibliography
    return f"---\n{_yaml(meta)}---\n"
