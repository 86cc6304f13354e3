"""Make projects and briefs from templates: ``briefgen init`` and ``briefgen new``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from briefgen.errors import BriefgenError, Location, UsageError

MAX_SLUG = 80
"""Longest brief name: it is a folder and a URL, and file systems limit a name's length."""


def check_slug(slug: str) -> None:
    """Raise a :class:`UsageError` unless ``slug`` can name a brief's folder and URL."""
    from briefgen.content import SITE_FOLDERS, SLUG

    if not SLUG.match(slug):
        raise UsageError(
            f"brief name {slug!r} must be lower-case letters, digits and hyphens (e.g. heat-2025)"
        )
    if len(slug) > MAX_SLUG:
        raise UsageError(
            f"brief name {slug[:24] + '…'!r} has {len(slug)} characters; "
            f"expected at most {MAX_SLUG}"
        )
    if slug in SITE_FOLDERS:
        raise UsageError(
            f"brief name {slug!r} is a folder of the site itself "
            f"({', '.join(sorted(SITE_FOLDERS))}); choose another"
        )


def _shown(path: Path) -> Path:
    return path


def os_error(exc: OSError, path: Path, shown: Callable[[Path], Path] = _shown) -> BriefgenError:
    """``exc``, met writing ``path``, as a one-line error at the file or folder it is about.

    ``shown`` turns a path into the form messages use (relative to the project, say).
    """
    where = Path(exc.filename) if isinstance(exc.filename, str) else path
    blocker = _file_in_the_way(where, path)
    if blocker is not None:
        return BriefgenError(
            f"exists and is not a folder, so {shown(path)} cannot be written; "
            "move it or choose another place",
            Location(shown(blocker)),
        )
    what = "file" if where == path else "folder"
    reason = exc.strerror or str(exc)
    return BriefgenError(f"cannot write this {what} ({reason})", Location(shown(where)))


def _file_in_the_way(where: Path, path: Path) -> Path | None:
    """The file, at or above ``where``, that stands where a folder for ``path`` must go."""
    for candidate in (where, *where.parents):
        try:
            if candidate.exists():
                return None if candidate.is_dir() or candidate == path else candidate
        except (OSError, ValueError):
            return None
    return None


def write_new(
    files: dict[Path, str], shown: Callable[[Path], Path] = _shown
) -> tuple[list[Path], list[Path]]:
    """Write each file that does not exist yet: ``(created, kept)``. Never overwrites.

    A file that cannot be written is a :class:`BriefgenError` naming it (or the folder at fault).
    """
    created, kept = [], []
    for path, text in files.items():
        try:
            if path.exists():
                kept.append(path)
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise os_error(exc, path, shown) from exc
        created.append(path)
    return created, kept
