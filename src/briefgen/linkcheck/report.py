"""Reports of a check: text for people, JSON, JUnit, GitHub annotations and Markdown for CI."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from xml.etree import ElementTree as ET

from briefgen.linkcheck.targets import Citation, Target
from briefgen.linkcheck.verdict import LinkResult, Verdict

JSON_SCHEMA_VERSION = 1
FORMATS = ("text", "json", "junit", "github", "markdown")
# Verdicts that fail a run only with --strict.
WARNING_VERDICTS = frozenset({Verdict.REDIRECTED, Verdict.BLOCKED})


@dataclass(frozen=True, slots=True)
class Report:
    """One run's results, ready to format."""

    targets: Sequence[Target]
    results: Mapping[str, LinkResult]
    exit_code: int
    network_unavailable: bool = False
    deadline_hit: bool = False
    offline: bool = False
    duration: float = 0.0
    changed_since: str | None = None
    """With ``--changed-since``: the reference the change is measured from."""
    in_change: frozenset[str] = frozenset()
    """With ``--changed-since``: the URLs whose citations the change adds or edits."""

    def fails(self, url: str) -> bool:
        """Tell whether a broken ``url`` fails the run (outside a change it does not)."""
        return self.changed_since is None or url in self.in_change

    def counts(self) -> dict[str, int]:
        """Count URLs per verdict (every verdict present, zeros included)."""
        counter = Counter(self.results[t.url].verdict.value for t in self.targets)
        counts = {v.value: counter.get(v.value, 0) for v in Verdict}
        counts["total"] = len(self.targets)
        counts["cached"] = sum(1 for t in self.targets if self.results[t.url].from_cache)
        return counts

    def items(self) -> list[tuple[Target, LinkResult]]:
        """Targets with their results, in the order they were collected."""
        return [(t, self.results[t.url]) for t in self.targets]


# Characters a report must never print as they are: C0/C1 controls (a URL holding ESC [ 2 J
# would clear the reader's terminal), bidirectional overrides (which reorder what is shown),
# line and paragraph separators, and what XML 1.0 cannot hold (lone surrogates, U+FFFE/FFFF).
_UNPRINTABLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
    "\ud800-\udfff\ufffe\uffff]"
)


def printable(text: str) -> str:
    """Show ``text`` with every control character escaped as ``\\xNN`` or ``\\uNNNN``."""
    return _UNPRINTABLE.sub(_escape_char, text)


def _escape_char(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def render(report: Report, fmt: str) -> str:
    """Format ``report`` in one of :data:`FORMATS`."""
    return _RENDERERS[fmt](report)


def summary_line(report: Report) -> str:
    """One line: how many URLs and how they fared."""
    if report.network_unavailable:
        return (
            "briefgen check: the network is unavailable (no cited host resolved or answered); "
            "nothing was verified"
        )
    counts = report.counts()
    parts = [f"{counts[v.value]} {v.value}" for v in Verdict if counts[v.value]]
    cached = f" ({counts['cached']} from cache)" if counts["cached"] else ""
    return (
        f"briefgen check: {counts['total']} URLs: {', '.join(parts) or 'nothing to check'}{cached}"
    )


def where(citation: Citation) -> str:
    """Describe a citation: ``file:line, note xvi, [key]``."""
    parts = [str(citation.location)]
    if citation.endnote:
        parts.append(f"note {citation.endnote}")
    if citation.key:
        parts.append(f"[{citation.key}]")
    if citation.kind == "doi":
        parts.append("DOI")
    return printable(", ".join(parts))


def _group(citation: Citation) -> str:
    return printable(citation.brief or str(citation.location.path))


def _text(report: Report) -> str:
    lines = [summary_line(report)]
    if report.network_unavailable:
        return lines[0] + "\n"
    if report.changed_since is not None:
        lines.append(_change_note(report))
    groups: dict[str, list[str]] = {}
    for target, result in report.items():
        if result.verdict in (Verdict.OK, Verdict.SKIPPED):
            continue
        detail = result.reason
        if result.archive_url:
            detail += f"; archived copy: {result.archive_url}"
        if result.verdict is Verdict.BROKEN and not report.fails(target.url):
            detail += f"; not changed since {report.changed_since} (reported, not failing)"
        url, detail = printable(target.url), printable(detail)
        for citation in target.citations:
            groups.setdefault(_group(citation), []).append(
                f"  {result.verdict.value:<10} {where(citation)}\n"
                f"             {url}\n             {detail}"
            )
    for group in sorted(groups):
        lines += ["", group, *groups[group]]
    if report.deadline_hit:
        lines += ["", "the run's deadline ended the check; URLs marked unchecked have no verdict"]
    return "\n".join(lines) + "\n"


def _change_note(report: Report) -> str:
    inside = sum(1 for t in report.targets if t.url in report.in_change)
    return (
        f"only citations added or edited since {printable(report.changed_since or '')} can fail"
        f" this run ({inside} of {len(report.targets)} URLs); the others are reported only"
    )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def as_json_data(report: Report) -> dict[str, object]:
    """The JSON report as Python data (schema in docs/check.md)."""
    links = []
    for target, r in report.items():
        links.append(
            {
                "url": target.url,
                "verdict": r.verdict.value,
                "status_code": r.status_code,
                "final_url": r.final_url,
                "redirects": [{"url": h.url, "status_code": h.status_code} for h in r.redirects],
                "reason": r.reason,
                "checked_at": _iso(r.checked_at),
                "from_cache": r.from_cache,
                "last_ok_at": _iso(r.last_ok_at),
                "archive": {"url": r.archive_url, "timestamp": _iso(r.archive_timestamp)}
                if r.archive_url
                else None,
                "in_change": None
                if report.changed_since is None
                else target.url in report.in_change,
                "citations": [
                    {
                        "brief": c.brief,
                        "file": str(c.location.path),
                        "line": c.location.line,
                        "endnote": c.endnote,
                        "key": c.key,
                        "kind": c.kind.value,
                    }
                    for c in target.citations
                ],
            }
        )
    return {
        "version": JSON_SCHEMA_VERSION,
        "summary": {
            **report.counts(),
            "network_unavailable": report.network_unavailable,
            "deadline_hit": report.deadline_hit,
            "offline": report.offline,
            "duration_seconds": round(report.duration, 3),
            "exit_code": report.exit_code,
            "changed_since": report.changed_since,
        },
        "links": links,
    }


def _json(report: Report) -> str:
    text = json.dumps(as_json_data(report), indent=2, ensure_ascii=False)
    # JSON escapes C0 controls itself; the rest (C1, bidi overrides, lone surrogates, which
    # cannot even be written as UTF-8) become \uXXXX escapes, so values stay exact.
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"


_JSON_UNSAFE = re.compile(_UNPRINTABLE.pattern.replace("\x00-\x1f", ""))


def _junit(report: Report) -> str:
    counts = report.counts()
    suite = ET.Element(
        "testsuite",
        name="briefgen check",
        tests=str(counts["total"]),
        failures=str(counts["broken"]),
        errors="0",
        skipped=str(counts["skipped"] + counts["unchecked"]),
        time=f"{report.duration:.3f}",
    )
    # Every value from a URL or a server is made printable: XML 1.0 cannot hold most control
    # characters, even escaped, and CI parsers reject the whole file for one.
    for target, r in report.items():
        first = target.citations[0] if target.citations else None
        url, reason = printable(target.url), printable(r.reason)
        case = ET.SubElement(
            suite,
            "testcase",
            classname=_group(first) if first else "briefgen.check",
            name=url,
            file=printable(str(first.location.path)) if first else "",
            line=str(first.location.line or "") if first else "",
        )
        cited = "\n".join(where(c) for c in target.citations)
        if r.verdict is Verdict.BROKEN and not report.fails(target.url):
            note = f"broken, not changed since {printable(report.changed_since or '')}: {reason}"
            ET.SubElement(case, "skipped", message=note)
        elif r.verdict is Verdict.BROKEN:
            failure = ET.SubElement(case, "failure", message=reason, type="broken")
            failure.text = f"{url}\n{reason}\ncited at:\n{cited}"
        elif r.verdict in (Verdict.SKIPPED, Verdict.UNCHECKED):
            ET.SubElement(case, "skipped", message=f"{r.verdict.value}: {reason}")
        else:
            out = ET.SubElement(case, "system-out")
            out.text = f"{r.verdict.value}: {reason}"
    ET.indent(suite)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suite, "unicode") + "\n"


def _escape_data(text: str) -> str:
    return printable(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _github(report: Report) -> str:
    lines = []
    if report.network_unavailable:
        return f"::error title=briefgen check::{_escape_data(summary_line(report))}\n"
    for target, r in report.items():
        if r.verdict in (Verdict.OK, Verdict.SKIPPED):
            continue
        level = "error" if r.verdict is Verdict.BROKEN and report.fails(target.url) else "warning"
        for c in target.citations:
            props = f"file={_escape_property(str(c.location.path))}"
            if c.location.line is not None:
                props += f",line={c.location.line}"
            props += f",title={_escape_property(f'{r.verdict.value} link')}"
            note = f" (note {c.endnote})" if c.endnote else ""
            key = f" [{c.key}]" if c.key else ""
            lines.append(
                f"::{level} {props}::{_escape_data(f'{target.url}{note}{key}: {r.reason}')}"
            )
    lines.append(_escape_data(summary_line(report)))
    return "\n".join(lines) + "\n"


def _md_cell(text: str) -> str:
    return printable(text.replace("\n", " ")).replace("|", "\\|")


def _md_url(url: str) -> str:
    """A URL as an autolink inside a table cell: ``|`` escaped, ``<``, ``>`` and blanks encoded."""
    encoded = url.replace("<", "%3C").replace(">", "%3E").replace(" ", "%20")
    return f"<{_md_cell(encoded)}>"


def _markdown(report: Report) -> str:
    counts = report.counts()
    out = ["## Link check", ""]
    if report.network_unavailable:
        return "\n".join([*out, f"**{summary_line(report)}**", ""])
    out += ["| verdict | URLs |", "| --- | ---: |"]
    out += [f"| {v.value} | {counts[v.value]} |" for v in Verdict if counts[v.value]]
    out += [f"| **total** | **{counts['total']}** |", ""]
    if report.changed_since is not None:
        out += [_md_cell(_change_note(report)) + ".", ""]
    problems = [(t, r) for t, r in report.items() if r.verdict not in (Verdict.OK, Verdict.SKIPPED)]
    if problems:
        out += ["| verdict | cited at | URL | reason |", "| --- | --- | --- | --- |"]
        for target, r in problems:
            cited = "<br>".join(_md_cell(where(c)) for c in target.citations)
            verdict = r.verdict.value
            if r.verdict is Verdict.BROKEN and not report.fails(target.url):
                verdict += " (not in this change)"
            out.append(f"| {verdict} | {cited} | {_md_url(target.url)} | {_md_cell(r.reason)} |")
        out.append("")
    if report.deadline_hit:
        out += ["The run's deadline ended the check before every URL had a verdict.", ""]
    return "\n".join(out)


_RENDERERS: dict[str, Callable[[Report], str]] = {
    "text": _text,
    "json": _json,
    "junit": _junit,
    "github": _github,
    "markdown": _markdown,
}
