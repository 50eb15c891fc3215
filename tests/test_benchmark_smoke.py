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
    assert set(point["targets"]) == {"whole_run_s", "whole_run_peak_mib", "incremental_s", "hr_ingest_speedup"}
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
    # and issue 15's targets, judged at the biggest point run
    assert "one new quarter for all LAs, incremental (s)" in proc.stdout and "at smoke" in proc.stdout


def _point(name: str, whole: float, peak: float, incremental: float, hr_ratio: float) -> dict:
    ok = lambda s, mib=100.0: {"seconds": s, "peak_rss_mib": mib, "ok": True}  # noqa: E731
    return {
        "point": name,
        "phases": {"whole_run": ok(whole, peak), "incremental": ok(incremental)},
        "ratios": {"baseline_over_project_ingest_hr_returns": hr_ratio},
    }


def test_targets_table_sets_before_beside_after_and_judges_the_biggest_point():
    sys.path.insert(0, str(PROJECT_DIR / "benchmarks"))
    import run as bench

    before = {"points": [_point("153x40", 120.4, 1607.9, 58.6, 6.22)], "suite": {"seconds": 900.0}, "_path": "old.json"}
    after = [_point("153x8", 20.0, 500.0, 5.0, 12.0), _point("153x40", 29.0, 1100.0, 11.0, 10.5)]
    lines = bench.target_table(after, before, {"seconds": 590.0, "ok": True}).splitlines()
    row = {line.split("  ")[0]: line for line in lines}
    whole = row["whole `succession run` from an empty build (s)"]
    # 153x8 has no before figure; 153x40's before is the old file's; 29 s meets 30 s
    assert whole.split()[-7:] == ["-", "20.0", "120.4", "29.0", "met", "at", "153x40"]
    assert row["peak memory of that run, all processes (MiB)"].endswith("MISSED at 153x40")
    assert row["one new quarter for all LAs, incremental (s)"].endswith("MISSED at 153x40")  # 11 s > 10 s
    assert row["HR-return ingestion vs naive openpyxl (x)"].endswith("met at 153x40")  # 10.5x >= 10x
    assert row["`make test` (s)"].split()[-3:] == ["900.0", "590.0", "met"]
    # a failed suite is not a figure
    failed = bench.target_table(after, before, {"seconds": 100.0, "ok": False})
    assert "not measured" in failed.splitlines()[-2]
