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

import logging
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path

import bibtexparser
from bibtexparser import model
from bibtexparser.middlewares.names import (
    parse_single_name_into_parts,
    split_multiple_persons_names,
)

from briefgen.errors import Diagnostic, Diagnostics, Location
from briefgen.model import BibEntry, Bibliography, Name

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


def load_bibliography(path: Path, *, root: Path) -> tuple[Bibliography, list[Diagnostic]]:
    """Parse a BibTeX file; problems come back as diagnostics with ``path:line``."""
    rel = relative_path(path, root)
    diagnostics = Diagnostics()
    if not path.is_file():
        diagnostics.error(
            "bibliography file not found; expected a BibTeX file here (set 'bibliography' in "
            "[tool.briefgen] to use another path)",
            Location(rel),
        )
        return Bibliography(rel, readable=False), diagnostics.items
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        diagnostics.error(f"file is not valid UTF-8 ({exc.reason})", Location(rel))
        return Bibliography(rel, readable=False), diagnostics.items
    return parse_bibliography(text, rel, diagnostics), diagnostics.items


def parse_bibliography(text: str, path: Path, diagnostics: Diagnostics) -> Bibliography:
    """Parse BibTeX source text; ``path`` is only used in locations."""
    # An empty parse stack pins the behaviour: we rely on no library default.
    library = bibtexparser.parse_string(  # type: ignore[attr-defined]
        text.removeprefix("\ufeff"), parse_stack=[]
    )
    strings = dict(MONTHS)
    for string in library.strings:
        strings[string.key.lower()] = _resolve(
            str(string.value), strings, Location(path, (string.start_line or 0) + 1), diagnostics
        )

    first_line: dict[str, int] = {}
    raw: dict[str, tuple[model.Entry, dict[str, str]]] = {}
    for block in library.blocks:
        line = (block.start_line or 0) + 1
        where = Location(path, line)
        if isinstance(block, model.DuplicateBlockKeyBlock):
            first = first_line.get(block.key)
            diagnostics.error(
                f"duplicate BibTeX key {block.key!r}"
                + (f" (first defined on line {first})" if first else "")
                + "; each entry needs its own key",
                where,
            )
        elif isinstance(block, model.DuplicateFieldKeyBlock):
            duplicates = ", ".join(repr(k) for k in sorted(block.duplicate_keys))
            entry_key = getattr(block.ignore_error_block, "key", "?")
            diagnostics.error(
                f"entry {entry_key!r} gives field {duplicates} more than once",
                where,
            )
        elif isinstance(block, model.ParsingFailedBlock):
            source = (block.raw or "").strip()
            head = source.splitlines()[0][:60] if source else ""
            diagnostics.error(
                f"cannot parse BibTeX block {head!r}; expected @type{{key, field = {{value}}, ...}}"
                " with balanced braces",
                where,
            )
        elif isinstance(block, model.Entry):
            first_line[block.key] = line
            values = {
                f.key.lower(): _resolve(str(f.value), strings, where, diagnostics)
                for f in block.fields
            }
            raw[block.key] = (block, values)

    entries = {}
    for key, (block, values) in raw.items():
        where = Location(path, first_line[key])
        values = _inherit_crossref(key, values, raw, where, diagnostics)
        entries[key] = _decode_entry(key, block.entry_type.lower(), values, where)
    return Bibliography(path, entries)


_TOKEN = re.compile(r'\s*(?:\{|"|[^\s#{"]+)')


def _resolve(
    value: str, strings: Mapping[str, str], where: Location, diagnostics: Diagnostics
) -> str:
    """Evaluate a raw BibTeX value: braces, quotes, macros, numbers and ``#`` concatenation."""
    parts = []
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
            match = re.match(r'[^\s#{"]+', value[i:])
            assert match is not None
            word = match.group()
            if word.isdigit():
                parts.append(word)
            elif word.lower() in strings:
                parts.append(strings[word.lower()])
            else:
                diagnostics.error(
                    f"unknown @string macro {word!r}; define it with @string{{{word} = {{...}}}}"
                    " or put the value in braces",
                    where,
                )
                parts.append(word)
            i += len(word)
    return "".join(parts)


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


def _inherit_crossref(
    key: str,
    values: dict[str, str],
    raw: Mapping[str, tuple[model.Entry, dict[str, str]]],
    where: Location,
    diagnostics: Diagnostics,
) -> dict[str, str]:
    parent_key = values.get("crossref")
    if not parent_key:
        return values
    if parent_key not in raw:
        diagnostics.error(f"entry {key!r} has crossref to unknown key {parent_key!r}", where)
        return values
    parent = raw[parent_key][1]
    inherited = {k: v for k, v in parent.items() if k not in ("crossref", "ids")}
    # biblatex: the parent's title is the child's container title.
    if "title" in parent:
        inherited.setdefault("booktitle", parent["title"])
        inherited.pop("title")
    return {**inherited, **values}


def _decode_entry(
    key: str, entry_type: str, values: Mapping[str, str], where: Location
) -> BibEntry:
    fields: dict[str, str] = {}
    names: dict[str, tuple[Name, ...]] = {}
    for name, value in values.items():
        if name in RAW_FIELDS:
            fields[name] = value.strip()
        elif name in NAME_FIELDS:
            names[name] = tuple(
                _parse_name(person) for person in split_multiple_persons_names(value)
            )
            fields[name] = "; ".join(str(n) for n in names[name])
        else:
            fields[name] = latex_to_text(value)
    doi = fields.get("doi") or None
    if doi:
        doi = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)", "", doi, flags=re.IGNORECASE)
    return BibEntry(
        key=key,
        entry_type=entry_type,
        fields=fields,
        names=names,
        location=where,
        url=fields.get("url") or None,
        doi=doi,
    )


def _parse_name(person: str) -> Name:
    person = person.strip()
    # A name wholly in braces is an organisation: never split it.
    if person.startswith("{") and _closing(person, 0) == len(person) - 1:
        return Name(literal=latex_to_text(person[1:-1]))
    parts = parse_single_name_into_parts(person, strict=False)
    return Name(
        family=latex_to_text(" ".join(parts.last)),
        given=latex_to_text(" ".join(parts.first)),
        particle=latex_to_text(" ".join(parts.von)),
        suffix=latex_to_text(" ".join(parts.jr)),
    )


@cache
def _latex_decoder():  # type: ignore[no-untyped-def]
    from pylatexenc.latex2text import LatexNodes2Text

    return LatexNodes2Text(math_mode="verbatim", strict_latex_spaces=True)


def latex_to_text(value: str) -> str:
    """Decode LaTeX markup (accents, braces, ``\\&``, ``--``) to plain Unicode text."""
    if not any(c in value for c in "\\~$") and not any(
        ligature in value for ligature in ("--", "``", "''", "!`", "?`")
    ):
        # Only braces to drop: pylatexenc is slow, and this is most fields.
        return " ".join(value.replace("{", "").replace("}", "").split())
    text = _latex_decoder().latex_to_text(value)
    return " ".join(text.replace("\u00a0", " ").split())


def relative_path(path: Path, root: Path) -> Path:
    """``path`` relative to ``root`` when inside it (for messages), else as given."""
    try:
        return path.resolve().relative_to(root.resolve())
    except ValueError:
        return path
