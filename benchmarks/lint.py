"""Cold ``briefgen lint`` on the shipped CECOT brief: is it fast enough for an editor or a hook?

Run: ``python benchmarks/lint.py [--runs N]``. Each run is a fresh process. Side by side, in the
same run on the same machine:

- ``python -c pass``: the interpreter's own start, a floor no command can go under;
- ``briefgen --version``: the command line's start (argument parsing, no command module);
- ``briefgen lint``: the target (issue 9: under 0.3 s);
- ``briefgen build``: for scale (styles, citeproc-py, Jinja and writing the site).

Two bytecode settings, since they differ by hundreds of milliseconds: *cached*, as after
``pip install`` (every module's bytecode compiled once, into a temporary
``PYTHONPYCACHEPREFIX``), and *as-is*, this environment unchanged: with
``PYTHONDONTWRITEBYTECODE=1`` and packages installed without bytecode (or a checkout whose
caches are stale), those modules are compiled from source on every run.
No offline peer fits: ``lychee --offline`` only checks local files, not BibTeX.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET = 0.3


def measure(command: list[str], env: dict[str, str]) -> float:
    """Wall seconds of one run of ``command``."""
    started = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr.decode()}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work_name:
        work = Path(work_name)
        project = work / "project"
        shutil.copytree(REPO / "content", project / "content")
        shutil.copy(REPO / "references.bib", project / "references.bib")
        shutil.copy(REPO / "pyproject.toml", project / "pyproject.toml")
        briefgen = [sys.executable, "-m", "briefgen", "-C", str(project)]
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "briefgen --version": [sys.executable, "-m", "briefgen", "--version"],
            "briefgen lint": [*briefgen, "lint", "-q"],
            "briefgen build": [*briefgen, "build", "-q"],
        }
        cached = {**os.environ, "PYTHONPYCACHEPREFIX": str(work / "pycache")}
        cached.pop("PYTHONDONTWRITEBYTECODE", None)
        for command in commands.values():  # compile the bytecode once, as pip install does
            measure(command, cached)
        settings = {"cached": cached, "as-is": dict(os.environ)}
        times: dict[tuple[str, str], list[float]] = {}
        for _ in range(args.runs):  # interleaved, so a busy moment hits every command alike
            for setting, env in settings.items():
                for name, command in commands.items():
                    times.setdefault((name, setting), []).append(measure(command, env))
    print(f"cold process wall time, CECOT brief (28 notes, 27 entries), {args.runs} runs each")
    print(f"{'command':<22} {'bytecode':<9} {'median':>8} {'best':>8}")
    for (name, setting), runs in times.items():
        print(f"{name:<22} {setting:<9} {statistics.median(runs):>7.3f}s {min(runs):>7.3f}s")
    lint = statistics.median(times["briefgen lint", "cached"])
    verdict = "meets" if lint < TARGET else "misses"
    print(f"briefgen lint (bytecode cached) {verdict} the {TARGET} s target: {lint:.3f} s median")


if __name__ == "__main__":
    main()
