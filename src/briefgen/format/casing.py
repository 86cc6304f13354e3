"""Where a word stands in a title, as Pandoc's citeproc tracks it when it changes case.

Two conversions walk a title the same way: sentence case of BibTeX titles (``csljson``, as
Pandoc's ``unTitlecase``) and CSL's ``text-case="title"`` (``fixes.text``). Both cut the text
into :func:`chunks` and carry a :class:`CaseState` from chunk to chunk with :func:`next_state`.
"""

from __future__ import annotations

import itertools
import unicodedata
from enum import Enum, auto


class CaseState(Enum):
    """Where the next word stands."""

    START = auto()
    START_SENTENCE = auto()
    AFTER_WORD_END = auto()
    AFTER_WORD_CHAR = auto()
    AFTER_STOP = auto()
    """After ``.?!:``: a space then starts a sentence."""
    BEFORE_LAST_WORD = auto()


WORD_BREAKS = frozenset("-/\u2013\u2014")
"""Characters that end a word as a space does ("Twenty-first", "and/or")."""


def chunks(text: str) -> list[str]:
    """Haskell's ``groupBy sameType``: runs of letters and digits, of spaces, of punctuation;
    any other character (a symbol) on its own."""
    result: list[str] = []
    # Grouped, then joined: appending to result[-1] char by char was quadratic in a long word.
    for kind, run in itertools.groupby(text, _kind):
        if kind == "other":
            result.extend(run)
        else:
            result.append("".join(run))
    return result


def next_state(state: CaseState, chunk: str) -> CaseState:
    """The state after ``chunk``; other punctuation ("(", "’") leaves a word start as it was."""
    last = chunk[-1:]
    if not last:
        return state
    if last in ".?!:":
        return CaseState.AFTER_STOP
    if last.isalnum():
        return CaseState.AFTER_WORD_CHAR
    if last.isspace() and state is CaseState.AFTER_STOP:
        return CaseState.START_SENTENCE
    if last.isspace() or last in WORD_BREAKS:
        return CaseState.AFTER_WORD_END
    return state


def _kind(char: str) -> str:
    if char.isalnum():
        return "word"
    if char.isspace():
        return "space"
    return "punctuation" if unicodedata.category(char).startswith("P") else "other"
