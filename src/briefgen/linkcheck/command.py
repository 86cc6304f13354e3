"""``briefgen check``: the command line of the link checker (httpx is imported only to run)."""

from __future__ import annotations

import argparse
import os
import queue
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from briefgen.config import Config
from briefgen.errors import BriefgenError, UsageError
from briefgen.linkcheck.cache import CACHE_FILE, LinkCache
from briefgen.linkcheck.config import CheckConfig, load_check_config, parse_duration
from briefgen.linkcheck.report import FORMATS, WARNING_VERDICTS, Report, render, summary_line
from briefgen.linkcheck.safety import scheme_refusal
from briefgen.linkcheck.targets import Target, collect_targets
from briefgen.linkcheck.verdict import LinkResult, Verdict

if TYPE_CHECKING:
    from briefgen.linkcheck.engine import RunOutcome

EXIT_OK, EXIT_BROKEN, EXIT_USAGE, EXIT_UNVERIFIED = 0, 1, 2, 3
# Results are written to the cache in batches, so a killed run keeps most of its work.
_FLUSH_EVERY = 25


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``briefgen check`` to ``parser``."""
    parser.add_argument(
        "paths", nargs="*", type=Path, metavar="PATH",
        help=".bib files, .md files or brief folders to check (default: every brief)",
    )  # fmt: skip
    parser.add_argument("--format", choices=FORMATS, default="text", help="report format")
    parser.add_argument("--output", type=Path, metavar="FILE", help="write the report to FILE")
    parser.add_argument(
        "--offline", action="store_true", help="check nothing; report cached verdicts only"
    )
    parser.add_argument(
        "--strict", action="store_true", help="fail (exit 1) on redirected or blocked links too"
    )
    parser.add_argument(
        "--allow-private", action="store_true", default=None,
        help="allow URLs on private, loopback and link-local addresses (tests, intranets)",
    )  # fmt: skip
    parser.add_argument(
        "--archive", action="store_true",
        help="look up an archived copy of each broken URL in the Wayback Machine",
    )  # fmt: skip
    parser.add_argument(
        "--no-cache", action="store_true", help="check every URL again; still record verdicts"
    )
    parser.add_argument("--max-age", metavar="AGE", help="re-check cached verdicts older than AGE")
    parser.add_argument("--timeout", metavar="SECONDS", help="read timeout per request")
    parser.add_argument("--deadline", metavar="SECONDS", help="deadline of the whole run")
    parser.add_argument("--retries", type=int, metavar="N", help="retries per URL")
    parser.add_argument("--max-concurrency", type=int, metavar="N", help="requests in flight")
    parser.add_argument(
        "--host-concurrency", type=int, metavar="N", help="requests in flight per host"
    )
    parser.add_argument(
        "--host-interval", metavar="SECONDS", help="minimum gap between requests to one host"
    )
    parser.add_argument("--user-agent", metavar="TEXT", help="User-Agent header to send")
    parser.add_argument(
        "--changed-since", metavar="REF",
        help="pull-request mode: only citations added or edited since the git commit REF "
        "(e.g. origin/main) can fail the run; the rest is checked and reported",
    )  # fmt: skip


def settings(args: argparse.Namespace, config: Config) -> CheckConfig:
    """Merge ``[tool.briefgen.check]`` with the command line (the command line wins)."""
    check = load_check_config(config.check, root=config.root)

    def duration(name: str) -> float | None:
        value = getattr(args, name, None)
        return None if value is None else parse_duration(value, "--" + name.replace("_", "-"))

    for name in ("retries", "max_concurrency", "host_concurrency"):
        value = getattr(args, name, None)
        if value is not None and value < (0 if name == "retries" else 1):
            raise UsageError(f"--{name.replace('_', '-')} {value} is out of range")
    return check.with_overrides(
        allow_private=getattr(args, "allow_private", None),
        max_age=duration("max_age"),
        timeout=duration("timeout"),
        deadline=duration("deadline"),
        host_interval=duration("host_interval"),
        retries=getattr(args, "retries", None),
        max_concurrency=getattr(args, "max_concurrency", None),
        host_concurrency=getattr(args, "host_concurrency", None),
        user_agent=getattr(args, "user_agent", None),
    )


def run(args: argparse.Namespace, config: Config) -> int:
    """Run ``briefgen check``; return its exit code (0 live, 1 broken, 2 usage, 3 unverified)."""
    started = time.monotonic()
    changed_since: str | None = getattr(args, "changed_since", None)
    in_change: frozenset[str] = frozenset()
    try:
        check = settings(args, config)
        targets = collect_targets(config, args.paths)
        if changed_since is not None:
            from briefgen.linkcheck.changes import find_change, urls_in_change

            change = find_change(config, changed_since, warn=_warn)
            in_change = frozenset(urls_in_change(targets, change, config.root))
    except BriefgenError as exc:
        print(exc.format_message(), file=sys.stderr)
        return EXIT_USAGE
    results, network_down, deadline_hit = _check(targets, check, config, args)
    failing, deadline_counts = results, deadline_hit
    if changed_since is not None:
        # Only what the change touched decides; the rest is reported, not failed.
        failing = {url: r for url, r in results.items() if url in in_change}
        deadline_counts = deadline_hit and any(
            r.verdict is Verdict.UNCHECKED for r in failing.values()
        )
    exit_code = decide_exit_code(failing.values(), network_down, deadline_counts, args.strict)
    report = Report(
        targets,
        results,
        exit_code,
        network_unavailable=network_down,
        deadline_hit=deadline_hit,
        offline=args.offline,
        duration=time.monotonic() - started,
        changed_since=changed_since,
        in_change=in_change,
    )
    text = render(report, args.format)
    if args.output is not None:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
        print(summary_line(report), file=sys.stderr)
    elif network_down and args.format != "text":
        print(summary_line(report), file=sys.stderr)
        sys.stdout.write(text)
    else:
        sys.stdout.write(text)
    return exit_code


def decide_exit_code(
    results: Iterable[LinkResult], network_down: bool, deadline_hit: bool, strict: bool
) -> int:
    """0 all live, 1 broken (or warnings when strict), 3 unverified; see docs/check.md."""
    if network_down:
        return EXIT_UNVERIFIED
    verdicts = {r.verdict for r in results}
    if Verdict.BROKEN in verdicts or (strict and verdicts & WARNING_VERDICTS):
        return EXIT_BROKEN
    if deadline_hit or Verdict.UNCHECKED in verdicts:
        return EXIT_UNVERIFIED
    return EXIT_OK


def _check(
    targets: Sequence[Target], check: CheckConfig, config: Config, args: argparse.Namespace
) -> tuple[dict[str, LinkResult], bool, bool]:
    """Serve what the cache may, fetch the rest, store the fresh verdicts."""
    results: dict[str, LinkResult] = {}
    to_fetch: list[str] = []
    for target in targets:
        refusal = _skip_reason(target.url, check)
        if refusal is not None:
            results[target.url] = LinkResult(target.url, Verdict.SKIPPED, refusal)
        else:
            to_fetch.append(target.url)
    shown = config.relative(config.cache_dir / CACHE_FILE)
    with LinkCache.open(config.cache_dir, warn=_warn, shown=shown) as cache:
        if args.offline:
            cached = cache.lookup(to_fetch, max_age=None)
            for url in to_fetch:
                results[url] = cached.get(url) or LinkResult(
                    url, Verdict.UNCHECKED, "no cached verdict (--offline checks nothing)"
                )
            return _ordered(targets, results), False, False
        if not args.no_cache:
            results.update(cache.lookup(to_fetch, max_age=check.max_age))
        to_fetch = [url for url in to_fetch if url not in results]
        outcome = _fetch(to_fetch, check, cache)
        results.update(outcome.results)
        if outcome.network_down:
            for url in to_fetch:
                r = results[url]
                if r.verdict is Verdict.BROKEN:
                    results[url] = replace(
                        r, verdict=Verdict.UNCHECKED, reason=f"network unavailable ({r.reason})"
                    )
        if args.archive and not outcome.network_down:
            _attach_archives(results, check, cache)
    return _ordered(targets, results), outcome.network_down, outcome.deadline_hit


def _skip_reason(url: str, check: CheckConfig) -> str | None:
    for pattern in check.exclude:
        if pattern.search(url):
            return f"excluded by the pattern {pattern.pattern!r}"
    return scheme_refusal(url)


def _warn(message: str) -> None:
    print(message, file=sys.stderr)


def _fetch(urls: list[str], check: CheckConfig, cache: LinkCache) -> RunOutcome:
    """Run the engine, writing answered verdicts to the cache as they come (off the loop)."""
    from briefgen.linkcheck.engine import check_urls

    pending: list[LinkResult] = []
    held: list[LinkResult] = []
    progress = _Progress(len(urls), sys.stderr)
    writer = CacheWriter(cache)

    def on_result(result: LinkResult) -> None:
        progress.advance()
        # A failure without any answer may be the network's fault, not the site's: keep it
        # out of the cache until the run shows the network was up.
        (pending if result.answered or result.verdict is not Verdict.BROKEN else held).append(
            result
        )
        if len(pending) >= _FLUSH_EVERY:
            writer.submit(pending[:])
            pending.clear()

    import asyncio  # only when checking: `briefgen build` imports this module's parser

    try:
        outcome: RunOutcome = asyncio.run(check_urls(urls, check, on_result=on_result))
    finally:
        progress.finish()
        writer.submit(pending)
        writer.close()
    if not outcome.network_down:
        cache.store(held)
    return outcome


class CacheWriter:
    """Writes batches of verdicts to the cache on a thread of its own.

    SQLite waits for another process's lock, and a write may wait on the disk: on the event
    loop either would stall every request in flight, and a stalled request times out, which
    would turn a live URL into a false "timed out".
    """

    def __init__(self, cache: LinkCache) -> None:
        self._cache = cache
        self._queue: queue.SimpleQueue[list[LinkResult] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._drain, name="link-cache", daemon=True)
        self._thread.start()

    def submit(self, batch: list[LinkResult]) -> None:
        """Queue a batch to write (returns at once)."""
        if batch:
            self._queue.put(batch)

    def close(self) -> None:
        """Write what is queued, then stop the thread."""
        self._queue.put(None)
        self._thread.join()

    def _drain(self) -> None:
        failed = False
        while (batch := self._queue.get()) is not None:
            if failed:
                continue  # keep taking batches, so submit and close never wait on a dead thread
            try:
                self._cache.store(batch)
            except Exception as exc:
                # The cache is advisory: whatever went wrong (not only SQLite's own errors),
                # the run goes on without it, with one warning instead of a thread's traceback.
                failed = True
                self._cache.give_up(exc)


def _attach_archives(results: dict[str, LinkResult], check: CheckConfig, cache: LinkCache) -> None:
    from briefgen.linkcheck.archive import find_snapshots

    broken = [url for url, r in results.items() if r.verdict is Verdict.BROKEN]
    if not broken:
        return
    import asyncio

    snapshots = asyncio.run(find_snapshots(broken, check))
    for url, snapshot in snapshots.items():
        found_at = snapshot.timestamp if snapshot is not None else None
        cache.store_archive(url, snapshot.url if snapshot is not None else None, found_at)
        if snapshot is not None:
            results[url] = replace(
                results[url], archive_url=snapshot.url, archive_timestamp=snapshot.timestamp
            )


def _ordered(targets: Sequence[Target], results: dict[str, LinkResult]) -> dict[str, LinkResult]:
    return {t.url: results[t.url] for t in targets}


class _Progress:
    """A one-line progress bar on a terminal's stderr; silent in CI and when piped."""

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total = total
        self.done = 0
        self.stream = stream
        self.enabled = total > 0 and stream.isatty() and not os.environ.get("CI")
        self._last = 0.0

    def advance(self) -> None:
        self.done += 1
        now = time.monotonic()
        if self.enabled and (now - self._last > 0.1 or self.done == self.total):
            self._last = now
            width = 30
            filled = width * self.done // self.total
            bar = "#" * filled + "-" * (width - filled)
            self.stream.write(f"\rchecking [{bar}] {self.done}/{self.total}")
            self.stream.flush()

    def finish(self) -> None:
        if self.enabled:
            self.stream.write("\r" + " " * 60 + "\r")
            self.stream.flush()
