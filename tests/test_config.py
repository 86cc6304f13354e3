from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.config import load_config
from briefgen.errors import ConfigError


def test_defaults_without_pyproject(tmp_path: Path) -> None:
    config = load_config(tmp_path)
    assert config.root == tmp_path.resolve()
    assert config.style == "harvard-university-of-westminster"
    assert config.numbering == "arabic"
    assert config.content_dir == tmp_path.resolve() / "content"
    assert config.output_dir == tmp_path.resolve() / "site"
    assert config.cache_dir == tmp_path.resolve() / ".briefgen" / "cache"


def test_table_values_and_relative_paths(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.briefgen]\ntitle = "Think tank"\noutput-dir = "public"\nbibliography = "x/r.bib"\n'
        "[tool.briefgen.check]\nmax_age = 3600\n",
        encoding="utf-8",
    )
    config = load_config(tmp_path)
    assert config.title == "Think tank"
    assert config.output_dir == tmp_path.resolve() / "public"
    assert config.bibliography == tmp_path.resolve() / "x" / "r.bib"
    assert config.check == {"max_age": 3600}


@pytest.mark.parametrize(
    ("table", "message"),
    [
        pytest.param("titel = 'x'", "unknown setting 'titel' in [tool.briefgen]", id="unknown-key"),
        pytest.param("title = 3", "[tool.briefgen] title must be a string, not 3", id="not-str"),
        pytest.param("numbering = 'greek'", "unknown numbering 'greek'", id="numbering"),
        pytest.param("output_dir = 1", "[tool.briefgen] output_dir must be a path", id="path"),
    ],
)
def test_invalid_settings(tmp_path: Path, table: str, message: str) -> None:
    (tmp_path / "pyproject.toml").write_text(f"[tool.briefgen]\n{table}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")) as info:
        load_config(tmp_path)
    assert str(info.value.location) == "pyproject.toml"


def test_invalid_toml(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.briefgen\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_config(tmp_path)


def test_non_utf8_and_odd_tool_table(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_bytes(b"title = '\xff'\n")
    with pytest.raises(ConfigError, match="not valid UTF-8"):
        load_config(tmp_path)
    (tmp_path / "pyproject.toml").write_text("tool = 3\n", encoding="utf-8")
    assert load_config(tmp_path).title == "Policy briefs"
