"""Issue 8: `succession run` shows assets done of total, the current step and the elapsed
time while each job runs, ends with a summary naming what each failed check said, and
prints nothing with --quiet."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time

import dagster as dg
import pytest

from orchestration.progress import JobProgress
from orchestration.publishing import REPORT_ASSET, REPORTS_OP
from succession.paths import PROJECT_DIR

LINE = re.compile(
    r"^\[(?P<label>\d+/\d+ (?P<job>\w+))\] (?P<done>\d+)/(?P<total>\d+) assets"
    r"(?:, now: (?P<now>.+?))?(?:, failed: (?P<failed>.+?))? \(elapsed (?P<elapsed>\d+)s\)$"
)


def _tiny_job():
    @dg.asset
    def first() -> None:
        time.sleep(0.4)

    @dg.multi_asset(specs=[dg.AssetSpec(f"model_{i}", deps=["first"]) for i in range(3)])
    def models():
        for i in range(3):  # one op making several assets, like the dbt build
            time.sleep(0.4)
            yield dg.MaterializeResult(asset_key=f"model_{i}")

    @dg.asset(deps=["model_2"])
    def last() -> None:
        time.sleep(0.4)

    defs = dg.Definitions(
        assets=[first, models, last], jobs=[dg.define_asset_job("tiny", selection=dg.AssetSelection.all())]
    )
    return defs.resolve_job_def("tiny")


def test_progress_counts_assets_and_names_the_running_step():
    job = _tiny_job()
    instance = dg.DagsterInstance.ephemeral()
    lines: list[str] = []
    progress = JobProgress(
        instance,
        label="1/1 tiny",
        total_assets=len(job.asset_layer.executable_asset_keys),
        emit=lines.append,
        interval=0.05,
    )
    with progress:
        result = job.execute_in_process(instance=instance, run_id=progress.run_id)
    assert result.success and result.run_id == progress.run_id
    parsed = [LINE.match(line) for line in lines]
    assert all(parsed), lines
    assert {m["label"] for m in parsed} == {"1/1 tiny"} and {m["total"] for m in parsed} == {"5"}
    done = [int(m["done"]) for m in parsed]
    assert done == sorted(done) and done[-1] == 5, lines
    assert lines[-1].startswith("[1/1 tiny] 5/5 assets (elapsed ")  # the end: nothing running
    nows = [m["now"] for m in parsed if m["now"]]
    assert "first" in nows
    # the multi-asset step moves the count while it runs and names the asset it finished last
    inside = [int(m["done"]) for m in parsed if m["now"] and m["now"].startswith("models")]
    assert len(set(inside)) >= 2, lines
    assert any(m["now"] == "models (last: model_0)" for m in parsed if m["now"]), lines
    assert any(m["now"] == "last" for m in parsed if m["now"]), lines
    assert len(lines) == len(set(lines))  # printed only when something changed


def test_progress_prints_only_on_change_or_heartbeat():
    job = _tiny_job()
    instance = dg.DagsterInstance.ephemeral()
    clock = [100.0]
    lines: list[str] = []
    progress = JobProgress(
        instance,
        label="2/3 tiny",
        total_assets=5,
        emit=lines.append,
        started=90.0,
        heartbeat=15,
        clock=lambda: clock[0],
    )
    assert progress.poll() is None  # not started: nothing to say
    job.execute_in_process(instance=instance, run_id=progress.run_id)
    assert progress.poll() == "[2/3 tiny] 5/5 assets (elapsed 10s)"
    clock[0] += 10
    assert progress.poll() is None  # nothing changed
    clock[0] += 6
    assert progress.poll() == "[2/3 tiny] 5/5 assets (elapsed 26s)"  # still alive
    assert lines == ["[2/3 tiny] 5/5 assets (elapsed 10s)", "[2/3 tiny] 5/5 assets (elapsed 26s)"]


def test_a_failing_step_is_named():
    @dg.asset
    def broken() -> None:
        raise RuntimeError("no")

    job = dg.Definitions(
        assets=[broken], jobs=[dg.define_asset_job("j", selection=dg.AssetSelection.all())]
    ).resolve_job_def("j")
    instance = dg.DagsterInstance.ephemeral()
    lines: list[str] = []
    with JobProgress(instance, label="1/1 j", total_assets=1, emit=lines.append, interval=0.05) as progress:
        job.execute_in_process(instance=instance, run_id=progress.run_id, raise_on_error=False)
    assert re.fullmatch(r"\[1/1 j\] 0/1 assets, failed: broken \(elapsed \d+s\)", lines[-1]), lines


# -- the real command ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def tiny_raw(tmp_path_factory):
    """Three LAs' returns for one quarter: Hampshire (850), West Berkshire (869, whose KPIs
    sheet disagrees with its vacancy rows) and Buckinghamshire (825)."""
    raw = tmp_path_factory.mktemp("tiny") / "raw"
    quarter = raw / "hr_returns" / "2024-25_Q3"
    quarter.mkdir(parents=True)
    for la in ("850", "869", "825"):
        shutil.copy(PROJECT_DIR / "raw" / "hr_returns" / "2024-25_Q3" / f"{la}_2024-25_Q3.xlsx", quarter)
    return raw


def _succession_run(raw, build, *extra):
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "SUCCESSION_TODAY": "2025-06-01"}
    return subprocess.run(
        [sys.executable, "-m", "succession.cli", "run", "--raw-dir", str(raw), "--out", str(build), *extra],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )


@pytest.mark.slow
def test_succession_run_shows_progress_and_the_checks_it_failed(tiny_raw, tmp_path):
    done = _succession_run(tiny_raw, tmp_path / "build")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    out = done.stdout.splitlines()
    progress = [m for m in map(LINE.match, out) if m]
    jobs = [m["job"] for m in progress]
    assert {"ingest_quarters", "build_warehouse", "render_reports", "publish_register"} <= set(jobs), out
    # the dbt build: many assets in one step, counted as they finish, against the job's total
    dbt = [m for m in progress if m["job"] == "build_warehouse"]
    counts = [int(m["done"]) for m in dbt]
    total = int(dbt[0]["total"])
    assert total > 80 and counts == sorted(counts) and len(set(counts)) >= 3, out
    assert counts[-1] > total * 0.9
    assert any(m["now"] and "(last: " in m["now"] for m in dbt), out
    elapsed = [int(m["elapsed"]) for m in progress]
    assert elapsed == sorted(elapsed) and elapsed[-1] > 0
    renders = [m["now"] for m in progress if m["job"] == "render_reports" and m["now"]]
    # the documents render in one step, two at a time: the step is named while it works, with the
    # last document it finished once one has (as the dbt step names its last model)
    steps = [re.fullmatch(r"(?P<step>\S+)(?: \(last: (?P<last>\S+)\))?", now) for now in renders]
    assert renders and all(steps), out
    assert {m["step"] for m in steps} <= {REPORTS_OP, *REPORT_ASSET.values()}, out
    assert {m["last"] for m in steps if m["last"]} <= set(REPORT_ASSET.values()), out
    # each job's own heading and result line, then the summary
    assert any(re.fullmatch(r"\[\d+/\d+\] build_warehouse: \d+ assets \(elapsed \d+s\)", line) for line in out)
    assert re.search(r"^finished in [\d.]+s \(success\)$", done.stdout, re.M)
    summary = done.stdout[done.stdout.index("checks failed:") :].splitlines()
    assert summary[0] == "checks failed: 2", summary
    failed = summary[1:3]
    assert (
        "  marts/fct_table_one_reconciliation:kpis_reconcile (WARN): 1 KPI figure(s) disagree with the "
        "Vacancies rows in 2024-25 Q3"
    ) in failed
    [returns] = [line for line in failed if ":returns_complete (WARN): " in line]
    assert "return(s) overdue for 2024-25 Q3: 826 Milton Keynes" in returns and len(returns) <= 300
    # and the rendered return says so at the top
    qr = tmp_path / "build" / "reports" / "quarterly-return" / "E12000008" / "2024-25_Q3" / "quarterly_return.html"
    assert "check <code>kpis_reconcile</code>" in qr.read_text(encoding="utf-8")


def test_succession_run_quiet_prints_nothing(sample_build, sample_build_output):
    """The session's sample build is `succession run --quiet` in its own process (conftest.py):
    a whole build of the sample, with a failed check it would otherwise list, and not a line
    printed."""
    done = sample_build_output
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout == ""
    assert not any(LINE.match(line) for line in done.stderr.splitlines())
    assert "checks failed" not in done.stderr and "assets" not in done.stderr
    kpis = json.loads((sample_build.build_dir / "checks" / "kpis_reconcile.json").read_text())
    assert not kpis["passed"]  # without --quiet the summary would name it
    latest = sorted(p.name for p in (sample_build.raw_dir / "hr_returns").iterdir())[-1]
    assert (sample_build.reports_dir / "quarterly-return" / "E12000008" / latest / "quarterly_return.pdf").exists()
