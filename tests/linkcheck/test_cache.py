"""The cache: live verdicts reused until stale, failures re-checked, a killed run harmless."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from briefgen.linkcheck.cache import CACHE_FILE, LinkCache, read_link_health
from briefgen.linkcheck.verdict import LinkResult, Verdict

from .conftest import _HTTPServer, url_of
from .helpers import check_json, write_links


def _hits(server: _HTTPServer, url: str) -> int:
    return sum(n for path, n in server.hits.items() if url.endswith(path))


def test_live_verdict_is_served_from_cache(
    tmp_path: Path, http_server: _HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    url = url_of(http_server, "/ok")
    links = write_links(tmp_path, [url])
    check_json(tmp_path, [str(links), "--allow-private"], capsys)
    code, report = check_json(tmp_path, [str(links), "--allow-private"], capsys)
    assert code == 0
    assert report["links"][0]["from_cache"] is True
    assert report["summary"]["cached"] == 1
    assert _hits(http_server, url) == 1


def test_stale_verdict_is_checked_again(
    tmp_path: Path, http_server: _HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    url = url_of(http_server, "/ok")
    links = write_links(tmp_path, [url])
    check_json(tmp_path, [str(links), "--allow-private"], capsys)
    _code, report = check_json(tmp_path, [str(links), "--allow-private", "--max-age", "0"], capsys)
    assert report["links"][0]["from_cache"] is False
    assert _hits(http_server, url) == 2


def test_failures_are_never_served_from_cache(
    tmp_path: Path, http_server: _HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    url = url_of(http_server, "/missing")
    links = write_links(tmp_path, [url])
    check_json(tmp_path, [str(links), "--allow-private"], capsys)
    _code, report = check_json(tmp_path, [str(links), "--allow-private"], capsys)
    assert report["links"][0]["from_cache"] is False
    assert _hits(http_server, url) == 2  # one GET each run


def test_link_health_keeps_last_live_date(tmp_path: Path) -> None:
    url = "https://example.org/page"
    earlier = datetime(2025, 1, 2, tzinfo=UTC)
    later = datetime(2025, 3, 4, tzinfo=UTC)
    with LinkCache.open(tmp_path) as cache:
        cache.store([LinkResult(url, Verdict.OK, "live (200)", 200, url, checked_at=earlier)])
        cache.store([LinkResult(url, Verdict.BROKEN, "not found (404)", 404, checked_at=later)])
        cache.store_archive(url, "https://web.archive.org/web/2024/x", earlier)
    health = read_link_health(tmp_path)[url]
    assert health.verdict == "broken"
    assert health.checked_at == later
    assert health.last_ok_at == earlier
    assert health.archive_url == "https://web.archive.org/web/2024/x"
    assert health.archive_timestamp == earlier


def test_missing_cache_is_empty(tmp_path: Path) -> None:
    assert read_link_health(tmp_path / "nothing-here") == {}


def test_cache_module_does_not_import_httpx() -> None:
    code = (
        "import sys, briefgen.linkcheck.cache, briefgen.linkcheck.command;"
        "print('httpx' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_killed_run_leaves_cache_whole(
    tmp_path: Path, http_server: _HTTPServer, silent_port: int
) -> None:
    live = [url_of(http_server, "/ok") for _ in range(40)]
    hanging = [f"http://127.0.0.1:{silent_port}/killed-{i}" for i in range(3)]
    write_links(tmp_path, live + hanging)
    (tmp_path / "pyproject.toml").write_text(
        "[tool.briefgen.check]\nallow_private = true\ntimeout = 30\nretries = 0\n"
        "host_interval = 0\n",
        encoding="utf-8",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "briefgen.linkcheck", "links.md"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    db = tmp_path / ".briefgen" / "cache" / CACHE_FILE
    try:
        # Wait (bounded) until the live verdicts have been written, then kill without warning.
        for _ in range(200):
            if len(read_link_health(db.parent)) >= 25:
                break
            time.sleep(0.05)
        assert process.poll() is None, "the run ended before it could be killed"
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(10)
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    health = read_link_health(db.parent)
    assert len(health) >= 25
    assert all(h.verdict == "ok" for h in health.values())
