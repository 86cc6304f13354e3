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

# Each module registers its fixes on import; ``registry.ORDER`` says in which order they apply.
from briefgen.format.fixes import (  # noqa: F401
    conditions,
    groups,
    names,
    positions,
    ranges,
    sorting,
    substitution,
    text,
)
from briefgen.format.fixes.registry import (
    FIXES,
    ORDER,
    Fix,
    applied_fixes,
    apply_fixes,
    revert_fixes,
    without_fixes,
)

FIXES.sort(key=lambda fix: ORDER.index(fix.name))

__all__ = ["FIXES", "ORDER", "Fix", "applied_fixes", "apply_fixes", "revert_fixes", "without_fixes"]
