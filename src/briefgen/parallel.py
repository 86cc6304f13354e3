"""Per-brief work spread over worker processes, results back in order.

Workers are forked, so they start with everything the build has read (a bibliography of
twenty thousand entries is shared, not pickled); only each item's number goes out and its
result comes back. Where there is no ``fork``, or the process runs other threads (forking
could copy a lock one of them holds), or too few items to pay for starting workers, the work
stays in the calling process.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

__all__ = ["MINIMUM", "cores", "forked_map", "pays"]

Item = TypeVar("Item")
Result = TypeVar("Result")

MINIMUM = 8
"""Fewer items than this are done in the calling process: starting workers costs more."""


def cores() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def pays(items: int, jobs: int) -> bool:
    """Whether ``items`` pieces of work are worth ``jobs`` forked workers here and now."""
    import multiprocessing
    import threading

    return (
        min(jobs, items) > 1
        and items >= MINIMUM
        and "fork" in multiprocessing.get_all_start_methods()
        and threading.active_count() == 1
    )


_WORK: tuple[Callable[[Any], Any], Sequence[Any]] | None = None
"""The running map's function and items, inherited by its forked workers."""


def _run(index: int) -> Any:
    assert _WORK is not None
    work, items = _WORK
    return work(items[index])


def forked_map(
    work: Callable[[Item], Result], items: Sequence[Item], jobs: int
) -> Iterator[Result]:
    """``work`` applied to each item in ``jobs`` forked workers, the results in ``items``'
    order as they come (check :func:`pays` first)."""
    import gc
    import multiprocessing

    global _WORK
    _WORK = (work, items)
    # Objects that exist now are never collected in the workers: their pages stay shared.
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(min(jobs, len(items))) as pool:
            chunk = max(1, min(16, len(items) // (jobs * 8)))
            yield from pool.imap(_run, range(len(items)), chunksize=chunk)
    finally:
        _WORK = None
        gc.unfreeze()
