"""``briefgen lint``: the checks that need no network, fast enough for an editor or pre-commit.

It reads the project with the pipeline's own stages (content, markdown, bibliography, resolve:
:func:`gather`), then runs each rule of :data:`~briefgen.lint.rules.RULES` over the result. It
never formats a citation, so neither CSL styles, citeproc-py nor httpx are imported.
"""

from __future__ import annotations

from briefgen.lint.findings import Finding, LintInput, LintSeverity, gather
from briefgen.lint.rules import RULES, Rule, lint

__all__ = ["RULES", "Finding", "LintInput", "LintSeverity", "Rule", "gather", "lint"]
