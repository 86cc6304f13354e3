"""Live-link verification of every cited URL (``briefgen check``).

Nothing here imports httpx at import time: ``briefgen build`` reads link health through
:mod:`briefgen.linkcheck.cache`, and only :mod:`briefgen.linkcheck.engine` talks to the network.
"""

from __future__ import annotations

from briefgen.linkcheck.cache import read_link_health

__all__ = ["read_link_health"]
