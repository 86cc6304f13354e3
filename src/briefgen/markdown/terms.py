"""CSL locale terms read straight from citeproc-py's locale files, without importing citeproc.

The Markdown stage needs a few words in the brief's language: locator labels (``S.`` in German),
quotation marks (``„…“``) and the names of figures, tables and sections for cross-references.
The CSL locales already hold them, the same words the citations use.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from pathlib import Path
from xml.etree import ElementTree

_CSL = "{http://purl.org/net/xbiblio/csl}"


@cache
def _locales_folder() -> Path:
    from importlib.util import find_spec

    spec = find_spec("citeproc")
    folder = Path(next(iter(spec.submodule_search_locations or ()), "")) if spec else Path()
    return folder / "data" / "locales"


def locale_files(language: str) -> Iterator[Path]:
    """The locale files to read for ``language``, most specific first, ending with en-US."""
    folder = _locales_folder()
    for name in dict.fromkeys([language, language.split("-")[0], "en-US"]):
        path = folder / f"locales-{name}.xml"
        if path.is_file():
            yield path
            continue
        matches = sorted(folder.glob(f"locales-{name}-*.xml"))
        if matches:
            yield matches[0]


@cache
def _terms(path: Path) -> dict[tuple[str, str], ElementTree.Element]:
    root = ElementTree.parse(path).getroot()
    return {
        (element.get("name", ""), element.get("form", "long")): element
        for element in root.iter(f"{_CSL}term")
    }


def term_elements(language: str) -> Iterator[ElementTree.Element]:
    """Every ``<term>`` of every locale file for ``language`` (most specific first)."""
    for path in locale_files(language):
        yield from _terms(path).values()


@cache
def term(language: str, name: str, *, form: str = "long", plural: bool = False) -> str:
    """One term in ``language``, else in en-US: ``term("de-DE", "figure")`` → ``Abbildung``.

    Empty when no locale defines it.
    """
    for path in locale_files(language):
        element = _terms(path).get((name, form))
        if element is None:
            continue
        forms = list(element) or [element]  # <single>/<multiple>, or the text itself
        text = forms[1 if plural and len(forms) > 1 else 0].text
        return (text or "").strip()
    return ""
