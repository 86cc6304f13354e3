"""Fixtures for the importer's tests: the shipped brief and the imported seed, each built once."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from briefgen.model import Project

from .helpers import REPO, SEED, build, new_project, run_import


@pytest.fixture(scope="session")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Project]:
    """The hand-made brief content/cecot/ with the shipped references.bib, built."""
    root = tmp_path_factory.mktemp("shipped")
    shutil.copytree(REPO / "content" / "cecot", root / "content" / "cecot")
    shutil.copy(REPO / "references.bib", root / "references.bib")
    (root / "pyproject.toml").write_text('[tool.briefgen]\ntitle = "Shipped"\n', encoding="utf-8")
    return root, build(root)


@pytest.fixture(scope="session")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Project]:
    """The seed article imported into a fresh project, built."""
    root = new_project(tmp_path_factory.mktemp("imported") / "project")
    assert run_import(root, str(SEED), "--slug", "cecot") == 0
    return root, build(root)


@pytest.fixture
def article(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write an article's text into a file outside the project; returns its path."""

    def write(text: str, name: str = "article.txt") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8", newline="")
        return path

    return write
