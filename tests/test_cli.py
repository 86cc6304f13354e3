from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable
from html import unescape
from pathlib import Path

import pytest
import yaml

from briefgen.cli import main


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "briefgen", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_build_succeeds(make_project: Callable[..., Path]) -> None:
    root = make_project(cecot=True)
    result = run_cli("build", cwd=root)
    assert result.returncode == 0, result.stderr
    assert "built 1 brief(s), 28 endnote(s) into site/" in result.stderr
    assert (root / "site" / "cecot" / "index.html").is_file()


def test_user_error_is_one_line_per_problem_without_traceback(
    make_project: Callable[..., Path],
) -> None:
    root = make_project({"content/small/02-more.md": "---\ntitle: More\n---\n\nSee [@blum2005].\n"})
    result = run_cli("build", cwd=root)
    assert result.returncode == 1
    assert result.stderr == (
        "content/small/02-more.md:5: unknown citation key 'blum2005'; did you mean 'blum2004'?\n"
    )
    assert not (root / "site").exists()


def test_strict_turns_warnings_into_errors(make_project: Callable[..., Path]) -> None:
    root = make_project()
    with (root / "references.bib").open("a", encoding="utf-8") as bib:
        bib.write("\n@misc{spare, title = {Spare}}\n")
    relaxed = run_cli("build", cwd=root)
    assert relaxed.returncode == 0
    assert "references.bib:16: warning: BibTeX entry 'spare' is not cited by any brief" in (
        relaxed.stderr
    )
    strict = run_cli("build", "--strict", cwd=root)
    assert strict.returncode == 1
    assert strict.stderr.startswith("references.bib:16: warning: BibTeX entry 'spare'")


def test_project_option_and_bad_config(make_project: Callable[..., Path], tmp_path: Path) -> None:
    root = make_project({"pyproject.toml": "[tool.briefgen]\ntitel = 'typo'\n"})
    result = run_cli("-C", str(root), "build", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith(
        "pyproject.toml:2: unknown setting 'titel' in [tool.briefgen]; did you mean 'title'?"
    )


def test_usage_error_exit_code(tmp_path: Path) -> None:
    result = run_cli("frobnicate", cwd=tmp_path)
    assert result.returncode == 2


def test_jobs_option(make_project: Callable[..., Path]) -> None:
    root = make_project(cecot=True)
    result = run_cli("build", "--jobs", "1", cwd=root)
    assert result.returncode == 0, result.stderr
    for bad in ("0", "two"):
        result = run_cli("build", "-j", bad, cwd=root)
        assert result.returncode == 2
        assert f"expected 1 or more processes, not {bad!r}" in result.stderr
        assert "Traceback" not in result.stderr


def test_build_does_not_import_the_link_checker_stack(make_project: Callable[..., Path]) -> None:
    root = make_project()
    code = (
        "import sys; from briefgen.cli import main; rc = main(['build', '--quiet']);"
        " print(rc, sorted(m for m in ('httpx', 'httpcore', 'anyio') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=120
    )
    assert result.stdout.strip() == "0 []", result.stderr


def test_main_returns_exit_code_in_process(
    make_project: Callable[..., Path], monkeypatch: object
) -> None:
    root = make_project()
    assert main(["-C", str(root), "build", "--quiet"]) == 0


def test_init_new_build_from_an_empty_folder(tmp_path: Path) -> None:
    """A new user's first three commands give a site with their brief (no templates needed)."""
    root = tmp_path / "briefs"
    assert main(["init", str(root), "--title", 'Heat "briefs"']) == 0
    assert (root / "pyproject.toml").read_text(encoding="utf-8").startswith("[tool.briefgen]")
    assert (root / ".github" / "workflows" / "briefs.yml").is_file()
    assert main(["-C", str(root), "new", "first-brief"]) == 0
    assert main(["-C", str(root), "build", "--strict"]) == 0
    page = (root / "site" / "first-brief" / "index.html").read_text(encoding="utf-8")
    assert "Pandoc User’s Guide" in page and 'id="note-1"' in page
    assert "Heat &#34;briefs&#34;" in page or "Heat &quot;briefs&quot;" in page


def test_init_never_replaces_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "references.bib").write_text("@book{mine, title={Mine}}\n", encoding="utf-8")
    assert main(["init", str(tmp_path)]) == 0
    assert (tmp_path / "references.bib").read_text(encoding="utf-8") == (
        "@book{mine, title={Mine}}\n"
    )
    assert f"kept {tmp_path / 'references.bib'}" in capsys.readouterr().err


def test_new_refuses_a_bad_or_taken_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["init", str(tmp_path)])
    assert main(["-C", str(tmp_path), "new", "Heat_2025"]) == 2
    assert main(["-C", str(tmp_path), "new", "heat"]) == 0
    assert main(["-C", str(tmp_path), "new", "heat"]) == 2
    err = capsys.readouterr().err
    assert "brief name 'Heat_2025' must be lower-case letters, digits and hyphens" in err
    assert "content/heat exists already; choose another name" in err


def test_quiet_build_prints_errors_only(
    make_project: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project()
    with (root / "references.bib").open("a", encoding="utf-8") as bib:
        bib.write("\n@book{spare, title={Spare}, date={2020}}\n")
    assert main(["-C", str(root), "build", "-q"]) == 0
    assert capsys.readouterr().err == ""
    assert main(["-C", str(root), "build"]) == 0
    assert "warning: BibTeX entry 'spare' is not cited" in capsys.readouterr().err


@pytest.mark.parametrize(
    "title",
    [
        pytest.param("C:\\xdata report", id="backslash-escape"),
        pytest.param("Costs\\", id="trailing-backslash"),
        pytest.param('He said "hi"', id="quotes"),
        pytest.param("Heat: a 'brief' # 1", id="yaml-specials"),
    ],
)
def test_new_keeps_the_title_as_typed(title: str, tmp_path: Path) -> None:
    assert main(["init", str(tmp_path)]) == 0
    assert main(["-C", str(tmp_path), "new", "heat", "--title", title]) == 0
    assert main(["-C", str(tmp_path), "build"]) == 0
    index = (tmp_path / "content" / "heat" / "_index.md").read_text(encoding="utf-8")
    assert yaml.safe_load(index.split("---\n")[1])["title"] == title
    page = (tmp_path / "site" / "heat" / "index.html").read_text(encoding="utf-8")
    (h1,) = re.findall(r"<h1\b[^>]*>(.*?)</h1>", page, re.S)
    # The page sets quotes as typographic ones (‘hi’); every other character is as typed.
    shown = unescape(re.sub(r"<[^>]+>", "", h1)).strip()
    assert re.sub("[‘’“”]", "", shown) == re.sub("['\"]", "", title)


@pytest.mark.parametrize(
    "title",
    [
        pytest.param("Heat\nbriefs", id="newline"),
        pytest.param("Heat\x00briefs", id="nul"),
        pytest.param("Heat\tbriefs\x1b[0m", id="escape"),
    ],
)
def test_init_refuses_a_title_toml_cannot_hold_on_one_line(
    title: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["init", str(tmp_path), "--title", title]) == 2
    assert "must be one line, without control characters" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_init_title_with_backslashes_and_quotes_round_trips(tmp_path: Path) -> None:
    title = 'C:\\xdata "briefs"\\'
    assert main(["init", str(tmp_path), "--title", title]) == 0
    with (tmp_path / "pyproject.toml").open("rb") as file:
        assert tomllib.load(file)["tool"]["briefgen"]["title"] == title


def _no_traceback(result: subprocess.CompletedProcess[str]) -> list[str]:
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines


def test_init_where_files_cannot_go_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "notes.txt"
    blocker.write_text("", encoding="utf-8")
    result = run_cli("init", str(blocker / "x"), cwd=tmp_path)
    assert result.returncode == 1
    assert _no_traceback(result)[0].startswith(f"{blocker}: exists and is not a folder")
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / "content").write_text("", encoding="utf-8")
    result = run_cli("init", "project", cwd=tmp_path)
    assert result.returncode == 1
    assert _no_traceback(result)[0].startswith("project/content: exists and is not a folder")
    if Path("/proc/self").is_dir():
        result = run_cli("init", "/proc/x", cwd=tmp_path)
        assert result.returncode == 1
        assert _no_traceback(result)[0].startswith("/proc/x: cannot write this folder (")


def test_new_where_files_cannot_go_is_one_line(tmp_path: Path) -> None:
    assert main(["init", str(tmp_path)]) == 0
    shutil.rmtree(tmp_path / "content")
    (tmp_path / "content").write_text("", encoding="utf-8")
    result = run_cli("new", "heat", cwd=tmp_path)
    assert result.returncode == 1
    assert _no_traceback(result) == [
        "content: exists and is not a folder, so content/heat/_index.md cannot be written; "
        "move it or choose another place"
    ]
    result = run_cli("new", "a" * 300, cwd=tmp_path)
    assert result.returncode == 2
    assert _no_traceback(result) == [
        f"brief name {'a' * 24 + '…'!r} has 300 characters; expected at most 80"
    ]


def test_new_refuses_a_site_folders_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["init", str(tmp_path)])
    assert main(["-C", str(tmp_path), "new", "tags"]) == 2
    assert "brief name 'tags' is a folder of the site itself" in capsys.readouterr().err
    assert not (tmp_path / "content" / "tags").exists()
