"""The run's client over many hosts: open connections stay bounded by ``max_concurrency``."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs RLIMIT_NOFILE")

_ORIGINS = 200
_FD_LIMIT = 150
_MAX_CONCURRENCY = 64

# Run in a child process, so that only the checker's own sockets count against the limit.
_CHECKER = """
import asyncio, json, os, resource, sys
from briefgen.linkcheck.config import CheckConfig
from briefgen.linkcheck.engine import check_urls

limit, max_concurrency = int(sys.argv[1]), int(sys.argv[2])
resource.setrlimit(resource.RLIMIT_NOFILE, (limit, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
urls = json.load(sys.stdin)
peak = 0

def on_result(result):
    global peak
    peak = max(peak, len(os.listdir("/proc/self/fd")))

config = CheckConfig(
    allow_private=True, max_concurrency=max_concurrency, connect_timeout=5.0, timeout=5.0,
    retries=0, url_deadline=30.0, deadline=90.0,
)
outcome = asyncio.run(check_urls(urls, config, on_result=on_result))
print(json.dumps({
    "verdicts": {url: [r.verdict.value, r.reason] for url, r in outcome.results.items()},
    "peak": peak,
}))
"""


async def _answer_ok(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Answer 200 to every request on the connection, keeping it alive as HTTP/1.1 does."""
    try:
        while True:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            await writer.drain()
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        pass
    finally:
        writer.close()


@pytest.fixture
def many_origins() -> Iterator[list[int]]:
    """``_ORIGINS`` servers on 127.0.0.1, one port each, served by one event loop."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    async def start() -> list[asyncio.Server]:
        return [await asyncio.start_server(_answer_ok, "127.0.0.1", 0) for _ in range(_ORIGINS)]

    servers = asyncio.run_coroutine_threadsafe(start(), loop).result(30)
    try:
        yield [server.sockets[0].getsockname()[1] for server in servers]
    finally:

        async def stop() -> None:
            for server in servers:
                server.close()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        asyncio.run_coroutine_threadsafe(stop(), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


def test_many_hosts_stay_within_the_file_descriptor_limit(many_origins: list[int]) -> None:
    """Idle connections of hosts done with are closed, so a low ``ulimit -n`` breaks nothing."""
    urls = [f"http://127.0.0.1:{port}/page" for port in many_origins]
    done = subprocess.run(
        [sys.executable, "-c", _CHECKER, str(_FD_LIMIT), str(_MAX_CONCURRENCY)],
        input=json.dumps(urls),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    found = json.loads(done.stdout)
    not_ok = {url: v for url, v in found["verdicts"].items() if v[0] != "ok"}
    assert not_ok == {}, f"{len(not_ok)} not ok, e.g. {next(iter(not_ok.values()))}"
    # The checker's sockets stay near max_concurrency, whatever the number of hosts.
    assert found["peak"] <= _MAX_CONCURRENCY + 40, found["peak"]
