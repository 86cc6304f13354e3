"""The machinery of the fixes: a registry of named patches, applied and reverted as a whole."""


from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Fix:
    """One correction: a name and the methods it replaces."""

    name: str
    """Short identifier, e.g. ``"substitute-suppression"``."""
    summary: str
    """What citeproc-py gets wrong and what CSL says (the patching function's docstring)."""
    patches: Callable[[], list[tuple[type[Any], str, Any]]]
    """Returns ``(class, attribute, replacement)`` triples; called when the fix is applied."""


_MISSING = object()
# (class, attribute) → the original value (or _MISSING), for every attribute we replaced.
_originals: dict[tuple[type[Any], str], Any] = {}
_applied: list[str] = []


def _model() -> Any:
    from citeproc import model

    return model


FIXES: list[Fix] = []

ORDER = (
    "substitute-suppression",
    "initials",
    "text-case-on-formatted-text",
    "strip-periods-on-numbers",
    "positions",
    "no-bibliography",
    "disambiguate-condition",
    "is-numeric-locator",
    "group-suppression",
    "title-case",
    "substitute-names-inherit",
    "page-range-format",
    "date-ranges",
    "and-others",
    "sort-key-text",
    "subsequent-author-substitute",
    "capitalize-lowercase-words",
    "is-numeric-lists",
    "label-of-empty-variable",
    "label-plural-number-of",
    "no-name-labels-in-sort-keys",
    "season-months",
    "after-inverted-name",
)
"""The order fixes are applied in. It matters: several patch the same method (``Names.process``,
``TextCased.case``...), each wrapping what the ones before installed."""


def _fix(name: str) -> Callable[[Callable[[], list[tuple[type[Any], str, Any]]]], Fix]:
    """Register the decorated patch factory as the fix ``name``."""

    def register(patches: Callable[[], list[tuple[type[Any], str, Any]]]) -> Fix:
        if name not in ORDER:
            raise ValueError(f"fix {name!r} has no place in ORDER")
        fix = Fix(name, (patches.__doc__ or "").strip(), patches)
        FIXES.append(fix)
        return fix

    return register


def apply_fixes(only: Iterable[str] | None = None) -> None:
    """Install our fixes into citeproc-py (all, or those named in ``only``); idempotent."""
    wanted = None if only is None else set(only)
    unknown = (wanted or set()) - {fix.name for fix in FIXES}
    if unknown:
        raise ValueError(f"unknown citeproc-py fix {sorted(unknown)[0]!r}")
    for fix in sorted(FIXES, key=lambda fix: ORDER.index(fix.name)):
        if fix.name in _applied or (wanted is not None and fix.name not in wanted):
            continue
        for owner, attribute, replacement in fix.patches():
            key = (owner, attribute)
            if key not in _originals:
                _originals[key] = vars(owner).get(attribute, _MISSING)
            setattr(owner, attribute, replacement)
        _applied.append(fix.name)


def revert_fixes() -> None:
    """Restore citeproc-py's own behaviour."""
    for (owner, attribute), original in _originals.items():
        if original is _MISSING:
            if attribute in vars(owner):
                delattr(owner, attribute)
        else:
            setattr(owner, attribute, original)
    _originals.clear()
    _applied.clear()


def applied_fixes() -> list[str]:
    """Names of the fixes currently installed, in the order they were applied."""
    return list(_applied)


@contextmanager
def without_fixes() -> Iterator[None]:
    """Run the block with citeproc-py's own behaviour, then re-apply what was applied."""
    previously = applied_fixes()
    revert_fixes()
    try:
        yield
    finally:
        if previously:
            apply_fixes(previously)
