"""The CSL processor test-suite through citeproc-py with our fixes: exactly the known failures.

The runner and the normalisation are ``benchmarks/csl_suite.py`` (see its docstring). Every
fixture runs, each in a worker process under a time limit; fixtures citeproc-py cannot express
(clusters inserted before others) count as failures. When a fix makes a fixture pass, remove it
from ``csl_suite_known_failures.txt``; that is how progress is recorded.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]
KNOWN_FAILURES = Path(__file__).with_name("csl_suite_known_failures.txt")


def _runner() -> ModuleType:
    spec = importlib.util.spec_from_file_location("csl_suite", REPO / "benchmarks/csl_suite.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # the worker processes unpickle its functions by name
    spec.loader.exec_module(module)
    return module


def known_failures() -> set[str]:
    """Fixture names listed in the known-failures file (``# comments`` ignored)."""
    lines = KNOWN_FAILURES.read_text(encoding="utf-8").splitlines()
    return {line.split("#", 1)[0].strip() for line in lines} - {""}


def test_failures_are_exactly_the_known_ones() -> None:
    runner = _runner()
    paths = runner.fixture_paths()
    if not paths:
        pytest.skip(f"the CSL test-suite is not at {runner.SUITE}")
    outcomes = runner.run_suite(paths, with_fixes=True)
    failing = {outcome.name for outcome in outcomes if not outcome.passed}
    known = known_failures()
    assert not (known - {p.stem for p in paths}), "known failures name missing fixtures"
    newly_passing = sorted(known - failing)
    newly_failing = sorted(failing - known)
    assert not newly_passing, f"now passing, remove from {KNOWN_FAILURES.name}: {newly_passing}"
    assert not newly_failing, f"now failing: {newly_failing}"
    assert len(paths) - len(failing) >= 500  # a sanity floor: the suite really ran
