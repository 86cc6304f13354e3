"""The retry policy: transient failures retried after the first pass, within a budget; the
rest (a 500 included) reported at once; a host that answers 429 is left alone for a while."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from briefgen.linkcheck.config import CheckConfig
from briefgen.linkcheck.verdict import Verdict

from .conftest import _HTTPServer, run_check, url_of
from .helpers import check_json, write_links


def _requests(server: _HTTPServer, url: str) -> list[tuple[float, str]]:
    path = "/" + url.split("/", 3)[3]
    return [(at, method) for at, method, seen in server.log if seen == path]


def test_500_is_reported_at_once(http_server: _HTTPServer, fast_config: CheckConfig) -> None:
    url = url_of(http_server, "/error-500")
    result = run_check([url], replace(fast_config, retries=3)).results[url]
    assert result.verdict is Verdict.BROKEN and result.status_code == 500
    # One GET, no retry (lychee reports a 500 at once too).
    assert [method for _at, method in _requests(http_server, url)] == ["GET"]


def test_transient_failure_is_retried_after_the_first_pass(
    http_server: _HTTPServer, fast_config: CheckConfig
) -> None:
    flaky, slow = url_of(http_server, "/flaky-503"), url_of(http_server, "/pause")
    config = replace(fast_config, timeout=3.0, retry_backoff=0.01)
    outcome = run_check([flaky, slow], config)
    assert outcome.results[flaky].verdict is Verdict.OK
    assert outcome.results[slow].verdict is Verdict.OK
    # The retry waited for the slow page's first answer: the first pass had to end first.
    slow_started = _requests(http_server, slow)[0][0]
    retried_at = _requests(http_server, flaky)[-1][0]
    assert retried_at >= slow_started + 0.5


def test_retry_budget_bounds_the_whole_run(
    http_server: _HTTPServer, fast_config: CheckConfig
) -> None:
    urls = [url_of(http_server, "/unavailable") for _ in range(12)]
    # Two at a time: the test server's listen backlog is small, and a dropped connection
    # would be a transient failure of its own.
    config = replace(fast_config, retries=3, retry_backoff=0.01, retry_budget=5, host_concurrency=2)
    outcome = run_check(urls, config)
    # One GET each, then five retries in all.
    assert sum(len(_requests(http_server, url)) for url in urls) == 12 + 5
    # A 503 tried as often as allowed is broken; one the budget left untried is not known to be.
    verdicts = Counter(r.verdict for r in outcome.results.values())
    assert set(verdicts) <= {Verdict.BROKEN, Verdict.UNCHECKED}
    assert verdicts[Verdict.UNCHECKED] >= 12 - 5
    for result in outcome.results.values():
        if result.verdict is Verdict.UNCHECKED:
            assert result.reason.startswith("could not verify: server error (503)")
            assert result.reason.endswith("the run's retry budget was spent")


def test_failures_left_by_the_spent_budget_are_unverified_not_broken(
    tmp_path: Path, http_server: _HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    urls = [url_of(http_server, "/unavailable") for _ in range(3)]
    write_links(tmp_path, urls)
    code, report = check_json(
        tmp_path, ["--allow-private", str(tmp_path / "links.md")], capsys,
        retries=2, retry_budget=0, host_concurrency=1,
    )  # fmt: skip
    assert code == 3  # could not verify, not 1 (broken)
    assert {link["verdict"] for link in report["links"]} == {"unchecked"}


def test_timeout_is_retried_once(silent_port: int, fast_config: CheckConfig) -> None:
    url = f"http://127.0.0.1:{silent_port}/retried-once"
    result = run_check([url], replace(fast_config, retries=3, timeout=0.2)).results[url]
    assert result.verdict is Verdict.BROKEN
    assert "timed out" in result.reason and "(2 tries)" in result.reason


def test_429_pauses_the_host_for_retry_after(
    http_server: _HTTPServer, fast_config: CheckConfig
) -> None:
    limited = url_of(http_server, "/rate-limited")  # 429 with Retry-After: 1, then 200
    others = [url_of(http_server, "/ok") for _ in range(3)]
    config = replace(fast_config, host_concurrency=1, retry_backoff=0.01)
    outcome = run_check([limited, *others], config)
    assert all(r.verdict is Verdict.OK for r in outcome.results.values())
    answered_429 = _requests(http_server, limited)[0][0]
    later = sorted(at for url in others for at, _method in _requests(http_server, url))
    # Nothing more went to the host until Retry-After had passed.
    assert later[0] >= answered_429 + 0.9


def test_waiting_behind_a_rate_limit_does_not_count_against_the_url_deadline(
    http_server: _HTTPServer, fast_config: CheckConfig
) -> None:
    """URLs queued while their host pauses after a 429 are sent later, never called broken."""
    urls = [url_of(http_server, "/always-429-1s") for _ in range(3)]
    config = replace(
        fast_config, host_concurrency=1, retries=0, url_deadline=0.5, retry_after_cap=1.0
    )
    outcome = run_check(urls, config)
    assert [(r.verdict, r.status_code) for r in outcome.results.values()] == [
        (Verdict.BLOCKED, 429)
    ] * 3, [r.reason for r in outcome.results.values()]
    # Each was sent, one Retry-After apart.
    starts = sorted(at for url in urls for at, _method in _requests(http_server, url))
    assert len(starts) == 3 and starts[2] - starts[0] >= 1.8


def test_a_paused_host_holds_no_run_wide_slot(
    http_server: _HTTPServer, second_server: _HTTPServer, fast_config: CheckConfig
) -> None:
    """While one host waits out its Retry-After, the other hosts' requests go on."""
    limited = [url_of(http_server, "/always-429-1s") for _ in range(2)]
    others = [url_of(second_server, "/ok") for _ in range(3)]
    config = replace(fast_config, max_concurrency=1, host_concurrency=1, retries=0)
    outcome = run_check([*limited, *others], config)
    assert all(outcome.results[url].verdict is Verdict.OK for url in others)
    second_429 = _requests(http_server, limited[1])[0][0]
    assert max(at for url in others for at, _method in _requests(second_server, url)) < second_429


def test_url_never_sent_before_the_run_deadline_behind_a_429_is_blocked(
    http_server: _HTTPServer, fast_config: CheckConfig
) -> None:
    limited = url_of(http_server, "/always-429-1s")
    queued = url_of(http_server, "/ok")
    config = replace(fast_config, host_concurrency=1, retries=0, deadline=0.5)
    outcome = run_check([limited, queued], config)
    assert outcome.deadline_hit
    assert outcome.results[limited].verdict is Verdict.BLOCKED
    result = outcome.results[queued]
    assert result.verdict is Verdict.BLOCKED and "answered 429" in result.reason
    assert _requests(http_server, queued) == []


def test_one_rate_limit_window_is_one_pause() -> None:
    """429s to requests already in flight when the host paused do not lengthen the pause."""
    from briefgen.linkcheck.engine import _HostGate

    async def scenario() -> list[float]:
        gate = _HostGate(asyncio.Semaphore(10), 0.0, {})
        sent = time.monotonic()
        pauses = []
        for _ in range(5):  # five requests sent together, all answered 429
            gate.rate_limited(None, 60.0, sent)
            pauses.append(gate.backoff)
        gate.rate_limited(None, 60.0, time.monotonic() + 1)  # sent after the pause: escalate
        pauses.append(gate.backoff)
        gate.answered()
        pauses.append(gate.backoff)
        return pauses

    assert asyncio.run(scenario()) == [0.5, 0.5, 0.5, 0.5, 0.5, 1.0, 0.0]


def test_waiting_for_the_first_pass_does_not_count_against_the_url_deadline(
    http_server: _HTTPServer, fast_config: CheckConfig
) -> None:
    """A big run's first pass may outlast ``url_deadline``; the retry still happens."""
    flaky, slow = url_of(http_server, "/flaky-503"), url_of(http_server, "/pause")
    config = replace(fast_config, timeout=3.0, retry_backoff=0.01, url_deadline=0.4)
    outcome = run_check([flaky, slow], config)
    assert outcome.results[flaky].verdict is Verdict.OK  # retried after the 0.6 s pause
    assert len(_requests(http_server, flaky)) == 2
