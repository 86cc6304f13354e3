from __future__ import annotations

import shutil
import subprocess
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

SMALL_BIB = """\
@book{blum2004,
  author = {Blum, William},
  title = {Killing Hope},
  publisher = {Zed Books},
  date = {2004},
}

@report{amnesty2024,
  author = {{Amnesty International}},
  title = {Behind the veil of popularity},
  institution = {Amnesty International},
  date = {2024},
  url = {https://www.amnesty.org/en/documents/amr29/8000/2024/en/},
}
"""

SMALL_SECTION = """\
---
title: The Deal
---
First claim[@blum2004] here.

Second claim[@amnesty2024] and again[@amnesty2024, p. 3].
"""


def write_files(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[..., Path]:
    """Create a small project (one brief, two sources) in tmp_path; override files by name."""

    def make(files: dict[str, str] | None = None, *, cecot: bool = False) -> Path:
        root = tmp_path / "project"
        root.mkdir()
        if cecot:
            shutil.copytree(REPO / "content", root / "content")
            shutil.copy(REPO / "references.bib", root / "references.bib")
            shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
        else:
            write_files(
                root,
                {
                    "pyproject.toml": '[tool.briefgen]\ntitle = "Test briefs"\n',
                    "references.bib": SMALL_BIB,
                    "content/small/_index.md": (
                        "---\ntitle: A small brief\nauthors:\n  - name: Ada Lovelace\n"
                        "date: 2025-01-02\nsummary: Short.\nnumbering: lower-roman\n---\n"
                    ),
                    "content/small/01-the-deal.md": SMALL_SECTION,
                },
            )
        write_files(root, files or {})
        return root

    return make


@pytest.fixture(scope="session")
def pandoc() -> Callable[..., str]:
    """Run Pandoc 3 (pypandoc-binary, a test extra), the oracle for Markdown and citations:
    ``pandoc(text, "-t", "html", "--mathml")`` reads ``text`` as Pandoc Markdown (``-f``
    may be given again to change that). A missing Pandoc fails the test, never skips it."""
    try:
        import pypandoc
    except ImportError:
        pytest.fail("pypandoc-binary is missing; install the test extras: pip install -e '.[test]'")
    path = str(pypandoc.get_pandoc_path())

    def run(text: str, *args: str, cwd: Path | None = None) -> str:
        command = [path, "-f", "markdown", *args]
        return subprocess.run(command, input=text, capture_output=True, text=True, check=True,
                              cwd=cwd).stdout  # fmt: skip

    return run
