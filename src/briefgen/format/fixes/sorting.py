"""Sort keys: the words a macro prints."""

from __future__ import annotations

import unicodedata
from typing import Any

from briefgen.format.fixes.registry import _fix, _model
from briefgen.format.fixes.text import _MARKUP

# Sort keys -------------------------------------------------------------------------------------


def _plain_sort_key(key: Any) -> Any:
    """A macro's output as a sort key: its words, case-folded, without markup or punctuation."""
    if key is None:
        return None
    text = _MARKUP.sub("", str(key))
    text = "".join(
        " " if char in "'’," else char
        for char in text
        if not unicodedata.category(char).startswith("P") or char in "'’,"
    )
    return " ".join(text.casefold().split()) or None


@_fix("sort-key-text")
def _sort_key_text() -> list[tuple[type[Any], str, Any]]:
    """A ``cs:key macro`` sorts on the words the macro prints, not on its markup.

    CSL 1.0.2, *Sorting*: a macro key sorts on "the string produced by the macro"; formatting is
    not part of a string. citeproc-py compares the formatted output, markup and quotation
    marks included, so an italic title (``<i>Youth…``) and a quoted one (``“Youth…``) sort by
    their markup, not their words (MLA put a talk before the paper Pandoc lists first).
    Pandoc's citeproc compares the rendered text case-folded, word by word, with the locale's
    collation (which passes over punctuation); we compare the macro's text without markup or
    punctuation, case-folded, and a key left empty sorts last ("Items with an empty sort key
    value are placed at the end of the sort"). A text variable's key loses its markup too
    ("A Full <i>Anonymous</i> Life" sorts as "A Full Anonymous Life").
    """
    model = _model()
    sort_keys = model.Key.sort_keys

    structured = {*model.NAMES, *model.DATES, *model.NUMBERS, "citation_number"}

    def sort_keys_(self: Any, items: Any, context: Any) -> Any:
        keys = sort_keys(self, items, context)
        if "macro" in self.attrib:
            return [_plain_sort_key(key) for key in keys]
        variable = self.get("variable", "").replace("-", "_")
        if variable in structured:
            return keys  # names, dates and numbers have keys of their own making
        # The value as written, not as citeproc-py escaped it for the output ("&lt;i&gt;").
        values = [item.reference.get(variable) for item in items]
        return [None if value is None else _MARKUP.sub("", str(value)) for value in values]

    return [(model.Key, "sort_keys", sort_keys_)]
