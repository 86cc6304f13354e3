from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.model import Project

from .helpers import build, copy_cecot, sample_health


@pytest.fixture(scope="module")
def cecot(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Project]:
    """The CECOT brief built once per module with sample link health: (site folder, project)."""
    root = copy_cecot(tmp_path_factory.mktemp("cecot") / "project")
    sample_health(root)
    return root / "site", build(root)
