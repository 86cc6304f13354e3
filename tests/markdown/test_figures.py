from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Callable, Sequence
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markdown_it.utils import read_fixture_file

from briefgen.errors import Severity
from briefgen.markdown.citations import citations_plugin
from briefgen.markdown.env import MarkdownEnv
from briefgen.markdown.figures import figures_plugin
from briefgen.markdown.tables import tables_plugin

FIXTURES = Path(__file__).parent / "fixtures" / "figures.md"
SECTION = Path("content/b/01-x.md")


def make_md() -> MarkdownIt:
    return (
        MarkdownIt("commonmark", {"html": False})
        .enable(["table"])
        .use(citations_plugin)
        .use(figures_plugin)
        .use(tables_plugin)
    )


def png(width: int, height: int) -> bytes:
    """A real PNG (8-bit greyscale) of the given size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    """A brief's folder with images of known sizes, an unsized SVG and a corrupt file."""
    (tmp_path / "heat.png").write_bytes(png(800, 600))
    (tmp_path / "wide.png").write_bytes(png(400, 100))
    (tmp_path / "my chart.png").write_bytes(png(40, 30))
    (tmp_path / "vector.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"></svg>')
    (tmp_path / "corrupt.png").write_bytes(b"\x89PNG\r\n\x1a\nnot a png")
    return tmp_path


def cite_keys(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    """Show which citation token the renderer met, by its keys."""
    return "<cite>" + " ".join(item.key for item in tokens[idx].meta["items"]) + "</cite>"


def test_png_helper_writes_the_size_it_is_asked_for(tmp_path: Path) -> None:
    import imagesize  # type: ignore[import-untyped]

    (tmp_path / "x.png").write_bytes(png(7, 3))
    assert imagesize.get(tmp_path / "x.png") == (7, 3)


@pytest.mark.parametrize(
    ("line", "title", "text", "expected"),
    [pytest.param(*case, id=case[1]) for case in read_fixture_file(FIXTURES)],
)
def test_fixture(bundle: Path, line: int, title: str, text: str, expected: str) -> None:
    md = make_md()
    md.add_render_rule("citation", cite_keys)
    env: dict[str, Any] = {
        "path": SECTION,
        "bundle": bundle,
        "crossref_titles": {"fig-heat": "Figure 1"},
    }
    assert md.render(text, env) == expected
    assert [d for d in env.get("errors", []) if d.severity is Severity.ERROR] == []


def diagnostics(text: str, bundle: Path | None) -> list[str]:
    env: MarkdownEnv = {"path": SECTION, "line_offset": 4}
    if bundle is not None:
        env["bundle"] = bundle
    make_md().parse(text, env)
    return [d.format() for d in env.get("errors", [])]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Intro.\n\n![Missing](missing.png)\n",
            "content/b/01-x.md:7: image 'missing.png' not found; "
            "expected it in content/b/ beside the section files",
            id="missing-file",
        ),
        pytest.param(
            "Intro\nand ![x](img/gone.png) more.\n",
            "content/b/01-x.md:6: image 'img/gone.png' not found; "
            "expected it in content/b/ beside the section files",
            id="inline-image-on-second-line",
        ),
        pytest.param(
            "![Abs](/etc/heat.png)\n",
            "content/b/01-x.md:5: image '/etc/heat.png' is an absolute path; "
            "expected a path relative to content/b/",
            id="absolute",
        ),
        pytest.param(
            "![Up](img/../../heat.png)\n",
            "content/b/01-x.md:5: image 'img/../../heat.png' is outside the brief's folder; "
            "expected it in content/b/ or below",
            id="dot-dot-escapes",
        ),
        pytest.param(
            "![Ftp](ftp://example.org/heat.png)\n",
            "content/b/01-x.md:5: image 'ftp://example.org/heat.png' is not a file in the "
            "brief's folder; expected a path relative to content/b/ or an http(s) URL",
            id="other-scheme",
        ),
        pytest.param(
            "![Host](//example.org/heat.png)\n",
            "content/b/01-x.md:5: image '//example.org/heat.png' is not a file in the "
            "brief's folder; expected a path relative to content/b/ or an http(s) URL",
            id="protocol-relative",
        ),
        pytest.param(
            "\n\n![Bad](heat.png){width=calc(1px)}\n",
            "content/b/01-x.md:7: image width 'calc(1px)' is not a size; "
            "expected a number with an optional unit px, %, em, in or cm",
            id="bad-width",
        ),
        pytest.param(
            "![Bad](heat.png){height=10vh}\n",
            "content/b/01-x.md:5: image height '10vh' is not a size; "
            "expected a number with an optional unit px, %, em, in or cm",
            id="unsupported-unit",
        ),
        pytest.param(
            '![Styled](heat.png){style="color:red"}\n',
            "content/b/01-x.md:5: warning: image attribute 'style' is not supported and was "
            "dropped; expected id, class, width or height",
            id="dropped-attribute-warns",
        ),
    ],
)
def test_errors_at_file_and_line(bundle: Path, text: str, expected: str) -> None:
    assert diagnostics(text, bundle) == [expected]


def test_inside_the_folder_is_fine(bundle: Path) -> None:
    (bundle / "img").mkdir()
    (bundle / "img" / "a.png").write_bytes(png(2, 2))
    assert diagnostics("![A](img/../img/./a.png) ![B](https://x.org/b.png)\n", bundle) == []


def test_a_symlink_out_of_the_folder_is_an_error(bundle: Path, tmp_path_factory: Any) -> None:
    outside = tmp_path_factory.mktemp("outside") / "secret.png"
    outside.write_bytes(png(2, 2))
    (bundle / "link.png").symlink_to(outside)
    assert diagnostics("![L](link.png)\n", bundle) == [
        "content/b/01-x.md:5: image 'link.png' links outside the brief's folder; "
        "expected a file in content/b/"
    ]


def test_without_a_bundle_files_are_not_checked() -> None:
    assert diagnostics("![Missing](missing.png)\n", None) == []
    html = make_md().render("![Missing](missing.png)\n", {})
    assert 'width="' not in html
    assert 'loading="lazy"' in html


def test_without_a_bundle_the_path_is_still_checked() -> None:
    assert diagnostics("![Abs](/x.png)\n", None) == [
        "content/b/01-x.md:5: image '/x.png' is an absolute path; "
        "expected a path relative to content/b/"
    ]


def test_the_figure_knows_its_source_line() -> None:
    tokens = make_md().parse("Intro.\n\n![Cap](x.png){#fig-x}\n")
    figure = next(t for t in tokens if t.type == "figure_open")
    assert figure.map == [2, 3]
    assert figure.attrs == {"id": "fig-x"}


def test_caption_is_rendered_with_the_citation_render_rule() -> None:
    md = make_md()
    markers = iter(["<sup>1</sup>", "<sup>2</sup>"])
    md.add_render_rule("citation", lambda *args: next(markers))
    html = md.render("![Rates [@a] and [see @b, p. 4]](x.png)\n")
    assert "<figcaption>Rates <sup>1</sup> and <sup>2</sup></figcaption>" in html
    assert 'alt="Rates and"' in html


def test_figure_caption_tokens_are_not_duplicated() -> None:
    """The caption's tokens live only in the image, so a walker finds each citation once."""
    tokens = make_md().parse("![Rates [@a]](x.png)\n")
    found = [
        child
        for token in tokens
        for child in (token.children or [])
        for nested in [child, *(child.children or [])]
        if nested.type == "citation"
    ]
    assert len(found) == 1


def test_only_labelled_figures_are_numbered() -> None:
    env = {"crossref_titles": {"fig-a": "Figure 1", "fig-b": "Abbildung <2>"}}
    html = make_md().render("![A](a.png){#fig-a}\n\n![B](b.png){#fig-b}\n\n![C](c.png)\n", env)
    assert html.count('class="crossref-title"') == 2
    assert '<figcaption><span class="crossref-title">Figure 1:</span> A</figcaption>' in html
    assert '<span class="crossref-title">Abbildung &lt;2&gt;:</span> B' in html
    assert "<figcaption>C</figcaption>" in html


# --- Pandoc as the oracle ----------------------------------------------------------------------


class Structure(HTMLParser):
    """The elements that matter, with the attributes and text that matter, in document order."""

    TAGS = ("figure", "img", "figcaption", "table", "caption", "thead", "th", "td")

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[dict[str, str]] = []
        self.open: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.TAGS:
            return
        values = {key: value or "" for key, value in attrs}
        element = {"tag": tag}
        for key in ("id", "class", "src", "title", "width", "height"):
            if key in values:
                element[key] = values[key]
        if tag == "img":
            # Pandoc keeps a citation's source text in alt; briefgen leaves it out.
            element["alt"] = " ".join(re.sub(r"\[@[^\]]*\]", "", values.get("alt", "")).split())
        for declaration in values.get("style", "").split(";"):
            if ":" in declaration:
                key, value = (part.strip() for part in declaration.split(":", 1))
                number = re.fullmatch(r"([\d.]+)(\D*)", value)
                # Pandoc writes 60.0%, briefgen 60%.
                element[key] = f"{float(number[1]):g}{number[2]}" if number else value
        self.elements.append(element)
        if tag not in ("img",):
            element["text"] = ""
            self.open.append(element)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.TAGS and tag != "img":
            element = self.open.pop()
            element["text"] = " ".join(element["text"].split())

    def handle_data(self, data: str) -> None:
        for element in self.open:
            element["text"] += data


def structure(html: str) -> list[dict[str, str]]:
    parser = Structure()
    parser.feed(html)
    return parser.elements


@pytest.mark.parametrize(
    "markdown",
    [
        pytest.param("![Heat *map* [@who2020]](heat.png){#fig-heat width=60% .wide}", id="figure"),
        pytest.param("![Cap](x.png){width=300}", id="pixel-width-attribute"),
        pytest.param("![Cap](x.png){width=300px height=2in}", id="pixels-and-inches"),
        pytest.param("![Cap `code`](x.png){width=3.5em height=10cm}", id="em-and-cm"),
        pytest.param('![Cap](x.png "A title")', id="title"),
        pytest.param("![](x.png)", id="no-caption-no-figure"),
        pytest.param("- ![Cap](x.png)\n- more", id="tight-list"),
        pytest.param("Text ![cap](x.png){width=50%} more.", id="inline-image"),
        pytest.param("[![Cap](x.png)](https://example.org)", id="image-in-link"),
        pytest.param("![A](a.png)\n![B](b.png)", id="two-images-one-paragraph"),
    ],
)
def test_same_structure_as_pandoc(markdown: str, pandoc: Callable[..., str]) -> None:
    ours = structure(make_md().render(markdown + "\n"))
    theirs = structure(pandoc(markdown + "\n", "-t", "html"))
    assert ours, "the snippet must produce something to compare"
    for mine, expected in zip(ours, theirs, strict=True):
        assert mine == expected
