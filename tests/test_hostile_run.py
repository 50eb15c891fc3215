"""Issue 16: one whole run with hostile files beside the sample publishes the figures of a
run without them; each hostile entry is in the run summary and audit.fct_files with its reason."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest

from succession.paths import ProjectPaths


def _hostile(raw: Path, outside: Path) -> set[str]:
    """Add one of each kind of hostile entry; the paths (relative to raw/) expected quarantined."""
    q3 = raw / "hr_returns" / "2024-25_Q3"
    wb = openpyxl.load_workbook(q3 / "867_2024-25_Q3.xlsx")
    wb["KPIs"]["C3"] = "=SUM(C4:C9)"  # a formula without its value, in a corrected return
    wb.save(q3 / "867_2024-25_Q3_v2.xlsx")
    wb = openpyxl.load_workbook(q3 / "868_2024-25_Q3.xlsx")
    wb["Workforce"]["XFD1048576"] = 1  # the last cell of the sheet
    wb.save(q3 / "868_2024-25_Q3_v2.xlsx")
    (raw / "hr_returns" / "misc").mkdir()
    outside.mkdir()
    shutil.copy(q3 / "869_2024-25_Q3.xlsx", outside / "869_2024-25_Q3_v2.xlsx")
    (q3 / "869_2024-25_Q3_v2.xlsx").symlink_to(outside / "869_2024-25_Q3_v2.xlsx")
    (q3 / "870_2024-25_Q3_v2.xlsx").mkdir()
    online = raw / "survey" / "2024-25_W1" / "responses_online.csv"
    (online.parent / "responses_utf16.csv").write_bytes(online.read_bytes().decode("utf-8-sig").encode("utf-16-le"))
    plan = raw / "programme" / "E12000008" / "plan_2025-26.yaml"
    plan.write_text(
        "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n"
        + "".join(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}' if i > 1 else '*a'] * 10)}]\n" for i in range(1, 8))
    )
    return {
        "hr_returns/2024-25_Q3/867_2024-25_Q3_v2.xlsx",
        "hr_returns/2024-25_Q3/868_2024-25_Q3_v2.xlsx",
        "hr_returns/2024-25_Q3/869_2024-25_Q3_v2.xlsx",
        "hr_returns/2024-25_Q3/870_2024-25_Q3_v2.xlsx",
        "hr_returns/misc",
        "survey/2024-25_W1/responses_utf16.csv",
        "programme/E12000008/plan_2025-26.yaml",
    }


@pytest.mark.slow
def test_hostile_files_cost_only_their_own_quarantine(sample_build, raw_copy, tmp_path):
    from orchestration.runner import run

    expected = _hostile(raw_copy, tmp_path / "outside")
    paths = ProjectPaths(raw_copy, tmp_path / "build")
    summary = run(paths, quiet=True, reports=False)
    assert summary.success, "\n".join(summary.lines())
    quarantined = "select file_path, problems from audit.fct_files where status = 'quarantined'"
    figures = "select figure_id, value_shown from audit.fct_figures order by 1"
    with duckdb.connect(str(sample_build.warehouse), read_only=True) as con:
        before = dict(con.execute(quarantined).fetchall())
        clean_figures = con.execute(figures).fetchall()
    assert {rel for rel, _ in summary.quarantined} == expected | set(before)
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        files = dict(con.execute(quarantined).fetchall())
        assert con.execute(figures).fetchall() == clean_figures
    assert set(files) == expected | set(before) and all(files.values())
    for csv in sorted(paths.figures_dir.glob("*.csv")):
        clean = sample_build.figures_dir / csv.name
        if csv.name == "return_status.csv":  # it counts each LA's quarantined files: the hostile ones too
            hostile, before = (pd.read_csv(p, dtype=str).drop(columns="files_quarantined") for p in (csv, clean))
            pd.testing.assert_frame_equal(hostile, before)
        elif clean.exists():
            assert csv.read_bytes() == clean.read_bytes(), csv.name
