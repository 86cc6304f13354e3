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

import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

__all__ = ["FIXES", "Fix", "applied_fixes", "apply_fixes", "revert_fixes", "without_fixes"]


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


# Substitution ----------------------------------------------------------------------------------

_SUBSTITUTION_KEY = "briefgen:substitution"


class _Substitution:
    """Per-item record of the variables a ``cs:substitute`` rendered (and so suppressed)."""

    __slots__ = ("recording", "suppressed")

    def __init__(self) -> None:
        self.suppressed: set[str] = set()
        self.recording: list[set[str]] = []

    def rendered(self, variable: str) -> None:
        for variables in self.recording:
            variables.add(variable)


def _substitution(element: Any, context: Any) -> _Substitution | None:
    """The substitution record of the item being rendered, or None outside a layout."""
    try:
        layout = (context if context is not None else element).get_layout()
    except IndexError:
        return None
    # citeproc-py resets ``layout.repressed`` to {} before each item (and each sort key), so
    # keeping our record there scopes it to exactly one rendering of one item.
    repressed = getattr(layout, "repressed", None)
    if repressed is None:
        return None
    record = repressed.get(_SUBSTITUTION_KEY)
    if record is None:
        record = repressed[_SUBSTITUTION_KEY] = _Substitution()
    assert isinstance(record, _Substitution)
    return record


def _base_variable(variable: str) -> str:
    return variable.removesuffix("-short")


@_fix("substitute-suppression")
def _substitute_suppression() -> list[tuple[type[Any], str, Any]]:
    """A variable rendered by ``cs:substitute`` is suppressed in the rest of the item.

    CSL 1.0.2, *Substitute*: "Substituted variables are considered empty for the remainder of
    the rendering". citeproc-py only remembers the direct child of ``cs:substitute`` by tag and
    ``variable`` attribute, so ``<text macro="title"/>`` (the usual substitute for a missing
    author) suppresses nothing and the title prints twice; names and dates are never
    suppressed. We record every variable (text, number, date, names) actually rendered while a
    substitute child renders, and treat those variables as empty afterwards.
    """
    model = _model()
    text_variable = model.Text._variable
    number_process = model.Number.process
    date_process = model.Date.process
    names_process = model.Names.process

    def suppressed(element: Any, variable: str, context: Any) -> _Substitution | bool | None:
        record = _substitution(element, context)
        return True if record is not None and variable in record.suppressed else record

    def text_variable_(self: Any, item: Any, context: Any) -> Any:
        variable = _base_variable(self.get("variable"))
        record = suppressed(self, variable, context)
        if record is True:
            return None
        text = text_variable(self, item, context)
        if isinstance(record, _Substitution) and text:
            record.rendered(variable)
        return text

    def number_process_(self: Any, item: Any, context: Any = None, **kwargs: Any) -> Any:
        variable = self.get("variable")
        record = suppressed(self, variable, context)
        if record is True:
            return None
        text = number_process(self, item, context=context, **kwargs)
        if isinstance(record, _Substitution) and text:
            record.rendered(variable)
        return text

    def date_process_(
        self: Any, item: Any, variable: Any = None, show_parts: Any = None, context: Any = None,
        **kwargs: Any,
    ) -> Any:
        if self.is_locale_date():  # rendering on behalf of a style cs:date, checked there
            return date_process(self, item, variable, show_parts, context, **kwargs)
        name = variable or self.get("variable")
        record = suppressed(self, name, context)
        if record is True:
            return None
        text = date_process(self, item, variable, show_parts, context, **kwargs)
        if isinstance(record, _Substitution) and text:
            record.rendered(name)
        return text

    def names_process_(self: Any, item: Any, *args: Any, context: Any = None, **kwargs: Any) -> Any:
        record = _substitution(self, context)
        roles = self.get("variable", "").split()
        if record is None:
            return names_process(self, item, *args, context=context, **kwargs)
        kept = [role for role in roles if role not in record.suppressed]
        present = [role for role in kept if role in item.reference]
        if len(kept) == len(roles):
            text = names_process(self, item, *args, context=context, **kwargs)
        else:
            # Render as if the suppressed roles were absent: ask with the remaining ones.
            original = self.get("variable")
            self.set("variable", " ".join(kept) or "briefgen-none")
            try:
                text = names_process(self, item, *args, context=context, **kwargs)
            finally:
                self.set("variable", original)
        if text:
            for role in present:
                record.rendered(role)
        return text

    def substitute_render(self: Any, item: Any, context: Any = None, **kwargs: Any) -> Any:
        record = _substitution(self, context)
        for child in self.getchildren():
            if record is not None:
                record.recording.append(set())
            try:
                if isinstance(child, model.Names) and child.name is None:
                    names = self.xpath_search("./parent::cs:names[1]")[0]
                    text = child.render(item, names_context=names, context=context, **kwargs)
                else:
                    text = child.render(item, context=context, **kwargs)
            except model.VariableError:
                text = None
            finally:
                rendered = record.recording.pop() if record is not None else set()
            if text:
                if record is not None:
                    record.suppressed |= rendered
                return text
        return None

    return [
        (model.Text, "_variable", text_variable_),
        (model.Number, "process", number_process_),
        (model.Date, "process", date_process_),
        (model.Names, "process", names_process_),
        (model.Substitute, "render", substitute_render),
    ]


# Names -----------------------------------------------------------------------------------------


def _inherited_name_option(name: Any, option: str, context: Any, default: str) -> str:
    """A name option set on ``cs:name``, else on its citation/bibliography, else on the style."""
    value = name.get(option)
    if value is None:
        try:
            expression = "./ancestor::*[self::cs:citation or self::cs:bibliography][1]"
            owner = (context if context is not None else name).xpath_search(expression)[0]
            value = owner.get(option)
        except IndexError:
            value = None
    if value is None:
        value = name.get_root().get(option, default)
    return str(value)


_GIVEN_TOKEN = re.compile(r"-|[^\s.-]+\.?")


def _initials(given: str, mark: str, *, initialize: bool, hyphenate: bool) -> str:
    """Given names with initials punctuated by ``mark`` (and initialized if ``initialize``).

    An initial is a single upper-case letter or an abbreviation ending in a period ("Ph.",
    "Me."): it is kept and followed by ``mark``. Other words ("John", "ME") become their first
    letter and ``mark`` when initializing, and stay whole otherwise; lower-case words (particles
    such as "de") are never initialized. Hyphens stay between initials if ``hyphenate``.
    """
    out = ""
    for token in _GIVEN_TOKEN.findall(given):
        if token == "-":
            out = out.rstrip() + "-" if hyphenate else out
            continue
        stem = token.rstrip(".")
        if token.endswith(".") or (len(stem) == 1 and stem.isupper()):
            out += stem + mark
        elif initialize and stem[:1].isupper():
            out += stem[0] + mark
        else:
            # A whole word stands apart from its neighbours, whatever the mark.
            space = " " if out and not out.endswith((" ", "-")) else ""
            out += space + stem + " "
    return re.sub(r"\s+", " ", out).strip()


@_fix("initials")
def _initials_fix() -> list[tuple[type[Any], str, Any]]:
    """``initialize="false"`` keeps given names whole; abbreviations are not cut to one letter.

    CSL 1.0.2, ``initialize``: when "false", "given names are no longer initialized when
    initialize-with is set. However, the value of initialize-with is still added after initials
    present in the full name (e.g. with initialize set to false, initialize-with set to "." and
    initialize-with-hyphen set to false, "James T Kirk" becomes "James T. Kirk")". citeproc-py
    ignores the attribute and always initializes ("John M.E." becomes "J.M.E."). It also cuts
    abbreviated given names ("Ph.", "Me.") to one letter, where citeproc-js and the test-suite
    keep them ("Ph.M.E.").
    """
    model = _model()

    def initialize_(self: Any, given: Any, mark: str, context: Any) -> Any:
        initialize = _inherited_name_option(self, "initialize", context, "true")
        hyphenate = _inherited_name_option(self, "initialize-with-hyphen", context, "true")
        return _initials(
            str(given), mark, initialize=initialize.lower() != "false",
            hyphenate=hyphenate.lower() != "false",
        )

    return [(model.Name, "initialize", initialize_)]
