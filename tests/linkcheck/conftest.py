"""Real HTTP(S) servers on 127.0.0.1, one handler per behaviour, for the link checker's tests."""

from __future__ import annotations

import asyncio
import socket
import ssl
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import trustme

from briefgen.linkcheck.config import CheckConfig
from briefgen.linkcheck.engine import RunOutcome, check_urls

Behaviour = Callable[["Handler"], None]
BEHAVIOURS: dict[str, Behaviour] = {}


def behaviour(path: str) -> Callable[[Behaviour], Behaviour]:
    """Register a handler for one path: one behaviour each."""

    def register(func: Behaviour) -> Behaviour:
        BEHAVIOURS[path] = func
        return func

    return register


class Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_HEAD(self) -> None:
        self._dispatch()

    def do_GET(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        path = self.path.split("?", 1)[0]
        self.server.hits[self.path] += 1
        self.server.methods.append((self.command, self.path))
        self.server.log.append((time.monotonic(), self.command, self.path))
        if self.headers.get("Cookie") is not None:
            self.server.cookies_received.append((self.path, self.headers["Cookie"]))
        BEHAVIOURS.get(path, _not_found)(self)

    @property
    def count(self) -> int:
        """How often this exact path (query included) was requested."""
        return self.server.hits[self.path]

    def reply(self, status: int, headers: dict[str, str] | None = None, body: bytes = b"") -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def _not_found(h: Handler) -> None:
    h.reply(404, body=b"not found")


@behaviour("/ok")
def _ok(h: Handler) -> None:
    h.reply(200, {"Content-Type": "text/html"}, b"<p>live</p>")


@behaviour("/gone")
def _gone(h: Handler) -> None:
    h.reply(410)


@behaviour("/chain/1")
def _chain_1(h: Handler) -> None:
    h.reply(301, {"Location": "/chain/2"})


@behaviour("/chain/2")
def _chain_2(h: Handler) -> None:
    h.reply(308, {"Location": "/chain/3"})


@behaviour("/chain/3")
def _chain_3(h: Handler) -> None:
    h.reply(200)


@behaviour("/temporary")
def _temporary(h: Handler) -> None:
    h.reply(302, {"Location": "/ok"})


@behaviour("/loop/a")
def _loop_a(h: Handler) -> None:
    h.reply(302, {"Location": "/loop/b"})


@behaviour("/loop/b")
def _loop_b(h: Handler) -> None:
    h.reply(302, {"Location": "/loop/a"})


@behaviour("/head-refused")
def _head_refused(h: Handler) -> None:
    h.reply(405 if h.command == "HEAD" else 200)


@behaviour("/rate-limited")
def _rate_limited(h: Handler) -> None:
    h.reply(429, {"Retry-After": "1"}) if h.count == 1 else h.reply(200)


@behaviour("/always-429")
def _always_429(h: Handler) -> None:
    h.reply(429, {"Retry-After": "0"})


@behaviour("/always-429-1s")
def _always_429_1s(h: Handler) -> None:
    h.reply(429, {"Retry-After": "1"})


@behaviour("/flaky")
def _flaky(h: Handler) -> None:
    h.reply(500) if h.count == 1 else h.reply(200)


@behaviour("/unavailable")
def _unavailable(h: Handler) -> None:
    h.reply(503)


@behaviour("/slow")
def _slow(h: Handler) -> None:
    time.sleep(1.5)
    h.reply(200)


@behaviour("/bot")
def _bot(h: Handler) -> None:
    h.reply(403, {"cf-mitigated": "challenge", "Server": "cloudflare", "cf-ray": "1-X"})


@behaviour("/forbidden")
def _forbidden(h: Handler) -> None:
    h.reply(403)


@behaviour("/login")
def _login(h: Handler) -> None:
    h.reply(401)


@behaviour("/linkedin")
def _linkedin(h: Handler) -> None:
    h.reply(999)


@behaviour("/huge")
def _huge(h: Handler) -> None:
    """A 20 MB 'PDF' behind a server that refuses HEAD, so GET must not download it."""
    if h.command == "HEAD":
        h.reply(405)
        return
    size = 20 * 1024 * 1024
    h.send_response(200)
    h.send_header("Content-Type", "application/pdf")
    h.send_header("Content-Length", str(size))
    h.end_headers()
    chunk = b"%" * 65536
    try:
        for _ in range(size // len(chunk)):
            h.wfile.write(chunk)
            h.server.huge_bytes_sent += len(chunk)
    except OSError:
        h.close_connection = True


@behaviour("/set-cookie")
def _set_cookie(h: Handler) -> None:
    h.reply(200, {"Set-Cookie": "session=tracked; Path=/; Max-Age=3600"})


@behaviour("/set-cookie-redirect")
def _set_cookie_redirect(h: Handler) -> None:
    h.reply(302, {"Set-Cookie": "hop=tracked; Path=/", "Location": "/ok"})


@behaviour("/error-500")
def _server_error(h: Handler) -> None:
    h.reply(500)


@behaviour("/flaky-503")
def _flaky_503(h: Handler) -> None:
    h.reply(503) if h.count == 1 else h.reply(200)


@behaviour("/pause")
def _pause(h: Handler) -> None:
    time.sleep(0.6)
    h.reply(200)


@behaviour("/to-second")
def _to_second(h: Handler) -> None:
    h.reply(302, {"Location": f"http://127.0.0.2:{h.server.server_address[1]}/ok"})


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    hits: Counter[str]
    methods: list[tuple[str, str]]
    huge_bytes_sent: int
    log: list[tuple[float, str, str]]
    """(monotonic time, method, path) of every request, in arrival order."""
    cookies_received: list[tuple[str, str]]
    """(path, Cookie header) of every request that carried one: there must be none."""


def _serve(host: str, port: int, context: ssl.SSLContext | None) -> Iterator[_HTTPServer]:
    httpd = _HTTPServer((host, port), Handler)
    httpd.hits = Counter()
    httpd.methods = []
    httpd.huge_bytes_sent = 0
    httpd.cookies_received = []
    httpd.log = []
    if context is not None:
        httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


@pytest.fixture(scope="session")
def http_server() -> Iterator[_HTTPServer]:
    """Plain HTTP on 127.0.0.1."""
    yield from _serve("127.0.0.1", 0, None)


@pytest.fixture(scope="session")
def second_server(http_server: _HTTPServer) -> Iterator[_HTTPServer]:
    """Plain HTTP on 127.0.0.2 (another 'host' on loopback)."""
    yield from _serve("127.0.0.2", 0, None)


@pytest.fixture(scope="session")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="session")
def ca_bundle(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


@pytest.fixture(scope="session")
def https_server(ca: trustme.CA) -> Iterator[_HTTPServer]:
    """HTTPS on 127.0.0.1 with a certificate the test CA signed for that address."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    yield from _serve("127.0.0.1", 0, context)


@pytest.fixture(scope="session")
def wrong_host_server(ca: trustme.CA) -> Iterator[_HTTPServer]:
    """HTTPS on 127.0.0.1 whose certificate names another host."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("wrong-host.example").configure_cert(context)
    yield from _serve("127.0.0.1", 0, context)


@pytest.fixture(scope="session")
def silent_port() -> Iterator[int]:
    """A port that accepts connections (kernel backlog) but never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()


@pytest.fixture
def closed_port() -> int:
    """A port nothing listens on: connections are refused."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port: int = sock.getsockname()[1]
    sock.close()
    return port


def url_of(server: _HTTPServer, path: str, *, scheme: str = "http", unique: bool = True) -> str:
    """The URL of ``path`` on ``server``; ``unique`` gives the URL its own hit counter."""
    host, port = server.server_address[:2]
    token = f"?t={uuid.uuid4().hex[:8]}" if unique else ""
    return f"{scheme}://{host}:{port}{path}{token}"


@pytest.fixture
def fast_config(ca_bundle: Path) -> CheckConfig:
    """Short timeouts and waits, loopback allowed: every test stays well under a second or two."""
    return CheckConfig(
        allow_private=True,
        connect_timeout=0.5,
        timeout=0.3,
        retries=1,
        retry_backoff=0.02,
        retry_after_cap=2.0,
        host_interval=0.0,
        url_deadline=5.0,
        deadline=20.0,
        ca_bundle=ca_bundle,
    )


def run_check(urls: list[str], config: CheckConfig) -> RunOutcome:
    """Run the engine on ``urls`` to completion."""
    return asyncio.run(check_urls(urls, config))
