"""Ingest a source's partitions side by side, in as many processes as there are cores.

Each partition is independent (its own files, its own lake folder, swapped in whole), so a
backfill of forty quarters reads them on every core instead of one: parsing a workbook,
scanning its XML and validating it hold the GIL, so threads would not help. Workers are
started fresh (``spawn``), never forked from the calling process, which may hold threads
(Dagster's, pyarrow's), and they exit with the pool: a ``forkserver`` would save nothing
here (one worker per spare core imports once either way) and would stay resident, holding
pandas, for the rest of the run. The calling process reads partitions too while the
workers import (a second or two). Small inputs (the sample) stay in this process.

Results come back in key order with their ledger only: the rows are in the lake.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from succession.ingest.framework import PartitionResult, ensure_lake_schema, ingest_partition
from succession.sources import sources

# below this many files the pool's start (importing pandas and pandera: ~2 s) costs more than it
# saves (measured: benchmarks/PROFILE.md)
MIN_FILES_FOR_WORKERS = 1000


def default_workers() -> int:
    """One process per core this process may use (the calling process is one of them)."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def _ingest(source, key: str, files: list[Path], raw_dir: Path, lake_dir: Path, run_id: str) -> PartitionResult:
    result = ingest_partition(source, key, files, raw_dir=raw_dir, lake_dir=lake_dir, run_id=run_id, write_schema=False)
    return PartitionResult(result.source, result.partition, result.files, {}, unchanged=result.unchanged)


def _ingest_named(source_name: str, *args) -> PartitionResult:
    return _ingest(sources()[source_name], *args)


def ingest_partitions(
    source,
    parts: Mapping[str, list[Path]],
    keys: list[str],
    *,
    raw_dir: Path,
    lake_dir: Path,
    run_id: str,
    workers: int | None = None,
) -> Iterator[PartitionResult]:
    """`ingest_partition` for each key (its files from ``parts``), results in key order; in
    ``workers`` processes (default one per core, this one included) when there are enough files
    to pay for them."""
    workers = min(workers or default_workers(), len(keys))
    files = sum(len(parts.get(k, [])) for k in keys)
    if workers < 2 or files < MIN_FILES_FOR_WORKERS:
        for key in keys:
            yield ingest_partition(source, key, parts.get(key, []), raw_dir=raw_dir, lake_dir=lake_dir, run_id=run_id)
        return
    context = multiprocessing.get_context("spawn")
    # the schema-only files are shared by every partition: written once, here, not raced by workers
    ensure_lake_schema(source, lake_dir)
    done: dict[str, PartitionResult] = {}
    with ProcessPoolExecutor(max_workers=workers - 1, mp_context=context) as pool:
        args = {key: (key, parts.get(key, []), raw_dir, lake_dir, run_id) for key in keys}
        futures = {key: pool.submit(_ingest_named, source.name, *args[key]) for key in keys}
        # the pool works from the front of the queue; this process, from the back, takes what
        # no worker has taken yet (which covers the second or two the workers take to import)
        for key in reversed(keys):
            if not futures[key].cancel():
                break  # taken by a worker, and so is every key before it
            done[key] = _ingest(source, *args[key])
        for key in keys:
            if key not in done:
                done[key] = futures[key].result()
    for key in keys:
        yield done[key]
