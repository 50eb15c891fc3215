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
        assert len(figures["load_before"]) == 3
    for ratio in RATIOS:
        assert point["ratios"][ratio] is not None and point["ratios"][ratio] > 0, ratio
    assert all(point["ratios"][ratio] is None for ratio in RATIOS_OF_SKIPPED)
    assert set(point["targets"]) == {
        "whole_run_within_60s",
        "whole_run_peak_within_1GiB",
        "incremental_within_10s",
        "ingest_5x_faster_than_baseline",
    }
    assert point["targets"]["incremental_within_10s"] is None
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
