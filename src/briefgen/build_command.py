"""``briefgen build``: build the site, print what was built (or, with ``-q``, errors only)."""

from __future__ import annotations

import argparse
import sys
import time

from briefgen.config import Config


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


def run(args: argparse.Namespace, config: Config) -> int:
    """Build ``config``'s project; errors raise :class:`~briefgen.errors.BriefgenError`."""
    from briefgen.build import build_site
    from briefgen.cli import EXIT_OK, print_diagnostics

    started = time.perf_counter()
    project = build_site(config, strict=args.strict, incremental=not args.clean)
    if not args.quiet:
        print_diagnostics(list(project.warnings))
        reused = f" ({len(project.reused)} unchanged)" if project.reused else ""
        print(
            f"built {len(project.briefs)} brief(s){reused}, {project.note_count} endnote(s) into "
            f"{config.relative(config.output_dir)}/ in {time.perf_counter() - started:.2f} s",
            file=sys.stderr,
        )
    return EXIT_OK
