"""briefgen: a citation-checked static site generator for policy briefs."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from briefgen.build import build_site as build_site
    from briefgen.build import load_project as load_project
    from briefgen.config import Config as Config
    from briefgen.config import load_config as load_config
    from briefgen.errors import BriefgenError as BriefgenError
    from briefgen.errors import BuildFailed as BuildFailed
    from briefgen.errors import Diagnostic as Diagnostic
    from briefgen.errors import Location as Location
    from briefgen.model import Project as Project
    from briefgen.model import ResolvedBrief as ResolvedBrief

# Public names are imported on first use, so `briefgen --help` does not load the whole pipeline.
_EXPORTS = {
    "Project": "briefgen.model",
    "ResolvedBrief": "briefgen.model",
    "build_site": "briefgen.build",
    "load_project": "briefgen.build",
    "Config": "briefgen.config",
    "load_config": "briefgen.config",
    "BriefgenError": "briefgen.errors",
    "BuildFailed": "briefgen.errors",
    "Diagnostic": "briefgen.errors",
    "Location": "briefgen.errors",
}

__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'briefgen' has no attribute {name!r}")
