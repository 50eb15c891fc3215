"""Issue 15: at scale a source's partitions are read in worker processes
(`succession.ingest.workers`). The lake they write must be the lake one process writes:
same tables, same rows, same ledger (bar the load time), and a bad file is quarantined
the same way, in its own partition only."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from succession.ingest import lake
from succession.ingest import lineage as L
from succession.ingest import workers as W
from succession.ingest.hr_returns import SOURCE
from succession.paths import PROJECT_DIR

SAMPLE = PROJECT_DIR / "raw"


def _lake(raw: Path, lake_dir: Path, workers: int) -> list:
    parts = SOURCE.discover(raw)
    return list(
        W.ingest_partitions(SOURCE, parts, sorted(parts), raw_dir=raw, lake_dir=lake_dir, run_id="r", workers=workers)
    )


def _tables(lake_dir: Path) -> dict[str, pd.DataFrame]:
    out = {}
    for path in sorted((lake_dir / SOURCE.name).glob("*/*.parquet")):
        df = pd.read_parquet(path)
        out[str(path.relative_to(lake_dir))] = df.drop(columns=[L.LOADED_AT, "loaded_at"], errors="ignore")
    return out


@pytest.fixture(scope="module")
def raw_with_a_bad_file(tmp_path_factory) -> Path:
    raw = tmp_path_factory.mktemp("raw")
    shutil.copytree(SAMPLE / "hr_returns", raw / "hr_returns")
    bad = sorted((raw / "hr_returns" / "2024-25_Q2").glob("*.xlsx"))[0]
    bad.write_bytes(b"PK\x03\x04 not a workbook")
    return raw


def test_workers_write_the_lake_one_process_writes(raw_with_a_bad_file, tmp_path, monkeypatch):
    monkeypatch.setattr(W, "MIN_FILES_FOR_WORKERS", 0)  # the sample is below the threshold
    one = _lake(raw_with_a_bad_file, tmp_path / "one", workers=1)
    two = _lake(raw_with_a_bad_file, tmp_path / "two", workers=2)  # who does what: tests/test_parallel.py

    assert [r.partition for r in two] == [r.partition for r in one] == sorted(SOURCE.discover(raw_with_a_bad_file))
    assert all(r.tables == {} for r in two)  # the rows stay in the lake
    for a, b in zip(one, two, strict=True):
        assert_frame_equal(a.files.drop(columns="loaded_at"), b.files.drop(columns="loaded_at"))
    quarantined = [r.partition for r in two if (r.files["status"] == "quarantined").any()]
    assert quarantined == ["2024-25 Q2"]

    left, right = _tables(tmp_path / "one"), _tables(tmp_path / "two")
    assert left.keys() == right.keys() and len(left) > 8
    for name in left:
        assert_frame_equal(left[name], right[name], obj=name)
    assert lake.partitions(tmp_path / "two", SOURCE.name) == lake.partitions(tmp_path / "one", SOURCE.name)


def test_small_inputs_stay_in_this_process(monkeypatch, tmp_path):
    def no_pool(*args, **kwargs):
        raise AssertionError("a pool was started for the sample")

    monkeypatch.setattr(W, "map_on_cores", no_pool)
    results = _lake(SAMPLE, tmp_path / "lake", workers=2)
    assert results and any(r.tables for r in results)
