"""Hostile answers and addresses: cookies, archive links, tunnelled loopback addresses."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread
from typing import ClassVar

import pytest

from briefgen.linkcheck.archive import find_snapshots
from briefgen.linkcheck.cache import CACHE_FILE, LinkCache, read_link_health
from briefgen.linkcheck.config import CheckConfig
from briefgen.linkcheck.safety import address_refusal, is_loopback_host
from briefgen.linkcheck.verdict import LinkResult, Verdict

from .conftest import _HTTPServer, run_check, url_of


def test_set_cookie_is_never_sent_back(http_server: _HTTPServer, fast_config: CheckConfig) -> None:
    setters = [url_of(http_server, "/set-cookie"), url_of(http_server, "/set-cookie-redirect")]
    later = [url_of(http_server, "/ok") for _ in range(5)]
    # One at a time, so the later requests come after the cookies were offered.
    config = CheckConfig(**{**_fields(fast_config), "host_concurrency": 1})
    outcome = run_check(setters + later, config)
    assert all(r.verdict is Verdict.OK for r in outcome.results.values())
    sent = [cookie for path, cookie in http_server.cookies_received if "?t=" in path]
    assert sent == []


def _fields(config: CheckConfig) -> dict[str, object]:
    return {name: getattr(config, name) for name in config.__dataclass_fields__}


class _HostileWayback(BaseHTTPRequestHandler):
    """An availability API that answers with a script or data URL as the closest copy."""

    answers: ClassVar[dict[str, str]] = {}

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        url = self.path.split("url=", 1)[1] if "url=" in self.path else ""
        closest = {"available": True, "timestamp": "20240131120000",
                   "url": self.answers.get(url.rsplit("%2F", 1)[-1], "")}  # fmt: skip
        body = json.dumps({"archived_snapshots": {"closest": closest}}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def hostile_wayback() -> Iterator[str]:
    _HostileWayback.answers = {
        "script": "javascript:alert(document.cookie)",
        "mixed": " JaVaScRiPt:alert(1)",
        "data": "data:text/html,<script>alert(1)</script>",
        "tab": "java\tscript:alert(1)",
        "fine": "https://web.archive.org/web/2024/https://example.org/fine",
    }
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _HostileWayback)
    thread = Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/wayback/available"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def test_archive_answer_that_is_not_a_web_link_is_refused(
    hostile_wayback: str, fast_config: CheckConfig
) -> None:
    import asyncio

    config = CheckConfig(**{**_fields(fast_config), "archive_endpoint": hostile_wayback})
    urls = [f"https://example.org/{name}" for name in ("script", "mixed", "data", "tab", "fine")]
    found = asyncio.run(find_snapshots(urls, config))
    assert {url.rsplit("/", 1)[1]: s.url if s else None for url, s in found.items()} == {
        "script": None,
        "mixed": None,
        "data": None,
        "tab": None,
        "fine": "https://web.archive.org/web/2024/https://example.org/fine",
    }


@pytest.mark.parametrize(
    "archived",
    [
        pytest.param("javascript:alert(1)", id="javascript"),
        pytest.param("data:text/html,<script>alert(1)</script>", id="data"),
        pytest.param("//evil.example/x", id="scheme-relative"),
    ],
)
def test_cached_archive_link_is_vetted_when_read(tmp_path: Path, archived: str) -> None:
    """A cache written by an older briefgen (or by hand) cannot publish a script link."""
    url = "https://example.org/gone"
    with LinkCache.open(tmp_path) as cache:
        now = datetime.now(UTC)
        cache.store([LinkResult(url, Verdict.BROKEN, "gone (410)", 410, checked_at=now)])
    import sqlite3

    with sqlite3.connect(tmp_path / CACHE_FILE) as db:
        db.execute("UPDATE links SET archive_url = ? WHERE url = ?", (archived, url))
    assert read_link_health(tmp_path)[url].archive_url is None
    with LinkCache.open(tmp_path) as cache:
        assert cache.lookup([url], max_age=None)[url].archive_url is None


@pytest.mark.parametrize(
    ("address", "inner"),
    [
        pytest.param("2002:7f00:1::", "127.0.0.1", id="6to4-loopback"),
        pytest.param("2002:a9fe:a9fe::1", "169.254.169.254", id="6to4-metadata"),
        pytest.param("2002:a00:1::", "10.0.0.1", id="6to4-private"),
        pytest.param("2002:6440:1::", "100.64.0.1", id="6to4-shared"),
        pytest.param("64:ff9b::7f00:1", "127.0.0.1", id="nat64-loopback"),
        pytest.param("64:ff9b::a9fe:a9fe", "169.254.169.254", id="nat64-metadata"),
        pytest.param("2001:0:4136:e378:8000:63bf:80ff:fffe", "127.0.0.1", id="teredo-loopback"),
        pytest.param("::ffff:127.0.0.1", "127.0.0.1", id="mapped-loopback"),
        pytest.param("::ffff:100.100.100.200", "100.100.100.200", id="mapped-metadata"),
        pytest.param("::127.0.0.1", "127.0.0.1", id="compatible-loopback"),
    ],
)
def test_tunnelled_forms_of_refused_ipv4_are_refused(address: str, inner: str) -> None:
    reason = address_refusal(address)
    assert reason is not None and inner in reason


@pytest.mark.parametrize(
    "address",
    [
        pytest.param("2002:808:808::", id="6to4-public"),
        pytest.param("64:ff9b::808:808", id="nat64-public"),
        pytest.param("::ffff:8.8.8.8", id="mapped-public"),
        pytest.param("8.8.8.8", id="plain-public"),
    ],
)
def test_tunnelled_forms_of_public_ipv4_are_decided_as_the_ipv4(address: str) -> None:
    assert address_refusal(address) is None


@pytest.mark.parametrize(
    "address",
    [
        pytest.param("fec0::1", id="site-local-low"),
        pytest.param("feff:ffff::1", id="site-local-high"),
    ],
)
def test_site_local_ipv6_is_refused(address: str) -> None:
    reason = address_refusal(address)
    assert reason is not None and "site-local" in reason


def test_6to4_loopback_url_is_refused_end_to_end(fast_config: CheckConfig) -> None:
    url = "http://[2002:7f00:1::]:9/"
    config = CheckConfig(**{**_fields(fast_config), "allow_private": False})
    result = run_check([url], config).results[url]
    assert result.verdict is Verdict.BLOCKED
    assert "6to4 form of 127.0.0.1" in result.reason
    assert is_loopback_host("[2002:7f00:1::]")
