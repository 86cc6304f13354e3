"""``briefgen import``: the seed article becomes a brief that builds to the shipped notes."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape
from pathlib import Path

import pytest
import yaml

from briefgen.bibliography import parse_bibliography
from briefgen.errors import Diagnostics
from briefgen.importer.article import roman_value
from briefgen.model import BibEntry, Project

from .helpers import (
    REPO,
    SEED,
    build,
    new_project,
    note_urls,
    only_brief,
    page_note_urls,
    run_import,
)

SECTION_FILES = [
    "01-lead.md",
    "02-the-deal.md",
    "03-political-and-legal-implications.md",
    "04-the-cecot-mega-prison-and-public-concern.md",
    "05-broader-implications.md",
]
LOWER_ROMAN = [
    "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii", "xiii", "xiv",
    "xv", "xvi", "xvii", "xviii", "xix", "xx", "xxi", "xxii", "xxiii", "xxiv", "xxv", "xxvi",
    "xxvii", "xxviii",
]  # fmt: skip


def test_the_seed_builds_to_the_shipped_briefs_28_notes_and_urls(
    shipped: tuple[Path, Project], imported: tuple[Path, Project]
) -> None:
    ours, theirs = only_brief(imported[1]), only_brief(shipped[1])
    assert [n.label for n in ours.citations.notes] == LOWER_ROMAN
    assert note_urls(ours) == note_urls(theirs)
    assert sum(url is not None for urls in note_urls(ours) for url in urls) == 21
    # The reader's page, too: the same notes, in order, with the same links.
    our_page = page_note_urls(imported[0] / "site" / "cecot" / "index.html")
    their_page = page_note_urls(shipped[0] / "site" / "cecot" / "index.html")
    assert [label for label, _ in our_page] == LOWER_ROMAN
    assert our_page == their_page


def test_sections_and_front_matter_are_those_of_the_shipped_brief(
    imported: tuple[Path, Project],
) -> None:
    folder = imported[0] / "content" / "cecot"
    assert sorted(p.name for p in folder.iterdir()) == [*SECTION_FILES, "_index.md"]
    meta = yaml.safe_load((folder / "_index.md").read_text(encoding="utf-8").strip("-\n"))
    assert meta["title"] == (
        "El Salvador’s Controversial Offer: Housing U.S. Criminals in Its Mega-Prison"
    )
    assert meta["numbering"] == "lower-roman"
    (author,) = meta["authors"]
    assert author["name"] == "Doug Specht"
    assert author["bio"].startswith("Dr. Doug Specht is a Chartered Geographer")
    assert author["bio"].endswith("Chair of the Environmental Network for Central America.")
    lead = (folder / "01-lead.md").read_text(encoding="utf-8")
    assert lead.startswith("---\ntitle: Introduction\nlead: true\n---\n")
    # The prose is the shipped brief's, word for word; only the keys differ.
    for name in SECTION_FILES:
        ours = (folder / name).read_text(encoding="utf-8")
        theirs = (REPO / "content" / "cecot" / name).read_text(encoding="utf-8")
        body = ours.split("---\n", 2)[2]
        shipped_body = theirs.split("---\n", 2)[2]
        assert re.sub(r"\[@\w+\]", "[@]", body) == re.sub(r"\[@\w+\]", "[@]", shipped_body)


def test_identical_references_become_one_entry_cited_twice(
    imported: tuple[Path, Project],
) -> None:
    root, project = imported
    notes = {n.label: n for n in only_brief(project).citations.notes}
    assert notes["xvi"].cites[0].entry.key == notes["xvii"].cites[0].entry.key
    keys = {n.cites[0].entry.key for n in notes.values()}
    assert len(keys) == 27
    bib = (root / "references.bib").read_text(encoding="utf-8")
    assert bib.count("% endnote [xvi], [xvii]\n") == 1
    assert len(re.findall(r"^@\w+\{", bib, re.M)) == 1 + 27  # init's example, then ours
    assert "% Imported by briefgen import from cecot-article.txt into content/cecot/" in bib


def _names(entry: BibEntry) -> tuple[tuple[str, str, str], ...]:
    return tuple((n.family, n.given, n.literal) for n in entry.names.get("author", ()))


def _year(entry: BibEntry) -> str:
    return (entry.fields.get("date") or entry.fields.get("year") or "")[:4]


def test_parsed_references_agree_with_the_hand_made_bibliography(
    shipped: tuple[Path, Project], imported: tuple[Path, Project]
) -> None:
    """Title, authors, year and URL of each of the 27 distinct references, note by note."""
    right = {"title": 0, "author": 0, "year": 0, "url": 0}
    wrong: list[str] = []
    seen: set[str] = set()
    pairs = zip(
        only_brief(shipped[1]).citations.notes,
        only_brief(imported[1]).citations.notes,
        strict=True,
    )
    for theirs, ours in pairs:
        hand, parsed = theirs.cites[0].entry, ours.cites[0].entry
        if hand.key in seen:
            continue
        seen.add(hand.key)
        checks = {
            "title": hand.fields.get("title") == parsed.fields.get("title"),
            "author": _names(hand) == _names(parsed),
            "year": _year(hand) == _year(parsed),
            "url": hand.url == parsed.url,
        }
        for name, ok in checks.items():
            right[name] += ok
            if not ok:
                wrong.append(f"[{theirs.label}] {name}")
    assert len(seen) == 27
    assert right == {"title": 27, "author": 27, "year": 27, "url": 27}, wrong


def _arabic(match: re.Match[str]) -> str:
    return str(roman_value(match[1]))


def _variant(kind: str) -> str:
    """The seed with arabic markers, CRLF line endings and another reference list."""
    seed = SEED.read_text(encoding="utf-8")
    body, heading, references = seed.partition("\nReference\n")
    assert heading, "the seed's reference list heading moved"
    body = re.sub(r"\[([ivxlc]+)\]", lambda m: f"[{_arabic(m)}]", body)
    label = {
        "references": lambda m: f"[{_arabic(m)}] ",
        "numbered": lambda m: f"{_arabic(m)}. ",
        "no-heading": lambda m: f"{_arabic(m)}) ",
        "markdown": lambda m: f"[^{_arabic(m)}]: ",
    }[kind]
    references = re.sub(r"^\[([ivxlc]+)\] ", label, references, flags=re.M)
    title = {"references": "References", "numbered": "Notes", "no-heading": ""}.get(kind, "")
    if kind == "markdown":
        body = re.sub(r"\[(\d+)\]", r"[^\1]", body)
        lines = body.split("\n")
        lines = ["# " + lines[0]] + [
            "## " + line if 0 < len(line) < 50 and not line.endswith(".") else line
            for line in lines[1:]
        ]
        body, title = "\n".join(lines), "## Endnotes"
    text = body + "\n" + (title + "\n" if title else "") + references
    return text.replace("\n", "\r\n")


@pytest.mark.parametrize(
    "kind",
    [
        pytest.param("references", id="arabic-crlf-references-heading"),
        pytest.param("numbered", id="arabic-crlf-numbered-list-under-notes"),
        pytest.param("no-heading", id="arabic-crlf-list-without-heading"),
        pytest.param("markdown", id="markdown-footnote-markers-crlf"),
    ],
)
def test_variants_import_to_the_same_28_notes(
    kind: str, tmp_path: Path, shipped: tuple[Path, Project], capsys: pytest.CaptureFixture[str]
) -> None:
    suffix = ".md" if kind == "markdown" else ".txt"
    source = tmp_path / f"variant{suffix}"
    text = _variant(kind)
    assert text.count("\r\n") > 100 and "[ii]" not in text
    source.write_bytes(text.encode("utf-8"))
    root = new_project(tmp_path / "project")
    assert run_import(root, str(source)) == 0
    assert "warning" not in capsys.readouterr().err
    brief = only_brief(build(root))
    assert brief.slug == "el-salvadors-controversial-offer"
    assert [n.label for n in brief.citations.notes] == [str(n) for n in range(1, 29)]
    assert note_urls(brief) == note_urls(only_brief(shipped[1]))
    assert [a.name for a in brief.brief.authors] == ["Doug Specht"]
    assert [s.title for s in brief.brief.sections] == [
        "Introduction", "The Deal", "Political and Legal Implications",
        "The CECOT Mega-Prison and Public Concern", "Broader Implications",
    ]  # fmt: skip


SPECHT_URL = (
    "https://theconversation.com/el-salvador-young-maverick-bukele-wins-presidential-election-"
    "but-countrys-future-remains-uncertain-111775"
)


def test_an_existing_key_is_never_overwritten(tmp_path: Path) -> None:
    root = new_project(tmp_path / "project")
    mine = "@book{specht2019salvador,\n  author = {Specht, Doug},\n  title = {Another work},\n}\n"
    bib = root / "references.bib"
    before = bib.read_text(encoding="utf-8") + "\n" + mine
    bib.write_text(before, encoding="utf-8")
    assert run_import(root, str(SEED), "--slug", "cecot") == 0
    after = bib.read_text(encoding="utf-8")
    assert after.startswith(before)
    entries = parse_bibliography(after, Path("references.bib"), Diagnostics()).entries
    assert entries["specht2019salvador"].fields["title"] == "Another work"
    assert entries["specht2019salvadora"].url == SPECHT_URL
    notes = only_brief(build(root)).citations.notes
    assert notes[0].cites[0].entry.key == "specht2019salvadora"


def test_an_entry_with_the_same_url_is_reused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = new_project(tmp_path / "project")
    bib = root / "references.bib"
    mine = f"@online{{mine,\n  title = {{Young maverick}},\n  url = {{{SPECHT_URL}/}},\n}}\n"
    bib.write_text(bib.read_text(encoding="utf-8") + "\n" + mine, encoding="utf-8")
    assert run_import(root, str(SEED), "--slug", "cecot") == 0
    assert "[i]: reused the entry 'mine' in references.bib (same URL)" in capsys.readouterr().err
    text = bib.read_text(encoding="utf-8")
    assert text.count(SPECHT_URL) == 1
    assert "% endnote [i]\n" not in text
    notes = only_brief(build(root)).citations.notes
    assert len(notes) == 28
    assert notes[0].cites[0].entry.key == "mine"


SMALL = """\
A Small Article

First claim[1] and a second one[3].

A Heading

Third claim[2], a missing one[4] and an unreadable one[5].

References

1. Doe, J. (2020) First title. Example Site [online] Available from: https://example.org/one
2. Roe, R. and Poe, E. (2021) Second title. Example Press.
3. World Bank. (2019). Third title. Available from: https://example.org/three
5. Conversation with the mayor of San Salvador, notes kept by the author
6. Never Cited, A. (2018) A lonely work. https://example.org/six
"""


def test_problems_are_warnings_with_the_articles_line_numbers(
    tmp_path: Path, article: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    source = article(SMALL)
    root = new_project(tmp_path / "project")
    assert run_import(root, str(source)) == 0
    err = capsys.readouterr().err
    warnings = [line for line in err.splitlines() if ": warning: " in line]
    assert warnings == [
        f"{source}:3: warning: marker [3] is out of order: expected [2] next",
        f"{source}:7: warning: marker '[4]' has no reference in the list; it is kept as text",
        f"{source}:14: warning: reference [5] follows [3] in the list; expected the references "
        "numbered in order",
        f"{source}:14: warning: reference [5]: could not read this reference; kept verbatim in "
        "the 'note' of 'conversationmayor'",
        f"{source}:15: warning: reference [6] is never cited in the text; its entry "
        "'nevercited2018lonely' is added to the bibliography all the same",
    ]
    bib = (root / "references.bib").read_text(encoding="utf-8")
    entries = parse_bibliography(bib, Path("references.bib"), Diagnostics()).entries
    assert entries["conversationmayor"].fields["note"] == (
        "Conversation with the mayor of San Salvador, notes kept by the author"
    )
    assert entries["doe2020first"].url == "https://example.org/one"
    assert entries["roe2021second"].fields["publisher"] == "Example Press"
    assert [str(n) for n in entries["roe2021second"].names["author"]] == ["R. Roe", "E. Poe"]
    brief = only_brief(build(root))
    assert [n.cites[0].entry.key for n in brief.citations.notes] == [
        "doe2020first", "world2019third", "roe2021second", "conversationmayor",
    ]  # fmt: skip
    page = (root / "site" / brief.slug / "index.html").read_text(encoding="utf-8")
    assert "a missing one[4] and" in unescape(re.sub(r"<[^>]+>", "", page))


ESCAPES = """\
Literal Characters

Prices rose 5 * 3 times; write to press@example.org about the [draft] plan_b, $5 and $6, \
~a^2~, <b>bold</b>, `code`, \\n and &amp; as typed[1].

# not a heading
- not a list
1. not a list either
: not a definition

References

[1] Doe, J. (2020) Title. Example Site. Available from: https://example.org/one
"""


def test_plain_text_means_in_markdown_what_it_said(
    tmp_path: Path, article: Callable[[str], Path]
) -> None:
    root = new_project(tmp_path / "project")
    assert run_import(root, str(article(ESCAPES)), "--slug", "escapes") == 0
    brief = only_brief(build(root))
    assert len(brief.citations.notes) == 1
    page = (root / "site" / "escapes" / "index.html").read_text(encoding="utf-8")
    prose = page[page.index("Prices rose") : page.index('id="references"')]
    text = unescape(re.sub(r"<[^>]+>", "", prose))
    assert (
        "Prices rose 5 * 3 times; write to press@example.org about the [draft] plan_b, $5 and "
        "$6, ~a^2~, <b>bold</b>, `code`, \\n and &amp; as typed"
    ) in text
    for line in ["# not a heading", "- not a list", "1. not a list either", ": not a definition"]:
        assert line in text
    assert re.findall(r"<(?:ul|ol|dl|h\d|blockquote)\b", prose) == []


def test_dry_run_prints_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = new_project(tmp_path / "project")
    bib_before = (root / "references.bib").read_text(encoding="utf-8")
    assert run_import(root, str(SEED), "--dry-run") == 0
    out = capsys.readouterr().out
    assert "==> content/el-salvadors-controversial-offer/01-lead.md <==" in out
    assert "[@specht2019salvador]" in out
    assert "==> references.bib (appended) <==" in out
    assert not (root / "content" / "el-salvadors-controversial-offer").exists()
    assert (root / "references.bib").read_text(encoding="utf-8") == bib_before


def test_an_existing_brief_folder_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = new_project(tmp_path / "project")
    (root / "content" / "cecot").mkdir()
    assert run_import(root, str(SEED), "--slug", "cecot") == 2
    assert "content/cecot exists already; choose another name with --slug" in (
        capsys.readouterr().err
    )
    assert list((root / "content" / "cecot").iterdir()) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(
            "A Title\n\nJust prose, no notes at all.\n",
            "no endnote markers found",
            id="no-markers",
        ),
        pytest.param(
            "A Title\n\nA claim[1] with no list.\n",
            "no reference list found",
            id="no-reference-list",
        ),
        pytest.param(b"A Title\n\nCaf\xe9[1]\n", "file is not valid UTF-8", id="not-utf8"),
        pytest.param(None, "file not found", id="missing-file"),
    ],
)
def test_unusable_input_is_an_error(
    content: str | bytes | None,
    message: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = new_project(tmp_path / "project")
    source = tmp_path / "article.txt"
    if isinstance(content, str):
        source.write_text(content, encoding="utf-8")
    elif isinstance(content, bytes):
        source.write_bytes(content)
    assert run_import(root, str(source)) == 1
    err = capsys.readouterr().err
    assert f"{source}: " in err
    assert message in err
    assert "Traceback" not in err
    assert list((root / "content").iterdir()) == [root / "content" / ".gitkeep"]
