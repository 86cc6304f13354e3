"""BibTeX/biblatex entries to CSL-JSON, as Pandoc converts them (``pandoc -f biblatex``).

Pandoc is the reference: ``Text.Pandoc.Citeproc.BibTeX.itemToReference`` decides which field
becomes which CSL variable, and this module follows it field by field (docs/bibtex-fields.md
has the table, docs/pandoc-differences.md the few deliberate departures). Two things matter
most for the printed reference:

- English titles are converted to sentence case (Pandoc's ``unTitlecase``), leaving words in
  ``{braces}`` alone; the CSL style then applies its own text case. A brace group that still
  holds a lower-case word is passed on as ``<span class="nocase">``, CSL-JSON's markup for it.
- Particles (``van der``, ``de la``) are dropping particles unless ``options = {useprefix}``.
"""

from __future__ import annotations

import itertools
import operator
import re
from collections.abc import Iterable, Sequence
from typing import Any

from briefgen.bibliography import (
    MONTHS,
    Group,
    Inline,
    english_string,
    parse_latex,
    stringify,
)
from briefgen.format.casing import WORD_BREAKS, CaseState, chunks, next_state
from briefgen.model import BibEntry, Name

# biblatex/BibTeX entry type → CSL type (Pandoc's ``getTypeAndGenre``); "" is Pandoc's
# "no particular type", which every style formats with its default branch.
ENTRY_TYPES = {
    "article": "article-journal", "periodical": "article-journal",
    "suppperiodical": "article-journal", "book": "book", "booklet": "pamphlet",
    "bookinbook": "book", "collection": "book", "dataset": "dataset", "data": "dataset",
    "electronic": "webpage", "inbook": "chapter", "incollection": "chapter",
    "inreference": "entry-encyclopedia", "inproceedings": "paper-conference",
    "conference": "paper-conference", "manual": "book", "mastersthesis": "thesis", "misc": "",
    "mvbook": "book", "mvcollection": "book", "mvproceedings": "book", "mvreference": "book",
    "online": "webpage", "patent": "patent", "phdthesis": "thesis", "proceedings": "book",
    "reference": "book", "report": "report", "software": "software", "suppbook": "chapter",
    "suppcollection": "chapter", "techreport": "report", "thesis": "thesis",
    "unpublished": "manuscript", "www": "webpage", "artwork": "graphic", "audio": "song",
    "commentary": "book", "image": "graphic", "jurisdiction": "legal_case",
    "legislation": "legislation", "legal": "treaty", "letter": "personal_communication",
    "movie": "motion_picture", "music": "song", "performance": "speech", "review": "review",
    "standard": "legislation", "video": "motion_picture", "letters": "personal_communication",
    "newsarticle": "article-newspaper",
}  # fmt: skip
_PERIODICALS = frozenset({"article", "periodical", "suppperiodical", "review"})
_CHAPTERS = frozenset({"inbook", "incollection", "inproceedings", "inreference", "bookinbook"})
_IN_BOOKS = frozenset({
    "book", "collection", "proceedings", "reference", "mvbook", "mvcollection",
    "mvproceedings", "mvreference", "bookinbook", "inbook", "incollection", "inproceedings",
    "inreference", "suppbook", "suppcollection",
})  # fmt: skip
_EPRINT_URLS = {
    "arxiv": "https://arxiv.org/abs/", "jstor": "https://www.jstor.org/stable/",
    "pubmed": "https://www.ncbi.nlm.nih.gov/pubmed/", "googlebooks": "https://books.google.com?id=",
}  # fmt: skip
# biblatex ``langid`` → the IETF tag Pandoc gives CSL (``Text.Pandoc.Citeproc.Util.toIETF``).
LANGUAGES = {
    "english": "en-US", "usenglish": "en-US", "american": "en-US", "british": "en-GB",
    "ukenglish": "en-GB", "canadian": "en-US", "australian": "en-GB", "newzealand": "en-GB",
    "afrikaans": "af-ZA", "arabic": "ar", "basque": "eu", "bulgarian": "bg-BG",
    "catalan": "ca-AD", "croatian": "hr-HR", "czech": "cs-CZ", "danish": "da-DK",
    "dutch": "nl-NL", "estonian": "et-EE", "finnish": "fi-FI", "canadien": "fr-CA",
    "acadian": "fr-CA", "french": "fr-FR", "francais": "fr-FR", "austrian": "de-AT",
    "naustrian": "de-AT", "german": "de-DE", "germanb": "de-DE", "ngerman": "de-DE",
    "greek": "el-GR", "polutonikogreek": "el-GR", "polytonicgreek": "el-GR",
    "hebrew": "he-IL", "hungarian": "hu-HU", "icelandic": "is-IS", "italian": "it-IT",
    "japanese": "ja-JP", "latvian": "lv-LV", "lithuanian": "lt-LT", "magyar": "hu-HU",
    "mongolian": "mn-MN", "norsk": "nb-NO", "nynorsk": "nn-NO", "farsi": "fa-IR",
    "polish": "pl-PL", "brazil": "pt-BR", "brazilian": "pt-BR", "portugues": "pt-PT",
    "portuguese": "pt-PT", "romanian": "ro-RO", "russian": "ru-RU", "serbian": "sr-RS",
    "serbianc": "sr-RS", "slovak": "sk-SK", "slovene": "sl-SL", "spanish": "es-ES",
    "swedish": "sv-SE", "thai": "th-TH", "turkish": "tr-TR", "ukrainian": "uk-UA",
    "vietnamese": "vi-VN", "latin": "la",
}  # fmt: skip
_ENGLISH_VARIANTS = {
    "variant=british": "british", "variant=uk": "british", "variant=american": "american",
    "variant=us": "american", "variant=usmax": "american",
    "variant=australian": "australian", "variant=newzealand": "newzealand",
}  # fmt: skip

NAME_VARIABLES = {"author": "author", "editor": "editor", "translator": "translator",
                  "bookauthor": "container-author", "director": "director"}  # fmt: skip


def entry_to_csl(entry: BibEntry, *, language: str = "en-US") -> dict[str, Any]:
    """Convert one entry to a CSL-JSON item (``id`` is the BibTeX key), as Pandoc does.

    ``language`` is the locale the references are formatted in: like Pandoc, titles are
    converted to sentence case only when it and the entry's ``langid`` are English.
    """
    key = (id(entry), language)
    found = _CONVERTED.get(key)
    if found is None or found[0] is not entry:
        if len(_CONVERTED) >= _CACHE_LIMIT:
            _CONVERTED.clear()  # a long-lived process (serve) must not keep old entries forever
        found = (entry, _Converter(entry, language).item())
        _CONVERTED[key] = found
    # A shallow copy: callers may set top-level keys; nested values are only read.
    return dict(found[1])


# Each entry is converted once per language, however many briefs, notes and pages use it.
_CONVERTED: dict[tuple[int, str], tuple[BibEntry, dict[str, Any]]] = {}
_CACHE_LIMIT = 100_000


class _Converter:
    """One entry's conversion; each method is one part of Pandoc's ``itemToReference``."""

    def __init__(self, entry: BibEntry, language: str) -> None:
        self.entry = entry
        self.type = entry.entry_type
        self.options = _options(self.raw("options") or "")
        self.language = self._language()
        # Only entries read from a .bib file: elsewhere there are no braces to protect words.
        self.sentence_case = (
            bool(entry.latex)
            and language.lower().startswith("en")
            and (self.language is None or self.language.lower().split("-")[0] == "en")
        )
        self.has_maintitle = self.raw("maintitle") is not None

    # --- field access ------------------------------------------------------------------

    def raw(self, name: str) -> str | None:
        """The field as written, stripped; None when absent."""
        if name in self.entry.latex:
            return self.entry.latex[name].strip()
        value = self.entry.fields.get(name)
        return value.strip() if value is not None else None

    def inlines(self, name: str) -> list[Inline] | None:
        """The field's LaTeX, parsed; entries built without LaTeX give their plain text."""
        if name in self.entry.latex:
            return parse_latex(self.entry.latex[name])
        value = self.entry.fields.get(name)
        return _words(value) if value is not None else None

    def text(self, name: str) -> str | None:
        """The field's plain text (Pandoc's ``getField``), None when absent or empty."""
        value = self.inlines(name)
        return stringify(value) if value else None

    def title(self, name: str) -> RichText | None:
        """A title field: sentence case for English, ``{...}`` protected (``getTitle``)."""
        value = self.inlines(name)
        if not value:
            return None
        if name == "series":
            value = [english_string(i) if isinstance(i, str) and i != " " else i for i in value]
        if self.sentence_case:
            value = _sentence_case(value)
            return RichText.of(value, protect=True)
        return RichText.of(value, protect=False)

    def periodical(self, name: str) -> RichText | None:
        """A journal title: its case is kept; protected groups stay protected."""
        value = self.inlines(name)
        return RichText.of(value, protect=True) if value else None

    def literal_list(self, name: str) -> str | None:
        """A biblatex literal list (``London and New York``) joined with ``; `` (Pandoc)."""
        value = self.inlines(name)
        if not value:
            return None
        return "; ".join(stringify(part) for part in _split_on_and(value))

    # --- the item ----------------------------------------------------------------------

    def item(self) -> dict[str, Any]:
        item: dict[str, Any] = {"id": self.entry.key, "type": self._type()}
        genre = self._genre()
        if genre:
            item["genre"] = genre
        if self.language:
            item["language"] = self.language
        item.update(self._names())
        item.update(self._dates())
        item.update(self._numbers())
        item.update(self._titles())
        item.update(self._publication())
        item.update(self._identifiers())
        item.update(self._notes(item.get("issued")))
        return {k: v for k, v in item.items() if v not in (None, "")} | {"type": item["type"]}

    def _type(self) -> str:
        subtype = (self.raw("entrysubtype") or "").strip()
        if self.type in ("article", "periodical", "suppperiodical") and subtype in (
            "magazine",
            "newspaper",
        ):
            return f"article-{subtype}"
        if self.type == "unpublished" and any(
            self.raw(f) is not None for f in ("eventdate", "eventtitle", "venue")
        ):
            return "speech"
        return ENTRY_TYPES.get(self.type, "")

    def _genre(self) -> str | None:
        kind = self.raw("type")
        if kind:
            # Decoded, where Pandoc prints ``{PhD} {Thesis}`` braces and all.
            return english_string(stringify(parse_latex(kind)))
        if self.type == "mastersthesis":
            return english_string("mathesis")
        if self.type == "phdthesis":
            return english_string("phdthesis")
        return None

    def _language(self) -> str | None:
        langid = (self.raw("langid") or "").lower()
        if langid:
            variant = (self.text("langidopts") or "").strip().lower()
            if langid == "english" and variant in _ENGLISH_VARIANTS:
                langid = _ENGLISH_VARIANTS[variant]
            return LANGUAGES.get(langid, langid)
        hyphenation = (self.raw("hyphenation") or "").lower()
        return LANGUAGES.get(hyphenation, hyphenation) if hyphenation else None

    def _names(self) -> dict[str, Any]:
        names: dict[str, Any] = {}
        use_prefix = _option_set("useprefix", self.options)
        for field, variable in NAME_VARIABLES.items():
            people = self.entry.names.get(field)
            if not people:
                continue
            if field == "editor" and (self.raw("editortype") or "") == "director":
                variable = "director"
            names[variable] = [_csl_name(person, use_prefix=use_prefix) for person in people]
        return names

    def _dates(self) -> dict[str, Any]:
        issued = _date(self.raw("date")) or self._old_date("")
        return {
            "issued": issued,
            "event-date": _date(self.raw("eventdate")) or self._old_date("event"),
            "original-date": _date(self.raw("origdate")) or self._old_date("orig"),
            "accessed": _date(self.raw("urldate")) or self._old_date("url"),
        }

    def _old_date(self, prefix: str) -> dict[str, Any] | None:
        """``year``/``month``/``day`` (and ``endyear``…), Pandoc's ``getOldDate``."""
        year = _int(_leading_dash(self.text(f"{prefix}year") or ""))
        month = _month(self.raw(f"{prefix}month"))
        day = _int(self.raw(f"{prefix}day") or "")
        end_year = _int(_leading_dash(self.text(f"{prefix}endyear") or ""))
        end_month = _month(self.text(f"{prefix}endmonth"))
        end_day = _int(self.text(f"{prefix}endday") or "")
        parts = [
            _date_parts(y, m, d)
            for y, m, d in ((year, month, day), (end_year, end_month, end_day))
            if y is not None
        ]
        if parts:
            return {"date-parts": parts}
        literal = self.raw(f"{prefix}year")
        return {"literal": literal} if literal else None

    def _numbers(self) -> dict[str, Any]:
        pages = self.text("pages")
        volume, part = self.text("volume"), self.text("part")
        numbers: dict[str, Any] = {
            # Pandoc turns the en dash back into a hyphen; both render the same.
            "page": pages,
            "number-of-pages": self.text("pagetotal"),
            "volume": f"{volume}.{part}" if volume and part else volume or part,
            "number-of-volumes": self.text("volumes"),
            "chapter-number": self.text("chapter"),
            "edition": self.text("edition"),
            "version": self.text("version"),
        }
        number = self.text("number")
        if number is not None:
            if self.type in _IN_BOOKS:
                numbers["collection-number"] = number
            elif self.type in _PERIODICALS:
                issue = self.text("issue")
                numbers["issue"] = _concat(",", [number, issue]) if issue else number
            else:
                numbers["number"] = number
        return numbers

    def _titles(self) -> dict[str, Any]:
        periodical = self.type == "periodical"
        chapter = self.type in _CHAPTERS
        main = self.has_maintitle and not chapter
        title = (
            (periodical and self.title("issuetitle"))
            or (main and self.title("maintitle"))
            or self.title("title")
        )
        subtitle = (periodical and self.title("issuesubtitle")) or (
            self.title("mainsubtitle") if main else self.title("subtitle")
        )
        addon = self.title("maintitleaddon") if main else self.title("titleaddon")
        volume_title = volume_subtitle = volume_addon = None
        if self.has_maintitle:
            volume_title = self.title("booktitle" if chapter else "title")
            volume_subtitle = self.title("booksubtitle" if chapter else "subtitle")
            volume_addon = self.title("booktitleaddon" if chapter else "titleaddon")
        container = (
            (periodical and self.periodical("title"))
            or (chapter and (self.title("maintitle") or self.title("booktitle")))
            or self.periodical("journaltitle")
            or self.periodical("journal")
        )
        container_subtitle = (
            (periodical and self.periodical("subtitle"))
            or (chapter and (self.title("mainsubtitle") or self.title("booksubtitle")))
            or self.periodical("journalsubtitle")
        )
        container_addon = (
            (periodical and self.periodical("titleaddon"))
            or (chapter and (self.title("maintitleaddon") or self.title("booktitleaddon")))
            or None
        )
        short_container = (
            periodical and not self.has_maintitle and self.title("shorttitle")
        ) or self.periodical("shortjournal")
        short = None
        if not self.has_maintitle or chapter:
            short = self.title("shorttitle")
        if short is None and title is not None:
            short = title.up_to_colon(require_colon=not ((subtitle or addon) and not main))
        return {
            "title": _full_title(title, subtitle, addon),
            "volume-title": _full_title(volume_title, volume_subtitle, volume_addon),
            "container-title": _full_title(container, container_subtitle, container_addon),
            "container-title-short": _markup(short_container),
            "collection-title": _markup(self._series()),
            "title-short": _markup(short),
            "event": _markup(self.title("eventtitle")),
            "original-title": _markup(self.title("origtitle")),
        }

    def _series(self) -> RichText | None:
        series = self.title("series")
        if series is not None and re.fullmatch(r"-?\d+", series.plain):
            # A numbered series (``series = {3}``) reads "3rd series".
            return RichText(((f"{_ordinal(series.plain)} {english_string('jourser')}", False),))
        return series

    def _publication(self) -> dict[str, Any]:
        publishers = []
        for name in ("school", "institution", "organization", "howpublished", "publisher"):
            value = self.literal_list(name) if name != "howpublished" else self.text(name)
            if value:
                publishers.append(value)
        place = self.literal_list("address")
        if place is None and self.type != "patent":
            place = self.literal_list("location")
        jurisdiction = None
        if self.type == "patent" and self.inlines("location"):
            jurisdiction = "; ".join(
                english_string(stringify(p)) for p in _split_on_and(self.inlines("location") or [])
            )
        return {
            "publisher": _concat(";", publishers) if publishers else None,
            "original-publisher": self.text("origpublisher"),
            "jurisdiction": jurisdiction,
            "event-place": self.text("venue"),
            "publisher-place": place,
            "original-publisher-place": self.literal_list("origlocation"),
        }

    def _identifiers(self) -> dict[str, Any]:
        url = self.entry.url
        if url and not (self.type == "online" or self.options.get("url") != "false"):
            url = None
        if not url:
            kind = (self.raw("eprinttype") or self.raw("archiveprefix") or "").lower()
            eprint = self.raw("eprint")
            url = _EPRINT_URLS[kind] + eprint if eprint and kind in _EPRINT_URLS else None
        return {
            "URL": url,
            "DOI": self.entry.doi if self.options.get("doi") != "false" else None,
            "ISBN": self.raw("isbn"),
            "ISSN": self.raw("issn"),
            "PMID": self.raw("pmid"),
            "PMCID": self.raw("pmcid"),
            "call-number": self.raw("library"),
        }

    def _notes(self, issued: dict[str, Any] | None) -> dict[str, Any]:
        notes = [n for n in (self.text("note"), self.text("addendum")) if n]
        if self.type == "periodical":
            notes = notes[1:] if self.text("note") else notes
        pubstate = self.text("pubstate")
        status = english_string(pubstate) if pubstate else None
        if status is None and issued and issued.get("literal") == "forthcoming":
            status = "forthcoming"
        return {
            "note": _concat(".", notes) if notes else None,
            "annote": self.text("annotation") or self.text("annote"),
            "abstract": self.text("abstract"),
            "keyword": self.text("keywords"),
            "status": status,
        }


# --- Rich text: what a title keeps of its LaTeX -------------------------------------------


class RichText:
    """Text in runs, each protected from case changes (``nocase``) or not."""

    __slots__ = ("runs",)

    def __init__(self, runs: Iterable[tuple[str, bool]]) -> None:
        # Neighbours of one kind are joined once (adding each to the last run was quadratic).
        kept = ((text, nocase) for text, nocase in runs if text)
        self.runs = tuple(
            ("".join(text for text, _ in group), nocase)
            for nocase, group in itertools.groupby(kept, key=operator.itemgetter(1))
        )

    @classmethod
    def of(cls, inlines: Sequence[Inline], *, protect: bool) -> RichText:
        """Runs from parsed LaTeX; with ``protect``, groups holding a lower-case word stay
        protected (Pandoc's ``protectCase``), the others are plain text."""
        return cls(
            (item, False)
            if isinstance(item, str)
            else (stringify(item.children), protect and _keeps_nocase(item))
            for item in inlines
        )

    @property
    def plain(self) -> str:
        return "".join(text for text, _ in self.runs)

    def markup(self) -> str:
        """CSL-JSON rich text: ``<span class="nocase">`` around protected runs."""
        return "".join(
            f'<span class="nocase">{text}</span>' if nocase else text for text, nocase in self.runs
        )

    def up_to_colon(self, *, require_colon: bool) -> RichText | None:
        """The text before the first unprotected colon (Pandoc's short title)."""
        runs: list[tuple[str, bool]] = []
        for text, nocase in self.runs:
            if not nocase and ":" in text:
                runs.append((text.split(":", 1)[0], False))
                return RichText(runs)
            runs.append((text, nocase))
        return None if require_colon else self

    def __add__(self, other: RichText) -> RichText:
        return RichText(self.runs + other.runs)


def _keeps_nocase(group: Group) -> bool:
    """A group keeps its protection when it holds a word starting in lower case (or is one
    accented letter inside a word, which needs no protection: ``Europ{\\"a}ische``)."""
    text = stringify(group.children)
    if len(text) <= 1:
        return False
    pieces = [p for item in group.children if isinstance(item, str)
              for p in re.split(r"(\W)", item) if p and p != " "]  # fmt: skip
    return any(piece[0].islower() for piece in pieces) or any(
        _keeps_nocase(child) for child in group.children if isinstance(child, Group)
    )


def _markup(text: RichText | None) -> str | None:
    return text.markup() if text is not None and text.runs else None


def _full_title(
    title: RichText | None, subtitle: RichText | None, addon: RichText | None
) -> str | None:
    """``title: subtitle. addon``, Pandoc's ``concatWith``."""
    if title is None:
        return None
    joined = _concat_rich(":", [title, subtitle]) if subtitle else title
    return _markup(_concat_rich(".", [joined, addon]) if addon else joined)


def _concat_rich(separator: str, parts: Sequence[RichText | None]) -> RichText:
    result = RichText(())
    for part in parts:
        if part is None or not part.runs:
            continue
        if result.runs:
            glue = " " if result.plain.endswith(tuple("!?.,:;")) else f"{separator} "
            result = result + RichText(((glue, False),))
        result = result + part
    return result


def _concat(separator: str, parts: Sequence[str | None]) -> str:
    """Join with ``separator`` and a space, unless a part already ends in punctuation."""
    return _concat_rich(separator, [RichText(((p, False),)) for p in parts if p]).plain


# --- Sentence case, as citeproc's ``withSentenceCase`` applied by Pandoc's ``unTitlecase`` --


def _sentence_case(inlines: Sequence[Inline]) -> list[Inline]:
    """Lower-case capitalised words after the first of each sentence; groups untouched."""
    state = CaseState.START

    def step(text: str) -> CaseState:
        nonlocal state
        before, state = state, next_state(state, text)
        return before

    def word(text: str) -> str:
        out = []
        for chunk in chunks(text):
            before = step(chunk)
            out.append(_sentence_chunk(chunk, before) if chunk.isalnum() else chunk)
        return "".join(out)

    def convert(item: Inline) -> Inline:
        if isinstance(item, Group):
            step(stringify(item.children))
            return item
        return word(item)

    last = inlines[-1] if inlines else None
    if (
        len(inlines) > 1
        and isinstance(last, str)
        and not any(c.isspace() or c in WORD_BREAKS for c in last)
    ):
        # citeproc's caseTransform treats the last word specially (for title case).
        head = [convert(item) for item in inlines[:-1]]
        if state in (CaseState.AFTER_WORD_END, CaseState.START_SENTENCE, CaseState.START):
            state = CaseState.BEFORE_LAST_WORD
        return [*head, convert(last)]
    return [convert(item) for item in inlines]


def _sentence_chunk(chunk: str, state: CaseState) -> str:
    at_start = state in (CaseState.START, CaseState.START_SENTENCE)
    capitalised = chunk[0].isupper() and all(c.islower() for c in chunk[1:])
    if capitalised and not at_start:
        return chunk.lower()
    if at_start and (capitalised or all(c.islower() for c in chunk)):
        lowered = chunk.lower()
        return lowered[0].upper() + lowered[1:]
    return chunk


# --- Names, dates, small helpers ----------------------------------------------------------


def _csl_name(name: Name, *, use_prefix: bool) -> dict[str, str]:
    if name.literal:
        return {"literal": name.literal}
    parts = {
        "family": name.family,
        "given": name.given,
        "non-dropping-particle" if use_prefix else "dropping-particle": name.particle,
        "suffix": name.suffix,
    }
    return _extract_particles({k: v for k, v in parts.items() if v})


_PARTICLE_PUNCTUATION = "'’-\u2013."


def _extract_particles(name: dict[str, str]) -> dict[str, str]:
    """citeproc's ``extractParticles``: lower-case words opening a family name (``{van der
    Berg}``, in braces) are a non-dropping particle."""
    family = name.get("family", "")
    if "non-dropping-particle" in name or not family:
        return name

    def is_particle(word: str) -> bool:
        return all(c.islower() or c in _PARTICLE_PUNCTUATION for c in word)

    words = family.split()
    leading = list(_takewhile(is_particle, words))
    if leading and len(leading) < len(words):
        return {**name, "family": " ".join(words[len(leading) :]),
                "non-dropping-particle": " ".join(leading)}  # fmt: skip
    # Not ``d'Souza`` → ``d’`` + ``Souza`` as citeproc does: citeproc-py always puts a space
    # after a particle ("d’ Souza"), so that family name stays whole (pandoc-differences.md).
    return name


def _takewhile(predicate: Any, items: list[str]) -> Iterable[str]:
    for item in items:
        if not predicate(item):
            return
        yield item


_ISO_PART = re.compile(r"^(y?)(-?)([^~?%T]*)")


def _date(raw: str | None) -> dict[str, Any] | None:
    """An EDTF/ISO date (``2021-03-05``, ``2021-03``, ``2020/2021``, ``2020/``), citeproc's
    ``rawDateEDTF``; None when it does not parse (Pandoc then tries ``year``)."""
    if not raw:
        return None
    raw = raw.replace("\u00a0", "~")
    pieces = raw.split("/")
    if len(pieces) == 1 and "u" in raw:
        pieces = [raw.replace("u", "0"), raw.replace("u", "9")]
    elif len(pieces) == 2 and pieces[1] in ("open", "unknown"):
        pieces = [pieces[0], ""]
    parts = []
    for piece in pieces:
        piece = piece.strip()
        match = _ISO_PART.match(piece)
        assert match is not None
        has_y, negative, body = match.groups()
        if body == "":
            parts.append([0])
            continue
        fields = body.split("-")
        if not (len(fields[0]) == 4 or (has_y and len(fields[0]) >= 4)):
            return None
        if any(len(f) != 2 for f in fields[1:]) or len(fields) > 3:
            return None
        if not all(f.isdigit() for f in fields):
            return None
        numbers = [int(f) for f in fields]
        if negative:
            numbers[0] = -numbers[0] - 1
        parts.append(numbers)
    date: dict[str, Any] = {"date-parts": parts}
    if any(p.strip().endswith("~") for p in pieces):
        date["circa"] = True
    return date


def _date_parts(year: int, month: int | None, day: int | None) -> list[int]:
    if month is None:
        return [year]
    return [year, month] if day is None else [year, month, day]


def _month(value: str | None) -> int | None:
    if not value:
        return None
    value = value.strip().lower()
    # Pandoc reads only ``jan``…``dec`` and numbers; full names are kept too (documented).
    return _int(MONTHS.get(value, value))


def _int(value: str) -> int | None:
    value = value.strip()
    return int(value) if re.fullmatch(r"-?\d+", value) else None


def _leading_dash(year: str) -> str:
    """A BC year may be written with ``--``: it decodes to an en dash."""
    return "-" + year[1:] if year[:1] in "–—" and year[1:2].isdigit() else year


def _ordinal(number: str) -> str:
    n = int(number)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{number}{suffix}"


def _options(value: str) -> dict[str, str]:
    """biblatex's per-entry ``options = {useprefix, url=false}``."""
    options = {}
    for option in value.split(","):
        key, _, setting = option.partition("=")
        if key.strip():
            options[key.strip().lower()] = setting.strip().lower()
    return options


def _option_set(key: str, options: dict[str, str]) -> bool:
    return key in options and options[key] in ("", "true")


def _split_on_and(inlines: Sequence[Inline]) -> list[list[Inline]]:
    parts: list[list[Inline]] = [[]]
    for index, item in enumerate(inlines):
        if (
            item == "and"
            and 0 < index < len(inlines) - 1
            and inlines[index - 1] == " " == inlines[index + 1]
        ):
            parts[-1] = parts[-1][:-1]
            parts.append([])
        elif not (item == " " and not parts[-1]):
            parts[-1].append(item)
    return parts


def _words(text: str) -> list[Inline]:
    """Plain text as inlines (for entries that were not read from a .bib file)."""
    words: list[Inline] = []
    for word in text.split():
        words += [" ", word] if words else [word]
    return words
