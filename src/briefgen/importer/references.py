"""Read a free-text reference (Harvard, APA, Chicago author-date…) into biblatex fields.

As well as can honestly be done: authors before a parenthesised year (``Specht, D. (2019)``),
the title up to the first sentence end that is not an initial or an abbreviation, then the
container (a site, a journal with volume and pages, a publisher), the URL with its "Available
from:", a DOI and an access date. A legal case (``Lyttle v. United States, 867 F. Supp. 2d 1256
(2012)``) is read as one. Whatever is left over is kept verbatim in ``unparsed`` (written to
``note``), and a reference with no recognisable shape is kept whole there: nothing is guessed.
"""

from __future__ import annotations

import re
import unicodedata

from briefgen.importer.records import ParsedReference, RefName

_URL = re.compile(r"<?(?:https?://|www\.)[^\s<>]+")
_DOI = re.compile(r"\b(?:doi:\s*|https?://(?:dx\.)?doi\.org/)(?P<doi>10\.\d{4,9}/[^\s<>]+)", re.I)
_ONLINE = re.compile(r"[\[{(]\s*(?:online|internet|electronic)\s*[\]})]\.?", re.I)
_AVAILABLE = re.compile(
    r"(?:\b(?:available|accessible)\s+(?:online\s+)?(?:from|at|via)|\bretrieved\s+from"
    r"|\bonline\s+at|\burl|\bavailable|\bfrom)\s*:?\s*$",
    re.I,
)
_MONTH_NAMES = ["january", "february", "march", "april", "may", "june", "july", "august",
                "september", "october", "november", "december"]  # fmt: skip
_MONTH = {name[:3]: number for number, name in enumerate(_MONTH_NAMES, start=1)}
_DAY_MONTH_YEAR = (
    r"(?P<d1>\d{1,2})(?:st|nd|rd|th)?\s+(?P<m1>[A-Za-z]{3,9})\.?,?\s+(?P<y1>\d{4})"
    r"|(?P<m2>[A-Za-z]{3,9})\.?\s+(?P<d2>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y2>\d{4})"
    r"|(?P<iso>\d{4}-\d{2}-\d{2})"
)
_ACCESSED = re.compile(
    rf"[\[(]?\s*(?:last\s+)?(?:accessed|viewed|retrieved|consulted)(?:\s+on)?\s*:?\s*"
    rf"(?:{_DAY_MONTH_YEAR})\s*[\])]?\.?",
    re.I,
)
_YEAR_PAREN = re.compile(
    r"\(\s*(?P<year>(?:1[5-9]|20)\d{2})(?P<suffix>[a-z]?)"
    r"(?:\s*,\s*(?P<when>[A-Za-z]{3,9}\.?\s+\d{1,2}|\d{1,2}\s+[A-Za-z]{3,9}|[A-Za-z]{3,9}))?\s*\)"
    r"|\(\s*(?P<nd>n\.\s?d\.?|no date|undated)\s*\)",
    re.I,
)
_YEAR_BARE = re.compile(
    r"^(?P<authors>.+?)[.,]\s+(?P<year>(?:1[5-9]|20)\d{2})[a-z]?[.,]\s+(?P<rest>.+)$"
)
_CASE = re.compile(
    r"^(?P<title>[^,()]+?\sv\.?\s[^,()]+?),\s*(?P<volume>\d+)\s+(?P<reporter>[A-Z][\w. ]*?)\s+"
    r"(?P<page>\d+)(?:,\s*(?P<pinpoint>\d+))?\s*\((?:[^()]*?\s)?(?P<year>\d{4})\)\.?\s*$"
)
_JOURNAL = re.compile(
    r"^(?P<journal>[^\d,]+?),?\s+(?:vol(?:ume)?\.?\s*)?(?P<volume>\d+)"
    r"(?:\s*(?:/|\(|,\s*(?:no|issue)\.?\s*|\s(?:no|issue)\.?\s*)(?P<number>\d+)\)?)?"
    r"\s*[,:]\s*(?:pp?\.?\s*)?(?P<pages>\d+(?:\s*[-–—]+\s*\d+)?)\.?$",
    re.I,
)
_PUBLISHER = re.compile(
    r"^(?:(?P<location>[A-Z][\w .,'-]{1,40}?)\s*:\s*)?"
    r"(?P<publisher>[^:]*\b(?:Books?|Press|Publish\w*|Verlag|Editions?|Éditions|Editorial|Publications|Routledge|Wiley|Springer|Penguin|Macmillan|Elsevier"
    r"|Sage|Bloomsbury|Zed)\b[^:]*)$"
)
_ABBREVIATIONS = frozenset({
    "al", "ca", "cf", "ch", "chap", "co", "corp", "dept", "dr", "ed", "eds", "eg", "etc", "fig",
    "ie", "inc", "jr", "ltd", "mr", "mrs", "ms", "no", "nos", "op", "p", "pp", "prof", "rev",
    "sr", "st", "vol", "vols", "vs", "v",
})  # fmt: skip
_IBID = re.compile(r"^ibid(?:em)?\.?\s*(?:,\s*)?(?P<locator>.*?)\.?$", re.I)
_INITIALS = re.compile(r"^(?:[A-Z]\.?(?:\s*-\s*[A-Z]\.?)?\s*)+$")
_GIVEN = re.compile(r"^[A-Z][a-zà-ÿ’'-]+(?:\s+(?:[A-Z]\.?|[A-Z][a-zà-ÿ’'-]+)){0,2}$")
_FAMILY = re.compile(
    r"^(?:(?:van|von|de|der|den|da|di|du|del|la|le|dos|das)\s+)*[A-ZÀ-Þ][\w’'-]*"
    r"(?:\s+[A-ZÀ-Þ][\w’'-]*){0,2}$"
)


def parse_reference(text: str) -> ParsedReference:
    """Read one reference; what it cannot read is kept in ``unparsed``, never dropped."""
    source = " ".join(text.split())
    ibid = _IBID.match(source)
    if ibid:
        locator = ibid["locator"].strip()
        return ParsedReference(source, "misc", {"locator": locator} if locator else {}, ibid=True)

    fields: dict[str, str] = {}
    rest = source
    doi = _DOI.search(rest)
    if doi:
        fields["doi"] = doi["doi"].rstrip(".,;")
        rest = _cut(rest, doi.start(), doi.end())
    urls = list(_URL.finditer(rest))
    url = ""
    extra_urls: list[str] = []
    for found in reversed(urls):
        bracketed = found.group().startswith("<")
        url_start = found.start() + bracketed
        value = _trim_url(found.group().lstrip("<"))
        url_end = url_start + len(value)
        if bracketed and rest.startswith(">", url_end):
            url_end += 1
        before = _AVAILABLE.search(rest[: found.start()])
        rest = _cut(rest, before.start() if before else found.start(), url_end)
        if url:
            extra_urls.insert(0, url)
        url = value
    accessed = _ACCESSED.search(rest)
    if accessed:
        urldate = _iso_date(accessed)
        if urldate:
            fields["urldate"] = urldate
            rest = _cut(rest, accessed.start(), accessed.end())
    online = bool(_ONLINE.search(rest))
    rest = _ONLINE.sub(" ", rest)
    rest = " ".join(rest.split()).strip(" .,;")

    case = _CASE.match(rest)
    if case:
        fields = {
            "title": case["title"].strip(),
            "journaltitle": case["reporter"].strip(),
            "volume": case["volume"],
            "pages": case["page"],
            "date": case["year"],
            **fields,
        }
        if url:
            fields["url"] = url
        return ParsedReference(source, "jurisdiction", _ordered(fields), unparsed=_join(extra_urls))

    authors_text, rest_after, date = _split_year(rest)
    if authors_text is None:
        if url:
            fields["url"] = url
        return ParsedReference(source, "misc", _ordered(fields), unparsed=source)
    editors = False
    authors_text = authors_text.strip(" ,")
    edited = re.search(r"\s*,?\s*\(?\beds?\.?\)?\.?$", authors_text)
    if edited and edited.group().strip():
        editors, authors_text = True, authors_text[: edited.start()]
    names = parse_names(authors_text)
    if date:
        fields["date"] = date

    leftovers = list(extra_urls)
    sentences = split_sentences(rest_after.strip(" .,;:"))
    title = sentences[0] if sentences else ""
    containers = sentences[1:]
    if not containers and (url or online) and "," in title:
        head, _, tail = title.rpartition(",")
        words = tail.split()
        if 0 < len(words) <= 4 and all(w[0].isupper() for w in words):
            title, containers = head, [tail.strip()]
    title = title.strip()
    addon = re.search(r"\s*(\[[^\[\]]+\])$", title)
    if addon and addon.start() > 0:
        fields["titleaddon"] = addon[1]
        title = title[: addon.start()]
    number = re.search(r"\s*\(([^()]*\d[^()]*)\)$", title)
    if number and number.start() > 0:
        fields["number"] = number[1]
        title = title[: number.start()]
    if title:
        fields["title"] = title.rstrip(" .")

    entry_type = "misc"
    container = containers[0].strip(" .,") if containers else ""
    leftovers.extend(c.strip() for c in containers[1:])
    journal = _JOURNAL.match(container) if container else None
    publisher = _PUBLISHER.match(container) if container else None
    if journal:
        entry_type = "article"
        fields["journaltitle"] = journal["journal"].strip(" ,")
        fields["volume"] = journal["volume"]
        if journal["number"]:
            fields["number"] = journal["number"]
        fields["pages"] = re.sub(r"\s*[-–—]+\s*", "--", journal["pages"])
    elif container and url.lower().endswith(".pdf"):
        entry_type = "report"
        fields["institution"] = container
    elif publisher:
        entry_type = "book"
        fields["publisher"] = publisher["publisher"].strip()
        if publisher["location"]:
            fields["location"] = publisher["location"].strip()
    elif url or online:
        entry_type = "online"
        if container:
            fields["organization"] = container
    elif container:
        fields["howpublished"] = container
    if url:
        fields["url"] = url
        # A dated URL (…/2025/02/04/…) gives the day when it agrees with the year given.
        dated = re.search(r"/((?:19|20)\d{2})/(\d{2})/(\d{2})/", url)
        if dated and fields.get("date") == dated[1] and 1 <= int(dated[2]) <= 12:
            fields["date"] = f"{dated[1]}-{dated[2]}-{dated[3]}"
    if not names and not title:
        leftovers.insert(0, rest)
    return ParsedReference(
        source,
        entry_type,
        _ordered(fields),
        authors=() if editors else names,
        editors=names if editors else (),
        unparsed=_join(leftovers),
    )


def _cut(text: str, start: int, end: int) -> str:
    return text[:start].rstrip() + " " + text[end:].lstrip()


def _join(parts: list[str]) -> str:
    return " ".join(p for p in parts if p.strip(" .,;"))


def _trim_url(url: str) -> str:
    """A URL without the sentence's punctuation after it (a closing bracket it opened stays)."""
    url = url.rstrip(">")
    while url and url[-1] in ".,;:!?)]}'\"”’":
        closing = url[-1]
        opening = {")": "(", "]": "[", "}": "{"}.get(closing)
        if opening and url.count(opening) >= url.count(closing):
            break
        url = url[:-1]
    return url


def _iso_date(match: re.Match[str]) -> str:
    if match["iso"]:
        return str(match["iso"])
    year = match["y1"] or match["y2"]
    month = _MONTH.get((match["m1"] or match["m2"] or "")[:3].lower())
    day = int(match["d1"] or match["d2"])
    return f"{year}-{month:02d}-{day:02d}" if month and 1 <= day <= 31 else ""


def _split_year(text: str) -> tuple[str | None, str, str]:
    """``(authors, rest, date)`` around the year; ``(None, text, "")`` when there is none."""
    found = _YEAR_PAREN.search(text)
    if found:
        date = ""
        if found["year"]:
            date = found["year"]
            when = found["when"] or ""
            month_day = re.fullmatch(
                r"([A-Za-z]{3,9})\.?\s+(\d{1,2})|(\d{1,2})\s+([A-Za-z]{3,9})", when
            )
            if month_day:
                month = _MONTH.get((month_day[1] or month_day[4])[:3].lower())
                day = int(month_day[2] or month_day[3])
                if month:
                    date = f"{date}-{month:02d}-{day:02d}"
            elif when and (month := _MONTH.get(when[:3].lower())):
                date = f"{date}-{month:02d}"
        return text[: found.start()], text[found.end() :], date
    bare = _YEAR_BARE.match(text)
    if bare:
        return bare["authors"], bare["rest"], bare["year"]
    return None, text, ""


def split_sentences(text: str) -> list[str]:
    """Split at ``.``, ``?`` or ``!`` followed by a capital, outside brackets and quotes.

    Initials (``D.``), abbreviations with inner dots (``U.S.``) and the usual short forms
    (``Vol.``, ``no.``, ``et al.``) do not end a sentence.
    """
    sentences: list[str] = []
    depth, start = 0, 0
    for index, char in enumerate(text):
        if char in "([{“":
            depth += 1
        elif char in ")]}”" and depth:
            depth -= 1
        if char not in ".?!" or depth:
            continue
        after = text[index + 1 : index + 3]
        if (
            not after.startswith(" ")
            or not after[1:2]
            or not (after[1].isupper() or after[1].isdigit() or after[1] in "“‘\"'[(")
        ):
            continue
        word = re.split(r"[\s(]", text[start:index])[-1]
        if char == "." and (
            (len(word) == 1 and word.isalpha() and word.isupper())
            or "." in word
            or word.lower() in _ABBREVIATIONS
        ):
            continue
        piece = text[start : index + (0 if char == "." else 1)].strip()
        if piece:
            sentences.append(piece)
        start = index + 1
    tail = text[start:].strip().rstrip(".").strip()
    if tail:
        sentences.append(tail)
    return sentences


def parse_names(text: str) -> tuple[RefName, ...]:
    """``Strickler, L., Ainsley, J., and Martinez, D.`` → persons; ``Amnesty International`` →
    one organisation. ``et al.`` becomes biblatex's ``others``."""
    text = text.strip(" ,")
    if not text:
        return ()
    others = re.search(r",?\s*\bet\.?\s+al\.?$", text)
    if others:
        text = text[: others.start()]
    if "," in text:
        parts = [
            p.strip()
            for p in re.split(r"\s*,\s*(?:and\s+|&\s*)?|\s+(?:and|&)\s+", text)
            if p.strip()
        ]
        if len(parts) % 2 == 0 and all(
            _FAMILY.match(parts[i])
            and (_INITIALS.match(parts[i + 1]) or _GIVEN.match(parts[i + 1]))
            for i in range(0, len(parts), 2)
        ):
            names = tuple(RefName(parts[i], parts[i + 1]) for i in range(0, len(parts), 2))
            return names + ((RefName(literal="others"),) if others else ())
    literal = text if re.search(r"\b[A-Z]\.$", text) else text.rstrip(".")
    return (RefName(literal=literal.strip()),) + ((RefName(literal="others"),) if others else ())


def _ordered(fields: dict[str, str]) -> dict[str, str]:
    order = [
        "title", "titleaddon", "date", "journaltitle", "volume", "number", "pages",
        "organization", "institution", "publisher", "location", "howpublished", "url",
        "urldate", "doi", "locator",
    ]  # fmt: skip
    return {name: fields[name] for name in order if fields.get(name)}


# --- Keys, the way Zotero's Better BibTeX makes them ----------------------------------------

_STOPWORDS = frozenset({
    "a", "an", "the", "of", "in", "on", "at", "to", "for", "and", "or", "but", "with", "from",
    "by", "as", "is", "are", "be", "its", "it", "into", "about", "over",
    "el", "la", "los", "las", "de", "del", "y", "en", "un", "una",
    "le", "les", "des", "du", "et", "der", "die", "das", "und",
})  # fmt: skip


def ascii_word(text: str) -> str:
    """Lower-case ASCII letters and digits only: ``Reichlin-Melnick`` → ``reichlinmelnick``."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", plain.lower())


def key_base(reference: ParsedReference) -> str:
    """``authorYEARtitleword``: ``specht2019salvador``; an organisation of three words or more
    by its initials (``hrw``), a shorter one by its first word (``amnesty``)."""
    names = reference.authors or reference.editors
    author = ""
    # A reference that could not be read still gets a key from its first words.
    title = reference.fields.get("title") or (reference.unparsed and reference.source)
    words = [ascii_word(w) for w in re.split(r"[\s:;,.?!/–—-]+", title)]
    significant = [w for w in words if len(w) >= 3 and w not in _STOPWORDS and not w.isdigit()]
    if names:
        first = names[0]
        if first.literal:
            words = [w for w in re.split(r"[\s-]+", first.literal) if w[:1].isupper()]
            author = (
                "".join(ascii_word(w)[:1] for w in words) if len(words) >= 3
                else ascii_word(words[0] if words else first.literal)
            )  # fmt: skip
        else:
            author = ascii_word(first.family)
    if not author and significant:
        # No author (a legal case, an anonymous page): the title's first word stands in.
        author = significant.pop(0)
    word = significant[0] if significant else ""
    base = f"{author}{reference.year}{word}"
    if not base or not base[0].isalpha():
        base = "ref" + base
    return base[:60]
