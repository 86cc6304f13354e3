"""Reports of a check: text for people, JSON, JUnit, GitHub annotations and Markdown for CI."""

from __future__ import annotations

import json
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
    return ", ".join(parts)


def _group(citation: Citation) -> str:
    return citation.brief or str(citation.location.path)


def _text(report: Report) -> str:
    lines = [summary_line(report)]
    if report.network_unavailable:
        return lines[0] + "\n"
    groups: dict[str, list[str]] = {}
    for target, result in report.items():
        if result.verdict in (Verdict.OK, Verdict.SKIPPED):
            continue
        detail = result.reason
        if result.archive_url:
            detail += f"; archived copy: {result.archive_url}"
        for citation in target.citations:
            groups.setdefault(_group(citation), []).append(
                f"  {result.verdict.value:<10} {where(citation)}\n"
                f"             {target.url}\n             {detail}"
            )
    for group in sorted(groups):
        lines += ["", group, *groups[group]]
    if report.deadline_hit:
        lines += ["", "the run's deadline ended the check; URLs marked unchecked have no verdict"]
    return "\n".join(lines) + "\n"


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
        },
        "links": links,
    }


def _json(report: Report) -> str:
    return json.dumps(as_json_data(report), indent=2, ensure_ascii=False) + "\n"


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
    for target, r in report.items():
        first = target.citations[0] if target.citations else None
        case = ET.SubElement(
            suite,
            "testcase",
            classname=_group(first) if first else "briefgen.check",
            name=target.url,
            file=str(first.location.path) if first else "",
            line=str(first.location.line or "") if first else "",
        )
        cited = "\n".join(where(c) for c in target.citations)
        if r.verdict is Verdict.BROKEN:
            failure = ET.SubElement(case, "failure", message=r.reason, type="broken")
            failure.text = f"{target.url}\n{r.reason}\ncited at:\n{cited}"
        elif r.verdict in (Verdict.SKIPPED, Verdict.UNCHECKED):
            ET.SubElement(case, "skipped", message=f"{r.verdict.value}: {r.reason}")
        else:
            out = ET.SubElement(case, "system-out")
            out.text = f"{r.verdict.value}: {r.reason}"
    ET.indent(suite)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suite, "unicode") + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _github(report: Report) -> str:
    lines = []
    if report.network_unavailable:
        return f"::error title=briefgen check::{_escape_data(summary_line(report))}\n"
    for target, r in report.items():
        if r.verdict in (Verdict.OK, Verdict.SKIPPED):
            continue
        level = "error" if r.verdict is Verdict.BROKEN else "warning"
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
    return text.replace("|", "\\|").replace("\n", " ")


def _markdown(report: Report) -> str:
    counts = report.counts()
    out = ["## Link check", ""]
    if report.network_unavailable:
        return "\n".join([*out, f"**{summary_line(report)}**", ""])
    out += ["| verdict | URLs |", "| --- | ---: |"]
    out += [f"| {v.value} | {counts[v.value]} |" for v in Verdict if counts[v.value]]
    out += [f"| **total** | **{counts['total']}** |", ""]
    problems = [(t, r) for t, r in report.items() if r.verdict not in (Verdict.OK, Verdict.SKIPPED)]
    if problems:
        out += ["| verdict | cited at | URL | reason |", "| --- | --- | --- | --- |"]
        for target, r in problems:
            cited = "<br>".join(_md_cell(where(c)) for c in target.citations)
            out.append(f"| {r.verdict.value} | {cited} | <{target.url}> | {_md_cell(r.reason)} |")
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
