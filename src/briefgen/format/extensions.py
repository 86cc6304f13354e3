"""What we add to citeproc-py, installed on its classes with the fixes (see ``styles``).

- Pandoc's citation modes: suppress-author and author-in-text act on the first ``<names>`` of a
  cite, and the names it printed are kept for ``@key`` in a sentence;
- locale terms looked up once per locale (citeproc-py ran an XPath query per term per entry),
  and the style tree's structural questions (an element's layout, a name's citation or
  bibliography, a macro by name) answered once per element;
- year suffixes printed after the first year of ``issued`` (the suffixes themselves are given
  by the engine, which sees the whole document).

Unlike ``fixes``, these are features citeproc-py lacks, not bugs; they act only on citation
items the engine marks, so citeproc-py used on its own behaves as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from briefgen.model import CitationMode

NS = {"cs": "http://purl.org/net/xbiblio/csl"}
"""The CSL namespace, for XPath queries on a style."""


def install_extensions() -> None:
    """Install every extension (idempotent)."""
    _install_citation_modes()
    _install_term_cache()
    _install_lookup_cache()
    _install_year_suffix()


def _install_citation_modes() -> None:
    """Teach ``<names>`` Pandoc's suppress-author and author-in-text, for citations only."""
    from citeproc.model import Names

    original: Callable[..., Any] = Names.render
    if getattr(original, "briefgen_modes", False):
        return

    def render(self: Any, item: Any, *args: Any, **kwargs: Any) -> Any:
        mode = item.get("briefgen_mode") if isinstance(item, dict) else None
        if not mode or item.get("briefgen_names_done", True):
            return original(self, item, *args, **kwargs)
        item["briefgen_names_done"] = True  # names inside its <substitute> render normally
        text = original(self, item, *args, **kwargs)
        if text is None:
            item["briefgen_names_done"] = False
            return text
        item["briefgen_author"] = str(text)
        return None if mode != CitationMode.NORMAL.value else text

    render.briefgen_modes = True  # type: ignore[attr-defined]
    Names.render = render


def _install_term_cache() -> None:
    """Look each locale term up once: citeproc-py runs an XPath query per term per entry.

    A locale's terms never change once the style is loaded, so the answer (the term element, or
    the IndexError of a missing term) is kept per locale, name, form and zero-padding.
    """
    from citeproc.model import Locale

    original: Callable[..., Any] = Locale.get_term
    if getattr(original, "briefgen_cached", False):
        return
    missing = object()
    cache: dict[tuple[Any, str, str | None, bool], Any] = {}

    def get_term(self: Any, name: str, form: str | None = None, zero_padded: bool = False) -> Any:
        key = (self, name, form, zero_padded)
        found = cache.get(key)
        if found is None:
            try:
                found = original(self, name, form, zero_padded)
            except IndexError:
                found = missing
            cache[key] = found
        if found is missing:
            raise IndexError(name)
        return found

    get_term.briefgen_cached = True  # type: ignore[attr-defined]
    Locale.get_term = get_term


def _install_lookup_cache() -> None:
    """Answer each XPath question about the style tree once per element and expression.

    citeproc-py asks lxml the same structural questions for every work it renders (which
    ``<citation>`` or ``<bibliography>`` a ``<name>`` is in, the ``<layout>`` above an element,
    a macro by name): a fifth of the formatting time of an archive. The tree does not change
    once the style is loaded, so the answers are kept; keeping the element as part of the key
    keeps its lxml proxy alive, so the same node is always the same key.
    """
    from citeproc.model import CitationStylesElement

    original: Callable[..., Any] = CitationStylesElement.xpath_search
    if getattr(original, "briefgen_cached", False):
        return
    answers: dict[tuple[Any, str], tuple[Any, ...]] = {}

    def xpath_search(self: Any, expression: str) -> tuple[Any, ...]:
        key = (self, expression)
        found = answers.get(key)
        if found is None:
            found = answers[key] = tuple(original(self, expression))
        return found

    xpath_search.briefgen_cached = True  # type: ignore[attr-defined]
    CitationStylesElement.xpath_search = xpath_search


_PENDING_SUFFIX: list[str] = []
"""The year-suffix waiting for the next rendered year (rendering is single-threaded)."""


def _install_year_suffix() -> None:
    """Print a reference's year-suffix after the first year of its ``issued`` date.

    CSL: when a style does not print ``year-suffix`` itself, the suffix follows the first
    rendered year of ``issued``. citeproc-py's date parts never see the reference, so the date
    element hands the suffix to its year part.
    """
    from citeproc.model import Date, Date_Part

    # Each wrapper is checked on its own: a fix (season-months) replaces Date_Part.process too,
    # and reverting and re-applying the fixes must not lose the year suffix.
    if not getattr(Date.render, "briefgen_year_suffix", False):
        Date.render = _year_suffix_date(Date.render)
    if not getattr(Date_Part.process, "briefgen_year_suffix", False):
        Date_Part.process = _year_suffix_part(Date_Part.process)


def _year_suffix_date(original_date: Callable[..., Any]) -> Callable[..., Any]:
    def render_date(self: Any, item: Any, *args: Any, **kwargs: Any) -> Any:
        suffix = ""
        if self.get("variable") == "issued" and not _prints_year_suffix(self):
            reference = getattr(item, "reference", None)
            suffix = str(reference.get("year_suffix", "")) if reference is not None else ""
        _PENDING_SUFFIX[:] = [suffix] if suffix else []
        try:
            return original_date(self, item, *args, **kwargs)
        finally:
            _PENDING_SUFFIX.clear()

    render_date.briefgen_year_suffix = True  # type: ignore[attr-defined]
    return render_date


def _year_suffix_part(original_part: Callable[..., Any]) -> Callable[..., Any]:
    def process_part(self: Any, date: Any, context: Any = None) -> Any:
        text = original_part(self, date, context)
        if _PENDING_SUFFIX and self.get("name") == "year" and text:
            text = f"{text}{_PENDING_SUFFIX.pop()}"
        return text

    process_part.briefgen_year_suffix = True  # type: ignore[attr-defined]
    return process_part


def _prints_year_suffix(element: Any) -> bool:
    """Whether the element's style prints ``year-suffix`` itself (then it is not added)."""
    root = element.getroottree().getroot()
    found = _EXPLICIT_SUFFIX.get(root)
    if found is None:
        found = bool(root.xpath(".//cs:text[@variable='year-suffix']", namespaces=NS))
        _EXPLICIT_SUFFIX[root] = found
    return found


_EXPLICIT_SUFFIX: dict[Any, bool] = {}
