"""One behaviour per server handler: each URL gets the right verdict, status and reason."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from briefgen.linkcheck.config import CheckConfig
from briefgen.linkcheck.engine import parse_retry_after
from briefgen.linkcheck.verdict import FailureKind, Hop, Verdict

from .conftest import _HTTPServer, run_check, url_of


@pytest.mark.parametrize(
    ("path", "verdict", "status", "reason"),
    [
        pytest.param("/ok", Verdict.OK, 200, "live", id="200"),
        pytest.param("/missing", Verdict.BROKEN, 404, "not found (404)", id="404"),
        pytest.param("/gone", Verdict.BROKEN, 410, "gone (410)", id="410"),
        pytest.param("/temporary", Verdict.OK, 200, "temporary redirect", id="302-is-live"),
        pytest.param("/head-refused", Verdict.OK, 200, "live", id="head-405-then-get-200"),
        pytest.param("/rate-limited", Verdict.OK, 200, "live", id="429-retry-after-then-200"),
        pytest.param("/flaky-503", Verdict.OK, 200, "live", id="503-then-200"),
        pytest.param("/error-500", Verdict.BROKEN, 500, "server error (500)", id="500-at-once"),
        pytest.param("/unavailable", Verdict.BROKEN, 503, "server error (503)", id="503-always"),
        pytest.param("/bot", Verdict.BLOCKED, 403, "cf-mitigated", id="bot-protection-403"),
        pytest.param("/forbidden", Verdict.BLOCKED, 403, "forbidden", id="plain-403"),
        pytest.param("/login", Verdict.BLOCKED, 401, "login", id="401"),
        pytest.param("/linkedin", Verdict.BLOCKED, 999, "robots", id="999"),
        pytest.param("/always-429", Verdict.BLOCKED, 429, "rate limited", id="429-always"),
        pytest.param("/huge", Verdict.OK, 200, "live", id="huge-body"),
    ],
)
def test_status_behaviours(
    http_server: _HTTPServer,
    fast_config: CheckConfig,
    path: str,
    verdict: Verdict,
    status: int,
    reason: str,
) -> None:
    url = url_of(http_server, path)
    result = run_check([url], fast_config).results[url]
    assert (result.verdict, result.status_code) == (verdict, status), result.reason
    assert reason in result.reason
    assert result.answered


def test_rate_limit_waits_for_retry_after(
    http_server: _HTTPServer, fast_config: CheckConfig
) -> None:
    url = url_of(http_server, "/rate-limited")
    started = time.monotonic()
    assert run_check([url], fast_config).results[url].verdict is Verdict.OK
    assert time.monotonic() - started >= 0.9  # Retry-After: 1 was honoured, not skipped


def test_persistent_503_is_retried(http_server: _HTTPServer, fast_config: CheckConfig) -> None:
    url = url_of(http_server, "/unavailable")
    run_check([url], replace(fast_config, retries=2))
    path = url.split(":", 2)[2].split("/", 1)[1]
    # GET, then two retries.
    assert http_server.hits["/" + path] == 3


def test_permanent_chain_is_redirected_with_new_url(
    http_server: _HTTPServer, fast_config: CheckConfig
) -> None:
    url = url_of(http_server, "/chain/1", unique=False)
    result = run_check([url], fast_config).results[url]
    assert result.verdict is Verdict.REDIRECTED
    base = url.removesuffix("/chain/1")
    assert result.final_url == base + "/chain/3"
    assert result.redirects == (Hop(base + "/chain/1", 301), Hop(base + "/chain/2", 308))
    assert base + "/chain/3" in result.reason


def test_redirect_loop_is_broken(http_server: _HTTPServer, fast_config: CheckConfig) -> None:
    url = url_of(http_server, "/loop/a", unique=False)
    result = run_check([url], fast_config).results[url]
    assert result.verdict is Verdict.BROKEN
    assert "redirect loop" in result.reason
    assert len(result.redirects) == 2


def test_too_many_redirects_is_broken(http_server: _HTTPServer, fast_config: CheckConfig) -> None:
    url = url_of(http_server, "/chain/1", unique=False)
    result = run_check([url], replace(fast_config, max_redirects=1)).results[url]
    assert result.verdict is Verdict.BROKEN
    assert "more than 1 redirects" in result.reason


def test_huge_body_is_not_downloaded(http_server: _HTTPServer, fast_config: CheckConfig) -> None:
    http_server.huge_bytes_sent = 0
    url = url_of(http_server, "/huge")
    assert run_check([url], fast_config).results[url].verdict is Verdict.OK
    # Socket buffers absorb some megabytes at most; the 20 MB are never all sent.
    assert http_server.huge_bytes_sent < 10 * 1024 * 1024


def test_slow_beyond_timeout_is_broken_after_retries(
    http_server: _HTTPServer, fast_config: CheckConfig
) -> None:
    url = url_of(http_server, "/slow")
    result = run_check([url], fast_config).results[url]
    assert result.verdict is Verdict.BROKEN
    assert result.failure is FailureKind.TIMEOUT
    assert "timed out" in result.reason


def test_never_answering_is_broken(silent_port: int, fast_config: CheckConfig) -> None:
    url = f"http://127.0.0.1:{silent_port}/"
    started = time.monotonic()
    result = run_check([url], fast_config).results[url]
    assert result.verdict is Verdict.BROKEN
    assert "timed out" in result.reason
    assert time.monotonic() - started < 4


def test_connection_refused_is_broken(closed_port: int, fast_config: CheckConfig) -> None:
    url = f"http://127.0.0.1:{closed_port}/"
    result = run_check([url], fast_config).results[url]
    assert result.verdict is Verdict.BROKEN
    assert result.failure is FailureKind.CONNECT
    assert "refused" in result.reason


def test_per_url_deadline(silent_port: int, fast_config: CheckConfig) -> None:
    url = f"http://127.0.0.1:{silent_port}/deadline"
    config = replace(fast_config, timeout=5.0, url_deadline=0.4)
    result = run_check([url], config).results[url]
    assert result.verdict is Verdict.BROKEN
    assert "per-URL deadline" in result.reason


def test_global_deadline_leaves_urls_unchecked(
    silent_port: int, http_server: _HTTPServer, fast_config: CheckConfig
) -> None:
    hanging = f"http://127.0.0.1:{silent_port}/global"
    live = url_of(http_server, "/ok")
    config = replace(fast_config, timeout=10.0, url_deadline=10.0, deadline=0.5)
    started = time.monotonic()
    outcome = run_check([hanging, live], config)
    assert time.monotonic() - started < 3
    assert outcome.deadline_hit
    assert outcome.results[hanging].verdict is Verdict.UNCHECKED
    assert outcome.results[live].verdict is Verdict.OK


def test_https_with_trusted_certificate(
    https_server: _HTTPServer, fast_config: CheckConfig
) -> None:
    url = url_of(https_server, "/ok", scheme="https")
    assert run_check([url], fast_config).results[url].verdict is Verdict.OK


def test_https_with_wrong_host_certificate_is_broken(
    wrong_host_server: _HTTPServer, fast_config: CheckConfig
) -> None:
    url = url_of(wrong_host_server, "/ok", scheme="https")
    result = run_check([url], fast_config).results[url]
    assert result.verdict is Verdict.BROKEN
    assert result.failure is FailureKind.TLS
    assert "certificate" in result.reason


def test_https_with_untrusted_ca_is_broken(
    https_server: _HTTPServer, fast_config: CheckConfig
) -> None:
    url = url_of(https_server, "/ok", scheme="https")
    result = run_check([url], replace(fast_config, ca_bundle=None)).results[url]
    assert result.verdict is Verdict.BROKEN
    assert result.failure is FailureKind.TLS


def test_each_url_fetched_once(http_server: _HTTPServer, fast_config: CheckConfig) -> None:
    url = url_of(http_server, "/ok")
    outcome = run_check([url, url, url], fast_config)
    assert list(outcome.results) == [url]
    assert sum(n for p, n in http_server.hits.items() if url.endswith(p)) == 1


def test_head_refusing_host_goes_straight_to_get(
    second_server: _HTTPServer, fast_config: CheckConfig
) -> None:
    first = url_of(second_server, "/head-refused")
    head_first = replace(fast_config, method="head")
    run_check([first], head_first)
    urls = [url_of(second_server, "/head-refused") for _ in range(5)]
    second_server.methods.clear()
    config = replace(head_first, host_concurrency=1)
    outcome = run_check([first, *urls], config)
    assert all(r.verdict is Verdict.OK for r in outcome.results.values())
    heads = [m for m, _ in second_server.methods if m == "HEAD"]
    assert len(heads) == 1  # learnt from the first URL, then GET only


@pytest.mark.parametrize(
    ("path", "verdict"),
    [
        pytest.param("/head-refused", Verdict.OK, id="head-405-then-get-200"),
        pytest.param("/missing", Verdict.BROKEN, id="head-404-confirmed-by-get"),
        pytest.param("/huge", Verdict.OK, id="huge-body"),
    ],
)
def test_head_first_when_asked(
    http_server: _HTTPServer, fast_config: CheckConfig, path: str, verdict: Verdict
) -> None:
    url = url_of(http_server, path)
    result = run_check([url], replace(fast_config, method="head")).results[url]
    assert result.verdict is verdict
    assert [m for m, p in http_server.methods if url.endswith(p)] == ["HEAD", "GET"]


def test_get_is_the_default_method(http_server: _HTTPServer, fast_config: CheckConfig) -> None:
    url = url_of(http_server, "/missing")
    assert run_check([url], fast_config).results[url].verdict is Verdict.BROKEN
    assert [m for m, p in http_server.methods if url.endswith(p)] == ["GET"]


def test_host_interval_spaces_requests(http_server: _HTTPServer, fast_config: CheckConfig) -> None:
    urls = [url_of(http_server, "/ok") for _ in range(5)]
    started = time.monotonic()
    run_check(urls, replace(fast_config, host_interval=0.1))
    assert time.monotonic() - started >= 0.4


def test_no_cookies_and_user_agent_sent(http_server: _HTTPServer, fast_config: CheckConfig) -> None:
    url = url_of(http_server, "/ok")
    outcome = run_check([url], replace(fast_config, user_agent="tester/1"))
    assert outcome.results[url].verdict is Verdict.OK


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("7", 7.0, id="seconds"),
        pytest.param(None, None, id="absent"),
        pytest.param("soon", None, id="garbage"),
        pytest.param("\u00b2", None, id="superscript-digit"),
        pytest.param("\u0663", None, id="arabic-indic-digit"),
        pytest.param("Wed, 21 Oct 2015 07:28:00 GMT", 0.0, id="date-in-the-past"),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value) == expected
