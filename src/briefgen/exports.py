"""The brief itself as a citable work: one BibTeX record, written out as BibTeX, RIS and CSL-JSON.

Every export is made from the same :class:`~briefgen.bibliography.BibEntry` that the site's own
"Cite this brief" block is formatted from (through the brief's CSL style), so the four never
disagree.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path
from typing import Protocol

from briefgen.content import BRIEF_FILE
from briefgen.errors import Location
from briefgen.format.csljson import entry_to_csl
from briefgen.model import Author, BibEntry, Brief, Name

GENRE = "Policy brief"
"""The ``type`` of the brief's own record (biblatex's report subtype, CSL's genre)."""

# LaTeX's special characters, escaped so that a title like "50% & rising" survives BibTeX.
_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "$": r"\$",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_LATEX_SPECIAL = re.compile("|".join(re.escape(c) for c in _LATEX_SPECIALS))


def brief_url(base_url: str, brief: Brief) -> str:
    """The brief's absolute URL (``https://…/cecot/``); empty when no base_url is set."""
    return f"{base_url.rstrip('/')}/{brief.slug}/" if base_url else ""


def brief_entry(brief: Brief, *, url: str, publisher: str) -> BibEntry:
    """The brief as a biblatex ``@report`` record (its ``type`` is "Policy brief")."""
    fields = {"title": brief.title, "type": GENRE}
    if publisher:
        fields["institution"] = publisher
    if brief.date:
        fields["date"] = brief.date.isoformat()
    if brief.summary:
        fields["abstract"] = brief.summary
    names = tuple(author_name(a) for a in brief.authors)
    if names:
        fields["author"] = " and ".join(bibtex_name(n) for n in names)
    return BibEntry(
        key=citation_key(brief),
        entry_type="report",
        fields=fields,
        names={"author": names} if names else {},
        location=Location(brief.path / BRIEF_FILE, 1),
        url=url or None,
    )


def author_name(author: Author) -> Name:
    """The author's name parts: as the front matter gives them (``family``/``given`` or
    ``literal``); else the last word of ``name`` is the family name, one word kept whole."""
    if author.literal:
        return Name(literal=author.literal)
    if author.family:
        return Name(family=author.family, given=author.given)
    parts = author.name.split()
    if len(parts) < 2:
        return Name(literal=author.name)
    return Name(family=parts[-1], given=" ".join(parts[:-1]))


def citation_key(brief: Brief) -> str:
    """A stable BibTeX key: first author's family name, year, slug (``specht2025cecot``)."""
    first = author_name(brief.authors[0]) if brief.authors else Name(literal="")
    family = first.family or first.literal
    ascii_family = unicodedata.normalize("NFKD", family).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^a-z0-9]", "", ascii_family.lower())
    year = str(brief.date.year) if brief.date else ""
    return f"{stem}{year}{brief.slug}"


def to_bibtex(entry: BibEntry) -> str:
    """The entry as biblatex source; prose fields are LaTeX-escaped, the URL is kept raw."""
    lines = [f"@{entry.entry_type}{{{entry.key},"]
    for name in ("author", "title", "type", "institution", "date", "abstract"):
        value = entry.fields.get(name)
        if value:
            # Names are already in BibTeX form (braces protect corporate names).
            text = value if name == "author" else latex_escape(value)
            lines.append(f"  {name} = {{{text}}},")
    if entry.url:
        lines.append(f"  url = {{{raw_url(entry.url)}}},")
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_ris(entry: BibEntry) -> str:
    """The entry as RIS (``TY  - RPRT`` … ``ER  -``), CRLF line endings as the format expects."""
    lines = [("TY", "RPRT")]
    lines += [("AU", _ris_name(n)) for n in entry.names.get("author", ())]
    lines.append(("TI", entry.fields.get("title", "")))
    date = entry.fields.get("date", "")
    if date:
        lines.append(("PY", date[:4]))
        lines.append(("DA", date.replace("-", "/")))
    for tag, name in (("PB", "institution"), ("M3", "type"), ("AB", "abstract")):
        if entry.fields.get(name):
            lines.append((tag, entry.fields[name]))
    if entry.url:
        lines.append(("UR", entry.url))
    lines.append(("ID", entry.key))
    # A newline inside a value would start a bogus tag line.
    body = "".join(f"{tag}  - {' '.join(value.split())}\r\n" for tag, value in lines if value)
    return body + "ER  - \r\n"


def to_csl_json(entry: BibEntry, *, language: str) -> str:
    """The entry as a CSL-JSON array of one item, through the same converter as the notes."""
    item = entry_to_csl(entry)
    item["language"] = language
    return json.dumps([item], ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def export_paths(brief: Brief) -> dict[str, str]:
    """Site-relative paths of a brief's exports, by format (``bibtex``, ``ris``, ``csl``)."""
    stem = Path(brief.slug) / brief.slug
    return {
        "bibtex": f"{stem}.bib",
        "ris": f"{stem}.ris",
        "csl": f"{stem}.json",
    }


def latex_escape(text: str) -> str:
    """Escape LaTeX's special characters in prose (Unicode is left as is, for biblatex)."""
    return _LATEX_SPECIAL.sub(lambda m: _LATEX_SPECIALS[m.group()], " ".join(text.split()))


class NameParts(Protocol):
    """A name as BibTeX writes it: an organisation (``literal``), or family and given names."""

    @property
    def family(self) -> str: ...
    @property
    def given(self) -> str: ...
    @property
    def literal(self) -> str: ...


def bibtex_name(name: NameParts) -> str:
    """``Family, Given``, or ``{Literal}`` kept whole (biblatex would split it at "and")."""
    if name.literal:
        return "{" + latex_escape(name.literal) + "}"
    return f"{latex_escape(name.family)}, {latex_escape(name.given)}"


def _ris_name(name: Name) -> str:
    return name.literal or f"{name.family}, {name.given}"


def raw_url(url: str) -> str:
    # A URL is not LaTeX-escaped (biblatex reads it verbatim), but unbalanced braces or a
    # newline would end the field early: percent-encode those few characters.
    return url.replace("{", "%7B").replace("}", "%7D").replace("\n", "").replace("\r", "")
