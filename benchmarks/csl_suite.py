"""Run the CSL processor test-suite through citeproc-py, alone and with our fixes.

Run: ``python benchmarks/csl_suite.py [--suite DIR] [--categories] [--failures FILE]``.
Prints the number of fixtures, the passes with citeproc-py alone and with
``briefgen.format.fixes``, and with ``--categories`` a table per fixture-name prefix.
``tests/format/test_csl_suite.py`` uses the same runner (it loads this file).

How a fixture is run (as citeproc-py's own ``tests/citeproc-test.py`` does):

- ``CITATION-ITEMS``: one citation per list, cited in order; ``CITATIONS``: one citation per
  cluster, cited in order. A cluster list that inserts a cluster before others (its
  ``citationsPre``/``citationsPost`` is not "everything so far"/nothing) needs an API
  citeproc-py does not have: such fixtures are reported as ``unsupported``, a failure.
- Otherwise each item is cited once, in one citation.
- Bibliography mode wraps the entries as citeproc-js does:
  ``<div class="csl-bib-body">`` and one ``  <div class="csl-entry">…</div>`` line per entry.

What the comparison normalises, and nothing else:

- surrounding blank lines of the expected RESULT section (the fixture format's padding);
- the entity spelling of ``&``, ``<`` and ``>``: citeproc-js writes ``&#38;``, ``&#60;``,
  ``&#62;``, Python's ``html.escape`` ``&amp;``, ``&lt;``, ``&gt;`` (same characters);
- in ``CITATIONS`` fixtures, the ``>>``/``..`` marker before each ``[n]``: citeproc-js marks the
  clusters its last incremental update changed, which citeproc-py (no incremental API) cannot
  report; the text of every cluster is still compared.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
import multiprocessing
import re
import signal
import sys
import time
import warnings
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SUITE = Path("/work/shared/csl-test-suite/humans")
TIME_LIMIT = 5.0  # seconds per fixture; a fixture that takes longer fails as "timeout"

FAILURES_HEADER = (
    "# Fixtures of the CSL test-suite that fail with citeproc-py 0.11.1 and briefgen.format.fixes.",
    "# tests/format/test_csl_suite.py fails if this list and the failures differ in either"
    " direction.",
    "# Regenerate: python benchmarks/csl_suite.py --failures"
    " tests/format/csl_suite_known_failures.txt",
)
_SECTION = re.compile(
    r"^>>=+\s*([A-Z-]+)\s*=+>>[ \t]*\n(.*?)\n<<=+\s*\1\s*=+<<", re.MULTILINE | re.DOTALL
)
_MARKER = re.compile(r"^(?:>>|\.\.)\[(\d+)\] ", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of running one fixture."""

    name: str
    """Fixture file name without ``.txt``."""
    status: str
    """``pass``, ``fail``, ``error``, ``timeout`` or ``unsupported``."""
    detail: str = ""
    """Our output (for ``fail``) or the exception (for ``error``)."""

    @property
    def passed(self) -> bool:
        return self.status == "pass"


def parse_fixture(path: Path) -> dict[str, str]:
    """Sections of a fixture file: upper-case section name → its text."""
    return {name: body for name, body in _SECTION.findall(path.read_text(encoding="utf-8"))}


def fixture_paths(suite: Path = SUITE) -> list[Path]:
    """Every fixture of the suite (``humans/*.txt``), sorted by name."""
    return sorted(suite.glob("*.txt"))


class _Timeout(Exception):
    pass


def _on_alarm(signum: int, frame: Any) -> None:
    raise _Timeout


def normalise(text: str) -> str:
    """The comparison form of an expected or actual result (see the module docstring)."""
    text = text.strip("\n")
    text = text.replace("&amp;", "&#38;").replace("&lt;", "&#60;").replace("&gt;", "&#62;")
    return _MARKER.sub(r"..[\1] ", text)


def run_fixture(path: Path, *, with_fixes: bool, time_limit: float = TIME_LIMIT) -> Outcome:
    """Run one fixture with or without our fixes, within ``time_limit`` seconds."""
    from briefgen.format.fixes import apply_fixes, revert_fixes

    apply_fixes() if with_fixes else revert_fixes()
    name = path.stem
    sections = parse_fixture(path)
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, time_limit)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            actual = _render(sections)
    except _Timeout:
        return Outcome(name, "timeout")
    except _Unsupported as exc:
        return Outcome(name, "unsupported", str(exc))
    except Exception as exc:
        return Outcome(name, "error", f"{type(exc).__name__}: {exc}")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    if normalise(actual) == normalise(sections.get("RESULT", "")):
        return Outcome(name, "pass")
    return Outcome(name, "fail", actual)


class _Unsupported(Exception):
    pass


def _render(sections: dict[str, str]) -> str:
    from citeproc import Citation, CitationStylesBibliography, CitationStylesStyle
    from citeproc.source.json import CiteProcJSON

    mode = sections.get("MODE", "").strip()
    if mode not in ("citation", "bibliography"):
        raise _Unsupported(f"mode {mode!r}")
    style = CitationStylesStyle(io.BytesIO(sections["CSL"].encode()), validate=False)
    references = json.loads(sections["INPUT"])
    for number, reference in enumerate(references):
        reference.setdefault("id", number)
        reference.setdefault("type", "book")
    bibliography = CitationStylesBibliography(style, CiteProcJSON(references))

    clusters: list[Any] = []
    if "CITATION-ITEMS" in sections:
        for items in json.loads(sections["CITATION-ITEMS"]):
            clusters.append(Citation([_citation_item(item) for item in items]))
    elif "CITATIONS" in sections:
        seen: list[str] = []
        for cluster, before, after in json.loads(sections["CITATIONS"]):
            if [pair[0] for pair in before] != seen or after:
                raise _Unsupported("a cluster inserted before others")
            seen.append(cluster["citationID"])
            citation = Citation([_citation_item(item) for item in cluster["citationItems"]])
            citation.key = cluster["citationID"]
            citation.note_index = cluster.get("properties", {}).get("noteIndex", 0)
            clusters.append(citation)
    else:
        clusters.append(Citation([_citation_item({"id": ref["id"]}) for ref in references]))
    for citation in clusters:
        bibliography.register(citation)
    if style.has_bibliography():
        bibliography.sort()

    if mode == "bibliography":
        entries = [f'  <div class="csl-entry">{entry}</div>' for entry in
                   bibliography.bibliography()]
        return "\n".join(['<div class="csl-bib-body">', *entries, "</div>"])
    lines = [str(bibliography.cite(citation, lambda item: None)) for citation in clusters]
    if "CITATIONS" in sections:
        lines = [f"..[{number}] {line}" for number, line in enumerate(lines)]
    return "\n".join(lines)


def _citation_item(data: dict[str, Any]) -> Any:
    from citeproc import CitationItem
    from citeproc.source import Locator

    options: dict[str, Any] = {}
    for key, value in data.items():
        if key in ("id", "label"):
            continue
        if key == "locator":
            options["locator"] = Locator(data.get("label", "page"), value)
        else:
            options[key.replace("-", "_")] = value
    return CitationItem(str(data["id"]), **options)


def _run_one(args: tuple[Path, bool]) -> Outcome:
    return run_fixture(args[0], with_fixes=args[1])


def run_suite(
    paths: Iterable[Path], *, with_fixes: bool, workers: int | None = None
) -> list[Outcome]:
    """Run every fixture in a pool of worker processes; outcomes in the order of ``paths``.

    The workers are spawned, not forked, so they start from citeproc-py as installed: a caller
    that patched citeproc-py in other ways (briefgen's engine does) does not leak into them.
    """
    jobs = [(path, with_fixes) for path in paths]
    # A spawned worker imports this module by name, with the parent's sys.path: let it find it.
    here = str(Path(__file__).parent)
    added = here not in sys.path
    if added:
        sys.path.append(here)
    try:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            return list(pool.map(_run_one, jobs, chunksize=8))
    finally:
        if added:
            sys.path.remove(here)


def category(name: str) -> str:
    """The fixture's category: the prefix of its name before the first underscore."""
    return name.split("_", 1)[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--suite", type=Path, default=SUITE, help="folder of fixture files")
    parser.add_argument("--categories", action="store_true", help="print a table per category")
    parser.add_argument("--failures", type=Path, help="write the failing fixtures (with fixes)")
    parser.add_argument("--only", help="run the fixtures whose name contains this")
    parser.add_argument("--show", action="store_true", help="print each failure's output")
    args = parser.parse_args(argv)
    if importlib.util.find_spec("briefgen") is None:  # not installed: run from the checkout
        sys.path.insert(0, str(REPO / "src"))

    paths = [p for p in fixture_paths(args.suite) if not args.only or args.only in p.stem]
    started = time.perf_counter()
    alone = run_suite(paths, with_fixes=False)
    fixed = run_suite(paths, with_fixes=True)
    elapsed = time.perf_counter() - started
    total = len(paths)
    passes_alone = sum(outcome.passed for outcome in alone)
    passes_fixed = sum(outcome.passed for outcome in fixed)
    print(f"fixtures: {total}  ({args.suite})")
    print(f"citeproc-py alone:      {passes_alone:4} passes ({passes_alone / total:.1%})")
    print(f"citeproc-py with fixes: {passes_fixed:4} passes ({passes_fixed / total:.1%})")
    statuses = Counter(outcome.status for outcome in fixed if not outcome.passed)
    print("failures with fixes by kind:", dict(sorted(statuses.items())))
    newly_broken = [a.name for a, f in zip(alone, fixed, strict=True) if a.passed and not f.passed]
    if newly_broken:
        print("passing alone but failing with fixes:", " ".join(newly_broken))
    print(f"(both runs: {elapsed:.1f} s)")
    if args.categories:
        table: dict[str, list[int]] = {}
        for a, f in zip(alone, fixed, strict=True):
            row = table.setdefault(category(a.name), [0, 0, 0])
            row[0] += 1
            row[1] += a.passed
            row[2] += f.passed
        print(f"\n{'category':<16}{'total':>6}{'alone':>7}{'fixed':>7}")
        for name, (count, a_passes, f_passes) in sorted(table.items()):
            print(f"{name:<16}{count:>6}{a_passes:>7}{f_passes:>7}")
    if args.show:
        for outcome in fixed:
            if not outcome.passed:
                print(f"\n### {outcome.name} [{outcome.status}]\n{outcome.detail}")
    if args.failures:
        lines = [*FAILURES_HEADER]
        for outcome in fixed:
            if outcome.status == "fail":
                lines.append(outcome.name)
            elif not outcome.passed:
                reason = f"{outcome.status}: {outcome.detail}" if outcome.detail else outcome.status
                lines.append(f"{outcome.name}  # {reason}")
        args.failures.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
