"""Verdicts kept between runs in SQLite: CI re-checks only what is stale; the site shows dates.

This module must not import httpx: ``briefgen build`` reads link health through it.
SQLite's journal makes every write atomic, so a run killed at any moment leaves the cache whole.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing, contextmanager, suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path

from briefgen.linkcheck.verdict import Hop, LinkResult, Verdict
from briefgen.urls import link_target

CACHE_FILE = "links.sqlite3"
SCHEMA_VERSION = 1
# Only live verdicts are served from the cache; a failure is always checked again.
SERVABLE = (Verdict.OK, Verdict.REDIRECTED)
_COLUMNS = (
    "url, verdict, reason, status_code, final_url, redirects, checked_at, last_ok_at,"
    " archive_url, archive_timestamp"
)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS links (
    url TEXT PRIMARY KEY,
    verdict TEXT NOT NULL,
    reason TEXT NOT NULL,
    status_code INTEGER,
    final_url TEXT,
    redirects TEXT NOT NULL DEFAULT '[]',
    checked_at TEXT NOT NULL,
    last_ok_at TEXT,
    archive_url TEXT,
    archive_timestamp TEXT
)
"""


# How long a write waits for another process's lock before the cache is given up for the run.
# Writes run on a thread of their own, so this never holds up a request.
LOCK_TIMEOUT = 2.0
# A clock a little ahead (another CI runner's) is tolerated; a verdict dated later is not trusted.
_CLOCK_SKEW = timedelta(minutes=5)
# What a damaged, locked, read-only or missing cache raises; the cache is advisory, so each is a
# warning and the run goes on without it.
CACHE_ERRORS = (sqlite3.Error, OSError)


def read_link_health(cache_dir: Path) -> dict[str, LinkResult]:
    """Read every cached verdict, keyed by URL; a missing or unreadable cache gives none."""
    path = cache_dir / CACHE_FILE
    try:
        if not path.is_file():
            return {}
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=LOCK_TIMEOUT)) as db:
            rows = db.execute(f"SELECT {_COLUMNS} FROM links").fetchall()
    except CACHE_ERRORS:
        # A cache from a future version, a damaged, locked or unreadable file: the site shows
        # no link health rather than failing; the next `briefgen check` says what is wrong.
        return {}
    results = {}
    for row in rows:
        if (result := _result_or_none(row)) is not None:
            results[result.url] = result
    return results


class LinkCache:
    """Read and write cached verdicts; open it with :meth:`open` in a ``with`` block.

    The cache is advisory: when it cannot be opened, read or written (damaged, truncated,
    locked by another process, read-only), ``warn`` is told once and the run goes on without
    it. A verdict is never changed because of the cache.
    """

    def __init__(
        self, db: sqlite3.Connection | None, path: Path, warn: Callable[[str], None]
    ) -> None:
        self._db = db
        self._path = path
        self._warn = warn

    @classmethod
    @contextmanager
    def open(
        cls,
        cache_dir: Path,
        *,
        warn: Callable[[str], None] = lambda _message: None,
        shown: Path | None = None,
    ) -> Iterator[LinkCache]:
        """Open (creating if needed) the cache in ``cache_dir``; a broken one is not used.

        ``shown`` is the cache file as warnings name it (relative to the project).
        """
        path = cache_dir / CACHE_FILE
        db: sqlite3.Connection | None = None
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
            # Written from the run's writer thread and read before and after it, never at once.
            db = sqlite3.connect(path, timeout=LOCK_TIMEOUT, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL mode may lose the last commits on power loss but never corrupts.
            db.execute("PRAGMA synchronous=NORMAL")
            # Only write when there is something to create: a cache another run is writing
            # to can still be read while that run holds the lock.
            if db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
                db.execute(_SCHEMA)
                db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
                db.commit()
        except CACHE_ERRORS as exc:
            if db is not None:
                db.close()
            db = None
            warn(_unusable(shown or path, exc))
        cache = cls(db, shown or path, warn)
        try:
            yield cache
        finally:
            cache.close()

    def close(self) -> None:
        """Close the database (the last connection out removes SQLite's side files)."""
        if self._db is not None:
            db, self._db = self._db, None
            with suppress(*CACHE_ERRORS):
                db.close()

    def give_up(self, exc: BaseException) -> None:
        """Warn once and use the cache no more this run."""
        self._warn(_unusable(self._path, exc))
        self.close()

    def lookup(self, urls: Iterable[str], *, max_age: float | None) -> dict[str, LinkResult]:
        """Cached results for ``urls``; with ``max_age``, only fresh live ones (for a run)."""
        found: dict[str, LinkResult] = {}
        cutoff = datetime.now(UTC) - timedelta(seconds=max_age) if max_age is not None else None
        for url in urls:
            if self._db is None:
                break
            try:
                row = self._db.execute(
                    f"SELECT {_COLUMNS} FROM links WHERE url = ?", (url,)
                ).fetchone()
            except CACHE_ERRORS as exc:
                self.give_up(exc)
                return {}
            result = _result_or_none(row) if row is not None else None
            if result is None:
                continue  # no row, or a damaged one: check the URL again
            if cutoff is not None and (
                result.verdict not in SERVABLE
                or result.checked_at is None
                or result.checked_at < cutoff
            ):
                continue
            found[url] = result
        return found

    def store(self, results: Iterable[LinkResult]) -> None:
        """Record fresh verdicts in one transaction, keeping each URL's last live date."""
        if self._db is None:
            return
        rows = []
        for r in results:
            if r.from_cache or r.checked_at is None:
                continue
            if r.verdict in (Verdict.UNCHECKED, Verdict.SKIPPED):
                continue
            live = r.verdict in SERVABLE
            rows.append(
                (
                    r.url,
                    r.verdict.value,
                    r.reason,
                    r.status_code,
                    r.final_url,
                    json.dumps([[h.url, h.status_code] for h in r.redirects]),
                    r.checked_at.isoformat(),
                    r.checked_at.isoformat() if live else None,
                )
            )
        try:
            self._write(rows)
        except CACHE_ERRORS as exc:
            self.give_up(exc)

    def _write(self, rows: Sequence[tuple[object, ...]]) -> None:
        assert self._db is not None
        with self._db:
            self._db.executemany(
                """INSERT INTO links (url, verdict, reason, status_code, final_url, redirects,
                                      checked_at, last_ok_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT(url) DO UPDATE SET
                     verdict = excluded.verdict, reason = excluded.reason,
                     status_code = excluded.status_code, final_url = excluded.final_url,
                     redirects = excluded.redirects, checked_at = excluded.checked_at,
                     last_ok_at = COALESCE(excluded.last_ok_at, links.last_ok_at)""",
                rows,
            )

    def store_archive(self, url: str, archive_url: str | None, timestamp: datetime | None) -> None:
        """Record the archived copy found for ``url`` (None when the archive has none)."""
        if self._db is None:
            return
        try:
            with self._db:
                self._db.execute(
                    "UPDATE links SET archive_url = ?, archive_timestamp = ? WHERE url = ?",
                    (link_target(archive_url), timestamp.isoformat() if timestamp else None, url),
                )
        except CACHE_ERRORS as exc:
            self.give_up(exc)


def _unusable(path: Path, exc: BaseException) -> str:
    """The warning for a cache that cannot be used, naming the file and SQLite's reason."""
    if isinstance(exc, OSError) and exc.strerror:
        reason = exc.strerror  # str(exc) would repeat the absolute path
    else:
        reason = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
    return f"{path}: warning: link cache not used ({reason}); checking without it"


def _result_or_none(row: tuple[object, ...]) -> LinkResult | None:
    """The result a row holds, or None when the row is damaged (one bad row is skipped)."""
    try:
        return _result_from_row(row)
    except (ValueError, TypeError, OverflowError, KeyError, IndexError, RecursionError):
        return None


def _result_from_row(row: tuple[object, ...]) -> LinkResult:
    checked_at = _parse(row[6])
    if checked_at is None:
        raise ValueError("a verdict without its date")  # every row is stored with one
    redirects = json.loads(str(row[5]))
    return LinkResult(
        url=str(row[0]),
        verdict=Verdict(str(row[1])),
        reason=str(row[2]),
        status_code=row[3] if isinstance(row[3], int) else None,
        final_url=row[4] if isinstance(row[4], str) else None,
        redirects=tuple(Hop(str(u), int(s)) for u, s in redirects),
        checked_at=checked_at,
        from_cache=True,
        last_ok_at=_parse(row[7]),
        # The archive's answer was vetted when stored, but the file is anyone's to edit.
        archive_url=link_target(row[8]),
        archive_timestamp=_parse(row[9]),
    )


def _parse(value: object) -> datetime | None:
    """Read a stored date as UTC; a date in the future is not trusted (ValueError)."""
    if not isinstance(value, str) or not value:
        return None
    parsed = datetime.fromisoformat(value)
    parsed = parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    if parsed > datetime.now(UTC) + _CLOCK_SKEW:
        # A verdict "from the future" would be served as fresh forever.
        raise ValueError(f"date {value[:40]!r} is in the future")
    return parsed
