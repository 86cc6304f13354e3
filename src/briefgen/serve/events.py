"""What the browser hears about builds: the latest outcome, as server-sent events.

Only the newest outcome matters to a page (reload to build N, or show these errors), so the hub
keeps one state rather than a queue: a slow client skips straight to the present.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from briefgen.errors import Diagnostic

RETRY_MS = 1000
"""How soon a browser reconnects after the stream drops (say, ``briefgen serve`` restarted)."""
KEEPALIVE_SECONDS = 15.0
"""A comment is sent this often, so a closed tab is noticed and its thread ends."""


def format_event(name: str, data: Any) -> bytes:
    """One server-sent event: ``event: name`` and ``data:`` as one line of JSON."""
    # json.dumps never emits a raw newline, which would end the data field early.
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


class BuildEvents:
    """The latest build outcome, published to every open page."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._session = os.urandom(4).hex()
        self._builds = 0
        self._version = 0
        self._closed = False
        self._diagnostics: tuple[str, ...] = ()

    @property
    def build_id(self) -> str:
        """Names the site now served; a page from another build reloads when it connects.

        Unique per run, so a page left open across a restart of ``briefgen serve`` reloads too.
        """
        with self._changed:
            return f"{self._session}-{self._builds}"

    def built(self) -> None:
        """A build succeeded: every page reloads, and any error panel goes."""
        with self._changed:
            self._builds += 1
            self._diagnostics = ()
            self._publish()

    def failed(self, diagnostics: Sequence[Diagnostic | str]) -> None:
        """A build failed: every page shows these problems over the last good site."""
        with self._changed:
            self._diagnostics = tuple(d if isinstance(d, str) else d.format() for d in diagnostics)
            self._publish()

    def close(self) -> None:
        """End every stream (the server is stopping)."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def current(self) -> bytes:
        """The event that describes the present state."""
        with self._changed:
            build = f"{self._session}-{self._builds}"
            if self._diagnostics:
                return format_event("error", {"build": build, "diagnostics": self._diagnostics})
            return format_event("reload", {"build": build})

    def stream(self, *, keepalive: float = KEEPALIVE_SECONDS) -> Iterator[bytes]:
        """The bytes of one page's event stream: the present state, then each change."""
        yield f"retry: {RETRY_MS}\n\n".encode()
        seen = -1

        def news() -> bool:
            return self._closed or self._version != seen

        while True:
            with self._changed:
                changed = self._changed.wait_for(news, timeout=keepalive)
                if self._closed:
                    return
                if changed:
                    seen = self._version
                chunk = self.current() if changed else b": keep-alive\n\n"
            yield chunk

    def _publish(self) -> None:
        self._version += 1
        self._changed.notify_all()
