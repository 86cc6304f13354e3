from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.bibliography import load_bibliography, parse_bibliography
from briefgen.errors import Diagnostics
from briefgen.format.csljson import entry_to_csl
from briefgen.model import Name


def parse(text: str) -> tuple[dict[str, object], Diagnostics]:
    diagnostics = Diagnostics()
    bibliography = parse_bibliography(text, Path("refs.bib"), diagnostics)
    return {k: entry_to_csl(e) for k, e in bibliography.entries.items()}, diagnostics


def csl(text: str) -> dict[str, object]:
    items, diagnostics = parse(text)
    assert diagnostics.items == []
    (item,) = items.values()
    return item


@pytest.mark.parametrize(
    ("author", "expected"),
    [
        pytest.param(
            "{Amnesty International}", [{"literal": "Amnesty International"}], id="corporate"
        ),
        pytest.param(
            "{Amnesty International} and Doe, Jane",
            [{"literal": "Amnesty International"}, {"family": "Doe", "given": "Jane"}],
            id="corporate-and-person",
        ),
        pytest.param(
            "{Organisation for Economic Co-operation and Development}",
            [{"literal": "Organisation for Economic Co-operation and Development"}],
            id="corporate-with-and-inside",
        ),
        pytest.param(
            "M{\\\"u}ller, J{\\'o}zsef and Gil-Bazo, M.",
            [{"family": "Müller", "given": "József"}, {"family": "Gil-Bazo", "given": "M."}],
            id="accents-decoded-after-splitting",
        ),
        pytest.param(
            "de la Fontaine, Jr., Jean",
            [
                {
                    "family": "Fontaine",
                    "given": "Jean",
                    "dropping-particle": "de la",
                    "suffix": "Jr.",
                }
            ],
            id="particle-and-suffix",
        ),
        pytest.param("Jane Doe", [{"family": "Doe", "given": "Jane"}], id="given-first"),
        pytest.param(
            "Strickler, L. and Ainsley, J. and Martinez, D.",
            [
                {"family": "Strickler", "given": "L."},
                {"family": "Ainsley", "given": "J."},
                {"family": "Martinez", "given": "D."},
            ],
            id="three-authors",
        ),
    ],
)
def test_names(author: str, expected: list[dict[str, str]]) -> None:
    assert csl(f"@book{{k, author = {{{author}}}, title = {{T}}}}")["author"] == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        # English titles are sentence-cased, as Pandoc does; braces protect.
        pytest.param("{El Salvador}: a {\\'e}tude", "El Salvador: A étude", id="braces-accents"),
        pytest.param(
            "{Q\\&A} on 50\\% of \\emph{all}", "Q&A on 50% of all", id="escapes-and-macros"
        ),
        pytest.param("pages 1--2 and {---} dash", "Pages 1–2 and — dash", id="dashes"),
        pytest.param("Plain   text\n  across lines", "Plain text across lines", id="whitespace"),
        pytest.param("Why We Can't Wait", "Why we can’t wait", id="smart-apostrophe"),
    ],
)
def test_titles_are_decoded(title: str, expected: str) -> None:
    assert csl(f"@misc{{k, title = {{{title}}}}}")["title"] == expected


def test_url_and_doi_are_kept_raw() -> None:
    item = csl(
        "@online{k, title = {T}, url = {https://example.org/a%20b_c?x=1&y={2}#frag},"
        " doi = {https://doi.org/10.1000/ABC%2F1}}"
    )
    assert item["URL"] == "https://example.org/a%20b_c?x=1&y={2}#frag"
    assert item["DOI"] == "10.1000/ABC%2F1"


def test_string_macros_months_and_concatenation() -> None:
    item = csl(
        '@string{zed = "Zed Books"}\n'
        "@string{city = {London}}\n"
        '@book{k, title = {T}, publisher = zed # " Ltd", address = city,'
        " year = 2004, month = jul}"
    )
    assert item["publisher"] == "Zed Books Ltd"
    assert item["publisher-place"] == "London"
    assert item["issued"] == {"date-parts": [[2004, 7]]}


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        pytest.param("date = {2024-07-25}", {"date-parts": [[2024, 7, 25]]}, id="biblatex-date"),
        pytest.param("date = {2024-07}", {"date-parts": [[2024, 7]]}, id="year-month"),
        pytest.param("date = {2019/2020}", {"date-parts": [[2019], [2020]]}, id="range"),
        pytest.param(
            "year = {2022}, month = {December}, day = 7",
            {"date-parts": [[2022, 12, 7]]},
            id="year-month-name-day",
        ),
        pytest.param("year = {2022}, month = 12", {"date-parts": [[2022, 12]]}, id="month-number"),
        pytest.param("year = {forthcoming}", {"literal": "forthcoming"}, id="literal"),
    ],
)
def test_dates(fields: str, expected: dict[str, object]) -> None:
    assert csl(f"@misc{{k, title = {{T}}, {fields}}}")["issued"] == expected


def test_missing_fields_give_a_minimal_item() -> None:
    assert csl("@misc{bare, title = {Only a title}}") == {
        "id": "bare",
        "type": "",
        "title": "Only a title",
    }


@pytest.mark.parametrize(
    ("source", "expected_type"),
    [
        pytest.param("@article{k, journal = {J}}", "article-journal", id="article"),
        pytest.param("@article{k, entrysubtype = {newspaper}}", "article-newspaper", id="news"),
        pytest.param("@online{k, url = {https://x.org}}", "webpage", id="online"),
        pytest.param("@misc{k, url = {https://x.org}}", "", id="misc-with-url"),
        pytest.param("@report{k, institution = {I}}", "report", id="report"),
        pytest.param("@techreport{k}", "report", id="techreport"),
        pytest.param("@jurisdiction{k}", "legal_case", id="legal-case"),
        pytest.param("@book{k}", "book", id="book"),
        pytest.param("@phdthesis{k}", "thesis", id="thesis"),
        pytest.param("@whatever{k}", "", id="unknown"),
    ],
)
def test_entry_types(source: str, expected_type: str) -> None:
    items, _ = parse(source)
    assert items["k"]["type"] == expected_type


def test_article_fields() -> None:
    item = csl(
        "@article{k, author = {Gil-Bazo, M.}, title = {T}, journaltitle = {NQHR},"
        " volume = {33}, number = {1}, pages = {42--77}, date = {2015}}"
    )
    assert (item["container-title"], item["volume"], item["issue"], item["page"]) == (
        "NQHR",
        "33",
        "1",
        "42–77",  # Pandoc gives 42-77; both render the same
    )


def test_report_number_is_not_an_issue() -> None:
    item = csl("@report{k, title = {T}, institution = {GPO}, number = {S. Prt. 117-13}}")
    assert item["number"] == "S. Prt. 117-13"
    assert "issue" not in item
    assert item["publisher"] == "GPO"


def test_web_page_organization_is_the_publisher() -> None:
    # Pandoc: school, institution, organization, howpublished, publisher → publisher.
    item = csl("@online{k, title = {T}, organization = {NPR}, url = {https://npr.org}}")
    assert item["publisher"] == "NPR"
    assert "container-title" not in item


def test_crossref_is_resolved() -> None:
    items, diagnostics = parse(
        "@inproceedings{child, author = {Doe, J.}, title = {Paper}, crossref = {proc}}\n"
        "@proceedings{proc, title = {Proceedings of {X}}, year = {2020}, publisher = {ACM}}"
    )
    assert diagnostics.items == []
    child = items["child"]
    assert child["container-title"] == "Proceedings of X"
    assert child["title"] == "Paper"
    assert child["issued"] == {"date-parts": [[2020]]}
    assert child["publisher"] == "ACM"


def test_errors_carry_lines() -> None:
    _, diagnostics = parse(
        "@misc{a, title = {A}}\n"
        "\n"
        "@misc{a, title = {Again}}\n"
        "@misc{b, title = {B}, title = {B2}}\n"
        "@misc{c, publisher = nomacro}\n"
        "@misc{d, crossref = {missing}}\n"
        "@misc{broken,\n"
        "  title = {unclosed\n"
        "@misc{e, title = {E}}\n"
    )
    messages = sorted(d.format() for d in diagnostics.errors)
    assert messages == [
        "refs.bib:3: duplicate BibTeX key 'a' (first defined on line 1); each entry needs its"
        " own key",
        "refs.bib:4: entry 'b' gives field 'title' more than once",
        "refs.bib:5: unknown @string macro 'nomacro'; define it with @string{nomacro = {...}} or"
        " put the value in braces",
        "refs.bib:6: entry 'd' has crossref to unknown key 'missing'",
        "refs.bib:7: cannot parse BibTeX block '@misc{broken,'; expected @type{key, field ="
        " {value}, ...} with balanced braces",
    ]


def test_missing_file(tmp_path: Path) -> None:
    diagnostics = Diagnostics()
    bibliography = load_bibliography(
        tmp_path / "references.bib", root=tmp_path, diagnostics=diagnostics
    )
    assert bibliography.entries == {}
    assert [d.format() for d in diagnostics.items] == [
        "references.bib: bibliography file not found; expected a BibTeX file here (set"
        " 'bibliography' in [tool.briefgen] to use another path)"
    ]


def test_name_str() -> None:
    assert str(Name(family="Fontaine", given="Jean", particle="de la")) == "Jean de la Fontaine"
    assert str(Name(literal="Amnesty International")) == "Amnesty International"
