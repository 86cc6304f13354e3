"""``briefgen serve``: build, serve on 127.0.0.1, rebuild and reload the browser on every change."""

from __future__ import annotations

import argparse
import sys

from briefgen.config import Config


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``briefgen serve`` to ``parser``."""
    parser.add_argument(
        "--host", default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1, this machine only)",
    )  # fmt: skip
    parser.add_argument(
        "--port", type=_port, default=8000,
        help="port to listen on (default: 8000; 0: any free port)",
    )
    parser.add_argument(
        "--strict", action="store_true", help="treat warnings (e.g. unused entries) as errors"
    )


def run(args: argparse.Namespace, config: Config) -> int:
    """Serve ``config``'s project until Ctrl-C, which ends it cleanly (exit 0)."""
    from briefgen.cli import EXIT_OK
    from briefgen.serve.live import LiveSite, log_to_stderr
    from briefgen.serve.server import is_loopback

    if not is_loopback(args.host):
        log_to_stderr(
            f"warning: serving on {args.host}, which other machines may reach; "
            "use --host 127.0.0.1 to keep the site to this machine"
        )
    live = LiveSite(config, host=args.host, port=args.port, strict=args.strict)
    try:
        live.build()
        live.watch()
        print(f"serving {config.relative(config.output_dir)}/ at {live.url} (Ctrl-C to stop)",
              flush=True)  # fmt: skip
        live.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        live.close()
    print("stopped", file=sys.stderr)
    return EXIT_OK


def _port(value: str) -> int:
    """A TCP port number, 0 to 65535 (0: any free port)."""
    try:
        port = int(value)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port; expected 0 to 65535")
    return port
