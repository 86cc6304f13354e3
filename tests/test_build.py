from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from briefgen.build import build_site, format_project, load_project
from briefgen.config import load_config
from briefgen.errors import BriefgenError, BuildFailed

# The article's own reference list: the URL each endnote gives, or (for the seven without one)
# the author it names.
CECOT_SOURCES = {
    "i": "https://theconversation.com/el-salvador-young-maverick-bukele-wins-presidential-election-but-countrys-future-remains-uncertain-111775",
    "ii": "https://www.npr.org/2025/02/04/g-s1-46352/rubio-el-salvador-deportees-americans",
    "iii": "https://www.nbcnews.com/politics/national-security/trump-designates-cartels-terrorist-organizations-rcna192826",
    "iv": "World Prison Brief",
    "v": "https://foreignpolicy.com/2024/01/02/el-salvador-elections-bukele-bitcoin-crime-gang-policy/",
    "vi": "https://san.com/cc/us-officials-receptive-to-el-salvadors-offer-to-house-american-prisoners/",
    "vii": "https://nacla.org/news/2021/04/28/us-policy-central-america-migration-displacement",
    "viii": "https://geopoliticaleconomy.com/2025/02/10/us-imperialism-guantanamo-torture-migrant-detention/",
    "ix": "https://www.independent.co.uk/news/world/americas/us-politics/trump-guantanamo-prison-immigration-b2695532.html",
    "x": "https://abcnews.go.com/Politics/marco-rubio-el-salvadors-president-agrees-house-us/story?id=118433524",
    "xi": "https://case.law/caselaw/?reporter=f-supp-2d&volume=867&case=1256-01",
    "xii": "United Nations",
    "xiii": "United Nations Human Rights Office of the High Commissioner",
    "xiv": "https://radioyskl.com/2023/01/31/presentan-el-centro-de-confinamiento-del-terrorismo-la-nueva-megacarcel/",
    "xv": "https://www.csis.org/analysis/burgeoning-regional-appeal-mano-dura-crime-fighting-strategies",
    "xvi": "Amnesty International",
    "xvii": "Amnesty International",
    "xviii": "https://www.hrw.org/report/2022/12/07/we-can-arrest-anyone-we-want/widespread-human-rights-violations-under-el",
    "xix": "https://www.bbc.co.uk/news/world-latin-america-68244963",
    "xx": "https://www.oas.org/en/iachr/jsForm/?File=/en/iachr/media_center/preleases/2024/207.asp",
    "xxi": "https://www.congress.gov/117/cprt/SPRT44788/CPRT-117SPRT44788.pdf",
    "xxii": "https://immigrationimpact.com/2021/02/08/safe-third-country-agreement-biden/",
    "xxiii": "https://www.npr.org/2021/02/06/964907437/biden-moves-to-end-trump-era-asylum-agreements-with-central-american-countries",
    "xxiv": "Gil-Bazo",
    "xxv": "https://migrationobservatory.ox.ac.uk/resources/commentaries/qa-the-uks-policy-to-send-asylum-seekers-to-rwanda/",
    "xxvi": "Blum",
    "xxvii": "https://www.prison-insider.com/countryprofile/prisonsinguatemala",
    "xxviii": "https://www.politico.com/news/2025/02/03/us-withdraw-un-human-rights-council-trump-00202100",
}


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def build_errors(root: Path, *, strict: bool = False) -> list[str]:
    with pytest.raises(BuildFailed) as info:
        build_site(load_config(root), strict=strict)
    return [d.format() for d in info.value.diagnostics]


def test_cecot_markers_and_notes(make_project: Callable[..., Path]) -> None:
    root = make_project(cecot=True)
    build_site(load_config(root))
    html = (root / "site" / "cecot" / "index.html").read_text(encoding="utf-8")
    markers = re.findall(r'<a id="ref-([ivx]+)" href="#note-\1"', html)
    assert markers == list(CECOT_SOURCES)
    for label, source in CECOT_SOURCES.items():
        note = re.search(rf'<li id="note-{label}"[^>]*>(.*?)</li>', html, re.DOTALL)
        assert note is not None, label
        expected = source.replace("&", "&amp;")
        if source.startswith("https://"):
            assert f'href="{expected}"' in note.group(1), label
        else:
            assert expected in note.group(1), label
        assert f'href="#ref-{label}"' in note.group(1)


def test_cecot_shared_source_is_one_entry(make_project: Callable[..., Path]) -> None:
    project = load_project(load_config(make_project(cecot=True)))
    (brief,) = project.briefs
    notes = {note.label: note for note in brief.citations.notes}
    assert notes["xvi"].cites[0].entry is notes["xvii"].cites[0].entry
    assert len(project.bibliography.entries) == 27
    assert project.warnings == ()


def test_citation_locations_point_at_the_source(make_project: Callable[..., Path]) -> None:
    config = load_config(make_project())
    project = load_project(config)
    notes = project.briefs[0].citations.notes
    assert [(str(n.location), n.label) for n in notes] == [
        ("content/small/01-the-deal.md:4", "i"),
        ("content/small/01-the-deal.md:6", "ii"),
        ("content/small/01-the-deal.md:6", "iii"),
    ]
    assert (notes[2].cites[0].item.label, notes[2].cites[0].item.locator) == ("page", "3")
    (formatted,) = format_project(project, config)[0].values()
    note = formatted.citations[2].note
    assert note is not None
    # The locator follows the reference's body, before its link (not after the URL).
    assert "Amnesty International, p. 3. Available from https://" in note.text


def test_unknown_key_fails_and_leaves_site_untouched(make_project: Callable[..., Path]) -> None:
    root = make_project()
    build_site(load_config(root))
    before = tree_digest(root / "site")
    (root / "content/small/01-the-deal.md").write_text(
        "---\ntitle: The Deal\n---\nA claim.\n\nAnother[@blum2040] claim.\n", encoding="utf-8"
    )
    assert build_errors(root) == [
        "content/small/01-the-deal.md:6: unknown citation key 'blum2040'; did you mean 'blum2004'?"
    ]
    assert tree_digest(root / "site") == before
    assert not [p for p in root.iterdir() if p.name.startswith(".site.")]


def test_unknown_key_without_close_match(make_project: Callable[..., Path]) -> None:
    root = make_project({"content/small/02-more.md": "---\ntitle: More\n---\n[@zzzzzz]\n"})
    assert build_errors(root) == [
        "content/small/02-more.md:4: unknown citation key 'zzzzzz'; add an entry with this key to"
        " references.bib"
    ]


def test_all_problems_reported_in_one_run(make_project: Callable[..., Path]) -> None:
    root = make_project(
        {
            "references.bib": "@book{blum2004, title = {A}}\n@book{blum2004, title = {B}}\n"
            "@misc{broken,\n  title = {oops\n",
            "content/small/02-untitled.md": "---\norder: 2\n---\nText[@nokey].\n",
            "content/small/03-bad-yaml.md": "---\ntitle: [unclosed\n---\nText.\n",
            "content/small/04-no-front-matter.md": "Just text.\n",
        }
    )
    assert build_errors(root) == [
        "content/small/01-the-deal.md:6: unknown citation key 'amnesty2024'; add an entry with"
        " this key to references.bib",
        "content/small/01-the-deal.md:6: unknown citation key 'amnesty2024'; add an entry with"
        " this key to references.bib",
        "content/small/02-untitled.md:1: section has no title; expected 'title: ...' in its"
        " front matter",
        "content/small/03-bad-yaml.md:2: invalid YAML front matter: expected ',' or ']', but got"
        " '<stream end>' (while parsing a flow sequence)",
        "content/small/04-no-front-matter.md:1: missing YAML front matter; expected the file to"
        " start with a '---' line",
        "references.bib:2: duplicate BibTeX key 'blum2004' (first defined on line 1); each entry"
        " needs its own key",
        "references.bib:3: cannot parse BibTeX block '@misc{broken,'; expected @type{key, field ="
        " {value}, ...} with balanced braces",
    ]


def test_missing_bibliography(make_project: Callable[..., Path]) -> None:
    root = make_project()
    (root / "references.bib").unlink()
    assert build_errors(root) == [
        "references.bib: bibliography file not found; expected a BibTeX file here (set"
        " 'bibliography' in [tool.briefgen] to use another path)"
    ]


def test_unused_entry_is_a_warning_and_strict_makes_it_an_error(
    make_project: Callable[..., Path],
) -> None:
    root = make_project()
    bib = root / "references.bib"
    bib.write_text("@misc{unused, title = {U}}\n" + bib.read_text(encoding="utf-8"), "utf-8")
    project = build_site(load_config(root))
    assert [w.format() for w in project.warnings] == [
        "references.bib:1: warning: BibTeX entry 'unused' is not cited by any brief"
    ]
    assert build_errors(root, strict=True) == [
        "references.bib:1: warning: BibTeX entry 'unused' is not cited by any brief"
    ]


def test_brief_front_matter_errors(make_project: Callable[..., Path]) -> None:
    root = make_project(
        {"content/small/_index.md": "---\nsummary: 3\nnumbering: greek\ndate: soon\n---\n"}
    )
    assert build_errors(root) == [
        "content/small/_index.md:1: missing 'title' in the brief's front matter",
        "content/small/_index.md:1: unknown numbering 'greek'; expected one of arabic,"
        " lower-roman, upper-roman, lower-alpha",
        "content/small/_index.md:1: date 'soon' is not a date; expected YYYY-MM-DD",
        "content/small/_index.md:1: 'summary' must be text, not 3",
    ]


def test_arabic_numbering(make_project: Callable[..., Path]) -> None:
    root = make_project({"content/small/_index.md": "---\ntitle: T\nnumbering: arabic\n---\n"})
    project = load_project(load_config(root))
    assert [n.label for n in project.briefs[0].citations.notes] == ["1", "2", "3"]


def test_unknown_style_suggests_a_name(make_project: Callable[..., Path]) -> None:
    root = make_project({"pyproject.toml": '[tool.briefgen]\nstyle = "harvard-westminster"\n'})
    (error,) = build_errors(root)
    assert error.startswith("pyproject.toml: unknown CSL style 'harvard-westminster'; did you mean")


def test_output_is_deterministic(make_project: Callable[..., Path], tmp_path: Path) -> None:
    root = make_project(cecot=True)
    build_site(load_config(root))
    first = tree_digest(root / "site")
    build_site(load_config(root))
    assert tree_digest(root / "site") == first


def test_refuses_to_replace_a_folder_it_did_not_make(make_project: Callable[..., Path]) -> None:
    root = make_project()
    (root / "site").mkdir()
    (root / "site" / "thesis.docx").write_text("precious", encoding="utf-8")
    with pytest.raises(BriefgenError, match="refusing to replace 'site'"):
        build_site(load_config(root))
    assert (root / "site" / "thesis.docx").read_text(encoding="utf-8") == "precious"


def test_swap_replaces_old_output(make_project: Callable[..., Path]) -> None:
    root = make_project()
    build_site(load_config(root))
    stale = root / "site" / "stale.html"
    stale.write_text("old", encoding="utf-8")
    build_site(load_config(root))
    assert not stale.exists()
    assert (root / "site" / "small" / "index.html").is_file()
    # No staging or retired folder is left behind (.briefgen/ is the build cache).
    assert sorted(p.name for p in root.iterdir() if p.name.startswith(".site")) == []


def test_failure_while_writing_keeps_old_site(
    make_project: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_project()
    build_site(load_config(root))
    before = tree_digest(root / "site")

    def explode(self: Path, data: bytes) -> int:
        raise OSError("disk full")

    monkeypatch.setattr(Path, "write_bytes", explode)
    with pytest.raises(BriefgenError, match="disk full"):
        # A full build (a no-op one writes nothing new: every page is the cache's copy).
        build_site(load_config(root), incremental=False)
    monkeypatch.undo()
    assert tree_digest(root / "site") == before
    assert sorted(p.name for p in root.iterdir() if p.name.startswith(".site")) == []


def test_review_regressions_are_errors_not_tracebacks(make_project: Callable[..., Path]) -> None:
    root = make_project(
        {
            "content/small/_index.md": "---\ntitle: T\ndate: 2025-13-45\n---\n",
        }
    )
    (root / "content/small/09-folder.md").mkdir()
    assert build_errors(root) == [
        "content/small/_index.md:1: invalid value in front matter: month must be in 1..12"
    ]


def test_unsafe_url_schemes_are_not_linked(make_project: Callable[..., Path]) -> None:
    root = make_project(
        {
            "references.bib": "@misc{blum2004, title = {X}, url = {javascript:alert(1)}}\n"
            "@misc{amnesty2024, title = {Y}, url = {https://ok.example/}, howpublished = {Site}}\n"
        }
    )
    config = load_config(root)
    (formatted,) = format_project(load_project(config), config)[0].values()
    notes = [citation.note for citation in formatted.citations]
    assert notes[0] is not None and notes[1] is not None
    assert "href" not in notes[0].html
    assert 'href="https://ok.example/"' in notes[1].html


def test_null_bio_is_empty(make_project: Callable[..., Path]) -> None:
    root = make_project(
        {"content/small/_index.md": "---\ntitle: T\nauthor: Ada\nauthor_bio: null\n---\n"}
    )
    (brief,) = load_project(load_config(root)).briefs
    assert brief.brief.authors[0].bio == ""


def test_unknown_style_in_a_brief_points_at_the_brief(make_project: Callable[..., Path]) -> None:
    root = make_project({"content/small/_index.md": "---\ntitle: T\nstyle: harvardx\n---\n"})
    (error,) = build_errors(root)
    assert error.startswith("content/small/_index.md:1: unknown CSL style 'harvardx'")


def test_a_project_needs_no_templates_and_overrides_the_theme_file_by_file(
    make_project: Callable[..., Path],
) -> None:
    root = make_project()
    assert not (root / "templates").exists()
    build_site(load_config(root))
    theme_css = (root / "site" / "static" / "briefgen.css").read_text(encoding="utf-8")
    assert "--measure" in theme_css and (root / "site" / "static" / "notes.js").is_file()
    # One template and one static file replaced; the rest still comes from the theme.
    (root / "templates" / "static").mkdir(parents=True)
    (root / "templates" / "static" / "briefgen.css").write_text("body { color: teal; }\n")
    (root / "templates" / "index.html").write_text(
        '{% extends "base.html" %}{% block main %}<p id="mine">Our briefs</p>{% endblock %}\n'
    )
    build_site(load_config(root))
    site = root / "site"
    assert (site / "static" / "briefgen.css").read_text() == "body { color: teal; }\n"
    assert (site / "static" / "notes.js").is_file()
    assert '<p id="mine">Our briefs</p>' in (site / "index.html").read_text(encoding="utf-8")
    assert 'class="brief-header"' in (site / "small" / "index.html").read_text(encoding="utf-8")


def test_a_missing_template_names_where_it_was_looked_for(
    make_project: Callable[..., Path],
) -> None:
    root = make_project({"templates/index.html": '{% extends "nowhere.html" %}\n'})
    with pytest.raises(BriefgenError) as info:
        build_site(load_config(root))
    assert info.value.format_message() == (
        "templates: template 'nowhere.html' not found in templates or in briefgen's theme; "
        "check the name in the {% extends %} or {% include %} that uses it"
    )
