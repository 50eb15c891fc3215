"""The lake: validated rows as Parquet, ``lake/<source>/<partition>/<table>.parquet``.

Ingestion writes here and nothing else; dbt reads it (the single writer of the
DuckDB file). A partition is replaced as a whole: written to ``lake/.tmp`` first,
then swapped in with renames, so a run killed mid-write leaves the previous
partition (or, at worst, a ``.old`` copy that the next write restores).
Every source table also has ``lake/<source>/_empty/<table>.parquet``, a schema-only
file, so dbt's glob always matches even before the first file of a source arrives.

The lake holds pseudonymised personal data: every folder it makes is owner-only (0700)
and every file owner-only (0600), whatever the process umask.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from succession.periods import period_key

EMPTY_PARTITION = "_empty"


PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def private_dirs(path: Path, top: Path) -> None:
    """Make ``path`` and its parents up to and including ``top`` owner-only folders."""
    path, top = Path(path), Path(top)
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    for folder in (path, *path.parents):
        os.chmod(folder, PRIVATE_DIR)
        if folder == top:
            break


def partition_dir(lake_dir: Path, source: str, partition: str) -> Path:
    return Path(lake_dir) / source / period_key(partition)


def _write_table(df: pd.DataFrame, path: Path) -> None:
    table = pa.Table.from_pandas(df, preserve_index=False)
    # No pandas metadata: the file's bytes depend only on the rows.
    table = table.replace_schema_metadata(None)
    pq.write_table(table, path, compression="zstd")
    os.chmod(path, PRIVATE_FILE)


def write_partition(lake_dir: Path, source: str, partition: str, tables: dict[str, pd.DataFrame]) -> Path:
    """Replace one partition of a source with ``tables`` (all of them, even when empty)."""
    lake_dir = Path(lake_dir)
    final = partition_dir(lake_dir, source, partition)
    tmp = lake_dir / ".tmp" / f"{source}-{final.name}-{uuid.uuid4().hex[:8]}"
    private_dirs(tmp, lake_dir)
    for name, df in tables.items():
        _write_table(df, tmp / f"{name}.parquet")
    private_dirs(final.parent, lake_dir)
    old = final.with_name(f".{final.name}.old")
    if old.exists() and not final.exists():
        old.rename(final)  # a previous swap was interrupted: restore before replacing
    if old.exists():
        shutil.rmtree(old)
    if final.exists():
        final.rename(old)
    os.replace(tmp, final)
    if old.exists():
        shutil.rmtree(old)
    return final


def remove_partition(lake_dir: Path, source: str, partition: str) -> None:
    target = partition_dir(lake_dir, source, partition)
    if target.exists():
        shutil.rmtree(target)


def read_partition_table(lake_dir: Path, source: str, partition: str, table: str) -> pd.DataFrame | None:
    path = partition_dir(lake_dir, source, partition) / f"{table}.parquet"
    return pd.read_parquet(path) if path.exists() else None


def ensure_empty_tables(lake_dir: Path, source: str, tables: dict[str, pd.DataFrame]) -> None:
    """Write the schema-only ``_empty`` partition for each table of a source."""
    target = partition_dir(lake_dir, source, EMPTY_PARTITION)
    private_dirs(target, lake_dir)
    for name, df in tables.items():
        path = target / f"{name}.parquet"
        tmp = path.with_suffix(".parquet.tmp")
        _write_table(df.iloc[0:0], tmp)
        if path.exists() and path.read_bytes() == tmp.read_bytes():
            tmp.unlink()  # unchanged: keep the file (and its mtime, which says "nothing changed")
        else:
            os.replace(tmp, path)


def partitions(lake_dir: Path, source: str) -> list[str]:
    root = Path(lake_dir) / source
    if not root.exists():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
