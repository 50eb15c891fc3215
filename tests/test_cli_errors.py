"""Issue 13 part 5: a wrong region, period, LA or raw folder is one line naming what is
valid, exit code 2, no traceback, and nothing written (not even an empty folder)."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from succession.cli import main


def _tree(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*")}


def _one_error_line(capsys) -> str:
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert "Traceback" not in captured.err + captured.out
    return lines[0]


def test_template_unknown_la_names_the_valid_codes_and_writes_nothing(tmp_path, capsys):
    target = tmp_path / "new" / "999.xlsx"
    assert main(["template", "hr-return", "--la", "999", "--quarter", "2024-25 Q1", "-o", str(target)]) == 2
    line = _one_error_line(capsys)
    assert "unknown LA code '999'" in line and "867 (Bracknell Forest)" in line and "938 (West Sussex)" in line
    assert not (tmp_path / "new").exists()


def test_template_bad_quarter_is_one_line(tmp_path, capsys):
    target = tmp_path / "new" / "867.xlsx"
    assert main(["template", "hr-return", "--la", "867", "--quarter", "2024-25 Q5", "-o", str(target)]) == 2
    assert "2024-25 Q1" in _one_error_line(capsys)  # says what a quarter looks like
    assert not (tmp_path / "new").exists()


def test_run_unknown_region_or_period_stops_before_the_build_folder(tmp_path, raw_copy, capsys):
    out = tmp_path / "out"
    assert main(["run", "--raw-dir", str(raw_copy), "--out", str(out), "--region", "SE"]) == 2
    line = _one_error_line(capsys)
    assert "unknown region 'SE'" in line and "E12000008 (South East)" in line and "E12000001 (North East)" in line
    assert main(["run", "--raw-dir", str(raw_copy), "--out", str(out), "--period", "2026-27 Q1"]) == 2
    line = _one_error_line(capsys)
    assert "unknown period '2026-27 Q1'" in line and "2023-24 Q1" in line and "2024-25 Q4" in line
    assert not out.exists()


def test_render_unknown_region_or_period_leaves_no_folder(sample_build, capsys):
    build = sample_build.build_dir
    before = _tree(build)
    args = ["render", "quarterly-return", "--out", str(build), "--format", "html"]
    assert main([*args, "--region", "SE", "--period", "2024-25 Q4"]) == 2
    assert "unknown region 'SE': valid regions are E12000008 (South East)" in _one_error_line(capsys)
    assert main([*args, "--region", "E12000008", "--period", "2026-27 Q1"]) == 2
    line = _one_error_line(capsys)
    assert "unknown period '2026-27 Q1'" in line and "2024-25 Q4" in line
    assert _tree(build) == before


def test_render_without_a_warehouse_says_run_first(tmp_path, capsys):
    code = main(
        ["render", "evaluation", "--region", "E12000008", "--period", "2024-25 Q4", "--out", str(tmp_path / "none")]
    )
    assert code == 2
    assert "run `succession run` first" in _one_error_line(capsys)
    assert not (tmp_path / "none").exists()


def test_reports_for_a_named_region_without_returns_fail_instead_of_rendering_nothing(sample_build):
    from orchestration.publishing import _regions_for

    assert _regions_for(sample_build, "2024-25 Q4", []) == ["E12000008"]
    with pytest.raises(
        dg.Failure, match=r"no returns for region.s. E12000001 in 2024-25 Q4: regions with returns are E12000008"
    ):
        _regions_for(sample_build, "2024-25 Q4", ["E12000001"])
