"""The ``briefgen`` command line: parses arguments and calls library functions, nothing more."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from briefgen import __version__
from briefgen.errors import BriefgenError, Diagnostic

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def make_parser() -> argparse.ArgumentParser:
    """The argument parser for every sub-command."""
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

    build = commands.add_parser("build", help="build the site into site/")
    build.add_argument(
        "--strict", action="store_true", help="treat warnings (e.g. unused entries) as errors"
    )
    build.add_argument("-q", "--quiet", action="store_true", help="print errors only")

    from briefgen.linkcheck import command as check_command

    check = commands.add_parser("check", help="check that every cited URL is still live")
    check_command.add_arguments(check)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (see README, "Exit codes")."""
    parser = make_parser()
    args = parser.parse_args(argv)
    try:
        from briefgen.config import load_config

        config = load_config(args.project)
        if args.command == "build":
            return _build(args, config)
        from briefgen.linkcheck import command as check_command

        return check_command.run(args, config)
    except BriefgenError as exc:
        _print_diagnostics(exc.diagnostics)
        return exc.exit_code
    except KeyboardInterrupt:
        print("briefgen: interrupted", file=sys.stderr)
        return 130


def _build(args: argparse.Namespace, config: object) -> int:
    from briefgen.build import build_site
    from briefgen.config import Config

    assert isinstance(config, Config)
    started = time.perf_counter()
    project = build_site(config, strict=args.strict)
    _print_diagnostics(list(project.warnings))
    if not args.quiet:
        notes = sum(len(b.citations.notes) for b in project.briefs)
        print(
            f"built {len(project.briefs)} brief(s), {notes} endnote(s) into "
            f"{config.relative(config.output_dir)}/ in {time.perf_counter() - started:.2f} s",
            file=sys.stderr,
        )
    return EXIT_OK


def _print_diagnostics(diagnostics: Sequence[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        print(diagnostic.format(), file=sys.stderr)
