"""Verdicts: what one URL's check found, and how an HTTP answer or a failure maps to one."""

from __future__ import annotations

from collections.abc import Mapping

from briefgen.model import FailureKind, Hop, LinkResult, Verdict

__all__ = ["FailureKind", "Hop", "LinkResult", "Verdict", "classify_status"]


# Failures that say nothing about the remote site and may say the network itself is down.
UNREACHABLE = frozenset({FailureKind.DNS, FailureKind.CONNECT, FailureKind.CONNECT_TIMEOUT})
RETRYABLE = frozenset(
    {FailureKind.CONNECT, FailureKind.CONNECT_TIMEOUT, FailureKind.TIMEOUT, FailureKind.RESET}
)
# Failures whose every try costs a whole timeout: retried once at most.
SLOW_FAILURES = frozenset({FailureKind.CONNECT_TIMEOUT, FailureKind.TIMEOUT})
PERMANENT_REDIRECTS = frozenset({301, 308})
REDIRECTS = frozenset({301, 302, 303, 307, 308})
# Headers by which bot-protection services mark a challenge rather than a missing page.
BOT_PROTECTION_HEADERS = ("cf-mitigated", "x-datadome", "x-amzn-waf-action", "x-sucuri-block")


def is_bot_protected(status: int, headers: Mapping[str, str]) -> str | None:
    """Name the bot-protection sign in a 403/503 answer, or None if there is none."""
    lowered = {k.lower(): v for k, v in headers.items()}
    for name in BOT_PROTECTION_HEADERS:
        if name in lowered:
            return f"{name}: {lowered[name]}" if lowered[name] else name
    if status in (403, 503) and "cf-ray" in lowered and "cloudflare" in lowered.get("server", ""):
        return "Cloudflare challenge"
    return None


def classify_status(
    status: int, headers: Mapping[str, str], accept: frozenset[int]
) -> tuple[Verdict, str]:
    """Map a final HTTP status (after redirects and retries) to a verdict and its reason."""
    if status in accept:
        return Verdict.OK, f"live ({status})"
    sign = is_bot_protected(status, headers)
    if sign is not None:
        return Verdict.BLOCKED, f"bot protection answered {status} ({sign}); cannot verify"
    if status == 404:
        return Verdict.BROKEN, "not found (404)"
    if status == 410:
        return Verdict.BROKEN, "gone (410): the page was removed"
    if status == 401:
        return Verdict.BLOCKED, "requires a login (401); cannot verify"
    if status == 403:
        return Verdict.BLOCKED, "access forbidden (403); the site refuses automated checks"
    if status == 429:
        return Verdict.BLOCKED, "rate limited (429); cannot verify"
    if status == 451:
        return Verdict.BLOCKED, "unavailable for legal reasons (451) from here"
    if status == 999:
        return Verdict.BLOCKED, "the site refuses robots (999); cannot verify"
    if status >= 500:
        return Verdict.BROKEN, f"server error ({status})"
    if status in REDIRECTS:
        return Verdict.BROKEN, f"redirect ({status}) without a Location header"
    return Verdict.BROKEN, f"unexpected status {status}"


def needs_get_fallback(status: int, accept: frozenset[int]) -> bool:
    """Tell whether a HEAD answer should be confirmed with GET (servers often mishandle HEAD)."""
    # 429 is retried as is: the server handled HEAD fine, it only wants us to slow down.
    return status not in accept and status not in REDIRECTS and status != 429


# Statuses that say "not now" rather than "no": a proxy or gateway failed, the server is
# overloaded or rate-limits us. A 500 is the page's own error and is reported at once.
TRANSIENT_STATUSES = frozenset({408, 429, 502, 503, 504})


def retryable_status(status: int) -> bool:
    """Tell whether a status is worth retrying after a pause."""
    return status in TRANSIENT_STATUSES
