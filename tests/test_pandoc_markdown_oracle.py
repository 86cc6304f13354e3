"""Pandoc as the oracle for briefgen's Markdown (issue 8), over a whole brief.

``tests/fixtures/features`` is a brief using every Markdown feature briefgen reads. Each section
body (front matter stripped, no title: briefgen renders the title itself) goes through
``pandoc -f markdown -t html --mathml --citeproc``; the brief goes through ``build_site``. Both
HTML documents are parsed with :mod:`html.parser` into small trees, and each feature is pulled
out of both trees as a list of records and compared record by record, one test per feature.

Citations are not compared here (``tests/format`` does that): Pandoc prints an author-date
citation, briefgen a note marker, and in a footnote the whole reference. Where Pandoc has a
citation, briefgen's text may hold anything, so Pandoc's text becomes a pattern with a wildcard
there (:func:`same`). Every other difference between the two outputs that we accept is undone
in one place, :func:`normalised_text` and :data:`DOCUMENTED_DIFFERENCES`, each with its reason;
``docs/markdown.md`` lists them for authors.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from briefgen.build import build_site
from briefgen.config import load_config

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "features"

CITE = "\ue000"
"""Stands in Pandoc's text for a citation (``span.citation``): briefgen prints something else."""
MATH = "\ue001"
"""Stands for a formula in running text; formulas are compared by the ``math`` feature."""

# --------------------------------------------------------------------------------------------
# A small tree from html.parser


@dataclass(slots=True, eq=False)
class Node:
    """An element (or a ``#comment``) with its attributes and children, in document order."""

    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Node | str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        """The element's classes."""
        return set(self.attrs.get("class", "").split())

    def iter(self) -> Iterator[Node]:
        """This node and every element under it, in document order."""
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def elements(self) -> list[Node]:
        """The element children (text dropped)."""
        return [c for c in self.children if isinstance(c, Node)]


_VOID = frozenset({"img", "br", "hr", "meta", "link", "input", "source", "col", "wbr", "mspace"})


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)

    def handle_comment(self, data: str) -> None:
        self.stack[-1].children.append(Node("#comment", {}, [data]))


def parse(html: str) -> Node:
    """The HTML document as a tree."""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


# --------------------------------------------------------------------------------------------
# Text, with the documented differences undone

DOCUMENTED_DIFFERENCES: dict[tuple[str, str], str] = {
    # (tag, class) of markup whose text is not part of the comparison, and why.
    ("span", "citation"): "Pandoc's in-text citation; briefgen prints a note marker (CITE)",
    ("sup", "note-ref"): "briefgen's note marker, for a citation or a footnote",
    ("a", "footnote-ref"): "Pandoc's footnote marker; briefgen's is a sup.note-ref",
    ("a", "footnote-back"): "Pandoc's ↩ inside the note; briefgen's backlinks follow the note",
    ("span", "crossref-title"): "briefgen's 'Figure 1:' before a caption; Pandoc has no crossrefs",
    ("span", "section-number"): "briefgen's '2.1' before a heading a crossref names",
    ("span", "equation-number"): "briefgen's '(1)' after a numbered equation",
}
_BLOCKS = frozenset(
    {"p", "div", "li", "dt", "dd", "dl", "ol", "ul", "h1", "h2", "h3", "h4", "h5", "h6"}
    | {"figure", "figcaption", "table", "caption", "tr", "th", "td", "section", "blockquote"}
)


def normalised_text(node: Node | str) -> str:
    """The visible text, whitespace collapsed, citations as :data:`CITE`, math as :data:`MATH`."""
    return " ".join(_text(node).split())


def _text(node: Node | str) -> str:
    if isinstance(node, str):
        return node
    if node.tag == "#comment":
        return ""
    if node.tag == "math":
        return MATH
    if node.tag == "span" and "citation" in node.classes:
        return CITE
    if any(node.tag == tag and cls in node.classes for tag, cls in DOCUMENTED_DIFFERENCES):
        return ""
    inner = "".join(_text(child) for child in node.children)
    return f" {inner} " if node.tag in _BLOCKS else inner


def same(theirs: object, ours: object) -> bool:
    """Equal, where a :data:`CITE` in Pandoc's text matches whatever briefgen printed there."""
    if isinstance(theirs, str) and isinstance(ours, str) and CITE in theirs:
        # Spaces around a citation belong to it: briefgen may print its marker without them.
        parts = [re.escape(p.strip()) for p in theirs.split(CITE)]
        return re.fullmatch(r"\s*(.*?)\s*".join(parts), ours, re.DOTALL) is not None
    if isinstance(theirs, tuple | list) and isinstance(ours, tuple | list):
        return len(theirs) == len(ours) and all(map(same, theirs, ours))
    if isinstance(theirs, dict) and isinstance(ours, dict):
        return theirs.keys() == ours.keys() and all(same(theirs[k], ours[k]) for k in theirs)
    return theirs == ours


# --------------------------------------------------------------------------------------------
# The brief as each tool renders it


@dataclass(slots=True)
class Rendered:
    """What one tool made of the brief: each section's body, the author's notes, the page."""

    sections: list[list[Node]]
    """Each section's body elements, in reading order (the section's own title left out)."""
    notes: list[Node]
    """The author's footnotes, in order (citation notes left out)."""
    page: Node
    """The whole document(s), for ids and comments."""

    def body(self) -> Iterator[Node]:
        """Every element of every section body, in document order."""
        for section in self.sections:
            for node in section:
                yield from node.iter()


def from_pandoc(htmls: list[str]) -> Rendered:
    """Pandoc's output for each section body."""
    page = Node("#document")
    sections, notes = [], []
    for html in htmls:
        root = parse(html)
        page.children.append(root)
        body = []
        for node in root.elements():
            if node.attrs.get("id") == "refs":  # the reference list: compared in tests/format
                continue
            if "footnotes" in node.classes:
                notes += [li for li in node.iter() if li.tag == "li"]
                continue
            body.append(node)
        sections.append(body)
    return Rendered(sections, notes, page)


def from_briefgen(html: str) -> Rendered:
    """briefgen's page: the ``section.prose`` bodies and the ``.note-text.footnote`` notes."""
    page = parse(html)
    sections = []
    for node in page.iter():
        if node.tag == "section" and "prose" in node.classes:
            title = f"{node.attrs['id']}-title"
            sections.append([c for c in node.elements() if c.attrs.get("id") != title])
    notes = [n for n in page.iter() if {"note-text", "footnote"} <= n.classes]
    return Rendered(sections, notes, page)


# --------------------------------------------------------------------------------------------
# Features: each a list of records pulled out of a Rendered brief

Record = dict[str, object]


def _inside(rendered: Rendered, tags: set[str]) -> set[int]:
    """ids of the nodes under an element with one of these tags."""
    return {id(d) for n in rendered.body() if n.tag in tags for d in list(n.iter())[1:]}


def footnotes(rendered: Rendered) -> list[Record]:
    """Each author's note's text, in order (numbers differ: briefgen counts citation notes)."""
    return [{"text": normalised_text(note)} for note in rendered.notes]


def _width(style: str) -> str:
    match = re.search(r"width:\s*([\d.]+)([a-z%]*)", style)
    return f"{float(match[1]):g}{match[2]}" if match else ""  # Pandoc writes 80.0%, we 80%


def figures(rendered: Rendered) -> list[Record]:
    """Each figure's id, image, alt text, caption and width."""
    found = []
    for figure in (n for n in rendered.body() if n.tag == "figure"):
        img = next(n for n in figure.iter() if n.tag == "img")
        caption = next((n for n in figure.iter() if n.tag == "figcaption"), Node("figcaption"))
        alt = img.attrs.get("alt", "")
        # Pandoc's alt is the caption's text, citations included; briefgen's drops them.
        for citation in (n for n in caption.iter() if "citation" in n.classes):
            alt = alt.replace(normalised_text(Node("span", {}, citation.children)), "")
        found.append(
            {
                "id": figure.attrs.get("id", ""),
                "src": img.attrs.get("src", ""),
                "alt": " ".join(alt.split()),
                "caption": normalised_text(caption),
                "width": _width(img.attrs.get("style", "")),
            }
        )
    return found


def table_captions(rendered: Rendered) -> list[Record]:
    """Each table's id and caption text."""
    return [
        {
            "id": table.attrs.get("id", ""),
            "caption": normalised_text(next((c for c in table.iter() if c.tag == "caption"), "")),
        }
        for table in rendered.body()
        if table.tag == "table"
    ]


def _align(cell: Node) -> str:
    match = re.search(r"text-align:\s*(\w+)", cell.attrs.get("style", ""))
    return match[1] if match else ""


def table_structure(rendered: Rendered) -> list[Record]:
    """Each table's header and body cells: text and alignment."""
    found = []
    for table in (n for n in rendered.body() if n.tag == "table"):
        rows: dict[str, list[list[tuple[str, str]]]] = {"thead": [], "tbody": []}
        for group in (n for n in table.iter() if n.tag in rows):
            for row in (r for r in group.iter() if r.tag == "tr"):
                cells = [c for c in row.elements() if c.tag in ("th", "td")]
                rows[group.tag].append([(normalised_text(c), _align(c)) for c in cells])
        found.append({"head": rows["thead"], "body": rows["tbody"]})
    return found


def _mathml_shape(node: Node) -> str:
    """The MathML inside ``<semantics>``, annotation left out: tags, attributes and text."""
    parts = []
    for child in node.children:
        if isinstance(child, str):
            parts.append(child.strip())
        elif child.tag != "annotation":
            attrs = "".join(f" {k}={v}" for k, v in sorted(child.attrs.items()))
            parts.append(f"<{child.tag}{attrs}>{_mathml_shape(child)}</{child.tag}>")
    return "".join(parts)


def math(rendered: Rendered) -> list[Record]:
    """Each formula: inline or block, its TeX annotation, its MathML."""
    found = []
    for node in (n for n in rendered.body() if n.tag == "math"):
        annotation = next((a for a in node.iter() if a.tag == "annotation"), Node("annotation"))
        semantics = next((s for s in node.iter() if s.tag == "semantics"), node)
        found.append(
            {
                "display": node.attrs.get("display", ""),
                "tex": "".join(c for c in annotation.children if isinstance(c, str)),
                "mathml": _mathml_shape(semantics),
            }
        )
    return found


def inline(rendered: Rendered) -> list[Record]:
    """Each sub, sup, del and small-caps span, in order (note markers left out)."""
    # Note markers: briefgen's sup.note-ref, Pandoc's sup inside a.footnote-ref.
    markers = _inside(rendered, {"a"}) | {id(n) for n in rendered.body() if "note-ref" in n.classes}
    kept: list[Record] = []
    for node in rendered.body():
        if node.tag in ("sub", "sup", "del") and id(node) not in markers:
            kept.append({"element": node.tag, "text": normalised_text(node)})
        elif node.tag == "span" and "smallcaps" in node.classes:
            kept.append({"element": "span.smallcaps", "text": normalised_text(node)})
    return kept


def definition_lists(rendered: Rendered) -> list[Record]:
    """Each definition list's terms and definitions."""
    return [
        {"items": [(c.tag, normalised_text(c)) for c in dl.elements() if c.tag in ("dt", "dd")]}
        for dl in rendered.body()
        if dl.tag == "dl"
    ]


def headings(rendered: Rendered) -> list[Record]:
    """Each heading's section, depth in the section's outline, text and id.

    Depth, not rank: briefgen ranks a section's outermost headings ``h3`` (below the brief's
    ``h1`` and the section's ``h2``); Pandoc keeps the levels written.
    """
    found = []
    for number, section in enumerate(rendered.sections, start=1):
        open_ranks: list[int] = []
        for node in (n for top in section for n in top.iter()):
            if not re.fullmatch(r"h[1-6]", node.tag):
                continue
            rank = int(node.tag[1])
            while open_ranks and open_ranks[-1] >= rank:
                open_ranks.pop()
            found.append(
                {
                    "section": number,
                    "depth": len(open_ranks),
                    "text": normalised_text(node),
                    "id": node.attrs.get("id", ""),
                }
            )
            open_ranks.append(rank)
    return found


_EQUATION_ONLY = re.compile(rf"{MATH}( \{{#eq-[\w:.-]+\}})?")


def typography(rendered: Rendered) -> list[Record]:
    """The text of each paragraph and definition, after smart punctuation."""
    skipped = _inside(rendered, {"figure", "table"})
    found = []
    for node in rendered.body():
        if node.tag not in ("p", "dt", "dd") or id(node) in skipped:
            continue
        text = normalised_text(node)
        # Pandoc has no equation labels: ``$$…$$ {#eq-x}`` is a paragraph with the label as
        # text; briefgen numbers the equation in a div.equation, outside any paragraph.
        if _EQUATION_ONLY.fullmatch(text):
            continue
        found.append({"text": text})
    return found


def comments(rendered: Rendered) -> list[Record]:
    """Any HTML comment a reader could see, printed as text."""
    visible = " ".join(normalised_text(n) for section in rendered.sections for n in section)
    visible += " ".join(normalised_text(n) for n in rendered.notes)
    return [{"text": text} for text in re.findall(r"<!--.*?-->", visible)]


def citations_in_links(rendered: Rendered) -> list[Record]:
    """Each body link: its target, its text without citations, and whether it cites.

    Pandoc prints the citation inside the link text; briefgen keeps the link text whole and
    puts the note marker straight after the link.
    """
    found = []
    for parent in rendered.body():
        siblings = [c for c in parent.children if not (isinstance(c, str) and not c.strip())]
        for i, link in enumerate(siblings):
            if not isinstance(link, Node) or link.tag != "a" or "href" not in link.attrs:
                continue
            if link.classes & {"crossref", "footnote-ref"} or link.attrs.get("role"):
                continue
            text = normalised_text(link)
            following = siblings[i + 1] if i + 1 < len(siblings) else None
            marker_follows = isinstance(following, Node) and "note-ref" in following.classes
            found.append(
                {
                    "href": link.attrs["href"],
                    "text": " ".join(text.replace(CITE, "").split()),
                    "cites": CITE in text or marker_follows,
                }
            )
    return found


FEATURES: dict[str, Callable[[Rendered], list[Record]]] = {
    "footnotes": footnotes,
    "figures": figures,
    "table-captions": table_captions,
    "table-structure": table_structure,
    "math": math,
    "sub-sup-del-smallcaps": inline,
    "definition-lists": definition_lists,
    "headings": headings,
    "typography": typography,
    "comments": comments,
    "citations-in-links": citations_in_links,
}


def differences(feature: str, pandoc: Rendered, briefgen: Rendered) -> list[str]:
    """Where briefgen's rendering of ``feature`` differs from Pandoc's, one line each."""
    extract = FEATURES[feature]
    theirs, ours = extract(pandoc), extract(briefgen)
    found = []
    if len(theirs) != len(ours):
        found.append(f"{feature}: Pandoc has {len(theirs)}, briefgen {len(ours)}")
    for n, (expected, actual) in enumerate(zip(theirs, ours, strict=False)):
        for key in expected:
            if not same(expected[key], actual.get(key)):
                shown = repr(expected[key]).replace(CITE, "⟨citation⟩").replace(MATH, "⟨math⟩")
                found.append(f"{feature}[{n}].{key}: Pandoc {shown}, briefgen {actual.get(key)!r}")
    return found


# --------------------------------------------------------------------------------------------
# The fixture, rendered by both


PANDOC_ARGS = ["-t", "html", "--mathml", "--citeproc"]
PANDOC_ARGS += ["--bibliography", "references.bib", "--metadata", "lang=en-US"]


def _body(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    if text.startswith("---\n"):
        text = text.split("\n---\n", 1)[1]
    return text


@dataclass(frozen=True, slots=True)
class Outputs:
    """The fixture brief as Pandoc and briefgen render it."""

    pandoc: Rendered
    briefgen: Rendered
    page_html: str
    """briefgen's page, as written."""
    pandoc_html: list[str]
    """Pandoc's output for each section, as written."""


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory, pandoc: Callable[..., str]) -> Outputs:
    """Build the fixture brief once with briefgen and render its sections once with Pandoc."""
    root = tmp_path_factory.mktemp("features") / "project"
    shutil.copytree(FIXTURE, root)
    shutil.copytree(REPO / "templates", root / "templates")
    build_site(load_config(root))
    page_html = (root / "site" / "features" / "index.html").read_text(encoding="utf-8")
    pandoc_html = [
        pandoc(_body(path), *PANDOC_ARGS, cwd=root)
        for path in sorted((root / "content" / "features").glob("[0-9]*.md"))
    ]
    return Outputs(from_pandoc(pandoc_html), from_briefgen(page_html), page_html, pandoc_html)


# --------------------------------------------------------------------------------------------
# Tests


@pytest.mark.parametrize("feature", [pytest.param(f, id=f) for f in FEATURES])
def test_renders_as_pandoc_does(outputs: Outputs, feature: str) -> None:
    theirs = FEATURES[feature](outputs.pandoc)
    if feature != "comments":  # the comparison of comments expects none on either side
        assert theirs, f"the fixture brief must use {feature}"
    assert differences(feature, outputs.pandoc, outputs.briefgen) == []


# Each change breaks one feature of briefgen's page; the comparer must notice it.
MUTATIONS = [
    pytest.param("figures", "of <em>Europe</em>", "of <em>Asia</em>", id="figcaption"),
    pytest.param("figures", 'style="width:80%"', 'style="width:60%"', id="figure-width"),
    pytest.param("footnotes", "A second paragraph", "Another paragraph", id="footnote-text"),
    pytest.param("table-captions", "Heat days by", "Hot days by", id="table-caption"),
    pytest.param(
        "table-structure",
        '<td style="text-align: right;">3</td>',
        '<td style="text-align: left;">3</td>',
        id="table-alignment",
    ),
    pytest.param("math", 'display="block"', 'display="inline"', id="math-display"),
    pytest.param("math", "<mi>g</mi>", "<mi>h</mi>", id="mathml"),
    pytest.param(
        "sub-sup-del-smallcaps", "<del>cooling vests</del>", "<s>cooling vests</s>", id="del"
    ),
    pytest.param("definition-lists", "<dt>Heat strain</dt>", "<dt>Heat</dt>", id="term"),
    pytest.param("headings", 'id="a-sub-heading"', 'id="sub-heading"', id="heading-id"),
    pytest.param("typography", "“silent killer”", '"silent killer"', id="straight-quotes"),
    pytest.param(
        "comments", "Text under a", "Text &lt;!-- TODO --&gt; under a", id="comment-shown"
    ),
    pytest.param(
        "citations-in-links",
        "the WHO fact sheet</a>",
        "the WHO fact sheet World Health Organization</a>",
        id="citation-in-link-text",
    ),
]


@pytest.mark.parametrize(("feature", "old", "new"), MUTATIONS)
def test_reports_a_changed_page(outputs: Outputs, feature: str, old: str, new: str) -> None:
    assert old in outputs.page_html, "the mutation no longer applies to the fixture's page"
    altered = from_briefgen(outputs.page_html.replace(old, new, 1))
    assert differences(feature, outputs.pandoc, altered)


def test_headings_outline_not_ranks(outputs: Outputs) -> None:
    """briefgen's section headings start at h3 under the section's h2, whatever was written."""
    ranks = [
        int(n.tag[1])
        for section in outputs.briefgen.sections
        for top in section
        for n in top.iter()
        if re.fullmatch(r"h[1-6]", n.tag)
    ]
    assert min(ranks) == 3


def test_comments_never_reach_the_page(outputs: Outputs) -> None:
    """Pandoc passes the author's comment through as HTML; briefgen drops it."""
    assert any(n.tag == "#comment" for n in outputs.pandoc.page.iter())
    assert not any(
        n.tag == "#comment" for s in outputs.briefgen.sections for t in s for n in t.iter()
    )
    assert "Madrid figures" not in outputs.page_html


def test_citation_marker_follows_the_link(outputs: Outputs) -> None:
    """``[text [@key]](url)``: the whole link text is the link, the marker comes right after."""
    cited = [r for r in citations_in_links(outputs.briefgen) if r["cites"]]
    assert [r["text"] for r in cited] == ["the WHO fact sheet"]


CROSSREFS = {
    "#fig-heat": ("Figure 1", "figure"),
    "#tbl-regions": ("Table 1", "table"),
    "#sec-method": ("Section 2.1", "h3"),
    "#eq-wbgt": ("Equation 1", "div"),
    "#sec-why": ("Section 1.1", "h3"),
}


def test_crossrefs_link_to_what_they_name(outputs: Outputs) -> None:
    """Pandoc has no cross-references (it reads ``@fig-heat`` as an unknown citation)."""
    by_id = {n.attrs["id"]: n for n in outputs.briefgen.page.iter() if "id" in n.attrs}
    links = {
        n.attrs["href"]: normalised_text(n)
        for n in outputs.briefgen.body()
        if n.tag == "a" and "crossref" in n.classes
    }
    assert links == {href: text for href, (text, _) in CROSSREFS.items()}
    for href, (_, tag) in CROSSREFS.items():
        assert href[1:] in by_id, f"{href} points at nothing on the page"
        assert by_id[href[1:]].tag == tag
    assert "equation" in by_id["eq-wbgt"].classes


def test_same_is_strict_outside_citations() -> None:
    assert same(f"See {CITE}.", "See [3].")
    assert same(f"by {CITE}.", "by World Health Organization (2021) Heat.")
    assert not same(f"See {CITE}.", "Look [3].")
    assert not same("a “b”", 'a "b"')


def _heading_ids(html: str) -> list[str]:
    return [n.attrs.get("id", "") for n in parse(html).iter() if re.fullmatch(r"h[1-6]", n.tag)]


@pytest.mark.parametrize(
    "markdown",
    [
        pytest.param('## 2024: a year\'s "end" -- ok?', id="dash-and-quotes"),
        pytest.param("## Heat in 1990--91", id="en-dash-between-digits"),
        pytest.param("## Wait... what --- really", id="ellipsis-and-em-dash"),
        pytest.param("## A ---- B", id="em-dash-and-hyphen"),
        pytest.param("## `a--b` and a\\-\\-b", id="code-and-escapes-keep-hyphens"),
        pytest.param("## Über Straße & Co.", id="unicode-and-period"),
        pytest.param("## Heat *stress* and H~2~O", id="formatting"),
        pytest.param("## Same\n\n## Same", id="repeated"),
        pytest.param("## Dr. Smith's e.g. list", id="abbreviations"),
    ],
)
def test_heading_ids_as_pandoc_makes_them(markdown: str, pandoc: Callable[..., str]) -> None:
    """Ids where the author gave none (a footnote marker is a documented difference)."""
    from briefgen.markdown import create_markdown

    theirs = pandoc(markdown + "\n", "-t", "html")
    assert _heading_ids(create_markdown().render(markdown + "\n")) == _heading_ids(theirs)
