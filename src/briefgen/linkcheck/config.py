"""Settings of ``briefgen check`` from ``[tool.briefgen.check]``, validated, with defaults."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from briefgen.errors import ConfigError, Location

DEFAULT_USER_AGENT = (
    "briefgen-linkcheck/0.1 (citation checker; +https://pypi.org/project/briefgen/)"
)
DEFAULT_ARCHIVE_ENDPOINT = "https://archive.org/wayback/available"
_WHERE = Location(Path("pyproject.toml"))
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*$")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}


@dataclass(frozen=True, slots=True)
class HostOverride:
    """Politeness settings for one host, replacing the global ones."""

    concurrency: int | None = None
    """Requests in flight at once to this host."""
    interval: float | None = None
    """Minimum seconds between the starts of two requests to this host."""
    headers: Mapping[str, str] = field(default_factory=dict)
    """Extra request headers sent to this host only (e.g. an API key for an intranet)."""


@dataclass(frozen=True, slots=True)
class CheckConfig:
    """Everything the link checker needs to know, with polite defaults (lychee's)."""

    exclude: tuple[re.Pattern[str], ...] = ()
    """URLs matching any of these regular expressions are ``skipped``."""
    accept: frozenset[int] = frozenset(range(200, 300))
    """Final status codes that count as live."""
    max_concurrency: int = 128
    """Requests in flight at once, over all hosts."""
    host_concurrency: int = 10
    """Requests in flight at once to one host."""
    host_interval: float = 0.05
    """Minimum seconds between the starts of two requests to one host."""
    hosts: Mapping[str, HostOverride] = field(default_factory=dict)
    """Per-host overrides, keyed by lower-case host name."""
    connect_timeout: float = 10.0
    """Seconds to wait for a TCP (and TLS) connection."""
    timeout: float = 20.0
    """Seconds to wait for a response's headers, and between body chunks."""
    url_deadline: float = 120.0
    """Seconds one URL may take, retries and redirects included (not the wait between passes)."""
    deadline: float = 900.0
    """Seconds the whole run may take; URLs left without a verdict are reported unchecked."""
    retries: int = 3
    """Retries of one URL after a transient failure (timeout, reset, 408, 429, 502–504)."""
    retry_budget: int | None = None
    """Retries the whole run may make; None: a tenth of its URLs, and at least 20."""
    retry_backoff: float = 1.0
    """First retry delay in seconds; doubled each time, with jitter, at most 8 s."""
    retry_after_cap: float = 60.0
    """Longest ``Retry-After`` honoured, in seconds; a longer one is capped."""
    max_redirects: int = 10
    """Redirect hops followed before the link is called broken."""
    method: str = "get"
    """``get`` (read at most ``max_body_bytes``), or ``head`` first with GET where it fails.

    GET is the default, as in lychee: many servers mishandle HEAD, and a dead page answers a
    HEAD with a 404 that only a GET can confirm, so HEAD first costs most failures a second
    request; a GET that stops reading after 16 KB costs a server little more than a HEAD."""
    max_body_bytes: int = 16384
    """Bytes of a GET response body read at most (a 20 MB PDF is never downloaded)."""
    max_age: float = 86400.0
    """Seconds a live verdict is served from the cache before it is checked again."""
    user_agent: str = DEFAULT_USER_AGENT
    """How the checker identifies itself to servers."""
    headers: Mapping[str, str] = field(default_factory=dict)
    """Extra request headers sent to every host."""
    allow_private: bool = False
    """Check URLs whose host resolves to a private, loopback or link-local address."""
    ca_bundle: Path | None = None
    """A PEM file of extra trusted certificate authorities (an intranet's, or a test CA)."""
    archive_endpoint: str = DEFAULT_ARCHIVE_ENDPOINT
    """Wayback Machine availability API used by ``--archive``."""

    def for_host(self, host: str) -> tuple[int, float, Mapping[str, str]]:
        """Return the concurrency, interval and extra headers that apply to ``host``."""
        override = self.hosts.get(host.lower())
        if override is None:
            return self.host_concurrency, self.host_interval, self.headers
        return (
            override.concurrency or self.host_concurrency,
            self.host_interval if override.interval is None else override.interval,
            {**self.headers, **override.headers},
        )

    def with_overrides(self, **changes: Any) -> CheckConfig:
        """Return a copy with some settings replaced (command-line options win over config)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def parse_duration(value: object, key: str) -> float:
    """Read a duration given as seconds (number) or a string like ``"50ms"``, ``"1d"``."""
    if isinstance(value, bool):
        raise _error(key, value, "a duration such as 30, '500ms', '12h' or '1d'")
    if isinstance(value, int | float):
        if value < 0:
            raise _error(key, value, "a duration that is not negative")
        return float(value)
    if isinstance(value, str) and (match := _DURATION.match(value)):
        return float(match.group(1)) * _UNIT_SECONDS[match.group(2) or "s"]
    raise _error(key, value, "a duration such as 30, '500ms', '12h' or '1d'")


def load_check_config(table: Mapping[str, Any], *, root: Path) -> CheckConfig:
    """Validate a raw ``[tool.briefgen.check]`` table into a :class:`CheckConfig`."""
    values: dict[str, Any] = {}
    for raw_key, value in table.items():
        key = raw_key.replace("-", "_")
        parser = _PARSERS.get(key)
        if parser is None:
            raise ConfigError(
                f"unknown setting {raw_key!r} in [tool.briefgen.check]; expected one of "
                + ", ".join(sorted(_PARSERS)),
                _WHERE,
            )
        values[_FIELD_OF.get(key, key)] = parser(value, raw_key, root)
    return CheckConfig(**values)


def _error(key: str, value: object, expected: str) -> ConfigError:
    return ConfigError(
        f"[tool.briefgen.check] {key} = {value!r} is invalid; expected {expected}", _WHERE
    )


def _positive_int(value: object, key: str, _root: Path) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _error(key, value, "a whole number of at least 1")
    return value


def _count(value: object, key: str, _root: Path) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _error(key, value, "a whole number of at least 0")
    return value


def _duration(value: object, key: str, _root: Path) -> float:
    return parse_duration(value, key)


def _string(value: object, key: str, _root: Path) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _error(key, value, "a non-empty string")
    return value


def _method(value: object, key: str, _root: Path) -> str:
    if not isinstance(value, str) or value.lower() not in ("get", "head"):
        raise _error(key, value, "'get' or 'head'")
    return value.lower()


def _boolean(value: object, key: str, _root: Path) -> bool:
    if not isinstance(value, bool):
        raise _error(key, value, "true or false")
    return value


def _path(value: object, key: str, root: Path) -> Path:
    if not isinstance(value, str):
        raise _error(key, value, "a path string")
    return (root / value).resolve()


def _headers(value: object, key: str, _root: Path) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise _error(key, value, "a table of header names to string values")
    return dict(value)


def _patterns(value: object, key: str, _root: Path) -> tuple[re.Pattern[str], ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _error(key, value, "a list of regular expressions")
    compiled = []
    for pattern in value:
        try:
            compiled.append(re.compile(pattern))
        except re.error as exc:
            raise _error(key, pattern, f"a valid regular expression ({exc})") from exc
    return tuple(compiled)


def _status_codes(value: object, key: str, _root: Path) -> frozenset[int]:
    """Accept codes as numbers or ranges such as ``"200..=299"`` (lychee's syntax)."""
    if not isinstance(value, list):
        raise _error(key, value, "a list of status codes such as [200, 204, '300..=399']")
    codes: set[int] = set()
    for item in value:
        if isinstance(item, int) and not isinstance(item, bool) and 100 <= item <= 999:
            codes.add(item)
            continue
        match = (
            re.fullmatch(r"\s*(\d{3})\s*\.\.(=?)\s*(\d{3})\s*", item)
            if isinstance(item, str)
            else None
        )
        if match is None:
            raise _error(key, item, "a status code (100-999) or a range such as '200..=299'")
        start, inclusive, end = int(match.group(1)), match.group(2), int(match.group(3))
        codes.update(range(start, end + (1 if inclusive else 0)))
    return frozenset(codes)


def _host_overrides(value: object, key: str, root: Path) -> dict[str, HostOverride]:
    if not isinstance(value, dict):
        raise _error(key, value, "a table of host names to tables")
    hosts: dict[str, HostOverride] = {}
    for host, settings in value.items():
        if not isinstance(settings, dict):
            raise _error(f"{key}.{host}", settings, "a table with concurrency, interval, headers")
        unknown = set(settings) - {"concurrency", "interval", "headers"}
        if unknown:
            raise _error(f"{key}.{host}", sorted(unknown), "only concurrency, interval, headers")
        hosts[host.lower()] = HostOverride(
            concurrency=_positive_int(settings["concurrency"], f"{key}.{host}.concurrency", root)
            if "concurrency" in settings
            else None,
            interval=parse_duration(settings["interval"], f"{key}.{host}.interval")
            if "interval" in settings
            else None,
            headers=_headers(settings.get("headers", {}), f"{key}.{host}.headers", root),
        )
    return hosts


_PARSERS = {
    "exclude": _patterns,
    "accept": _status_codes,
    "max_concurrency": _positive_int,
    "host_concurrency": _positive_int,
    "host_interval": _duration,
    "hosts": _host_overrides,
    "connect_timeout": _duration,
    "timeout": _duration,
    "url_deadline": _duration,
    "deadline": _duration,
    "retries": _count,
    "retry_budget": _count,
    "retry_backoff": _duration,
    "retry_after_cap": _duration,
    "max_redirects": _count,
    "max_body_bytes": _count,
    "method": _method,
    "max_age": _duration,
    "user_agent": _string,
    "headers": _headers,
    "allow_private": _boolean,
    "ca_bundle": _path,
    "archive_endpoint": _string,
}
_FIELD_OF: dict[str, str] = {}
