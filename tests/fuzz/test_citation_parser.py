"""Property tests of the citation parser (issue 11, item 5), over Markdown built from the
fragments that broke it before: brackets, ``@``, braces, semicolons, escapes, notes, quotes.

For any section body, parsing and rendering
- raises nothing (problems are diagnostics, each at its file and line),
- gives the same HTML and the same citations every time,
- and takes time linear in the input: eight copies of a body cost about eight times one.

The default run is short and derandomized (the same examples every run), after the committed
seed corpus in ``tests/fuzz/seeds/markdown/``. A longer run draws new examples::

    BRIEFGEN_FUZZ_EXAMPLES=20000 python -m pytest tests/fuzz/test_citation_parser.py -q

``BRIEFGEN_FUZZ_SEED`` picks the random seed of a long run (default: a new one each run; a
failure prints the seed and the smallest failing body: add that body to the seeds).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from briefgen.errors import BriefgenError
from briefgen.markdown import MarkdownEnv, parse_section, render_section
from briefgen.model import Section

SEEDS = Path(__file__).parent / "seeds" / "markdown"
EXAMPLES = int(os.environ.get("BRIEFGEN_FUZZ_EXAMPLES", "0"))
"""0: the short default run (derandomized); more: a long run with that many examples."""

# Pieces of Pandoc Markdown that meet in citations, and pieces of plain text between them.
FRAGMENTS = [
    "[", "]", "@", "@a", "@k1", "-@a", "@{", "{", "}", "@{a;b}", "@{x]y}", ";", ",", " ",
    "\n", "\n\n", "\\", "\\@", "\\[", "[@a]", "[see @a, p. 3]", "[-@a]", "@a [p. 4]", "p.",
    "pp. 33--35", "{pp. iv, vi--xi}", "^[", "[^1]", "\n\n[^1]: ", "> ", "- ", "1. ", "*",
    "**", "_", "`", "$", "~", "^", "](u)", "][x]", "]{.a}", "(", ")", ":::", "::: a\n", "|",
    "#", "x", "see", "é", "\u00a0", "\t", "@fig-x", "[@fig-x]", "\n\n[x]: http://e.org\n",
    "<!--", "-->", "<b>",
]  # fmt: skip
bodies = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=3), max_size=60).map("".join)


def section(body: str) -> Section:
    return Section(Path("content/b/01-s.md"), "s", "S", 1, False, body, 4)


def render(body: str) -> tuple[str, list[Any]]:
    """The section's HTML (markers drawn from their groups) and its citations."""
    parsed = parse_section(section(body))
    groups = list(parsed.citations)

    def marker(index: int) -> str:
        return "<sup>" + ";".join(item.key for item in groups[index].items) + "</sup>"

    env: MarkdownEnv = {
        "path": parsed.section.path,
        "render_marker": marker,
        "render_footnote": lambda key, reference: f"<sup>{key}</sup>",
        "crossref_titles": {},
        "crossref_numbers": {},
        "crossref_anchors": {},
    }
    for error in parsed.errors:
        assert error.location is not None, error
        assert error.location.path == parsed.section.path, error
        assert error.location.line is not None and error.location.line >= 4, error
    return render_section(parsed, env), [*groups, *parsed.errors]


def check(body: str) -> None:
    """Every property but speed: no exception but ours, errors located, deterministic."""
    try:
        first = render(body)
    except BriefgenError:
        return
    assert render(body) == first


def seconds(body: str) -> float:
    best = float("inf")
    for _ in range(2):
        start = time.perf_counter()
        parse_section(section(body))
        best = min(best, time.perf_counter() - start)
    return best


Test = TypeVar("Test", bound=Callable[..., None])


def fuzz(*, examples: int = 150) -> Callable[[Test], Test]:
    """Settings: ``examples`` in the short, derandomized default run; a long run scales it by
    ``BRIEFGEN_FUZZ_EXAMPLES / 150`` (20,000 examples of the properties, 1,066 timings)."""
    options: dict[str, Any] = {"deadline": None, "database": None,
                               "suppress_health_check": [HealthCheck.too_slow]}  # fmt: skip
    if EXAMPLES:
        options["max_examples"] = max(1, EXAMPLES * examples // 150)
    else:
        options.update(derandomize=True, max_examples=examples)
    return settings(**options)


@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.md")), ids=lambda path: path.stem)
def test_seed_corpus(path: Path) -> None:
    check(path.read_text(encoding="utf-8"))


def long_run_seed(test: Test) -> Test:
    """A long run takes ``BRIEFGEN_FUZZ_SEED`` when it is set."""
    value = os.environ.get("BRIEFGEN_FUZZ_SEED")
    return seed(int(value))(test) if value and EXAMPLES else test


@long_run_seed
@fuzz()
@given(bodies)
def test_parse_raises_nothing_locates_errors_and_is_deterministic(body: str) -> None:
    check(body)


@long_run_seed
@fuzz(examples=8)
@given(st.lists(st.sampled_from(FRAGMENTS), min_size=4, max_size=12).map("".join))
def test_time_is_linear_in_the_input(body: str) -> None:
    # Small runs are noise (a few milliseconds), so measure 1,000 characters against 8,000.
    unit = body * (1 + 1_000 // len(body))
    small, large = seconds(unit), seconds(unit * 8)
    assert large < 24 * small + 0.25, (body, small, large)
