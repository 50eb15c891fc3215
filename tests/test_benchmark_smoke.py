"""The national-scale benchmark's smoke mode: the only benchmark part `make test` runs.

It runs `benchmarks/run.py --smoke` in a subprocess (a tiny point: 3 LAs x 2 quarters)
and checks the JSON it writes has every phase it ran, each with a positive timing and a
peak memory figure, and the ratio fields the full benchmark reports.

Two phases are skipped (``--skip``), each a third build of the dbt project that adds no
machinery of its own to what the smoke run checks:

* ``incremental`` runs ``phase_run`` again (the function ``whole_run`` runs) after
  ``add_next_quarter``; the generator step is checked below on its own, and the pipeline's
  incremental run by tests/test_incremental.py and tests/test_no_data_loss.py;
* ``baseline_dbt`` is ``dbt seed`` then ``dbt run`` through ``dbt_argv`` into the baseline's
  DuckDB file: the same ``dbt_argv`` and ``measure`` the ``dbt_build`` phase uses, and the
  same models ``dbt build`` builds there.

Their ratios are then empty, as the full benchmark leaves them when a phase fails.
"""

from __future__ import annotations

import json
import subprocess
import sys

from succession.paths import PROJECT_DIR

PHASES = ["ingest", "reingest", "dbt_build", "render", "whole_run", "independent", "baseline_ingest"]
SKIPPED = ["incremental", "baseline_dbt"]
RATIOS = [
    "baseline_over_project_ingest",
    "baseline_over_project_ingest_inner",
    "baseline_over_project_ingest_hr_returns",
    "reingest_over_ingest",
    "independent_over_whole_run",
]
RATIOS_OF_SKIPPED = ["baseline_over_project_build", "incremental_over_whole_run"]


def test_benchmark_smoke(tmp_path):
    from benchmarks.run import PHASES as ALL_PHASES

    assert sorted(PHASES + SKIPPED) == sorted(ALL_PHASES)
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [
            sys.executable,
            str(PROJECT_DIR / "benchmarks" / "run.py"),
            "--smoke",
            "--skip",
            ",".join(SKIPPED),
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
    check_smoke_result(json.loads(out.read_text()), proc.stdout)


def check_smoke_result(doc: dict, stdout: str) -> None:
    """What a smoke run with the SKIPPED phases skipped wrote (its JSON) and printed."""
    assert doc["machine"]["cpus"] >= 1
    (point,) = doc["points"]
    assert point["point"] == "smoke"
    assert point["files"] > 0 and point["rows"] > 0 and point["workbooks"] > 0
    assert sorted(point["phases"]) == sorted(PHASES)
    for phase in PHASES:
        figures = point["phases"][phase]
        assert figures["ok"], (phase, figures)
        assert figures["seconds"] > 0, phase
        assert figures["peak_rss_mib"] > 0, phase
        # what each kind of process held at the peak adds up to it
        held = figures["peak_by_process_mib"]
        assert held["phase"] > 0 and abs(sum(held.values()) - figures["peak_rss_mib"]) < 1, (phase, held)
        assert len(figures["load_before"]) == 3
    for ratio in RATIOS:
        assert point["ratios"][ratio] is not None and point["ratios"][ratio] > 0, ratio
    assert all(point["ratios"][ratio] is None for ratio in RATIOS_OF_SKIPPED)
    assert set(point["targets"]) == {"whole_run_s", "whole_run_peak_mib", "incremental_s", "hr_ingest_speedup"}
    assert point["targets"]["incremental_s"] is None
    # dual running on a second, generated data set: registered figures recomputed from raw/ alone
    independent = point["phases"]["independent"]["detail"]
    # every figure, but for the families listed as not yet recomputed (tests/independent/register.py)
    assert independent["recomputed"] > 0 and independent["not_recomputed_unexpected"] == 0
    assert independent["mismatches_unexplained"] == 0, independent["mismatch_examples"]
    assert "growth" in doc and "baseline_over_project_ingest" in doc["points"][0]["ratios"]
    # the printed table names every phase, the skipped ones as not run
    for phase in PHASES:
        assert f"{phase} (s)" in stdout
    for phase in SKIPPED:
        assert [line.split() for line in stdout.splitlines() if line.startswith(f"{phase} (s)")] == [
            [phase, "(s)", "n/a"]
        ]
    # and issue 15's targets, judged at the biggest point run
    assert "one new quarter for all LAs, incremental (s)" in stdout and "at smoke" in stdout


def _point(name: str, whole: float, peak: float, incremental: float, hr_ratio: float) -> dict:
    ok = lambda s, mib=100.0: {"seconds": s, "peak_rss_mib": mib, "ok": True}  # noqa: E731
    return {
        "point": name,
        "phases": {"whole_run": ok(whole, peak), "incremental": ok(incremental)},
        "ratios": {"baseline_over_project_ingest_hr_returns": hr_ratio},
    }


def test_targets_table_sets_before_beside_after_and_judges_the_biggest_point():
    from benchmarks import run as bench

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


def test_next_quarter_is_one_return_per_la(tmp_path):
    """What the skipped incremental phase adds before its run: the quarter after the point's
    last, one return for each of its LAs, written into the raw folder."""
    from benchmarks.run import add_next_quarter, make_spec

    spec = make_spec("smoke")
    added = add_next_quarter("smoke", tmp_path / "raw")
    nxt = max(spec.quarters).next()
    assert added == {"quarter": nxt.label, "files": len(spec.las)}
    written = sorted((tmp_path / "raw" / "hr_returns" / nxt.key).iterdir())
    assert len(written) == len(spec.las) and all(p.suffix == ".xlsx" for p in written)
    assert [p.name for p in (tmp_path / "raw").iterdir()] == ["hr_returns"]  # its scratch folder is gone


def test_skip_names_phases_for_every_point_or_one():
    from benchmarks.run import skipped_at

    spec = "reingest,153x40:dbt_build,153x40:render,19x8:baseline_dbt"
    assert skipped_at("153x40", spec) == {"reingest", "dbt_build", "render"}
    assert skipped_at("153x8", spec) == {"reingest"}
    assert skipped_at("19x8", spec) == {"reingest", "baseline_dbt"}


def test_peak_composition_names_each_kind_of_process():
    from benchmarks.run import process_kind

    venv = "/home/u/project/.venv/bin"
    assert process_kind([f"{venv}/python", "benchmarks/run.py", "--_phase", "run"], root=True) == "phase"
    assert process_kind([f"{venv}/python", f"{venv}/dbt", "build", "--vars", "{}"], root=False) == "dbt"
    assert process_kind([f"{venv}/dbt", "docs", "generate"], root=False) == "dbt"
    assert process_kind([f"{venv}/python", "-m", "ipykernel_launcher", "-f", "k.json"], root=False) == "kernel"
    spawn = [f"{venv}/python", "-B", "-c", "from multiprocessing.spawn import spawn_main; spawn_main()"]
    assert process_kind(spawn, root=False) == "workers"
    # a path that merely contains "dbt" is not dbt
    assert process_kind(["tail", "-F", "/tmp/dbt_build/compute.log"], root=False) == "other"
