"""Lint findings as text, GitHub Actions annotations or JSON: one function per format."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

from briefgen.lint.findings import Finding, LintSeverity


def as_text(findings: Sequence[Finding]) -> str:
    """``path:line: CODE message (hint)``, one finding a line, as compilers and editors read."""
    lines = []
    for finding in findings:
        where = f"{finding.location}: " if finding.location is not None else ""
        hint = f" ({finding.hint})" if finding.hint else ""
        lines.append(f"{where}{finding.code} {finding.message}{hint}")
    return "".join(line + "\n" for line in lines)


_GITHUB_LEVELS = {
    LintSeverity.ERROR: "error",
    LintSeverity.WARNING: "warning",
    LintSeverity.INFO: "notice",
}


def as_github(findings: Sequence[Finding]) -> str:
    """GitHub Actions workflow commands: ``::error file=…,line=…,title=CODE::message``."""
    lines = []
    for finding in findings:
        properties = []
        if finding.location is not None:
            properties.append(f"file={_escape_property(finding.location.path.as_posix())}")
            if finding.location.line is not None:
                properties.append(f"line={finding.location.line}")
        properties.append(f"title={_escape_property(finding.code)}")
        hint = f" ({finding.hint})" if finding.hint else ""
        level = _GITHUB_LEVELS[finding.severity]
        lines.append(f"::{level} {','.join(properties)}::{_escape_data(finding.message + hint)}")
    return "".join(line + "\n" for line in lines)


def _escape_data(text: str) -> str:
    # The escapes of @actions/core's toCommandValue (command.ts: escapeData).
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def as_json(findings: Sequence[Finding]) -> str:
    """A JSON list of ``{code, rule, severity, path, line, message, hint}`` objects."""
    import json

    from briefgen.lint.rules import RULES

    return (
        json.dumps(
            [
                {
                    "code": finding.code,
                    "rule": RULES[finding.code].name if finding.code in RULES else "",
                    "severity": finding.severity.value,
                    "path": finding.location.path.as_posix() if finding.location else None,
                    "line": finding.location.line if finding.location else None,
                    "message": finding.message,
                    "hint": finding.hint,
                }
                for finding in findings
            ],
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    )


FORMATS: dict[str, Callable[[Sequence[Finding]], str]] = {
    "text": as_text,
    "github": as_github,
    "json": as_json,
}


def summary_line(findings: Sequence[Finding]) -> str:
    """``2 error(s), 1 warning(s), 0 info`` for standard error."""
    counts = Counter(finding.severity for finding in findings)
    return (
        f"{counts[LintSeverity.ERROR]} error(s), {counts[LintSeverity.WARNING]} warning(s), "
        f"{counts[LintSeverity.INFO]} info"
    )
