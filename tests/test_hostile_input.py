"""Issue 16 (parts 1-3, 5, 6): hostile and careless input. Every test builds its own
hostile file beside copies of the committed sample, and checks that the file costs only
its own quarantine, with a located reason, while its neighbours load."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import stat
import time
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from contracts import limits as LIM
from succession.ingest import guards, lake
from succession.ingest import lineage as L
from succession.ingest.framework import FILES_TABLE, UNSORTED, ingest_partition, record_strays
from succession.paths import PROJECT_DIR
from succession.sources import sources
from succession.validate import validate_paths

RAW = PROJECT_DIR / "raw"
QUARTER, QUARTER_FOLDER = "2024-25 Q3", "2024-25_Q3"
VICTIM, NEIGHBOURS = "867_2024-25_Q3.xlsx", ("868_2024-25_Q3.xlsx", "869_2024-25_Q3.xlsx")


# --- helpers -----------------------------------------------------------------------------------


@pytest.fixture
def hr(tmp_path) -> Path:
    """raw/hr_returns/2024-25_Q3 with three sample returns (the victim and two neighbours)."""
    folder = tmp_path / "raw" / "hr_returns" / QUARTER_FOLDER
    folder.mkdir(parents=True)
    for name in (VICTIM, *NEIGHBOURS):
        shutil.copy(RAW / "hr_returns" / QUARTER_FOLDER / name, folder / name)
    return folder


def _ingest(source: str, partition: str, raw: Path, files=None):
    src = sources()[source]
    if files is None:
        files = src.discover(raw)[partition]
    return ingest_partition(src, partition, files, raw_dir=raw, lake_dir=raw.parent / "lake", run_id="t", write=False)


def _ledger(result) -> dict[str, tuple[str, list[str]]]:
    return {r.file_path: (r.status, json.loads(r.problems)) for r in result.files.itertuples()}


def _only_victim_quarantined(result, victim: str) -> list[str]:
    """The victim's problems, after checking it alone is quarantined and the rest loaded."""
    ledger = _ledger(result)
    quarantined = {p for p, (status, _) in ledger.items() if status == "quarantined"}
    assert quarantined == {p for p in ledger if p.endswith(victim)}, ledger
    assert all(status == "loaded" for p, (status, _) in ledger.items() if not p.endswith(victim))
    return next(problems for p, (_, problems) in ledger.items() if p.endswith(victim))


def _edit(path: Path, fn) -> None:
    wb = openpyxl.load_workbook(path)
    fn(wb)
    wb.save(path)


def _vacancy_cell(wb, header: str, row: int = 2) -> str:
    for cell in wb["Vacancies"][1]:
        if cell.value == header:
            return f"{cell.column_letter}{row}"
    raise KeyError(header)


def _set(sheet: str, cell: str | None = None, value=None, header: str | None = None):
    def edit(wb):
        ref = cell or _vacancy_cell(wb, header)
        wb[sheet][ref] = value

    return edit


def _rezip(path: Path, change) -> None:
    """Rewrite a zip's members through ``change(name, data) -> data``."""
    with zipfile.ZipFile(path) as zf:
        members = [(i, zf.read(i.filename)) for i in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in members:
            zf.writestr(info.filename, change(info.filename, data))


def _sheet_member(path: Path, sheet: str) -> str:
    with zipfile.ZipFile(path) as zf:
        return guards._sheet_members(zf, "x")[sheet]


def _xml_cell(path: Path, sheet: str, ref: str, xml: bytes) -> None:
    """Put raw cell XML (e.g. an error value, a formula without its result) at ``ref``: the
    cell must exist; openpyxl cannot write these the way other generators do."""
    import re

    member = _sheet_member(path, sheet)

    def change(name, data):
        if name != member:
            return data
        pattern = re.compile(rb'<c r="' + ref.encode() + rb'"[^>]*?(?:/>|>.*?</c>)', re.S)
        assert pattern.search(data), ref
        return pattern.sub(xml.replace(b"@@", ref.encode()), data, count=1)

    _rezip(path, change)


# --- 1. values that cannot be read ---------------------------------------------------------------

# name -> (edit of the victim, rule, text in the message, where)
UNREADABLE = {
    "formula_without_value": (
        lambda p: _edit(p, _set("Vacancies", header="Applicants", value="=3+4")),
        "formula_without_value",
        "formula saved without its calculated value",
        "Vacancies!H2",
    ),
    "kpi_formula_without_value": (
        lambda p: _edit(p, _set("KPIs", "C3", "=SUM(C4:C5)")),
        "formula_without_value",
        "formula",
        "KPIs!C3",
    ),
    "error_na_in_kpi": (lambda p: _edit(p, _set("KPIs", "D3", "#N/A")), "error_value", "#N/A", "KPIs!D3"),
    "error_div0_in_count": (
        lambda p: _edit(p, _set("Vacancies", header="Shortlisted", value="#DIV/0!")),
        "error_value",
        "#DIV/0!",
        "Vacancies!I2",
    ),
    "error_ref_in_date": (
        lambda p: _xml_cell(p, "Vacancies", "E2", b'<c r="@@" t="e"><f>A1/0</f><v>#REF!</v></c>'),
        "error_value",
        "#REF!",
        "Vacancies!E2",
    ),
    "error_in_about": (lambda p: _edit(p, _set("About", "B7", "#VALUE!")), "error_value", "#VALUE!", "About!B7"),
    "boolean_in_count": (
        lambda p: _edit(p, _set("Vacancies", header="Applicants", value=True)),
        "boolean_value",
        "boolean (TRUE)",
        "Vacancies!H2",
    ),
    "boolean_in_text": (
        lambda p: _edit(p, _set("Vacancies", header="Post title", value=False)),
        "boolean_value",
        "boolean (FALSE)",
        "Vacancies!C2",
    ),
    "boolean_in_kpi": (lambda p: _edit(p, _set("KPIs", "C4", True)), "boolean_value", "boolean", "KPIs!C4"),
    "inf_text_in_kpi": (
        lambda p: _edit(p, _set("KPIs", "C3", "inf")),
        "unreadable_value",
        "must be a finite number: found 'inf'",
        "KPIs!C3",
    ),
    "huge_text_in_kpi": (
        lambda p: _edit(p, _set("KPIs", "D4", "1e999")),
        "unreadable_value",
        "finite number",
        "KPIs!D4",
    ),
    "nan_text_in_count": (
        lambda p: _edit(p, _set("Vacancies", header="Applicants", value="NaN")),
        "unreadable_value",
        "finite number",
        "Vacancies!H2",
    ),
    "minus_infinity_in_years": (
        lambda p: _edit(p, _set("Workforce", "F2", "-Infinity")),
        "unreadable_value",
        "finite number",
        "Workforce!F2",
    ),
    "huge_number_cell": (
        lambda p: _xml_cell(p, "KPIs", "C5", b'<c r="@@"><v>1e999</v></c>'),
        "non_finite",
        "not finite",
        "KPIs!C5",
    ),
    "us_date_text": (
        lambda p: _edit(p, _set("Vacancies", header="Date vacancy arose", value="10/13/2024")),
        "unreadable_value",
        "documented format",
        "Vacancies!E2",
    ),
    "date_in_1066": (
        lambda p: _edit(p, _set("Vacancies", header="Date vacancy arose", value="14/10/1066")),
        "unreadable_value",
        "between 1900 and 2100",
        "Vacancies!E2",
    ),
    "date_cell_in_1850": (
        lambda p: _edit(p, _set("Vacancies", header="Advert opened", value=dt.datetime(1850, 1, 1))),
        "unreadable_value",
        "must be a date",
        "Vacancies!F2",
    ),
    "duplicated_header": (
        lambda p: _edit(p, _set("Vacancies", "M1", "Applicants")),
        "duplicate_header",
        "'Applicants' appears twice",
        "Vacancies!M1",
    ),
    "duplicated_header_other_case": (
        lambda p: _edit(p, _set("Workforce", "I1", " tier ")),
        "duplicate_header",
        "appears twice",
        "Workforce!I1",
    ),
}


@pytest.mark.parametrize("case", sorted(UNREADABLE))
def test_unreadable_value_is_a_located_problem_and_costs_only_its_file(case, hr):
    edit, _rule, text, where = UNREADABLE[case]
    edit(hr / VICTIM)
    problems = _only_victim_quarantined(_ingest("hr_returns", QUARTER, hr.parent.parent), VICTIM)
    assert any(text in p and f": {where}:" in p for p in problems), problems
    # `succession validate` says the same
    assert any(text in p and f": {where}:" in p for p in validate_paths([hr / VICTIM]))


def test_uk_date_text_is_read_day_first(hr):
    """03/04/2025 is 3 April under the documented dd/mm/yyyy, never 4 March."""
    _edit(hr / VICTIM, _set("Vacancies", header="Advert opened", value="03/09/2024"))
    result = _ingest("hr_returns", QUARTER, hr.parent.parent)
    vac = result.tables["vacancies"]
    row = vac[(vac[L.SOURCE_FILE].str.endswith(VICTIM)) & (vac[L.ROW] == 2)]
    assert row["advert_opened"].iloc[0] == pd.Timestamp("2024-09-03")


def test_blank_cells_still_load_as_blank(hr):
    """The neighbour of every rule above: a truly empty optional cell is not a problem."""
    _edit(hr / VICTIM, _set("Vacancies", header="Shortlisted", value=None))
    assert not _ingest("hr_returns", QUARTER, hr.parent.parent).problems()


def _programme_quarter(tmp_path) -> Path:
    raw = tmp_path / "raw"
    shutil.copytree(RAW / "programme" / "E12000008" / "2024-25_Q1", raw / "programme" / "E12000008" / "2024-25_Q1")
    return raw


def _csv_to_xlsx(csv_path: Path, edit=None) -> Path:
    df = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(list(df.columns))
    for row in df.itertuples(index=False):
        ws.append(list(row))
    if edit:
        edit(ws)
    out = csv_path.with_suffix(".xlsx")
    wb.save(out)
    csv_path.unlink()
    return out


@pytest.mark.parametrize(
    "value, rule", [(True, "boolean_value"), ("=1/0", "formula_without_value"), ("#NUM!", "error_value")]
)
def test_programme_workbook_unreadable_cells(tmp_path, value, rule):
    raw = _programme_quarter(tmp_path)
    _csv_to_xlsx(
        raw / "programme" / "E12000008" / "2024-25_Q1" / "activities.csv", lambda ws: ws.__setitem__("H3", value)
    )
    problems = _only_victim_quarantined(_ingest("programme", "2024-25 Q1", raw), "activities.xlsx")
    assert any(rule_text in p for p in problems for rule_text in ("!H3:",)), problems


def test_programme_csv_us_date_and_duplicate_header(tmp_path):
    raw = _programme_quarter(tmp_path)
    folder = raw / "programme" / "E12000008" / "2024-25_Q1"
    text = (folder / "feedback.csv").read_text().splitlines()
    text[1] = text[1].replace("2024-05-08", "05/13/2024")
    (folder / "feedback.csv").write_text("\n".join(text) + "\n")
    lines = (folder / "attendance.csv").read_text().splitlines()
    (folder / "attendance.csv").write_text("\n".join([lines[0] + ",tier"] + [line + ",1" for line in lines[1:]]) + "\n")
    ledger = _ledger(_ingest("programme", "2024-25 Q1", raw))
    assert {p.rsplit("/", 1)[1] for p, (s, _) in ledger.items() if s == "quarantined"} == {
        "feedback.csv",
        "attendance.csv",
    }
    feedback = next(v[1] for p, v in ledger.items() if p.endswith("feedback.csv"))
    assert any("feedback!C2" in p and "documented format" in p and "05/13/2024" in p for p in feedback), feedback
    attendance = next(v[1] for p, v in ledger.items() if p.endswith("attendance.csv"))
    assert any("'tier' appears twice" in p and "attendance!F1" in p for p in attendance), attendance


def _survey_copy(tmp_path) -> Path:
    raw = tmp_path / "raw"
    shutil.copytree(RAW / "survey", raw / "survey")
    return raw


@pytest.mark.usefixtures("pseudonym_key_set")
@pytest.mark.parametrize(
    "xml, rule",
    [
        (b'<c r="@@" t="e"><v>#N/A</v></c>', "error_value"),
        (b'<c r="@@"><f>1+1</f></c>', "formula_without_value"),
        (b'<c r="@@" t="b"><v>1</v></c>', "boolean_value"),
    ],
)
def test_survey_workbook_unreadable_cells(tmp_path, xml, rule):
    raw = _survey_copy(tmp_path)
    path = raw / "survey" / "2024-25_W1" / "responses_telephone.xlsx"
    sheet = openpyxl.load_workbook(path, read_only=True).sheetnames[0]
    _xml_cell(path, sheet, "A4", xml)
    problems = _only_victim_quarantined(_ingest("survey", "2024-25_W1", raw), "responses_telephone.xlsx")
    assert any(f"{sheet}!A4:" in p for p in problems), problems


@pytest.mark.usefixtures("pseudonym_key_set")
def test_survey_duplicated_question_header(tmp_path):
    raw = _survey_copy(tmp_path)
    path = raw / "survey" / "2024-25_W1" / "responses_online.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    import csv

    rows = list(csv.reader(lines))
    last_q = max(j for j, h in enumerate(rows[0]) if h)
    for r in rows:
        r.append(r[last_q])
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    problems = _only_victim_quarantined(_ingest("survey", "2024-25_W1", raw), "responses_online.csv")
    assert any("appears twice" in p for p in problems), problems


@pytest.mark.usefixtures("pseudonym_key_set")
def test_coding_sheet_workbook_unreadable_cells_and_duplicate_header(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(RAW / "interviews", raw / "interviews")
    path = raw / "interviews" / "2024-25_W1" / "coding_coder_b.xlsx"
    _edit(path, lambda wb: wb.worksheets[0].__setitem__("B3", "=NOW()"))
    problems = _only_victim_quarantined(_ingest("interviews", "2024-25_W1", raw), "coding_coder_b.xlsx")
    assert any("formula_without_value" not in p and "!B3:" in p and "formula" in p for p in problems), problems
    csv_path = raw / "interviews" / "2024-25_W1" / "coding_coder_a.csv"
    lines = csv_path.read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(",")
    csv_path.write_text(
        "\n".join([lines[0] + "," + header[0]] + [line + ",x" for line in lines[1:]]) + "\n", encoding="utf-8"
    )
    ledger = _ledger(_ingest("interviews", "2024-25_W1", raw))
    problems = next(v[1] for p, v in ledger.items() if p.endswith("coding_coder_a.csv"))
    assert any("appears twice" in p for p in problems), problems


# --- 2. one file never breaks the run or other files ----------------------------------------------


def test_a_column_failure_without_a_row_is_pinned_on_its_own_file(hr):
    """A value no datetime64[ns] can hold (1066, slipped past the readers) makes pandera fail
    the whole column: only the file holding it is quarantined."""
    from contracts.hr_return import SCHEMAS
    from succession.ingest.framework import validate_batch

    result = _ingest("hr_returns", QUARTER, hr.parent.parent)
    about = result.tables["about"].copy()
    about["date_submitted"] = about["date_submitted"].astype(object)
    victim = about[L.SOURCE_FILE].str.endswith(VICTIM)
    about.loc[victim, "date_submitted"] = dt.datetime(1066, 10, 14)
    _, problems = validate_batch("about", about, SCHEMAS["about"], {})
    assert problems and {p.file for p in problems} == set(about.loc[victim, L.SOURCE_FILE])


def test_blank_kpi_in_the_reconciliation_does_not_crash_the_check(tmp_path):
    import duckdb

    from orchestration.automation.checks import evaluate_reconciliation
    from succession.paths import ProjectPaths

    paths = ProjectPaths(tmp_path / "raw", tmp_path / "build")
    paths.warehouse.parent.mkdir(parents=True)
    with duckdb.connect(str(paths.warehouse)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.fct_table_one_reconciliation as select '2024-25 Q3' as quarter, '867' as la_code, '1' as tier, "
            "'vacancies' as indicator, null::double as reported_value, 2.0 as computed_value, 'C3' as reported_cell, "
            "'x.xlsx' as file_path, false as agrees"
        )
    result = evaluate_reconciliation(paths)
    assert result["disagreements"] == 1 and "KPIs sheet blank (C3) vs 2" in result["quarters"]["2024-25 Q3"][0]


def test_last_cell_of_the_sheet_is_refused_before_the_grid_is_allocated(hr):
    _edit(hr / VICTIM, _set("Workforce", "XFD1048576", 1))
    start = time.perf_counter()
    problems = _only_victim_quarantined(_ingest("hr_returns", QUARTER, hr.parent.parent), VICTIM)
    assert time.perf_counter() - start < 20
    assert any("limit_sheet" not in p and "Workforce" in p and "row 1,048,576" in p and "XFD" in p for p in problems), (
        problems
    )


def test_rows_and_columns_limits(hr, monkeypatch):
    monkeypatch.setattr(LIM, "MAX_SHEET_ROWS", 5)
    problems = _ingest("hr_returns", QUARTER, hr.parent.parent).problems()
    assert any("Workforce: the used range reaches row" in p and "over the limits of 5 rows" in p for p in problems), (
        problems
    )
    monkeypatch.setattr(LIM, "MAX_SHEET_ROWS", 1_048_576)
    _edit(hr / VICTIM, _set("Vacancies", "AAA2", "x"))
    monkeypatch.setattr(LIM, "MAX_SHEET_COLUMNS", 100)
    problems = _only_victim_quarantined(_ingest("hr_returns", QUARTER, hr.parent.parent), VICTIM)
    assert any("column AAA" in p for p in problems), problems


def _layout(hr: Path, outside: Path) -> None:
    """Every awkward entry at once, beside three good returns."""
    root = hr.parent
    (root / "misc").mkdir()
    (root / "misc" / "867_2024-25_Q3.xlsx").write_bytes((hr / VICTIM).read_bytes())
    (root / "README.txt").write_text("notes")
    outside.mkdir()
    shutil.copy(hr / VICTIM, outside / "867_2024-25_Q4.xlsx")
    (root / "2024-25_Q4").symlink_to(outside, target_is_directory=True)  # a symlinked quarter folder
    (hr / "870_2024-25_Q3.xlsx").symlink_to(outside / "867_2024-25_Q4.xlsx")  # a link out of raw/
    (hr / "871_2024-25_Q3.xlsx").symlink_to(hr / NEIGHBOURS[0])  # a link to a file beside it
    (hr / "999_2024-25_Q3.xlsx").mkdir()  # a folder named like a workbook
    (hr / "notes.txt").write_text("hello")
    shutil.copy(hr / NEIGHBOURS[1], hr / "872_2024-25_Q3.xlsx\n")  # a name ending in a newline


def test_awkward_entries_are_reported_and_skipped(hr, tmp_path):
    raw = hr.parent.parent
    _layout(hr, tmp_path / "outside")
    src = sources()["hr_returns"]
    assert set(src.discover(raw)) == {QUARTER}  # nothing crashes, the link is not followed
    result = _ingest("hr_returns", QUARTER, raw)
    ledger = _ledger(result)
    status = {p.rsplit("/", 1)[1]: s for p, (s, _) in ledger.items()}
    assert status == {
        VICTIM: "loaded",
        NEIGHBOURS[0]: "loaded",
        NEIGHBOURS[1]: "loaded",
        "870_2024-25_Q3.xlsx": "quarantined",
        "871_2024-25_Q3.xlsx": "quarantined",
        "999_2024-25_Q3.xlsx": "quarantined",
        "notes.txt": "quarantined",
        "872_2024-25_Q3.xlsx\n": "quarantined",
    }
    reasons = {p.rsplit("/", 1)[1]: " ".join(ps) for p, (_, ps) in ledger.items()}
    assert "symbolic link" in reasons["870_2024-25_Q3.xlsx"] and "symbolic link" in reasons["871_2024-25_Q3.xlsx"]
    assert "folder" in reasons["999_2024-25_Q3.xlsx"] and "control characters" in reasons["872_2024-25_Q3.xlsx\n"]
    assert "file name must be" in reasons["notes.txt"]
    assert "duplicate" not in reasons[NEIGHBOURS[0]]  # the link's target is not a duplicate of itself
    # entries beside the quarter folders: the _unsorted ledger, which dbt's glob reads into audit.fct_files
    lake_dir = tmp_path / "lake"
    strays = record_strays(src, raw, lake_dir, "t")
    assert sorted(strays["file_path"]) == ["hr_returns/2024-25_Q4", "hr_returns/README.txt", "hr_returns/misc"]
    assert (lake.read_partition_table(lake_dir, "hr_returns", UNSORTED, FILES_TABLE)["status"] == "quarantined").all()
    (raw / "hr_returns" / "misc" / "867_2024-25_Q3.xlsx").unlink()
    (raw / "hr_returns" / "misc").rmdir()
    (raw / "hr_returns" / "README.txt").unlink()
    (raw / "hr_returns" / "2024-25_Q4").unlink()
    record_strays(src, raw, lake_dir, "t")
    assert lake.read_partition_table(lake_dir, "hr_returns", UNSORTED, FILES_TABLE) is None


def test_awkward_entries_in_wave_and_programme_folders(tmp_path):
    raw = _programme_quarter(tmp_path)
    region = raw / "programme" / "E12000008"
    (region / "old").mkdir()
    (region / "budget.xlsx").write_text("x")
    (raw / "programme" / "stray.csv").write_text("x")
    (region / "2024-25_Q1" / "activities.csv").rename(tmp_path / "activities.csv")
    (region / "2024-25_Q1" / "activities.csv").symlink_to(tmp_path / "activities.csv")
    strays = {p.name for p, _ in sources()["programme"].strays(raw)}
    assert strays == {"old", "budget.xlsx", "stray.csv"}
    ledger = _ledger(_ingest("programme", "2024-25 Q1", raw))
    assert ledger["programme/E12000008/2024-25_Q1/activities.csv"][0] == "quarantined"
    # its neighbours (every other record of the quarter) load
    assert [k for k, (s, _) in ledger.items() if s != "loaded"] == ["programme/E12000008/2024-25_Q1/activities.csv"]
    assert len(ledger) >= 7
    survey = tmp_path / "s" / "raw"
    shutil.copytree(RAW / "survey", survey / "survey")
    (survey / "survey" / "notes.txt").write_text("x")
    (survey / "survey" / "2024-25_W2").symlink_to(survey / "survey" / "2024-25_W1", target_is_directory=True)
    assert {p.name for p, _ in sources()["survey"].strays(survey)} == {"notes.txt", "2024-25_W2"}
    waves = {p.name for p in (RAW / "survey").iterdir() if p.is_dir()}
    assert "2024-25_W2" not in waves and set(sources()["survey"].discover(survey)) == waves  # the link is not a wave


# --- 3. resource limits -----------------------------------------------------------------------------


def _alias_bomb(levels: int = 9, width: int = 9) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    "source, partition, target",
    [
        ("survey", "2024-25_W1", "survey/2024-25_W1/instrument.yaml"),
        ("interviews", "2024-25_W1", "interviews/2024-25_W1/codebook.yaml"),
        ("programme_plan", "all", "programme/E12000008/plan_2024-25.yaml"),
    ],
)
def test_yaml_alias_bomb_is_refused_fast(tmp_path, source, partition, target):
    raw = tmp_path / "raw"
    top = target.split("/")[0]
    shutil.copytree(RAW / top, raw / top)
    original = (raw / target).read_text()
    (raw / target).write_text(_alias_bomb() + original)
    start = time.perf_counter()
    result = _ingest(source, partition, raw)
    assert time.perf_counter() - start < 10
    ledger = _ledger(result)
    assert ledger[target][0] == "quarantined"
    assert any("aliases" in p for p in ledger[target][1]), ledger[target]
    if source == "programme_plan":  # the other region's, year's plan still loads
        assert ledger["programme/E12000008/plan_2023-24.yaml"][0] == "loaded"


def test_a_few_aliases_are_fine():
    assert guards.safe_load_yaml("base: &b {x: 1}\nuse: [*b, *b]\n", "t") == {
        "base": {"x": 1},
        "use": [{"x": 1}, {"x": 1}],
    }
    with pytest.raises(guards.YamlLimit):
        guards.safe_load_yaml("a: &a [*a]\n" if False else _alias_bomb(7, 10), "t")


def test_oversized_instrument_is_refused_before_parsing(tmp_path):
    raw = _survey_copy(tmp_path)
    path = raw / "survey" / "2024-25_W1" / "instrument.yaml"
    with open(path, "a") as f:
        f.write(("# padding " + "x" * 1000 + "\n") * 50_000)  # ~50 MB
    start = time.perf_counter()
    ledger = _ledger(_ingest("survey", "2024-25_W1", raw))
    assert time.perf_counter() - start < 10
    assert all(s == "quarantined" for s, _ in ledger.values())  # the exports cannot be read without it
    assert any("over the limit of 1.0 MiB" in p for p in ledger["survey/2024-25_W1/instrument.yaml"][1])


def _deflated(n: int) -> bytes:
    return b" " * n


def test_xlsx_sheet_inflating_far_beyond_its_size_is_refused(hr):
    """A 1 MB workbook whose sheet inflates ~1000x: refused from the zip directory, nothing inflated."""
    member = _sheet_member(hr / VICTIM, "Workforce")
    _rezip(
        hr / VICTIM,
        lambda name, data: (
            data.replace(b"<sheetData>", b"<sheetData>" + _deflated(LIM.ZIP_RATIO_MIN_BYTES * 2))
            if name == member
            else data
        ),
    )
    assert (hr / VICTIM).stat().st_size < 1_000_000
    start = time.perf_counter()
    problems = _only_victim_quarantined(_ingest("hr_returns", QUARTER, hr.parent.parent), VICTIM)
    assert time.perf_counter() - start < 10
    assert any("limit_zip" not in p and "inflates" in p and "over the limit of 200x" in p for p in problems), problems


@pytest.mark.usefixtures("pseudonym_key_set")
def test_qdpx_member_inflating_far_beyond_its_size_is_refused(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(RAW / "interviews", raw / "interviews")
    path = raw / "interviews" / "2024-25_W1" / "interviews_qualcoder.qdpx"
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("sources/padding.txt", _deflated(LIM.ZIP_RATIO_MIN_BYTES * 2))
    problems = _only_victim_quarantined(_ingest("interviews", "2024-25_W1", raw), "interviews_qualcoder.qdpx")
    assert any("sources/padding.txt" in p and "inflates" in p for p in problems), problems


def test_zip_member_reading_stops_at_the_declared_size(tmp_path, monkeypatch):
    path = tmp_path / "z.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("m", b"x" * 3_000_000)
    monkeypatch.setattr(LIM, "MAX_ZIP_MEMBER_BYTES", 1_000_000)
    with zipfile.ZipFile(path) as zf:
        assert guards.zip_problems(zf, "z.zip")
        with pytest.raises(guards.LimitExceeded):
            guards.read_member(zf, "m", "z.zip")


def test_file_size_limit(hr, monkeypatch):
    monkeypatch.setattr(LIM, "MAX_FILE_BYTES", (hr / NEIGHBOURS[0]).stat().st_size // 2)
    problems = _ingest("hr_returns", QUARTER, hr.parent.parent).problems()
    assert len([p for p in problems if "over the limit" in p]) == 3


def test_100000_bad_rows_finish_fast_with_capped_problems(tmp_path):
    raw = _programme_quarter(tmp_path)
    path = raw / "programme" / "E12000008" / "2024-25_Q1" / "feedback.csv"
    header = path.read_text().splitlines()[0]
    path.write_text(header + "\n" + "".join(f"A-{i:05d},P-{i:05d},2024-05-08,eleven\n" for i in range(100_000)))
    start = time.perf_counter()
    result = _ingest("programme", "2024-25 Q1", raw)
    assert time.perf_counter() - start < 40  # ~12 s here: reading and validating 100,000 rows, not reporting them
    row = result.files[result.files["file_path"].str.endswith("feedback.csv")].iloc[0]
    problems = json.loads(row["problems"])
    assert row["status"] == "quarantined" and len(problems) == LIM.MAX_PROBLEMS_PER_FILE + 1
    assert row["problem_count"] == 200_000  # a rating that is not a number, a participant id of 5 digits: every row
    assert problems[-1].endswith(
        f"and {200_000 - LIM.MAX_PROBLEMS_PER_FILE:,} more problem(s) not listed (limit {LIM.MAX_PROBLEMS_PER_FILE} per file)"
    )
    assert (
        ": feedback!D2: rating must be a whole number, got 'eleven'" in problems[0]
    )  # the first rows are the ones listed
    not_loaded = result.files.loc[result.files["status"] != "loaded", "file_path"]
    assert list(not_loaded) == [row["file_path"]] and len(result.files) >= 7  # its neighbours load


def test_limits_are_documented():
    doc = (PROJECT_DIR / "contracts" / "limits.md").read_text()
    for name in [n for n in dir(LIM) if n.startswith(("MAX_", "ZIP_"))]:
        assert f"`{name}`" in doc, name


# --- 5. encodings -------------------------------------------------------------------------------


@pytest.mark.usefixtures("pseudonym_key_set")
@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_survey_export_is_read(tmp_path, encoding):
    raw = _survey_copy(tmp_path)
    path = raw / "survey" / "2024-25_W1" / "responses_online.csv"
    before = _ingest("survey", "2024-25_W1", raw)
    text = path.read_bytes().decode("utf-8-sig")
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    path.write_bytes(data)
    after = _ingest("survey", "2024-25_W1", raw)
    assert after.problems() == []
    n = lambda r: (r.tables["respondents"][L.SOURCE_FILE] == "survey/2024-25_W1/responses_online.csv").sum()  # noqa: E731
    assert n(after) == n(before) > 0
    row = after.files[after.files["file_path"].str.endswith("responses_online.csv")].iloc[0]
    assert json.loads(row["meta"])["encoding"] == encoding[:6]


@pytest.mark.usefixtures("pseudonym_key_set")
def test_utf16_without_bom_is_named(tmp_path):
    raw = _survey_copy(tmp_path)
    path = raw / "survey" / "2024-25_W1" / "responses_online.csv"
    path.write_bytes(path.read_bytes().decode("utf-8-sig").encode("utf-16-le"))
    problems = _only_victim_quarantined(_ingest("survey", "2024-25_W1", raw), "responses_online.csv")
    assert any("UTF-16" in p for p in problems) and not any("Respondent ID" in p for p in problems), problems


@pytest.mark.usefixtures("pseudonym_key_set")
def test_utf16_coding_sheet_is_read(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(RAW / "interviews", raw / "interviews")
    path = raw / "interviews" / "2024-25_W1" / "coding_coder_a.csv"
    before = _ingest("interviews", "2024-25_W1", raw).tables["codings"]
    path.write_bytes(path.read_bytes().decode("utf-8-sig").encode("utf-16"))
    after = _ingest("interviews", "2024-25_W1", raw)
    assert after.problems() == []
    assert len(after.tables["codings"]) == len(before)


# --- 6. the development pseudonym key is for the bundled sample only ----------------------------------


@pytest.fixture
def no_key(monkeypatch):
    from succession.ingest import pseudonym

    monkeypatch.delenv(pseudonym.KEY_ENV, raising=False)
    monkeypatch.delenv(pseudonym.KEY_FILE_ENV, raising=False)


def test_manifest_lists_the_bundled_sample():
    from succession.ingest.pseudonym import bundled_sample_hashes

    files = [*RAW.glob("survey/*/responses_*"), *RAW.glob("interviews/*/coding_*"), *RAW.glob("interviews/*/*.qdpx")]
    assert files and {L.sha256_file(f) for f in files} == set(bundled_sample_hashes())


@pytest.mark.usefixtures("no_key")
def test_a_copy_of_the_sample_loads_with_the_development_key(tmp_path):
    raw = _survey_copy(tmp_path)
    assert _ingest("survey", "2024-25_W1", raw).problems() == []


@pytest.mark.usefixtures("no_key")
def test_a_survey_that_is_not_the_sample_needs_a_configured_key(tmp_path, monkeypatch):
    raw = _survey_copy(tmp_path)
    path = raw / "survey" / "2024-25_W1" / "responses_online.csv"
    path.write_bytes(path.read_bytes() + b"\n")  # any other content
    problems = _only_victim_quarantined(_ingest("survey", "2024-25_W1", raw), "responses_online.csv")
    assert any("SUCCESSION_PSEUDONYM_KEY" in p and "not the bundled sample" in p for p in problems), problems
    key_file = tmp_path / "key"
    key_file.write_text("a-real-secret\n")
    monkeypatch.setenv("SUCCESSION_PSEUDONYM_KEY_FILE", str(key_file))
    assert _ingest("survey", "2024-25_W1", raw).problems() == []


@pytest.mark.usefixtures("no_key")
def test_a_coding_sheet_that_is_not_the_sample_needs_a_configured_key(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(RAW / "interviews", raw / "interviews")
    path = raw / "interviews" / "2024-25_W1" / "coding_coder_a.csv"
    path.write_bytes(path.read_bytes() + b"\n")
    problems = _only_victim_quarantined(_ingest("interviews", "2024-25_W1", raw), "coding_coder_a.csv")
    assert any("not the bundled sample" in p for p in problems), problems


# --- the lake is owner-only ----------------------------------------------------------------------------


def test_lake_files_and_folders_are_owner_only(tmp_path):
    old = os.umask(0o022)
    try:
        lake_dir = tmp_path / "lake"
        lake.write_partition(lake_dir, "src", "2024-25 Q1", {"t": pd.DataFrame({"a": [1]})})
        lake.ensure_empty_tables(lake_dir, "src", {"t": pd.DataFrame({"a": [1]})})
        lake.write_partition(lake_dir, "src", "2024-25 Q1", {"t": pd.DataFrame({"a": [2]})})  # replaced
    finally:
        os.umask(old)
    for p in [lake_dir, *lake_dir.rglob("*")]:
        mode = stat.S_IMODE(p.stat().st_mode)
        assert mode == (0o700 if p.is_dir() else 0o600), (p, oct(mode))


@pytest.mark.usefixtures("pseudonym_key_set")
def test_survey_timestamps_outside_the_documented_formats_or_range(tmp_path):
    import csv

    raw = _survey_copy(tmp_path)
    path = raw / "survey" / "2024-25_W1" / "responses_online.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    start = next(j for j, h in enumerate(rows[0]) if h.strip().lower() == "start date")
    rows[2][start] = "13/01/2025 10:00"  # day first: not how SurveyMonkey writes it
    rows[3][start] = "01/01/1066 10:00:00 AM"
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    problems = _only_victim_quarantined(_ingest("survey", "2024-25_W1", raw), "responses_online.csv")
    letter = chr(ord("A") + start)
    assert any(f"responses!{letter}3:" in p and "SurveyMonkey" in p for p in problems), problems
    assert any(f"responses!{letter}4:" in p and "between 1900 and 2100" in p for p in problems), problems
