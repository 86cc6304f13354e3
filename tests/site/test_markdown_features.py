"""Pandoc Markdown on the page: one note sequence, page bundles, cross-references, titles."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from briefgen.build import build_site
from briefgen.config import load_config
from briefgen.errors import BuildFailed

from .helpers import FEATURES, REPO, build
from .pages import Page


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the features project (tests/fixtures/features) with the repository's theme."""
    root = tmp_path / "project"
    shutil.copytree(FEATURES, root)
    shutil.copytree(REPO / "templates", root / "templates")
    return root


def section(root: Path, name: str) -> Path:
    return root / "content" / "features" / name


def errors(root: Path) -> list[str]:
    with pytest.raises(BuildFailed) as info:
        build_site(load_config(root))
    return [d.format() for d in info.value.diagnostics]


def notes(html: str) -> list[tuple[str, str]]:
    """(label, class) of each note in the notes list, in order."""
    return re.findall(r'<li id="note-(\w+)" class="note">\s*<span[^>]*>[^<]*</span>\s*'
                      r'<div class="note-body">\s*<(?:p|div) class="([^"]+)"', html)  # fmt: skip


def test_footnotes_and_citations_are_one_sequence_in_reading_order(project: Path) -> None:
    build(project)
    html = (project / "site" / "features" / "index.html").read_text(encoding="utf-8")
    found = notes(html)
    assert [label for label, _ in found] == [str(n) for n in range(1, len(found) + 1)]
    kinds = ["footnote" if "footnote" in cls else "citation" for _, cls in found]
    # The author's note [^scope] comes first (after "again..."), the inline note fifth.
    assert kinds[:5] == ["footnote", "citation", "citation", "citation", "footnote"]
    # Every marker in the text links to a note that exists, and each note links back.
    markers = re.findall(r'<a id="(ref-[\w-]+)" href="#(note-\w+)"', html)
    assert {target for _, target in markers} == {f"note-{label}" for label, _ in found}
    for label, _ in found:
        assert f'href="#ref-{label}" role="doc-backlink"' in html


def test_a_footnote_cites_inside_itself_and_counts_as_citing(project: Path) -> None:
    build(project)
    html = (project / "site" / "features" / "index.html").read_text(encoding="utf-8")
    note = html[html.index('id="note-1-text"') : html.index('id="note-2"')]
    assert "Working on a warmer planet" in note  # @kjellstrom2016heat, written out
    assert "A second paragraph of the same note." in note
    assert "Same source also cited at" in note


def test_a_footnote_referenced_twice_is_one_note_with_two_markers(project: Path) -> None:
    path = section(project, "01-introduction.md")
    path.write_text(path.read_text(encoding="utf-8").replace(
        "Heat strain\n", "Heat strain[^scope]\n"), encoding="utf-8")  # fmt: skip
    build(project)
    html = (project / "site" / "features" / "index.html").read_text(encoding="utf-8")
    assert html.count('href="#note-1"') == 2
    assert 'id="ref-1"' in html and 'id="ref-1-2"' in html


def test_bundle_files_are_published_beside_the_page(project: Path) -> None:
    (section(project, "data")).mkdir()
    (section(project, "data") / "heat.csv").write_text("region,days\n", encoding="utf-8")
    (section(project, ".draft.png")).write_bytes(b"secret")
    (section(project, "linked.png")).symlink_to("/etc/passwd")
    build(project)
    site = project / "site" / "features"
    assert (site / "heat-map.png").read_bytes() == section(project, "heat-map.png").read_bytes()
    assert (site / "data" / "heat.csv").is_file()
    assert not (site / ".draft.png").exists()
    assert not (site / "linked.png").exists()
    assert not list(site.glob("*.md"))
    page = Page(site / "index.html")
    assert "heat-map.png" in page.srcs
    img = re.search(r"<img [^>]*>", page.raw)
    assert img is not None
    assert 'width="640" height="360"' in img[0] and 'loading="lazy"' in img[0]


def test_missing_image_is_an_error_and_the_old_site_stays(project: Path) -> None:
    build(project)
    before = (project / "site" / "features" / "index.html").read_bytes()
    path = section(project, "02-method.md")
    path.write_text(path.read_text(encoding="utf-8").replace("heat-map.png", "heat-mpa.png"),
                    encoding="utf-8")  # fmt: skip
    found = errors(project)
    assert len(found) == 1
    assert found[0].startswith("content/features/02-method.md:10: image 'heat-mpa.png' not found")
    assert (project / "site" / "features" / "index.html").read_bytes() == before


def test_a_bundle_file_may_not_replace_a_page(project: Path) -> None:
    section(project, "index.html").write_text("<p>mine</p>", encoding="utf-8")
    assert errors(project) == [
        "content/features/index.html: this file would replace the page briefgen writes at "
        "features/index.html; rename it"
    ]


def test_unknown_cross_reference_suggests_the_label(project: Path) -> None:
    path = section(project, "01-introduction.md")
    path.write_text(path.read_text(encoding="utf-8").replace("@tbl-regions", "@tbl-region"),
                    encoding="utf-8")  # fmt: skip
    assert errors(project) == [
        "content/features/01-introduction.md:9: unknown cross-reference label 'tbl-region'; "
        "did you mean 'tbl-regions'?"
    ]


def test_cross_references_name_and_link_their_targets(project: Path) -> None:
    build(project)
    html = (project / "site" / "features" / "index.html").read_text(encoding="utf-8")
    links = dict(re.findall(r'<a class="crossref" href="#([\w-]+)">([^<]+)</a>', html))
    assert links == {
        "fig-heat": "Figure 1",
        "tbl-regions": "Table 1",
        "sec-method": "Section 2.1",
        "eq-wbgt": "Equation 1",
        "sec-why": "Section 1.1",
    }
    for target in links:
        assert f'id="{target}"' in html


def test_cross_reference_words_follow_the_language(project: Path) -> None:
    index = section(project, "_index.md")
    index.write_text(index.read_text(encoding="utf-8").replace(
        "summary:", "language: de-DE\nsummary:"), encoding="utf-8")  # fmt: skip
    build(project)
    html = (project / "site" / "features" / "index.html").read_text(encoding="utf-8")
    # citeproc-py's de-DE locale names figures and sections in German (its "table" term is
    # still English: a gap in that locale's data, not a word we translate ourselves).
    assert ">Abbildung 1</a>" in html and ">Abschnitt 2.1</a>" in html
    assert "„silent killer“" in html  # German quotation marks


def test_markdown_titles_render_inline_and_as_plain_text(project: Path) -> None:
    build(project)
    site = project / "site"
    page = Page(site / "features" / "index.html")
    assert "<h1>Working in the <em>heat</em>: what H<sub>2</sub>O and shade can’t fix</h1>" in (
        page.raw
    )
    title = re.search(r"<title>([^<]*)</title>", page.raw)
    assert title is not None and title[1].startswith("Working in the heat: what H2O and shade")
    assert page.named("citation_title") == ["Working in the heat: what H2O and shade can’t fix"]
    assert "*heat*" not in (site / "feed.xml").read_text(encoding="utf-8")
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "Working in the <em>heat</em>" in index


def test_headings_rank_below_the_section_and_nest_in_the_contents(project: Path) -> None:
    build(project)
    html = (project / "site" / "features" / "index.html").read_text(encoding="utf-8")
    assert html.count("<h1") == 1
    assert '<h3 id="sec-why">' in html and '<h3 id="sec-method">' in html
    assert '<h4 id="a-sub-heading">' in html  # written ###, one rank below its #
    toc = html[html.index('<nav class="toc"') : html.index("</nav>")]
    assert re.search(r'href="#method">Method</a><ol><li><a href="#sec-method">', toc)
    assert 'href="#a-sub-heading"' in toc


def test_a_quarto_callout_is_an_aside(project: Path) -> None:
    build(project)
    html = (project / "site" / "features" / "index.html").read_text(encoding="utf-8")
    assert '<div class="callout-note" role="note">\n<p>Shade and water' in html


def test_html_comments_are_never_published(project: Path) -> None:
    build(project)
    html = (project / "site" / "features" / "index.html").read_text(encoding="utf-8")
    assert "TODO" not in html and "Madrid" not in html


def test_a_title_cannot_cite(project: Path) -> None:
    path = section(project, "02-method.md")
    path.write_text(path.read_text(encoding="utf-8").replace(
        "title: Method", "title: Method [@who2021heat]"), encoding="utf-8")  # fmt: skip
    assert errors(project) == [
        "content/features/02-method.md:1: the title 'Method [@who2021heat]' holds a citation, "
        "footnote or cross-reference, which a title cannot show; put it in the text below"
    ]


def test_review_regressions_in_markdown(project: Path) -> None:
    """Found in review: tracebacks, ids taken from the page, links nested in the contents."""
    lead = section(project, "00-opening.md")
    lead.write_text("---\ntitle: Opening\nlead: true\n---\n# Lead heading {#sec-lead}\n\n"
                    "# Note 1\n\nSee @sec-lead.\n", encoding="utf-8")  # fmt: skip
    path = section(project, "02-method.md")
    path.write_text(path.read_text(encoding="utf-8").replace(
        "### A sub-heading", "### A [linked](https://example.org) sub-heading"), encoding="utf-8")
    build(project)
    html = (project / "site" / "features" / "index.html").read_text(encoding="utf-8")
    assert '<h2 id="sec-lead">' in html and ">Section 1</a>" in html  # no IndexError
    assert '<h2 id="h-note-1">' in html  # not the id of the first note
    toc = html[html.index('<nav class="toc"') : html.index("</nav>")]
    assert "example.org" not in toc  # a contents entry is a link: no link inside it
    ids = re.findall(r' id="([^"]+)"', html)
    assert len(ids) == len(set(ids))


def test_a_footnote_only_other_footnotes_reach_is_an_error(project: Path) -> None:
    path = section(project, "02-method.md")
    with path.open("a", encoding="utf-8") as file:
        file.write("\n[^orphan]: Only [^loop] refers here.\n\n[^loop]: And back [^orphan].\n")
    found = errors(project)
    assert any("footnote [^orphan] is defined but never referenced" in e or
               "footnote [^orphan] is referenced only from inside footnotes" in e
               for e in found), found
