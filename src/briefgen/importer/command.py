"""``briefgen import FILE``: make a brief, and its BibTeX entries, from an article's text."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from briefgen.config import Config
from briefgen.errors import BriefgenError, BuildFailed, Diagnostics, Location, UsageError

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
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
        raise BuildFailed(diagnostics.items)

    slug = args.slug or brief_slug(article.title)
    if not _SLUG.match(slug):
        raise UsageError(
            f"brief name {slug!r} must be lower-case letters, digits and hyphens (e.g. heat-2025)"
        )
    folder = config.content_dir / slug
    if folder.exists():
        raise UsageError(
            f"{config.relative(folder)} exists already; choose another name with --slug"
        )
    bib_path = (
        config.root / args.bibliography if args.bibliography is not None else config.bibliography
    )
    bib_shown = config.relative(bib_path)
    bib_text = ""
    if bib_path.exists():
        try:
            bib_text = bib_path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise BriefgenError(
                f"cannot read the bibliography ({exc})", Location(bib_shown)
            ) from exc
    bib_problems = Diagnostics()
    bibliography = parse_bibliography(bib_text, bib_shown, bib_problems)
    if bib_problems.errors:
        raise BuildFailed(bib_problems.errors)

    composed = compose_brief(
        article, bibliography, diagnostics, brief_folder=config.relative(folder).as_posix()
    )
    print_diagnostics(
        sorted(diagnostics.items, key=lambda d: d.location.line or 0 if d.location else 0)
    )
    shown = config.relative(folder)
    if args.dry_run:
        for name, content in composed.files.items():
            print(f"==> {shown / name} <==\n{content}")
        if composed.bibtex:
            print(f"==> {bib_shown} (appended) <==\n{composed.bibtex}")
    else:
        folder.mkdir(parents=True)
        for name, content in composed.files.items():
            (folder / name).write_text(content, encoding="utf-8")
            print(f"created {shown / name}", file=sys.stderr)
        if composed.bibtex:
            _append(bib_path, bib_text, composed.bibtex)
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


def _append(path: Path, old: str, entries: str) -> None:
    """Append to the bibliography, never rewriting what is there."""
    separator = "" if not old else "\n" if old.endswith("\n") else "\n\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as file:
        file.write(separator + entries)
