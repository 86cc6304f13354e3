"""Lighthouse scores of the CECOT brief page, run against Debian's Chromium.

    python benchmarks/lighthouse.py [--form-factor mobile|desktop] [--json report.json]

Builds the shipped CECOT brief into a temporary folder with ``base_url`` set to a server on
127.0.0.1 (so canonical links, robots.txt and the sitemap point where the page really is), serves
it, runs ``lighthouse`` from ``node_modules`` (``npm ci`` installs lighthouse@12.2.3) with
``CHROME_PATH`` set to Debian's chromium, and prints the four category scores.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LIGHTHOUSE = REPO / "node_modules" / "lighthouse" / "cli" / "index.js"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
CHROME_FLAGS = (
    "--headless --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --disable-sync --no-first-run"
)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def build_into(root: Path, base_url: str) -> Path:
    """Build a copy of the shipped project with ``base_url``; return its site folder."""
    from briefgen import build_site, load_config

    project = root / "project"
    project.mkdir()
    for folder in ("content", "templates"):
        shutil.copytree(REPO / folder, project / folder)
    shutil.copy(REPO / "references.bib", project / "references.bib")
    (project / "pyproject.toml").write_text(
        f'[tool.briefgen]\ntitle = "briefgen briefs"\nbase_url = "{base_url}"\n', encoding="utf-8"
    )
    build_site(load_config(project))
    return project / "site"


def run_lighthouse(url: str, form_factor: str, report: Path) -> dict[str, float]:
    """Run Lighthouse on ``url``; return each category's score out of 100."""
    chromium = shutil.which("chromium")
    if chromium is None or not LIGHTHOUSE.is_file():
        sys.exit("needs Debian's chromium and `npm ci` (lighthouse in node_modules)")
    command = [
        "node", str(LIGHTHOUSE), url,
        f"--chrome-flags={CHROME_FLAGS}",
        f"--only-categories={','.join(CATEGORIES)}",
        "--output=json", f"--output-path={report}", "--quiet",
    ]  # fmt: skip
    if form_factor == "desktop":
        command.append("--preset=desktop")
    env = {**os.environ, "CHROME_PATH": chromium}
    subprocess.run(command, check=True, env=env, timeout=300)
    result = json.loads(report.read_text(encoding="utf-8"))
    scores = {name: round(result["categories"][name]["score"] * 100) for name in CATEGORIES}
    failed = [
        f"  {audit['id']}: {audit['title']}"
        for audit in result["audits"].values()
        if audit.get("score") is not None
        and audit["score"] < 1
        and audit.get("scoreDisplayMode") in ("binary", "numeric")
    ]
    if failed:
        print("audits below full marks:\n" + "\n".join(sorted(failed)))
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--form-factor", choices=("mobile", "desktop"), default="mobile")
    parser.add_argument("--json", type=Path, help="keep Lighthouse's full JSON report here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        docroot = Path(tmp) / "docroot"
        docroot.mkdir()
        handler = functools.partial(_QuietHandler, directory=str(docroot))
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            base_url = f"http://127.0.0.1:{server.server_address[1]}/"
            site = build_into(Path(tmp), base_url)
            shutil.copytree(site, docroot, dirs_exist_ok=True)
            report = args.json or Path(tmp) / "lighthouse.json"
            scores = run_lighthouse(f"{base_url}cecot/", args.form_factor, report)
        finally:
            server.shutdown()
            server.server_close()
    print(f"Lighthouse 12.2.3, {args.form_factor}, CECOT brief:")
    for name, score in scores.items():
        print(f"  {name:<15} {score}")


if __name__ == "__main__":
    main()
