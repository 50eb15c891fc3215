"""Issue 6: personal data never passes ingestion; concurrent runs queue; a killed run
leaves the warehouse as it was and the next run gives the same figures."""

from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest
from python_calamine import CalamineWorkbook

from contracts.hr_return import ABOUT_FIELDS, ABOUT_SHEET
from succession.ingest.lineage import sha256_file


def _personal_values(raw: Path) -> set[str]:
    """Every personal value in the raw files: contacts on returns; survey IPs, e-mails, names, ids."""
    values: set[str] = set()
    personal_cells = [f.cell for f in ABOUT_FIELDS if f.personal]
    for wb_path in (raw / "hr_returns").rglob("*.xlsx"):
        rows = CalamineWorkbook.from_path(str(wb_path)).get_sheet_by_name(ABOUT_SHEET).to_python()
        for cell in personal_cells:
            r, c = int(cell[1:]) - 1, ord(cell[0]) - 65
            if r < len(rows) and c < len(rows[r]) and str(rows[r][c]).strip():
                values.add(str(rows[r][c]).strip())
    for export in (raw / "survey").rglob("*.csv"):
        with open(export, newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f)
            header = next(reader)
            next(reader, None)
            idx = {h: i for i, h in enumerate(header)}
            for row in reader:
                for col in ("IP Address", "Email Address", "Respondent ID", "RespondentID"):
                    if col in idx and idx[col] < len(row) and len(row[idx[col]].strip()) >= 7:
                        values.add(row[idx[col]].strip())
                first, last = idx.get("First Name"), idx.get("Last Name")
                if first is not None and last is not None and row[first].strip() and row[last].strip():
                    values.add(f"{row[first].strip()} {row[last].strip()}")
    return values


def _texts_under(build: Path):
    for path in sorted(build.rglob("*")):
        if not path.is_file() or path.name.endswith((".lock", ".msgpack")):
            continue
        if path.suffix == ".duckdb":
            continue  # scanned table by table below
        if path.suffix == ".parquet":
            with duckdb.connect() as con:
                yield (
                    path,
                    "\n".join(
                        str(v) for row in con.execute(f"select * from read_parquet('{path}')").fetchall() for v in row
                    ),
                )
        elif path.suffix == ".pdf" and shutil.which("pdftotext"):
            yield path, subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
        else:
            yield path, path.read_bytes().decode("utf-8", errors="ignore")


def test_no_personal_data_in_warehouse_or_build(sample_build, warehouse):
    pii = _personal_values(sample_build.raw_dir)
    assert len(pii) > 30  # the sample does carry contacts, e-mails, IPs and names to drop
    leaks = []
    tables = warehouse.execute(
        "select table_schema, table_name from information_schema.tables where table_schema not in ('information_schema', 'pg_catalog')"
    ).fetchall()
    for schema, table in tables:
        if (schema, table) == ("audit", "fct_files") or table.endswith("__files"):
            continue  # quarantine metadata may quote a bad cell back to its sender
        cols = [
            r[0]
            for r in warehouse.execute(
                "select column_name from information_schema.columns where table_schema = ? and table_name = ? and data_type = 'VARCHAR'",
                [schema, table],
            ).fetchall()
        ]
        if not cols:
            continue
        text = "\n".join(
            str(v)
            for row in warehouse.execute(
                f'select {", ".join(chr(34) + c + chr(34) for c in cols)} from "{schema}"."{table}"'
            ).fetchall()
            for v in row
        )
        leaks += [(f"{schema}.{table}", v) for v in pii if v in text]
    for path, text in _texts_under(sample_build.build_dir):
        leaks += [(str(path.relative_to(sample_build.build_dir)), v) for v in pii if v in text]
    assert not leaks, leaks[:10]


def _run_cli(raw: Path, build: Path, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "succession.cli", "run", "--raw-dir", str(raw), "--out", str(build), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        start_new_session=True,
    )


@pytest.fixture(scope="module")
def killed_then_two_at_once(sample_build, tmp_path_factory) -> SimpleNamespace:
    """On a copy of the session build: a run killed while dbt builds the new warehouse copy,
    then two runs started at once on that folder (one redoes the warehouse, the other queues
    behind it). One sequence for the two tests below; each checks its own part of it."""
    build = tmp_path_factory.mktemp("killed") / "build"
    shutil.copytree(sample_build.build_dir, build, ignore=shutil.ignore_patterns(".writer.lock"))
    # without the record of what the warehouse was built from, the run must rebuild it all
    # (otherwise nothing changed and the warehouse build is rightly skipped)
    (build / "warehouse.inputs.json").unlink()
    before = sha256_file(build / "warehouse.duckdb")
    victim = _run_cli(sample_build.raw_dir, build, "--quiet")
    deadline = time.monotonic() + 300
    # kill it while dbt is building the new warehouse copy
    while time.monotonic() < deadline and not any((build / ".work").glob("warehouse*.duckdb")):
        time.sleep(0.2)
    time.sleep(2)
    os.killpg(victim.pid, signal.SIGKILL)
    victim.wait(timeout=60)
    reached_dbt = any((build / ".work").glob("warehouse*.duckdb"))
    after_kill = sha256_file(build / "warehouse.duckdb")
    with duckdb.connect(str(build / "warehouse.duckdb"), read_only=True) as con:
        figures_after_kill = con.execute("select count(*) from audit.fct_figures").fetchone()[0]
    first = _run_cli(sample_build.raw_dir, build, "--period", "2024-25 Q4")
    time.sleep(0.5)
    second = _run_cli(sample_build.raw_dir, build, "--period", "2024-25 Q4")
    outs = [proc.communicate(timeout=900)[0] for proc in (first, second)]
    return SimpleNamespace(
        build=build,
        before=before,
        reached_dbt=reached_dbt,
        after_kill=after_kill,
        figures_after_kill=figures_after_kill,
        runs=[(proc.returncode, out) for proc, out in zip((first, second), outs)],
    )


@pytest.mark.slow
def test_two_runs_at_once_queue_and_both_succeed(killed_then_two_at_once):
    (code1, out1), (code2, out2) = killed_then_two_at_once.runs
    assert code1 == 0, out1[-3000:]
    assert code2 == 0, out2[-3000:]
    assert "waiting for another build" in out1 + out2
    assert "lock" not in (out1 + out2).lower().replace("writer.lock", "").replace("waiting for another build", "")


@pytest.mark.slow
def test_killed_run_leaves_warehouse_and_next_run_matches(sample_build, killed_then_two_at_once):
    done = killed_then_two_at_once
    assert done.reached_dbt, "the run never reached the warehouse build"
    assert done.after_kill == done.before  # untouched by the killed run
    assert done.figures_after_kill > 0
    # the runs after it: the first to take the writer lock rebuilds the warehouse (the second
    # finds it current and renders the documents again from it)
    assert [code for code, _ in done.runs] == [0, 0], [out[-3000:] for _, out in done.runs]
    for csv_file in sorted(sample_build.figures_dir.glob("*.csv")):
        assert (done.build / "figures" / csv_file.name).read_bytes() == csv_file.read_bytes(), csv_file.name
