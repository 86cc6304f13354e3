from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.config import load_config
from briefgen.errors import BuildFailed


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
        pytest.param(
            "titel = 'x'",
            "unknown setting 'titel' in [tool.briefgen]; did you mean 'title'?",
            id="unknown-key",
        ),
        pytest.param("title = 3", "[tool.briefgen] title must be a string, not 3", id="not-str"),
        pytest.param(
            "numbering = 'greek'",
            "unknown numbering 'greek'; expected one of arabic, lower-roman, upper-roman, "
            "lower-alpha",
            id="numbering",
        ),
        pytest.param(
            "output_dir = 1", "[tool.briefgen] output_dir must be a path string", id="path"
        ),
    ],
)
def test_invalid_settings(tmp_path: Path, table: str, message: str) -> None:
    (tmp_path / "pyproject.toml").write_text(
        f"[project]\nname = 'x'\n\n[tool.briefgen]\n{table}\n", encoding="utf-8"
    )
    with pytest.raises(BuildFailed) as info:
        load_config(tmp_path)
    # The line of the key itself, although tomllib keeps no positions.
    assert info.value.format_message() == f"pyproject.toml:5: {message}"


def test_every_bad_setting_is_reported_at_once(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.briefgen]\ntitle = 3\nstlye = 'apa'\n", encoding="utf-8"
    )
    with pytest.raises(BuildFailed) as info:
        load_config(tmp_path)
    assert info.value.format_message().splitlines() == [
        "pyproject.toml:2: [tool.briefgen] title must be a string, not 3",
        "pyproject.toml:3: unknown setting 'stlye' in [tool.briefgen]; did you mean 'style'?",
    ]


def test_invalid_toml(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n[tool.briefgen\n")
    with pytest.raises(BuildFailed) as info:
        load_config(tmp_path)
    assert info.value.format_message().startswith("pyproject.toml:3: invalid TOML")


def test_non_utf8_and_odd_tool_table(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_bytes(b"title = '\xff'\n")
    with pytest.raises(BuildFailed) as info:
        load_config(tmp_path)
    assert "not valid UTF-8" in info.value.format_message()
    (tmp_path / "pyproject.toml").write_text("tool = 3\n", encoding="utf-8")
    assert load_config(tmp_path).title == "Policy briefs"
