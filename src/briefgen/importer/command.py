"""``briefgen import FILE``: make a brief, and its BibTeX entries, from an article's text."""

from __future__ import annotations

import argparse
import errno
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from briefgen.config import Config
from briefgen.errors import (
    BriefgenError,
    BuildFailed,
    Diagnostic,
    Diagnostics,
    Location,
    UsageError,
)
from briefgen.scaffold import check_slug, os_error

if TYPE_CHECKING:
    from briefgen.importer.compose import ComposedBrief

_MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".qmd", ".rmd")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``briefgen import`` to ``parser``."""
    parser.add_argument("file", type=Path, metavar="FILE", help="the article: .txt or .md")
    parser.add_argument("--slug", default=None, help="the brief's folder (default: from its title)")
    parser.add_argument(
        "--bibliography", type=Path, default=None, metavar="BIB",
        help="the BibTeX file to add entries to (default: the project's)",
    )  # fmt: skip
    parser.add_argument(
        "--format", choices=("auto", "text", "markdown"), default="auto",
        help="read FILE as plain text or Markdown (default: by its suffix)",
    )  # fmt: skip
    parser.add_argument(
        "--dry-run", action="store_true", help="print what would be written; write nothing"
    )


def run(args: argparse.Namespace, config: Config) -> int:
    """Import ``args.file`` as ``content/SLUG/``; exit 0 (warnings allowed) or 1 on errors."""
    from briefgen.bibliography import parse_bibliography
    from briefgen.cli import print_diagnostics
    from briefgen.importer.article import read_article
    from briefgen.importer.compose import brief_slug, compose_brief

    source: Path = args.file
    text = _read(source)
    markdown = args.format == "markdown" or (
        args.format == "auto" and source.suffix.lower() in _MARKDOWN_SUFFIXES
    )
    diagnostics = Diagnostics()
    article = read_article(text, source, diagnostics, markdown=markdown)
    if not article.scheme:
        diagnostics.error(
            "no endnote markers found; expected markers such as [i], [1] or [^1] after the "
            "words they support",
            Location(source),
        )
    elif not article.references:
        diagnostics.error(
            "no reference list found; expected numbered references at the end, such as "
            "'[1] Author (2020) Title…' or '1. Author…', under a heading like 'References'",
            Location(source),
        )
    if diagnostics.errors:
        print_diagnostics(_in_file_order(diagnostics.items))
        return 1

    slug = args.slug or brief_slug(article.title)
    check_slug(slug)
    folder = config.content_dir / slug
    shown = config.relative(folder)
    bib_path = (
        config.root / args.bibliography if args.bibliography is not None else config.bibliography
    )
    bib_shown = config.relative(bib_path)
    try:
        taken = folder.exists()
        bib_exists = bib_path.exists()
    except OSError as exc:  # a name too long for the file system, say
        where = shown if exc.filename == str(folder) else bib_shown
        raise BriefgenError(f"cannot use this path ({exc.strerror})", Location(where)) from exc
    if taken:
        raise UsageError(f"{shown} exists already; choose another name with --slug")
    bib_text = ""
    if bib_exists:
        try:
            bib_text = bib_path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else exc
            raise BriefgenError(
                f"cannot read the bibliography ({reason})", Location(bib_shown)
            ) from exc
    bib_problems = Diagnostics()
    bibliography = parse_bibliography(bib_text, bib_shown, bib_problems)
    if bib_problems.errors:
        raise BuildFailed(bib_problems.errors)
    own_bibliography = ""
    reserved: set[str] = set()
    if bib_path.resolve() != config.bibliography.resolve():
        # The brief reads its own .bib with the project's (Pandoc's ``bibliography:``): new
        # keys must not clash with the project's either.
        own_bibliography = Path(os.path.relpath(bib_path, folder)).as_posix()
        reserved = _project_keys(config)

    composed = compose_brief(
        article, bibliography, diagnostics, brief_folder=shown.as_posix(),
        own_bibliography=own_bibliography, reserved_keys=reserved,
    )  # fmt: skip
    print_diagnostics(_in_file_order(diagnostics.items))
    if args.dry_run:
        for name, content in composed.files.items():
            print(f"==> {shown / name} <==\n{content}")
        if composed.bibtex:
            print(f"==> {bib_shown} (appended) <==\n{composed.bibtex}")
    else:
        if composed.bibtex:
            _check_writable(bib_path, config.relative)
        _write(folder, composed, bib_path, bib_text, config.relative)
    for entry in composed.entries:
        if entry.reused:
            labels = ", ".join(f"[{label}]" for label in entry.labels)
            print(f"{labels}: reused the entry {entry.key!r} in {bib_shown} ({entry.reused})",
                  file=sys.stderr)  # fmt: skip
    new = sum(1 for e in composed.entries if not e.reused)
    verb = "would add" if args.dry_run else "added"
    print(
        f"{verb} {new} entr{'y' if new == 1 else 'ies'} to {bib_shown}; the brief has "
        f"{composed.notes} citation(s) and {len(article.sections)} section(s)",
        file=sys.stderr,
    )
    return 0


def _read(source: Path) -> str:
    try:
        return source.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise BriefgenError(
            "file not found; expected the article to import", Location(source)
        ) from exc
    except UnicodeDecodeError as exc:
        raise BriefgenError(
            f"file is not valid UTF-8 ({exc.reason}); save it as UTF-8 and try again",
            Location(source),
        ) from exc
    except OSError as exc:
        raise BriefgenError(f"cannot read file ({exc.strerror})", Location(source)) from exc


def _in_file_order(items: list[Diagnostic]) -> list[Diagnostic]:
    """File by file, in line order; a message about a whole file after those at its lines."""
    return sorted(
        items,
        key=lambda d: (
            (str(d.location.path), d.location.line is None, d.location.line or 0)
            if d.location
            else ("\uffff", True, 0)
        ),
    )


def _project_keys(config: Config) -> set[str]:
    """The keys of the project's bibliography (none if it cannot be read: the build says why)."""
    from briefgen.bibliography import parse_bibliography

    try:
        text = config.bibliography.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return set()
    return set(parse_bibliography(text, config.bibliography, Diagnostics()).entries)


def _check_writable(path: Path, shown: Callable[[Path], Path]) -> None:
    """Fail before anything is written if the bibliography could not be appended to."""
    try:
        if path.is_dir():
            raise BriefgenError("is a folder; expected a .bib file", Location(shown(path)))
        existing = next(p for p in (path, *path.parents) if p.exists())
        if existing != path and not existing.is_dir():
            raise OSError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(existing))
        if not os.access(existing, os.W_OK):
            raise OSError(errno.EACCES, os.strerror(errno.EACCES), str(existing))
    except OSError as exc:
        raise os_error(exc, path, shown) from exc


def _write(
    folder: Path, composed: ComposedBrief, bib_path: Path, bib_text: str,
    shown: Callable[[Path], Path],
) -> None:  # fmt: skip
    """Write the brief, then append to the bibliography; on failure, remove the brief again."""
    path = folder / "_index.md"
    try:
        folder.mkdir(parents=True)
        for name, content in composed.files.items():
            path = folder / name
            path.write_text(content, encoding="utf-8")
        if composed.bibtex:
            path = bib_path
            _append(bib_path, bib_text, composed.bibtex)
    except OSError as exc:
        shutil.rmtree(folder, ignore_errors=True)  # no half-made import
        raise os_error(exc, path, shown) from exc
    for name in composed.files:
        print(f"created {shown(folder / name)}", file=sys.stderr)


def _append(path: Path, old: str, entries: str) -> None:
    """Append to the bibliography, never rewriting what is there."""
    separator = "" if not old else "\n" if old.endswith("\n") else "\n\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as file:
        file.write(separator + entries)
