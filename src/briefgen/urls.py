"""Which URLs may become links on a published page.

Every place that turns a URL from content, BibTeX, configuration or the link checker's cache
into an ``href`` asks :func:`link_target` first: a brief is written by many hands, and a
``javascript:`` or ``data:`` URL in an author's front matter or an archive's answer must never
become something a reader can click.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

__all__ = ["LINK_SCHEMES", "link_target"]

LINK_SCHEMES = frozenset({"http", "https"})
"""Schemes a URL may have to be published as a link (``mailto`` only where asked for)."""

# C0 controls, DEL and C1 controls: browsers strip some of them from a URL before reading its
# scheme (``java\tscript:``), so a URL that holds any is never published as a link.
_CONTROL = re.compile(r"[\x00-\x20\x7f-\x9f]")


def link_target(url: object, *, mailto: bool = False) -> str | None:
    """Return ``url`` stripped of surrounding blanks if it may be published as a link, else None.

    It must be absolute http(s) with a host (or ``mailto:`` with an address, when ``mailto``),
    and hold no control character or space.
    """
    if not isinstance(url, str):
        return None
    url = url.strip()
    if not url or _CONTROL.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme in LINK_SCHEMES:
        return url if parts.hostname else None
    if scheme == "mailto" and mailto:
        return url if len(parts.path) > 1 and "@" in parts.path else None
    return None
