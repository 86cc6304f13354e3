"""A deterministic benchmark corpus: a complete briefgen project of many briefs and one big
shared bibliography, the shape issue 10 describes ("1,000 briefs … sharing ~600 distinct
sources").

Run: ``python benchmarks/corpus.py OUT_DIR [--briefs 1000] [--entries 20000] [--cited 600]
[--seed 1]``. The same arguments always give the same bytes.

Each brief has five sections (``01-….md`` to ``05-….md``, the first a ``lead``), about 3,000
words in all and about 30 citations: plain ``[@key]``, with a locator (``[@key, p. 12]``,
``[@key, pp. 33--35]``, ``[@key, ch. 3]``), with a prefix (``[see @key]``), groups
(``[@a; @b]``) and a few narrative ``@key``; some keys repeat within a brief. ``_index.md``
carries title, authors (``name`` or ``family``/``given``), a date between 2015 and 2025, a
summary and tags from a small vocabulary.

``references.bib`` holds ``--entries`` entries, as Zotero or Better BibTeX export them: articles
(journal, volume, number, pages, DOI), books (publisher, location, ISBN), reports by corporate
authors in double braces, online sources (URL, access date), chapters (``incollection``) whose
``crossref`` parent is a ``collection``, and theses; names and titles carry LaTeX accents
(``{\\'e}``, ``\\"u``). Briefs cite only ``--cited`` of them, chosen with Zipf-like popularity
(a few sources cited everywhere, most a handful of times), and every one of those at least once
when there are enough citations to go round. The rest are the uncited bulk of a shared library.

Prose comes from a fixed word list, sentence by sentence, so 1,000 briefs take a few seconds.
``strip_citations`` turns the project into Hugo pages (citations removed, Hugo's front matter)
for the comparison in ``benchmarks/build.py``.
"""

from __future__ import annotations

import argparse
import itertools
import random
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

STYLE = "harvard-cite-them-right"
SECTIONS_PER_BRIEF = 5
WORDS_PER_BRIEF = 3000
CITATIONS_PER_BRIEF = 30


def word_list(text: str) -> list[str]:
    """The words of a literal block, in order (repeats weight a word)."""
    return text.split()


# Prose vocabulary: policy-brief words, mostly lower case so any order reads as a sentence.
WORDS = word_list("""
the the the the of of of and and and to to in in a a for on with that is are was were by
as from at this these their its which has have had be been not more than also between
policy policies government governments public state states local regional national federal
housing migration migrants asylum refugees border detention prison prisons incarceration
justice court courts law laws legal rights human health care hospital hospitals education
schools teachers pupils students climate heat energy emissions carbon transport cities
rural urban water food security poverty income wages labour employment unemployment tax
taxes budget spending funding fiscal debt inflation prices markets trade tariffs exports
imports growth investment infrastructure data evidence research survey analysis report
reports estimates trends risk risks impact impacts effect effects outcomes costs benefits
reform reforms programme programmes scheme schemes agency agencies ministry council
parliament election elections voters parties democracy accountability transparency
corruption oversight regulation regulations compliance enforcement standards guidance
households families children women men older people communities workers employers
services service access quality capacity demand supply shortage shortages pressure
increase increased decrease decreased rise rising fall falling growing declining
significant substantial limited modest considerable recent current previous future
new existing proposed early late long short annual monthly average median total
across within among during after before since under over despite through without
suggests shows indicates found finds argues notes reports estimates recommends warns
however moreover furthermore therefore instead meanwhile similarly conversely overall
""")
TITLE_NOUNS = word_list("""
Housing Migration Asylum Detention Prisons Justice Health Education Climate Heat Energy
Transport Water Food Poverty Wages Employment Taxation Budgets Trade Infrastructure
Elections Democracy Corruption Regulation Policing Pensions Childcare Disability Flooding
Air Quality Broadband Procurement Sanctions Aid Security Planning Tenancy Borders
""")
TITLE_ADJECTIVES = word_list("""
Fair Sustainable Local Regional National Rural Urban Public Private Digital Green
Affordable Resilient Open Safe Accountable Inclusive Long-term Emergency Cross-border
""")
PLACES = [
    "El Salvador", "Guatemala", "Honduras", "Mexico", "the United Kingdom", "Wales",
    "Scotland", "Ireland", "France", "Germany", "Spain", "Portugal", "Italy", "Poland",
    "Kenya", "Nigeria", "Ghana", "South Africa", "India", "Bangladesh", "Indonesia",
    "Brazil", "Chile", "Colombia", "Peru", "Canada", "Australia", "the European Union",
    "the United States", "Central America",
]  # fmt: skip
TAGS = [
    "housing", "migration", "human rights", "prisons", "health", "education", "climate",
    "energy", "transport", "labour markets", "public finance", "trade", "democracy",
    "international law", "cities", "inequality",
]  # fmt: skip
LOCATORS = ["p. {n}", "pp. {n}--{m}", "ch. {c}", "para. {c}", "p. {n}", "pp. {n}--{m}"]

# (LaTeX as exported, ASCII for citation keys). Both accent spellings appear, braced and bare.
FAMILIES = [
    ("Smith", "smith"), ("Jones", "jones"), ("Williams", "williams"), ("Brown", "brown"),
    ("Taylor", "taylor"), ("Davies", "davies"), ("Evans", "evans"), ("Wilson", "wilson"),
    ("Thomas", "thomas"), ("Roberts", "roberts"), ("Johnson", "johnson"), ("Lee", "lee"),
    ("Walker", "walker"), ("Wright", "wright"), ("Robinson", "robinson"), ("Hughes", "hughes"),
    ("Okafor", "okafor"), ("Mensah", "mensah"), ("Otieno", "otieno"), ("Banda", "banda"),
    ("Singh", "singh"), ("Patel", "patel"), ("Khan", "khan"), ("Chen", "chen"),
    ("Wang", "wang"), ("Nguyen", "nguyen"), ("Kim", "kim"), ("Tanaka", "tanaka"),
    (r"Garc{\'i}a", "garcia"), (r"Mart{\'i}nez", "martinez"), (r"L{\'o}pez", "lopez"),
    (r"Gonz{\'a}lez", "gonzalez"), (r"Rodr{\'i}guez", "rodriguez"), (r"P{\'e}rez", "perez"),
    (r"Jim{\'e}nez", "jimenez"), (r"Nu{\~n}ez", "nunez"), (r"Ib{\'a}{\~n}ez", "ibanez"),
    (r"M\"uller", "muller"), (r"Sch{\"o}n", "schon"), (r"Br\"uck", "bruck"),
    (r"J{\"a}ger", "jager"), (r"Kov{\'a}cs", "kovacs"), (r"Dvo{\v{r}}{\'a}k", "dvorak"),
    (r"{\O}stergaard", "ostergaard"), (r"Lef{\`e}vre", "lefevre"), (r"Gir{\'e}", "gire"),
    ("Specht", "specht"), ("Batz", "batz"), ("Gil-Bazo", "gilbazo"), ("Blum", "blum"),
]  # fmt: skip
GIVENS = [
    "Ana", "Ben", "Carla", "David", "Elena", "Farid", "Grace", "Hannah", "Ibrahim", "Joan",
    "Kwame", "Laura", "Mei", "Nadia", "Omar", "Priya", "Rosa", "Samuel", "Tomás", "Yuki",
    r"Jos{\'e}", r"Fran{\c{c}}ois", r"J\"org", r"Ren{\'e}e", r"Zo{\"e}", "A.", "D.", "M. J.",
]  # fmt: skip
CORPORATE = [
    "World Health Organization", "Amnesty International", "Human Rights Watch",
    "Office for National Statistics", "United Nations Development Programme",
    "International Monetary Fund", "World Bank", "Organisation for Economic Co-operation and "
    "Development", "Institute for Fiscal Studies", "Joseph Rowntree Foundation",
    "International Organization for Migration", "European Commission",
    "National Audit Office", "Resolution Foundation", r"M{\'e}decins Sans Fronti{\`e}res",
]  # fmt: skip
JOURNALS = [
    "Journal of Public Policy", "Policy Studies", "Journal of Refugee Studies",
    r"Environment and Planning C: Politics and Space", "Health Affairs",
    "Journal of European Public Policy", "Housing Studies", "Criminology {\\&} Criminal Justice",
    "International Migration Review", "Climate Policy", "Fiscal Studies",
    "Latin American Research Review", "Journal of Human Rights Practice", "Urban Studies",
]  # fmt: skip
PUBLISHERS = [
    ("Oxford University Press", "Oxford"), ("Cambridge University Press", "Cambridge"),
    ("Policy Press", "Bristol"), ("Routledge", "London"), ("Zed Books", "London"),
    ("Palgrave Macmillan", "Basingstoke"), ("Verso", "London and New York"),
    ("University of California Press", "Berkeley"), ("Edward Elgar", "Cheltenham"),
]  # fmt: skip
SITES = [
    ("The Conversation", "theconversation.com"), ("BBC News", "www.bbc.co.uk"),
    ("The Guardian", "www.theguardian.com"), ("NPR", "www.npr.org"),
    ("Foreign Policy", "foreignpolicy.com"), ("NACLA", "nacla.org"),
    ("Full Fact", "fullfact.org"), ("Carbon Brief", "www.carbonbrief.org"),
]  # fmt: skip
UNIVERSITIES = [
    "University of Westminster", "University of Oxford", "London School of Economics",
    r"Universit{\'e} de Montr{\'e}al", r"Universit\"at Wien", "University of Nairobi",
]  # fmt: skip


@dataclass(frozen=True, slots=True)
class Corpus:
    """What :func:`generate` wrote, for a caller that wants to check or report it."""

    root: Path
    """The project folder (``pyproject.toml`` at its top)."""
    briefs: tuple[str, ...]
    """Brief slugs, in the order written."""
    entries: int
    """BibTeX entries in ``references.bib`` (collections included)."""
    cited: tuple[str, ...]
    """Distinct keys the briefs cite, most popular first."""
    citations: int
    """Citation groups (``[@…]`` or narrative ``@key``) across all briefs."""


def sentence(rng: random.Random, length: int) -> str:
    """One sentence of ``length`` words from :data:`WORDS`, capitalised, sometimes a place."""
    words = rng.choices(WORDS, k=length)
    if rng.random() < 0.3:
        words[rng.randrange(1, length)] = f"in {rng.choice(PLACES)}"
    if length > 12 and rng.random() < 0.5:
        comma = rng.randrange(4, length - 4)
        words[comma] += ","
    if rng.random() < 0.08:
        emphasised = rng.randrange(1, length)
        words[emphasised] = f"*{words[emphasised].rstrip(',')}*"
    if rng.random() < 0.1:
        words.insert(rng.randrange(1, length), f"{rng.randint(2, 98)}%")
    first = words[0]
    return first[:1].upper() + first[1:] + " " + " ".join(words[1:])


def bib_title(rng: random.Random, low: int = 5, high: int = 11) -> str:
    """A title as exported: sentence words, a braced place, sometimes a subtitle."""
    words = rng.choices(WORDS[60:], k=rng.randint(low, high))
    words[0] = words[0].capitalize()
    words.insert(rng.randrange(1, len(words)), "in {" + rng.choice(PLACES) + "}")
    title = " ".join(words)
    if rng.random() < 0.4:
        title += ": " + " ".join(rng.choices(WORDS[60:], k=rng.randint(2, 5)))
    return title


def isbn(rng: random.Random) -> str:
    """An ISBN-13 shaped number (the check digit is not computed)."""
    group, publisher, title = rng.randint(0, 1), rng.randint(100, 999), rng.randint(10000, 99999)
    return f"978-{group}-{publisher}-{title}-{rng.randint(0, 9)}"


def person(rng: random.Random) -> tuple[str, str]:
    """``Family, Given`` in LaTeX and the ASCII family name for the key."""
    family, ascii_family = rng.choice(FAMILIES)
    return f"{family}, {rng.choice(GIVENS)}", ascii_family


def authors_field(rng: random.Random) -> tuple[str, str]:
    """An ``author`` value of one to four people and the key's name part."""
    people = [person(rng) for _ in range(rng.choices([1, 2, 3, 4], weights=[5, 3, 2, 1])[0])]
    return " and ".join(name for name, _ in people), people[0][1]


def bibliography(rng: random.Random, count: int) -> tuple[list[str], list[str], dict[str, str]]:
    """``count`` BibTeX entries: the text of each, the citable keys, and each chapter's parent.

    About one in thirty is a ``collection``, the crossref parent of some ``incollection``
    entries; parents come last, as BibTeX wants them.
    """
    parents_count = max(1, count // 30) if count >= 10 else 0
    used: set[str] = set()

    def unique(base: str) -> str:
        key = base
        for suffix in itertools.count(1):
            if key not in used:
                break
            key = f"{base}{chr(ord('a') + (suffix - 1) % 26)}{(suffix - 1) // 26 or ''}"
        used.add(key)
        return key

    parents: list[tuple[str, str]] = []
    for _ in range(parents_count):
        editor, ascii_name = authors_field(rng)
        year = rng.randint(1995, 2024)
        publisher, location = rng.choice(PUBLISHERS)
        key = unique(f"{ascii_name}{year}{rng.choice(WORDS[60:])}")
        parents.append((key, "\n".join([
            f"@collection{{{key},",
            f"  editor = {{{editor}}},",
            f"  title = {{{bib_title(rng).capitalize()}}},",
            f"  publisher = {{{publisher}}},",
            f"  location = {{{location}}},",
            f"  date = {{{year}}},",
            f"  isbn = {{{isbn(rng)}}},",
            "}",
        ])))  # fmt: skip
    entries: list[str] = []
    keys: list[str] = []
    chapter_parent: dict[str, str] = {}
    kinds = ["article", "book", "report", "online", "incollection", "thesis"]
    weights = [40, 12, 15, 18, 10 if parents else 0, 5]
    for _ in range(count - parents_count):
        kind = rng.choices(kinds, weights=weights)[0]
        year = rng.randint(1990, 2025)
        corporate = rng.choice(CORPORATE)
        if kind in ("report", "online") and rng.random() < 0.6:
            author = "{" + corporate + "}"
            name = re.sub(r"[^a-z]", "", corporate.lower().replace("{", ""))[:12]
        else:
            author, name = authors_field(rng)
        key = unique(f"{name}{year}{rng.choice(WORDS[60:])}")
        title = bib_title(rng)
        lines = [f"@{kind}{{{key},", f"  author = {{{author}}},", f"  title = {{{title}}},"]
        if kind == "article":
            first = rng.randint(1, 900)
            journal = rng.choice(JOURNALS)
            slug = re.sub(r"[^a-z]", "", journal.lower())[:6]
            lines += [
                f"  journaltitle = {{{journal}}},",
                f"  volume = {{{rng.randint(1, 60)}}},",
                f"  number = {{{rng.randint(1, 12)}}},",
                f"  pages = {{{first}--{first + rng.randint(8, 30)}}},",
                f"  date = {{{year}-{rng.randint(1, 12):02d}}},",
                f"  doi = {{10.{rng.randint(1000, 9999)}/{slug}.{year}.{rng.randint(1, 99999)}}},",
            ]  # fmt: skip
        elif kind == "book":
            publisher, location = rng.choice(PUBLISHERS)
            lines += [
                f"  publisher = {{{publisher}}},",
                f"  location = {{{location}}},",
                f"  date = {{{year}}},",
                f"  isbn = {{{isbn(rng)}}},",
            ]  # fmt: skip
        elif kind == "report":
            lines += [
                f"  institution = {{{corporate}}},",
                f"  number = {{{rng.choice(['WP', 'RR', 'PB'])}-{year}-{rng.randint(1, 99)}}},",
                f"  date = {{{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}}},",
                f"  url = {{https://www.example.org/publications/{year}/{key}.pdf}},",
            ]
        elif kind == "online":
            site, host = rng.choice(SITES)
            slug = "-".join(re.sub(r"[^a-z ]", "", title.lower()).split()[:6])
            lines += [
                f"  organization = {{{site}}},",
                f"  date = {{{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}}},",
                f"  url = {{https://{host}/{year}/{slug}-{rng.randint(100000, 999999)}}},",
                f"  urldate = {{2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}}},",
            ]
        elif kind == "incollection":
            parent = rng.choice(parents)[0]
            chapter_parent[key] = parent
            first = rng.randint(1, 300)
            lines += [f"  crossref = {{{parent}}},", f"  pages = {{{first}--{first + 20}}},"]
        else:  # thesis
            lines += [
                f"  type = {{{rng.choice(['phdthesis', 'mathesis'])}}},",
                f"  institution = {{{rng.choice(UNIVERSITIES)}}},",
                f"  date = {{{year}}},",
            ]
            if rng.random() < 0.5:
                lines.append(f"  url = {{https://ethos.example.ac.uk/{key}}},")
        lines.append("}")
        entries.append("\n".join(lines))
        keys.append(key)
    entries += [text for _, text in parents]
    return entries, keys, chapter_parent


def citation(rng: random.Random, keys: list[str]) -> tuple[str, bool]:
    """One citation group for ``keys`` (one to three) and whether it is narrative."""

    def locator() -> str:
        n = rng.randint(1, 380)
        return rng.choice(LOCATORS).format(n=n, m=n + rng.randint(1, 12), c=rng.randint(1, 14))

    if len(keys) > 1:
        items = [f"@{key}" + (f", {locator()}" if rng.random() < 0.25 else "") for key in keys]
        return "[" + ("see " if rng.random() < 0.3 else "") + "; ".join(items) + "]", False
    key = keys[0]
    roll = rng.random()
    if roll < 0.09:
        return f"@{key}" + (f" [{locator()}]" if rng.random() < 0.3 else ""), True
    if roll < 0.30:
        return f"[@{key}, {locator()}]", False
    if roll < 0.36:
        return f"[see @{key}]", False
    return f"[@{key}]", False


def section_text(
    rng: random.Random, words: int, citations: list[tuple[str, bool]], heading: bool
) -> str:
    """Paragraphs of about ``words`` words with ``citations`` attached to random sentences."""
    sentences: list[str] = []
    total = 0
    while total < words:
        length = rng.randint(9, 27)
        sentences.append(sentence(rng, length))
        total += length
    slots = sorted(rng.sample(range(len(sentences)), min(len(citations), len(sentences))))
    for index, (marker, narrative) in zip(slots, citations, strict=False):
        text = sentences[index]
        if narrative:
            verb = rng.choice(["argues", "shows", "finds", "notes", "warns"])
            sentences[index] = f"As {marker} {verb}, {text[0].lower()}{text[1:]}."
        else:
            sentences[index] = text + rng.choice(["", " "]) + marker + "."
    for index, text in enumerate(sentences):
        if not text.endswith("."):
            sentences[index] = text + "."
    paragraphs: list[str] = []
    start = 0
    while start < len(sentences):
        size = rng.randint(3, 7)
        paragraphs.append(" ".join(sentences[start : start + size]))
        start += size
    if heading and len(paragraphs) > 3:
        at = rng.randrange(2, len(paragraphs))
        heading_text = f"{rng.choice(TITLE_ADJECTIVES)} {rng.choice(TITLE_NOUNS).lower()}"
        paragraphs.insert(at, f"## {heading_text}")
    if rng.random() < 0.3:
        items = [f"- {sentence(rng, rng.randint(5, 12))}." for _ in range(rng.randint(3, 5))]
        paragraphs.insert(rng.randrange(1, len(paragraphs) + 1), "\n".join(items))
    return "\n\n".join(paragraphs) + "\n"


def yaml_string(value: str) -> str:
    """A double-quoted YAML scalar."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def generate(
    out: Path, *, briefs: int = 1000, entries: int = 20000, cited: int = 600, seed: int = 1
) -> Corpus:
    """Write the project into ``out`` (created; existing files of the same name replaced)."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    bib_entries, citable, _ = bibliography(rng, entries)
    cited = min(cited, len(citable))
    popular = rng.sample(citable, cited)  # most popular first
    # Zipf: the source of rank r is cited in proportion to 1/r.
    cumulative = list(itertools.accumulate(1 / rank for rank in range(1, cited + 1)))
    # Every chosen source is cited at least once: source j is owed to brief j mod N.
    owed: list[list[str]] = [[] for _ in range(briefs)]
    for index, key in enumerate(popular):
        owed[index % briefs].append(key)

    (out / "pyproject.toml").write_text(
        "[tool.briefgen]\n"
        'title = "Benchmark briefs"\n'
        'base_url = "https://briefs.example.org/"\n'
        f'style = "{STYLE}"\n'
        "search = false\n",
        encoding="utf-8",
    )
    (out / "references.bib").write_text("\n\n".join(bib_entries) + "\n", encoding="utf-8")
    content = out / "content"
    slugs: list[str] = []
    total_citations = 0
    for number in range(1, briefs + 1):
        topic = rng.choice(TITLE_NOUNS)
        place = rng.choice(PLACES)
        slug = f"b{number:04d}-{topic.lower()}-{re.sub(r'[^a-z]+', '-', place.lower()).strip('-')}"
        slugs.append(slug)
        folder = content / slug
        folder.mkdir(parents=True, exist_ok=True)
        # Citation groups: owed sources first, then Zipf draws; a quarter repeat a key already
        # cited in this brief.
        debt = list(owed[number - 1])
        groups: list[tuple[str, bool]] = []
        seen: list[str] = []
        count = max(CITATIONS_PER_BRIEF + rng.randint(-4, 4), len(debt))
        for _ in range(count):
            size = min(rng.choices([1, 2, 3], weights=[85, 12, 3])[0], cited)
            keys: list[str] = []
            while len(keys) < size:
                if debt:
                    key = debt.pop()
                elif seen and rng.random() < 0.25:
                    key = rng.choice(seen)
                else:
                    key = rng.choices(popular, cum_weights=cumulative)[0]
                if key not in keys:
                    keys.append(key)
                    seen.append(key)
            groups.append(citation(rng, keys))
        total_citations += len(groups)
        people = []
        for _ in range(rng.choices([1, 2, 3], weights=[6, 3, 1])[0]):
            family, _ascii = rng.choice(FAMILIES[:28])  # front matter is UTF-8, no LaTeX
            given = rng.choice(GIVENS[:20])
            if rng.random() < 0.5:
                affiliation = rng.choice(UNIVERSITIES[:3])
                people.append(f"  - name: {given} {family}\n    affiliation: {affiliation}")
            else:
                people.append(f"  - family: {family}\n    given: {given}")
        tags = rng.sample(TAGS, rng.randint(1, 4))
        adjective = rng.choice(TITLE_ADJECTIVES)
        title = f"{adjective} {topic.lower()} in {place}: {sentence(rng, rng.randint(4, 8))}"
        summary = " ".join(sentence(rng, rng.randint(12, 20)) + "." for _ in range(2))
        date = f"{rng.randint(2015, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        (folder / "_index.md").write_text(
            "---\n"
            f"title: {yaml_string(title)}\n"
            "authors:\n" + "\n".join(people) + "\n"
            f"date: {date}\n"
            f"summary: {yaml_string(summary)}\n"
            f"tags: [{', '.join(tags)}]\n"
            "---\n",
            encoding="utf-8",
        )  # fmt: skip
        total_words = rng.randint(2700, 3300)
        shares = [0.5] + [rng.uniform(0.8, 1.2) for _ in range(SECTIONS_PER_BRIEF - 1)]
        words = [round(total_words * share / sum(shares)) for share in shares]
        where = rng.choices(range(SECTIONS_PER_BRIEF), weights=words, k=len(groups))
        names: set[str] = set()
        for index in range(SECTIONS_PER_BRIEF):
            mine = [group for group, at in zip(groups, where, strict=True) if at == index]
            if index == 0:
                head, name = "title: Introduction\nlead: true\n", "lead"
            else:
                heading = f"{rng.choice(TITLE_ADJECTIVES)} {rng.choice(TITLE_NOUNS).lower()}"
                head = f"title: {heading}\n"
                name = re.sub(r"[^a-z]+", "-", heading.lower()).strip("-")
                if name in names:  # a section's slug is its id on the page: one per brief
                    name = f"{name}-{index + 1}"
            names.add(name)
            body = section_text(rng, words[index], mine, heading=index > 0)
            (folder / f"{index + 1:02d}-{name}.md").write_text(
                f"---\n{head}---\n\n{body}", encoding="utf-8"
            )
    return Corpus(out, tuple(slugs), len(bib_entries), tuple(popular), total_citations)


def split_front_matter(text: str) -> tuple[dict[str, object], str]:
    """A Markdown file's YAML front matter and its body."""
    if not text.startswith("---\n"):
        return {}, text
    front, body = text[4:].split("\n---\n", 1)
    return yaml.safe_load(front) or {}, body


def brief_markdown(brief: Path) -> tuple[dict[str, object], str]:
    """A brief's front matter and its sections joined into one Markdown body (citations kept):
    each section under a ``##`` heading with its title, except a ``lead``."""
    front, _ = split_front_matter((brief / "_index.md").read_text(encoding="utf-8"))
    parts: list[str] = []
    for path in sorted(brief.glob("[0-9]*.md")):
        meta, body = split_front_matter(path.read_text(encoding="utf-8"))
        # Headings inside a section rank below its title.
        body = re.sub(r"^## ", "### ", body, flags=re.MULTILINE)
        parts.append(body if meta.get("lead") else f"## {meta['title']}\n\n{body}")
    return front, "\n\n".join(part.strip() for part in parts) + "\n"


# A bracketed group holding at least one @key, with its leading space; then a narrative @key
# (with an optional [locator]) where a word starts.
BRACKETED = re.compile(r" ?\[[^\[\]]*@[^\[\]]*\]")
NARRATIVE = re.compile(r"(?<![\w@])@[\w:.#$%&\-+?<>~/]*\w(?: \[[^\[\]]*\])?")


def strip_citations(project: Path) -> dict[str, str]:
    """Each brief of ``project`` as one Hugo page, ``{"<slug>.md": text}``: sections joined,
    citations removed (a narrative ``@key`` becomes "the source"), front matter in Hugo's
    terms (``title``, ``date``, ``summary``, ``tags``; authors under ``params``)."""
    pages: dict[str, str] = {}
    for brief in sorted(p for p in (project / "content").iterdir() if p.is_dir()):
        front, body = brief_markdown(brief)
        body = NARRATIVE.sub("the source", BRACKETED.sub("", body))
        authors = [
            str(a.get("name") or f"{a.get('given', '')} {a.get('family', '')}".strip())
            for a in front.get("authors", [])  # type: ignore[attr-defined]
        ]
        hugo_front = {
            "title": front["title"],
            "date": str(front["date"]),
            "summary": front.get("summary", ""),
            "tags": front.get("tags", []),
            "params": {"authors": authors},
        }
        dumped = yaml.safe_dump(hugo_front, allow_unicode=True, sort_keys=False, width=1000)
        pages[f"{brief.name}.md"] = f"---\n{dumped}---\n\n{body}"
    return pages


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder to write the project into")
    parser.add_argument("--briefs", type=int, default=1000)
    parser.add_argument("--entries", type=int, default=20000, help="BibTeX entries")
    parser.add_argument("--cited", type=int, default=600, help="distinct sources the briefs cite")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    corpus = generate(
        args.out, briefs=args.briefs, entries=args.entries, cited=args.cited, seed=args.seed
    )
    print(
        f"{args.out}: {len(corpus.briefs)} briefs, {corpus.citations} citations of "
        f"{len(corpus.cited)} distinct sources, {corpus.entries} BibTeX entries "
        f"({time.perf_counter() - started:.1f} s)",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
