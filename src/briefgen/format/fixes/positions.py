"""Positions (first, subsequent, ibid, near-note) and styles without a bibliography."""

from __future__ import annotations

from typing import Any

from briefgen.format.fixes.registry import _fix, _model

# Positions -------------------------------------------------------------------------------------


def _same_locator(first: Any, second: Any) -> bool:
    return bool(
        str(first.label) == str(second.label)
        and str(first.identifier) == str(second.identifier)
    )


def _note_number(citation: Any) -> int | None:
    number = citation.get("note_index") if isinstance(citation, dict) else None
    return int(number) if isinstance(number, int | str) and str(number).isdigit() else None


@_fix("positions")
def _positions() -> list[tuple[type[Any], str, Any]]:
    """``near-note`` reads its distance from ``cs:citation``; equal locators make ``ibid``.

    CSL 1.0.2, *Position*: ``near-note-distance`` is an option of ``cs:citation`` (default 5);
    citeproc-py looks it up on ``cs:style`` and raises ``KeyError: 'near-note-distance'`` for
    every style that tests ``position="near-note"``. The distance is counted in notes: when
    citations carry a ``note_index`` we use it (citeproc-py counts citations). And a cite with
    the same locator as the cite it follows is "ibid", not "ibid-with-locator": citeproc-py
    compares ``Locator`` objects by identity, so equal locators always differed.
    """
    model = _model()

    def position(self: Any, item: Any, context: Any) -> list[bool]:
        if context is None:
            context = self
        if context.xpath_search("./ancestor::*[self::cs:bibliography]"):
            return [False]
        citation_element = context.get_layout().getparent()
        cites = citation_element.cites
        last_cite: Any = cites[-1] if cites else None
        already_cited = any(item.key == cite.key for cite in cites)
        possibly_ibid = (
            already_cited
            and last_cite is not None
            and item.key == last_cite.key
            and (item.citation is last_cite.citation or len(last_cite.citation.cites) == 1)
        )
        results = []
        for test in self.get("position").split():
            result = False
            if test == "first":
                result = not already_cited
            elif test == "subsequent":
                result = already_cited
            elif possibly_ibid and test == "ibid":
                result = item.has_locator or not last_cite.has_locator
            elif possibly_ibid and test == "ibid-with-locator":
                result = item.has_locator and (
                    not last_cite.has_locator or not _same_locator(item.locator, last_cite.locator)
                )
            elif already_cited and test == "near-note":
                result = _near_note(item, cites, int(citation_element.get_option(
                    "near-note-distance")))
            results.append(result)
        return results

    return [(model.If, "_position", position)]


def _near_note(item: Any, cites: list[Any], distance: int) -> bool:
    """Whether ``item`` was cited within ``distance`` notes (or citations) before this one."""
    here = _note_number(item.citation)
    citations = 1
    last_citation = None
    for cite in reversed(cites):
        there = _note_number(cite.citation)
        if item.key == cite.key:
            if here is not None and there is not None:
                return 0 <= here - there <= distance
            return citations <= distance
        if cite.citation is not last_citation:
            citations += 1
            last_citation = cite.citation
    return False


@_fix("no-bibliography")
def _no_bibliography() -> list[tuple[type[Any], str, Any]]:
    """A style without ``cs:bibliography`` has an empty bibliography.

    CSL 1.0.2, *Bibliography*: the element is optional (note styles such as
    ``bluebook-law-review`` have none). citeproc-py's ``bibliography()`` and ``sort()`` call
    methods on the missing element and raise ``AttributeError: 'NoneType' object has no
    attribute 'render'``.
    """
    from citeproc import frontend

    style_class = frontend.CitationStylesStyle
    sort_bibliography = style_class.sort_bibliography
    render_bibliography = style_class.render_bibliography

    def sort_(self: Any, citation_items: Any) -> Any:
        if self.root.bibliography is None:
            return citation_items
        return sort_bibliography(self, citation_items)

    def render_(self: Any, citation_items: Any) -> Any:
        if self.root.bibliography is None:
            return []
        return render_bibliography(self, citation_items)

    return [
        (style_class, "sort_bibliography", sort_),
        (style_class, "render_bibliography", render_),
    ]
