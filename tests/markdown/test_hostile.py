"""Hostile Markdown (issue 11): parsing stays linear, deep nesting neither loses text nor
recurses without bound, and braced citation keys are read as Pandoc reads them."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from briefgen.markdown import MarkdownEnv, create_markdown
from briefgen.markdown.brackets import index_brackets
from briefgen.markdown.nesting import MAX_BLOCK_NESTING


def parse(text: str) -> tuple[str, MarkdownEnv]:
    """The section's HTML (markers drawn as ``[n]``) and what the parse recorded."""
    md = create_markdown()
    env: MarkdownEnv = {"path": Path("doc.md")}
    tokens = md.parse(text, env)  # type: ignore[arg-type]
    env["render_marker"] = lambda index: f"[{index + 1}]"
    env["render_footnote"] = lambda key, reference: "[fn]"
    return str(md.renderer.render(tokens, md.options, env)), env  # type: ignore[arg-type]


def seconds(text: str) -> float:
    """The best of two parses of ``text``: the machine's noise only ever adds time."""
    best = float("inf")
    for _ in range(2):
        start = time.perf_counter()
        parse(text)
        best = min(best, time.perf_counter() - start)
    return best


# Each repeated ``unit`` made the citation rules scan to the end of the paragraph at every
# ``[`` (100 KB of "[@k1 " took 160 s); ``wrap`` closes what the units opened, if anything.
LINEAR_CASES = [
    pytest.param("[@k1 ", "", id="unclosed-citations"),
    pytest.param("[k1 ", "", id="unclosed-brackets"),
    pytest.param("[", "@a]", id="nested-brackets"),
    pytest.param("[ @a ", "]", id="nested-citations"),
    pytest.param("@a [", "]", id="nested-narrative-locators"),
    pytest.param("[@a][", "]", id="citations-before-labels"),
    pytest.param("[see [x](y) @a ", "]", id="links-in-prefixes"),
    pytest.param("[@{", "}]", id="braced-keys"),
    pytest.param("[@a; ", "]", id="items"),
    pytest.param("[^x] ", "", id="undefined-footnotes"),
    pytest.param("^[", "x]", id="nested-inline-notes"),
    # Each unclosed fence looked for its closing fence to the end, once per level of nesting.
    pytest.param("::: a\n", "", id="unclosed-divs"),
    pytest.param("::: a\n> ", "", id="unclosed-divs-in-quotes"),
]


@pytest.mark.parametrize(("unit", "closing"), LINEAR_CASES)
def test_parsing_is_linear(unit: str, closing: str) -> None:
    def text(size: int) -> str:
        count = size // (len(unit) + len(closing))
        return unit * count + closing * count

    small, large = seconds(text(2_500)), seconds(text(20_000))
    # Eight times the input: linear work takes about 8 times as long, quadratic 64 times.
    assert large < 24 * small + 0.25, (small, large)


def test_100_kb_of_unclosed_citations_parses_in_seconds() -> None:
    # The case took 160 s; it takes well under a second on an idle machine. The bound
    # is the for any input under 1 MB, generous for a loaded test machine.
    assert seconds("[@k1 " * 20_000) < 10


@pytest.mark.parametrize("unit", ["[k1 ", "[@k1 "])
def test_unclosed_brackets_cost_what_markdown_it_alone_costs(unit: str) -> None:
    from markdown_it import MarkdownIt

    plain = MarkdownIt("commonmark")
    text = unit * 5_000
    alone = min(timed(lambda: plain.parse(text)) for _ in range(2))
    # It was 100 times as much (8 s against 0.08 s); every plugin included, it is now less.
    assert seconds(text) < 3 * alone + 0.1


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def test_many_citations_in_one_paragraph_keep_their_lines() -> None:
    text = "".join(f"[@k{i}]{chr(10) if i % 3 == 2 else ' '}" for i in range(3_000))
    _, env = parse(text)
    assert [group.location.line for group in env["citations"]] == [i // 3 + 1 for i in range(3_000)]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("[" * 5000 + "@a" + "]" * 5000, id="brackets"),
        pytest.param("[ @a " * 5000 + "]" * 5000, id="citations-in-suffixes"),
        pytest.param("@a [@a " * 3000 + "]" * 3000, id="narrative-in-suffixes"),
        pytest.param("@a [" * 3000 + "]" * 3000, id="narrative-locators"),
        pytest.param("*" * 5000 + "deep" + "*" * 5000, id="emphasis"),
        pytest.param("^[" * 3000 + "deep" + "]" * 3000, id="inline-notes"),
        pytest.param("[" * 3000 + "deep" + "]{.a}" * 3000, id="spans"),
        pytest.param("~^" * 3000 + "deep", id="sub-superscripts"),
        pytest.param(">" * 5000 + " deep\n", id="block-quotes"),
        pytest.param("> - " * 3000 + "deep\n", id="quoted-lists"),
        pytest.param("".join("  " * i + "- x\n" for i in range(1000)) + "deep\n", id="lists"),
        pytest.param(
            "".join(":" * (3 + 300 - i) + " a\n" for i in range(300)) + "deep\n", id="fenced-divs"
        ),
        pytest.param("x[^1]\n\n[^1]: " + "> " * 3000 + "deep\n", id="in-a-footnote"),
    ],
)
def test_deep_nesting_keeps_the_text_and_never_overflows(text: str) -> None:
    html, env = parse(text)  # a RecursionError fails the test
    assert "deep" in html or env.get("citations") or env.get("footnote_bodies")
    for error in env.get("errors", []):
        assert error.location.path == Path("doc.md") and error.location.line is not None


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("> " * 25 + "deep\n", id="block-quotes"),
        pytest.param(
            "".join("  " * i + "- x\n" for i in range(25)) + "  " * 25 + "deep\n", id="lists"
        ),
        pytest.param(
            "Term\n" + "".join("  " * i + ": d\n" for i in range(25)) + "  " * 25 + "deep\n",
            id="definitions",
        ),
    ],
)
def test_blocks_nested_25_deep_render_as_in_pandoc(text: str, pandoc: Callable[..., str]) -> None:
    html, env = parse(text)
    assert not env.get("errors")
    assert "deep" in html
    theirs = pandoc(text, "-t", "html")
    for tag in ("<blockquote>", "<li>", "<dd>"):
        assert html.count(tag) == theirs.count(tag), tag


def test_blocks_nested_past_the_bound_are_an_error_that_keeps_the_text() -> None:
    text = "Intro.\n\n" + "".join("  " * i + "- x\n" for i in range(60)) + "  " * 60 + "deep\n"
    html, env = parse(text)
    assert "deep" in html
    [error] = env["errors"]
    # The k-th item (line 2 + k) opens 2k levels: the one at 2k = MAX_BLOCK_NESTING - 2 is too deep.
    assert error.location.line == 2 + (MAX_BLOCK_NESTING - 2) // 2
    assert "nested too deep" in error.message


def test_bracket_index_pairs_as_a_forward_scan_does() -> None:
    source = r"[a [b] \[ [@{x]y} c] ] [d"
    index = index_brackets(source)
    assert index.closing == {0: 21, 3: 5, 10: 19}
    assert index.height == {0: 1, 3: 0, 10: 0}
    assert index.has_at(10, 19) and not index.has_at(0, 9)


# --------------------------------------------------------------------------------------------
# Braced keys, with Pandoc as the oracle


def pandoc_citations(pandoc: Callable[..., str], text: str) -> list[list[tuple[str, str]]]:
    """Each citation group Pandoc reads in ``text``: its items' keys and modes."""
    modes = {"NormalCitation": "normal", "SuppressAuthor": "suppress", "AuthorInText": "narrative"}
    groups: list[list[tuple[str, str]]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("t") == "Cite":
                groups.append([(c["citationId"], modes[c["citationMode"]["t"]])
                               for c in node["c"][0]])  # fmt: skip
                return
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(pandoc(text, "-t", "json"))["blocks"])
    return groups


def our_citations(text: str) -> list[list[tuple[str, str]]]:
    _, env = parse(text)
    modes = {"normal": "normal", "suppress-author": "suppress", "author-in-text": "narrative"}
    return [[(item.key, modes[item.mode.value]) for item in group.items]
            for group in env.get("citations", [])]  # fmt: skip


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("[@{a;b}]", id="semicolon"),
        pytest.param("[@{a;b}; @c]", id="semicolon-then-another"),
        pytest.param("[-@{a;b}]", id="suppressed"),
        pytest.param("@{a;b} says", id="narrative"),
        pytest.param("[see @{x]y}]", id="bracket"),
        pytest.param("[@{a{b}c}, p. 3]", id="nested-braces"),
        pytest.param("[@{https://doi.org/10.1/x?a=1&b=2}]", id="url"),
        pytest.param("[@{a@b}]", id="at-sign"),
        pytest.param("[@{a}b}]", id="suffix-after-braces"),
        pytest.param("[@{odd key}]", id="white-space-is-not-a-key"),
        pytest.param("@{odd key} says", id="white-space-is-not-a-narrative-key"),
        pytest.param("[@{ab]", id="unclosed"),
        pytest.param("[@{a,b}, p. 4]", id="comma"),
    ],
)
def test_braced_keys_as_pandoc_reads_them(text: str, pandoc: Callable[..., str]) -> None:
    assert our_citations(text) == pandoc_citations(pandoc, text)


@pytest.mark.parametrize("text", ["> ::: a\n> ", "- ::: a\n  ", "> > ::: a\n> > x\n> > "])
def test_a_fence_on_the_last_line_of_a_quote_or_list(text: str) -> None:
    """mdit-py-plugins' container rule read past the end of a last line without a line break
    (an IndexError, so a traceback for the build)."""
    html, _ = parse(text)
    assert '<div class="a">' in html
