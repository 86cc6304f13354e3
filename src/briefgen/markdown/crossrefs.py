"""Quarto's cross-references: ``@fig-heat``, ``[@tbl-regions]``, ``[-@sec-method]``, ``@eq-x``.

Labels with these prefixes name a figure, table, section or equation of the brief, not a
BibTeX entry (Quarto reserves them). The parser records every label defined (an ``id`` with a
reserved prefix on a figure, table, heading or display equation) and every reference; the
resolve stage numbers them over the whole brief and reports unknown labels; the renderer draws
"Figure 1" as a link, from ``env["crossref_titles"]`` and ``env["crossref_numbers"]``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline

from briefgen.errors import Location
from briefgen.markdown.tokens import lines_before
from briefgen.model import CITATION_KEY, CrossRef, Label

if TYPE_CHECKING:
    from collections.abc import Sequence

    from markdown_it.token import Token
    from markdown_it.utils import OptionsDict

KINDS = {"fig": "figure", "tbl": "table", "sec": "section", "eq": "equation"}
"""Quarto's label prefixes and the CSL locale term that names each kind."""

_LABEL = rf"(?:{'|'.join(KINDS)})-{CITATION_KEY}"
_NARRATIVE = re.compile(rf"(?P<suppress>-?)@(?P<label>{_LABEL})")
_GROUP = re.compile(
    rf"\[(?P<prefix>[^\[\]@]*?)(?P<suppress>-?)@(?P<label>{_LABEL})"
    rf"(?P<more>(?:\s*;\s*-?@{_LABEL})*)\]"
)


def crossrefs_plugin(md: MarkdownIt) -> None:
    """Cross-reference rules; they run before the citation rules, which would take ``@fig-x``."""
    md.inline.ruler.before("citation", "crossref_group", _group_rule)
    md.inline.ruler.before("narrative_citation", "crossref", _narrative_rule)
    md.core.ruler.push("crossref_labels", _collect_labels)
    md.add_render_rule("crossref", _render)


def _group_rule(state: StateInline, silent: bool) -> bool:
    if state.src[state.pos] != "[":
        return False
    match = _GROUP.match(state.src, state.pos)
    if match is None or state.src[match.end() : match.end() + 1] in ("(", "["):
        return False
    if not silent:
        labels = [match["label"], *re.findall(rf"@({_LABEL})", match["more"])]
        _push(state, labels, bool(match["suppress"]), match["prefix"].strip())
    state.pos = match.end()
    return True


def _narrative_rule(state: StateInline, silent: bool) -> bool:
    src, start = state.src, state.pos
    if src[start] not in "@-" or (
        start > 0 and (src[start - 1].isalnum() or src[start - 1] in "_@")
    ):
        return False
    match = _NARRATIVE.match(src, start)
    if match is None:
        return False
    if not silent:
        _push(state, [match["label"]], bool(match["suppress"]), "")
    state.pos = match.end()
    return True


def _push(state: StateInline, labels: list[str], suppress: bool, prefix: str) -> None:
    token = state.push("crossref", "", 0)
    token.meta = {"labels": tuple(labels), "suppress": suppress, "prefix": prefix,
                  "pos": state.pos}  # fmt: skip


def _collect_labels(state: StateCore) -> None:
    """Every label defined and every label referenced, with its line."""
    env = state.env
    path = env.get("path", Path("<string>"))
    offset = env.get("line_offset", 0)
    labels: list[Label] = env.setdefault("labels", [])
    refs: list[CrossRef] = env.setdefault("crossrefs", [])

    def visit(tokens: list[Token], line: int, block: Token | None = None) -> None:
        for token in tokens:
            here = token.map[0] + offset + 1 if token.map else line
            identifier = str(token.attrGet("id") or "")
            prefix = identifier.split("-", 1)[0]
            if prefix in KINDS and token.nesting >= 0 and "-" in identifier:
                labels.append(Label(identifier, KINDS[prefix], Location(path, here)))
            if token.type == "crossref":
                if block is not None:  # the line inside the paragraph
                    here += lines_before(block.content, token.meta["pos"])
                refs.append(CrossRef(token.meta["labels"], Location(path, here)))
            if token.children:
                visit(token.children, here, token if token.type == "inline" else None)

    visit(state.tokens, offset + 1)
    for body in env.get("footnote_bodies", {}).values():
        visit(body, offset + 1)


def _render(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: Any) -> str:
    from html import escape

    meta = tokens[idx].meta
    titles: dict[str, str] = env.get("crossref_titles", {})
    numbers: dict[str, str] = env.get("crossref_numbers", {})
    anchors: dict[str, str] = env.get("crossref_anchors", {})
    links = []
    for label in meta["labels"]:
        shown = escape((numbers if meta["suppress"] else titles).get(label) or f"?{label}")
        anchor = escape(anchors.get(label, label))
        links.append(f'<a class="crossref" href="#{anchor}">{shown}</a>')
    prefix = escape(meta["prefix"]) + " " if meta["prefix"] else ""
    return prefix + ", ".join(links)
