"""The Nu HTML Checker (vnu.jar from npm's vnu-jar) reports no error on any page or stylesheet."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from .conftest import NODE_MODULES, ServedSite, tool


def vnu(*paths: Path) -> list[dict[str, Any]]:
    """Error messages of vnu on the given files (HTML and CSS)."""
    java = shutil.which("java")
    if java is None:
        pytest.fail("Java is not installed; `apt-get install default-jre-headless`")
    jar = tool(NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar", "npm ci")
    run = subprocess.run(
        [java, "-jar", str(jar), "--format", "json", "--errors-only", "--also-check-css",
         *map(str, paths)],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    report = json.loads(run.stderr or run.stdout)
    return [
        {"file": Path(m.get("url", "")).name, "line": m.get("lastLine"), "message": m["message"]}
        for m in report["messages"]
        if m["type"] in ("error", "non-document-error")
    ]


def test_every_page_and_stylesheet_is_valid(served_site: ServedSite) -> None:
    files = sorted(served_site.root.rglob("*.html")) + sorted(served_site.root.rglob("*.css"))
    names = {p.relative_to(served_site.root).as_posix() for p in files}
    assert {"index.html", "cecot/index.html", "404.html", "static/briefgen.css"} <= names
    assert vnu(*files) == []


def test_vnu_catches_an_error(tmp_path: Path) -> None:
    """The check can fail: a duplicate id is an error."""
    page = tmp_path / "bad.html"
    page.write_text(
        '<!doctype html><html lang="en"><title>x</title><p id="a"></p><p id="a"></p></html>',
        encoding="utf-8",
    )
    assert any("Duplicate ID" in e["message"] for e in vnu(page))
