"""Run ``briefgen check`` in-process on a throwaway project, as the CLI would."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import pytest

from briefgen.config import config_from_mapping
from briefgen.linkcheck import command

FAST = {
    "connect_timeout": 0.5,
    "timeout": 0.3,
    "retries": 1,
    "retry_backoff": 0.02,
    "retry_after_cap": 2,
    "host_interval": 0,
    "url_deadline": 5,
    "deadline": 20,
}


def write_links(root: Path, urls: list[str], name: str = "links.md") -> Path:
    """Write a Markdown file citing ``urls``, one per line, outside any brief."""
    path = root / name
    path.write_text("# Links\n\n" + "".join(f"- <{u}>\n" for u in urls), encoding="utf-8")
    return path


def check(
    root: Path,
    argv: list[str],
    capsys: pytest.CaptureFixture[str],
    **settings: Any,
) -> tuple[int, str, str]:
    """Run the command with FAST + ``settings`` as its config; return code, stdout, stderr."""
    parser = argparse.ArgumentParser()
    command.add_arguments(parser)
    args = parser.parse_args(argv)
    config = config_from_mapping(root, {"check": {**FAST, **settings}})
    code = command.run(args, config)
    out, err = capsys.readouterr()
    return code, out, err


def check_json(
    root: Path, argv: list[str], capsys: pytest.CaptureFixture[str], **settings: Any
) -> tuple[int, dict[str, Any]]:
    """Run the command with ``--format json``; return the code and the parsed report."""
    code, out, _err = check(root, [*argv, "--format", "json"], capsys, **settings)
    return code, json.loads(out)
