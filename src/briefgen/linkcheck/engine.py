"""The pass over the network: every URL once, politely per host, with retries and deadlines."""

from __future__ import annotations

import asyncio
import random
import ssl
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urldefrag, urljoin, urlsplit

import httpx

from briefgen.linkcheck.client import AddressRefused, NameNotResolved, make_client
from briefgen.linkcheck.config import CheckConfig
from briefgen.linkcheck.safety import is_loopback_host, scheme_refusal
from briefgen.linkcheck.verdict import (
    PERMANENT_REDIRECTS,
    REDIRECTS,
    RETRYABLE,
    SLOW_FAILURES,
    UNREACHABLE,
    FailureKind,
    Hop,
    LinkResult,
    Verdict,
    classify_status,
    needs_get_fallback,
    retryable_status,
)


@dataclass(frozen=True, slots=True)
class RunOutcome:
    """The results of one pass, and whether they can be trusted."""

    results: Mapping[str, LinkResult]
    """One result per URL given, in the order given."""
    network_down: bool
    """True when no host answered and every request failed before reaching a server."""
    deadline_hit: bool
    """True when the global deadline ended the run; unfinished URLs are ``unchecked``."""


@dataclass(frozen=True, slots=True)
class _Answer:
    status: int
    headers: Mapping[str, str]
    url: str
    chain: tuple[Hop, ...]
    method: str


@dataclass(frozen=True, slots=True)
class _Failure:
    kind: FailureKind
    reason: str
    chain: tuple[Hop, ...] = ()
    answered: bool = False


@dataclass(slots=True)
class _HostGate:
    """Per-host politeness: a cap on requests in flight and a minimum gap between their starts."""

    slots: asyncio.Semaphore
    interval: float
    headers: Mapping[str, str]
    next_start: float = 0.0
    head_unreliable: bool = False
    """Set once the host answered a HEAD with a failure: its later URLs go straight to GET."""
    backoff: float = 0.0
    """The pause imposed by the last 429 in a row (0 once the host answered a success)."""
    paused_at: float = 0.0
    """When the last pause began (monotonic clock)."""

    async def wait_turn(self) -> None:
        now = time.monotonic()
        start = max(now, self.next_start)
        self.next_start = start + self.interval
        if start > now:
            await asyncio.sleep(start - now)

    def rate_limited(self, retry_after: float | None, cap: float, sent_at: float) -> None:
        """After a 429: send nothing more to this host for a while.

        A rate limiter answers 429 to everything in its window, so requests sent before the
        window ends only earn more 429s. The pause is the server's ``Retry-After`` (capped),
        or half a second doubled on each 429 in a row; the next success ends the slow-down.
        lychee 0.24 does the same per host. A 429 to a request sent before the last pause began
        belongs to the window that pause already answers, and does not lengthen it.
        """
        if sent_at < self.paused_at:
            return
        self.paused_at = time.monotonic()
        doubled = min(self.backoff * 2 if self.backoff else _FIRST_429_PAUSE, _MAX_429_PAUSE)
        self.backoff = min(max(retry_after or 0.0, doubled), cap)
        self.next_start = max(self.next_start, time.monotonic() + self.backoff)

    def answered(self) -> None:
        """A success: the host's rate limit, if any, has passed."""
        self.backoff = 0.0


@dataclass(slots=True)
class _UrlClock:
    """The per-URL deadline: time that runs only while a request of the URL's own is under way.

    Waiting for the host's turn (behind a rate limit, or behind the host's other URLs) or for a
    free slot is not time spent on the URL: counted, it turned URLs that were never sent into
    "no verdict within the per-URL deadline", that is into false "broken".
    """

    remaining: float
    """Seconds left; backoff sleeps between retries are taken off too."""
    _timeout: asyncio.Timeout | None = None
    _since: float | None = None

    def bind(self, timeout: asyncio.Timeout) -> None:
        """Drive ``timeout`` (entered with no deadline) for the attempt under way."""
        self._timeout = timeout

    def unbind(self) -> None:
        """The attempt ended: stop the clock and let go of its timeout."""
        self.pause()
        self._timeout = None

    def run(self) -> None:
        """A request was sent: the clock runs."""
        if self._since is not None or self._timeout is None or self._timeout.expired():
            return
        self._since = time.monotonic()
        loop = asyncio.get_running_loop()
        self._timeout.reschedule(loop.time() + max(self.remaining, 0.0))

    def pause(self) -> None:
        """Waiting again (for a turn or a slot): the clock stops."""
        if self._since is None:
            return
        self.remaining -= time.monotonic() - self._since
        self._since = None
        if self._timeout is not None and not self._timeout.expired():
            self._timeout.reschedule(None)


@dataclass(slots=True)
class _Progress:
    clock: _UrlClock
    last: _Answer | _Failure | None = None
    answered: bool = False
    sent: bool = False
    """True once a request for the URL got its turn and went out."""


# The pause after a 429 without Retry-After, doubled on each 429 in a row up to the maximum.
_FIRST_429_PAUSE = 0.5
_MAX_429_PAUSE = 10.0
# A retry waits at least this long after the failure it retries, however early the pass ends.
_RETRY_BACKOFF_CAP = 8.0


@dataclass(slots=True)
class _Passes:
    """The first pass (every URL tried once) and the shared budget of retries after it.

    Retries wait for the first pass to end: a transient failure usually passes by then, the
    wait overlaps useful work instead of adding to the wall time, and a retry never competes
    with a first request for a host's turn.
    """

    first_left: int
    """URLs whose first attempt has not finished yet."""
    budget: int
    """Retries the whole run may still make."""
    first_done: asyncio.Event = field(default_factory=asyncio.Event)

    def first_attempt_finished(self) -> None:
        self.first_left -= 1
        if self.first_left <= 0:
            self.first_done.set()

    def take_retry(self) -> bool:
        """Spend one retry from the budget; False when it is spent."""
        if self.budget <= 0:
            return False
        self.budget -= 1
        return True


@dataclass(slots=True)
class Checker:
    """Checks URLs with one pooled client; create one per run."""

    config: CheckConfig
    client: httpx.AsyncClient
    on_result: Callable[[LinkResult], None] | None = None
    _gates: dict[str, _HostGate] = field(default_factory=dict)
    _all_slots: asyncio.Semaphore | None = None
    _passes: _Passes | None = None
    _progress: dict[str, _Progress] = field(default_factory=dict)

    def _gate(self, host: str) -> _HostGate:
        gate = self._gates.get(host)
        if gate is None:
            concurrency, interval, headers = self.config.for_host(host)
            gate = self._gates[host] = _HostGate(asyncio.Semaphore(concurrency), interval, headers)
        return gate

    async def _request(
        self, method: str, url: str, progress: _Progress
    ) -> tuple[str, int, Mapping[str, str]]:
        """Send one request, read at most a small slice of the body, and close it.

        Returns the method actually used: once a host has mishandled HEAD, GET is sent instead,
        decided after waiting for the host's turn so URLs queued behind the lesson benefit.
        """
        if self._all_slots is None:
            self._all_slots = asyncio.Semaphore(self.config.max_concurrency)
        gate = self._gate((urlsplit(url).hostname or "").lower())
        progress.clock.pause()
        # The run-wide slot is taken only once the host's turn has come: a request waiting out
        # its host's rate-limit pause must not keep other hosts' requests from being sent.
        async with gate.slots:
            await gate.wait_turn()
            async with self._all_slots:
                progress.clock.run()
                progress.sent = True
                return await self._send(method, url, gate)

    async def _send(
        self, method: str, url: str, gate: _HostGate
    ) -> tuple[str, int, Mapping[str, str]]:
        """Send one request on the host's turn (see :meth:`_request`)."""
        if method == "HEAD" and gate.head_unreliable:
            method = "GET"
        request = self.client.build_request(method, url, headers=dict(gate.headers))
        sent_at = time.monotonic()
        response = await self.client.send(request, stream=True)
        try:
            if method == "GET":
                # A small body is read whole so the connection can be reused; a large one
                # (a 20 MB PDF) is cut off, which costs only that one connection.
                seen = 0
                async for chunk in response.aiter_raw():
                    seen += len(chunk)
                    if seen > self.config.max_body_bytes:
                        break
            elif needs_get_fallback(response.status_code, self.config.accept):
                # The host mishandles HEAD (or the page is gone, which GET confirms just as
                # well): its other URLs go straight to GET, saving a request each.
                gate.head_unreliable = True
        finally:
            await response.aclose()
        if response.status_code == 429:
            retry_after = parse_retry_after(response.headers.get("retry-after"))
            gate.rate_limited(retry_after, self.config.retry_after_cap, sent_at)
        elif response.status_code < 400:
            gate.answered()
        return method, response.status_code, response.headers

    async def _follow(self, url: str, method: str, progress: _Progress) -> _Answer | _Failure:
        """Request ``url`` and follow its redirects, vetting and recording every hop."""
        chain: list[Hop] = []
        seen = {url}
        current = url
        for _ in range(self.config.max_redirects + 1):
            refusal = scheme_refusal(current)
            if refusal is not None:
                return _Failure(
                    FailureKind.REFUSED, f"redirect to {current}: {refusal}", tuple(chain)
                )
            try:
                method, status, headers = await self._request(method, current, progress)
            except Exception as exc:  # translated in one place: translate_error
                kind, reason = translate_error(exc)
                if chain:
                    reason = f"{reason} (after redirect to {current})"
                return _Failure(kind, reason, tuple(chain), answered=bool(chain))
            progress.answered = True
            location = headers.get("location")
            if status in REDIRECTS and location:
                target = urldefrag(urljoin(current, location.strip())).url
                chain.append(Hop(current, status))
                if target in seen:
                    return _Failure(
                        FailureKind.PROTOCOL, f"redirect loop back to {target}", tuple(chain), True
                    )
                seen.add(target)
                current = target
                continue
            return _Answer(status, headers, current, tuple(chain), method)
        return _Failure(
            FailureKind.PROTOCOL,
            f"more than {self.config.max_redirects} redirects",
            tuple(chain),
            True,
        )

    async def check(self, url: str) -> LinkResult:
        """Check one URL with GET (or HEAD first, with ``method = "head"``), retrying what may pass.

        A transient failure (429, 502, 503, 504, 408, a reset, a timeout, a refused or timed
        out connection) is retried after the first pass over every URL has ended, with a short
        backoff (or the server's ``Retry-After``, capped), while the run's retry budget lasts.
        Anything else, a 500 included, is a verdict at once. A transient failure left when the
        budget is spent is ``unchecked``: it is not known to be broken.
        """
        passes = self._passes or _Passes(first_left=1, budget=self.config.retries)
        # The per-URL deadline counts the time spent on this URL, not the waits for the host's
        # turn or for the first pass to end (which may be long on a big run).
        progress = self._progress[url] = _Progress(_UrlClock(self.config.url_deadline))
        attempt = 0
        first = True
        budget_spent = False
        try:
            while True:
                outcome = await self._attempt(url, progress)
                failed_at = time.monotonic()
                if first:
                    first = False
                    passes.first_attempt_finished()
                if isinstance(outcome, LinkResult):
                    return outcome  # the per-URL deadline ran out
                if not _transient(outcome) or attempt >= _max_retries(outcome, self.config):
                    break
                delay = self._delay(
                    attempt, outcome.headers if isinstance(outcome, _Answer) else {}
                )
                await passes.first_done.wait()
                # The backoff runs from the failure, so the wait for the pass is part of it;
                # what is left of it counts against the URL's deadline, the pass does not.
                delay = max(delay - (time.monotonic() - failed_at), 0.0)
                if progress.clock.remaining - delay <= 0:
                    break
                if not passes.take_retry():
                    budget_spent = True
                    break
                if delay > 0:
                    await asyncio.sleep(delay)
                    progress.clock.remaining -= delay
                attempt += 1
        finally:
            if first:
                passes.first_attempt_finished()
        if isinstance(outcome, _Answer):
            result = self._result(url, outcome, progress, attempt)
        else:
            result = self._failure_result(url, outcome, progress, attempt)
        if budget_spent and result.verdict is Verdict.BROKEN:
            # Only the retries the run could not afford stand between this failure and a
            # verdict: a hiccup is not link rot, so it must not fail the run as broken.
            return replace(
                result,
                verdict=Verdict.UNCHECKED,
                reason=f"could not verify: {result.reason}; the run's retry budget was spent",
                checked_at=None,
            )
        return result

    async def _attempt(self, url: str, progress: _Progress) -> _Answer | _Failure | LinkResult:
        """One try of ``url`` (HEAD, then GET where HEAD is refused); redirects followed."""
        try:
            async with asyncio.timeout(None) as timeout:
                progress.clock.bind(timeout)
                try:
                    return await self._try_once(url, progress)
                finally:
                    progress.clock.unbind()
        except TimeoutError:
            last = progress.last
            if not progress.sent:  # the clock runs only once a request went out; never "broken"
                return LinkResult(url, Verdict.UNCHECKED, "no request could be sent in time")
            if isinstance(last, _Answer):
                return self._result(url, last, progress, 0)
            detail = f"; last error: {last.reason}" if last is not None else ""
            return LinkResult(
                url,
                Verdict.BROKEN,
                f"no verdict within the per-URL deadline of {self.config.url_deadline:g}s{detail}",
                checked_at=_now(),
                failure=FailureKind.TIMEOUT,
                answered=progress.answered,
            )

    async def _try_once(self, url: str, progress: _Progress) -> _Answer | _Failure:
        gate = self._gate((urlsplit(url).hostname or "").lower())
        method = "GET" if gate.head_unreliable or self.config.method == "get" else "HEAD"
        while True:
            outcome = await self._follow(url, method, progress)
            progress.last = outcome
            if isinstance(outcome, _Answer):
                if outcome.method == "HEAD" and needs_get_fallback(
                    outcome.status, self.config.accept
                ):
                    method = "GET"
                    continue
                return outcome
            if (
                method == "HEAD"
                and outcome.kind in (FailureKind.RESET, FailureKind.PROTOCOL)
                and not outcome.answered
            ):
                # Some servers drop the connection on HEAD; GET decides.
                method = "GET"
                continue
            return outcome

    def _delay(self, attempt: int, headers: Mapping[str, str]) -> float:
        """Exponential backoff with jitter, or the server's ``Retry-After`` (capped)."""
        cap = self.config.retry_after_cap
        retry_after = parse_retry_after(headers.get("retry-after"))
        if retry_after is not None:
            return min(retry_after, cap)
        base: float = self.config.retry_backoff * 2.0**attempt
        return min(base * (0.5 + random.random()), cap, _RETRY_BACKOFF_CAP)

    def _result(self, url: str, answer: _Answer, progress: _Progress, retries: int) -> LinkResult:
        verdict, reason = classify_status(answer.status, answer.headers, self.config.accept)
        if verdict is not Verdict.OK and retryable_status(answer.status):
            reason = f"{reason}{_tries(retries)}"
        suggestion = _permanent_target(answer.chain, answer.url)
        if verdict is Verdict.OK and suggestion is not None:
            verdict = Verdict.REDIRECTED
            reason = f"moved permanently; cite {suggestion} instead"
        elif verdict is Verdict.OK and answer.chain:
            reason = f"live ({answer.status}) after {len(answer.chain)} temporary redirect(s)"
        return LinkResult(
            url,
            verdict,
            reason,
            status_code=answer.status,
            final_url=suggestion if verdict is Verdict.REDIRECTED else answer.url,
            redirects=answer.chain,
            checked_at=_now(),
            answered=True,
        )

    def _failure_result(
        self, url: str, failure: _Failure, progress: _Progress, retries: int
    ) -> LinkResult:
        verdict = Verdict.BLOCKED if failure.kind is FailureKind.REFUSED else Verdict.BROKEN
        transient = failure.kind in RETRYABLE
        return LinkResult(
            url,
            verdict,
            f"{failure.reason}{_tries(retries)}" if transient else failure.reason,
            final_url=failure.chain[-1].url if failure.chain else None,
            redirects=failure.chain,
            checked_at=_now(),
            failure=failure.kind,
            answered=progress.answered or failure.answered,
        )

    async def run(self, urls: Iterable[str], *, deadline: float) -> RunOutcome:
        """Check every URL concurrently; stop at ``deadline`` seconds, whatever is left."""
        ordered = list(dict.fromkeys(urls))
        self._passes = _Passes(first_left=len(ordered), budget=retry_budget(self.config, ordered))
        tasks = {url: asyncio.create_task(self.check(url)) for url in ordered}
        if self.on_result is not None:
            for task in tasks.values():
                task.add_done_callback(self._report_done)
        deadline_hit = False
        if tasks:
            _done, pending = await asyncio.wait(tasks.values(), timeout=deadline)
            if pending:
                deadline_hit = True
                for task in pending:
                    task.cancel()
                await asyncio.gather(*pending, return_exceptions=True)
        results: dict[str, LinkResult] = {}
        for url, task in tasks.items():
            if task.cancelled() and self._waited_out_a_rate_limit(url):
                results[url] = LinkResult(
                    url,
                    Verdict.BLOCKED,
                    "rate limited: its host answered 429 and the run's deadline of"
                    f" {deadline:g}s came before its turn; cannot verify",
                )
            elif task.cancelled() or task.exception() is not None:
                results[url] = LinkResult(
                    url,
                    Verdict.UNCHECKED,
                    f"no verdict before the run's deadline of {deadline:g}s"
                    if deadline_hit
                    else f"internal error: {task.exception()!r}",
                )
            else:
                results[url] = task.result()
        return RunOutcome(results, network_is_down(results.values()), deadline_hit)

    def _waited_out_a_rate_limit(self, url: str) -> bool:
        """Tell whether ``url`` was never sent while its host's last answer was a 429."""
        progress = self._progress.get(url)
        gate = self._gates.get((urlsplit(url).hostname or "").lower())
        return (progress is None or not progress.sent) and gate is not None and gate.backoff > 0

    def _report_done(self, task: asyncio.Task[LinkResult]) -> None:
        if not task.cancelled() and task.exception() is None and self.on_result is not None:
            self.on_result(task.result())


def retry_budget(config: CheckConfig, urls: list[str]) -> int:
    """Retries a whole run may make: ``retry_budget``, or by default a tenth of its URLs.

    Enough for the transient failures of a healthy run; when much more fails (a host down, a
    rate limit on every page), more retries would set the wall time and change no verdict.
    """
    if config.retry_budget is not None:
        return config.retry_budget
    return max(_MIN_RETRY_BUDGET, len(urls) // 10) if config.retries else 0


_MIN_RETRY_BUDGET = 20


def _transient(outcome: _Answer | _Failure) -> bool:
    """Tell whether a try's outcome may pass if tried again (and is worth the wait)."""
    if isinstance(outcome, _Answer):
        return retryable_status(outcome.status)
    return outcome.kind in RETRYABLE


def _max_retries(outcome: _Answer | _Failure, config: CheckConfig) -> int:
    """Retries allowed after this outcome: a timeout is retried once, since each try costs
    the whole timeout and a server silent twice in a row is not about to answer."""
    if isinstance(outcome, _Failure) and outcome.kind in SLOW_FAILURES:
        return min(config.retries, 1)
    return config.retries


def _tries(retries: int) -> str:
    return f" ({1 + retries} tries)" if retries else ""


def network_is_down(results: Iterable[LinkResult]) -> bool:
    """Tell whether the network (not the sites) failed: nothing answered, nothing got through.

    Only requests to other machines count: a refusal by our own safety rules sent nothing, and
    a loopback server proves nothing about the network. A host that does not resolve while
    another answers is link rot, so one answer anywhere means the network is up.
    """
    attempted = 0
    for result in results:
        if result.from_cache or result.verdict in (Verdict.SKIPPED, Verdict.UNCHECKED):
            continue
        if result.answered:
            return False
        if result.failure is FailureKind.REFUSED:
            continue
        host = urlsplit(result.url).hostname or ""
        if is_loopback_host(host):
            continue
        if result.failure not in UNREACHABLE:
            return False
        attempted += 1
    return attempted > 0


def translate_error(exc: Exception) -> tuple[FailureKind, str]:
    """Turn an exception from the client into a failure kind and a reason in plain words."""
    if isinstance(exc, NameNotResolved):
        return FailureKind.DNS, f"host name {exc.host!r} does not resolve"
    if isinstance(exc, AddressRefused):
        return FailureKind.REFUSED, f"{exc.reason}; not checked (use --allow-private to allow it)"
    if isinstance(exc, httpx.ConnectTimeout):
        return FailureKind.CONNECT_TIMEOUT, "connection timed out"
    if isinstance(exc, httpx.ConnectError):
        text = str(exc)
        if isinstance(exc.__context__, ssl.SSLError) or "SSL" in text or "certificate" in text:
            return FailureKind.TLS, f"TLS certificate or handshake invalid ({_short(text)})"
        if "refused" in text.lower() or _caused_by(exc, ConnectionRefusedError):
            return FailureKind.CONNECT, "connection refused"
        return FailureKind.CONNECT, f"could not connect ({_short(text)})"
    if isinstance(exc, httpx.TimeoutException):
        return FailureKind.TIMEOUT, "timed out waiting for the server"
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
        return FailureKind.RESET, f"connection reset or closed by the server ({_short(str(exc))})"
    if isinstance(exc, httpx.HTTPError | httpx.InvalidURL | ValueError):
        return FailureKind.PROTOCOL, f"invalid request or answer ({_short(str(exc))})"
    raise exc


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    """Search an exception's causes (and exception groups) for one of type ``kind``."""
    seen: set[int] = set()
    stack: list[BaseException] = [exc]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, kind):
            return True
        if isinstance(current, BaseExceptionGroup):
            stack.extend(current.exceptions)
        stack.extend(e for e in (current.__cause__, current.__context__) if e is not None)
    return False


def parse_retry_after(value: str | None) -> float | None:
    """Read ``Retry-After`` as seconds, from a number or an HTTP date; None if absent or bad."""
    if not value:
        return None
    value = value.strip()
    # ASCII only: "²".isdigit() is true, and float() refuses it.
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - _now()).total_seconds())


def _permanent_target(chain: tuple[Hop, ...], final_url: str) -> str | None:
    """The URL a citation should move to: the end of the leading run of permanent redirects."""
    target = None
    for index, hop in enumerate(chain):
        if hop.status_code not in PERMANENT_REDIRECTS:
            break
        target = chain[index + 1].url if index + 1 < len(chain) else final_url
    return target


def _short(text: str) -> str:
    return text.splitlines()[0][:200] if text else "no detail"


def _now() -> datetime:
    return datetime.now(UTC)


async def check_urls(
    urls: Iterable[str],
    config: CheckConfig,
    *,
    on_result: Callable[[LinkResult], None] | None = None,
) -> RunOutcome:
    """Check ``urls`` with a fresh client and return every result (the engine's entry point)."""
    async with make_client(config) as client:
        checker = Checker(config, client, on_result)
        return await checker.run(urls, deadline=config.deadline)
