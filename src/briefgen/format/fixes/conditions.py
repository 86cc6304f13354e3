"""Conditions: disambiguate, is-numeric for the locator and for ranges and lists."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from briefgen.format.fixes.registry import _fix, _model

# Disambiguation -------------------------------------------------------------------------------


@_fix("disambiguate-condition")
def _disambiguate_condition() -> list[tuple[type[Any], str, Any]]:
    """``disambiguate="true"`` holds only for a cite that is ambiguous without it.

    CSL 1.0.2, *Choose*: the condition "only tests true when disambiguation is needed". citeproc-py
    ignores the attribute, so ``<if disambiguate="true">`` always held: every short note carried
    its title and year. Whether a cite is ambiguous is a fact about the whole document, which
    citeproc-py does not track: our processor (``briefgen.format.engine``) decides it and sets
    ``briefgen_disambiguate`` on every item it renders. Items without that key (citeproc-py used
    on its own, as in the CSL test-suite) keep citeproc-py's behaviour.
    """
    model = _model()
    original: Callable[..., Any] = model.If.render
    ConditionFailed = model.ConditionFailed

    def render(
        self: Any, item: Any, context: Any = None, delimiter: str = "", **kwargs: Any
    ) -> Any:
        decided = isinstance(item, dict) and "briefgen_disambiguate" in item
        if "disambiguate" not in self.attrib or not decided:
            return original(self, item, context=context, delimiter=delimiter, **kwargs)
        # citeproc-py's If.render, with the disambiguate test added to the others.
        results: list[bool] = []
        tests = (("type", self._type), ("variable", self._variable),
                 ("is-numeric", self._is_numeric), ("is-uncertain-date", self._is_uncertain_date),
                 ("locator", self._locator))  # fmt: skip
        for attribute, test in tests:
            if attribute in self.attrib:
                results += test(item)
        if "position" in self.attrib:
            results += self._position(item, context)
        flagged = bool(item["briefgen_disambiguate"])
        results.append(flagged == (self.get("disambiguate") == "true"))
        match = self.get("match")
        passed = (
            any(results) if match == "any" else not any(results) if match == "none"
            else all(results)
        )  # fmt: skip
        if not passed:
            raise ConditionFailed
        return self.render_children(item, context=context, delimiter=delimiter, **kwargs)

    return [(model.If, "render", render)]


# Conditions ------------------------------------------------------------------------------------


@_fix("is-numeric-locator")
def _is_numeric_locator() -> list[tuple[type[Any], str, Any]]:
    """``is-numeric="locator"`` tests the cite's locator.

    CSL 1.0.2, *Choose*: ``is-numeric`` tests any number variable, the locator included.
    citeproc-py looks the locator up among the reference's variables, where it never is, so the
    test always failed: Chicago's notes dropped the label of a numeric locator ("2" for
    "ch. 2").
    """
    model = _model()

    def is_numeric_(self: Any, item: Any) -> list[bool]:
        results = []
        for variable in self.get("is-numeric").split():
            if variable == "locator":
                locator = item.get("locator") if isinstance(item, dict) else None
                value = str(locator.identifier) if locator is not None else ""
            else:
                name = variable.replace("-", "_")
                value = str(item.reference[name]) if name in item.reference else ""
            results.append(bool(value) and bool(self.re_numeric.match(value)))
        return results

    return [(model.If, "_is_numeric", is_numeric_)]


# Numeric ranges and lists ----------------------------------------------------------------------

# A number with letters before or after it ("D2", "2b"), or several joined by hyphens, dashes,
# commas or ampersands ("2-4", "2, 3", "2 & 4").
_NUMERIC = re.compile(
    r"^\s*[^\W\d_]*\d+[^\W\d_]*\s*(?:[-\u2013,&]\s*[^\W\d_]*\d+[^\W\d_]*\s*)*$"
)


@_fix("is-numeric-lists")
def _is_numeric_lists() -> list[tuple[type[Any], str, Any]]:
    """``is-numeric`` holds for ranges and lists of numbers.

    CSL 1.0.2, *Choose*: content is numeric if it "solely consists of numbers. Numbers can have
    prefixes and suffixes ("D2", "2b", "L2d"), and may be separated by a comma, hyphen, or
    ampersand, with or without spaces ("2, 3", "2-4", "2 & 4")". citeproc-py accepts one number
    only, so MLA printed a statute's "101-549" without its label where Pandoc prints
    "nos. 101-549". We give the test (``If.re_numeric``) the spec's pattern.
    """
    model = _model()
    return [(model.If, "re_numeric", _NUMERIC)]
