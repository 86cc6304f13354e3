"""citeproc-py's output made safe: sentinels to HTML tags, source links, slots of Markdown HTML.

citeproc-py's HTML formatter does not escape the data it formats, so we format with private-use
sentinels instead of tags (:data:`FORMATTER`), escape everything, then turn sentinels into tags.
Prefixes and suffixes written in Markdown travel through citeproc-py as placeholders
(:func:`slot`) and come back as the HTML the Markdown parser made of them. Sentinel characters
in the data itself are removed first (:func:`without_sentinels`): only ours become tags.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape
from types import SimpleNamespace
from typing import Any

from briefgen.model import BibEntry, Formatted, doi_url
from briefgen.urls import link_target

_OPEN, _CLOSE = "\ue000", "\ue001"
_SLOT_OPEN, _SLOT_CLOSE = "\ue010", "\ue011"
_LINK_OPEN, _LINK_CLOSE, _LINK_END = "\ue020", "\ue021", "\ue022"
_TAGS = {
    "Italic": "i", "Oblique": "i", "Bold": "b", "Light": "span", "Underline": "u",
    "Superscript": "sup", "Subscript": "sub", "SmallCaps": 'span class="small-caps"',
}  # fmt: skip


def _wrapper(tag: str) -> Any:
    name = tag.split()[0]
    return lambda text: f"{_OPEN}{tag}{_CLOSE}{text}{_OPEN}/{name}{_CLOSE}"


FORMATTER = SimpleNamespace(
    preformat=lambda text: str(text), **{name: _wrapper(tag) for name, tag in _TAGS.items()}
)
# "Jr.." and "?." (never an ellipsis: "Wait..." keeps its three dots).
_DOUBLED_PUNCTUATION = re.compile(f"(?<!\\.)([?!.])((?:{_OPEN}/[a-z]+{_CLOSE})?)\\.(?!\\.)")
_SENTINEL = re.compile(f"{_OPEN}([^{_CLOSE}]*){_CLOSE}")
_SLOT = re.compile(f"{_SLOT_OPEN}(\\d+){_SLOT_CLOSE}")
_LINK = re.compile(f"{_LINK_OPEN}([^{_LINK_CLOSE}]*){_LINK_CLOSE}")
_TAG = re.compile(r"<[^>]*>")
_QUOTE_THEN_PUNCTUATION = re.compile(f"([”’](?:{_OPEN}/[a-z]+{_CLOSE})*)([,.])")


def slot(index: int) -> str:
    """A placeholder for the ``index``-th slot of HTML given to :func:`to_formatted`."""
    return f"{_SLOT_OPEN}{index}{_SLOT_CLOSE}"


def to_formatted(
    raw: str,
    entries: Sequence[BibEntry] = (),
    slots: Sequence[str] = (),
    *,
    punctuation_in_quote: bool = False,
) -> Formatted:
    """citeproc-py output (sentinels, slots) → escaped HTML with tags, links and slot HTML.

    ``slots`` hold HTML made by the Markdown parser (prefixes, suffixes); any sentinel character
    in them is dropped, so only our own sentinels become tags.
    """
    slots = [_PRIVATE.sub("", slot) for slot in slots]
    # citeproc-py adds a period after a title that already ends a sentence.
    raw = _DOUBLED_PUNCTUATION.sub(r"\1\2", raw)
    if punctuation_in_quote:
        # The locale's punctuation-in-quote (American usage): “Title,” not “Title”,.
        raw = _QUOTE_THEN_PUNCTUATION.sub(_punctuation_inside, raw)
    html = _SENTINEL.sub(lambda m: f"<{m.group(1)}>", escape(raw, quote=False))
    html = html.replace("<span>", "").replace("</span>", "") if "<span>" in html else html
    for entry in entries:
        html = _link_source(html, entry)
    html = _SLOT.sub(lambda m: slots[int(m.group(1))], html)
    html = _LINK.sub(lambda m: f'<a href="#{escape(m.group(1))}">', html).replace(_LINK_END, "</a>")
    text = _SLOT.sub(lambda m: _plain(slots[int(m.group(1))]), _SENTINEL.sub("", raw))
    text = _LINK.sub("", text).replace(_LINK_END, "")
    return Formatted(html, text)


_CLOSING_SINGLE = re.compile(r"’(?![^\W\d_])")


def _punctuation_inside(match: re.Match[str]) -> str:
    """“Title,” for “Title”, — but only after a quotation mark: ’ is also an apostrophe, and
    closes a quotation only when a ‘ opened one before it ("the ’Tidyverse’." stays)."""
    quote, punctuation = match.group(1), match.group(2)
    if quote.startswith("’"):
        before = match.string[: match.start()]
        closed = len(_CLOSING_SINGLE.findall(before))  # not the apostrophe in "Salvador’s"
        if before.count("‘") <= closed:
            return match.group(0)
    return punctuation + quote


def _plain(html: str) -> str:
    from html import unescape

    return unescape(_TAG.sub("", html))


def _link_source(html: str, entry: BibEntry) -> str:
    """Make the source followable: its printed URL or DOI becomes a link to itself."""
    targets = []
    if entry.doi:
        resolver = doi_url(entry.doi)
        targets += [(resolver, resolver), (resolver, entry.doi)]
    if entry.url:
        targets.append((entry.url, entry.url))
    for target, shown in targets:
        if link_target(target) is None:
            continue  # never make a javascript: or data: URL clickable
        shown_html = escape(shown, quote=False)
        if shown_html in html and f'">{shown_html}</a>' not in html:
            return html.replace(shown_html, f'<a href="{escape(target)}">{shown_html}</a>', 1)
    return html


def without_sentinels(value: Any) -> Any:
    """Data with our private-use sentinel characters removed, at any depth.

    The output is escaped and then its sentinels become tags; a sentinel written in a .bib
    file would otherwise become a tag of the attacker's choosing.
    """
    if isinstance(value, str):
        return _PRIVATE.sub("", value) if _PRIVATE.search(value) else value
    if isinstance(value, list):
        return [without_sentinels(v) for v in value]
    if isinstance(value, dict):
        return {k: without_sentinels(v) for k, v in value.items()}
    return value


_PRIVATE = re.compile("[\ue000-\ue0ff]")


def linked(anchor: str, text: str) -> str:
    """``text`` as a link to ``#anchor`` once formatted (see :func:`to_formatted`)."""
    return f"{_LINK_OPEN}{anchor}{_LINK_CLOSE}{text}{_LINK_END}"
