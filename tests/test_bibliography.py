from __future__ import annotations

from collections.abc import Callable
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


# --- Hostile input (issue 11) ------------------------------------------------------------


def messages(text: str) -> list[str]:
    _, diagnostics = parse(text)
    return [d.format() for d in diagnostics.items]


def test_doubling_string_macros_are_an_error_not_gigabytes() -> None:
    lines = ['@string{s0 = "xxxxxxxx"}']
    lines += [f"@string{{s{i} = s{i - 1} # s{i - 1}}}" for i in range(1, 31)]
    lines += ["@misc{bomb, title = s30}"]
    items, diagnostics = parse("\n".join(lines))
    (error,) = [d.format() for d in diagnostics.errors]
    assert error.startswith("refs.bib:12: @string macros expand this value past ")
    assert len(error) < 300
    assert len(str(items)) < 10_000  # 2**30 characters without the bound


def test_many_uses_of_a_long_macro_are_bounded_in_total() -> None:
    macro = "@string{long = {" + "word " * 2_000 + "}}\n"
    uses = "".join(f"@misc{{k{i}, title = long # long # long}}\n" for i in range(400))
    _, diagnostics = parse(macro + uses)
    assert len(diagnostics.errors) == 1  # reported once, then every value is cut short
    assert "@string macros expand this value past" in diagnostics.errors[0].message


def test_an_abbreviation_macro_used_everywhere_is_fine() -> None:
    macro = "@string{jpe = {Journal of Political Economy}}\n"
    uses = "".join(f"@article{{k{i}, journal = jpe, title = {{T}}}}\n" for i in range(2_000))
    items, diagnostics = parse(macro + uses)
    assert diagnostics.items == [] and len(items) == 2_000


@pytest.mark.parametrize(
    "title",
    [
        pytest.param("\\textbf{" * 3_000 + "deep" + "}" * 3_000, id="textbf"),
        pytest.param("{" * 3_000 + "deep" + "}" * 3_000, id="braces"),
        pytest.param("\\emph{\\'{" * 1_500 + "deep" + "}}" * 1_500, id="accents"),
    ],
)
def test_deeply_nested_latex_keeps_its_words(title: str) -> None:
    title = str(csl(f"@misc{{k, title = {{{title}}}}}")["title"])
    assert "eep" in title and "'" not in title  # accents may mark the d


def test_a_deep_accent_chain_is_no_traceback() -> None:
    assert csl("@misc{k, title = {" + "\\'" * 3_000 + "e}}")["id"] == "k"


def test_an_entry_without_a_key_is_an_error_at_its_line() -> None:
    text = "@book{blum2004, title = {T}}\n\n@article{,\n  title = {No key},\n}\n"
    assert messages(text) == [
        "refs.bib:3: entry has no key; expected @type{key, field = {value}, ...}"
    ]


def test_control_characters_are_removed_with_a_warning_naming_the_field() -> None:
    items, diagnostics = parse("@misc{k,\n  note = {fine},\n  title = {A\x01 title\x7f\x85},\n}\n")
    assert [d.format() for d in diagnostics.items] == [
        "refs.bib:3: warning: entry 'k' field 'title' holds the control character U+0001; "
        "it is removed (delete it to silence this)"
    ]
    assert items["k"]["title"] == "A title"


def test_a_key_with_a_control_character_is_an_error() -> None:
    assert messages("@misc{a\x1bb, title = {T}}\n") == [
        "refs.bib:1: BibTeX key 'a\\x1bb' holds the control character U+001B; "
        "a key may not hold one"
    ]


def test_a_long_unknown_macro_is_not_repeated_whole() -> None:
    (error,) = messages("@misc{k, title = " + "m" * 100_000 + "}\n")
    assert error.startswith("refs.bib:1: unknown @string macro 'mmm")
    assert len(error) < 300


def test_a_byte_that_is_not_utf8_is_named_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_bytes(b"@misc{a,\n  title = {Caf\xe9},\n}\n")
    diagnostics = Diagnostics()
    load_bibliography(path, root=tmp_path, diagnostics=diagnostics)
    assert [d.format() for d in diagnostics.items] == [
        "refs.bib:2: byte 0xE9 (byte 15 of the line) is not valid UTF-8 (invalid continuation "
        "byte); save the file as UTF-8"
    ]


@pytest.mark.parametrize(
    "note",
    [
        pytest.param(r"See \href{https://example.org/a_b}{the page}", id="href"),
        pytest.param(r"\href{https://example.org/a%20b}{the {Page}} and more", id="href-percent"),
        pytest.param(r"See \url{https://example.org/a_b}", id="url"),
        pytest.param(r"See \href{https://example.org/}{}", id="href-empty-text"),
    ],
)
def test_href_and_url_read_as_pandoc_reads_them(note: str, pandoc: Callable[..., str]) -> None:
    import json

    text = f"@misc{{k, title = {{T}}, note = {{{note}}}}}\n"
    (expected,) = json.loads(pandoc(text, "-f", "biblatex", "-t", "csljson"))
    # Pandoc keeps an empty link's space ("See "); briefgen trims a field's ends.
    assert csl(text).get("note") == expected.get("note").strip()


def test_fields_after_an_extra_brace_are_a_warning_at_the_first() -> None:
    text = (
        "@book{k1,\n  author = {Blum, William},\n  title = {Killing Hope}},\n"
        "  publisher = {Zed Books},\n  date = {2004},\n}\n% A comment = not a field.\n"
    )
    assert messages(text) == [
        "refs.bib:4: warning: field 'publisher' is outside any entry and is ignored; an extra "
        "'}' above probably closes the entry early"
    ]
