"""``briefgen new SLUG``: a brief folder with its front matter and a first section."""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys

from briefgen.config import Config
from briefgen.errors import BriefgenError, Location, UsageError
from briefgen.scaffold import check_slug, write_new

INDEX = """\
---
{title_yaml}authors:
  - name: Your Name
    affiliation: Your institute
date: {date}
summary: >-
  One or two sentences that say what the brief argues; shown on the index and in previews.
---
"""

SECTION = """\
---
title: Introduction
---
Write each section in its own file, `NN-slug.md`, numbered in reading order.

Cite a source from references.bib in brackets, with a page if you like [@pandoc2024manual,
p. 12]; it becomes a numbered endnote. Footnotes[^aside] join the same series.

[^aside]: An aside of your own, not a citation.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``briefgen new`` to ``parser``."""
    parser.add_argument("slug", metavar="SLUG", help="the brief's folder and URL (my-brief)")
    parser.add_argument("--title", default=None, help="its title (default: from SLUG)")


def run(args: argparse.Namespace, config: Config) -> int:
    """Create ``content/SLUG/`` with ``_index.md`` and ``01-introduction.md``."""
    import yaml

    slug = args.slug
    check_slug(slug)
    folder = config.content_dir / slug
    shown = config.relative(folder)
    try:
        taken = folder.exists()
    except OSError as exc:
        raise BriefgenError(f"cannot use this folder ({exc.strerror})", Location(shown)) from exc
    if taken:
        raise UsageError(f"{shown} exists already; choose another name")
    title = args.title or slug.replace("-", " ").capitalize()
    # YAML's own quoting: a backslash or a quote in the title comes back as typed.
    title_yaml = yaml.safe_dump({"title": title}, allow_unicode=True, width=float("inf"))
    index = INDEX.format(title_yaml=title_yaml, date=dt.date.today().isoformat())
    try:
        created, _ = write_new(
            {folder / "_index.md": index, folder / "01-introduction.md": SECTION},
            config.relative,
        )
    except BriefgenError:
        shutil.rmtree(folder, ignore_errors=True)  # no half-made brief
        raise
    for path in created:
        print(f"created {config.relative(path)}", file=sys.stderr)
    return 0
