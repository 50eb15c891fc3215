"""Issue 6: every kind of bad HR return is quarantined with a reason that names where,
while the good returns beside it still load. The corpus is made by mutating the
committed sample returns, so it follows the template as it changes."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from succession.ingest.framework import ingest_partition
from succession.ingest.hr_returns import SOURCE
from succession.paths import PROJECT_DIR

QUARTER = "2024-25 Q3"
FOLDER = PROJECT_DIR / "raw" / "hr_returns" / "2024-25_Q3"
VICTIM = "867_2024-25_Q3.xlsx"  # Bracknell Forest


def _edit(path: Path, fn) -> None:
    wb = openpyxl.load_workbook(path)
    fn(wb)
    wb.save(path)


def _vacancy_col(wb, header: str) -> str:
    ws = wb["Vacancies"]
    for cell in ws[1]:
        if cell.value == header:
            return cell.column_letter
    raise KeyError(header)


def _set_vac(header: str, value, row: int = 2):
    return lambda wb: wb["Vacancies"].__setitem__(f"{_vacancy_col(wb, header)}{row}", value)


def _rename(p: Path, name: str) -> Path:
    return p.rename(p.with_name(name))


# name -> (mutation of the victim file, expected rule, expected text in the message, where)
MUTATIONS = {
    "empty_file": (lambda p: p.write_bytes(b""), "not_a_workbook", "empty", None),
    "not_a_workbook": (
        lambda p: p.write_text("LA,quarter\n867,2024-25 Q3\n"),
        "not_a_workbook",
        "not a readable .xlsx",
        None,
    ),
    "corrupt_zip": (lambda p: p.write_bytes(p.read_bytes()[:2000]), "not_a_workbook", "not a readable .xlsx", None),
    "missing_sheet": (
        lambda p: _edit(p, lambda wb: wb.remove(wb["Workforce"])),
        "missing_sheet",
        "'Workforce' is missing",
        None,
    ),
    "missing_column": (
        lambda p: _edit(p, lambda wb: wb["Vacancies"].delete_cols(9)),
        "missing_column",
        "'Shortlisted' is missing",
        "Vacancies",
    ),
    "renamed_header": (
        lambda p: _edit(p, lambda wb: wb["Vacancies"].__setitem__("H1", "Number of applicants")),
        "unexpected_column",
        "Number of applicants",
        "Vacancies!H1",
    ),
    "text_in_count": (
        lambda p: _edit(p, _set_vac("Applicants", "twelve")),
        "type",
        "applicants must be a whole number, got 'twelve'",
        "Vacancies!H2",
    ),
    "negative_count": (
        lambda p: _edit(p, _set_vac("Applicants", -3)),
        "a whole number of 0 or more",
        "got -3",
        "Vacancies!H2",
    ),
    "date_after_quarter": (
        lambda p: _edit(p, _set_vac("Date vacancy arose", dt.datetime(2025, 2, 1))),
        "date_after_quarter",
        "after the end of 2024-25 Q3",
        "Vacancies!E2",
    ),
    "unparseable_date": (
        lambda p: _edit(p, _set_vac("Advert opened", "next week")),
        "type",
        "must be a date",
        "Vacancies!F2",
    ),
    "shortlisted_gt_applicants": (
        lambda p: _edit(p, lambda wb: (_set_vac("Applicants", 5)(wb), _set_vac("Shortlisted", 7)(wb))),
        "shortlisted_le_applicants",
        "shortlisted (7) exceeds applicants (5)",
        "Vacancies!I2",
    ),
    "filled_gt_vacancies": (
        lambda p: _edit(p, lambda wb: (wb["KPIs"].__setitem__("D3", 1), wb["KPIs"].__setitem__("D7", 4))),
        "filled_exceeds_vacancies",
        "posts filled permanently (4) exceeds vacancies (1)",
        "KPIs!D7",
    ),
    "unknown_outcome": (lambda p: _edit(p, _set_vac("Outcome", "appointed")), "one of:", "appointed", "Vacancies!J2"),
    "closing_before_opening": (
        lambda p: _edit(
            p,
            lambda wb: (
                _set_vac("Advert opened", dt.datetime(2024, 11, 20))(wb),
                _set_vac("Closing date", dt.datetime(2024, 11, 1))(wb),
            ),
        ),
        "closed_after_opened",
        "is before the advert opened",
        "Vacancies!G2",
    ),
    "duplicate_rows": (
        lambda p: _edit(p, lambda wb: wb["Vacancies"].append([c.value for c in wb["Vacancies"][2]])),
        "duplicate_row",
        "appears on rows",
        "Vacancies!A",
    ),
    "unknown_la_code": (
        lambda p: (_edit(p, lambda wb: wb["About"].__setitem__("B2", "999")), _rename(p, "999_2024-25_Q3.xlsx")),
        "unknown_la",
        "999 is not one of the 153",
        "About!B2",
    ),
    "la_code_disagrees_with_name": (
        lambda p: _edit(p, lambda wb: wb["About"].__setitem__("B2", "868")),
        "la_mismatch",
        "disagrees with the file name (867)",
        "About!B2",
    ),
    "quarter_disagrees": (
        lambda p: _edit(p, lambda wb: wb["About"].__setitem__("B4", "2024-25 Q2")),
        "quarter_mismatch",
        "disagrees with the folder",
        "About!B4",
    ),
    "submitted_in_future": (
        lambda p: _edit(p, lambda wb: wb["About"].__setitem__("B7", dt.datetime(2099, 1, 1))),
        "future_date",
        "in the future",
        "About!B7",
    ),
    "kpi_row_changed": (
        lambda p: _edit(p, lambda wb: wb["KPIs"].__setitem__("A5", "applicants")),
        "kpi_row",
        "expected indicator 'avg_applicants'",
        "KPIs!A5",
    ),
    "bad_file_name": (lambda p: _rename(p, "bracknell return Q3.xlsx"), "file_name", "file name must be", None),
    "fraction_in_count": (
        lambda p: _edit(p, _set_vac("Applicants", 2.5)),
        "type",
        "applicants must be a whole number, got 2.5",
        "Vacancies!H2",
    ),
    "not_a_financial_year": (
        lambda p: _edit(p, lambda wb: wb["About"].__setitem__("B4", "2024-26 Q3")),
        "quarter",
        "a quarter like 2024-25 Q1",
        "About!B4",
    ),
    "permanent_without_background": (
        lambda p: _edit(
            p,
            lambda wb: (
                _set_vac("Outcome", "filled permanently")(wb),
                _set_vac("Date filled", dt.datetime(2024, 12, 1))(wb),
                _set_vac("Appointee background", None)(wb),
            ),
        ),
        "permanent_has_background",
        "needs the appointee's background",
        "Vacancies!K2",
    ),
}


@pytest.fixture
def partition(tmp_path) -> Path:
    folder = tmp_path / "raw" / "hr_returns" / "2024-25_Q3"
    folder.mkdir(parents=True)
    for name in (VICTIM, "868_2024-25_Q3.xlsx", "869_2024-25_Q3.xlsx"):
        shutil.copy(FOLDER / name, folder / name)
    return folder


@pytest.mark.parametrize("case", sorted(MUTATIONS))
def test_bad_return_is_quarantined_with_a_located_reason(case, partition, tmp_path):
    mutate, _rule, text, where = MUTATIONS[case]
    mutate(partition / VICTIM)
    files = sorted(partition.iterdir())
    result = ingest_partition(SOURCE, QUARTER, files, raw_dir=tmp_path / "raw", lake_dir=tmp_path / "lake", run_id="t")
    ledger = result.files.set_index("file_path")
    bad = [p for p in ledger.index if not p.endswith(("868_2024-25_Q3.xlsx", "869_2024-25_Q3.xlsx"))]
    assert len(bad) == 1
    assert ledger.loc[bad[0], "status"] == "quarantined"
    problems = json.loads(ledger.loc[bad[0], "problems"])
    hit = [p for p in problems if text in p and (where is None or f": {where}" in p)]
    assert hit, f"no problem with {text!r} at {where!r} in {problems}"
    assert all(p.startswith(bad[0] + ": ") for p in problems)  # every line names the file
    # the good returns beside it still load, and nothing is silently dropped
    for good in ("868_2024-25_Q3.xlsx", "869_2024-25_Q3.xlsx"):
        row = ledger.loc[f"hr_returns/2024-25_Q3/{good}"]
        assert row["status"] == "loaded" and row["rows_loaded"] == row["rows_read"] > 0
    assert (ledger["rows_read"] == ledger["rows_loaded"] + ledger["rows_rejected"]).all()
    loaded_rows = sum(len(df) for name, df in result.tables.items() if name != "_files")
    assert loaded_rows == ledger.loc[ledger["status"] == "loaded", "rows_loaded"].sum()


def test_the_corpus_is_large_enough():
    assert len(MUTATIONS) >= 20


def test_same_file_twice_is_loaded_once(partition, tmp_path):
    shutil.copy(partition / VICTIM, partition / "867_2024-25_Q3_v2.xlsx")
    result = ingest_partition(
        SOURCE, QUARTER, sorted(partition.iterdir()), raw_dir=tmp_path / "raw", lake_dir=tmp_path / "lake", run_id="r1"
    )
    dup = result.files[result.files["file_path"].str.endswith("_v2.xlsx")].iloc[0]
    assert dup["status"] == "quarantined" and "same content (SHA-256)" in dup["problems"]


def test_reloading_unchanged_files_changes_nothing(partition, tmp_path):
    kw = dict(raw_dir=tmp_path / "raw", lake_dir=tmp_path / "lake")
    first = ingest_partition(SOURCE, QUARTER, sorted(partition.iterdir()), run_id="run-1", **kw)
    lake_bytes = {p: p.read_bytes() for p in (tmp_path / "lake" / "hr_returns" / "2024-25_Q3").glob("*.parquet")}
    second = ingest_partition(SOURCE, QUARTER, sorted(partition.iterdir()), run_id="run-2", **kw)
    assert set(second.files["run_id"]) == {"run-1"}  # still the run that first loaded them
    assert {p: p.read_bytes() for p in lake_bytes} == lake_bytes
    assert first.files.equals(second.files)


def test_validate_cli_names_file_sheet_and_cell(partition, tmp_path):
    MUTATIONS["shortlisted_gt_applicants"][0](partition / VICTIM)
    outside = tmp_path / VICTIM
    shutil.copy(partition / VICTIM, outside)  # an LA checks its return before sending it
    good = tmp_path / "868_2024-25_Q3.xlsx"
    shutil.copy(partition / "868_2024-25_Q3.xlsx", good)
    bad = subprocess.run(
        [sys.executable, "-m", "succession.cli", "validate", str(outside)], capture_output=True, text=True
    )
    assert bad.returncode == 1
    assert (
        bad.stdout.strip().splitlines()[0]
        == "867_2024-25_Q3.xlsx: Vacancies!I2: shortlisted (7) exceeds applicants (5)"
    )
    ok = subprocess.run([sys.executable, "-m", "succession.cli", "validate", str(good)], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
