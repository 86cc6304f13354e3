"""Substitution: a variable used as a substitute is suppressed; substitute names inherit."""

from __future__ import annotations

from typing import Any

from briefgen.format.fixes.registry import _fix, _model

# Substitution ----------------------------------------------------------------------------------

_SUPPRESSED_KEY = "briefgen_substituted"
# Variables rendered by each ``cs:substitute`` child now rendering (innermost last). citeproc-py
# keeps its rendering state on the style tree, so it is single-threaded anyway.
_recording: list[set[str]] = []
_NOTHING: frozenset[str] = frozenset()


def _layout_of(element: Any, context: Any) -> Any:
    try:
        return (context if context is not None else element).get_layout()
    except IndexError:  # a macro rendered without a context: not inside a layout
        return None


def _suppressed(element: Any, item: Any, context: Any) -> frozenset[str] | set[str]:
    """The variables a substitute rendered earlier in this rendering of ``item``."""
    found = item.get(_SUPPRESSED_KEY) if isinstance(item, dict) else None
    if found is None:  # the common case, decided without an XPath query
        return _NOTHING
    repressed, variables = found
    # citeproc-py resets ``layout.repressed`` before each item (and each sort key), so its
    # identity tells whether the record belongs to the rendering now under way.
    layout = _layout_of(element, context)
    if layout is None or getattr(layout, "repressed", None) is not repressed:
        return _NOTHING
    assert isinstance(variables, set)
    return variables


def _rendered(variable: str) -> None:
    for variables in _recording:
        variables.add(variable)


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

    def text_variable_(self: Any, item: Any, context: Any) -> Any:
        variable = _base_variable(self.get("variable"))
        if variable in _suppressed(self, item, context):
            return None
        text = text_variable(self, item, context)
        if text:
            _rendered(variable)
        return text

    def number_process_(self: Any, item: Any, context: Any = None, **kwargs: Any) -> Any:
        variable = self.get("variable")
        if variable in _suppressed(self, item, context):
            return None
        text = number_process(self, item, context=context, **kwargs)
        if text:
            _rendered(variable)
        return text

    def date_process_(
        self: Any, item: Any, variable: Any = None, show_parts: Any = None, context: Any = None,
        **kwargs: Any,
    ) -> Any:
        name = variable or self.get("variable")
        if not self.is_locale_date() and name in _suppressed(self, item, context):
            return None
        text = date_process(self, item, variable, show_parts, context, **kwargs)
        if text:
            _rendered(name)
        return text

    def names_process_(self: Any, item: Any, *args: Any, context: Any = None, **kwargs: Any) -> Any:
        roles = self.get("variable", "").split()
        suppressed = _suppressed(self, item, context)
        kept = [role for role in roles if role not in suppressed]
        if len(kept) == len(roles):
            text = names_process(self, item, *args, context=context, **kwargs)
        else:
            # citeproc-py reads the roles from the element: render as if only ``kept`` were
            # asked for (nothing, hence the substitute, when every role is suppressed).
            self.set("variable", " ".join(kept) or "briefgen-none")
            try:
                text = names_process(self, item, *args, context=context, **kwargs)
            finally:
                self.set("variable", " ".join(roles))
        if text:
            for role in kept:
                if role in item.reference:
                    _rendered(role)
        return text

    def substitute_render(self: Any, item: Any, context: Any = None, **kwargs: Any) -> Any:
        for child in self.getchildren():
            _recording.append(set())
            try:
                if isinstance(child, model.Names) and child.name is None:
                    names = self.xpath_search("./parent::cs:names[1]")[0]
                    text = child.render(item, names_context=names, context=context, **kwargs)
                else:
                    text = child.render(item, context=context, **kwargs)
            except model.VariableError:
                text = None
            finally:
                rendered = _recording.pop()
            if text:
                layout = _layout_of(self, context)
                if layout is not None and isinstance(item, dict):
                    repressed = getattr(layout, "repressed", None)
                    earlier = _suppressed(self, item, context)
                    dict.__setitem__(item, _SUPPRESSED_KEY, (repressed, set(earlier) | rendered))
                return text
        return None

    return [
        (model.Text, "_variable", text_variable_),
        (model.Number, "process", number_process_),
        (model.Date, "process", date_process_),
        (model.Names, "process", names_process_),
        (model.Substitute, "render", substitute_render),
    ]


# Substituted names -----------------------------------------------------------------------------


@_fix("substitute-names-inherit")
def _substitute_names_inherit() -> list[tuple[type[Any], str, Any]]:
    """A childless ``cs:names`` anywhere in ``cs:substitute`` takes the original's name options.

    CSL 1.0.2, *Substitute*: "A shorthand version of cs:names without child elements, which
    inherits the attributes values set on the cs:name and cs:et-al child elements of the
    original cs:names element, may also be used." citeproc-py passes the original only to the
    direct children of ``cs:substitute``; a shorthand inside a ``cs:choose`` there (Chicago's
    editor-only books) got a default ``cs:name`` and no label: "J. E. Stiglitz, P.-A. Muet." for
    "Stiglitz, Joseph E., and Pierre-Alain Muet, eds." We give it the enclosing ``cs:names``,
    whose ``cs:name``, ``cs:et-al`` and ``cs:label`` it then renders with, as Pandoc does.
    """
    model = _model()
    names_process = model.Names.process

    def names_process_(self: Any, item: Any, names_context: Any = None, **kwargs: Any) -> Any:
        if names_context is None and not any(isinstance(child.tag, str) for child in self):
            found = self.xpath_search("./ancestor::cs:substitute[1]/parent::cs:names[1]")
            names_context = found[0] if found else None
        return names_process(self, item, names_context=names_context, **kwargs)

    return [(model.Names, "process", names_process_)]
