"""Markdown parse + render time per brief, now and at a baseline commit, in one run.

Run: ``python benchmarks/markdown.py [--baseline REV] [--repeat N]``. The baseline (by default
the commit before Pandoc Markdown support, issue 8) is checked out into a temporary worktree and
timed in its own process on the same content, so the ratio compares like with like. Only the
Markdown stage is timed (``parse_section`` and ``render_section`` for every section, markers
drawn as empty strings): loading, citations and templates are outside it.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BASELINE = "4839f90"
"""The last commit before the Markdown plugins of issue 8."""

BRIEFS = {
    "cecot": REPO,
    "features": REPO / "tests" / "fixtures" / "features",
}

# Runs inside the measured tree's interpreter: same API in both versions.
TIMER = r"""
import json, sys, time
from pathlib import Path
from briefgen.config import load_config
from briefgen.content import load_briefs
from briefgen.errors import Diagnostics
from briefgen.markdown import parse_section, render_section

root, repeat = Path(sys.argv[1]), int(sys.argv[2])
briefs = load_briefs(load_config(root), Diagnostics())
times = []
for _ in range(repeat):
    started = time.perf_counter()
    for brief in briefs:
        for section in brief.sections:
            parsed = parse_section(section, language=brief.language)
            env = {"render_marker": lambda i: "", "render_footnote": lambda key, n: ""}
            render_section(parsed, env)
    times.append((time.perf_counter() - started) / len(briefs))
print(json.dumps(sorted(times)[len(times) // 2]))
"""


def straight_quotes(root: Path) -> Path:
    """The CECOT brief as researchers type it: straight quotes and apostrophes, ``--``, ``...``
    (the shipped text has the typeset characters already, so smart typography has little to do).
    """
    shutil.copytree(REPO / "content", root / "content")
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    shutil.copy(REPO / "references.bib", root / "references.bib")
    typed = {"’": "'", "‘": "'", "“": '"', "”": '"', "–": "--", "—": "---", "…": "..."}
    for path in (root / "content").rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.translate(str.maketrans(typed)), encoding="utf-8")  # type: ignore[arg-type]
    return root


def time_tree(src: Path, root: Path, repeat: int) -> float:
    """Median seconds per brief of the Markdown stage, with ``src`` first on the path."""
    result = subprocess.run(
        [sys.executable, "-c", TIMER, str(root), str(repeat)],
        env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    return float(json.loads(result.stdout))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--baseline", default=BASELINE)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        tree = Path(work) / "baseline"
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(tree),
                        args.baseline], check=True, capture_output=True)  # fmt: skip
        try:
            print(f"Markdown stage, median of {args.repeat} runs, ms per brief")
            print(f"{'brief':<24} {'baseline ' + args.baseline:>18} {'now':>10} {'ratio':>7}")
            briefs = {**BRIEFS, "cecot, straight quotes": straight_quotes(Path(work) / "sq")}
            for name, root in briefs.items():
                before = time_tree(tree / "src", root, args.repeat)
                now = time_tree(REPO / "src", root, args.repeat)
                print(f"{name:<24} {before * 1000:>18.2f} {now * 1000:>10.2f} "
                      f"{now / before:>6.2f}×")  # fmt: skip
        finally:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)],
                           check=False, capture_output=True)  # fmt: skip


if __name__ == "__main__":
    main()
