"""``briefgen init [DIR]``: a project ready for ``briefgen new`` and ``briefgen build``.

It writes ``pyproject.toml`` with a ``[tool.briefgen]`` table, a ``references.bib`` holding one
example entry, ``content/``, a ``.gitignore``, a GitHub Actions workflow that builds with
``--strict`` and checks links, and a pre-commit example. Files that exist are never replaced.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from briefgen.config import Config
from briefgen.errors import BriefgenError, Location, UsageError
from briefgen.scaffold import write_new

PYPROJECT = """\
[tool.briefgen]
title = "{title}"
# base_url = "https://briefs.example.org/"   # needed for the feed, sitemap and citation URLs
style = "harvard-cite-them-right"             # any CSL style name, or a .csl file
language = "en-GB"
"""

BIBLIOGRAPHY = """\
% Your sources, as Zotero (Better BibTeX), JabRef or Mendeley export them.
@manual{pandoc2024manual,
  title = {Pandoc User's Guide},
  author = {MacFarlane, John},
  date = {2024},
  url = {https://pandoc.org/MANUAL.html},
  urldate = {2025-01-01},
}
"""

GITIGNORE = """\
site/
.briefgen/
__pycache__/
"""

WORKFLOW = """\
# Build the briefs on every push and pull request; check links without blaming the wrong change.
# A pull request fails only on citations it adds or edits (--changed-since); every Monday the
# scheduled run checks every link, so link rot is caught there, not in someone else's change.
name: briefs
on:
  push:
    branches: [main]
  pull_request:
  schedule:
    - cron: "17 6 * * 1"
  workflow_dispatch:
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0          # --changed-since needs the base branch's history
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - run: pip install briefgen
      - run: briefgen lint
      - run: briefgen build --strict
      - name: check the links this pull request cites
        if: github.event_name == 'pull_request'
        run: briefgen check --changed-since "origin/${{ github.base_ref }}" --format github
      - name: check every link
        if: github.event_name == 'schedule' || github.event_name == 'workflow_dispatch'
        run: briefgen check
"""

PRE_COMMIT = """\
# Copy to .pre-commit-config.yaml to lint citations before each commit (no network needed).
repos:
  - repo: local
    hooks:
      - id: briefgen-lint
        name: briefgen lint
        entry: briefgen lint
        language: system
        pass_filenames: false
        files: ^(content/|references\\.bib$)
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``briefgen init`` to ``parser``."""
    parser.add_argument(
        "directory", nargs="?", type=Path, default=None, metavar="DIR",
        help="where to create the project (default: the current folder)",
    )  # fmt: skip
    parser.add_argument("--title", default="Policy briefs", help="the site's title")


def run(args: argparse.Namespace, config: Config | None) -> int:
    """Create the project's files; report what was created and what was kept."""
    root = args.directory or args.project or Path.cwd()
    if any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in args.title):
        raise UsageError(f"title {args.title!r} must be one line, without control characters")
    try:
        not_a_folder = root.exists() and not root.is_dir()
    except OSError as exc:
        raise BriefgenError(f"cannot use this folder ({exc.strerror})", Location(root)) from exc
    if not_a_folder:
        raise UsageError(f"{root} exists and is not a folder; give a new or existing folder")
    # A TOML basic string: with no control characters left, only \\ and " need escaping.
    title = args.title.replace("\\", "\\\\").replace('"', '\\"')
    created, kept = write_new(
        {
            root / "pyproject.toml": PYPROJECT.format(title=title),
            root / "references.bib": BIBLIOGRAPHY,
            root / "content" / ".gitkeep": "",
            root / ".gitignore": GITIGNORE,
            root / ".github" / "workflows" / "briefs.yml": WORKFLOW,
            root / "pre-commit-config.example.yaml": PRE_COMMIT,
        }
    )
    for path in created:
        print(f"created {path}", file=sys.stderr)
    for path in kept:
        print(f"kept {path} (it exists; add a [tool.briefgen] table by hand if needed)",
              file=sys.stderr)  # fmt: skip
    print("next: briefgen new my-first-brief, then briefgen build", file=sys.stderr)
    return 0
