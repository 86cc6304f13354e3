"""The lint rules: one small function per rule, registered in :data:`RULES` under its code.

Each rule reads a :class:`~briefgen.lint.findings.LintInput` and yields findings. Codes are
stable: ``BG1xx`` are about citations and the bibliography, ``BG100`` passes on what reading the
project reported that no other rule names.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from briefgen.errors import Diagnostic, Location
from briefgen.lint.findings import Finding, LintInput, LintSeverity
from briefgen.model import BibEntry
from briefgen.urls import LINK_SCHEMES

if TYPE_CHECKING:
    from markdown_it.token import Token

Check = Callable[[LintInput], Iterable[Finding]]


@dataclass(frozen=True, slots=True)
class Rule:
    """A registered rule."""

    code: str
    name: str
    """A short kebab-case name, shown in ``--format json``."""
    check: Check
    """The function; its docstring is the rule's documentation."""

    @property
    def doc(self) -> str:
        return (self.check.__doc__ or "").strip().splitlines()[0]


RULES: dict[str, Rule] = {}
"""Every rule, by code, in the order they run."""


def rule(code: str, name: str) -> Callable[[Check], Check]:
    """Register a check under ``code``."""

    def register(check: Check) -> Check:
        RULES[code] = Rule(code, name, check)
        return check

    return register


def lint(project: LintInput) -> list[Finding]:
    """Run every rule; the findings sorted by file and line."""
    findings = [finding for registered in RULES.values() for finding in registered.check(project)]
    return sorted(findings, key=_position)


def _position(finding: Finding) -> tuple[str, int, str]:
    where = finding.location
    return (str(where.path), where.line or 0, finding.code) if where else ("", 0, finding.code)


# --- What reading the project reported -----------------------------------------------------

# The pipeline's messages that a rule of its own names (one fact, one place: the pipeline decides
# what an unknown key is; lint gives it a code).
_PIPELINE_CODES = (
    ("BG101", re.compile(r"unknown (?:citation|nocite) key ")),
    ("BG104", re.compile(r"footnote \[\^.*\] is referenced but never defined")),
)


def _pipeline_code(diagnostic: Diagnostic) -> str:
    for code, pattern in _PIPELINE_CODES:
        if pattern.match(diagnostic.message):
            return code
    return "BG100"


def _from_diagnostic(code: str, diagnostic: Diagnostic) -> Finding:
    # The pipeline writes "problem; what to do": the second half is the hint.
    message, _, hint = diagnostic.message.partition("; ")
    severity = LintSeverity(diagnostic.severity.value)
    return Finding(code, severity, diagnostic.location, message, hint)


@rule("BG100", "input")
def check_input(project: LintInput) -> Iterator[Finding]:
    """A problem reading the project that ``briefgen build`` also reports (bad BibTeX, front
    matter, Markdown), other than those the rules below name."""
    for diagnostic in project.diagnostics:
        if _pipeline_code(diagnostic) == "BG100":
            yield _from_diagnostic("BG100", diagnostic)


@rule("BG101", "unresolved-key")
def check_unresolved_keys(project: LintInput) -> Iterator[Finding]:
    """A citation (or ``nocite``) names a key the bibliography does not have."""
    for diagnostic in project.diagnostics:
        if _pipeline_code(diagnostic) == "BG101":
            yield _from_diagnostic("BG101", diagnostic)


# --- The bibliography against the briefs -------------------------------------------------------


@rule("BG102", "unused-entry")
def check_unused_entries(project: LintInput) -> Iterator[Finding]:
    """A BibTeX entry no brief cites or lists in ``nocite`` (a ``crossref``/``xdata`` parent of
    a used entry counts as used)."""
    entries = project.bibliography.entries
    if not project.briefs or not project.bibliography.readable:
        return  # nothing was read to compare against: every entry would be "unused"
    used = {cite.entry.key for brief in project.briefs for citation in brief.citations.citations
            for cite in citation.cites}  # fmt: skip
    used |= {entry.key for brief in project.briefs for entry in brief.citations.works}
    pending = list(used)
    while pending:
        entry = entries.get(pending.pop())
        for parent in _parents(entry) if entry else ():
            if parent not in used:
                used.add(parent)
                pending.append(parent)
    for key, entry in entries.items():
        if key not in used:
            yield Finding("BG102", LintSeverity.WARNING, entry.location,
                          f"BibTeX entry {key!r} is not cited by any brief",
                          "cite it, list it in a brief's nocite, or remove it")  # fmt: skip


def _parents(entry: BibEntry) -> list[str]:
    """The keys an entry inherits from (``crossref``, ``xdata``), as the bibliography reads them."""
    links = (entry.latex.get("crossref", ""), entry.latex.get("xdata", ""))
    return [key for link in links for key in re.split(r"[\s,]+", link) if key]


@rule("BG103", "duplicate-entry")
def check_duplicates(project: LintInput) -> Iterator[Finding]:
    """Two keys for one work: the same DOI, the same URL (scheme and host case, a trailing
    slash and ``utm_`` parameters aside) or the same title and year."""
    first: dict[tuple[str, str], BibEntry] = {}
    for entry in project.bibliography.entries.values():
        reported = False
        for kind, value in _identities(entry):
            seen = first.setdefault((kind, value), entry)
            if seen is entry or reported or _related(seen, entry):
                continue
            reported = True
            line = f" (line {seen.location.line})" if seen.location.line else ""
            yield Finding("BG103", LintSeverity.WARNING, entry.location,
                          f"entry {entry.key!r} has the same {kind} as {seen.key!r}{line}",
                          "keep one of the two keys and cite it everywhere")  # fmt: skip


def _identities(entry: BibEntry) -> Iterator[tuple[str, str]]:
    doi = entry.doi
    url = normalise_url(entry.url) if entry.url else ""
    if not doi and url.startswith(("https://doi.org/", "https://dx.doi.org/")):
        doi = url.split("/", 3)[3]  # a DOI written as a URL is the same DOI
    if doi:
        yield "DOI", doi.strip().casefold()
    if url:
        yield "URL", url
    title = normalise_title(entry.fields.get("title", ""))
    if title:
        year = (entry.fields.get("date") or entry.fields.get("year") or "")[:4]
        yield "title and year", f"{title} ({year})"


def _related(a: BibEntry, b: BibEntry) -> bool:
    """A crossref child inherits its parent's fields: that is not a duplicate."""
    return a.key in _parents(b) or b.key in _parents(a)


_TRACKING = re.compile(r"^(?:utm_\w+|fbclid|gclid)$", re.IGNORECASE)


def normalise_url(url: str) -> str:
    """The form two URLs of one page share: https, lower-case host, default port, trailing slash
    and tracking parameters (``utm_*``, ``fbclid``, ``gclid``) removed."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return url.strip()
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        scheme = "https"  # the same page; BG110 says which one to write
    host = (parts.hostname or "").lower()
    if port is not None and port not in (80, 443):
        host = f"{host}:{port}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                       if not _TRACKING.match(k)])  # fmt: skip
    return urlunsplit((scheme, host, parts.path.rstrip("/"), query, parts.fragment))


def normalise_title(title: str) -> str:
    """A title reduced to its letters and digits, lower case, accents removed."""
    decomposed = unicodedata.normalize("NFKD", title.casefold())
    letters = "".join(c if c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))
    return " ".join(letters.split())


# --- Leftover hand-typed note markers ------------------------------------------------------------

_ROMAN = r"(?:c|xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})"
_MARKER = re.compile(rf"\[(?:\d{{1,3}}|(?=[ivxlc]){_ROMAN}|(?=[IVXLC]){_ROMAN.upper()})\](?!\w)")
_TEXT = frozenset({"text", "text_special"})


@rule("BG104", "leftover-marker")
def check_leftover_markers(project: LintInput) -> Iterator[Finding]:
    """Text that looks like a hand-typed note marker left in the body, ``[xii]``, ``[12]`` or an
    undefined ``[^12]`` (code and math aside): briefgen numbers the notes itself."""
    for diagnostic in project.diagnostics:
        if _pipeline_code(diagnostic) == "BG104":
            yield _from_diagnostic("BG104", diagnostic)  # an error: build fails on it too
    for brief in project.briefs:
        for parsed in brief.parsed_sections:
            offset = parsed.section.body_line
            blocks = [parsed.tokens, *parsed.footnotes.values()]
            for line, text in _text_lines(token for block in blocks for token in block):
                for match in _MARKER.finditer(text):
                    yield Finding(
                        "BG104",
                        LintSeverity.WARNING,
                        Location(parsed.section.path, line + offset),
                        f"{match[0]!r} looks like a hand-typed note marker",
                        "cite with [@key] or write a footnote [^1]; briefgen numbers the notes",
                    )


def _text_lines(tokens: Iterable[Token]) -> Iterator[tuple[int, str]]:
    """The rendered text of each source line (0-based in the body), code and math left out."""
    for token in tokens:
        if token.type != "inline" or token.map is None:
            continue
        line, parts = token.map[0], []
        for child in _flatten(token.children or ()):
            if child.type in _TEXT:
                parts.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                yield line, "".join(parts)
                line, parts = line + 1, []
            else:
                parts.append("\0")  # code, math, a citation: a marker cannot span it
        yield line, "".join(parts)


def _flatten(children: Sequence[Token]) -> Iterator[Token]:
    for child in children:
        yield child
        if child.type == "image" and child.children:  # alt text is shown too
            yield from _flatten(child.children)


# --- Fields a kind of source should have ------------------------------------------------------

_WEB_TYPES = frozenset({"online", "www", "webpage", "electronic"})


def _is_web_source(entry: BibEntry) -> bool:
    """An ``@online`` entry, or a BibTeX ``@misc`` with a URL (how Zotero exports a web page)."""
    return entry.entry_type in _WEB_TYPES or (entry.entry_type == "misc" and bool(entry.url))


def _eprint(entry: BibEntry) -> bool:
    """An arXiv (or other) preprint: biblatex links ``eprint`` itself."""
    return bool(entry.fields.get("eprint"))


@rule("BG105", "web-source-without-url")
def check_web_without_url(project: LintInput) -> Iterator[Finding]:
    """An ``@online`` entry with no ``url``, ``doi`` or ``eprint``: the reader cannot find it."""
    for entry in project.bibliography.entries.values():
        if entry.entry_type in _WEB_TYPES and not (entry.url or entry.doi or _eprint(entry)):
            yield Finding("BG105", LintSeverity.WARNING, entry.location,
                          f"web source {entry.key!r} has no url",
                          "add url = {https://…}")  # fmt: skip


@rule("BG106", "web-source-without-access-date")
def check_web_without_access_date(project: LintInput) -> Iterator[Finding]:
    """A web source with a URL (and no DOI) but no ``urldate``: styles print when it was read."""
    for entry in project.bibliography.entries.values():
        if _is_web_source(entry) and entry.url and not entry.doi and "urldate" not in entry.fields:
            yield Finding("BG106", LintSeverity.WARNING, entry.location,
                          f"web source {entry.key!r} has no access date",
                          "add urldate = {YYYY-MM-DD}, the day you read it")  # fmt: skip


@rule("BG107", "article-without-volume-or-pages")
def check_article_fields(project: LintInput) -> Iterator[Finding]:
    """A journal ``@article`` without ``volume`` or ``pages`` (newspaper and magazine articles,
    ``entrysubtype``, forthcoming ones, ``pubstate``, and preprints, ``eprint``, need neither)."""
    for entry in project.bibliography.entries.values():
        fields = entry.fields
        if entry.entry_type != "article" or "pubstate" in fields or _eprint(entry):
            continue
        if not any(char.isdigit() for char in fields.get("date") or fields.get("year") or "0"):
            continue  # year = {forthcoming}, Google Scholar's way of saying pubstate
        if fields.get("entrysubtype", "").strip().lower() in ("newspaper", "magazine"):
            continue
        missing = [name for name, present in (
            ("volume", "volume" in fields),
            ("pages", "pages" in fields or "eid" in fields),
        ) if not present]  # fmt: skip
        if missing:
            yield Finding("BG107", LintSeverity.WARNING, entry.location,
                          f"article {entry.key!r} has no {' or '.join(missing)}",
                          "add " + " and ".join(f"{m} = {{…}}" for m in missing)
                          + ", or entrysubtype = {newspaper} for a newspaper article")  # fmt: skip


# --- URLs and DOIs ---------------------------------------------------------------------------


def _urls(project: LintInput) -> Iterator[tuple[str, Location, str]]:
    """Every URL the project would link: each entry's ``url`` and each link in the body."""
    for entry in project.bibliography.entries.values():
        if entry.url:
            yield entry.url, entry.location, f"url of {entry.key!r}"
    seen = set()
    for brief in project.briefs:
        for link in brief.links:
            if (link.url, link.location) not in seen:
                seen.add((link.url, link.location))
                yield link.url, link.location, "link"


def url_problem(url: str) -> str | None:
    """What is wrong with a URL a reader should be able to follow, or None."""
    if any(char.isspace() for char in url):
        return "contains white space"
    if "\\" in url or "{" in url or "}" in url:
        return "holds LaTeX markup"
    if not url.lower().startswith(tuple(f"{scheme}://" for scheme in LINK_SCHEMES)):
        return "is not an http(s) URL"
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return "cannot be parsed"
    if not host:
        return "has no host"
    if "." not in host and host != "localhost":
        return f"has host {host!r}, which is not a domain name"
    return None


@rule("BG108", "malformed-url")
def check_malformed_urls(project: LintInput) -> Iterator[Finding]:
    """A URL in the bibliography or the body that is not a well-formed http(s) URL: it would not
    become a link."""
    for url, location, what in _urls(project):
        if what == "link" and not _looks_absolute(url):
            continue  # a relative link, an anchor or mailto: in the body is fine
        problem = url_problem(url)
        if problem:
            yield Finding("BG108", LintSeverity.ERROR, location,
                          f"{what} {url!r} {problem}",
                          "write the full address, https://host/path")  # fmt: skip


def _looks_absolute(url: str) -> bool:
    return "://" in url or url.lower().startswith(("http:", "https:", "www."))


_DOI = re.compile(r"^10\.\d{4,9}/\S+$")


@rule("BG109", "malformed-doi")
def check_malformed_dois(project: LintInput) -> Iterator[Finding]:
    """A ``doi`` field that is not a DOI (``10.`` + registrant + ``/`` + suffix)."""
    for entry in project.bibliography.entries.values():
        if entry.doi and not _DOI.match(entry.doi.strip()):
            yield Finding("BG109", LintSeverity.ERROR, entry.location,
                          f"doi of {entry.key!r} is {entry.doi!r}, which is not a DOI",
                          "write the bare DOI, such as doi = {10.1000/xyz123}")  # fmt: skip


@rule("BG110", "prefer-https")
def check_http(project: LintInput) -> Iterator[Finding]:
    """An ``http:`` URL. Offline, lint cannot know whether the host serves https, so every one
    is reported as info (never a failure, even with ``--strict``); ``briefgen check`` knows."""
    for url, location, what in _urls(project):
        if url.lower().startswith("http://") and url_problem(url) is None:
            yield Finding("BG110", LintSeverity.INFO, location,
                          f"{what} {url!r} uses http:",
                          "use https:// if the site serves it")  # fmt: skip


__all__ = ["RULES", "Rule", "lint", "normalise_title", "normalise_url", "url_problem"]
