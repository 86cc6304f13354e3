"""Make projects and briefs from templates: ``briefgen init`` and ``briefgen new``."""

from __future__ import annotations

from pathlib import Path


def write_new(files: dict[Path, str]) -> tuple[list[Path], list[Path]]:
    """Write each file that does not exist yet: ``(created, kept)``. Never overwrites."""
    created, kept = [], []
    for path, text in files.items():
        if path.exists():
            kept.append(path)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        created.append(path)
    return created, kept
