"""Archived copies of broken URLs, from the Wayback Machine availability API."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from briefgen.linkcheck.client import NoCookieJar
from briefgen.linkcheck.config import CheckConfig
from briefgen.urls import link_target


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The archived copy closest to now of one URL."""

    url: str
    """Where to read the copy."""
    timestamp: datetime | None
    """When it was archived."""


async def find_snapshots(urls: Iterable[str], config: CheckConfig) -> dict[str, Snapshot | None]:
    """Ask the availability API about each URL; None where no copy exists or the API failed."""
    found: dict[str, Snapshot | None] = {}
    # The endpoint is the project's own configuration, not a cited URL, so it is not vetted
    # against private addresses (tests and mirrors run it locally); still no cookies or env.
    async with httpx.AsyncClient(
        headers={"User-Agent": config.user_agent},
        timeout=httpx.Timeout(config.timeout, connect=config.connect_timeout),
        trust_env=False,
        cookies=NoCookieJar(),
    ) as client:
        # The API is one shared service: ask it one URL at a time, politely.
        limit = asyncio.Semaphore(min(4, config.host_concurrency))

        async def one(url: str) -> None:
            async with limit:
                found[url] = await _lookup(client, config.archive_endpoint, url)

        await asyncio.gather(*(one(url) for url in dict.fromkeys(urls)))
    return found


async def _lookup(client: httpx.AsyncClient, endpoint: str, url: str) -> Snapshot | None:
    try:
        response = await client.get(endpoint, params={"url": url})
        response.raise_for_status()
        closest = response.json().get("archived_snapshots", {}).get("closest") or {}
    except (httpx.HTTPError, ValueError, AttributeError):
        return None
    if not isinstance(closest, dict) or not closest.get("available", True):
        return None
    # The answer is published as the "archived copy" link: a javascript: or data: URL from a
    # compromised or spoofed endpoint must never become one.
    copy = link_target(closest.get("url"))
    if copy is None:
        return None
    return Snapshot(copy, parse_wayback_timestamp(closest.get("timestamp")))


def parse_wayback_timestamp(value: object) -> datetime | None:
    """Read a Wayback timestamp such as ``20240131120000`` (UTC)."""
    if not isinstance(value, str) or not value.isdigit() or len(value) < 8:
        return None
    try:
        return datetime.strptime(value[:14].ljust(14, "0"), "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return None
