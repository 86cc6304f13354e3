"""Serve the built site over HTTP (standard library only), with the reload script added to pages.

Files are read from the output folder as they are on disk; only HTML responses change, by one
``<script>`` before ``</body>``. ``/_briefgen/`` holds the script and the event stream.
"""

from __future__ import annotations

import io
import ipaddress
import socket
import threading
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from briefgen.serve.events import BuildEvents

CLIENT = Path(__file__).with_name("client.js")
PREFIX = "/_briefgen/"
CLIENT_PATH = PREFIX + "client.js"
EVENTS_PATH = PREFIX + "events"
HTML_SUFFIXES = (".html", ".htm")
SWAP_WAIT_SECONDS = 10.0
"""How long a request for a missing file waits for a running build to finish before a 404."""

FALLBACK_404 = b"""<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Not found</title></head>
<body><main><h1>Not found</h1><p>The site has no page here (yet).</p></main></body>
</html>
"""
"""Shown when the site has no 404.html (say, the first build failed), so errors still show."""


def client_tag(build_id: str) -> bytes:
    """The ``<script>`` that connects a page to the event stream."""
    return (
        f'<script src="{CLIENT_PATH}" data-build="{build_id}" data-events="{EVENTS_PATH}">'
        "</script>\n"
    ).encode()


def inject_client(html: bytes, build_id: str) -> bytes:
    """``html`` with the reload script before its last ``</body>`` (or at the end)."""
    tag = client_tag(build_id)
    at = html.lower().rfind(b"</body>")
    return html + tag if at == -1 else html[:at] + tag + html[at:]


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable from this machine only."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class SiteServer(ThreadingHTTPServer):
    """An HTTP server for one output folder, which a rebuild may replace at any moment."""

    daemon_threads = True
    """Event streams stay open as long as their tab: never wait for them on shutdown."""

    def __init__(self, host: str, port: int, output_dir: Path, events: BuildEvents) -> None:
        if ":" in host:
            self.address_family = socket.AF_INET6
        self.output_dir = output_dir
        """The folder served; a change of ``output_dir`` in the config moves it."""
        self.events = events
        self.idle = threading.Event()
        """Set while no build is writing; a request for a missing file waits for it."""
        self.idle.set()
        super().__init__((host.strip("[]"), port), SiteRequestHandler)

    @property
    def url(self) -> str:
        """The site's address, as a browser should be given it."""
        host, port = self.server_address[:2]
        host = host.decode() if isinstance(host, bytes) else host
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}/"

    def server_close(self) -> None:
        self.events.close()
        super().server_close()


class SiteRequestHandler(SimpleHTTPRequestHandler):
    """Files from the output folder; HTML pages with the reload script; the event stream."""

    server: SiteServer

    def __init__(self, request: Any, client_address: Any, server: SiteServer) -> None:
        super().__init__(request, client_address, server, directory=str(server.output_dir))

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path == EVENTS_PATH:
            self._send_events()
        elif path == CLIENT_PATH:
            script = CLIENT.read_bytes()
            self._send_head(HTTPStatus.OK, "text/javascript; charset=utf-8", script)
            self.wfile.write(script)
        else:
            super().do_GET()

    def send_head(self) -> Any:
        """As the standard handler, but HTML pages (and 404s) get the reload script."""
        url_path = urlsplit(self.path).path
        page_path: Path | None
        try:
            target = Path(self.translate_path(self.path))
            if not target.exists() and not self.server.idle.is_set():
                # A build is swapping folders: the file is probably there again in a moment.
                self.server.idle.wait(SWAP_WAIT_SECONDS)
            if target.is_dir() and url_path.endswith("/"):
                target = target / "index.html"
            if target.is_dir() or (target.is_file() and target.suffix.lower() not in HTML_SUFFIXES):
                return super().send_head()  # a redirect to "folder/", or a file served as it is
            page_path = target
        except (OSError, ValueError):
            # No file can have this name (a NUL byte, too long for the file system): not found.
            page_path = None
        status, page = HTTPStatus.OK, _read(page_path) if page_path else None
        if page is None and page_path and self.server.idle.wait(SWAP_WAIT_SECONDS):
            page = _read(page_path)  # it went between the check and the read: a swap
        if page is None:
            status, page = HTTPStatus.NOT_FOUND, _read(self.server.output_dir / "404.html")
        body = inject_client(page or FALLBACK_404, self.server.events.build_id)
        self._send_head(status, "text/html; charset=utf-8", body)
        return io.BytesIO(body)

    def end_headers(self) -> None:
        # Every rebuild rewrites every file, sometimes within the second Last-Modified shows.
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # one line per request would bury the build messages

    def _send_head(self, status: HTTPStatus, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()

    def _send_events(self) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.end_headers()
        self.close_connection = True
        try:
            for chunk in self.server.events.stream():
                self.wfile.write(chunk)
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the tab was closed or reloaded


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except (OSError, ValueError):
        return None  # missing, a folder, or a name no file can have
