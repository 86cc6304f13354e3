"""What the lint rules read (:class:`LintInput`) and what they report (:class:`Finding`)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from briefgen.config import Config
from briefgen.errors import Diagnostic, Diagnostics, Location
from briefgen.model import Bibliography, ResolvedBrief


class LintSeverity(StrEnum):
    """How much a finding matters; ``info`` never fails a run, not even with ``--strict``."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem a lint rule found."""

    code: str
    """The rule's code, ``BG101``…, stable across releases (documented in ``rules.py``)."""
    severity: LintSeverity
    location: Location | None
    """Where to fix it (``path:line``); None for problems of the project as a whole."""
    message: str
    """One sentence that quotes the bad value."""
    hint: str = ""
    """What to do about it, in a few words."""


@dataclass(frozen=True, slots=True)
class LintInput:
    """A project as the pipeline reads it, before anything is formatted."""

    config: Config
    bibliography: Bibliography
    briefs: tuple[ResolvedBrief, ...]
    diagnostics: tuple[Diagnostic, ...]
    """What reading and resolving reported (unknown keys, unparseable BibTeX, bad front
    matter…): the same problems ``briefgen build`` reports, given codes by the rules."""


def gather(config: Config) -> LintInput:
    """Read, parse and resolve every brief as ``briefgen build`` does, keeping every problem."""
    # Imported here so that `briefgen --help` does not load the Markdown parser.
    from briefgen.bibliography import load_bibliography
    from briefgen.build import resolve_brief
    from briefgen.content import load_briefs

    diagnostics = Diagnostics()
    bibliography = load_bibliography(config.bibliography, root=config.root, diagnostics=diagnostics)
    briefs = load_briefs(config, diagnostics)
    resolved = tuple(resolve_brief(brief, bibliography, config, diagnostics) for brief in briefs)
    return LintInput(config, bibliography, resolved, tuple(diagnostics.items))
