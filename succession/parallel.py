"""Independent pieces of work on every core: this process and fresh worker processes.

Used where the work holds the GIL (parsing workbooks, HiGHS's solver called from Python)
so threads would not help, and is big enough to pay for starting workers (its callers'
thresholds). Workers are started fresh (``spawn``), never forked from the calling process,
which may hold threads (Dagster's, pyarrow's), and they exit with the pool: a
``forkserver`` would save nothing (one worker per spare core imports once either way) and
would stay resident for the rest of the run. The calling process works too: it takes
items from the back of the queue while the workers import, until it meets one a worker
has taken. `runs_within` splits work into consecutive runs of bounded size (a worker's
share, or a batch bounded for memory).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


def default_workers() -> int:
    """One process per core this process may use (the calling process is one of them)."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def map_on_cores(fn: Callable[[Item], Result], items: Sequence[Item], workers: int | None = None) -> list[Result]:
    """``[fn(item) for item in items]``, in ``workers`` processes (default one per core, this
    one included). ``fn`` and the items are pickled to the workers: a module-level function
    (or a ``functools.partial`` of one) and plain data."""
    workers = min(workers or default_workers(), len(items))
    if workers < 2:
        return [fn(item) for item in items]
    done: dict[int, Result] = {}
    with ProcessPoolExecutor(max_workers=workers - 1, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [pool.submit(fn, item) for item in items]
        # the pool works from the front of the queue; this process, from the back, takes what no
        # worker has taken yet (which covers the second or two the workers take to import)
        for i in reversed(range(len(items))):
            if not futures[i].cancel():
                break  # taken by a worker, and so is every item before it
            done[i] = fn(items[i])
        return [done[i] if i in done else futures[i].result() for i in range(len(items))]


def runs_within(items: Sequence[Item], weight: Callable[[Item], int], limit: int | None) -> list[list[Item]]:
    """The items in order, in consecutive runs whose weights add up to at most ``limit`` (an
    item heavier than that is a run alone; None: one run)."""
    if limit is None:
        return [list(items)] if items else []
    runs: list[list[Item]] = []
    total = 0
    for item in items:
        if not runs or (runs[-1] and total + weight(item) > limit):
            runs.append([])
            total = 0
        runs[-1].append(item)
        total += weight(item)
    return runs
