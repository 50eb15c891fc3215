"""Issue 7: the HR rules spanning a workbook's sheets run once over a whole partition
(`HrReturnsSource.batch_checks`), and each file's frames are built without pandas' record
constructor (`table_columns`). Neither may change what is loaded or reported: a rule firing
in one file names that file only, and the frames are the ones the constructor would give.
Issue 15: a partition's files are joined column by column into one frame per table
(`concat_tables`), which must be the frame concatenating the files' frames gives."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import shutil
import warnings
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from succession.ingest import lineage as L
from succession.ingest.columns import Columns, as_frame, concat_tables
from succession.ingest.frames import table_columns
from succession.ingest.framework import FileRead, ingest_partition
from succession.ingest.hr_returns import SOURCE
from succession.paths import PROJECT_DIR

QUARTER = "2024-25 Q3"
FOLDER = PROJECT_DIR / "raw" / "hr_returns" / "2024-25_Q3"
NAMES = ("867_2024-25_Q3.xlsx", "868_2024-25_Q3.xlsx", "869_2024-25_Q3.xlsx", "870_2024-25_Q3.xlsx")


def _edit(path: Path, fn) -> None:
    wb = openpyxl.load_workbook(path)
    fn(wb)
    wb.save(path)


def test_batch_rules_name_only_the_file_they_fire_in(tmp_path):
    folder = tmp_path / "raw" / "hr_returns" / "2024-25_Q3"
    folder.mkdir(parents=True)
    for name in NAMES:
        shutil.copy(FOLDER / name, folder / name)
    first_ref = openpyxl.load_workbook(folder / NAMES[1])["Vacancies"]["A2"].value

    def dup_and_late(wb):  # 867: a campaign twice, and a vacancy dated after the quarter
        ws = wb["Vacancies"]
        ws.append([c.value for c in ws[2]])
        ws["E2"] = dt.datetime(2025, 2, 1)

    def filled_too_many(wb):  # 868: more posts filled than vacancies, tier 1
        wb["KPIs"]["C3"], wb["KPIs"]["C7"] = 1, 3

    def same_refs_as_868(wb):  # 869: another LA's campaign and post references are not duplicates
        wb["Vacancies"]["A2"] = first_ref
        wb["Workforce"]["A2"] = "868-DCS-01"

    _edit(folder / NAMES[0], dup_and_late)
    _edit(folder / NAMES[1], filled_too_many)
    _edit(folder / NAMES[2], same_refs_as_868)

    result = ingest_partition(
        SOURCE, QUARTER, sorted(folder.iterdir()), raw_dir=tmp_path / "raw", lake_dir=tmp_path / "lake", run_id="t"
    )
    ledger = result.files.set_index("file_path")
    problems = {Path(p).name: json.loads(ledger.loc[p, "problems"]) for p in ledger.index}
    base = "hr_returns/2024-25_Q3/"
    assert problems[NAMES[0]] == [
        f"{base}{NAMES[0]}: Vacancies!E2: vacancy_arose 01/02/2025 is after the end of 2024-25 Q3 (31/12/2024)",
        f"{base}{NAMES[0]}: Vacancies!A3: campaign_ref '867-REC-2025-003' appears on rows 2, 3",
    ]
    assert problems[NAMES[1]] == [
        f"{base}{NAMES[1]}: KPIs!C7: posts filled permanently (3) exceeds vacancies (1) for tier 1"
    ]
    assert problems[NAMES[2]] == [] and problems[NAMES[3]] == []
    assert list(ledger["status"]) == ["quarantined", "quarantined", "loaded", "loaded"]
    assert set(result.tables["vacancies"][L.SOURCE_FILE]) <= {base + NAMES[2], base + NAMES[3]}


# --- the frames: as pandas' record constructor makes them -------------------------------------

TS = pd.Timestamp(dt.date(2024, 5, 1))
CASES = {
    "typical": (["a", None, "b"], [TS, None, TS], [3, None, 4], [1.5, None, 2.0]),
    "all blank": ([None] * 3, [None] * 3, [None] * 3, [None] * 3),
    "whole": (["a", "b", "c"], [TS, TS, TS], [1, 2, 3], [1.0, 2.0, 3.0]),
    "odd types": ([1, "x", None], ["next week", TS, None], [True, 2, None], ["n/a", 1.0, None]),
    "fractions and text": (["a", "b", "c"], [dt.datetime(2024, 1, 1), TS, None], [2.5, 3, None], [1, 2.0, None]),
    "out of range": (
        ["a", "b", "c"],
        [pd.Timestamp("2500-01-01").as_unit("s"), TS, None],
        [2**60, 1, None],
        [float("inf"), 0.0, -0.0],
    ),
}


@pytest.mark.parametrize("n", [0, 3])
@pytest.mark.parametrize("case", sorted(CASES))
def test_table_frame_is_the_record_constructor_frame(case, n):
    columns = ["text", "date", "count", "value", L.ROW]
    data = [list(v[:n]) for v in CASES[case]] + [list(range(2, 2 + n))]
    kinds = ["object", "date", "integer", "number", "int"]
    constants = [("quarter_start", pd.Timestamp(dt.date(2024, 4, 1))), ("region_code", "E12000008")]
    read = FileRead("raw/x.csv", "ab" * 32)
    got = as_frame(table_columns(columns, data, kinds, n, read, "sheet", constants))
    want = pd.DataFrame([dict(zip(columns, row)) for row in zip(*data)] if n else [], columns=columns)
    for name, value in constants:
        want[name] = value
    want = L.stamp(want, source_file=read.rel, sha256=read.sha256, sheet="sheet")
    assert_frame_equal(got, want, check_exact=True)
    assert list(got.dtypes) == list(want.dtypes)


def _file_columns(case: str, rel: str, n: int = 3):
    columns = ["text", "date", "count", "value", L.ROW]
    data = [list(v[:n]) for v in JOINED[case]] + [list(range(2, 2 + n))]
    kinds = ["object", "date", "integer", "number", "int"]
    constants = [("quarter_start", pd.Timestamp(dt.date(2024, 4, 1))), ("region_code", "E12000008")]
    return table_columns(columns, data, kinds, n, FileRead(rel, "ab" * 32), "sheet", constants)


# each column of these: typed values, with blanks, all blank, whole numbers beside fractions
JOINED = {**CASES, "fractions": (["d", "e", "f"], [None, None, TS], [None, None, None], [0.5, 1.5, 2.5])}


@pytest.mark.parametrize("files", list(itertools.permutations(sorted(JOINED), 2)) + [tuple(sorted(JOINED))])
def test_a_partition_joined_by_column_is_the_concat_of_its_files_frames(files):
    parts = [_file_columns(case, f"raw/{i}.xlsx") for i, case in enumerate(files)]
    if set(files) <= {"typical", "all blank", "whole", "fractions"}:
        assert all(isinstance(p, Columns) for p in parts)  # the fast path is taken, not only the fallback
    got = concat_tables(parts)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        want = pd.concat([p.frame() if isinstance(p, Columns) else p for p in parts], ignore_index=True)
    assert_frame_equal(got, want, check_exact=True)
    assert list(got.dtypes) == list(want.dtypes)
    for column in want:  # None stays None, NaN stays NaN: the values the contract coerces
        assert [type(v) for v in got[column]] == [type(v) for v in want[column]]
