"""Every report format, from one run with a verdict of each kind."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from .conftest import _HTTPServer, url_of
from .helpers import check, write_links


@pytest.fixture
def mixed(tmp_path: Path, http_server: _HTTPServer) -> tuple[Path, dict[str, str]]:
    urls = {
        "ok": url_of(http_server, "/ok"),
        "broken": url_of(http_server, "/gone"),
        "blocked": url_of(http_server, "/bot"),
        "redirected": url_of(http_server, "/chain/1", unique=False),
    }
    return write_links(tmp_path, list(urls.values())), urls


def _run(
    tmp_path: Path, links: Path, fmt: str, capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[int, str]:
    code, out, _err = check(
        tmp_path, [str(links), "--allow-private", "--format", fmt, *extra], capsys
    )
    return code, out


def test_json(tmp_path: Path, mixed: tuple[Path, dict[str, str]], capsys: Any) -> None:
    links, urls = mixed
    code, out = _run(tmp_path, links, "json", capsys)
    report = json.loads(out)
    assert code == 1
    summary = report["summary"]
    assert (summary["total"], summary["ok"], summary["broken"]) == (4, 1, 1)
    assert (summary["blocked"], summary["redirected"], summary["exit_code"]) == (1, 1, 1)
    by_url = {link["url"]: link for link in report["links"]}
    expected_keys = {"url", "verdict", "status_code", "final_url", "redirects", "reason",
                     "checked_at", "citations"}  # fmt: skip
    assert all(expected_keys <= link.keys() for link in report["links"])
    redirected = by_url[urls["redirected"]]
    assert redirected["verdict"] == "redirected"
    assert redirected["final_url"].endswith("/chain/3")
    assert [hop["status_code"] for hop in redirected["redirects"]] == [301, 308]
    citation = by_url[urls["broken"]]["citations"][0]
    assert citation == {"brief": None, "file": "links.md", "line": 4, "endnote": None,
                        "key": None, "kind": "link"}  # fmt: skip


def test_junit(tmp_path: Path, mixed: tuple[Path, dict[str, str]], capsys: Any) -> None:
    links, urls = mixed
    _code, out = _run(tmp_path, links, "junit", capsys)
    suite = ET.fromstring(out)
    assert suite.get("tests") == "4" and suite.get("failures") == "1"
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert set(cases) == set(urls.values())
    failure = cases[urls["broken"]].find("failure")
    assert failure is not None and "gone (410)" in (failure.get("message") or "")
    assert cases[urls["ok"]].find("failure") is None


def test_github(tmp_path: Path, mixed: tuple[Path, dict[str, str]], capsys: Any) -> None:
    links, urls = mixed
    _code, out = _run(tmp_path, links, "github", capsys)
    lines = out.splitlines()
    errors = [line for line in lines if line.startswith("::error ")]
    warnings = [line for line in lines if line.startswith("::warning ")]
    assert len(errors) == 1 and len(warnings) == 2
    assert errors[0].startswith("::error file=links.md,line=4,title=broken link::")
    assert urls["broken"] in errors[0]


def test_markdown(tmp_path: Path, mixed: tuple[Path, dict[str, str]], capsys: Any) -> None:
    links, urls = mixed
    _code, out = _run(tmp_path, links, "markdown", capsys)
    assert out.startswith("## Link check")
    assert "| broken | 1 |" in out
    assert f"<{urls['broken']}>" in out
    assert urls["ok"] not in out


def test_text_groups_problems_by_file(
    tmp_path: Path, mixed: tuple[Path, dict[str, str]], capsys: Any
) -> None:
    links, urls = mixed
    _code, out = _run(tmp_path, links, "text", capsys)
    assert out.splitlines()[0].startswith("briefgen check: 4 URLs: 1 ok, 1 redirected, 1 broken")
    assert "links.md:4" in out and "gone (410)" in out
    assert urls["ok"] not in out


def test_output_file(tmp_path: Path, mixed: tuple[Path, dict[str, str]], capsys: Any) -> None:
    links, _urls = mixed
    target = tmp_path / "out" / "report.json"
    code, out, err = check(
        tmp_path,
        [str(links), "--allow-private", "--format", "json", "--output", str(target)],
        capsys,
    )
    assert code == 1 and out == ""
    assert json.loads(target.read_text())["summary"]["total"] == 4
    assert "4 URLs" in err


# A URL (and a server's reason) may hold anything: terminal escapes, bidi overrides, NUL,
# characters XML 1.0 cannot hold, and the pipe that splits a Markdown table.
_HOSTILE_URL = "https://example.org/a\x1b[2J\x1b]0;owned\x07|b\u202egnp.exe\x00\ud800"
_HOSTILE_REASON = "not found (404) \x1b[31mred\x1b[0m | \x0b\x0c"


def _hostile_report() -> Any:
    from datetime import UTC, datetime

    from briefgen.errors import Location
    from briefgen.linkcheck.report import Report
    from briefgen.linkcheck.targets import Citation, CitationKind, Target
    from briefgen.linkcheck.verdict import LinkResult, Verdict

    citation = Citation(Location(Path("content/b/01-intro.md"), 3), CitationKind.URL, "b", "i", "k")
    result = LinkResult(_HOSTILE_URL, Verdict.BROKEN, _HOSTILE_REASON, 404,
                        checked_at=datetime.now(UTC))  # fmt: skip
    return Report([Target(_HOSTILE_URL, (citation,))], {_HOSTILE_URL: result}, 1)


_CONTROL = [chr(c) for c in (*range(0x20), *range(0x7F, 0xA0))] + ["\u202e", "\ud800"]


@pytest.mark.parametrize("fmt", ["text", "github", "markdown", "junit", "json"])
def test_no_report_prints_control_characters(fmt: str) -> None:
    from briefgen.linkcheck.report import render

    out = render(_hostile_report(), fmt)
    assert not [c for c in out if c in _CONTROL and c not in "\n"], fmt
    if fmt != "json":  # JSON escapes them its own way (\u001b), which is already inert
        assert "\\x1b[2J" in out


def test_junit_is_well_formed_for_any_url() -> None:
    from briefgen.linkcheck.report import render

    suite = ET.fromstring(render(_hostile_report(), "junit"))
    case = next(suite.iter("testcase"))
    assert (
        case.get("name")
        == "https://example.org/a\\x1b[2J\\x1b]0;owned\\x07|b\\u202egnp.exe\\x00\\ud800"
    )


def test_pipe_in_url_keeps_the_markdown_table_whole() -> None:
    from markdown_it import MarkdownIt

    from briefgen.linkcheck.report import render

    out = render(_hostile_report(), "markdown")
    tokens = MarkdownIt("commonmark").enable("table").parse(out)
    rows: list[int] = []
    for token in tokens:
        if token.type == "tr_open":
            rows.append(0)
        elif token.type in ("td_open", "th_open"):
            rows[-1] += 1
    # The counts table (2 columns, 3 rows) and the problems table (4 columns, 2 rows).
    assert rows == [2, 2, 2, 4, 4]
    links = [t for t in tokens if t.type == "inline" and t.children]
    hrefs = [c.attrGet("href") for t in links for c in t.children or [] if c.type == "link_open"]
    assert any(isinstance(h, str) and "%7Cb" in h for h in hrefs)  # the whole URL is the link
