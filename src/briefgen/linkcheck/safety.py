"""What the checker refuses to fetch: cited URLs come from anyone's pull request."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

ALLOWED_SCHEMES = frozenset({"http", "https"})

# Cloud metadata services answer on these even where they are not link-local (AWS IPv6, Alibaba).
_METADATA = {
    ipaddress.ip_address("169.254.169.254"),
    ipaddress.ip_address("fd00:ec2::254"),
    ipaddress.ip_address("100.100.100.200"),
}


def scheme_refusal(url: str) -> str | None:
    """Say why ``url`` may not be fetched because of its scheme or shape, or None if it may."""
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        return f"not a valid URL ({exc})"
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        return f"scheme {parts.scheme or '(none)'!r} is not checked; only http and https are"
    if not parts.hostname:
        return "the URL has no host name"
    if parts.username or parts.password:
        # Credentials in a cited URL would be sent to the server: never do that.
        return "the URL carries a user name or password, which the checker never sends"
    return None


def address_refusal(address: str) -> str | None:
    """Say why connecting to IP ``address`` is refused by default, or None if it is public."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return f"{address!r} is not an IP address"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip in _METADATA:
        return f"{ip} is a cloud metadata address"
    if ip.is_loopback:
        return f"{ip} is a loopback address"
    if ip.is_link_local:
        return f"{ip} is a link-local address"
    if ip.is_private or ip.is_reserved or ip.is_multicast or ip.is_unspecified:
        return f"{ip} is a private or reserved address"
    if isinstance(ip, ipaddress.IPv4Address) and ip in ipaddress.ip_network("100.64.0.0/10"):
        return f"{ip} is a carrier-grade NAT (shared) address"
    return None


def is_loopback_host(host: str) -> bool:
    """Tell whether ``host`` names this machine without asking DNS (for network-down logic)."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
