"""``python -m briefgen.linkcheck``: the check command alone, for benchmarks and debugging."""

from __future__ import annotations

import argparse
import sys

from briefgen.config import load_config
from briefgen.errors import BriefgenError
from briefgen.linkcheck import command


def main() -> int:
    """Parse ``briefgen check`` options and run it in the current folder."""
    parser = argparse.ArgumentParser(prog="python -m briefgen.linkcheck")
    command.add_arguments(parser)
    args = parser.parse_args()
    try:
        return command.run(args, load_config())
    except BriefgenError as exc:
        print(exc.format_message(), file=sys.stderr)
        return command.EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
