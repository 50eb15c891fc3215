"""The national-scale benchmark's smoke mode: the only benchmark part `make test` runs.

It runs `benchmarks/run.py --smoke` in a subprocess (a tiny point: 3 LAs x 2 quarters)
and checks the JSON it writes has every phase, each with a positive timing and a peak
memory figure, and the ratio fields the full benchmark reports.
"""

from __future__ import annotations

import json
import subprocess
import sys

from succession.paths import PROJECT_DIR

PHASES = [
    "ingest",
    "reingest",
    "dbt_build",
    "render",
    "whole_run",
    "independent",
    "incremental",
    "baseline_ingest",
    "baseline_dbt",
]
RATIOS = [
    "baseline_over_project_ingest",
    "baseline_over_project_ingest_inner",
    "baseline_over_project_ingest_hr_returns",
    "baseline_over_project_build",
    "reingest_over_ingest",
    "incremental_over_whole_run",
]


def test_benchmark_smoke(tmp_path):
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [
            sys.executable,
            str(PROJECT_DIR / "benchmarks" / "run.py"),
            "--smoke",
            "--json",
            str(out),
            "--data-dir",
            str(tmp_path / "data"),
            "--work-dir",
            str(tmp_path / "work"),
        ],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    doc = json.loads(out.read_text())
    assert doc["machine"]["cpus"] >= 1
    (point,) = doc["points"]
    assert point["point"] == "smoke"
    assert point["files"] > 0 and point["rows"] > 0 and point["workbooks"] > 0
    for phase in PHASES:
        figures = point["phases"][phase]
        assert figures["ok"], (phase, figures)
        assert figures["seconds"] > 0, phase
        assert figures["peak_rss_mib"] > 0, phase
        assert len(figures["load_before"]) == 3
    for ratio in RATIOS:
        assert point["ratios"][ratio] is not None and point["ratios"][ratio] > 0, ratio
    assert set(point["targets"]) == {
        "whole_run_within_60s",
        "whole_run_peak_within_1GiB",
        "incremental_within_10s",
        "ingest_5x_faster_than_baseline",
    }
    # dual running on a second, generated data set: registered figures recomputed from raw/ alone
    independent = point["phases"]["independent"]["detail"]
    # every figure, but for the families listed as not yet recomputed (tests/independent/register.py)
    assert independent["recomputed"] > 0 and independent["not_recomputed_unexpected"] == 0
    assert independent["mismatches_unexplained"] == 0, independent["mismatch_examples"]
    # the incremental run saw the added quarter
    assert point["phases"]["incremental"]["added"]["files"] == 3
    assert point["phases"]["incremental"]["detail"]["success"]
    assert "growth" in doc and "baseline_over_project_ingest" in doc["points"][0]["ratios"]
    # the printed table names every phase
    for phase in PHASES:
        assert f"{phase} (s)" in proc.stdout
