"""Verdicts kept between runs in SQLite: CI re-checks only what is stale; the site shows dates.

This module must not import httpx: ``briefgen build`` reads link health through it.
SQLite's journal makes every write atomic, so a run killed at any moment leaves the cache whole.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from briefgen.linkcheck.verdict import Hop, LinkResult, Verdict

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


def read_link_health(cache_dir: Path) -> dict[str, LinkResult]:
    """Read every cached verdict, keyed by URL; a missing or unreadable cache gives none."""
    path = cache_dir / CACHE_FILE
    if not path.is_file():
        return {}
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        try:
            rows = db.execute(f"SELECT {_COLUMNS} FROM links").fetchall()
        except sqlite3.DatabaseError:
            # A cache from a future version or a damaged file: show no health rather than fail.
            return {}
    results = {}
    for row in rows:
        try:
            results[str(row[0])] = _result_from_row(row)
        except (ValueError, TypeError):
            continue  # one damaged row (a bad date, an unknown verdict) is not shown
    return results


class LinkCache:
    """Read and write cached verdicts; open it with :meth:`open` in a ``with`` block."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    @classmethod
    @contextmanager
    def open(cls, cache_dir: Path) -> Iterator[LinkCache]:
        """Open (creating if needed) the cache in ``cache_dir``."""
        cache_dir.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(cache_dir / CACHE_FILE, timeout=10.0)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL mode may lose the last commits on power loss but never corrupts.
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(_SCHEMA)
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            db.commit()
            yield cls(db)
        finally:
            db.close()

    def lookup(self, urls: Iterable[str], *, max_age: float | None) -> dict[str, LinkResult]:
        """Cached results for ``urls``; with ``max_age``, only fresh live ones (for a run)."""
        found: dict[str, LinkResult] = {}
        cutoff = datetime.now(UTC) - timedelta(seconds=max_age) if max_age is not None else None
        for url in urls:
            row = self._db.execute(f"SELECT {_COLUMNS} FROM links WHERE url = ?", (url,)).fetchone()
            if row is None:
                continue
            result = _result_from_row(row)
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
        with self._db:
            self._db.execute(
                "UPDATE links SET archive_url = ?, archive_timestamp = ? WHERE url = ?",
                (archive_url, timestamp.isoformat() if timestamp else None, url),
            )


def _result_from_row(row: tuple[object, ...]) -> LinkResult:
    redirects = json.loads(str(row[5]))
    return LinkResult(
        url=str(row[0]),
        verdict=Verdict(str(row[1])),
        reason=str(row[2]),
        status_code=row[3] if isinstance(row[3], int) else None,
        final_url=row[4] if isinstance(row[4], str) else None,
        redirects=tuple(Hop(u, s) for u, s in redirects),
        checked_at=_parse(row[6]),
        from_cache=True,
        last_ok_at=_parse(row[7]),
        archive_url=row[8] if isinstance(row[8], str) else None,
        archive_timestamp=_parse(row[9]),
    )


def _parse(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
