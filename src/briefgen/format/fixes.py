"""Our corrections to citeproc-py, applied by patching the classes of its style tree.

citeproc-py builds a CSL style as a tree of lxml custom elements (``citeproc/model.py``), one
class per CSL element, so the practical way to correct how an element renders is to replace a
method on its class. Each fix below is small and named, and its docstring says what citeproc-py
gets wrong and what the CSL 1.0.2 specification says. ``apply_fixes()`` installs them all (it is
idempotent); ``revert_fixes()`` and ``without_fixes()`` restore citeproc-py's own behaviour so
tests and benchmarks can compare the two.

Written against citeproc-py 0.11.1; each patch replaces a whole method, so a new citeproc-py
release should be checked against the CSL test-suite (``benchmarks/csl_suite.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

__all__ = ["FIXES", "Fix", "apply_fixes", "applied_fixes", "revert_fixes", "without_fixes"]


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


def _fix(name: str) -> Callable[[Callable[[], list[tuple[type[Any], str, Any]]]], Fix]:
    """Register the decorated patch factory as the fix ``name``."""

    def register(patches: Callable[[], list[tuple[type[Any], str, Any]]]) -> Fix:
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
    for fix in FIXES:
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
