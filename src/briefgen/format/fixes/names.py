"""Names: initials, 'and others', subsequent-author-substitute, delimiters after inverted names."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from briefgen.format.fixes.registry import _fix, _model

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


# "and others" ----------------------------------------------------------------------------------


def _ends_with_others(names: Any) -> bool:
    if not isinstance(names, list) or len(names) < 2:
        return False
    last = names[-1]
    return isinstance(last, dict) and last.get("literal") == "others"


@_fix("and-others")
def _and_others() -> list[tuple[type[Any], str, Any]]:
    """A name list ending in "others" (BibTeX's ``and others``) ends in "et al.".

    CSL 1.0.2, *Et-al*: et-al abbreviation ends a list with the ``et-al`` term; BibTeX writes a
    list known to be incomplete as ``A and B and others``, which converts to a last name whose
    literal is "others". citeproc-py prints it as a name ("Silva, P., Costa, M., & others");
    Pandoc's citeproc treats it as et-al abbreviation after the names before it: "Silva, P.,
    Costa, M., et al." (no "and"; the delimiter before "et al." as
    ``delimiter-precedes-et-al`` says, counting "others" as a name). A list long enough for
    the style's own et-al abbreviation is left to it.
    """
    model = _model()
    name_process = model.Name.process

    def name_process_(
        self: Any, item: Any, variable: Any, context: Any = None, sort_options: Any = None,
        **kwargs: Any,
    ) -> Any:
        reference = item.reference
        names = reference.get(variable)
        if not _ends_with_others(names) or self.get_option("form", context) == "count":
            return name_process(self, item, variable, context, sort_options, **kwargs)
        et_al_min = self.get_option("et-al-min", context, sort_options)
        if et_al_min and len(names) >= et_al_min:
            return name_process(self, item, variable, context, sort_options, **kwargs)
        options = {**(sort_options or {}), "and": None, "et-al-min": 0}
        dict.__setitem__(reference, variable, names[:-1])
        try:
            text = name_process(self, item, variable, context, options, **kwargs)
        finally:
            dict.__setitem__(reference, variable, names)
        if sort_options is not None or not text:
            return text  # no "et al." in a sort key (Pandoc's citeproc omits it too)
        precedes = self.get_option("delimiter-precedes-et-al", context, sort_options)
        sort_order = self.get_option("name-as-sort-order", context, sort_options)
        shown = len(names) - 1
        use_delimiter = (
            precedes == "always"
            or (precedes == "contextual" and len(names) > 2)
            or (precedes == "after-inverted-name"
                and (sort_order == "all" or (sort_order == "first" and shown < 2)))
        )  # fmt: skip
        delimiter = self.get_option("delimiter", context, sort_options)
        return text + (delimiter if use_delimiter else " ") + self.et_al()

    return [(model.Name, "process", name_process_)]


# Subsequent author substitute ------------------------------------------------------------------


@dataclass(slots=True)
class _AuthorSubstitution:
    """The bibliography entry now rendering: its first names, and the previous entry's."""

    rule: str
    """``subsequent-author-substitute-rule``."""
    substitute: str
    """``subsequent-author-substitute``, as written in the style."""
    previous: str | None
    """The names the previous entry printed first (None if it printed none)."""
    previous_names: list[Any] | None
    """The names (data) of the previous entry's first name variable, for the "-each" rules."""
    rendered: str | None = None
    """The names this entry printed first, once known."""
    names: list[Any] | None = None
    """The names (data) of this entry's first name variable, once known."""
    suppress: bool = False
    """Whether the first cs:names prints nothing (an empty substitute replaced its names)."""
    depth: int = 0
    """cs:names elements rendering now (one inside another's cs:substitute makes two)."""


# The entry rendering now (innermost last), while a bibliography with the option renders.
_author_substitutions: list[_AuthorSubstitution] = []


@_fix("subsequent-author-substitute")
def _subsequent_author_substitute() -> list[tuple[type[Any], str, Any]]:
    """``subsequent-author-substitute`` replaces names that repeat the previous entry's.

    CSL 1.0.2, *Reference Grouping*: "If set, the value of this attribute replaces names in a
    bibliographic entry that also occur in the preceding entry"; with the default rule,
    "complete-all", "when all rendered names of the name variable match those in the preceding
    bibliographic entry, the value of subsequent-author-substitute replaces the entire name
    list". citeproc-py ignores the option: MLA's second work by an author repeats the name
    where Pandoc prints "———". We compare the names of the first name variable each entry
    renders with the previous entry's and print the substitute for them; the label stays
    ("——— ed."), as the test-suite has it; an empty substitute leaves out the whole cs:names.
    When the first cs:names prints a substitute's text instead (a title), that text is
    compared. For the rules that substitute name by name ("complete-each": every name when all
    match; "partial-each": each name up to the first that differs; "partial-first": the first
    name only) we print the substitute in place of each matching name, between the usual
    delimiters; a substituted title is not replaced under these rules.
    """
    model = _model()
    from citeproc.source import Name as NameData

    render_bibliography = model.Layout.render_bibliography
    names_process = model.Names.process
    name_process = model.Name.process

    def render_bibliography_(self: Any, citation_items: Any) -> Any:
        bibliography = self.getparent()
        substitute = bibliography.get("subsequent-author-substitute")
        rule = bibliography.get("subsequent-author-substitute-rule", "complete-all")
        if substitute is None:
            return render_bibliography(self, citation_items)
        output = []
        previous: _AuthorSubstitution | None = None
        for item in citation_items:
            entry = _AuthorSubstitution(
                rule, substitute, previous.rendered if previous else None,
                previous.names if previous else None,
            )
            _author_substitutions.append(entry)
            try:
                output += render_bibliography(self, [item])
            finally:
                _author_substitutions.pop()
            previous = entry
        return output

    def names_process_(self: Any, item: Any, *args: Any, **kwargs: Any) -> Any:
        entry = _author_substitutions[-1] if _author_substitutions else None
        if entry is None or entry.rendered is not None or kwargs.get("sort_options") is not None:
            return names_process(self, item, *args, **kwargs)
        entry.depth += 1
        try:
            text = names_process(self, item, *args, **kwargs)
        finally:
            entry.depth -= 1
        if entry.depth or not text:
            return text
        if entry.suppress:
            return None
        if entry.rendered is None:  # no names: a substitute's text stands for them
            entry.rendered = str(text)
            if entry.rule == "complete-all" and entry.rendered == entry.previous:
                return self.preformat(entry.substitute) or None
        return text

    def matching(entry: _AuthorSubstitution, names: list[Any]) -> int:
        """How many of ``names``, from the first, the rule replaces."""
        previous = entry.previous_names or []
        if entry.rule == "complete-each":
            return len(names) if names == previous else 0
        same = 0
        for name, earlier in zip(names, previous, strict=False):
            if name != earlier:
                break
            same += 1
        return min(same, 1) if entry.rule == "partial-first" else same

    def name_process_(
        self: Any, item: Any, variable: Any, context: Any = None, sort_options: Any = None,
        **kwargs: Any,
    ) -> Any:
        entry = _author_substitutions[-1] if _author_substitutions else None
        if entry is None or entry.names is not None or sort_options is not None:
            return name_process(self, item, variable, context, sort_options, **kwargs)
        reference = item.reference
        names = list(reference.get(variable) or [])
        entry.names = names
        if entry.rule == "complete-all":
            text = name_process(self, item, variable, context, sort_options, **kwargs)
            entry.rendered = str(text)
            if isinstance(text, int) or not text or entry.rendered != entry.previous:
                return text
            entry.suppress = not entry.substitute
            return self.preformat(entry.substitute)
        count = matching(entry, names)
        if not count:
            return name_process(self, item, variable, context, sort_options, **kwargs)
        substituted = [NameData(literal=entry.substitute) for _ in range(count)]
        dict.__setitem__(reference, variable, substituted + names[count:])
        try:
            return name_process(self, item, variable, context, sort_options, **kwargs)
        finally:
            dict.__setitem__(reference, variable, names)

    return [
        (model.Layout, "render_bibliography", render_bibliography_),
        (model.Names, "process", names_process_),
        (model.Name, "process", name_process_),
    ]


# Delimiters after inverted names ---------------------------------------------------------------


@_fix("after-inverted-name")
def _after_inverted_name() -> list[tuple[type[Any], str, Any]]:
    """``delimiter-precedes-last`` and ``-et-al`` understand "after-inverted-name".

    CSL 1.0.2, *Name*: with "after-inverted-name" the delimiter "is only used if the preceding
    name is inverted as a result of the name-as-sort-order attribute" ("Doe, J., & Roe, J."
    with every name inverted; "Doe, John, and Jane Roe" with the first only). citeproc-py
    knows "contextual", "always" and "never" only, and treats the value as "never". We decide,
    for the name before the last (or before "et al."), whether it is inverted (a personal name
    that ``name-as-sort-order`` reaches) and render with "always" or "never" accordingly.
    """
    model = _model()
    name_process = model.Name.process

    def name_process_(
        self: Any, item: Any, variable: Any, context: Any = None, sort_options: Any = None,
        **kwargs: Any,
    ) -> Any:
        options = {
            option: self.get_option(option, context, sort_options)
            for option in ("delimiter-precedes-last", "delimiter-precedes-et-al")
        }
        if "after-inverted-name" not in options.values():
            return name_process(self, item, variable, context, sort_options, **kwargs)
        names = item.reference.get(variable) or []
        sort_order = self.get_option("name-as-sort-order", context, sort_options)
        long_form = self.get_option("form", context, sort_options) == "long"
        et_al_min = self.get_option("et-al-min", context, sort_options)
        use_first = self.get_option("et-al-use-first", context, sort_options)
        truncated = bool(et_al_min) and len(names) > 1 and len(names) >= et_al_min

        def inverted(index: int) -> bool:
            if not long_form or not 0 <= index < len(names) or "literal" in names[index]:
                return False
            return sort_order == "all" or (sort_order == "first" and index == 0)

        # The name before "et al.": the last one shown, or the one before BibTeX's "others".
        shown = use_first if truncated else len(names) - _ends_with_others(names)
        before = {"delimiter-precedes-last": len(names) - 2, "delimiter-precedes-et-al": shown - 1}
        saved = {option: self.get(option) for option in options}
        try:
            for option, value in options.items():
                if value == "after-inverted-name":
                    self.set(option, "always" if inverted(before[option]) else "never")
            return name_process(self, item, variable, context, sort_options, **kwargs)
        finally:
            for option, value in saved.items():
                if value is None:
                    self.attrib.pop(option, None)
                else:
                    self.set(option, value)

    return [(model.Name, "process", name_process_)]
