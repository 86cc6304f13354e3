"""Pandoc's ``smart`` extension for markdown-it-py: curly quotes, apostrophes, dashes, ellipses.

The rules are Pandoc's, read from its Markdown reader rather than markdown-it's own
``smartquotes``, which pairs quotes differently (``a"b"c``, ``'90s and 'quoted'``):

- ``"`` and ``'`` open a quotation when they do not follow a word (letters, digits or a word's
  final ``.``, or the end of emphasis) and are not followed by a space; the quotation closes at
  the next ``"`` (or ``'`` not followed by a letter or digit) at the same level of emphasis or
  link. A ``"`` that finds no partner stays an opening mark (dialogue running into the next
  paragraph), a ``'`` becomes an apostrophe; a stray closing ``"`` is a closing mark.
- ``---`` is an em dash, ``--`` an en dash (``----`` is an em dash and a hyphen), ``...`` an
  ellipsis.
- A no-break space replaces the space after the abbreviations Pandoc knows (``Mr.``, ``Dr.``,
  ``p.``, ``e.g.``…), unless a citation or note follows.

Pandoc's HTML writer always prints English marks (“…” and ‘…’). We deliberately follow the
brief's language instead, with the marks of its CSL locale, the ones its citations use: a
``"…"`` quotation (Pandoc's double quote) takes the locale's ``open-quote``/``close-quote``,
a ``'…'`` one its inner marks, so ``"…"`` is „…“ in German, ‘…’ in British English and
« … » in French, with the narrow no-break spaces French typography puts inside guillemets.

Text in code spans, code blocks, math, autolinks, attributes and citation tokens is left alone;
so is everything markdown-it's ``typographer`` option would add (``(c)`` → ©), which Pandoc
does not do.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache, partial

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from briefgen.markdown.terms import term_elements

# Pandoc's default ``abbreviations`` data file (``pandoc --print-default-data-file
# abbreviations``): a space after one of these becomes a no-break space.
ABBREVIATIONS = frozenset(
    [
        "aet.",
        "aetat.",
        "al.",
        "Apr.",
        "Aug.",
        "bk.",
        "Bros.",
        "c.",
        "Capt.",
        "cf.",
        "ch.",
        "chap.",
        "chs.",
        "Co.",
        "col.",
        "Corp.",
        "cp.",
        "d.",
        "Dec.",
        "Dr.",
        "e.g.",
        "ed.",
        "eds.",
        "esp.",
        "f.",
        "fasc.",
        "Feb.",
        "ff.",
        "fig.",
        "fl.",
        "fol.",
        "fols.",
        "Fr.",
        "Gen.",
        "Gov.",
        "Hon.",
        "i.e.",
        "ill.",
        "Inc.",
        "incl.",
        "Jan.",
        "Jr.",
        "Jul.",
        "Jun.",
        "Ltd.",
        "M.A.",
        "M.D.",
        "Mar.",
        "Mr.",
        "Mrs.",
        "Ms.",
        "n.",
        "n.b.",
        "nn.",
        "No.",
        "Nov.",
        "Oct.",
        "p.",
        "Ph.D.",
        "pp.",
        "Pres.",
        "Prof.",
        "pt.",
        "q.v.",
        "Rep.",
        "Rev.",
        "s.v.",
        "s.vv.",
        "saec.",
        "sec.",
        "Sen.",
        "Sep.",
        "Sept.",
        "Sgt.",
        "Sr.",
        "St.",
        "univ.",
        "viz.",
        "vol.",
        "vs.",
    ]
)

APOSTROPHE = "\u2019"
NARROW_NO_BREAK_SPACE = "\u202f"

# Canadian French sets a full no-break space inside guillemets (the OQLF's rule, and what
# the CSL locale writes); French elsewhere sets a narrow one.
_FULL_SPACE_INSIDE_QUOTES = frozenset({"fr-CA"})

_DASHES_AND_ELLIPSES = re.compile(r"---|--|\.\.\.")
_REPLACEMENTS = {"---": "\u2014", "--": "\u2013", "...": "\u2026"}
# A word as Pandoc's ``str`` reads it (letters, digits and single dots), then spaces.
_WORD_THEN_SPACES = re.compile(r"(?<![^\W_])(?<!\.)((?:[^\W_]|\.(?!\.))+\.)( +)")
# After an abbreviation, these keep their ordinary space (Pandoc: no citation or note).
_NO_TIE_BEFORE = frozenset({"citation", "footnote_ref", "softbreak", "hardbreak"})
_VERBATIM_LINKS = frozenset({"autolink", "linkify"})


@dataclass(frozen=True, slots=True)
class QuoteMarks:
    """The quotation marks of one language, spacing included."""

    open: str
    """Opens a quotation (``"`` in the source)."""
    close: str
    """Closes it."""
    open_inner: str
    """Opens a quotation inside a quotation (``'`` in the source)."""
    close_inner: str
    """Closes it."""


@cache
def quote_marks(language: str) -> QuoteMarks:
    """The quotation marks of ``language``'s CSL locale: ``„``, ``“``, ``‚``, ``‘`` in de-DE."""
    space = "\u00a0" if language in _FULL_SPACE_INSIDE_QUOTES else NARROW_NO_BREAK_SPACE
    raw = {name: _raw_term(language, name) for name in _QUOTE_TERMS}
    marks = [
        _spaced(raw[name], opening=name.startswith("open"), space=space) or default
        for name, default in _QUOTE_TERMS.items()
    ]
    return QuoteMarks(*marks)


_QUOTE_TERMS = {
    "open-quote": "\u201c",
    "close-quote": "\u201d",
    "open-inner-quote": "\u2018",
    "close-inner-quote": "\u2019",
}


def _raw_term(language: str, name: str) -> str:
    """A term's text with its spacing (``term()`` strips the ``«&#160;`` of French)."""
    for element in term_elements(language):
        if element.get("name") == name and element.get("form", "long") == "long":
            return element.text or ""
    return ""


def _spaced(raw: str, *, opening: bool, space: str) -> str:
    mark = raw.strip()
    if not mark:
        return ""
    spaced_inside = raw != (raw.rstrip() if opening else raw.lstrip())
    if not spaced_inside:
        return mark
    return mark + space if opening else space + mark


def typography_plugin(md: MarkdownIt, *, language: str = "en-US") -> None:
    """Register Pandoc's ``smart`` typography; ``env["language"]`` overrides ``language``."""
    # Before text_join: an escaped quote (``\\"``) is still its own text_special token, so it
    # stays straight, as in Pandoc.
    md.core.ruler.before("text_join", "typography", partial(_typography, language=language))


def _typography(state: StateCore, *, language: str) -> None:
    marks = quote_marks(state.env.get("language", language))
    for token in state.tokens:
        if token.type == "inline" and token.children:
            smarten(token.children, marks)


def smarten(children: list[Token], marks: QuoteMarks) -> None:
    """Apply Pandoc's smart typography to one paragraph's (or heading's…) inline tokens."""
    verbatim = False
    for index, token in enumerate(children):
        if token.type == "link_open":
            verbatim = token.markup in _VERBATIM_LINKS
        elif token.type == "link_close":
            verbatim = False
        elif token.type == "text" and not verbatim:
            following = children[index + 1] if index + 1 < len(children) else None
            token.content = _tie_abbreviations(_dashes(token.content), following)
        elif token.type == "image" and token.children:
            smarten(token.children, marks)
    # Most paragraphs hold no straight quote at all: nothing to pair.
    if any(t.type == "text" and ('"' in t.content or "'" in t.content) for t in children):
        _Quotes(children, marks).apply()


def _dashes(text: str) -> str:
    if "--" not in text and "..." not in text:  # the common case, without the regex
        return text
    return _DASHES_AND_ELLIPSES.sub(lambda match: _REPLACEMENTS[match[0]], text)


def _tie_abbreviations(text: str, following: Token | None) -> str:
    if not _has_abbreviation(text):  # the common case, without the regex
        return text

    def tie(match: re.Match[str]) -> str:
        if match[1] not in ABBREVIATIONS:
            return match[0]
        at_end = match.end() == len(text)
        if at_end and (following is None or following.type in _NO_TIE_BEFORE):
            return match[0]
        return match[1] + "\u00a0"

    return _WORD_THEN_SPACES.sub(tie, text)


def _has_abbreviation(text: str) -> bool:
    """Whether a word on Pandoc's list ends with a dot before a space (or the text's end)."""
    dot = text.find(".")
    while dot != -1:
        if dot + 1 == len(text) or text[dot + 1] == " ":
            start = dot
            while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "."):
                start -= 1
            if text[start : dot + 1] in ABBREVIATIONS:
                return True
        dot = text.find(".", dot + 1)
    return False


_MARKS = frozenset({'"', "'"})
_MARK = re.compile(r"([\"'])")


def _runs(text: str) -> list[str]:
    """Marks; the spaces right before a mark (a closing mark trims them); other runs of text."""
    runs = []
    parts = _MARK.split(text)  # text, mark, text, mark…, text
    for index, part in enumerate(parts):
        if index % 2 or index == len(parts) - 1:
            runs.append(part)
            continue
        body = part.rstrip(" \t")
        runs += [body, part[len(body) :]]
    return [run for run in runs if run]
_SPACES = re.compile(r"[ \t]+")


@dataclass(slots=True)
class _Cell:
    """A quotation mark, a run of spaces, a run of other text, or one token that is not text.

    Runs keep the parser's work per mark, not per character (a paragraph has few marks).
    """

    kind: str
    """``char`` (may change), ``fixed`` (counts as text, never changes: escapes, autolinks),
    ``space`` (a line break), ``open``/``close`` (emphasis, links…) or ``atom`` (code, math,
    citations, images)."""
    char: str = ""
    token: Token | None = None


class _Quotes:
    """Pandoc's quotation parser, run over the cells of one paragraph.

    Pandoc tries to parse a quotation when it meets an opening mark and backtracks when no
    closing mark follows at the same level; the tries are memoised, so a paragraph full of
    unmatched marks stays quadratic at worst.
    """

    def __init__(self, children: list[Token], marks: QuoteMarks) -> None:
        self.marks = marks
        self.cells: list[_Cell] = []
        self.texts: list[tuple[Token, int, int]] = []
        self.tries: dict[tuple[int, frozenset[str], str], tuple[int, dict[int, str]] | None] = {}
        verbatim = False
        for token in children:
            if token.type == "text":
                start = len(self.cells)
                kind = "fixed" if verbatim else "char"
                self.cells.extend(_Cell(kind, run) for run in _runs(token.content))
                if not verbatim:
                    self.texts.append((token, start, len(self.cells)))
            elif token.type == "text_special":
                self.cells.extend(_Cell("fixed", run) for run in _runs(token.content))
            elif token.type in ("softbreak", "hardbreak"):
                self.cells.append(_Cell("space", token=token))
            elif token.nesting == 1:
                verbatim = token.type == "link_open" and token.markup in _VERBATIM_LINKS
                self.cells.append(_Cell("open", token=token))
            elif token.nesting == -1:
                verbatim = False
                self.cells.append(_Cell("close", token=token))
            else:
                self.cells.append(_Cell("atom", token=token))

    def apply(self) -> None:
        if not any(cell.kind == "char" and cell.char in _MARKS for cell in self.cells):
            return
        self._index_closers()
        replacements: dict[int, str] = {}
        index = 0
        while index < len(self.cells):
            # The top level never fails; a ``close`` here belongs to unbalanced tokens.
            result = self._level(index, frozenset(), "")
            assert result is not None
            index, found = result
            replacements.update(found)
            index += 1
        for token, start, end in self.texts:
            token.content = "".join(
                replacements.get(i, self.cells[i].char) for i in range(start, end)
            )

    def _index_closers(self) -> None:
        """Where each element ends and where marks that could close a quotation stand, so a
        mark with no possible partner fails at once (Pandoc would scan the paragraph)."""
        self.ends = [len(self.cells)] * len(self.cells)
        self.closers: dict[tuple[str, int], list[int]] = {}
        self.depths: list[int] = []
        open_at: list[int] = []
        depth = 0
        for index, cell in enumerate(self.cells):
            if cell.kind == "close" and open_at:
                for inside in range(open_at.pop(), index):
                    self.ends[inside] = min(self.ends[inside], index)
                depth -= 1
            self.depths.append(depth)
            if cell.kind == "open":
                open_at.append(index + 1)
                depth += 1
            elif cell.kind == "char" and cell.char in _MARKS and self._may_end_quotation(index):
                self.closers.setdefault((cell.char, depth), []).append(index)

    def _may_end_quotation(self, index: int) -> bool:
        char = self.cells[index].char
        return char == '"' or (char == "'" and not self._alphanumeric(index + 1))

    def _may_close(self, index: int, mark: str) -> bool:
        """A mark that could close the quotation opened at ``index`` stands at its level."""
        candidates = self.closers.get((mark, self.depths[index]), [])
        after = bisect_right(candidates, index + 1)
        return after < len(candidates) and candidates[after] < self.ends[index]

    def _level(
        self, index: int, context: frozenset[str], closer: str
    ) -> tuple[int, dict[int, str]] | None:
        """Parse from ``index`` to the end of the enclosing element or, given ``closer``, to
        the mark closing the quotation; None when that mark never comes."""
        found: dict[int, str] = {}
        consumed = False
        cells = self.cells
        while index < len(cells):
            cell = cells[index]
            if cell.kind == "close":
                break
            if (
                closer
                and consumed
                and cell.kind == "char"
                and cell.char == closer
                and (closer == '"' or not self._alphanumeric(index + 1))
            ):
                return index, found
            consumed = True
            if cell.kind == "open":
                result = self._level(index + 1, context, "")
                assert result is not None
                index, inner = result
                found.update(inner)
                index += 1
            elif cell.kind == "char" and cell.char in _MARKS:
                index = self._quote(index, context, found)
            else:
                index += 1
        return None if closer else (index, found)

    def _quote(self, index: int, context: frozenset[str], found: dict[int, str]) -> int:
        """Handle the mark at ``index``; return the index to continue from."""
        mark = self.cells[index].char
        double = mark == '"'
        if mark not in context and not self._after_word(index) and self._opens(index):
            key = (index + 1, context | {mark}, mark)
            if key not in self.tries:
                may_close = self._may_close(index, mark)
                self.tries[key] = self._level(*key) if may_close else None
            result = self.tries[key]
            if result is not None:
                end, inner = result
                found.update(inner)
                found[index] = self.marks.open if double else self.marks.open_inner
                found[end] = self.marks.close if double else self.marks.close_inner
                # Pandoc trims the spaces before a closing mark.
                before = end - 1
                cells = self.cells
                while cells[before].kind == "char" and _SPACES.fullmatch(cells[before].char):
                    found[before] = ""
                    before -= 1
                return end + 1
            found[index] = self.marks.open if double else APOSTROPHE
            return index + 1
        found[index] = self.marks.close if double else APOSTROPHE
        return index + 1

    def _after_word(self, index: int) -> bool:
        if index == 0:
            return False
        cell = self.cells[index - 1]
        if cell.kind == "close":
            assert cell.token is not None
            return cell.token.type in ("em_close", "strong_close")
        if cell.kind == "char":
            return cell.char[-1:].isalnum() or cell.char[-1:] == "."
        return cell.kind == "fixed" and cell.char[-1:].isalnum()

    def _opens(self, index: int) -> bool:
        if index + 1 >= len(self.cells):
            return False
        cell = self.cells[index + 1]
        return cell.kind != "space" and cell.char[:1] not in (" ", "\t", "\n")

    def _alphanumeric(self, index: int) -> bool:
        if index >= len(self.cells):
            return False
        cell = self.cells[index]
        return cell.kind in ("char", "fixed") and cell.char[:1].isalnum()
