"""Build a project, serve it, and rebuild it in a worker thread whenever a source changes.

A failed build changes nothing on disk (``build_site`` swaps folders only on success), so the
last good site goes on being served while the error shows in the terminal and in every page.
"""

from __future__ import annotations

import queue
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path

from briefgen.build import build_site
from briefgen.build_command import os_error, relative_to_project
from briefgen.config import Config, load_config
from briefgen.errors import BriefgenError, Diagnostic, UsageError
from briefgen.serve.events import BuildEvents
from briefgen.serve.server import SiteServer
from briefgen.serve.watch import Watcher, project_sources

QUIET_SECONDS = 0.1
"""A rebuild waits until sources have been quiet this long, so one save is one build."""


def log_to_stderr(line: str) -> None:
    """Print one line of the terminal log, with the time."""
    print(f"{time.strftime('%H:%M:%S')} {line}", file=sys.stderr, flush=True)


class LiveSite:
    """A project's site, served on ``host:port`` and rebuilt when its sources change."""

    def __init__(
        self,
        config: Config,
        *,
        host: str = "127.0.0.1",
        port: int = 8000,
        strict: bool = False,
        log: Callable[[str], None] = log_to_stderr,
    ) -> None:
        self.config = config
        self.strict = strict
        self.log = log
        self.events = BuildEvents()
        try:
            self.server = SiteServer(host, port, config.output_dir, self.events)
        except OSError as exc:
            raise UsageError(
                f"cannot serve on {host}:{port} ({exc.strerror or exc}); choose another --port, "
                "or --port 0 for any free one"
            ) from exc
        self._changes: queue.SimpleQueue[set[Path]] = queue.SimpleQueue()
        self._stop = threading.Event()
        self._watcher: Watcher | None = None
        self._worker: threading.Thread | None = None
        self._serving: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Where the site is served, ending in ``/``."""
        return self.server.url

    def build(self) -> bool:
        """Build once; report the outcome to the terminal and to every open page."""
        started = time.perf_counter()
        self.server.idle.clear()
        try:
            project = build_site(self.config, strict=self.strict)
        except BriefgenError as exc:
            self._failed(relative_to_project(exc, self.config).diagnostics)
            return False
        except OSError as exc:  # a file the build could not read or write, as `build` says
            self._failed(relative_to_project(os_error(exc, self.config), self.config).diagnostics)
            return False
        except Exception as exc:  # a bug in briefgen: keep serving, and say where to look
            traceback.print_exc()
            self._failed([Diagnostic(f"internal error: {exc!r}; see the terminal")])
            return False
        finally:
            self.server.idle.set()
        for warning in project.warnings:
            self.log(warning.format())
        elapsed = time.perf_counter() - started
        self.log(f"built {len(project.briefs)} brief(s) in {elapsed:.2f} s")
        self.events.built()
        return True

    def watch(self) -> None:
        """Start watching the sources and rebuilding on changes, in background threads."""
        self._watcher = Watcher(project_sources(self.config), self._changes.put)
        self._watcher.start()
        self._worker = threading.Thread(target=self._rebuild_on_changes, name="briefgen-rebuild")
        self._worker.start()

    def serve_forever(self) -> None:
        """Serve until interrupted (in the calling thread)."""
        self.server.serve_forever()

    def serve_in_thread(self) -> None:
        """Serve from a background thread (for tests and embedding); :meth:`close` stops it."""
        self._serving = threading.Thread(target=self.server.serve_forever, name="briefgen-serve")
        self._serving.start()

    def close(self) -> None:
        """Stop watching, let a running build finish (never half a site), stop serving."""
        self._stop.set()
        if self._watcher is not None:
            self._watcher.stop()
        if self._worker is not None:
            self._worker.join()
        if self._serving is not None:
            self.server.shutdown()
            self._serving.join()
        self.server.server_close()

    def _rebuild_on_changes(self) -> None:
        while not self._stop.is_set():
            try:
                changed = self._changes.get(timeout=0.5)
            except queue.Empty:
                continue
            while True:  # gather the rest of this save
                try:
                    changed |= self._changes.get(timeout=QUIET_SECONDS)
                except queue.Empty:
                    break
            if not self._stop.is_set():
                self.rebuild(changed)

    def rebuild(self, changed: Iterable[Path]) -> bool:
        """Rebuild after ``changed`` sources changed; re-read the config if it is among them."""
        changed = sorted(changed)
        shown = ", ".join(str(self.config.relative(path)) for path in changed[:3])
        self.log(f"changed: {shown}{' …' if len(changed) > 3 else ''}")
        if self.config.root / "pyproject.toml" in changed:
            try:
                config = load_config(self.config.root)
            except BriefgenError as exc:
                self._failed(exc.diagnostics)
                return False
            if config != self.config:
                self.config = config
                self.server.output_dir = config.output_dir
        sources = project_sources(self.config)
        # A new config, or a source folder created since: watch what there is now.
        if self._watcher is not None and (
            sources != self._watcher.sources or sources.watched() != self._watcher.watched
        ):
            self._watcher.stop()
            self._watcher = Watcher(sources, self._changes.put)
            self._watcher.start()
        return self.build()

    def _failed(self, diagnostics: list[Diagnostic]) -> None:
        for diagnostic in diagnostics:
            self.log(diagnostic.format())
        self.log("build failed; still serving the last good site")
        self.events.failed(diagnostics)
