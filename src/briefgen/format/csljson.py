"""BibTeX/biblatex entries to CSL-JSON, the input format of citeproc-py and every CSL processor."""

from __future__ import annotations

import re
from typing import Any

from briefgen.bibliography import MONTHS
from briefgen.model import BibEntry, Name

# biblatex/BibTeX entry type → CSL type. ``online``/``misc`` with a URL are web pages.
ENTRY_TYPES = {
    "article": "article-journal",
    "book": "book",
    "mvbook": "book",
    "booklet": "pamphlet",
    "inbook": "chapter",
    "incollection": "chapter",
    "inproceedings": "paper-conference",
    "conference": "paper-conference",
    "proceedings": "book",
    "collection": "book",
    "manual": "report",
    "report": "report",
    "techreport": "report",
    "thesis": "thesis",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "online": "webpage",
    "www": "webpage",
    "electronic": "webpage",
    "jurisdiction": "legal_case",
    "legislation": "legislation",
    "legal": "treaty",
    "patent": "patent",
    "dataset": "dataset",
    "software": "software",
    "unpublished": "manuscript",
    "misc": "document",
}

# CSL variable ← the first of these fields that the entry has.
TEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("title",),
    "title-short": ("shorttitle",),
    "container-title": ("journaltitle", "journal", "booktitle", "maintitle"),
    "collection-title": ("series",),
    "publisher": ("publisher", "institution", "school", "organization"),
    "publisher-place": ("location", "address"),
    "volume": ("volume",),
    "issue": ("number", "issue"),
    "page": ("pages",),
    "edition": ("edition",),
    "number": ("reportnumber",),
    "genre": ("type",),
    "abstract": ("abstract",),
    "note": ("note",),
    "ISBN": ("isbn",),
    "ISSN": ("issn",),
    "language": ("langid", "language"),
    "medium": ("howpublished",),
    "authority": ("court",),
}

NAME_VARIABLES = {"author": "author", "editor": "editor", "translator": "translator",
                  "bookauthor": "container-author", "director": "director"}  # fmt: skip

_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


def entry_to_csl(entry: BibEntry) -> dict[str, Any]:
    """Convert one entry to a CSL-JSON item (``id`` is the BibTeX key)."""
    f = entry.fields
    item: dict[str, Any] = {"id": entry.key, "type": _csl_type(entry)}
    for variable, candidates in TEXT_FIELDS.items():
        value = next((f[c] for c in candidates if f.get(c)), None)
        if value:
            item[variable] = value
    # A web page's container is the site: biblatex puts it in organization (or howpublished).
    if item["type"] == "webpage" and "container-title" not in item:
        site = f.get("organization") or f.get("howpublished")
        if site and not site.startswith(("http://", "https://", "\\url")):
            item["container-title"] = site
            if item.get("publisher") == site:
                del item["publisher"]
            if item.get("medium") == site:
                del item["medium"]
    if item["type"] != "webpage" and "medium" in item and "publisher" not in item:
        # BibTeX's catch-all: howpublished names where the work appeared.
        item["publisher"] = item.pop("medium")
    if f.get("titleaddon"):
        item["title"] = f"{item.get('title', '')} {f['titleaddon']}".strip()
    if entry.entry_type in ("report", "techreport") and f.get("number"):
        # In a report, number is the report number, not an issue.
        item["number"] = item.pop("issue")
    if entry.entry_type in ("thesis", "phdthesis", "mastersthesis") and "genre" not in item:
        item["genre"] = "PhD thesis" if entry.entry_type == "phdthesis" else "Master's thesis"
    for field, variable in NAME_VARIABLES.items():
        if entry.names.get(field):
            item[variable] = [_csl_name(n) for n in entry.names[field]]
    issued = _csl_date(f.get("date"), f.get("year"), f.get("month"), f.get("day"))
    if issued:
        item["issued"] = issued
    accessed = _csl_date(f.get("urldate"))
    if accessed:
        item["accessed"] = accessed
    if entry.url:
        item["URL"] = entry.url
    if entry.doi:
        item["DOI"] = entry.doi
    return item


def _csl_type(entry: BibEntry) -> str:
    subtype = entry.fields.get("entrysubtype", "").lower()
    if entry.entry_type == "article" and subtype in ("newspaper", "magazine"):
        return f"article-{subtype}"
    if entry.entry_type == "misc" and entry.url:
        return "webpage"
    return ENTRY_TYPES.get(entry.entry_type, "document")


def _csl_name(name: Name) -> dict[str, str]:
    if name.literal:
        return {"literal": name.literal}
    parts = {
        "family": name.family,
        "given": name.given,
        "non-dropping-particle": name.particle,
        "suffix": name.suffix,
    }
    return {k: v for k, v in parts.items() if v}


def _csl_date(
    date: str | None, year: str | None = None, month: str | None = None, day: str | None = None
) -> dict[str, Any] | None:
    """CSL date from biblatex ``date`` (``2024-07-25``, ``2024/2025``) or year/month/day."""
    if date:
        ranges = []
        for part in date.split("/")[:2]:
            match = _DATE.match(part.strip())
            if match:
                ranges.append([int(g) for g in match.groups() if g])
        return {"date-parts": ranges} if ranges else {"literal": date}
    if not year:
        return None
    match = re.match(r"\d{4}", year.strip())
    if not match:
        return {"literal": year}
    parts = [int(match.group())]
    month_number = MONTHS.get((month or "").strip().lower(), (month or "").strip())
    if month_number.isdigit() and 1 <= int(month_number) <= 12:
        parts.append(int(month_number))
        if day and day.strip().isdigit():
            parts.append(int(day.strip()))
    return {"date-parts": [parts]}
