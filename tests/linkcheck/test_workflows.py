"""The example CI workflows: a pull request fails only on what it cites; a schedule checks all."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from briefgen.scaffold.init import WORKFLOW

DOCS = Path(__file__).resolve().parents[2] / "docs" / "workflows"


def _steps(text: str) -> tuple[dict[Any, Any], list[dict[str, Any]]]:
    workflow = yaml.safe_load(text)
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as True
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    return triggers, steps


def _checks(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [s for s in steps if "briefgen check" in str(s.get("run", ""))]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(WORKFLOW, id="briefgen-init"),
        pytest.param((DOCS / "briefs.yml").read_text(), id="docs-briefs"),
    ],
)
def test_pull_requests_check_only_their_change(text: str) -> None:
    triggers, steps = _steps(text)
    assert "pull_request" in triggers
    on_pr = [s for s in _checks(steps) if "pull_request" in s.get("if", "")]
    assert on_pr and all("--changed-since" in s["run"] for s in on_pr)
    assert any(s.get("with", {}).get("fetch-depth") == 0 for s in steps)  # the base is there


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(WORKFLOW, id="briefgen-init"),
        pytest.param((DOCS / "links.yml").read_text(), id="docs-links"),
    ],
)
def test_the_schedule_checks_everything(text: str) -> None:
    triggers, steps = _steps(text)
    assert "schedule" in triggers
    full = [s for s in _checks(steps) if "--changed-since" not in s["run"]]
    assert full and all("pull_request" not in s.get("if", "") for s in full)
