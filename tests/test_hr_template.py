"""The HR return template writer and the sample HR returns generator."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from contracts.hr_return import (
    ABOUT_FIELDS,
    ABOUT_SHEET,
    FILE_PATTERN,
    KPI_FIRST_ROW,
    KPI_INDICATORS,
    KPI_TIER_COLUMNS,
    KPIS_SHEET,
    SHEETS,
    TABLE_SHEETS,
    TIER_LABELS,
    TIERS,
    VACANCIES,
    VACANCIES_SCHEMA,
    WORKFORCE,
    WORKFORCE_SCHEMA,
)
from succession.periods import FinancialQuarter
from succession.sample_data import SampleSpec, hr_returns
from succession.sample_data.hr_returns import kpis_from_vacancies
from succession.templates.hr_return import write_hr_return

Q = FinancialQuarter(2024, 1)  # 2024-25 Q1: 1 April to 30 June 2024
D = dt.date


def _sheet(path: Path, name: str) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()


def _blank(v):
    return None if v == "" else v


# --- the template ------------------------------------------------------------------------------


def test_empty_template_has_the_contract_layout(tmp_path):
    path = write_hr_return(tmp_path / "t.xlsx", "867", Q)
    assert path == tmp_path / "t.xlsx"
    wb = CalamineWorkbook.from_path(str(path))
    assert wb.sheet_names == list(SHEETS) == ["About", "KPIs", "Vacancies", "Workforce"]

    ox = openpyxl.load_workbook(path)
    about = ox[ABOUT_SHEET]
    for fld in ABOUT_FIELDS:
        row = int(fld.cell[1:])
        assert about.cell(row=row, column=1).value == fld.label
    assert about["B2"].value == "867"
    assert about["B3"].value == "Bracknell Forest"
    assert about["B4"].value == "2024-25 Q1"
    assert about["B5"].value is None and about["B6"].value is None and about["B7"].value is None
    notes = " ".join(str(c.value) for row in about.iter_rows(min_row=9) for c in row if c.value)
    assert "867_2024-25_Q1.xlsx" in notes and "867_2024-25_Q1_v2.xlsx" in notes
    assert re.match(FILE_PATTERN, "867_2024-25_Q1.xlsx") and re.match(FILE_PATTERN, "867_2024-25_Q1_v2.xlsx")

    kpis = _sheet(path, KPIS_SHEET)
    assert kpis[1][:2] == ["Indicator code", "Indicator"]
    for tier, col in KPI_TIER_COLUMNS.items():
        assert ox[KPIS_SHEET][f"{col}2"].value == TIER_LABELS[tier]
    for i, (code, label) in enumerate(KPI_INDICATORS):
        assert ox[KPIS_SHEET].cell(row=KPI_FIRST_ROW + i, column=1).value == code
        assert ox[KPIS_SHEET].cell(row=KPI_FIRST_ROW + i, column=2).value == label
        for col in KPI_TIER_COLUMNS.values():
            assert ox[KPIS_SHEET][f"{col}{KPI_FIRST_ROW + i}"].value is None

    for sheet in TABLE_SHEETS:
        rows = _sheet(path, sheet.sheet)
        assert rows == [[c.header for c in sheet.columns]]
        assert ox[sheet.sheet].freeze_panes == "A2"


def _validations(ws) -> dict[str, object]:
    """Column letter -> the data validation covering rows 2..1000 of it."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            if rng.min_col == rng.max_col and rng.min_row == 2 and rng.max_row >= 1000:
                out[openpyxl.utils.get_column_letter(rng.min_col)] = dv
    return out


@pytest.mark.parametrize("sheet", TABLE_SHEETS, ids=lambda s: s.sheet)
def test_template_validates_every_coded_integer_and_date_column(tmp_path, sheet):
    path = write_hr_return(tmp_path / "t.xlsx", "886", "2023-24 Q4")
    dvs = _validations(openpyxl.load_workbook(path)[sheet.sheet])
    for j, col in enumerate(sheet.columns, start=1):
        letter = openpyxl.utils.get_column_letter(j)
        if col.kind == "code":
            dv = dvs[letter]
            assert dv.type == "list"
            assert dv.formula1.strip('"').split(",") == list(col.codes)
        elif col.kind == "integer":
            assert dvs[letter].type == "whole" and dvs[letter].operator == "greaterThanOrEqual"
            assert dvs[letter].formula1 == "0"
        elif col.kind == "date":
            assert dvs[letter].type == "date"
        if col.help:
            assert dvs[letter].prompt.startswith(col.help)
            assert dvs[letter].showInputMessage


def test_contract_codes_reach_the_outcome_drop_down(tmp_path):
    path = write_hr_return(tmp_path / "t.xlsx", "886", Q)
    dvs = _validations(openpyxl.load_workbook(path)[VACANCIES.sheet])
    outcome = dvs["J"]  # Outcome is the 10th column
    assert VACANCIES.columns[9].name == "outcome"
    assert (
        outcome.formula1
        == '"in progress,filled permanently,filled on an interim basis,not filled,readvertised,withdrawn"'
    )


VAC_ROW = {
    "campaign_ref": "867-REC-2024-007",
    "post_ref": "867-AD-03",
    "post_title": "Assistant Director, SEND",
    "tier": "2",
    "vacancy_arose": D(2024, 2, 14),
    "advert_opened": D(2024, 3, 1),
    "advert_closed": D(2024, 4, 5),
    "applicants": 7,
    "shortlisted": 3,
    "outcome": "filled permanently",
    "appointee_background": "other LA",
    "date_filled": D(2024, 5, 20),
}
WF_ROW = {
    "post_ref": "867-DCS-01",
    "tier": "1",
    "age_band": "55-59",
    "gender": "female",
    "ethnic_group": "White",
    "years_in_post": 4,
    "interim_or_agency": "no",
    "retiring_within_two_years": "yes",
}


def test_filled_workbook_round_trips(tmp_path):
    blank_row = {
        **VAC_ROW,
        "campaign_ref": "867-REC-2024-009",
        "advert_closed": None,
        "applicants": None,
        "shortlisted": None,
        "outcome": "in progress",
        "appointee_background": None,
        "date_filled": None,
    }
    path = write_hr_return(
        tmp_path / "867_2024-25_Q1.xlsx",
        "867",
        Q,
        contact={"name": "Jordan Example", "email": "jordan.example@bracknell-forest.example.gov.uk"},
        date_submitted=D(2024, 7, 19),
        kpis={"vacancies": {"1": 0, "2": 1}, "avg_applicants": {"2": 7.0}, "active_contacts": {"1": 2, "2": 5}},
        vacancies=[VAC_ROW, blank_row],
        workforce=pd.DataFrame([WF_ROW]),
    )
    about = {r[0]: r[1] for r in _sheet(path, ABOUT_SHEET)[1:7]}
    assert about == {
        "DfE LA code": "867",
        "Local authority": "Bracknell Forest",
        "Quarter": "2024-25 Q1",
        "Contact name": "Jordan Example",
        "Contact e-mail": "jordan.example@bracknell-forest.example.gov.uk",
        "Date submitted": D(2024, 7, 19),
    }
    kpis = {r[0]: (_blank(r[2]), _blank(r[3])) for r in _sheet(path, KPIS_SHEET)[KPI_FIRST_ROW - 1 :]}
    assert kpis["vacancies"] == (0, 1)
    assert kpis["avg_applicants"] == (None, 7.0)
    assert kpis["active_contacts"] == (2, 5)
    assert kpis["readvertised"] == (None, None)

    vac = _sheet(path, VACANCIES.sheet)
    got = [dict(zip([c.name for c in VACANCIES.columns], map(_blank, r))) for r in vac[1:]]
    assert got == [VAC_ROW, blank_row]  # 7 == 7.0: calamine reads numbers as floats
    wf = _sheet(path, WORKFORCE.sheet)
    assert dict(zip([c.name for c in WORKFORCE.columns], wf[1])) == WF_ROW

    ox = openpyxl.load_workbook(path)
    assert ox[ABOUT_SHEET]["B7"].is_date and ox[ABOUT_SHEET]["B7"].number_format == "dd/mm/yyyy"
    e2 = ox[VACANCIES.sheet]["E2"]
    assert e2.is_date and e2.number_format == "dd/mm/yyyy" and e2.value == dt.datetime(2024, 2, 14)
    assert ox[VACANCIES.sheet]["H2"].data_type == "n" and ox[VACANCIES.sheet]["H2"].value == 7
    assert ox[VACANCIES.sheet]["D2"].value == "2"  # codes are text
    assert ox[WORKFORCE.sheet]["F2"].value == 4


def test_unknown_la_is_rejected(tmp_path):
    with pytest.raises(ValueError, match="999"):
        write_hr_return(tmp_path / "x.xlsx", "999", Q)
    assert not (tmp_path / "x.xlsx").exists()


def test_bad_codes_are_rejected(tmp_path):
    with pytest.raises(ValueError, match="outcome"):
        write_hr_return(tmp_path / "x.xlsx", "867", Q, vacancies=[{**VAC_ROW, "outcome": "appointed"}])
    with pytest.raises(ValueError, match="kpis"):
        write_hr_return(tmp_path / "x.xlsx", "867", Q, kpis={"vacancy": {"1": 1}})


def test_same_input_gives_the_same_bytes(tmp_path):
    a = write_hr_return(tmp_path / "a.xlsx", "867", Q, date_submitted=D(2024, 7, 19), vacancies=[VAC_ROW])
    b = write_hr_return(tmp_path / "b.xlsx", "867", Q, date_submitted=D(2024, 7, 19), vacancies=[VAC_ROW])
    assert a.read_bytes() == b.read_bytes()


# --- KPIs from Vacancies rows (expected values worked out by hand) -------------------------------------


def _row(ref, post, tier, arose, opened, closed, applicants, shortlisted, outcome, filled=None, background=None):
    return {
        "campaign_ref": ref,
        "post_ref": post,
        "post_title": "x",
        "tier": tier,
        "vacancy_arose": arose,
        "advert_opened": opened,
        "advert_closed": closed,
        "applicants": applicants,
        "shortlisted": shortlisted,
        "outcome": outcome,
        "appointee_background": background,
        "date_filled": filled,
    }


HAND_ROWS = [
    # tier 2
    _row("C1", "P1", "2", D(2023, 11, 1), D(2023, 12, 1), D(2024, 1, 5), 6, 3, "readvertised"),
    _row(
        "C2",
        "P1",
        "2",
        D(2023, 11, 1),
        D(2024, 4, 10),
        D(2024, 5, 8),
        4,
        2,
        "filled permanently",
        D(2024, 6, 3),
        "other LA",
    ),
    _row("C3", "P2", "2", D(2024, 5, 15), D(2024, 6, 20), None, None, None, "in progress"),
    _row(
        "C4", "P3", "2", D(2024, 2, 1), D(2024, 3, 1), D(2024, 4, 2), 5, 2, "filled on an interim basis", D(2024, 5, 1)
    ),
    _row(
        "C5",
        "P4",
        "2",
        D(2023, 9, 1),
        D(2023, 10, 1),
        D(2023, 11, 1),
        9,
        4,
        "filled permanently",
        D(2024, 3, 15),
        "internal",
    ),  # filled before the quarter: not a vacancy in it
    # tier 1
    _row("C7", "D1", "1", D(2024, 4, 20), D(2024, 5, 1), D(2024, 5, 29), 3, 1, "not filled"),
    _row("C8", "D1", "1", D(2024, 4, 20), D(2024, 6, 17), None, 1, None, "in progress"),
]


def test_kpis_from_hand_made_rows():
    got = kpis_from_vacancies(HAND_ROWS, Q)
    assert got == {
        # P1 (filled in the quarter), P2, P3 (interim cover) | D1
        "vacancies": {"1": 1, "2": 3},
        # C7, C8 | C2, C3
        "posts_advertised": {"1": 2, "2": 2},
        # closed in the quarter: C7 (3) | C2 (4), C4 (5): 9 / 2
        "avg_applicants": {"1": 3.0, "2": 4.5},
        "avg_shortlisted": {"1": 1.0, "2": 2.0},
        # C2
        "filled_permanent": {"1": 0, "2": 1},
        # C7 not filled | C4 interim
        "advertised_not_filled": {"1": 1, "2": 1},
        # C8 (D1 advertised in May) | C2 (P1 advertised in December)
        "readvertised": {"1": 1, "2": 1},
    }


def test_kpi_averages_round_half_up_and_accept_dataframe_values():
    rows = [
        _row(
            f"C{i}",
            f"P{i}",
            2.0,
            pd.Timestamp("2024-01-01"),
            pd.Timestamp("2024-04-01"),
            pd.Timestamp("2024-05-01"),
            n,
            float("nan"),
            "in progress",
        )
        for i, n in enumerate([2, 2, 3, 2])
    ]
    got = kpis_from_vacancies(rows, Q)
    assert got["avg_applicants"] == {"1": None, "2": 2.3}  # 9 / 4 = 2.25
    assert got["avg_shortlisted"] == {"1": None, "2": None}
    assert got["vacancies"] == {"1": 0, "2": 4}
    assert got["advertised_not_filled"] == {"1": 0, "2": 0}


# --- the sample generator ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> tuple[Path, list[Path]]:
    raw = tmp_path_factory.mktemp("raw")
    return raw, hr_returns.generate(raw, SampleSpec.sample())


def _about(path: Path) -> dict:
    return {r[0]: r[1] for r in _sheet(path, ABOUT_SHEET)[1:7]}


def test_sample_files_one_per_la_and_quarter_less_missing_plus_resubmission(sample):
    raw, paths = sample
    spec = SampleSpec.sample()
    assert len(spec.las) == 19 and len(spec.quarters) == 8
    assert len(paths) == 19 * 8 - 1 + 1
    assert sorted(paths) == sorted((raw / "hr_returns").glob("*/*.xlsx"))
    for p in paths:
        m = re.match(FILE_PATTERN, p.name)
        assert m and p.parent.name == m["quarter"]
    la, q = hr_returns.MISSING_RETURN
    assert not (raw / "hr_returns" / q / f"{la}_{q}.xlsx").exists()
    la, q = hr_returns.RESUBMITTED_RETURN
    assert (raw / "hr_returns" / q / f"{la}_{q}.xlsx").exists()
    assert (raw / "hr_returns" / q / f"{la}_{q}_v2.xlsx").exists()
    assert [p.name for p in paths if "_v" in p.name] == [f"{la}_{q}_v2.xlsx"]


def test_sample_submission_dates(sample):
    _, paths = sample
    late = []
    for p in paths:
        m = re.match(FILE_PATTERN, p.name)
        q = FinancialQuarter.parse(m["quarter"])
        about = _about(p)
        assert about["DfE LA code"] == m["la"] and about["Quarter"] == q.label
        assert about["Contact e-mail"].endswith(".example.gov.uk") and about["Contact name"]
        days = (about["Date submitted"] - q.end).days
        if days > 30:
            late.append((m["la"], m["quarter"]))
        elif not m["version"]:
            assert 10 <= days <= 28
    assert late == [hr_returns.LATE_RETURN]
    la, q = hr_returns.RESUBMITTED_RETURN
    v1 = _about(paths[0].parent.parent / q / f"{la}_{q}.xlsx")
    v2 = _about(paths[0].parent.parent / q / f"{la}_{q}_v2.xlsx")
    assert v2["Date submitted"] > v1["Date submitted"]
    assert (v2["Date submitted"] - FinancialQuarter.parse(q).end).days <= 30


def test_resubmission_corrects_one_value(sample):
    raw, _ = sample
    la, q = hr_returns.RESUBMITTED_RETURN
    v1, v2 = raw / "hr_returns" / q / f"{la}_{q}.xlsx", raw / "hr_returns" / q / f"{la}_{q}_v2.xlsx"
    diffs = []
    for sheet in SHEETS:
        a, b = _sheet(v1, sheet), _sheet(v2, sheet)
        assert len(a) == len(b)
        for i, (ra, rb) in enumerate(zip(a, b)):
            diffs += [(sheet, i, j, x, y) for j, (x, y) in enumerate(zip(ra, rb)) if x != y]
    assert [d[0] for d in diffs] == ["About", "Vacancies"]
    _, _, col, wrong, right = diffs[1]
    assert VACANCIES.columns[col].name == hr_returns.RESUBMISSION_CORRECTION[1]
    assert wrong == right + hr_returns.RESUBMISSION_ERROR


def test_sample_rows_meet_the_contract_and_kpis_agree_except_the_planted_mismatches(sample):
    _, paths = sample
    disagreements = []
    for p in paths:
        m = re.match(FILE_PATTERN, p.name)
        q = FinancialQuarter.parse(m["quarter"])
        tables = {}
        for sheet in TABLE_SHEETS:
            rows = _sheet(p, sheet.sheet)
            assert rows[0] == [c.header for c in sheet.columns]
            tables[sheet.name] = pd.DataFrame(
                [[_blank(v) for v in r] for r in rows[1:]], columns=[c.name for c in sheet.columns]
            )
        vac, wf = tables["vacancies"], tables["workforce"]
        VACANCIES_SCHEMA.validate(vac)
        WORKFORCE_SCHEMA.validate(wf)
        for col in ("vacancy_arose", "advert_opened", "advert_closed", "date_filled"):
            assert (pd.to_datetime(vac[col]).dropna() <= pd.Timestamp(q.end)).all(), (p.name, col)
        assert set(wf["tier"]) <= {"1", "2", "3"} and wf["post_ref"].is_unique
        assert (wf["tier"] == "1").sum() <= 1

        calc = kpis_from_vacancies(vac.to_dict("records"), q)
        sheet = {
            r[0]: dict(zip(TIERS, (_blank(r[2]), _blank(r[3])))) for r in _sheet(p, KPIS_SHEET)[KPI_FIRST_ROW - 1 :]
        }
        for code, by_tier in calc.items():
            for tier in TIERS:
                if by_tier[tier] != sheet[code][tier]:
                    disagreements.append((m["la"], m["quarter"], code, tier, sheet[code][tier] - by_tier[tier]))
        assert all(v is not None for v in sheet["active_contacts"].values())
    assert sorted(disagreements) == sorted(hr_returns.KPI_MISMATCHES)


def test_sample_is_realistic_enough(sample):
    _, paths = sample
    by_quarter: dict[str, float] = {}
    blanks = interim_blank_background = 0
    wf = []
    for p in paths:
        if "_v" in p.name:
            continue
        q = re.match(FILE_PATTERN, p.name)["quarter"]
        kp = {r[0]: r for r in _sheet(p, KPIS_SHEET)[KPI_FIRST_ROW - 1 :]}
        by_quarter[q] = by_quarter.get(q, 0) + kp["vacancies"][2] + kp["vacancies"][3]
        for r in _sheet(p, VACANCIES.sheet)[1:]:
            blanks += r[5] != "" and r[7] == ""
            interim_blank_background += r[9] == "filled on an interim basis" and r[10] == ""
        wf += _sheet(p, WORKFORCE.sheet)[1:]
    assert all(6 <= n <= 25 for n in by_quarter.values()), by_quarter
    assert blanks > 0 and interim_blank_background > 0
    female = sum(r[3] == "female" for r in wf) / len(wf)
    white = sum(r[4] == "White" for r in wf) / len(wf)
    assert 0.6 < female < 0.8 and 0.8 < white < 0.95
    retiring = [r for r in wf if r[7] == "yes"]
    assert (
        retiring and sum(r[2] in ("55-59", "60 and over", "prefer not to say") for r in retiring) / len(retiring) > 0.9
    )


def test_generator_is_deterministic_to_the_byte(sample, tmp_path):
    raw, paths = sample
    again = hr_returns.generate(tmp_path, SampleSpec.sample())
    assert [p.relative_to(tmp_path) for p in again] == [p.relative_to(raw) for p in paths]
    for a, b in zip(paths, again):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_no_oddities_means_every_return_once_and_kpis_agree(tmp_path):
    spec = SampleSpec(las=SampleSpec.sample().las[:3], quarters=SampleSpec.sample().quarters[:4], oddities=False)
    paths = hr_returns.generate(tmp_path, spec)
    assert len(paths) == 12 and not any("_v" in p.name for p in paths)
    for p in paths:
        q = FinancialQuarter.parse(re.match(FILE_PATTERN, p.name)["quarter"])
        rows = _sheet(p, VACANCIES.sheet)
        vac = [dict(zip([c.name for c in VACANCIES.columns], map(_blank, r))) for r in rows[1:]]
        calc = kpis_from_vacancies(vac, q)
        sheet = {
            r[0]: dict(zip(TIERS, (_blank(r[2]), _blank(r[3])))) for r in _sheet(p, KPIS_SHEET)[KPI_FIRST_ROW - 1 :]
        }
        assert all(calc[k] == sheet[k] for k in calc), p.name
        assert 10 <= (_about(p)["Date submitted"] - q.end).days <= 28


def test_oddities_have_stand_ins_outside_the_sample_region():
    spec = SampleSpec.national(19, 8)  # North East and beyond: none of the sample's LAs
    plan = hr_returns.oddity_plan(spec)
    slots = [plan.missing, plan.late, plan.resubmitted, *[m[:2] for m in plan.kpi_mismatches]]
    assert None not in slots and len(set(slots)) == len(slots) == 6
    codes, keys = {la.old_la_code for la in spec.las}, {q.key for q in spec.quarters}
    assert all(la in codes and q in keys for la, q in slots)
    assert hr_returns.oddity_plan(SampleSpec.sample()) == hr_returns.OddityPlan(
        hr_returns.MISSING_RETURN, hr_returns.LATE_RETURN, hr_returns.RESUBMITTED_RETURN, hr_returns.KPI_MISMATCHES
    )
