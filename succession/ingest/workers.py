"""Ingest a source's partitions side by side, in as many processes as there are cores.

Each partition is independent (its own files, its own lake folder, swapped in whole), so a
backfill of forty quarters reads them on every core instead of one: parsing a workbook,
scanning its XML and validating it hold the GIL, so threads would not help
(``succession.parallel``: fresh worker processes, the calling process working too). Small
inputs (the sample) stay in this process.

Results come back in key order with their ledger only: the rows are in the lake.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import partial
from pathlib import Path

from succession.ingest.framework import PartitionResult, ensure_lake_schema, ingest_partition
from succession.parallel import default_workers, map_on_cores
from succession.sources import sources

# below this many files the pool's start (importing pandas and pandera: ~2 s) costs more than it
# saves (measured: benchmarks/PROFILE.md)
MIN_FILES_FOR_WORKERS = 1000


def _ingest(key_files: tuple[str, list[Path]], source_name: str, raw_dir: Path, lake_dir: Path, run_id: str):
    key, files = key_files
    result = ingest_partition(
        sources()[source_name], key, files, raw_dir=raw_dir, lake_dir=lake_dir, run_id=run_id, write_schema=False
    )
    return PartitionResult(result.source, result.partition, result.files, {}, unchanged=result.unchanged)


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
    # the schema-only files are shared by every partition: written once, here, not raced by workers
    ensure_lake_schema(source, lake_dir)
    ingest = partial(_ingest, source_name=source.name, raw_dir=raw_dir, lake_dir=lake_dir, run_id=run_id)
    yield from map_on_cores(ingest, [(key, parts.get(key, [])) for key in keys], workers)
