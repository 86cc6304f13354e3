"""Compiled templates are kept in the user's cache folder, never trusted blindly."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import jinja2
import pytest

from briefgen.build import build_site
from briefgen.config import load_config
from briefgen.render import create_environment


@pytest.fixture
def user_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "user-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    return folder / "briefgen" / "templates"


def compiles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the templates Jinja compiles from source from now on."""
    compiled: list[str] = []
    real = jinja2.Environment.compile

    def spy(self: jinja2.Environment, source: str, name: str | None = None, *a, **k):  # type: ignore[no-untyped-def]
        compiled.append(str(name))
        return real(self, source, name, *a, **k)

    monkeypatch.setattr(jinja2.Environment, "compile", spy)
    return compiled


def test_a_second_process_loads_compiled_templates(
    user_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    compiled = compiles(monkeypatch)
    create_environment(tmp_path).get_template("brief.html")
    assert "brief.html" in compiled and any(user_cache.iterdir())
    compiled.clear()
    create_environment(tmp_path).get_template("brief.html")  # a new environment: a new build
    assert compiled == []


def test_an_edited_template_is_compiled_again(
    user_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "page.html").write_text("one {{ x }}", encoding="utf-8")
    assert create_environment(tmp_path).get_template("page.html").render(x=1) == "one 1"
    (tmp_path / "page.html").write_text("two {{ x }}", encoding="utf-8")
    assert create_environment(tmp_path).get_template("page.html").render(x=1) == "two 1"


def test_a_damaged_or_unusable_cache_is_skipped(
    user_cache: Path, make_project: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_project(cecot=True)
    build_site(load_config(root), incremental=False)
    expected = (root / "site" / "cecot" / "index.html").read_bytes()
    for path in user_cache.iterdir():
        path.write_bytes(b"\x00garbage" * 10)
    build_site(load_config(root), incremental=False)
    assert (root / "site" / "cecot" / "index.html").read_bytes() == expected
    # A cache folder that cannot be made (its parent is a file): no cache at all.
    monkeypatch.setenv("XDG_CACHE_HOME", str(root / "pyproject.toml"))
    build_site(load_config(root), incremental=False)
    assert (root / "site" / "cecot" / "index.html").read_bytes() == expected
