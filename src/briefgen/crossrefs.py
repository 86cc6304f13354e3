"""Number a brief's figures, tables, sections and equations, and check every cross-reference.

Numbers run over the whole brief in reading order: Figure 1, 2… across its section files, as
Quarto numbers a document. A section's number is its place among the brief's titled sections
(``2``), and a heading inside it adds its place below (``2.1``). The words come from the CSL
locale of the brief's language ("Abbildung 1" in German).
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

from briefgen.errors import Diagnostics
from briefgen.markdown.crossrefs import KINDS
from briefgen.markdown.terms import term
from briefgen.model import Brief, ParsedSection


@dataclass(frozen=True, slots=True)
class CrossRefs:
    """A brief's cross-reference labels: what each is called, its number, and where it is."""

    titles: dict[str, str]
    """``fig-heat`` → ``Figure 1``."""
    numbers: dict[str, str]
    """``fig-heat`` → ``1``."""
    anchors: dict[str, str]
    """Labels whose page id differs: ``sec-the-deal`` → ``the-deal`` (a section file)."""


def number_crossrefs(
    brief: Brief, sections: Sequence[ParsedSection], diagnostics: Diagnostics
) -> CrossRefs:
    """Number every label of the brief in reading order; report unknown and repeated labels."""
    numbers: dict[str, str] = {}
    anchors: dict[str, str] = {}
    kinds: dict[str, str] = {}
    counters: dict[str, int] = {}
    titled = 0
    for parsed in sections:
        section = parsed.section
        if not section.lead:
            titled += 1
            kinds[f"sec-{section.slug}"] = "section"
            numbers[f"sec-{section.slug}"] = str(titled)
            anchors[f"sec-{section.slug}"] = section.slug
        heading_numbers = _heading_numbers(parsed, titled if not section.lead else 0,
                                           top_rank=2 if section.lead else 3)  # fmt: skip
        for label in parsed.labels:
            if label.id in anchors:  # an explicit {#sec-x} wins over a section file's name
                del anchors[label.id]
            elif label.id in kinds:
                diagnostics.error(
                    f"label {label.id!r} is used twice in this brief; each figure, table, "
                    "section or equation needs its own",
                    label.location,
                )
                continue
            kinds[label.id] = label.kind
            if label.kind == "section":
                numbers[label.id] = heading_numbers.get(label.id, str(titled))
            else:
                counters[label.kind] = counters.get(label.kind, 0) + 1
                numbers[label.id] = str(counters[label.kind])
    known = sorted(kinds)
    for parsed in sections:
        for ref in parsed.crossrefs:
            for name in ref.labels:
                if name in kinds:
                    continue
                close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
                kind = KINDS[name.split("-")[0]]
                hint = (
                    f"; did you mean {close[0]!r}?"
                    if close
                    else f"; give the {kind} the id {{#{name}}}"
                )
                diagnostics.error(f"unknown cross-reference label {name!r}{hint}", ref.location)
    titles = {
        label: f"{_capitalised(term(brief.language, kinds[label]))} {number}"
        for label, number in numbers.items()
    }
    return CrossRefs(titles, numbers, anchors)


def _heading_numbers(
    parsed: ParsedSection, section_number: int, *, top_rank: int
) -> dict[str, str]:
    """``2.1``, ``2.1.1``… for each heading inside the section (``1``, ``1.1`` in a lead, whose
    headings start at h2)."""
    numbers: dict[str, str] = {}
    counts: list[int] = []
    for heading in parsed.headings:
        depth = max(1, heading.rank - top_rank + 1)
        counts = counts[:depth] + [0] * (depth - len(counts))
        counts[-1] += 1
        parts = ([section_number] if section_number else []) + counts
        numbers[heading.id] = ".".join(str(n) for n in parts)
    return numbers


def _capitalised(word: str) -> str:
    return word[:1].upper() + word[1:]
