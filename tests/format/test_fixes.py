"""Each fix of ``briefgen.format.fixes``: citeproc-py's output without it, and with it."""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

from briefgen.format import fixes

STYLE = """\
<style xmlns="http://purl.org/net/xbiblio/csl" class="{cls}" version="1.0"{style_options}>
  <info><id/><title/><updated>2024-01-01T00:00:00+00:00</updated></info>
  {macros}
  <citation{citation_options}><layout delimiter="; ">{citation}</layout></citation>
  {bibliography}
</style>
"""


def render(
    items: list[dict[str, Any]],
    *,
    citation: str = '<text variable="title"/>',
    bibliography: str | None = None,
    macros: str = "",
    cls: str = "in-text",
    cites: list[list[dict[str, Any]]] | None = None,
    citation_options: str = "",
    style_options: str = "",
    sort: str = "",
    bibliography_options: str = "",
    raw_bibliography: bool = False,
) -> list[str]:
    """Citations (one per list in ``cites``, default one per item), then bibliography entries.

    ``raw_bibliography``: ask for the bibliography even when the style has none.
    """
    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle
    from citeproc.formatter import plain
    from citeproc.source import Locator
    from citeproc.source.json import CiteProcJSON

    bib = (
        f"<bibliography{bibliography_options}>{sort}<layout>{bibliography}</layout></bibliography>"
        if bibliography
        else ""
    )
    csl = STYLE.format(
        cls=cls, macros=macros, citation=citation, bibliography=bib,
        citation_options=citation_options, style_options=style_options,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        style = CitationStylesStyle(io.BytesIO(csl.encode()), validate=False)
        processor = CitationStylesBibliography(style, CiteProcJSON(items), plain)
        clusters = []
        for cluster in cites or [[{"id": item["id"]}] for item in items]:
            cluster_items = []
            for cite in cluster:
                options = {}
                if "locator" in cite:
                    options["locator"] = Locator(cite.get("label", "page"), cite["locator"])
                cluster_items.append(CitationItem(cite["id"], **options))
            clusters.append(Citation(cluster_items))
        for citation_ in clusters:
            processor.register(citation_)
        if sort:
            processor.sort()
        out = [str(processor.cite(c, lambda item: None)) for c in clusters]
        if bibliography is None and not raw_bibliography:
            return out
        return out + [str(entry) for entry in processor.bibliography()]


@pytest.fixture(autouse=True)
def _no_fixes() -> Iterator[None]:
    """Start every test from citeproc-py's own behaviour; leave the fixes as they were."""
    with fixes.without_fixes():
        yield


def both(fix: str, *args: Any, **kwargs: Any) -> tuple[Any, Any]:
    """The output without, then with, the fix named ``fix`` (only that one)."""
    before = render(*args, **kwargs)
    fixes.apply_fixes([fix])
    try:
        after = render(*args, **kwargs)
    finally:
        fixes.revert_fixes()
    return before, after


LYTTLE = {
    "id": "lyttle", "type": "legal_case", "title": "Lyttle v. United States",
    "issued": {"date-parts": [[2012]]}, "page": "1256",
}  # fmt: skip


def test_substitute_suppression_westminster() -> None:
    """The legal case in harvard-university-of-westminster, as Pandoc prints it."""
    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle
    from citeproc.formatter import plain
    from citeproc.source.json import CiteProcJSON

    def bibliography() -> str:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            style = CitationStylesStyle("harvard-university-of-westminster", validate=False)
            processor = CitationStylesBibliography(style, CiteProcJSON([LYTTLE]), plain)
            processor.register(Citation([CitationItem("lyttle")]))
            return str(processor.bibliography()[0])

    assert bibliography() == "Lyttle v. United States. (2012). Lyttle v. United States. 1256."
    fixes.apply_fixes(["substitute-suppression"])
    assert bibliography() == "Lyttle v. United States. (2012). 1256."


def test_substitute_suppression_names_and_macros() -> None:
    macros = """
      <macro name="title"><text variable="title" font-style="italic"/></macro>
      <macro name="author"><names variable="author">
        <substitute><names variable="editor"/><text macro="title"/></substitute>
      </names></macro>"""
    layout = """<group delimiter=". ">
      <text macro="author"/><names variable="editor" prefix="ed. "/><text macro="title"/>
    </group>"""
    items = [
        {"id": "a", "type": "book", "title": "Only a Title"},
        {"id": "b", "type": "book", "title": "Edited", "editor": [{"family": "Ed", "given": "A"}]},
    ]
    before, after = both("substitute-suppression", items, citation=layout, macros=macros)
    assert before == ["Only a Title. Only a Title", "A Ed. ed. A Ed. Edited"]
    assert after == ["Only a Title", "A Ed. Edited"]


NAMES = [
    {"id": "a", "type": "book", "author": [{"family": "Dimauro", "given": "John M.E."}]},
    {"id": "b", "type": "book", "author": [{"family": "Hudson", "given": "Ph. M.E."}]},
]


def test_initialize_false() -> None:
    name = '<names variable="author"><name initialize-with="." initialize="false"/></names>'
    before, after = both("initials", NAMES, citation=name)
    assert before == ["J.M.E. Dimauro", "P.M.E. Hudson"]
    assert after == ["John M.E. Dimauro", "Ph.M.E. Hudson"]


def test_initials_keep_abbreviations() -> None:
    name = '<names variable="author"><name initialize-with=". "/></names>'
    before, after = both("initials", NAMES, citation=name)
    assert before == ["J. M. E. Dimauro", "P. M. E. Hudson"]
    assert after == ["J. M. E. Dimauro", "Ph. M. E. Hudson"]


def test_text_case_on_formatted_text() -> None:
    macros = '<macro name="title"><text variable="title" font-style="italic"/></macro>'
    citation = '<text macro="title" text-case="capitalize-first"/>'
    items = [{"id": "a", "type": "book", "title": "killing hope"}]
    with pytest.raises(AttributeError, match="capitalize_first"):
        render(items, citation=citation, macros=macros)
    fixes.apply_fixes(["text-case-on-formatted-text"])
    assert render(items, citation=citation, macros=macros) == ["Killing hope"]


def test_text_case_on_a_number() -> None:
    citation = '<text variable="citation-number" text-case="uppercase"/>'
    items = [{"id": "a", "type": "book", "title": "T"}]
    with pytest.raises(AttributeError, match=r"lower|upper"):
        render(items, citation=citation)
    fixes.apply_fixes(["text-case-on-formatted-text"])
    assert render(items, citation=citation) == ["1"]


def test_strip_periods_on_numbers() -> None:
    citation = '<text variable="citation-number" strip-periods="true"/>'
    items = [{"id": "a", "type": "book", "title": "T"}]
    with pytest.raises(AttributeError, match="replace"):
        render(items, citation=citation)
    fixes.apply_fixes(["strip-periods-on-numbers"])
    assert render(items, citation=citation) == ["1"]


POSITION = """<choose>
  <if position="ibid-with-locator"><text value="ibid. at "/><text variable="locator"/></if>
  <else-if position="ibid"><text value="ibid."/></else-if>
  <else-if position="near-note"><text value="near "/><text variable="title"/></else-if>
  <else><text variable="title"/></else>
</choose>"""


def test_near_note_distance() -> None:
    items = [{"id": "a", "type": "book", "title": "A"}, {"id": "b", "type": "book", "title": "B"}]
    cites = [[{"id": "a"}], [{"id": "b"}], [{"id": "a"}]]
    with pytest.raises(KeyError, match="near-note-distance"):
        render(items, citation=POSITION, cls="note", cites=cites)
    fixes.apply_fixes(["positions"])
    assert render(items, citation=POSITION, cls="note", cites=cites) == ["A", "B", "near A"]


def test_equal_locators_make_ibid() -> None:
    items = [{"id": "a", "type": "book", "title": "A"}]
    cites = [[{"id": "a", "locator": "3"}], [{"id": "a", "locator": "3"}]]
    before, after = both("positions", items, citation=POSITION, cls="note", cites=cites)
    assert before == ["A", "ibid. at 3"]
    assert after == ["A", "ibid."]


def test_no_bibliography() -> None:
    items = [{"id": "a", "type": "book", "title": "A"}]
    with pytest.raises(AttributeError, match="render"):
        render(items, raw_bibliography=True)
    fixes.apply_fixes(["no-bibliography"])
    assert render(items, raw_bibliography=True) == ["A"]


def test_apply_is_idempotent_and_revertible() -> None:
    from citeproc import model

    original = model.Substitute.render
    fixes.apply_fixes()
    patched = model.Substitute.render
    fixes.apply_fixes()
    assert model.Substitute.render is patched is not original
    assert fixes.applied_fixes() == [fix.name for fix in fixes.FIXES]
    with fixes.without_fixes():
        assert model.Substitute.render is original
    assert model.Substitute.render is not original
    fixes.revert_fixes()
    assert model.Substitute.render is original
    with pytest.raises(ValueError, match="unknown citeproc-py fix 'nope'"):
        fixes.apply_fixes(["nope"])


def test_every_fix_is_documented() -> None:
    for fix in fixes.FIXES:
        assert "CSL" in fix.summary and "citeproc-py" in fix.summary, fix.name


def test_is_numeric_tests_the_locator() -> None:
    layout = """<text variable="title"/><choose>
      <if is-numeric="locator"><label variable="locator" form="short" prefix=", "/></if>
    </choose><text variable="locator" prefix=" "/>"""
    items = [{"id": "a", "type": "book", "title": "Hope"}]
    cites = [[{"id": "a", "locator": "2", "label": "chapter"}]]
    before, after = both("is-numeric-locator", items, citation=layout, cites=cites)
    assert before == ["Hope 2"]
    assert after == ["Hope, chap. 2"]


def test_disambiguate_is_true_only_for_a_cite_found_ambiguous() -> None:
    """citeproc-py on its own takes every disambiguate branch; our processor decides."""
    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle
    from citeproc.formatter import plain
    from citeproc.source.json import CiteProcJSON

    csl = STYLE.format(
        cls="note", macros="", citation_options="", style_options="", bibliography="",
        citation='<text variable="title"/><choose><if disambiguate="true">'
        '<text variable="issued" prefix=" (x)"/><text value="!"/></if></choose>',
    )  # fmt: skip

    def cite(flag: bool | None) -> str:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            style = CitationStylesStyle(io.BytesIO(csl.encode()), validate=False)
            processor = CitationStylesBibliography(
                style, CiteProcJSON([{"id": "a", "type": "book", "title": "Hope"}]), plain
            )
            item = CitationItem("a")
            if flag is not None:
                item["briefgen_disambiguate"] = flag
            citation = Citation([item])
            processor.register(citation)
            return str(processor.cite(citation, lambda item: None))

    assert cite(False) == "Hope!"  # citeproc-py: the branch always runs
    fixes.apply_fixes(["disambiguate-condition"])
    assert (cite(None), cite(False), cite(True)) == ("Hope!", "Hope", "Hope!")


def test_group_suppression_counts_the_variables_rendered() -> None:
    """APA's "(Publication)": the chosen branch prints a term, the group's variable is empty."""
    macros = """<macro name="place">
      <choose><if type="thesis"><text value="in "/></if></choose>
      <text variable="publisher-place"/>
    </macro>"""
    citation = """<group delimiter=" "><text variable="title"/>
      <group prefix="(" suffix=")" delimiter=" ">
        <choose>
          <if type="thesis"><text value="Publication"/></if>
          <else-if variable="number"><text variable="genre"/></else-if>
        </choose>
        <text variable="number"/>
      </group>
      <text macro="place"/>
    </group>"""
    items = [
        {"id": "a", "type": "thesis", "title": "Essays"},
        {"id": "b", "type": "thesis", "title": "Coal", "number": "12", "publisher-place": "Lund"},
    ]
    before, after = both("group-suppression", items, citation=citation, macros=macros)
    assert before == ["Essays (Publication) in ", "Coal (Publication 12) in Lund"]
    assert after == ["Essays", "Coal (Publication 12) in Lund"]


def test_title_case_hyphens_parentheses_and_single_letters() -> None:
    citation = '<text variable="title" text-case="title"/>'
    items = [
        {"id": "a", "type": "book", "title": "capital in the twenty-first century"},
        {"id": "b", "type": "book", "title": "massachusetts v. environmental protection agency"},
        {"id": "c", "type": "book", "title": "volume 1 (long and short papers): a world made of"},
    ]
    before, after = both("title-case", items, citation=citation)
    assert before == [
        "Capital in the Twenty-first Century",
        "Massachusetts V. Environmental Protection Agency",
        "Volume 1 (long and Short Papers): A World Made of",
    ]
    assert after == [
        "Capital in the Twenty-First Century",
        "Massachusetts v. Environmental Protection Agency",
        "Volume 1 (Long and Short Papers): A World Made Of",
    ]


def test_substitute_names_in_a_choose_inherit_name_and_label() -> None:
    """Chicago's editor-only books: the shorthand sits in a cs:choose inside cs:substitute."""
    citation = """<names variable="author">
      <name and="text" name-as-sort-order="first" initialize="false"/>
      <label form="short" prefix=", "/>
      <substitute><choose><if type="book"><names variable="editor"/></if></choose></substitute>
    </names>"""
    items = [{"id": "a", "type": "book", "title": "Governance", "editor": [
        {"family": "Stiglitz", "given": "Joseph E."}, {"family": "Muet", "given": "Pierre-Alain"},
    ]}]  # fmt: skip
    before, after = both("substitute-names-inherit", items, citation=citation)
    assert before == ["Joseph E. Stiglitz, Pierre-Alain Muet"]
    assert after == ["Stiglitz, Joseph E. and Pierre-Alain Muet, eds."]


@pytest.mark.parametrize(
    ("range_format", "page", "without", "with_"),
    [
        pytest.param("chicago-16", "1369-1401", "1369–1401", "1369–401", id="chicago-16"),
        pytest.param("minimal-two", "1-14", "1–4", "1–14", id="minimal-two-one-digit"),
        pytest.param("expanded", "321-28", "321–28", "321–328", id="expanded-abbreviated"),
    ],
)
def test_page_range_format(range_format: str, page: str, without: str, with_: str) -> None:
    items = [{"id": "a", "type": "article-journal", "title": "T", "page": page}]
    options = f' page-range-format="{range_format}"'
    before, after = both(
        "page-range-format", items, citation='<text variable="page"/>', style_options=options
    )
    assert (before, after) == ([without], [with_])


def test_date_ranges_print_shared_parts_once() -> None:
    citation = """<date variable="issued">
      <date-part name="month" suffix=" "/><date-part name="day" suffix=", "/>
      <date-part name="year"/>
    </date>"""
    items = [
        {"id": "a", "type": "speech", "title": "A",
         "issued": {"date-parts": [[2023, 11, 30], [2023, 12, 12]]}},
        {"id": "b", "type": "speech", "title": "B",
         "issued": {"date-parts": [[2021, 3, 5], [2021, 3, 7]]}},
        {"id": "c", "type": "speech", "title": "C",
         "issued": {"date-parts": [[2021, 3], [2021, 4]]}},
    ]  # fmt: skip
    before, after = both("date-ranges", items, citation=citation)
    assert before == ["November 30,–December 12, 2023", "5,–7, March 2021", "March–April 2021"]
    assert after == ["November 30–December 12, 2023", "March 5–7, 2021", "March–April 2021"]


def test_and_others_is_et_al() -> None:
    citation = """<names variable="author">
      <name and="symbol" initialize-with=". " name-as-sort-order="all"/>
    </names>"""
    others = {"literal": "others"}
    items = [
        {"id": "a", "type": "book", "title": "A", "author": [
            {"family": "Silva", "given": "Pedro"}, {"family": "Costa", "given": "Mariana"}, others,
        ]},
        {"id": "b", "type": "book", "title": "B", "author": [
            {"family": "Silva", "given": "Pedro"}, others,
        ]},
    ]  # fmt: skip
    before, after = both("and-others", items, citation=citation)
    assert before == ["Silva, P., Costa, M., & others", "Silva, P. & others"]
    assert after == ["Silva, P., Costa, M., et al.", "Silva, P. et al."]


def test_sort_keys_are_the_words_of_the_macro() -> None:
    """A quoted title sorts by its words, not after every unquoted one."""
    macros = """<macro name="title"><choose>
      <if type="article-journal"><text variable="title" quotes="true"/></if>
      <else><text variable="title"/></else>
    </choose></macro>"""
    items = [
        {"id": "z", "type": "book", "title": "Zebras"},
        {"id": "a", "type": "article-journal", "title": "Apples"},
    ]
    before, after = both(
        "sort-key-text", items, macros=macros, bibliography='<text macro="title"/>',
        sort='<sort><key macro="title"/></sort>',
    )
    assert before[2:] == ["Zebras", "“Apples”"]
    assert after[2:] == ["“Apples”", "Zebras"]


def test_subsequent_author_substitute() -> None:
    layout = """<group delimiter=". ">
      <names variable="author"><name name-as-sort-order="all"/></names>
      <text variable="title"/>
    </group>"""
    ibrahim = [{"family": "Ibrahim", "given": "Fatima"}]
    items = [
        {"id": "a", "type": "book", "title": "Sahel", "author": ibrahim},
        {"id": "b", "type": "book", "title": "Youth", "author": ibrahim},
        {"id": "c", "type": "book", "title": "Zones", "author": [{"family": "Lee", "given": "M"}]},
    ]
    before, after = both(
        "subsequent-author-substitute", items, bibliography=layout,
        bibliography_options=' subsequent-author-substitute="———"',
    )
    assert before[3:] == ["Ibrahim, Fatima. Sahel", "Ibrahim, Fatima. Youth", "Lee, M. Zones"]
    assert after[3:] == ["Ibrahim, Fatima. Sahel", "———. Youth", "Lee, M. Zones"]


def test_capitalize_only_lowercase_words() -> None:
    citation = """<group delimiter=" | ">
      <text variable="genre" text-case="capitalize-first"/>
      <text variable="title" text-case="capitalize-all"/>
      <text value="(eds.)" text-case="capitalize-first"/>
    </group>"""
    items = [{"id": "a", "type": "report", "genre": "arXiv:2310.08123", "title": "the iPhone book"}]
    before, after = both("capitalize-lowercase-words", items, citation=citation)
    assert before == ["ArXiv:2310.08123 | The IPhone Book | (eds.)"]
    assert after == ["arXiv:2310.08123 | The iPhone Book | (Eds.)"]


@pytest.mark.parametrize(
    ("number", "without", "with_"),
    [
        pytest.param("101-549", "text", "numeric", id="range"),
        pytest.param("2, 3 & 5", "text", "numeric", id="list"),
        pytest.param("L2d", "numeric", "numeric", id="affixes"),
        pytest.param("2nd edition", "text", "text", id="words"),
    ],
)
def test_is_numeric_ranges_and_lists(number: str, without: str, with_: str) -> None:
    citation = """<choose><if is-numeric="number"><text value="numeric"/></if>
      <else><text value="text"/></else></choose>"""
    items = [{"id": "a", "type": "bill", "title": "T", "number": number}]
    before, after = both("is-numeric-lists", items, citation=citation)
    assert (before, after) == ([without], [with_])


def test_label_of_an_empty_variable_prints_nothing() -> None:
    citation = """<text variable="title"/><label variable="page" form="short" prefix=", "/>
      <text variable="page" prefix=" "/>"""
    items = [
        {"id": "a", "type": "book", "title": "Hope"},
        {"id": "b", "type": "book", "title": "Fear", "page": "7"},
    ]
    before, after = both("label-of-empty-variable", items, citation=citation)
    assert before == ["Hope, p.", "Fear, p. 7"]
    assert after == ["Hope", "Fear, p. 7"]


@pytest.mark.parametrize(
    ("rule", "second", "third"),
    [
        pytest.param("complete-each", "---, ---. Youth", "Ibrahim, Fatima, Lee, Mia. Zones",
                     id="complete-each"),
        pytest.param("partial-each", "---, ---. Youth", "---, Lee, Mia. Zones", id="partial-each"),
        pytest.param("partial-first", "---, Sow, Ana. Youth", "---, Lee, Mia. Zones",
                     id="partial-first"),
    ],
)  # fmt: skip
def test_subsequent_author_substitute_name_by_name(rule: str, second: str, third: str) -> None:
    layout = """<group delimiter=". ">
      <names variable="author"><name name-as-sort-order="all"/></names>
      <text variable="title"/>
    </group>"""
    ibrahim, sow = {"family": "Ibrahim", "given": "Fatima"}, {"family": "Sow", "given": "Ana"}
    items = [
        {"id": "a", "type": "book", "title": "Sahel", "author": [ibrahim, sow]},
        {"id": "b", "type": "book", "title": "Youth", "author": [ibrahim, sow]},
        {"id": "c", "type": "book", "title": "Zones",
         "author": [ibrahim, {"family": "Lee", "given": "Mia"}]},
    ]  # fmt: skip
    options = f' subsequent-author-substitute="---" subsequent-author-substitute-rule="{rule}"'
    before, after = both(
        "subsequent-author-substitute", items, bibliography=layout, bibliography_options=options
    )
    assert before[3:] == ["Ibrahim, Fatima, Sow, Ana. Sahel", "Ibrahim, Fatima, Sow, Ana. Youth",
                          "Ibrahim, Fatima, Lee, Mia. Zones"]  # fmt: skip
    assert after[3:] == ["Ibrahim, Fatima, Sow, Ana. Sahel", second, third]


def test_label_plural_of_number_of_volumes() -> None:
    citation = """<group delimiter=" "><text variable="number-of-volumes"/>
      <label variable="number-of-volumes" form="short"/></group>"""
    items = [
        {"id": "a", "type": "book", "title": "A", "number-of-volumes": "1"},
        {"id": "b", "type": "book", "title": "B", "number-of-volumes": "3"},
    ]
    before, after = both("label-plural-number-of", items, citation=citation)
    assert before == ["1", "3"]
    assert after == ["1 vol.", "3 vols."]


def test_subsequent_author_substitute_keeps_the_label() -> None:
    layout = """<group delimiter=". ">
      <names variable="author"><name name-as-sort-order="all"/>
        <label form="short" prefix=" "/>
        <substitute><names variable="editor"/></substitute>
      </names>
      <text variable="title"/>
    </group>"""
    doe = [{"family": "Doe", "given": "John"}]
    items = [
        {"id": "a", "type": "book", "title": "Hello", "author": doe},
        {"id": "b", "type": "book", "title": "World", "editor": doe},
    ]
    before, after = both(
        "subsequent-author-substitute", items, bibliography=layout,
        bibliography_options=' subsequent-author-substitute="---"',
    )
    assert before[2:] == ["Doe, John. Hello", "Doe, John ed. World"]
    assert after[2:] == ["Doe, John. Hello", "--- ed. World"]


def test_no_name_labels_in_sort_keys() -> None:
    macros = """<macro name="names"><names variable="author">
      <name name-as-sort-order="all"/><label form="short" prefix=" "/>
      <substitute><names variable="editor"/></substitute>
    </names></macro>"""
    items = [
        {"id": "a", "type": "book", "title": "A", "author": [{"family": "Doe", "given": "John E"}]},
        {"id": "b", "type": "book", "title": "B", "editor": [{"family": "Doe", "given": "John"}]},
    ]
    before, after = both(
        "no-name-labels-in-sort-keys", items, macros=macros, bibliography='<text macro="names"/>',
        sort='<sort><key macro="names"/></sort>',
    )
    assert before[2:] == ["Doe, John E", "Doe, John ed."]
    assert after[2:] == ["Doe, John ed.", "Doe, John E"]


def test_sort_key_of_a_text_variable_has_no_markup() -> None:
    items = [
        {"id": "z", "type": "book", "title": "A <i>Zebra</i>"},
        {"id": "y", "type": "book", "title": "A Yak"},
    ]
    before, after = both(
        "sort-key-text", items, bibliography='<text variable="title"/>',
        sort='<sort><key variable="title"/></sort>',
    )
    assert before[2:] == ["A <i>Zebra</i>", "A Yak"]
    assert after[2:] == ["A Yak", "A <i>Zebra</i>"]


def test_season_months() -> None:
    citation = """<date variable="issued">
      <date-part name="month" suffix=" "/><date-part name="year"/>
    </date>"""
    items = [
        {"id": "a", "type": "book", "title": "A", "issued": {"date-parts": [[1999, 21]]}},
        {"id": "b", "type": "book", "title": "B", "issued": {"date-parts": [[1999, 15]]}},
    ]
    before, after = both("season-months", items, citation=citation)
    assert before == ["1999", "1999"]
    assert after == ["Spring 1999", "Autumn 1999"]


def test_delimiter_after_inverted_name() -> None:
    citation = """<names variable="author"><name name-as-sort-order="first" and="text"
      delimiter=", " delimiter-precedes-last="after-inverted-name"/></names>"""
    doe, roe = {"family": "Doe", "given": "John"}, {"family": "Roe", "given": "Jane"}
    items = [
        {"id": "a", "type": "book", "title": "A", "author": [doe, roe]},
        {"id": "b", "type": "book", "title": "B", "author": [doe, roe, {"family": "Poe"}]},
    ]
    before, after = both("after-inverted-name", items, citation=citation)
    assert before == ["Doe, John and Jane Roe", "Doe, John, Jane Roe and Poe"]
    assert after == ["Doe, John, and Jane Roe", "Doe, John, Jane Roe and Poe"]
