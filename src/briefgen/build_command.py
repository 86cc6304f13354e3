"""``briefgen build``: build the site, print what was built (or, with ``-q``, errors only)."""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

from briefgen.config import Config
from briefgen.errors import BriefgenError, BuildFailed, Location


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``briefgen build`` to ``parser``."""
    parser.add_argument(
        "--strict", action="store_true", help="treat warnings (e.g. unused entries) as errors"
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="print errors only (no warnings, no summary)"
    )
    parser.add_argument(
        "--clean", action="store_true",
        help="ignore the build cache: parse, format and render every brief",
    )  # fmt: skip
    parser.add_argument(
        "-j", "--jobs", type=_jobs, default=None, metavar="N",
        help="build briefs in N processes (default: one per core; 1 builds in this process)",
    )  # fmt: skip


def _jobs(value: str) -> int:
    try:
        jobs = int(value)
    except ValueError:
        jobs = 0
    if jobs < 1:
        raise argparse.ArgumentTypeError(f"expected 1 or more processes, not {value!r}")
    return jobs


def run(args: argparse.Namespace, config: Config) -> int:
    """Build ``config``'s project; errors raise :class:`~briefgen.errors.BriefgenError`."""
    from briefgen.build import build_site
    from briefgen.cli import EXIT_OK, print_diagnostics

    started = time.perf_counter()
    try:
        project = build_site(config, strict=args.strict, incremental=not args.clean,
                             jobs=args.jobs)  # fmt: skip
    except BriefgenError as exc:
        raise relative_to_project(exc, config) from exc
    except OSError as exc:
        raise relative_to_project(os_error(exc, config), config) from exc
    if not args.quiet:
        print_diagnostics(list(project.warnings))
        reused = f" ({len(project.reused)} unchanged)" if project.reused else ""
        print(
            f"built {len(project.briefs)} brief(s){reused}, {project.note_count} endnote(s) into "
            f"{config.relative(config.output_dir)}/ in {time.perf_counter() - started:.2f} s",
            file=sys.stderr,
        )
    return EXIT_OK


def os_error(exc: OSError, config: Config) -> BriefgenError:
    """A file the build could not read or write (permission denied, disk full…) as an error at
    that file, not a traceback. The output swap reports its own, saying the site is untouched;
    this is for the rest (an input file, the build cache)."""
    from briefgen.write import describe_os_error

    reason = describe_os_error(exc)
    name = exc.filename if exc.filename is not None else exc.filename2
    if name is None:
        return BriefgenError(f"cannot build: {reason}")
    path = Path(os.fsdecode(name)).absolute()
    if path.is_relative_to(config.root / config.cache_dir):
        return BriefgenError(f"cannot use this file of the build cache: {reason}", Location(path))
    return BriefgenError(f"cannot read this file: {reason}", Location(path))


def relative_to_project(exc: BriefgenError, config: Config) -> BriefgenError:
    """``exc`` with the paths of its locations relative to the project, as every message
    shows them (the writer and the file system give absolute ones)."""
    shown = [
        replace(d, location=Location(config.relative(d.location.path), d.location.line))
        if d.location is not None and d.location.path.is_absolute()
        else d
        for d in exc.diagnostics
    ]
    relative = BuildFailed(shown)
    relative.exit_code = exc.exit_code
    return relative
