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
    """Say why connecting to IP ``address`` is refused by default, or None if it is public.

    An IPv6 address that carries an IPv4 address (IPv4-mapped or -compatible, 6to4, Teredo,
    NAT64) is refused when the IPv4 address inside would be: a 6to4 or NAT64 relay delivers to
    it, and Python's own ``is_private`` tells these forms apart differently from one version to
    the next (3.11 misses 6to4 of 127.0.0.1), so the rule is spelled out here.
    """
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return f"{address[:60]!r} is not an IP address"
    if isinstance(ip, ipaddress.IPv6Address) and (carried := embedded_ipv4(ip)):
        # The IPv4 address inside decides, as it would written plainly: Python calls
        # ::ffff:8.8.8.8 private and 2002:7f00:1:: public, which is backwards for us.
        for inner, form in carried:
            if (reason := _refusal(inner)) is not None:
                return f"{ip} is {form} of {inner}, and {reason}"
        return None
    return _refusal(ip)


def embedded_ipv4(ip: ipaddress.IPv6Address) -> list[tuple[ipaddress.IPv4Address, str]]:
    """The IPv4 addresses an IPv6 address carries, each with the name of its form."""
    found: list[tuple[ipaddress.IPv4Address, str]] = []
    if ip.ipv4_mapped is not None:
        found.append((ip.ipv4_mapped, "the IPv4-mapped form"))
    if ip.sixtofour is not None:
        found.append((ip.sixtofour, "the 6to4 form"))
    if ip.teredo is not None:
        server, client = ip.teredo
        found += [(client, "a Teredo address"), (server, "a Teredo address")]
    low = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip in _NAT64:
        found.append((low, "the NAT64 form"))
    elif ip in _IPV4_COMPATIBLE and int(ip) > 1:
        found.append((low, "the IPv4-compatible form"))
    return found


def _refusal(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    if ip in _METADATA:
        return f"{ip} is a cloud metadata address"
    if ip.is_loopback:
        return f"{ip} is a loopback address"
    if ip.is_link_local:
        return f"{ip} is a link-local address"
    if ip.is_private or ip.is_reserved or ip.is_multicast or ip.is_unspecified:
        return f"{ip} is a private or reserved address"
    if isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local:
        # fec0::/10 is deprecated, but old networks still route it inside a site.
        return f"{ip} is a site-local address"
    if isinstance(ip, ipaddress.IPv4Address) and ip in _SHARED:
        return f"{ip} is a carrier-grade NAT (shared) address"
    if isinstance(ip, ipaddress.IPv6Address) and any(ip in net for net in _TUNNELS):
        # A relay prefix with no public IPv4 inside (Python 3.13 calls these private too).
        return f"{ip} is a private or reserved address"
    return None


_SHARED = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
# Local-use NAT64 (RFC 8215): where the relay delivers is not for us to know.
_TUNNELS = (ipaddress.ip_network("64:ff9b:1::/48"),)


def is_loopback_host(host: str) -> bool:
    """Tell whether ``host`` names this machine without asking DNS (for network-down logic)."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        return ip.is_loopback or any(inner.is_loopback for inner, _ in embedded_ipv4(ip))
    return ip.is_loopback
