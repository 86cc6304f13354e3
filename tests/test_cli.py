from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

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
