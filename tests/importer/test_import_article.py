"""Splitting an article: markers, the reference list, headings, byline and bio; escaping prose."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.errors import Diagnostics
from briefgen.importer.article import read_article, roman_value, to_roman
from briefgen.importer.compose import escape_prose
from briefgen.importer.records import Article

PATH = Path("article.txt")


def read(text: str, *, markdown: bool = False) -> tuple[Article, Diagnostics]:
    diagnostics = Diagnostics()
    return read_article(text, PATH, diagnostics, markdown=markdown), diagnostics


def markers(article: Article) -> list[tuple[tuple[str, ...], int, str]]:
    return [
        (m.labels, m.line, m.text) for s in article.sections for b in s.blocks for m in b.markers
    ]


def test_roman_numerals() -> None:
    assert [roman_value(s) for s in ("i", "iv", "xvii", "XXVIII", "mcmxc")] == [
        1, 4, 17, 28, 1990,
    ]  # fmt: skip
    assert [roman_value(s) for s in ("iiii", "iix", "", "vx")] == [None, None, None, None]
    assert to_roman(28) == "xxviii"


BODY = """\
Title of It

Next to a quotation mark,”[1] after a full stop.[2] (in brackets[3]) and “quoted[4]”.
[I]t is editorial, [sic] too; a link [5](http://x) and [text][6] are links; \
grouped [7, 8] and a range [9–11]; adjacent [12][13].

References

"""


def test_markers_beside_punctuation_but_not_links_or_editorial_brackets() -> None:
    refs = "".join(f"[{n}] Doe, J. ({2000 + n}) Title {n}. Site.\n" for n in range(1, 14))
    article, diagnostics = read(BODY + refs)
    assert markers(article) == [
        (("1",), 3, "[1]"),
        (("2",), 3, "[2]"),
        (("3",), 3, "[3]"),
        (("4",), 3, "[4]"),
        (("7", "8"), 4, "[7, 8]"),
        (("9", "10", "11"), 4, "[9–11]"),
        (("12",), 4, "[12]"),
        (("13",), 4, "[13]"),
    ]
    assert article.scheme == "arabic"
    assert len(article.references) == 13
    assert diagnostics.items == []


@pytest.mark.parametrize(
    "label",
    [
        pytest.param("[{r}] ", id="bracket-roman"),
        pytest.param("{r}. ", id="dot-roman"),
        pytest.param("{n}. ", id="dot-arabic"),
        pytest.param("[{n}] ", id="bracket-arabic"),
        pytest.param("{n}) ", id="paren-arabic"),
        pytest.param("^{n} ", id="caret"),
        pytest.param("[^{n}]: ", id="footnote-definition"),
    ],
)
@pytest.mark.parametrize("heading", ["References\n\n", "Endnotes\n", "Sources\n\n", ""])
def test_reference_lists_in_many_shapes(label: str, heading: str) -> None:
    text = (
        "The Title\n\nA claim[i] and another[ii], then a third[iii].\n\n"
        + heading
        + "".join(
            label.format(r=to_roman(n), n=n)
            + f"Doe, J. ({2000 + n}) Title {n}.\n"
            + ("   https://example.org/continued\n" if n == 2 else "")
            for n in (1, 2, 3)
        )
        + "\nJane Doe\n\nJane Doe is a researcher [at] a place.\n"
    )
    article, diagnostics = read(text)
    assert [(r.number, r.line) for r in article.references] == [(1, 5 + heading.count("\n")),
        (2, 6 + heading.count("\n")), (3, 8 + heading.count("\n"))]  # fmt: skip
    assert article.references[1].text == "Doe, J. (2002) Title 2. https://example.org/continued"
    assert article.scheme == "lower-roman"
    assert [a.name for a in article.authors] == ["Jane Doe"]
    assert article.authors[0].bio == "Jane Doe is a researcher [at] a place."
    assert diagnostics.items == []
    # The list is not prose: its labels are not markers, and it is in no section.
    assert [m[0] for m in markers(article)] == [("i",), ("ii",), ("iii",)]
    assert all("Title 1" not in b.text for s in article.sections for b in s.blocks)


def test_markers_inside_the_reference_list_are_not_citations() -> None:
    text = (
        "T\n\nClaim[1].\n\nNotes\n\n"
        "[1] Radio YSKL. (2023). Presentan [Presenting] la megacárcel, see [2] there.\n"
    )
    article, _ = read(text)
    assert [m[0] for m in markers(article)] == [("1",)]
    assert len(article.references) == 1


def test_sections_split_at_headings_with_an_untitled_lead() -> None:
    text = (
        "A Title\r\n\r\nBy Jane Doe and John Roe\r\n\r\n11 February 2025\r\n\r\n"
        "Opening text[1].\r\nSecond line.\r\n\r\nThe First Part\r\n\r\nBody[2].\r\n\r\n"
        "Another Part?\r\n\r\nMore.\r\n\r\nReferences\r\n\r\n1. A\r\n2. B\r\n"
    )
    article, _ = read(text)
    assert article.title == "A Title"
    assert [a.name for a in article.authors] == ["Jane Doe", "John Roe"]
    assert str(article.date) == "2025-02-11"
    assert [(s.title, s.line) for s in article.sections] == [
        ("", 7), ("The First Part", 10), ("Another Part?", 14),
    ]  # fmt: skip
    assert article.sections[0].blocks[0].text == "Opening text[1].\nSecond line."


def test_markdown_headings_and_front_matter() -> None:
    text = (
        "---\ntitle: From YAML\nauthor: [Jane Doe]\n---\n\nLead[^a].\n\n## Part\n\n"
        "Text[^b].\n\n### Deeper\n\n```\n[^c] is code\n```\n\n[^a]: Doe, J. (2020) One.\n"
        "[^b]: Doe, J. (2021) Two.\n"
    )
    article, diagnostics = read(text, markdown=True)
    assert article.title == "From YAML"
    assert [a.name for a in article.authors] == ["Jane Doe"]
    assert [s.title for s in article.sections] == ["", "Part"]
    assert [b.text for b in article.sections[1].blocks] == [
        "Text[^b].", "### Deeper", "```\n[^c] is code\n```",
    ]  # fmt: skip
    assert [m[0] for m in markers(article)] == [("a",), ("b",)]
    assert [r.label for r in article.references] == ["a", "b"]
    assert article.scheme == "footnote"
    assert diagnostics.items == []


def test_out_of_order_and_duplicate_list_labels_are_reported() -> None:
    text = "T\n\nA[1] B[2].\n\nReferences\n\n1. One\n3. Three\n2. Two\n3. Again\n"
    article, diagnostics = read(text)
    assert [d.format() for d in diagnostics.items] == [
        "article.txt:8: warning: reference [3] follows [1] in the list; expected the "
        "references numbered in order",
        "article.txt:9: warning: reference [2] follows [3] in the list; expected the "
        "references numbered in order",
        "article.txt:10: warning: reference [3] is listed twice (first on line 8); the second "
        "is left out",
    ]
    assert [r.label for r in article.references] == ["1", "3", "2"]


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        pytest.param("5 * 3 and a_b", r"5 \* 3 and a\_b", id="emphasis"),
        pytest.param("mail me@x.org [draft]", r"mail me\@x.org \[draft\]", id="cite-brackets"),
        pytest.param("$5 ~x~ 2^3^ a|b <i>", r"\$5 \~x\~ 2\^3\^ a\|b \<i\>", id="inline"),
        pytest.param("# no\n- no\n12. no\n: no", "\\# no\n\\- no\n12\\. no\n\\: no", id="blocks"),
        pytest.param("&amp; & x", r"\&amp; & x", id="entity"),
        pytest.param("back\\slash `code`", r"back\\slash \`code\`", id="backslash-code"),
        pytest.param("----", r"\----", id="rule"),
    ],
)
def test_escape_prose(text: str, escaped: str) -> None:
    assert escape_prose(text) == escaped


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
def test_any_line_endings(newline: str) -> None:
    text = "Title\n\nClaim[1].\n\nPart\n\nMore[2].\n\nReferences\n\n1. Doe, J. (2020) A.\n2. B\n"
    article, diagnostics = read(text.replace("\n", newline))
    assert article.title == "Title"
    assert [s.title for s in article.sections] == ["", "Part"]
    assert [(r.label, r.line, r.text) for r in article.references] == [
        ("1", 11, "Doe, J. (2020) A."), ("2", 12, "B"),
    ]  # fmt: skip
    assert diagnostics.items == []
