"""``briefgen lint``: report every finding, then exit 1 on an error (or a warning, strict)."""

from __future__ import annotations

import argparse
import sys

from briefgen.config import Config
from briefgen.lint.report import FORMATS

EXIT_OK, EXIT_FAILED = 0, 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``briefgen lint`` to ``parser``."""
    parser.add_argument(
        "--format", choices=tuple(FORMATS), default="text",
        help="text (path:line: CODE message), github (Actions annotations) or json",
    )  # fmt: skip
    parser.add_argument(
        "--strict", action="store_true", help="fail (exit 1) on warnings too (never on info)"
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="no summary line on standard error"
    )


def run(args: argparse.Namespace, config: Config) -> int:
    """Lint ``config``'s project; print the findings on standard output."""
    from briefgen.lint.findings import LintSeverity, gather
    from briefgen.lint.report import summary_line
    from briefgen.lint.rules import lint

    findings = lint(gather(config))
    sys.stdout.write(FORMATS[args.format](findings))
    if not args.quiet:
        print(summary_line(findings), file=sys.stderr)
    failing = {LintSeverity.ERROR, LintSeverity.WARNING} if args.strict else {LintSeverity.ERROR}
    return EXIT_FAILED if any(f.severity in failing for f in findings) else EXIT_OK
