"""Free-text references read into biblatex fields, keys and BibTeX."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.bibliography import parse_bibliography
from briefgen.errors import Diagnostics
from briefgen.importer.compose import ImportedEntry, protect_case, to_bibtex
from briefgen.importer.references import key_base, parse_reference, split_sentences

CASES = [
    pytest.param(
        "Specht, D. (2019). El Salvador: Young maverick Bukele wins presidential election. "
        "The Conversation. Available from: https://theconversation.com/x-111775",
        "online", "specht2019salvador", [("Specht", "D.", "")],
        {"title": "El Salvador: Young maverick Bukele wins presidential election", "date": "2019",
         "organization": "The Conversation", "url": "https://theconversation.com/x-111775"},
        id="harvard-online",
    ),
    pytest.param(
        "Associated Press (2025) Rubio says El Salvador will house deportees from U.S., including "
        "Americas, NPR [Online] Available from: https://www.npr.org/2025/02/04/g-s1-46352/rubio",
        "online", "associated2025rubio", [("", "", "Associated Press")],
        {"title": "Rubio says El Salvador will house deportees from U.S., including Americas",
         "date": "2025-02-04", "organization": "NPR",
         "url": "https://www.npr.org/2025/02/04/g-s1-46352/rubio"},
        id="container-after-comma-date-from-url",
    ),
    pytest.param(
        "Strickler, L., Ainsley, J., and Martinez, D. (2025) U.S. designates Mexican cartels. "
        "NBC News [Online] Available from: https://www.nbcnews.com/a",
        "online", "strickler2025designates",
        [("Strickler", "L.", ""), ("Ainsley", "J.", ""), ("Martinez", "D.", "")],
        {"title": "U.S. designates Mexican cartels", "date": "2025", "organization": "NBC News",
         "url": "https://www.nbcnews.com/a"},
        id="three-authors-abbreviation-in-title",
    ),
    pytest.param(
        "Human Rights Watch. (2022, December 7). “We can arrest anyone we want”: Widespread "
        "violations. [online] Available from: https://www.hrw.org/report/2022/12/07/we",
        "online", "hrw2022can", [("", "", "Human Rights Watch")],
        {"title": "“We can arrest anyone we want”: Widespread violations", "date": "2022-12-07",
         "url": "https://www.hrw.org/report/2022/12/07/we"},
        id="corporate-full-date-quoted-title",
    ),
    pytest.param(
        "Gil-Bazo, M. (2015) The safe third country concept. Netherlands Quarterly of Human "
        "Rights, Vol. 33/1, 42–77.",
        "article", "gilbazo2015safe", [("Gil-Bazo", "M.", "")],
        {"title": "The safe third country concept", "date": "2015",
         "journaltitle": "Netherlands Quarterly of Human Rights", "volume": "33", "number": "1",
         "pages": "42--77"},
        id="journal-vol-slash-number",
    ),
    pytest.param(
        "Smith, J. and Jones, K. (2020). Heat and work. Journal of Labour Studies, 12(3), 45–67. "
        "https://doi.org/10.1234/jls.2020.45",
        "article", "smith2020heat", [("Smith", "J.", ""), ("Jones", "K.", "")],
        {"title": "Heat and work", "date": "2020", "journaltitle": "Journal of Labour Studies",
         "volume": "12", "number": "3", "pages": "45--67", "doi": "10.1234/jls.2020.45"},
        id="apa-journal-doi",
    ),
    pytest.param(
        "Blum, W. (2004) Killing Hope: US Military and CIA Interventions. Zed Books",
        "book", "blum2004killing", [("Blum", "W.", "")],
        {"title": "Killing Hope: US Military and CIA Interventions", "date": "2004",
         "publisher": "Zed Books"},
        id="book",
    ),
    pytest.param(
        "Doe, Jane. 2019. The Long Summer. London: Verso Press.",
        "book", "doe2019long", [("Doe", "Jane", "")],
        {"title": "The Long Summer", "date": "2019", "publisher": "Verso Press",
         "location": "London"},
        id="chicago-author-date-book",
    ),
    pytest.param(
        "Oxfam (2021, 3 March) Climate finance shadow report. Oxfam [online]. Available at: "
        "<https://oxfam.org/report.pdf> [Accessed 5 April 2023].",
        "report", "oxfam2021climate", [("", "", "Oxfam")],
        {"title": "Climate finance shadow report", "date": "2021-03-03", "institution": "Oxfam",
         "url": "https://oxfam.org/report.pdf", "urldate": "2023-04-05"},
        id="report-pdf-accessed",
    ),
    pytest.param(
        "Lyttle v. United States, 867 F. Supp. 2d 1256 (2012) https://case.law/caselaw/?x=1",
        "jurisdiction", "lyttle2012united", [],
        {"title": "Lyttle v. United States", "date": "2012", "journaltitle": "F. Supp. 2d",
         "volume": "867", "pages": "1256", "url": "https://case.law/caselaw/?x=1"},
        id="legal-case",
    ),
    pytest.param(
        "Prison Insider. (n.d.). Prisons in Guatemala. [Online] Available from "
        "https://www.prison-insider.com/countryprofile/prisonsinguatemala",
        "online", "prisonprisons", [("", "", "Prison Insider")],
        {"title": "Prisons in Guatemala",
         "url": "https://www.prison-insider.com/countryprofile/prisonsinguatemala"},
        id="no-date-available-without-colon",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("text", "entry_type", "key", "authors", "fields"), CASES)
def test_a_reference_is_read_into_fields(
    text: str,
    entry_type: str,
    key: str,
    authors: list[tuple[str, str, str]],
    fields: dict[str, str],
) -> None:
    reference = parse_reference(text)
    assert reference.entry_type == entry_type
    assert [(n.family, n.given, n.literal) for n in reference.authors] == authors
    assert dict(reference.fields) == fields
    assert reference.unparsed == ""
    assert key_base(reference) == key


def test_editors_and_et_al() -> None:
    edited = parse_reference("Brown, A. (ed.) (2018) Collected essays. Oxford University Press.")
    assert edited.authors == ()
    assert [(n.family, n.given) for n in edited.editors] == [("Brown", "A.")]
    assert edited.fields["publisher"] == "Oxford University Press"
    many = parse_reference("Kjellstrom, Tord, et al. (2016) Heat. Annual Review, 37, 97-112.")
    assert [n.literal or n.family for n in many.authors] == ["Kjellstrom", "others"]


@pytest.mark.parametrize(
    ("text", "unparsed"),
    [
        pytest.param("Personal communication with the mayor, 2020", None, id="no-shape"),
        pytest.param(
            "Lee, S. (2022) A study. Example Journal. Third part we cannot place.",
            "Third part we cannot place",
            id="leftover-sentence",
        ),
    ],
)
def test_what_cannot_be_read_is_kept_verbatim(text: str, unparsed: str | None) -> None:
    reference = parse_reference(text)
    assert reference.unparsed == (unparsed or text)


def test_ibid_keeps_its_locator() -> None:
    assert parse_reference("Ibid., p. 4.").ibid
    assert parse_reference("Ibid., p. 4.").fields == {"locator": "p. 4"}
    assert parse_reference("Ibid.").fields == {}


def test_sentences_do_not_end_at_initials_abbreviations_or_inside_brackets() -> None:
    text = "U.S. designates cartels (S. PRT. 117-13). Vol. 3 of it. Was it? Yes. Smith, J. et al. X"
    assert split_sentences(text) == [
        "U.S. designates cartels (S. PRT. 117-13)",
        "Vol. 3 of it",
        "Was it?",
        "Yes",
        "Smith, J. et al. X",
    ]


def test_capitalised_words_are_protected_and_latex_escaped() -> None:
    assert protect_case("Q&A: The UK’s policy on El Salvador") == (
        r"{Q\&A}: The {UK’s} policy on {El Salvador}"
    )
    assert protect_case("US officials and 50% of IACHR") == r"{US} officials and 50\% of {IACHR}"


def test_bibtex_round_trips_through_the_bibliography_reader() -> None:
    reference = parse_reference(
        "Amnesty International. (2024). Behind the veil: Repression in El Salvador & beyond. "
        "Available from: https://example.org/a_b%20c?x={1}"
    )
    bibtex = to_bibtex(ImportedEntry("amnesty2024behind", reference, ("xvi", "xvii"), 1))
    assert bibtex.startswith("% endnote [xvi], [xvii]\n@online{amnesty2024behind,\n")
    assert "  author = {{Amnesty International}},\n" in bibtex
    diagnostics = Diagnostics()
    entry = parse_bibliography(bibtex, Path("x.bib"), diagnostics).entries["amnesty2024behind"]
    assert diagnostics.items == []
    assert entry.fields["title"] == "Behind the veil: Repression in El Salvador & beyond"
    assert [n.literal for n in entry.names["author"]] == ["Amnesty International"]
    assert entry.url == "https://example.org/a_b%20c?x=%7B1%7D"
