"""--archive against a local Wayback fake; config validation; what is collected from a project."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

import pytest

from briefgen.errors import ConfigError
from briefgen.linkcheck.cache import read_link_health
from briefgen.linkcheck.config import CheckConfig, load_check_config
from briefgen.linkcheck.targets import CitationKind, collect_targets

from .conftest import _HTTPServer, url_of
from .helpers import check_json, write_links


class _Wayback(BaseHTTPRequestHandler):
    asked: ClassVar[list[str]] = []

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        url = parse_qs(urlsplit(self.path).query)["url"][0]
        self.asked.append(url)
        closest = {"available": True, "status": "200", "timestamp": "20240131120000",
                   "url": f"http://web.archive.org/web/20240131120000/{url}"}  # fmt: skip
        body = json.dumps({"url": url, "archived_snapshots": {"closest": closest}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def wayback() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Wayback)
    thread = Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/wayback/available"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def test_archive_looks_up_broken_urls_only(
    tmp_path: Path, http_server: _HTTPServer, wayback: str, capsys: pytest.CaptureFixture[str]
) -> None:
    broken, live = url_of(http_server, "/missing"), url_of(http_server, "/ok")
    links = write_links(tmp_path, [broken, live])
    _Wayback.asked.clear()
    code, report = check_json(
        tmp_path, [str(links), "--allow-private", "--archive"], capsys, archive_endpoint=wayback
    )
    assert code == 1
    assert _Wayback.asked == [broken]
    archive = report["links"][0]["archive"]
    assert archive["url"] == f"http://web.archive.org/web/20240131120000/{broken}"
    assert archive["timestamp"] == "2024-01-31T12:00:00+00:00"
    health = read_link_health(tmp_path / ".briefgen" / "cache")[broken]
    assert health.archive_url == archive["url"]
    assert health.archive_timestamp == datetime(2024, 1, 31, 12, tzinfo=UTC)


def test_config_defaults_are_lychees() -> None:
    config = load_check_config({}, root=Path("/"))
    assert (config.host_concurrency, config.host_interval, config.max_age) == (10, 0.05, 86400.0)
    assert config.allow_private is False


def test_config_parses_every_kind_of_setting(tmp_path: Path) -> None:
    config = load_check_config(
        {
            "exclude": ["^https://intranet\\."],
            "accept": [200, "300..=302"],
            "max-age": "12h",
            "host_interval": "250ms",
            "hosts": {"Example.ORG": {"concurrency": 2, "interval": 1, "headers": {"X-A": "b"}}},
            "headers": {"Accept-Language": "en"},
            "ca_bundle": "certs/ca.pem",
        },
        root=tmp_path,
    )
    assert config.accept == frozenset({200, 300, 301, 302})
    assert config.max_age == 43200.0
    assert config.host_interval == 0.25
    assert config.for_host("example.org") == (2, 1.0, {"Accept-Language": "en", "X-A": "b"})
    assert config.for_host("other.org") == (10, 0.25, {"Accept-Language": "en"})
    assert config.ca_bundle == tmp_path / "certs" / "ca.pem"


@pytest.mark.parametrize(
    ("table", "message"),
    [
        pytest.param({"retry": 3}, "unknown setting 'retry'", id="unknown-key"),
        pytest.param({"retries": -1}, "at least 0", id="negative"),
        pytest.param({"timeout": "soon"}, "a duration", id="bad-duration"),
        pytest.param({"exclude": ["("]}, "regular expression", id="bad-regex"),
        pytest.param({"accept": ["abc"]}, "status code", id="bad-status"),
        pytest.param({"hosts": {"a.org": {"speed": 1}}}, "only concurrency", id="bad-host"),
        pytest.param({"allow_private": "yes"}, "true or false", id="bad-bool"),
        pytest.param({"method": "post"}, "'get' or 'head'", id="bad-method"),
        pytest.param({"retry_budget": -1}, "at least 0", id="negative-budget"),
    ],
)
def test_config_errors(table: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        load_check_config(table, root=Path("/"))
    assert str(info.value.location) == "pyproject.toml"


def test_project_targets_carry_every_citation(make_project: Callable[..., Path]) -> None:
    from briefgen.config import load_config

    root = make_project(
        {
            "content/small/02-more.md": (
                "---\ntitle: More\n---\nAgain[@amnesty2024]. See <https://example.org/body>,"
                " [mail](mailto:a@b.org) and [next](../other/).\n"
            )
        }
    )
    targets = collect_targets(load_config(root))
    by_url = {t.url: t for t in targets}
    amnesty = by_url["https://www.amnesty.org/en/documents/amr29/8000/2024/en/"]
    assert [c.endnote for c in amnesty.citations] == ["ii", "iii", "iv"]
    assert {c.key for c in amnesty.citations} == {"amnesty2024"}
    assert all(c.brief == "small" for c in amnesty.citations)
    assert str(amnesty.citations[0].location) == "content/small/01-the-deal.md:6"
    body = by_url["https://example.org/body"]
    assert body.citations[0].kind is CitationKind.LINK
    assert set(by_url) == {amnesty.url, body.url}


def test_paths_select_files(make_project: Callable[..., Path], monkeypatch: Any) -> None:
    from briefgen.config import load_config

    root = make_project(
        {
            "extra.bib": "@misc{x,\n  title = {X},\n  doi = {10.1000/xyz},\n  url = {https://x.org/},\n}\n"
        }
    )
    monkeypatch.chdir(root)
    config = load_config(root)
    bib = collect_targets(config, [Path("extra.bib")])
    assert [(t.url, t.citations[0].kind) for t in bib] == [
        ("https://x.org/", CitationKind.URL),
        ("https://doi.org/10.1000/xyz", CitationKind.DOI),
    ]
    assert str(bib[0].citations[0].location) == "extra.bib:1"
    brief = collect_targets(config, [Path("content/small/01-the-deal.md")])
    assert [t.url for t in brief] == ["https://www.amnesty.org/en/documents/amr29/8000/2024/en/"]
    assert collect_targets(config, [Path("content/small/_index.md")]) == []


def test_check_config_object_is_frozen() -> None:
    with pytest.raises(AttributeError):
        CheckConfig().retries = 5  # type: ignore[misc]
