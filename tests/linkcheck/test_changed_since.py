"""Pull-request mode: only citations a change adds or edits can fail ``--changed-since REF``."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from .conftest import _HTTPServer, url_of
from .helpers import check

_INDEX = "---\ntitle: A brief\ndate: 2025-01-02\n---\n"


def _git(root: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}  # fmt: skip
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, env=env)


def _entry(key: str, url: str) -> str:
    return f"@online{{{key},\n  title = {{{key}}},\n  date = {{2024}},\n  url = {{{url}}},\n}}\n"


def _section(title: str, keys: list[str]) -> str:
    cites = " ".join(f"Claim[@{key}]." for key in keys)
    return f"---\ntitle: {title}\n---\n{cites}\n"


@pytest.fixture
def repo(tmp_path: Path, http_server: _HTTPServer) -> tuple[Path, dict[str, str]]:
    """A project on ``main`` citing one live page and one that rotted since."""
    urls = {
        "live": url_of(http_server, "/ok"),
        "rotted": url_of(http_server, "/gone"),
        "fresh_live": url_of(http_server, "/ok"),
        "fresh_dead": url_of(http_server, "/missing"),
    }
    root = tmp_path / "project"
    (root / "content" / "b").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[tool.briefgen]\ntitle = "T"\n')
    (root / "references.bib").write_text(
        _entry("live", urls["live"]) + _entry("rotted", urls["rotted"])
    )
    (root / "content" / "b" / "_index.md").write_text(_INDEX)
    (root / "content" / "b" / "01-intro.md").write_text(_section("Intro", ["live", "rotted"]))
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "first")
    _git(root, "checkout", "-q", "-b", "change")
    return root, urls


def _run(
    root: Path, capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[int, dict[str, object], str]:
    code, out, err = check(root, ["--allow-private", "--format", "json", *extra], capsys)
    return code, json.loads(out) if out else {}, err


def _in_change(report: dict[str, object]) -> dict[str, object]:
    links = report["links"]
    assert isinstance(links, list)
    return {link["url"]: link["in_change"] for link in links}


def test_old_rot_does_not_fail_a_change_that_adds_a_live_citation(
    repo: tuple[Path, dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    root, urls = repo
    with (root / "references.bib").open("a") as bib:
        bib.write(_entry("fresh", urls["fresh_live"]))
    (root / "content" / "b" / "02-more.md").write_text(_section("More", ["fresh"]))
    code, report, _err = _run(root, capsys, "--changed-since", "main")
    assert code == 0  # the rotted page is nobody's change …
    assert report["summary"]["broken"] == 1  # type: ignore[index]  # … but still reported
    assert _in_change(report) == {urls["live"]: False, urls["rotted"]: False,
                                  urls["fresh_live"]: True}  # fmt: skip
    # The scheduled job, checking everything, fails on it.
    code, _report, _err = _run(root, capsys)
    assert code == 1


def test_new_dead_citation_fails_the_change(
    repo: tuple[Path, dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    root, urls = repo
    with (root / "references.bib").open("a") as bib:
        bib.write(_entry("fresh", urls["fresh_dead"]))
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "cite a dead page")
    (root / "content" / "b" / "01-intro.md").write_text(
        _section("Intro", ["live", "rotted", "fresh"])
    )
    code, report, _err = _run(root, capsys, "--changed-since", "main")
    assert code == 1
    assert _in_change(report)[urls["fresh_dead"]] is True
    assert _in_change(report)[urls["rotted"]] is False


def test_edited_entry_can_fail_the_change(
    repo: tuple[Path, dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    root, urls = repo
    bib = root / "references.bib"
    bib.write_text(bib.read_text().replace(urls["live"], urls["fresh_dead"]))
    code, report, _err = _run(root, capsys, "--changed-since", "main")
    assert code == 1
    assert _in_change(report)[urls["fresh_dead"]] is True


def test_newly_citing_an_old_dead_entry_fails_the_change(
    repo: tuple[Path, dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    root, urls = repo
    (root / "content" / "b" / "02-more.md").write_text(_section("More", ["rotted"]))
    code, report, _err = _run(root, capsys, "--changed-since", "main")
    assert code == 1
    assert _in_change(report)[urls["rotted"]] is True


def test_text_report_says_what_can_fail(
    repo: tuple[Path, dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    root, _urls = repo
    code, out, _err = check(root, ["--allow-private", "--changed-since", "main"], capsys)
    assert code == 0
    assert "only citations added or edited since main can fail this run (0 of 2 URLs)" in out
    assert "not changed since main (reported, not failing)" in out
    code, out, _err = check(
        root, ["--allow-private", "--changed-since", "main", "--format", "github"], capsys
    )
    assert "::error" not in out and "::warning" in out


def test_shallow_clone_without_a_merge_base_warns(
    repo: tuple[Path, dict[str, str]], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root, urls = repo
    (root / "content" / "b" / "02-more.md").write_text(_section("More", ["live"]))
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "more")
    clone = tmp_path / "clone"
    # As actions/checkout does by default: one commit of each branch, no shared history.
    _git(tmp_path, "clone", "-q", "--depth", "1", "--no-single-branch", root.as_uri(), str(clone))
    code, report, err = _run(clone, capsys, "--changed-since", "origin/main")
    assert code == 0
    assert "no merge base of 'origin/main' and HEAD" in err
    assert "fetch-depth: 0" in err
    # The comparison with origin/main itself still finds the new section's citation.
    assert _in_change(report)[urls["live"]] is True


def test_unknown_ref_is_a_usage_error(
    repo: tuple[Path, dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    root, _urls = repo
    code, _out, err = check(root, ["--changed-since", "origin/nope"], capsys)
    assert code == 2
    assert "--changed-since 'origin/nope' is not a commit git knows" in err
    assert "Traceback" not in err


def test_outside_a_git_repository_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "plain"
    (root / "content" / "b").mkdir(parents=True)
    (root / "references.bib").write_text(_entry("k", "https://example.org/"))
    (root / "content" / "b" / "_index.md").write_text(_INDEX)
    (root / "content" / "b" / "01-intro.md").write_text(_section("Intro", ["k"]))
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))  # find no repository above
    code, _out, err = check(root, ["--changed-since", "main"], capsys)
    assert code == 2
    assert "--changed-since needs a git repository" in err
    assert "Traceback" not in err
