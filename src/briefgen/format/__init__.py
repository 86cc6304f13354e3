"""Format resolved citations in a CSL style: BibTeX → CSL-JSON, the citeproc adapter, notes."""

from __future__ import annotations

from briefgen.format.engine import format_references, load_style, style_names

__all__ = ["format_references", "load_style", "style_names"]
