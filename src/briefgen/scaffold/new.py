"""``briefgen new SLUG``: a brief folder with its front matter and a first section."""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys

from briefgen.config import Config
from briefgen.errors import UsageError
from briefgen.scaffold import write_new

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")

INDEX = """\
---
title: "{title}"
authors:
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
    slug = args.slug
    if not _SLUG.match(slug):
        raise UsageError(
            f"brief name {slug!r} must be lower-case letters, digits and hyphens (e.g. heat-2025)"
        )
    folder = config.content_dir / slug
    if folder.exists():
        raise UsageError(f"{config.relative(folder)} exists already; choose another name")
    title = (args.title or slug.replace("-", " ").capitalize()).replace('"', '\\"')
    created, _ = write_new(
        {
            folder / "_index.md": INDEX.format(title=title, date=dt.date.today().isoformat()),
            folder / "01-introduction.md": SECTION,
        }
    )
    for path in created:
        print(f"created {config.relative(path)}", file=sys.stderr)
    return 0
