"""Groups suppressed when their variables are empty, and labels."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from briefgen.format.fixes.registry import _fix, _model

# Groups ----------------------------------------------------------------------------------------


@dataclass(slots=True)
class _VariableCount:
    """Variables looked up so far while rendering, and how many of them printed something."""

    called: int = 0
    nonempty: int = 0

    def add(self, text: Any) -> None:
        self.called += 1
        if text or text == 0:
            self.nonempty += 1


# Running totals; a group compares them before and after its children render. citeproc-py is
# single-threaded (its rendering state lives on the style tree), so one counter will do.
_variables = _VariableCount()


@_fix("group-suppression")
def _group_suppression() -> list[tuple[type[Any], str, Any]]:
    """A ``cs:group`` is suppressed when the variables it rendered were all empty.

    CSL 1.0.2, *Group*: "cs:group and its child elements are suppressed if a) at least one
    rendering element in cs:group calls a variable (either directly or via a macro), and b) all
    variables that are called are empty"; a non-empty ``cs:macro`` counts as a non-empty
    variable. citeproc-py decides from the style tree instead: a ``cs:choose`` (or a nested
    group) "calls a variable" if any of its branches could, so a group whose chosen branch
    printed only a term survives with its variables empty (APA's "(Publication)" before a
    thesis genre, IEEE's "[Online]" before "Available:", Chicago's "Edition." after a
    newspaper article). We count the variables actually looked up while the group renders (as
    Pandoc's citeproc does): conditions and labels do not call a variable, text, number,
    date and names elements do. Where citeproc-js differs (for it a nested group printing only
    text makes the outer group non-empty: the CSL suite's
    ``variables_TitleShortOnShortTitleNoTitleCondition``, which this fix fails), we follow
    Pandoc, whose IEEE omits "[Online]" for that reason.
    """
    model = _model()
    text_variable = model.Text._variable
    text_process = model.Text.process
    number_process = model.Number.process
    date_process = model.Date.process
    names_process = model.Names.process
    VariableError = model.VariableError
    Choose = model.Choose

    def counted(lookup: Callable[[], Any]) -> Any:
        try:
            text = lookup()
        except VariableError:
            _variables.add(None)
            raise
        _variables.add(text)
        return text

    def text_variable_(self: Any, item: Any, context: Any) -> Any:
        if self.get("variable") in model.Text.generated_variables:
            return text_variable(self, item, context)
        return counted(lambda: text_variable(self, item, context))

    def text_process_(self: Any, item: Any, context: Any = None, **kwargs: Any) -> Any:
        if "macro" not in self.attrib:
            return text_process(self, item, context=context, **kwargs)
        called, nonempty = _variables.called, _variables.nonempty
        text, language = text_process(self, item, context=context, **kwargs)
        if _variables.called > called and _variables.nonempty == nonempty:
            text = None  # a macro is a group of its own, as in Pandoc's citeproc
        elif text:
            _variables.add(text)  # CSL: a non-empty macro is a non-empty variable
        return text, language

    def number_process_(self: Any, item: Any, context: Any = None, **kwargs: Any) -> Any:
        return counted(lambda: number_process(self, item, context=context, **kwargs))

    def date_process_(self: Any, item: Any, *args: Any, **kwargs: Any) -> Any:
        if self.is_locale_date():  # counted once, by the style's cs:date that asked for it
            return date_process(self, item, *args, **kwargs)
        return counted(lambda: date_process(self, item, *args, **kwargs))

    def names_process_(self: Any, item: Any, *args: Any, **kwargs: Any) -> Any:
        return counted(lambda: names_process(self, item, *args, **kwargs))

    def group_process(self: Any, item: Any, context: Any = None, **kwargs: Any) -> Any:
        called, nonempty = _variables.called, _variables.nonempty
        output = []
        # A group's delimiter also delimits the children of a cs:choose child (citeproc-py's
        # own Group.process does the same).
        delimiter = self.get("delimiter", "")
        for child in self.iterchildren():
            try:
                if isinstance(child, Choose):
                    text = child.render(item, context=context, delimiter=delimiter, **kwargs)
                else:
                    text = child.render(item, context=context, **kwargs)
            except VariableError:
                continue
            if text is not None:
                output.append(text)
        all_empty = _variables.called > called and _variables.nonempty == nonempty
        if not output or all_empty:
            raise VariableError
        return self.join(output)

    return [
        (model.Text, "_variable", text_variable_),
        (model.Text, "process", text_process_),
        (model.Number, "process", number_process_),
        (model.Date, "process", date_process_),
        (model.Names, "process", names_process_),
        (model.Group, "process", group_process),
    ]


# Labels ----------------------------------------------------------------------------------------


@_fix("label-of-empty-variable")
def _label_of_empty_variable() -> list[tuple[type[Any], str, Any]]:
    """A ``cs:label`` prints nothing when its variable is empty.

    CSL 1.0.2, *Label*: "The term is only rendered if the selected variable is non-empty".
    citeproc-py prints the term whatever the variable holds: a ``<label variable="page"/>``
    outside a group gives "p." for a work without pages, and a locator label prints for a
    cite without a locator. Labels that ``cs:names`` renders for its names are not affected.
    """
    model = _model()
    label_process = model.Label.process

    def label_process_(
        self: Any, item: Any, variable: Any = None, plural: Any = None, **kwargs: Any
    ) -> Any:
        if variable is None:  # a cs:label of its own, not one a cs:names renders
            name = self.get("variable", "")
            if name == "locator":
                if not getattr(item, "has_locator", False):
                    return None
            elif not item.reference.get(name.replace("-", "_")):
                return None
        return label_process(self, item, variable, plural, **kwargs)

    return [(model.Label, "process", label_process_)]


@_fix("label-plural-number-of")
def _label_plural_number_of() -> list[tuple[type[Any], str, Any]]:
    """The label of ``number-of-pages`` and ``number-of-volumes`` is plural above 1.

    CSL 1.0.2, *Label* (``plural="contextual"``): content is plural "in the case of the
    “number-of-pages” and “number-of-volumes” variables, when the number is higher than 1 (“1
    volume” and “3 volumes”)". citeproc-py looks the number up on the cite instead of the
    reference, which raises, so the label disappeared: "2" for "2 volumes".
    """
    model = _model()
    is_plural = model.Label._is_plural

    def is_plural_(self: Any, item: Any) -> bool:
        variable = self.get("variable") or ""
        if variable.startswith("number-of"):
            value = str(item.reference.get(variable.replace("-", "_"), "")).strip()
            if value.isdigit():
                return int(value) > 1
        return bool(is_plural(self, item))

    return [(model.Label, "_is_plural", is_plural_)]


@_fix("no-name-labels-in-sort-keys")
def _no_name_labels_in_sort_keys() -> list[tuple[type[Any], str, Any]]:
    """A sort key made from names leaves out the names' label ("ed.").

    CSL 1.0.2, *Sorting*: names in a macro key sort by the names, in sort order; the CSL
    test-suite (``sort_DropNameLabelInSort``) and Pandoc's citeproc leave the ``cs:label`` of
    ``cs:names`` out of the key. citeproc-py keeps it, so "Doe, John ed." sorts between "Doe,
    John Eamon" and "Doe, John Egbert" instead of before both.
    """
    model = _model()
    label_process = model.Label.process

    def label_process_(
        self: Any, item: Any, variable: Any = None, plural: Any = None, **kwargs: Any
    ) -> Any:
        if variable is not None and kwargs.get("sort_options") is not None:
            return None  # a label cs:names renders, while a sort key renders
        return label_process(self, item, variable, plural, **kwargs)

    return [(model.Label, "process", label_process_)]
