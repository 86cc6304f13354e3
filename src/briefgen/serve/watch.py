"""Notice changes to a project's sources: content, bibliography, templates, styles and config.

Folders are watched with everything in them; single files (``pyproject.toml``, the bibliography,
a ``.csl`` style) through their folder, without its subfolders, because editors often save by
writing a new file and renaming it over the old one, which a watch on the file itself misses.
The output folder, its staging folders and ``.briefgen/`` are never sources.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from watchfiles import Change, DefaultFilter, watch

from briefgen.config import Config

READY_POLL_MS = 250
"""How often a watcher wakes with nothing to report: the first wake-up says it is watching."""


@dataclass(frozen=True, slots=True)
class Sources:
    """What a project is built from."""

    folders: tuple[Path, ...]
    """Folders whose every file is a source (content, templates)."""
    files: tuple[Path, ...]
    """Single files (pyproject.toml, the bibliography, a .csl style)."""
    ignored: tuple[Path, ...]
    """Folders that are never sources, even inside a source folder (the output, caches)."""

    def __contains__(self, path: object) -> bool:
        if not isinstance(path, Path) or any(_within(path, folder) for folder in self.ignored):
            return False
        return path in self.files or any(_within(path, folder) for folder in self.folders)

    def watched(self) -> tuple[tuple[Path, ...], tuple[Path, ...]]:
        """The existing folders to watch with their subfolders, and those to watch without."""
        deep = tuple(folder for folder in self.folders if folder.is_dir())
        # A missing source folder is watched for through its parent, so creating it is a change.
        parents = [f.parent for f in self.files] + [f.parent for f in self.folders if f not in deep]
        shallow = tuple(dict.fromkeys(p for p in parents if p.is_dir() and p not in deep))
        return deep, shallow


def project_sources(config: Config) -> Sources:
    """The sources of ``config``'s project."""
    files = [config.root / "pyproject.toml", config.bibliography]
    if config.style.endswith(".csl"):
        files.append((config.root / config.style).resolve())
    return Sources(
        folders=(config.content_dir, config.templates_dir),
        files=tuple(dict.fromkeys(files)),
        ignored=(config.output_dir, config.root / ".briefgen", config.cache_dir),
    )


class Watcher:
    """Calls ``on_change`` with the changed sources, from background threads, until stopped."""

    def __init__(self, sources: Sources, on_change: Callable[[set[Path]], None]) -> None:
        self.sources = sources
        self._on_change = on_change
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.watched: tuple[tuple[Path, ...], tuple[Path, ...]] = ((), ())
        """The folders watched with and without their subfolders, once started."""

    def start(self, *, timeout: float = 10.0) -> None:
        """Start watching; return once every watch is in place, so no change is missed."""
        self.watched = deep, shallow = self.sources.watched()
        ready = []
        for paths, recursive in ((deep, True), (shallow, False)):
            if paths:
                event = threading.Event()
                thread = threading.Thread(
                    target=self._watch, args=(paths, recursive, event),
                    name="briefgen-watch", daemon=True,
                )  # fmt: skip
                thread.start()
                self._threads.append(thread)
                ready.append(event)
        for event in ready:
            event.wait(timeout)

    def stop(self) -> None:
        """Stop watching and wait for the watching threads to end."""
        self._stop.set()
        for thread in self._threads:
            thread.join()
        self._threads.clear()

    def _watch(self, paths: tuple[Path, ...], recursive: bool, ready: threading.Event) -> None:
        default = DefaultFilter()

        def wanted(change: Change, path: str) -> bool:
            return default(change, path) and Path(path) in self.sources

        try:
            for changes in watch(
                *paths, watch_filter=wanted, recursive=recursive, stop_event=self._stop,
                rust_timeout=READY_POLL_MS, yield_on_timeout=True, raise_interrupt=False,
            ):  # fmt: skip
                ready.set()
                if changes:
                    self._on_change({Path(path) for _, path in changes})
        finally:
            ready.set()  # never leave start() waiting, even when a watch could not be set up


def _within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents
