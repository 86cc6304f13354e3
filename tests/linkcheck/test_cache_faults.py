"""The cache is advisory: damaged, locked, unwritable or lying, it never changes a verdict."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from briefgen.linkcheck.cache import CACHE_FILE, LinkCache, read_link_health
from briefgen.linkcheck.verdict import LinkResult, Verdict

from .conftest import _HTTPServer, url_of
from .helpers import check, check_json, write_links


def _cache_file(root: Path) -> Path:
    return root / ".briefgen" / "cache" / CACHE_FILE


def _seed(root: Path, urls: list[str]) -> Path:
    """A real cache holding a live verdict for each URL."""
    path = _cache_file(root)
    with LinkCache.open(path.parent) as cache:
        now = datetime.now(UTC)
        cache.store([LinkResult(u, Verdict.OK, "live (200)", 200, checked_at=now) for u in urls])
    return path


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda p: p.write_bytes(b"this is not a database\n" * 100), id="garbage"),
        pytest.param(lambda p: p.write_bytes(p.read_bytes()[:1500]), id="truncated"),
    ],
)
def test_damaged_cache_is_a_warning_not_a_verdict(
    tmp_path: Path, http_server: _HTTPServer, capsys: pytest.CaptureFixture[str], damage: object
) -> None:
    urls = [url_of(http_server, "/ok"), url_of(http_server, "/gone")]
    links = write_links(tmp_path, urls)
    path = _seed(tmp_path, urls)
    damage(path)  # type: ignore[operator]
    code, out, err = check(tmp_path, [str(links), "--allow-private", "--format", "json"], capsys)
    assert code == 1, err  # the 410 decides, not the cache
    assert "Traceback" not in err
    assert "warning: link cache not used" in err
    assert "links.sqlite3" in err
    assert code == 1 and '"verdict": "ok"' in out and '"verdict": "broken"' in out


def test_cache_folder_that_cannot_be_made_is_a_warning(
    tmp_path: Path, http_server: _HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    url = url_of(http_server, "/ok")
    links = write_links(tmp_path, [url])
    (tmp_path / ".briefgen").write_text("a file where the cache folder should be")
    code, _out, err = check(tmp_path, [str(links), "--allow-private"], capsys)
    assert code == 0
    assert "warning: link cache not used" in err


def test_read_only_cache_is_a_warning_and_keeps_verdicts(tmp_path: Path) -> None:
    warnings: list[str] = []
    with LinkCache.open(tmp_path, warn=warnings.append) as cache:
        assert cache._db is not None
        cache._db.execute("PRAGMA query_only = ON")  # what a read-only file answers to a write
        result = LinkResult("https://example.org/", Verdict.OK, "live", 200,
                            checked_at=datetime.now(UTC))  # fmt: skip
        cache.store([result])
        cache.store([result])
        cache.store_archive(result.url, "https://web.archive.org/x", None)
        assert cache.lookup([result.url], max_age=None) == {}
    assert len(warnings) == 1  # told once, then the run goes on without the cache
    assert "readonly" in warnings[0]


@pytest.fixture
def locked_cache(tmp_path: Path) -> Iterator[Path]:
    """A cache another process holds the write lock on for the whole test."""
    path = _seed(tmp_path, [])
    holder = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("DELETE FROM links")
    try:
        yield path
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_locked_cache_does_not_stall_the_check(
    tmp_path: Path,
    locked_cache: Path,
    http_server: _HTTPServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Writes wait for the lock off the event loop: requests in flight never time out."""
    urls = [url_of(http_server, "/ok") for _ in range(60)]
    links = write_links(tmp_path, urls)
    # timeout 0.3 s: a write blocking the loop for the lock's wait would time out every request.
    code, report = check_json(tmp_path, [str(links), "--allow-private"], capsys)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert code == 0, [link["reason"] for link in report["links"] if link["verdict"] != "ok"]
    assert report["summary"]["ok"] == 60


def test_locked_cache_warns_once(
    tmp_path: Path,
    locked_cache: Path,
    http_server: _HTTPServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    urls = [url_of(http_server, "/ok") for _ in range(60)]
    links = write_links(tmp_path, urls)
    code, _out, err = check(tmp_path, [str(links), "--allow-private"], capsys)
    assert code == 0
    assert err.count("warning: link cache not used (database is locked)") == 1


@pytest.mark.parametrize(
    "checked_at",
    [
        pytest.param("not a date", id="garbage"),
        pytest.param("2025-13-45T00:00:00", id="impossible"),
        pytest.param("9999-12-31T23:59:59-01:00", id="overflows-in-utc"),
        pytest.param((datetime.now(UTC) + timedelta(days=3650)).isoformat(), id="future"),
        pytest.param("", id="empty"),
    ],
)
def test_bad_checked_at_is_ignored_by_check_and_build(
    tmp_path: Path, http_server: _HTTPServer, capsys: pytest.CaptureFixture[str], checked_at: str
) -> None:
    gone, live = url_of(http_server, "/gone"), url_of(http_server, "/ok")
    path = _seed(tmp_path, [gone, live])
    with sqlite3.connect(path) as db:
        db.execute("UPDATE links SET checked_at = ?, last_ok_at = ?", (checked_at, checked_at))
    # The build's reader skips the rows (a future verdict is not shown as fresh) …
    assert read_link_health(path.parent) == {}
    # … and the check does not serve them: the gone URL is found broken, not "ok from cache".
    links = write_links(tmp_path, [gone, live])
    code, report = check_json(tmp_path, [str(links), "--allow-private"], capsys)
    verdicts = {link["url"]: (link["verdict"], link["from_cache"]) for link in report["links"]}
    assert verdicts == {gone: ("broken", False), live: ("ok", False)}
    assert code == 1


def test_cache_writes_happen_off_the_calling_thread() -> None:
    """``submit`` returns while a write still waits (for a lock, a slow disk)."""
    from briefgen.linkcheck.command import CacheWriter

    release = threading.Event()
    writers: list[threading.Thread] = []

    class _Blocking:
        def store(self, batch: list[LinkResult]) -> None:
            writers.append(threading.current_thread())
            release.wait(10)

    writer = CacheWriter(_Blocking())  # type: ignore[arg-type]
    result = LinkResult("https://example.org/", Verdict.OK, "live", checked_at=datetime.now(UTC))
    writer.submit([result])
    writer.submit([result])  # a second batch queues behind the blocked one
    assert not release.is_set()  # reached only because submit did not wait for the write
    release.set()
    writer.close()
    assert len(writers) == 2
    assert all(thread is not threading.current_thread() for thread in writers)


def test_unexpected_cache_write_error_is_one_warning_and_the_run_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An error other than SQLite's or the disk's does not kill the writer thread silently."""
    from briefgen.linkcheck.command import CacheWriter

    warnings: list[str] = []
    written: list[int] = []

    def failing_write(rows: list[tuple[object, ...]]) -> None:
        written.append(len(rows))
        raise RuntimeError("unexpected")

    result = LinkResult("https://example.org/", Verdict.OK, "live", checked_at=datetime.now(UTC))
    with LinkCache.open(tmp_path, warn=warnings.append) as cache:
        monkeypatch.setattr(cache, "_write", failing_write)
        writer = CacheWriter(cache)
        for _ in range(3):
            writer.submit([result])
        writer.close()
        cache.store([result])  # after the writer, as the command stores held verdicts
    assert written == [1]  # the first write failed; the cache was not used again
    assert len(warnings) == 1 and "link cache not used (unexpected)" in warnings[0]


def test_killed_check_leaves_nothing_behind_after_the_next_run(
    tmp_path: Path,
    http_server: _HTTPServer,
    silent_port: int,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """SIGKILL mid-run: the next run finds a whole cache, and leaves only the database."""
    import os
    import signal
    import subprocess
    import sys
    import time

    live = [url_of(http_server, "/ok") for _ in range(40)]
    hanging = [f"http://127.0.0.1:{silent_port}/killed-{i}" for i in range(3)]
    write_links(tmp_path, live + hanging, name="all.md")
    (tmp_path / "pyproject.toml").write_text(
        "[tool.briefgen.check]\nallow_private = true\ntimeout = 30\nretries = 0\n"
        "host_interval = 0\n",
        encoding="utf-8",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "briefgen.linkcheck", "all.md"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    db = _cache_file(tmp_path)
    try:
        for _ in range(200):
            if len(read_link_health(db.parent)) >= 25:
                break
            time.sleep(0.05)
        assert process.poll() is None, "the run ended before it could be killed"
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(10)
    links = write_links(tmp_path, live, name="live.md")
    code, report = check_json(tmp_path, [str(links), "--allow-private"], capsys)
    assert code == 0 and report["summary"]["cached"] >= 25
    assert sorted(p.name for p in db.parent.iterdir()) == [CACHE_FILE]
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
