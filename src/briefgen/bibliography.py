"""Read ``references.bib`` with bibtexparser 2 into decoded, located :class:`BibEntry` records.

bibtexparser's middlewares have traps for our use, so the stack is pinned to *no* middleware
and the few transformations we need are done here, in the order that keeps data intact:

- ``@string`` macros, month macros and ``#`` concatenation are resolved by :func:`_resolve`
  (the library's resolver leaves concatenations half-done);
- names are split into persons and parts *before* LaTeX is decoded, so ``{Amnesty
  International}`` stays one corporate name;
- ``url`` and ``doi`` are never LaTeX-decoded: the decoder reads ``%`` as a comment;
- ``crossref`` is resolved by :func:`_inherit_crossref`.
"""

from __future__ import annotations

import itertools
import logging
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import bibtexparser
from bibtexparser import model

from briefgen.errors import Diagnostics, Location
from briefgen.model import BibEntry, Bibliography, Name
from briefgen.text import (
    decoding_problem,
    describe_character,
    forbidden_character,
    quote,
    remove_forbidden,
)

# bibtexparser logs each failed block; we report those ourselves, with the file name.
logging.getLogger("bibtexparser").addHandler(logging.NullHandler())

NAME_FIELDS = ("author", "editor", "translator", "bookauthor", "director")
RAW_FIELDS = frozenset({"url", "doi", "eprint", "file", "crossref", "xdata", "keywords", "ids"})
"""Fields kept exactly as written: they are identifiers, not prose."""

MONTHS = {
    name: str(number)
    for number, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
         ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
         ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
         ("dec", "december")],
        start=1,
    )
    for name in names
}  # fmt: skip


def load_bibliography(
    path: Path, *, root: Path, diagnostics: Diagnostics, cache_dir: Path | None = None
) -> Bibliography:
    """Parse a BibTeX file; problems go to ``diagnostics`` with ``path:line``, as everywhere.

    With ``cache_dir``, the parsed file is kept there (JSON, keyed by the file's bytes and
    briefgen's code), so a library of thousands of entries is split and read once, not on
    every build.
    """
    rel = relative_path(path, root)
    if not path.is_file():
        diagnostics.error(
            "bibliography file not found; expected a BibTeX file here (set 'bibliography' in "
            "[tool.briefgen] to use another path)",
            Location(rel),
        )
        return Bibliography(rel, readable=False)
    try:
        data = path.read_bytes()
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, message = decoding_problem(data, exc)
        diagnostics.error(message, Location(rel, line))
        return Bibliography(rel, readable=False)
    if cache_dir is None:
        return parse_bibliography(text, rel, diagnostics)
    from briefgen.incremental import cached_json, dependency_versions, digest

    def parse() -> dict[str, object]:
        found = Diagnostics()
        pending = _parse_raw(text, rel, found)
        return {
            "entries": {key: [kind, values, where.line] for key, (kind, values, where)
                        in pending.items()},
            "diagnostics": [[d.message, d.location.line if d.location else None,
                             d.severity.value] for d in found.items],
        }  # fmt: skip

    cache_file = cache_dir / "bibliography" / f"{digest(str(rel))}.json"
    parsed = cached_json(cache_file, digest(data, dependency_versions()), parse)
    if not _well_formed(parsed):
        parsed = parse()  # a damaged cache is never trusted
    for message, line, severity in parsed["diagnostics"]:
        where = Location(rel, line)
        if severity == "warning":
            diagnostics.warning(message, where)
        else:
            diagnostics.error(message, where)
    pending = {key: (kind, values, Location(rel, line))
               for key, (kind, values, line) in parsed["entries"].items()}  # fmt: skip
    return _bibliography(rel, pending)


def _well_formed(parsed: Mapping[str, object]) -> bool:
    """Whether a cached parse has the shape :func:`load_bibliography` writes."""
    entries, found = parsed.get("entries"), parsed.get("diagnostics")
    if not isinstance(entries, dict) or not isinstance(found, list):
        return False
    for key, value in entries.items():
        if not (isinstance(key, str) and isinstance(value, list) and len(value) == 3):
            return False
        kind, values, line = value
        if not (
            isinstance(kind, str)
            and isinstance(values, dict)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in values.items())
            and (line is None or type(line) is int)
        ):
            return False  # fmt: skip
    return all(
        isinstance(row, list) and len(row) == 3 and isinstance(row[0], str)
        and (row[1] is None or type(row[1]) is int) and row[2] in ("error", "warning")
        for row in found
    )  # fmt: skip


def parse_bibliography(text: str, path: Path, diagnostics: Diagnostics) -> Bibliography:
    """Parse BibTeX source text; ``path`` is only used in locations."""
    return _bibliography(path, _parse_raw(text, path, diagnostics))


def _bibliography(
    path: Path, pending: dict[str, tuple[str, dict[str, str], Location]]
) -> Bibliography:
    locations = {key: where for key, (_, _, where) in pending.items()}
    return Bibliography(path, DecodedOnDemand(pending), locations=locations)


def _parse_raw(
    text: str, path: Path, diagnostics: Diagnostics
) -> dict[str, tuple[str, dict[str, str], Location]]:
    """Every entry's type and fields (macros, ``#`` and crossref resolved; not decoded)."""
    # An empty parse stack pins the behaviour: we rely on no library default.
    library = bibtexparser.parse_string(  # type: ignore[attr-defined]
        text.removeprefix("\ufeff"), parse_stack=[]
    )
    strings = dict(MONTHS)
    budget = _Budget(text)
    for string in library.strings:
        strings[string.key.lower()] = _resolve(
            str(string.value),
            strings,
            Location(path, (string.start_line or 0) + 1),
            diagnostics,
            budget,
        )

    first_line: dict[str, int] = {}
    raw: dict[str, tuple[model.Entry, dict[str, str]]] = {}
    for block in library.blocks:
        line = (block.start_line or 0) + 1
        where = Location(path, line)
        if isinstance(block, model.DuplicateBlockKeyBlock):
            first = first_line.get(block.key)
            diagnostics.error(
                f"duplicate BibTeX key {quote(block.key)}"
                + (f" (first defined on line {first})" if first else "")
                + "; each entry needs its own key",
                where,
            )
        elif isinstance(block, model.DuplicateFieldKeyBlock):
            duplicates = ", ".join(quote(k) for k in sorted(block.duplicate_keys))
            entry_key = getattr(block.ignore_error_block, "key", "?")
            diagnostics.error(
                f"entry {quote(entry_key)} gives field {duplicates} more than once",
                where,
            )
        elif isinstance(block, model.ParsingFailedBlock):
            source = (block.raw or "").strip()
            head = source.splitlines()[0][:60] if source else ""
            diagnostics.error(
                f"cannot parse BibTeX block {quote(head)}; expected "
                "@type{key, field = {value}, ...} with balanced braces",
                where,
            )
        elif isinstance(block, model.ImplicitComment):
            _check_stray_fields(block, path, diagnostics)
        elif isinstance(block, model.Entry):
            if not block.key.strip():
                diagnostics.error(
                    "entry has no key; expected @type{key, field = {value}, ...}", where
                )
                continue
            if (bad := forbidden_character(block.key)) is not None:
                diagnostics.error(
                    f"BibTeX key {quote(block.key)} holds "
                    f"{describe_character(block.key[bad])}; a key may not hold one",
                    where,
                )
                continue
            first_line[block.key] = line
            values = {}
            for field in block.fields:
                at = Location(path, field.start_line + 1) if field.start_line else where
                value = _resolve(str(field.value), strings, at, diagnostics, budget)
                values[field.key.lower()] = _cleaned(block.key, field.key.lower(), value, at,
                                                     diagnostics)  # fmt: skip
            raw[block.key] = (block, values)

    pending = {}
    for key, (block, values) in raw.items():
        where = Location(path, first_line[key])
        values = _inherit_crossref(key, values, raw, where, diagnostics)
        pending[key] = (block.entry_type.lower(), values, where)
    return pending


class DecodedOnDemand(Mapping[str, BibEntry]):
    """Entries decoded from LaTeX when first looked up, then kept.

    Decoding is most of the cost of reading a .bib file (names, accents, macros); a build needs
    only the entries its briefs cite, often a few hundred of a shared library of thousands.
    """

    def __init__(self, pending: dict[str, tuple[str, dict[str, str], Location]]) -> None:
        self._pending = pending
        self._fingerprints: dict[str, str] = {}
        self._decoded: dict[str, BibEntry] = {}

    def fingerprint(self, key: str) -> str:
        """The entry as written (type and raw fields), hashed, without decoding it."""
        found = self._fingerprints.get(key)
        if found is None:
            import json

            from briefgen.incremental import digest

            entry_type, values, _ = self._pending[key]
            found = digest(entry_type, json.dumps(sorted(values.items()), ensure_ascii=False))
            self._fingerprints[key] = found
        return found

    def __getitem__(self, key: str) -> BibEntry:
        entry = self._decoded.get(key)
        if entry is None:
            entry_type, values, where = self._pending[key]
            entry = self._decoded[key] = _decode_entry(key, entry_type, values, where)
        return entry

    def __contains__(self, key: object) -> bool:
        return key in self._pending

    def __iter__(self) -> Iterator[str]:
        return iter(self._pending)

    def __len__(self) -> int:
        return len(self._pending)


_STRAY_FIELD = re.compile(r"\A[\s,]*([A-Za-z][\w-]*)\s*=\s*[{\"\w]")


def _check_stray_fields(block: model.ImplicitComment, path: Path, diagnostics: Diagnostics) -> None:
    """Warn when text between entries looks like fields: an extra ``}`` closed an entry early.

    BibTeX ignores text between entries, so the fields after the brace are lost without a word.
    """
    found = _STRAY_FIELD.match(str(block.comment))
    if found is None:
        return
    line = (block.start_line or 0) + 1 + str(block.comment).count("\n", 0, found.start(1))
    diagnostics.warning(
        f"field {quote(found[1])} is outside any entry and is ignored; an extra '}}' above "
        "probably closes the entry early",
        Location(path, line),
    )


def _cleaned(key: str, name: str, value: str, where: Location, diagnostics: Diagnostics) -> str:
    """``value`` without control characters, which would make feeds and exports ill-formed.

    A warning, not an error: they come from copy and paste and carry no meaning, so the
    build goes on with them removed.
    """
    bad = forbidden_character(value)
    if bad is None:
        return value
    diagnostics.warning(
        f"entry {quote(key)} field {quote(name)} holds "
        f"{describe_character(value[bad])}; it is removed (delete it to silence this)",
        where,
    )
    return remove_forbidden(value)


class _Budget:
    """How many characters ``@string`` macros may still produce while reading one file.

    Macros can double: ``@string{b = a # a}``, ``@string{c = b # b}``… reach gigabytes from a
    few hundred bytes. Without macros no value is longer than the file, and real libraries
    expand abbreviations a few times over, so each value may be as long as the file (plus some
    slack for tiny files) and all of them together ten times it.
    """

    def __init__(self, text: str) -> None:
        self.per_value = len(text) + 10_000
        self.remaining = 10 * len(text) + 1_000_000
        self.exhausted = False


_BARE_WORD = re.compile(r'[^\s#{"]+')
"""A macro name or number in a value (matched in place: slicing the value was quadratic)."""


def _resolve(
    value: str,
    strings: Mapping[str, str],
    where: Location,
    diagnostics: Diagnostics,
    budget: _Budget,
) -> str:
    """Evaluate a raw BibTeX value: braces, quotes, macros, numbers and ``#`` concatenation."""
    parts = []
    length = 0
    i = 0
    while i < len(value):
        char = value[i]
        if char.isspace() or char == "#":
            i += 1
        elif char in '{"':
            end = _closing(value, i)
            parts.append(value[i + 1 : end])
            i = end + 1
        else:
            match = _BARE_WORD.match(value, i)
            assert match is not None
            word = match.group()
            if word.isdigit():
                parts.append(word)
            elif word.lower() in strings:
                parts.append(strings[word.lower()])
                length += len(parts[-1])
                if length > min(budget.per_value, budget.remaining):
                    return _too_long(budget, where, diagnostics)
            else:
                diagnostics.error(
                    f"unknown @string macro {quote(word)}; define it with "
                    f"@string{{{word[:40]} = {{...}}}} or put the value in braces",
                    where,
                )
                parts.append(word)
            i += len(word)
    budget.remaining -= length
    return "".join(parts)


def _too_long(budget: _Budget, where: Location, diagnostics: Diagnostics) -> str:
    """Report a runaway macro expansion once per file; the value is left empty."""
    if not budget.exhausted:
        limit = min(budget.per_value, max(budget.remaining, 0))
        diagnostics.error(
            f"@string macros expand this value past {limit:,} characters (macros that repeat "
            "one another double at each step); write the value out or use fewer macros",
            where,
        )
    budget.exhausted = budget.remaining <= budget.per_value
    return ""


def _closing(value: str, start: int) -> int:
    """Index of the brace or quote closing the one at ``start`` (or the end of the value)."""
    if value[start] == '"':
        depth = 0
        for i in range(start + 1, len(value)):
            if value[i] == "{":
                depth += 1
            elif value[i] == "}":
                depth -= 1
            elif value[i] == '"' and depth == 0 and value[i - 1] != "\\":
                return i
        return len(value)
    depth = 0
    for i in range(start, len(value)):
        if value[i] == "{" and value[i - 1 : i] != "\\":
            depth += 1
        elif value[i] == "}" and value[i - 1 : i] != "\\":
            depth -= 1
            if depth == 0:
                return i
    return len(value)


# biblatex's crossref inheritance (biblatex manual, appendix B), as Pandoc applies it:
# (parent type, child type) → how the parent's title fields are renamed in the child.
_MAIN_TITLES = {"title": "maintitle", "subtitle": "mainsubtitle", "titleaddon": "maintitleaddon"}
_BOOK_TITLES = {"title": "booktitle", "subtitle": "booksubtitle", "titleaddon": "booktitleaddon"}
_NEVER_INHERITED = frozenset({
    "ids", "crossref", "xref", "xdata", "entryset", "entrysubtype", "execute", "label",
    "options", "presort", "related", "relatedoptions", "relatedstring", "relatedtype",
    "shorthand", "shorthandintro", "sortkey",
})  # fmt: skip
_TITLE_ONLY = frozenset({"shorttitle", "sorttitle", "indextitle", "indexsorttitle"})


def _inherited_names(parent_type: str, child_type: str, field_name: str) -> list[str]:
    """The child's field names for one parent field (Pandoc's ``transformKey``)."""
    if field_name in _NEVER_INHERITED:
        return []
    books = ("inbook", "bookinbook", "suppbook")
    if field_name == "author" and (
        (parent_type in ("mvbook", "book") and child_type in books)
        or (parent_type == "mvbook" and child_type == "book")
    ):
        return ["bookauthor", "author"]
    renames: Mapping[str, str] | None = None
    if (
        (parent_type == "mvbook" and child_type in ("book", *books))
        or (parent_type in ("mvcollection", "mvreference")
            and child_type in ("collection", "reference", "incollection", "inreference",
                               "suppcollection"))
        or (parent_type == "mvproceedings" and child_type in ("proceedings", "inproceedings"))
    ):  # fmt: skip
        renames = _MAIN_TITLES
    elif (
        (parent_type == "book" and child_type in books)
        or (parent_type in ("collection", "reference")
            and child_type in ("incollection", "inreference", "suppcollection"))
        or (parent_type == "proceedings" and child_type == "inproceedings")
    ):  # fmt: skip
        renames = _BOOK_TITLES
    elif parent_type == "periodical" and child_type in ("article", "suppperiodical"):
        renames = {"title": "journaltitle", "subtitle": "journalsubtitle"}
    if renames is None:
        return [field_name]
    if field_name in _TITLE_ONLY:
        return []
    return [renames.get(field_name, field_name)]


def _inherit_crossref(
    key: str,
    values: dict[str, str],
    raw: Mapping[str, tuple[model.Entry, dict[str, str]]],
    where: Location,
    diagnostics: Diagnostics,
) -> dict[str, str]:
    """Fields the entry inherits from its ``crossref``/``xdata`` parents, biblatex's way."""
    child_type = raw[key][0].entry_type.lower() if key in raw else ""
    inherited: dict[str, str] = {}
    for link in ("crossref", "xdata"):
        for parent_key in re.split(r"[\s,]+", values.get(link, "")):
            if not parent_key:
                continue
            if parent_key not in raw:
                diagnostics.error(
                    f"entry {quote(key)} has {link} to unknown key {quote(parent_key)}", where
                )
                continue
            parent_block, parent = raw[parent_key]
            parent_type = parent_block.entry_type.lower()
            for name, value in parent.items():
                for target in _inherited_names(parent_type, child_type, name):
                    if target not in values:
                        inherited.setdefault(target, value)
    return {**values, **inherited}


def _decode_entry(
    key: str, entry_type: str, values: Mapping[str, str], where: Location
) -> BibEntry:
    fields: dict[str, str] = {}
    names: dict[str, tuple[Name, ...]] = {}
    for name, value in values.items():
        if name in RAW_FIELDS:
            fields[name] = value.strip()
        elif name in NAME_FIELDS:
            names[name] = parse_names(value)
            fields[name] = "; ".join(str(n) for n in names[name])
        else:
            fields[name] = latex_to_text(value)
    url = _unescape_url(fields["url"]) if fields.get("url") else None
    doi = fields.get("doi") or None
    if doi:
        doi = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)", "", doi, flags=re.IGNORECASE)
    return BibEntry(
        key=key,
        entry_type=entry_type,
        fields=fields,
        names=names,
        location=where,
        url=url,
        doi=doi,
        latex=dict(values),
    )


def _unescape_url(url: str) -> str:
    r"""Undo the LaTeX escapes Mendeley and JabRef put in URLs (``{\_}``, ``\%``)."""
    return re.sub(r"\{?\\([_%&#$~])\}?", r"\1", url)


# --- LaTeX to text, the way Pandoc's LaTeX reader reads a field ----------------------------


@dataclass(frozen=True, slots=True)
class Group:
    """A ``{...}`` group: in a title it protects its words from case changes."""

    children: tuple[Inline, ...]


Inline = str | Group
"""A word (text without spaces), a single space ``" "``, or a brace group."""

_ACCENTS = {
    "'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303", "=": "\u0304",
    ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328",
    "r": "\u030a", "d": "\u0323", "b": "\u0331",
}  # fmt: skip
_SYMBOLS = {
    "L": "Ł", "l": "ł", "o": "ø", "O": "Ø", "ss": "ß", "ae": "æ", "AE": "Æ", "oe": "œ",
    "OE": "Œ", "aa": "å", "AA": "Å", "i": "ı", "j": "ȷ", "ldots": "…", "dots": "…",
    "textellipsis": "…", "textendash": "–", "textemdash": "—", "textquoteright": "’",
    "textquoteleft": "‘", "textquotedblleft": "“", "textquotedblright": "”", "S": "§",
    "P": "¶", "copyright": "©", "textcopyright": "©", "textregistered": "®",
    "texttrademark": "™", "euro": "€", "texteuro": "€", "pounds": "£", "textsterling": "£",
    "textdollar": "$", "textbackslash": "\\", "textasciitilde": "~", "textunderscore": "_",
    "textdegree": "°", "LaTeX": "LaTeX", "TeX": "TeX", "guillemotleft": "«",
    "guillemotright": "»", "textbullet": "•", "textperiodcentered": "·", "slash": "/",
}  # fmt: skip
_WITH_QUOTES = frozenset({"enquote", "mkbibquote"})
_VERBATIM = frozenset({"url", "path", "nolinkurl", "verb"})
_DROPPED = frozenset({"noopsort", "nocite", "label", "index", "footnote"})
_ESCAPED = frozenset("&%$#_{}")
_LIGATURES = (("---", "—"), ("--", "–"), ("``", "“"), ("''", "”"), ("`", "‘"), ("'", "’"),
              ("!`", "¡"), ("?`", "¿"))  # fmt: skip


_COMMAND = re.compile(r"\\(?:[A-Za-z]+|.?)", re.S)
_LETTERS = re.compile(r"[A-Za-z]+")
_MAX_DEPTH = 64
"""How deep groups and commands nest before the rest is read as flat text.

The reader recurses once per level; 3,000 nested ``\\textbf{`` would exhaust Python's stack.
Real fields nest a handful of levels, so past this depth words are kept and markup dropped.
"""


class _LatexReader:
    """A small reader for the LaTeX found in .bib fields: accents, escapes, groups, quotes."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.depth = 0

    def read(self, closing: bool) -> list[Inline]:
        out: list[Inline] = []
        word: list[str] = []  # the pieces of the word being read, joined when it ends
        buffer: list[str] = []  # its raw characters not yet read for ligatures (-- → –)

        def flush() -> None:
            if buffer:
                word.append(_ligatures("".join(buffer)))
                buffer.clear()

        def end_word() -> None:
            # Joined once: appending each piece to out[-1] was quadratic in a long word.
            flush()
            if word:
                out.append("".join(word))
                word.clear()

        def add(items: list[Inline]) -> None:
            flush()
            for item in items:
                if isinstance(item, Group):
                    end_word()
                    out.append(item)
                elif item != " ":
                    word.append(item)
                else:
                    end_word()
                    if out and out[-1] != " ":
                        out.append(" ")

        text = self.text
        while self.i < len(text):
            char = text[self.i]
            if char == "}" and closing:
                self.i += 1
                break
            if char.isspace():
                end_word()
                if out and out[-1] != " ":
                    out.append(" ")
                self.i += 1
            elif char == "{":
                end_word()
                out.append(Group(tuple(_strip(self._group()))))
            elif char == "}":
                self.i += 1  # unbalanced: bibtexparser already reported the block
            elif char == "\\":
                add(self.command())
            elif char == "~":
                buffer.append("\u00a0")
                self.i += 1
            elif char == "$":
                end = text.find("$", self.i + 1)
                end = len(text) if end < 0 else end
                buffer.append(text[self.i + 1 : end])
                self.i = end + 1
            elif char == "%":
                end = text.find("\n", self.i)
                self.i = len(text) if end < 0 else end + 1
            else:
                buffer.append(char)
                self.i += 1
        end_word()
        return out

    def _group(self) -> list[Inline]:
        """The group whose ``{`` is at the cursor; flat text once nested too deep."""
        if self.depth >= _MAX_DEPTH:
            end = _closing(self.text, self.i)
            inner = self.text[self.i + 1 : end]
            self.i = end + 1
            return _flat(inner)
        self.i += 1
        self.depth += 1
        try:
            return self.read(closing=True)
        finally:
            self.depth -= 1

    def command(self) -> list[Inline]:
        """The command whose backslash is at the cursor, read (past the depth limit: dropped)."""
        if self.depth >= _MAX_DEPTH:
            match = _COMMAND.match(self.text, self.i)
            self.i = match.end() if match else self.i + 1
            return []
        self.depth += 1
        try:
            return self._command()
        finally:
            self.depth -= 1

    def _command(self) -> list[Inline]:
        text = self.text
        self.i += 1
        if self.i >= len(text):
            return []
        char = text[self.i]
        match = _LETTERS.match(text, self.i)
        name = match.group() if match else char
        self.i += len(name)
        if name in _ACCENTS:
            return [self._accent(_ACCENTS[name])]
        if not match:
            if char in _ESCAPED:
                return [char]
            return [" "] if char in " \\," else []
        self._skip_spaces()
        if name in _SYMBOLS:
            if self._peek("{}"):
                self.i += 2
            return [_SYMBOLS[name]]
        if name in _VERBATIM:
            return [self._raw_argument()]
        if name == "href":
            self._raw_argument()
            return self._argument()
        if name in _DROPPED:
            self._argument()
            return []
        if name == "bibstring":
            return [english_string(self._raw_argument())]
        content = self._argument() if self._peek("{") else []
        if name in _WITH_QUOTES:
            return ["“", *content, "”"]
        return content  # \emph, \textbf, \mkbibitalic…: only the text matters here

    def _peek(self, prefix: str) -> bool:
        return self.text.startswith(prefix, self.i)

    def _skip_spaces(self) -> None:
        while self.i < len(self.text) and self.text[self.i] in " \t\n":
            self.i += 1

    def _argument(self) -> list[Inline]:
        self._skip_spaces()
        if self._peek("{"):
            return _strip(self._group())
        return []

    def _raw_argument(self) -> str:
        self._skip_spaces()
        if not self._peek("{"):
            return ""
        end = _closing(self.text, self.i)
        value = self.text[self.i + 1 : end]
        self.i = end + 1
        return value

    def _accent(self, mark: str) -> str:
        self._skip_spaces()
        if self._peek("{"):
            base = stringify(self._group())
        elif self._peek("\\"):
            base = stringify(self.command())
        else:
            base = self.text[self.i : self.i + 1]
            self.i += 1
        base = {"ı": "i", "ȷ": "j"}.get(base[:1], base[:1]) + base[1:]
        return unicodedata.normalize("NFC", base[:1] + mark + base[1:]) if base else mark


def _flat(text: str) -> list[Inline]:
    """Words and spaces of LaTeX nested past :data:`_MAX_DEPTH`: commands and braces dropped."""
    text = re.sub(
        r"\\(?:[A-Za-z]+|(.))|[{}]", lambda m: m.group(1) if m.group(1) in _ESCAPED else "", text
    )
    return [piece if piece.strip() else " " for piece in re.split(r"(\s+)", text) if piece]


def _ligatures(text: str) -> str:
    for source, target in _LIGATURES:
        text = text.replace(source, target)
    return text


def _strip(inlines: list[Inline]) -> list[Inline]:
    while inlines and inlines[0] == " ":
        inlines = inlines[1:]
    while inlines and inlines[-1] == " ":
        inlines = inlines[:-1]
    return inlines


def parse_latex(value: str) -> list[Inline]:
    """Read a field's LaTeX into words, spaces and brace groups (Pandoc's LaTeX reader, small)."""
    return _strip(_LatexReader(value).read(closing=False))


def stringify(inlines: Iterable[Inline]) -> str:
    """The plain text of parsed LaTeX."""
    return "".join(i if isinstance(i, str) else stringify(i.children) for i in inlines)


def latex_to_text(value: str) -> str:
    r"""Decode LaTeX markup (accents, braces, ``\&``, ``--``) to plain Unicode text."""
    return stringify(parse_latex(value)).replace("\u00a0", " ")


# biblatex's localisation keys (english.lbx), for ``type``, ``pubstate`` and ``\bibstring``.
ENGLISH_STRINGS = {
    "phdthesis": "PhD thesis", "mathesis": "Master’s thesis", "candthesis": "Candidate thesis",
    "techreport": "technical report", "resreport": "research report",
    "software": "computer software", "datacd": "CD-ROM", "audiocd": "audio CD",
    "patent": "patent", "patentus": "U.S. patent", "patentuk": "British patent",
    "inpreparation": "in preparation", "submitted": "submitted", "forthcoming": "forthcoming",
    "inpress": "in press", "prepublished": "pre-published", "newseries": "new series",
    "oldseries": "old series", "jourser": "series", "nodate": "no date", "version": "version",
    "andothers": "et al.", "and": "and", "edition": "edition", "volume": "volume",
}  # fmt: skip


def english_string(key: str) -> str:
    """biblatex's English text for a localisation key (``mathesis``), else the key itself."""
    return ENGLISH_STRINGS.get(key.strip(), key.strip())


# --- Names, split as Pandoc splits them ---------------------------------------------------


def parse_names(value: str) -> tuple[Name, ...]:
    """Split a name list on ``and`` and each name into parts (Pandoc's ``toName``)."""
    inlines = parse_latex(value)
    people: list[list[Inline]] = [[]]
    for index, item in enumerate(inlines):
        between_spaces = (
            0 < index < len(inlines) - 1 and inlines[index - 1] == " " == inlines[index + 1]
        )
        if item == "and" and between_spaces:
            people[-1] = _strip(people[-1])
            people.append([])
        else:
            people[-1].append(item)
    names = (_parse_name(_strip(person)) for person in people)
    return tuple(name for name in names if name != Name())


def _parse_name(person: list[Inline]) -> Name:
    if person == ["others"]:
        return Name(literal="others")
    if len(person) == 1 and isinstance(person[0], Group):
        return Name(literal=stringify(person[0].children))  # {Amnesty International}
    text = stringify(person)
    if "=" in (person[0] if person and isinstance(person[0], str) else ""):
        return _parse_keyed_name(text)
    # Words are split on spaces and no-break spaces; commas split the parts.
    parts: list[list[list[Inline]]] = [[[]]]
    for item in person:
        pieces = re.split(r"(,|\u00a0)", item) if isinstance(item, str) else [item]
        for piece in pieces:
            if piece == ",":
                parts.append([[]])
            elif piece in (" ", "\u00a0"):
                parts[-1].append([])
            elif piece != "":
                parts[-1][-1].append(piece)
    words = [[w for w in part if w] for part in parts]
    first: list[list[Inline]]
    von_last: list[list[Inline]]
    junior: list[list[Inline]] = []
    if len(words) == 1:
        caps = list(itertools.takewhile(_is_capitalized, words[0]))
        rest = words[0][len(caps) :]
        first, von_last = (caps[:-1], caps[-1:]) if caps and not rest else (caps, rest)
    elif len(words) == 2:
        von_last, first = words
    else:
        von_last, junior, first = words[0], words[1], words[2]
    lowercase = list(itertools.takewhile(lambda w: not _is_capitalized(w), von_last))
    if lowercase and len(lowercase) == len(von_last):
        von, last = lowercase[:-1], lowercase[-1:]
    else:
        von, last = lowercase, von_last[len(lowercase) :]

    def join(words: list[list[Inline]]) -> str:
        return " ".join(stringify(w) for w in words)

    return Name(
        family=join(last),
        given=_space_initials(join(first)),
        particle=join(von),
        suffix=join(junior),
    )


def _is_capitalized(word: list[Inline]) -> bool:
    """Pandoc's test: the first letter outside brace groups is upper case (digits skipped)."""
    for item in word:
        if isinstance(item, Group):
            continue
        for char in item:
            if char.isdigit():
                continue
            return char.isupper()
    return True


def _space_initials(given: str) -> str:
    """``J.G.`` → ``J. G.``, so both spellings give the same initials (Pandoc issue 392)."""

    def space(match: re.Match[str]) -> str:
        first, second = match.group(1), match.group(2)
        return f"{first}. {second}" if first.isupper() and second.isupper() else match.group()

    while True:
        spaced = _INITIALS.sub(space, given)
        if spaced == given:
            return given
        given = spaced


_INITIALS = re.compile(r"(?<![^\W\d_])([^\W\d_])\.([^\W\d_])(?![^\W\d_])")


def _parse_keyed_name(text: str) -> Name:
    """biblatex's extended name format: ``family=Smith, given=Jane, prefix=van``."""
    parts: dict[str, str] = {}
    for piece in text.split(","):
        key, _, value = piece.partition("=")
        parts[key.strip().lower()] = value.strip()
    return Name(
        family=parts.get("family", ""),
        given=parts.get("given", ""),
        particle=parts.get("prefix", ""),
        suffix=parts.get("suffix", ""),
    )


def relative_path(path: Path, root: Path) -> Path:
    """``path`` relative to ``root`` when inside it (for messages), else as given."""
    try:
        return path.resolve().relative_to(root.resolve())
    except ValueError:
        return path
