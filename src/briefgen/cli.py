"""The ``briefgen`` command line: parses arguments and calls library functions, nothing more.

Each sub-command lives in its own module, which offers ``add_arguments(parser)`` and
``run(args, config) -> int`` (``config`` is None for the commands that make a project, ``init``).
Modules are imported only for the command that runs, so ``briefgen lint`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from briefgen import __version__
from briefgen.errors import BriefgenError, Diagnostic

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

COMMANDS: dict[str, tuple[str, str, bool]] = {
    # name: (module, help, needs a project)
    "init": ("briefgen.scaffold.init", "create a project: pyproject.toml, content/, CI", False),
    "new": ("briefgen.scaffold.new", "add a brief with its front matter and a first section", True),
    "build": ("briefgen.build_command", "build the site into site/", True),
    "serve": ("briefgen.serve.command", "serve the site; rebuild and reload on changes", True),
    "check": ("briefgen.linkcheck.command", "check that every cited URL is still live", True),
    "lint": ("briefgen.lint.command", "check citations and the bibliography offline, fast", True),
    "import": ("briefgen.importer.command", "make a brief from an article with endnotes", True),
}


def make_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; with ``only``, just that command's options are loaded."""
    parser = argparse.ArgumentParser(
        prog="briefgen",
        description="Build citation-checked policy briefs into a static site.",
    )
    parser.add_argument("--version", action="version", version=f"briefgen {__version__}")
    parser.add_argument(
        "-C", "--project", type=Path, default=None, metavar="DIR",
        help="project folder (default: the current folder)",
    )  # fmt: skip
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module, help_text, _) in COMMANDS.items():
        command = commands.add_parser(name, help=help_text, description=help_text)
        if only is None or only == name:
            _module(module).add_arguments(command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (see README, "Exit codes")."""
    argv = list(sys.argv[1:] if argv is None else argv)
    name = next((a for a in argv if a in COMMANDS), None)
    args = make_parser(only=name).parse_args(argv)
    module, _, needs_project = COMMANDS[args.command]
    try:
        config = None
        if needs_project:
            from briefgen.config import load_config

            config = load_config(args.project)
        return int(_module(module).run(args, config))
    except BriefgenError as exc:
        print_diagnostics(exc.diagnostics)
        return exc.exit_code
    except KeyboardInterrupt:
        print("briefgen: interrupted", file=sys.stderr)
        return 130


def print_diagnostics(diagnostics: Sequence[Diagnostic]) -> None:
    """Print each problem as ``path:line: message`` on standard error."""
    for diagnostic in diagnostics:
        print(diagnostic.format(), file=sys.stderr)


def _module(name: str) -> ModuleType:
    return importlib.import_module(name)
