"""The citeproc-py adapter: citation order, Pandoc's modes, disambiguation, note numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.errors import Diagnostics, Location
from briefgen.format import fixes
from briefgen.format.engine import CitationProcessor, CiteRequest
from briefgen.format.output import to_formatted
from briefgen.format.styles import load_style
from briefgen.model import BibEntry, CitationMode, Name

STYLE = """\
<style xmlns="http://purl.org/net/xbiblio/csl" class="note" version="1.0">
  <info><id/><title/><updated>2024-01-01T00:00:00+00:00</updated></info>
  <citation>
    <layout delimiter="; " suffix=".">
      <names variable="author"><name form="short"/></names>
      <choose><if disambiguate="true"><text variable="title" prefix=", "/></if></choose>
      <choose><if position="subsequent"><text variable="first-reference-note-number"
        prefix=" (n " suffix=")"/></if></choose>
      <text variable="locator" prefix=", "/>
    </layout>
  </citation>
  <bibliography><layout><text variable="title"/></layout></bibliography>
</style>
"""


def _entry(key: str, family: str, title: str) -> BibEntry:
    names = (Name(family=family, given="A."),)
    fields = {"title": title, "author": f"A. {family}", "date": "2004"}
    return BibEntry(key, "book", fields, {"author": names}, Location(Path("r.bib"), 1))


BLUM_A = _entry("blumA", "Blum", "Killing Hope")
BLUM_B = _entry("blumB", "Blum", "Rogue State")
SMITH = _entry("smith", "Smith", "Climate")


def _render(
    tmp_path: Path, requests: list[list[CiteRequest]], *, with_fixes: bool = True
) -> list[str]:
    path = tmp_path / "test.csl"
    path.write_text(STYLE, encoding="utf-8")
    style = load_style("test.csl", "en-US", tmp_path, Diagnostics(), Location(path))
    assert style is not None and style.is_note
    processor = CitationProcessor(style.csl, [BLUM_A, BLUM_B, SMITH])
    for number, citation in enumerate(requests, start=1):
        processor.register(citation, note=number)
    if with_fixes:
        return [to_formatted(found.raw).text for found in processor.render()]
    with fixes.without_fixes():
        return [to_formatted(found.raw).text for found in processor.render()]


def test_works_print_in_the_order_written(tmp_path: Path) -> None:
    (text,) = _render(tmp_path, [[CiteRequest(SMITH), CiteRequest(BLUM_A)]])
    assert text.startswith("Smith; Blum")


def test_only_works_whose_authors_print_alike_are_disambiguated(tmp_path: Path) -> None:
    texts = _render(tmp_path, [[CiteRequest(BLUM_A)], [CiteRequest(BLUM_B)], [CiteRequest(SMITH)]])
    assert texts == ["Blum, Killing Hope.", "Blum, Rogue State.", "Smith."]


def test_without_the_fix_every_cite_took_the_disambiguate_branch(tmp_path: Path) -> None:
    texts = _render(tmp_path, [[CiteRequest(SMITH)]], with_fixes=False)
    assert texts == ["Smith, Climate."]


def test_subsequent_cites_name_the_note_of_the_first(tmp_path: Path) -> None:
    texts = _render(tmp_path, [[CiteRequest(SMITH)], [CiteRequest(BLUM_A)], [CiteRequest(SMITH)]])
    assert texts[2] == "Smith (n 1)."


@pytest.mark.parametrize(
    ("mode", "expected_text", "expected_author"),
    [
        pytest.param(CitationMode.NORMAL, "Smith, 12.", "Smith", id="normal"),
        pytest.param(CitationMode.SUPPRESS_AUTHOR, ", 12.", "Smith", id="suppress-author"),
        pytest.param(CitationMode.AUTHOR_IN_TEXT, ", 12.", "Smith", id="author-in-text"),
    ],
)
def test_citation_modes_act_on_the_first_names(
    tmp_path: Path, mode: CitationMode, expected_text: str, expected_author: str
) -> None:
    path = tmp_path / "test.csl"
    path.write_text(STYLE, encoding="utf-8")
    style = load_style("test.csl", "en-US", tmp_path, Diagnostics(), Location(path))
    assert style is not None
    processor = CitationProcessor(style.csl, [SMITH])
    processor.register([CiteRequest(SMITH, mode, "12", "page")])
    (found,) = processor.render()
    assert to_formatted(found.raw).text == expected_text
    assert to_formatted(found.author).text == expected_author


def test_works_by_one_author_in_one_year_get_year_suffixes(tmp_path: Path) -> None:
    """APA asks for year suffixes; citeproc-py has none, our processor assigns them."""
    style = load_style("apa", "en-US", tmp_path, Diagnostics(), Location(tmp_path))
    assert style is not None
    processor = CitationProcessor(style.csl, [BLUM_A, BLUM_B, SMITH])
    for entry in (BLUM_A, BLUM_B, SMITH):
        processor.register([CiteRequest(entry)])
    texts = [to_formatted(found.raw).text for found in processor.render()]
    assert texts == ["(Blum, 2004a)", "(Blum, 2004b)", "(Smith, 2004)"]
    listed = [to_formatted(raw).text for _, raw in processor.references()]
    assert listed[:2] == ["Blum, A. (2004a). Killing Hope.", "Blum, A. (2004b). Rogue State."]


def test_two_works_by_one_author_are_not_ambiguous_when_their_titles_differ(
    tmp_path: Path,
) -> None:
    """Chicago's short note names the title anyway: nothing more is added (as in Pandoc)."""
    style = load_style("chicago-notes-bibliography", "en-US", tmp_path, Diagnostics(),
                       Location(tmp_path))  # fmt: skip
    assert style is not None
    processor = CitationProcessor(style.csl, [BLUM_A, BLUM_B])
    for number, entry in enumerate((BLUM_A, BLUM_B, BLUM_A, BLUM_B), start=1):
        processor.register([CiteRequest(entry)], note=number)
    texts = [to_formatted(found.raw).text for found in processor.render()]
    assert texts[2:] == ["Blum, Killing Hope.", "Blum, Rogue State."]


def test_the_reference_list_prints_the_names_a_citation_suppressed(tmp_path: Path) -> None:
    """IEEE's citations print no names; the list after [-@key] still does."""
    style = load_style("ieee", "en-US", tmp_path, Diagnostics(), Location(tmp_path))
    assert style is not None
    processor = CitationProcessor(style.csl, [SMITH])
    processor.register([CiteRequest(SMITH, CitationMode.SUPPRESS_AUTHOR)])
    processor.render()
    ((_, raw),) = processor.references()
    # ...and its number stands apart, as second-field-align sets it ("[1]A. Smith" before).
    assert to_formatted(raw).text.startswith("[1] A. Smith")


def test_year_suffixes_survive_reverting_and_reapplying_the_fixes(tmp_path: Path) -> None:
    """season-months and the year suffix both wrap Date_Part.process; neither may lose the other."""
    style = load_style("apa", "en-US", tmp_path, Diagnostics(), Location(tmp_path))
    assert style is not None
    with fixes.without_fixes():
        pass  # what test_fixes does around every test
    processor = CitationProcessor(style.csl, [BLUM_A, BLUM_B])
    for entry in (BLUM_A, BLUM_B):
        processor.register([CiteRequest(entry)])
    texts = [to_formatted(found.raw).text for found in processor.render()]
    assert texts == ["(Blum, 2004a)", "(Blum, 2004b)"]


def test_the_reference_list_does_not_take_a_citation_s_locator(tmp_path: Path) -> None:
    """The list is rendered from each work's first citation item, locator removed."""
    article = BibEntry(
        "art", "article",
        {"title": "Origins", "journaltitle": "AER", "pages": "1369–1401", "date": "2001"},
        {"author": (Name(family="Acemoglu", given="Daron"),)}, Location(Path("r.bib"), 1),
    )  # fmt: skip
    style = load_style("chicago-notes-bibliography", "en-US", tmp_path, Diagnostics(),
                       Location(tmp_path))  # fmt: skip
    assert style is not None
    processor = CitationProcessor(style.csl, [article])
    processor.register([CiteRequest(article, locator="1370", label="page")], note=1)
    (note,) = processor.render()
    assert to_formatted(note.raw).text.endswith(", 1370.")
    ((_, raw),) = processor.references()
    listed = to_formatted(raw).text
    assert "1369–401" in listed and "1370" not in listed  # Chicago abbreviates ranges
