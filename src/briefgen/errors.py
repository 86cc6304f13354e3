"""Errors and diagnostics: every problem carries the place in the user's files it comes from."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True, order=True)
class Location:
    """A place in a user's file."""

    path: Path
    """The file, as given (relative to the project root where possible)."""
    line: int | None = None
    """1-based line number, or None when the whole file is meant."""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line is not None else str(self.path)


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in the user's input."""

    message: str
    """One sentence that quotes the bad value and says what was expected."""
    location: Location | None = None
    """Where the problem is; None for problems of the project as a whole."""
    severity: Severity = Severity.ERROR

    def format(self) -> str:
        """Format as ``path:line: [warning: ]message``, the one place this is done."""
        prefix = f"{self.location}: " if self.location is not None else ""
        kind = "warning: " if self.severity is Severity.WARNING else ""
        return f"{prefix}{kind}{self.message}"


class BriefgenError(Exception):
    """Root of every error briefgen reports to its user (never shown as a traceback)."""

    exit_code = 1

    def __init__(self, message: str, location: Location | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return [Diagnostic(self.message, self.location)]

    def format_message(self) -> str:
        return "\n".join(d.format() for d in self.diagnostics)


class ConfigError(BriefgenError):
    """The project configuration (``[tool.briefgen]``) is invalid."""


class RenderError(BriefgenError):
    """A template failed to render."""


class UsageError(BriefgenError):
    """The command line was used wrongly."""

    exit_code = 2


@dataclass(slots=True)
class Diagnostics:
    """Problems gathered across a whole run, so they can all be reported at once."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(self, message: str, location: Location | None = None) -> None:
        self.items.append(Diagnostic(message, location, Severity.ERROR))

    def warning(self, message: str, location: Location | None = None) -> None:
        self.items.append(Diagnostic(message, location, Severity.WARNING))

    def extend(self, other: Iterable[Diagnostic]) -> None:
        self.items.extend(other)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.WARNING]

    def raise_if_failed(self, *, strict: bool = False) -> None:
        """Raise one :class:`BuildFailed` holding every error (and warnings, when strict)."""
        failing = self.items if strict else self.errors
        if failing:
            raise BuildFailed(failing)


class BuildFailed(BriefgenError):
    """Several problems, reported together."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__(f"{len(diagnostics)} problem(s) found")
        self._diagnostics = sorted(
            diagnostics,
            key=lambda d: (str(d.location.path), d.location.line or 0) if d.location else ("", 0),
        )

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return list(self._diagnostics)
