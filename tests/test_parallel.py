"""Briefs built in worker processes: the same site, the same report, as a build in one process."""

from __future__ import annotations

import importlib.util
import shutil
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from briefgen import parallel
from briefgen.build import build_site
from briefgen.config import load_config
from briefgen.errors import BuildFailed

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Twelve briefs of the benchmark corpus, one of them with a warning of its own."""
    spec = importlib.util.spec_from_file_location("corpus", REPO / "benchmarks" / "corpus.py")
    assert spec and spec.loader
    module: ModuleType = importlib.util.module_from_spec(spec)
    sys.modules["corpus"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    root = tmp_path_factory.mktemp("corpus")
    made = module.generate(root, briefs=12, entries=300, cited=80, seed=3)
    index = root / "content" / made.briefs[5] / "_index.md"
    index.write_text(index.read_text().replace("title:", "colour: blue\ntitle:", 1))
    return root


@pytest.fixture
def workers(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many briefs each build sent to worker processes.

    Threads that earlier tests left behind (idle servers) would keep the build from forking
    at all (see ``test_no_workers_beside_other_threads``): here they do not count.
    """
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    sent: list[int] = []
    real = parallel.forked_map

    def spy(work: Any, todo: list[Any], jobs: int) -> Iterator[Any]:
        sent.append(len(todo))
        yield from real(work, todo, jobs)

    monkeypatch.setattr(parallel, "forked_map", spy)
    return sent


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def copy(corpus: Path, to: Path) -> Path:
    shutil.copytree(corpus, to)
    return to


def test_workers_build_the_same_site_and_report(
    corpus: Path, tmp_path: Path, workers: list[int]
) -> None:
    one = copy(corpus, tmp_path / "one")
    two = copy(corpus, tmp_path / "two")
    serial = build_site(load_config(one), jobs=1)
    assert workers == []
    parallel = build_site(load_config(two), jobs=2)
    assert workers == [12]
    assert tree(one / "site") == tree(two / "site")
    assert [w.format() for w in parallel.warnings] == [w.format() for w in serial.warnings]
    assert any("colour" in w.message for w in parallel.warnings)
    assert parallel.note_count == serial.note_count > 0


def test_workers_report_errors_as_one_process_does(
    corpus: Path, tmp_path: Path, workers: list[int]
) -> None:
    reports = []
    for jobs in (1, 2):
        root = copy(corpus, tmp_path / str(jobs))
        briefs = sorted(p for p in (root / "content").iterdir() if p.is_dir())
        for brief in (briefs[2], briefs[9]):
            section = sorted(brief.glob("0*.md"))[1]
            section.write_text(section.read_text() + "\nAs [@no-such-key, p. 3] says.\n")
        with pytest.raises(BuildFailed) as failed:
            build_site(load_config(root), jobs=jobs)
        assert not (root / "site").exists()
        reports.append([d.format() for d in failed.value.diagnostics])
    assert workers == [12]
    assert reports[0] == reports[1]
    assert sum("no-such-key" in line for line in reports[0]) == 2


def test_few_briefs_are_built_in_the_process(
    corpus: Path, tmp_path: Path, workers: list[int]
) -> None:
    root = copy(corpus, tmp_path / "root")
    build_site(load_config(root), jobs=2)
    section = next((root / "content").glob("*/01-*.md"))
    section.write_text(section.read_text() + "\nOne more sentence.\n")
    build_site(load_config(root), jobs=2)
    assert workers == [12]  # the edit rebuilt one brief, without workers


def test_no_workers_beside_other_threads(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Forking a process that runs other threads (``serve``'s watcher and server) can copy a
    lock another thread holds: such a build stays in its own process."""
    sent: list[int] = []
    monkeypatch.setattr(parallel, "forked_map", lambda work, todo, jobs: sent.append(len(todo)))
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        build_site(load_config(copy(corpus, tmp_path / "root")), jobs=2)
    finally:
        stop.set()
        other.join()
    assert sent == []


def test_results_come_back_in_order_from_several_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    monkeypatch.setattr(threading, "active_count", lambda: 1)
    shared = {n: n * n for n in range(100)}  # read by the workers, never sent to them
    assert parallel.pays(100, 2)
    found = list(parallel.forked_map(lambda n: (shared[n], os.getpid()), range(100), 2))
    assert [square for square, _ in found] == [n * n for n in range(100)]
    assert os.getpid() not in {pid for _, pid in found}  # computed in the workers


def test_when_workers_pay() -> None:
    assert not parallel.pays(parallel.MINIMUM - 1, 8)  # too few items
    assert not parallel.pays(100, 1)  # one job
