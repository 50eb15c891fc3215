"""Incremental runs (issue 7): an unchanged raw folder re-reads nothing and leaves the
warehouse alone; one corrected return re-ingests its quarter only, rebuilds only the models
downstream of its source, and gives the same warehouse as a build from scratch."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest

from orchestration.changes import changed_sources
from orchestration.resources import dbt_executable
from succession.paths import DBT_PROJECT_DIR, ProjectPaths
from succession.settings import Settings

pytestmark = pytest.mark.slow


def _mtimes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*.parquet")}


def _figures(warehouse: Path) -> dict[str, float | None]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return dict(con.execute("select figure_id, value from audit.fct_figures").fetchall())


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) <= 1e-9 * max(1.0, abs(a))  # DuckDB sums doubles in parallel


@pytest.fixture
def built_copy(sample_build, raw_copy, tmp_path) -> ProjectPaths:
    """A private copy of the session build (mtimes kept) over a private copy of raw/."""
    build = tmp_path / "build"
    shutil.copytree(sample_build.build_dir, build, ignore=shutil.ignore_patterns(".writer.lock", "reports"))
    return ProjectPaths(raw_copy, build)


def test_unchanged_raw_reads_nothing_and_keeps_the_warehouse(built_copy):
    from orchestration.runner import run

    lake_before = _mtimes(built_copy.lake_dir)
    warehouse_before = built_copy.warehouse.read_bytes()
    assert changed_sources(built_copy)[0] == []  # the copy's inputs are recorded as built
    summary = run(built_copy, quiet=True, reports=False)
    assert summary.success, "\n".join(summary.lines())
    assert _mtimes(built_copy.lake_dir) == lake_before  # no partition rewritten
    assert built_copy.warehouse.read_bytes() == warehouse_before  # no dbt build, no swap
    assert summary.files_loaded > 150


def test_one_corrected_return_rebuilds_its_quarter_and_source_only(built_copy, warehouse, tmp_path):
    from orchestration.runner import run

    rel, rownum = warehouse.execute(  # a campaign closed in the quarter: it counts in Table one
        """select _source_file, _row from intermediate.int_hr_returns__campaigns
           where applicants is not null and advert_closed between quarter_start and quarter_end
             and quarter = '2024-25 Q3' order by _row_uid limit 1"""
    ).fetchone()
    wb = openpyxl.load_workbook(built_copy.raw_dir / rel)
    ws = wb["Vacancies"]
    col = next(c.column_letter for c in ws[1] if c.value == "Applicants")
    ws[f"{col}{rownum}"] = ws[f"{col}{rownum}"].value + 1
    wb.save(built_copy.raw_dir / rel)

    lake_before = _mtimes(built_copy.lake_dir)
    assert changed_sources(built_copy)[0] == []  # the lake has not seen the change yet
    summary = run(built_copy, quiet=True, reports=False)
    assert summary.success, "\n".join(summary.lines())
    rewritten = {
        k.split("/")[0] + "/" + k.split("/")[1]
        for k, t in _mtimes(built_copy.lake_dir).items()
        if lake_before.get(k) != t
    }
    assert rewritten == {"hr_returns/2024-25_Q3"}
    # dbt ran the HR-returns models and what depends on them, not the other sources' staging
    ran = {r["unique_id"] for r in json.loads((built_copy.dbt_target_dir / "run_results.json").read_text())["results"]}
    assert {
        "model.succession.stg_hr_returns__vacancies",
        "model.succession.fct_table_one",
        "model.succession.fct_figures",
    } <= ran
    assert (
        not {
            "model.succession.stg_survey__answers",
            "model.succession.stg_interviews__codings",
            "model.succession.stg_programme__activities",
        }
        & ran
    )

    # and the Dagster run held only those: no planned materialisation or check of the rest
    import dagster as dg

    instance = dg.DagsterInstance.get()
    (last,) = instance.get_runs(dg.RunsFilter(job_name="build_warehouse"), limit=1)
    planned = {
        e.dagster_event.asset_key.to_user_string()
        for e in instance.all_logs(last.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED)
    }
    assert {"staging/stg_hr_returns__vacancies", "marts/fct_table_one", "disclosure_audit"} <= planned
    assert not {"staging/stg_survey__answers", "staging/stg_interviews__codings"} & planned
    checks = {
        e.dagster_event.asset_check_planned_data.asset_key.to_user_string()
        for e in instance.all_logs(last.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED)
    }
    assert checks and checks <= planned

    # the incremental warehouse equals a warehouse built from scratch on the same lake
    scratch = tmp_path / "scratch.duckdb"
    env = {**os.environ, "DBT_TARGET_PATH": str(tmp_path / "target"), "DBT_LOG_PATH": str(tmp_path / "target")}
    dbt_vars = Settings.from_values({"build_dir": built_copy.build_dir}).dbt_vars_arg(warehouse=scratch)
    done = subprocess.run(
        [dbt_executable(), "build", "--quiet", "--profiles-dir", str(DBT_PROJECT_DIR), *dbt_vars],
        cwd=DBT_PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    incremental, full = _figures(built_copy.warehouse), _figures(scratch)
    assert incremental.keys() == full.keys()
    assert [f for f in full if not _same(incremental[f], full[f])] == []
    # the lineage too, though the incremental build rewrote only the families that read the
    # HR returns (fct_figure_source_rows is incremental by family), not the survey's
    compiled = next(built_copy.dbt_target_dir.glob("compiled/**/fct_figure_source_rows.sql")).read_text()
    assert "fig_table_one__sources" in compiled and "fig_survey__sources" not in compiled
    with duckdb.connect(str(built_copy.warehouse), read_only=True) as con:
        con.execute(f"attach '{scratch}' as scratch (read_only)")
        for a, b in (("audit", "scratch.audit"), ("scratch.audit", "audit")):
            differ = f"select * from {a}.fct_figure_source_rows except all select * from {b}.fct_figure_source_rows"
            assert con.execute(f"select count(*) from ({differ})").fetchone()[0] == 0, (a, b)
    before = dict(warehouse.execute("select figure_id, value from audit.fct_figures").fetchall())
    assert any(not _same(before[f], incremental[f]) for f in before)  # the edit did reach the figures


def test_what_the_warehouse_was_built_from_is_decided_by_content(built_copy):
    """Touching the lake (or copying a build folder without its times) is no change; a
    source whose ledger says something else is, and only that source."""
    later = time.time_ns() + 10_000_000_000
    for p in built_copy.lake_dir.rglob("*.parquet"):
        os.utime(p, ns=(later, later))
    assert changed_sources(built_copy)[0] == []

    # the survey's ledger now says one of its files was withdrawn: the survey only
    [ledger] = list((built_copy.lake_dir / "survey").glob("2024-25_W1/_files.parquet"))
    files = pd.read_parquet(ledger)
    files.loc[files.index[0], "status"] = "withdrawn"
    files.to_parquet(ledger, index=False)
    assert changed_sources(built_copy)[0] == ["survey"]


def test_manifest_is_parsed_again_only_when_a_dbt_file_changes(monkeypatch, tmp_path):
    from orchestration import changes
    from orchestration import warehouse as W

    W.ensure_manifest()
    record = tmp_path / "manifest.inputs"
    record.write_text(W.MANIFEST_DIGEST.read_text())
    monkeypatch.setattr(W, "MANIFEST_DIGEST", record)  # this test's own record: the project's is left alone
    parsed = []
    monkeypatch.setattr(W.subprocess, "run", lambda *a, **k: parsed.append(a))

    # a dbt file newer than the manifest, with the same content: not parsed again
    model = DBT_PROJECT_DIR / "dbt_project.yml"
    st = model.stat()
    os.utime(model, ns=(st.st_atime_ns, W.dbt_project.manifest_path.stat().st_mtime_ns + 10_000_000_000))
    try:
        W.ensure_manifest()
    finally:
        os.utime(model, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert parsed == []

    # a dbt file whose content differs: parsed, and the new digest recorded
    monkeypatch.setattr(W, "dbt_files_digest", lambda: changes.dbt_files_digest([("a change", "1")]))
    W.ensure_manifest()
    assert len(parsed) == 1 and record.read_text().strip() == W.dbt_files_digest()


def test_a_run_with_nothing_to_do_says_so_without_dagster(sample_build, raw_copy, tmp_path):
    """`succession run` over an unchanged raw folder, a current warehouse and current documents
    and register decides so before importing Dagster, dagster-dbt or dbt, and writes nothing."""
    build = tmp_path / "build"
    shutil.copytree(sample_build.build_dir, build, ignore=shutil.ignore_patterns(".writer.lock"))
    published = {p: p.read_bytes() for p in (build / "figures").glob("*.csv")}
    script = (
        "import sys\n"
        "from succession.cli import main\n"
        f"code = main(['run', '--raw-dir', {str(raw_copy)!r}, '--out', {str(build)!r}])\n"
        "heavy = sorted(m for m in ('dagster', 'dagster_dbt', 'dbt') if m in sys.modules)\n"
        "print('imported:', heavy)\n"
        "sys.exit(code)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "up to date: no raw file" in done.stdout and "imported: []" in done.stdout, done.stdout
    assert {p: p.read_bytes() for p in (build / "figures").glob("*.csv")} == published

    # a document gone: not "up to date" (the run renders it again, through Dagster)
    (next((build / "reports").rglob("*.pdf"))).unlink()
    from orchestration import documents
    from succession.periods import FinancialQuarter

    latest = max(FinancialQuarter.parse(p.name) for p in (build / "reports").glob("*/*/*"))
    assert documents.all_current(sample_build, latest.label, [])
    assert not documents.all_current(ProjectPaths(raw_copy, build), latest.label, [])
