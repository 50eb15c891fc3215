"""Programme records: ingestion of the sample, contract rejections, and the marts built by a
real `dbt build` on a tiny hand-made set of records (expectations computed by hand)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import shutil
import subprocess
import textwrap
import warnings
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from succession.ingest import lake
from succession.ingest.framework import _LEDGER_COLUMNS, ingest_partition
from succession.ingest.programme import PLAN_SOURCE, SOURCE
from succession.paths import DBT_PROJECT_DIR, PROJECT_DIR
from succession.settings import Settings

warnings.filterwarnings("ignore", category=FutureWarning)

REGION = "E12000008"
SAMPLE_RAW = PROJECT_DIR / "raw"


def _ingest(source, raw: Path, lake_dir: Path) -> list:
    results = []
    for part, files in source.discover(raw).items():
        results.append(ingest_partition(source, part, files, raw_dir=raw, lake_dir=lake_dir, run_id="test"))
    return results


# --- the committed sample ----------------------------------------------------------------------


def test_sample_ingests_cleanly(tmp_path):
    assert (SAMPLE_RAW / "programme" / REGION).is_dir(), "the committed sample is missing: run the programme generator"
    raw = tmp_path / "raw"
    shutil.copytree(SAMPLE_RAW / "programme", raw / "programme")
    results = _ingest(SOURCE, raw, tmp_path / "lake") + _ingest(PLAN_SOURCE, raw, tmp_path / "lake")
    assert {r.partition for r in results} >= {"2023-24 Q1", "2024-25 Q4", "all"}
    for r in results:
        assert r.quarantined.empty, r.problems()
        assert (r.files["rows_read"] == r.files["rows_loaded"]).all()
    q4 = next(r for r in results if r.partition == "2024-25 Q4")
    with open(raw / "programme" / REGION / "2024-25_Q4" / "feedback.csv", encoding="utf-8") as f:
        assert len(q4.tables["feedback"]) == sum(1 for _ in f) - 1
    assert set(q4.tables["skills_audit"]["audit"]) == {"after"}
    assert (q4.tables["narrative"]["kind"] == "paragraph").sum() >= 2
    # pseudonymous ids only
    assert q4.tables["attendance"]["participant_id"].str.fullmatch(r"P-\d{4}").all()
    plan = next(r for r in results if r.partition == "all")
    assert len(plan.tables["plan_budget"]) == 2 * 6 * 4
    assert plan.tables["plan_budget"]["_cell"].str.match(r"budget_lines\[\d\]\.planned_gbp\.Q[1-4]").all()


# --- contract rejections -------------------------------------------------------------------------


def _write(path: Path, header: list[str], rows: list[list]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def test_bad_rows_are_rejected_with_file_row_and_column(tmp_path):
    raw = tmp_path / "raw"
    q = raw / "programme" / REGION / "2024-25_Q1"
    _write(
        q / "activities.csv",
        ["activity_id", "activity_type", "title", "start_date", "end_date", "provider", "budget_line", "cost_gbp"],
        [["A-1", "workshop", "Workshop", "2024-05-01", "2024-05-01", "College", "events", "-250"]],
    )
    _write(
        q / "feedback.csv",
        ["activity_id", "participant_id", "feedback_date", "rating"],
        [["A-1", "P-0001", "2024-05-02", "4"], ["A-1", "P-0002", "2024-05-02", "7"]],
    )
    _write(
        q / "attendance.csv",
        ["activity_id", "participant_id", "la_code", "tier", "attended_date"],
        [["A-1", "P-0001", "867", "2", "2024-05-01"], ["A-1", "P-0002", "999", "3", "2024-05-01"]],
    )
    _write(
        q / "career_events.csv",
        ["participant_id", "event_date", "event_type", "tier", "la_from", "la_to"],
        [["P-0001", "2024-07-15", "applied", "2", "", "867"]],
    )
    _write(
        q / "grant_ledger.csv",
        ["entry_ref", "entry_date", "entry_type", "budget_line", "amount_gbp", "description"],
        [["GL-1", "2024-04-10", "received", "", "50000", "grant"]],
    )
    results = _ingest(SOURCE, raw, tmp_path / "lake")
    (res,) = results
    problems = res.problems()
    bad = set(res.quarantined["file_path"])
    base = f"programme/{REGION}/2024-25_Q1/"
    assert bad == {base + f for f in ("activities.csv", "feedback.csv", "attendance.csv", "career_events.csv")}
    assert set(res.loaded["file_path"]) == {base + "grant_ledger.csv"}
    text = "\n".join(problems)
    # each names the file, the sheet/table, the cell (column letter + CSV line) and the column
    assert f"{base}feedback.csv: feedback!D3: rating must be a whole number from 1 to 5, got 7" in text, text
    assert f"{base}activities.csv: activities!H2: cost_gbp must be 0 or more, got -250.0" in text, text
    assert f"{base}attendance.csv: attendance!C3: la_code must be one of the 153 DfE LA codes, got '999'" in text, text
    assert (
        f"{base}career_events.csv: career_events!B2: event_date (15/07/2024) is outside the folder's quarter 2024-25 Q1 (01/04/2024 to 30/06/2024)"
        in text
    ), text
    # the good row of a bad file is not loaded either (files are quarantined whole)
    assert res.tables["feedback"].empty


def test_xlsx_record_is_read_like_csv(tmp_path):
    import openpyxl

    raw = tmp_path / "raw"
    folder = raw / "programme" / REGION / "2024-25_Q3"
    folder.mkdir(parents=True)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(
        ["activity_id", "activity_type", "title", "start_date", "end_date", "provider", "budget_line", "cost_gbp"]
    )
    ws.append(
        [
            "A-9",
            "Mentoring",
            "DCS mentoring",
            dt.date(2024, 10, 3),
            dt.date(2024, 11, 3),
            "College",
            "coaching_mentoring",
            1500,
        ]
    )
    ws.append(["A-9", "event", "Regional event", dt.date(2024, 10, 9), dt.date(2024, 10, 9), "College", "events", 800])
    wb.save(folder / "activities.xlsx")
    (res,) = _ingest(SOURCE, raw, tmp_path / "lake")
    assert res.problems() == [
        f"programme/{REGION}/2024-25_Q3/activities.xlsx: activities!A3: activity_id 'A-9' appears on lines 2, 3"
    ]
    ws.cell(3, 1, "A-10")
    wb.save(folder / "activities.xlsx")
    (res,) = _ingest(SOURCE, raw, tmp_path / "lake")
    assert res.quarantined.empty, res.problems()
    acts = res.tables["activities"]
    assert acts["activity_type"].tolist() == ["mentoring", "event"]  # codes matched whatever the case
    assert acts["start_date"].iloc[0] == pd.Timestamp("2024-10-03") and acts["_row"].tolist() == [2, 3]


def test_plan_missing_planned_spend_is_rejected(tmp_path):
    raw = tmp_path / "raw"
    plan = raw / "programme" / REGION / "plan_2024-25.yaml"
    plan.parent.mkdir(parents=True)
    plan.write_text(
        textwrap.dedent("""\
        region_code: E12000008
        financial_year: 2024-25
        grant_gbp: 100000
        budget_lines:
          - line: events
            label: Workshops and events
            planned_gbp: {Q1: 5000, Q2: 5000, Q3: 5000, Q4: 5000}
          - line: coaching_mentoring
            label: Coaching and mentoring
            planned_gbp:
              Q1: 10000
              Q2: 10000
              Q4: 10000
        milestones:
          - {id: M1, milestone: Plan agreed, due: 2024-05-15, status: complete, completed: 2024-05-10}
        targets:
          - {indicator: mean_rating, baseline: 3.5, target: 4.0, direction: higher}
          - {indicator: happiness, target: 10, direction: higher}
        """),
        encoding="utf-8",
    )
    (res,) = _ingest(PLAN_SOURCE, raw, tmp_path / "lake")
    text = "\n".join(res.problems())
    rel = f"programme/{REGION}/plan_2024-25.yaml"
    assert res.quarantined["file_path"].tolist() == [rel]
    assert f"{rel}: plan_budget!budget_lines[2].planned_gbp.Q3: planned_gbp is required but blank" in text, text
    assert f"{rel}: plan_targets!targets[2]: indicator must be one of:" in text, text
    # the YAML line is kept for the auditor
    problems = json.loads(res.quarantined["problems"].iloc[0])
    assert any("planned_gbp.Q3" in p for p in problems)


# --- dbt on hand-made records ------------------------------------------------------------------

TINY = {
    "2024-25_Q1": {
        "activities.csv": (
            ["activity_id", "activity_type", "title", "start_date", "end_date", "provider", "budget_line", "cost_gbp"],
            [["A-1", "workshop", "Workshop: risk", "2024-05-01", "2024-05-01", "College", "events", "1200"]],
        ),
        "attendance.csv": (
            ["activity_id", "participant_id", "la_code", "tier", "attended_date"],
            [["A-1", f"P-000{i}", "867", "3", "2024-05-01"] for i in range(1, 7)],
        ),
        "feedback.csv": (
            ["activity_id", "participant_id", "feedback_date", "rating"],
            [["A-1", f"P-000{i}", "2024-05-03", r] for i, r in zip(range(1, 6), (5, 4, 4, 3, 4))],
        ),
        "skills_audit.csv": (
            [
                "participant_id",
                "audit",
                "audit_date",
                "political_awareness",
                "working_with_elected_members",
                "risk",
                "commissioning",
                "finance",
                "partnership",
                "social_care_and_protection",
            ],
            [
                ["P-0001", "before", "2024-04-20", "", "", "2", "", "3", "", ""],
                ["P-0002", "before", "2024-04-21", "", "", "3", "", "", "", ""],
                ["P-0003", "before", "2024-04-22", "", "", "1", "", "", "", ""],
            ],
        ),
        "career_events.csv": (
            ["participant_id", "event_date", "event_type", "tier", "la_from", "la_to"],
            [
                ["P-0001", "2024-05-01", "applied", "2", "", "886"],
                ["P-0002", "2024-05-20", "applied", "2", "", "887"],
                ["P-0003", "2024-06-01", "acting up", "2", "", ""],
            ],
        ),
        "grant_ledger.csv": (
            ["entry_ref", "entry_date", "entry_type", "budget_line", "amount_gbp", "description"],
            [
                ["GL-1", "2024-04-10", "received", "", "50000", "First instalment"],
                ["GL-2", "2024-05-01", "spent", "coaching_mentoring", "6000", "Coaching"],
                ["GL-3", "2024-06-01", "spent", "coaching_mentoring", "5000", "Coaching"],
                ["GL-4", "2024-06-15", "spent", "events", "2000", "Workshop"],
            ],
        ),
    },
    "2024-25_Q2": {
        "skills_audit.csv": (
            [
                "participant_id",
                "audit",
                "audit_date",
                "political_awareness",
                "working_with_elected_members",
                "risk",
                "commissioning",
                "finance",
                "partnership",
                "social_care_and_protection",
            ],
            [
                ["P-0001", "after", "2024-09-01", "", "", "4", "", "3", "", ""],
                ["P-0002", "after", "2024-09-02", "", "", "4", "", "5", "", ""],
            ],
        ),
        "career_events.csv": (
            ["participant_id", "event_date", "event_type", "tier", "la_from", "la_to"],
            [["P-0004", "2024-08-01", "applied", "2", "", "886"], ["P-0005", "2024-08-02", "acting up", "2", "", ""]],
        ),
        "grant_ledger.csv": (
            ["entry_ref", "entry_date", "entry_type", "budget_line", "amount_gbp", "description"],
            [
                ["GL-5", "2024-08-01", "spent", "coaching_mentoring", "9000", "Coaching"],
                ["GL-6", "2024-09-01", "spent", "events", "1000", "Event"],
            ],
        ),
    },
}
TINY_PLAN = """\
region_code: E12000008
financial_year: 2024-25
grant_gbp: 100000
budget_lines:
  - line: coaching_mentoring
    label: Coaching and mentoring
    planned_gbp: {Q1: 10000, Q2: 10000, Q3: 10000, Q4: 10000}
  - line: events
    label: Workshops and events
    planned_gbp: {Q1: 5000, Q2: 5000, Q3: 5000, Q4: 5000}
milestones:
  - {id: M1, milestone: Plan agreed, due: 2024-05-15, status: complete, completed: 2024-05-10}
  - {id: M2, milestone: Coaching pool in place, due: 2024-06-30, status: late, completed: 2024-08-10}
targets:
  - {indicator: mean_rating, baseline: 3.5, target: 4.0, direction: higher}
  - {indicator: response_rate, baseline: 70, target: 90, direction: higher}
  - {indicator: skill_gain, baseline: 0.5, target: 1.5, direction: higher}
  - {indicator: applied, baseline: 1, target: 3, direction: higher}
  - {indicator: acting_up, target: 1, direction: lower}
"""


@pytest.fixture(scope="module")
def tiny_warehouse(tmp_path_factory) -> duckdb.DuckDBPyConnection:
    tmp = tmp_path_factory.mktemp("programme_dbt")
    raw, lake_dir = tmp / "raw", tmp / "lake"
    for key, files in TINY.items():
        for name, (header, rows) in files.items():
            _write(raw / "programme" / REGION / key / name, header, rows)
        (raw / "programme" / REGION / key / "narrative.md").write_text(
            f"# {key}\n\nThe programme continued.\n", encoding="utf-8"
        )
    (raw / "programme" / REGION / "plan_2024-25.yaml").write_text(TINY_PLAN, encoding="utf-8")
    for src in (SOURCE, PLAN_SOURCE):
        for r in _ingest(src, raw, lake_dir):
            assert r.quarantined.empty, r.problems()
    # level 4 reads Table one: the HR sample (committed, or generated if not there yet)
    from succession.ingest.hr_returns import SOURCE as HR

    hr_raw = SAMPLE_RAW if (SAMPLE_RAW / "hr_returns").is_dir() and any((SAMPLE_RAW / "hr_returns").iterdir()) else None
    if hr_raw is None:
        from succession.sample_data import SampleSpec, hr_returns

        hr_raw = tmp / "hr_raw"
        hr_returns.generate(hr_raw, SampleSpec.sample())
    _ingest(HR, hr_raw, lake_dir)
    # every other source gets its schema-only tables so dbt's globs match
    from succession.sources import sources

    empty_ledger = pd.DataFrame({c: pd.Series([], dtype=object) for c in _LEDGER_COLUMNS})
    for src in sources().values():
        if not (lake_dir / src.name).exists():
            lake.ensure_empty_tables(lake_dir, src.name, {**src.empty_tables(), "_files": empty_ledger})
    env = {**os.environ, "DBT_TARGET_PATH": str(tmp / "target"), "DBT_LOG_PATH": str(tmp / "logs")}
    dbt_vars = Settings.from_values(
        {"build_dir": tmp}
    ).dbt_vars_arg()  # lake: tmp/lake, warehouse: tmp/warehouse.duckdb
    dbt = PROJECT_DIR / ".venv" / "bin" / "dbt"
    run = subprocess.run(
        [str(dbt), "build", "--profiles-dir", ".", *dbt_vars],
        cwd=DBT_PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout[-5000:]
    con = duckdb.connect(str(tmp / "warehouse.duckdb"), read_only=True)
    yield con
    con.close()


def _one(con, sql, params=()):
    return con.execute(sql, list(params)).fetchone()


def test_grant_spend_to_date(tiny_warehouse):
    row = _one(
        tiny_warehouse,
        """select spent_this_quarter, spent_to_date, planned_to_date, remaining_plan from marts.fct_grant_spend
                             where quarter = '2024-25 Q2' and budget_line = 'coaching_mentoring'""",
    )
    assert row == (9000, 20000, 20000, 20000)  # 6000 + 5000 + 9000 against 2 x 10000; 40000 - 20000 left
    row = _one(
        tiny_warehouse,
        """select spent_to_date, remaining_plan from marts.fct_grant_spend where quarter = '2024-25 Q2' and budget_line = 'events'""",
    )
    assert row == (3000, 17000)
    row = _one(
        tiny_warehouse,
        """select spent_this_quarter, spent_to_date, planned_to_date, received_to_date, grant_gbp, remaining_grant
                             from marts.fct_grant_spend where quarter = '2024-25 Q2' and budget_line = 'all'""",
    )
    assert row == (10000, 23000, 30000, 50000, 100000, 77000)
    shown = dict(
        tiny_warehouse.execute("""select figure_id, value_shown from audit.fct_figures where figure_id in (
        'grant.spent_to_date.2024-25_Q2.E12000008.line_coaching_mentoring', 'grant.remaining_grant.2024-25_Q2.E12000008',
        'grant.spent_this_quarter.2024-25_Q1.E12000008')""").fetchall()
    )
    assert shown == {
        "grant.spent_to_date.2024-25_Q2.E12000008.line_coaching_mentoring": "20000",
        "grant.remaining_grant.2024-25_Q2.E12000008": "77000",
        "grant.spent_this_quarter.2024-25_Q1.E12000008": "13000",
    }
    # traceable to the ledger lines it was computed from
    n = _one(
        tiny_warehouse,
        """select count(*) from audit.fct_figure_sources s join audit.fct_raw_rows r using (_row_uid)
                           where s.figure_id = 'grant.spent_to_date.2024-25_Q2.E12000008.line_coaching_mentoring'
                             and r.source_table = 'grant_ledger'""",
    )[0]
    assert n == 3


def test_paired_skill_change(tiny_warehouse):
    rows = {
        r[0]: r[1:]
        for r in tiny_warehouse.execute(
            """select competency, paired_participants, mean_before, mean_after, mean_change, quarter
           from marts.fct_evaluation_learning where financial_year = '2024-25'"""
        ).fetchall()
    }
    # risk: P-0001 2->4, P-0002 3->4 (P-0003 has no after audit); finance: only P-0001 answered both (3->3)
    assert rows["risk"] == (2, 2.5, 4.0, 1.5, "2024-25 Q2")
    assert rows["finance"] == (1, 3.0, 3.0, 0.0, "2024-25 Q2")
    assert rows["all"][0] == 2 and rows["all"][3] == pytest.approx(1.0)  # (2 + 0 + 1) / 3 paired ratings
    assert "political_awareness" not in rows
    # audit coverage: 2 paired of 6 attendees in the year
    assert _one(tiny_warehouse, "select audit_coverage from marts.fct_evaluation_learning where competency = 'all'")[
        0
    ] == pytest.approx(100 * 2 / 6)
    # a mean on 2 paired participants is suppressed when published
    assert (
        _one(
            tiny_warehouse,
            "select value_shown from audit.fct_figures where figure_id = 'evaluation.level2.skill_gain.2024-25_Q2.E12000008.risk'",
        )[0]
        == "c"
    )


def test_ratings_against_targets(tiny_warehouse):
    got = {
        (q, i): (a, t, r)
        for q, i, a, t, r in tiny_warehouse.execute(
            "select quarter, indicator, actual, target, rating from marts.fct_evaluation_ratings"
        ).fetchall()
    }
    assert got[("2024-25 Q1", "mean_rating")][2] == "met"  # (5+4+4+3+4)/5 = 4.0 >= 4.0
    assert got[("2024-25 Q1", "mean_rating")][0] == pytest.approx(4.0)
    assert got[("2024-25 Q1", "response_rate")][2] == "near"  # 5/6 = 83.3% vs 90: within 10% (>= 81)
    assert got[("2024-25 Q2", "skill_gain")][2] == "not met"  # 1.0 vs 1.5: below 1.35
    assert got[("2024-25 Q1", "skill_gain")][2] == "no data"  # no after audit yet
    assert got[("2024-25 Q2", "audit_coverage")][2] == "no target"
    assert got[("2024-25 Q1", "applied")][2] == "not met"  # 2 year to date vs 3 (below 2.7)
    assert got[("2024-25 Q2", "applied")][2] == "met"  # 3 year to date
    assert got[("2024-25 Q1", "acting_up")][2] == "met"  # lower is better: 1 <= 1
    assert got[("2024-25 Q2", "acting_up")][2] == "not met"  # 2 > 1.1
    # the report prints the figures the ratings name
    ids = tiny_warehouse.execute("""select actual_figure_id, target_figure_id from marts.fct_evaluation_ratings
                               where quarter = '2024-25 Q1' and indicator = 'mean_rating'""").fetchone()
    shown = dict(
        tiny_warehouse.execute(
            "select figure_id, value_shown from audit.fct_figures where figure_id in (?, ?)", list(ids)
        ).fetchall()
    )
    assert shown == {ids[0]: "4.0", ids[1]: "4.0"}


def test_milestones_and_publish(tiny_warehouse):
    status = dict(
        tiny_warehouse.execute("""select milestone_id, status_at_quarter_end from marts.fct_programme_milestones
                                        where quarter = '2024-25 Q1'""").fetchall()
    )
    assert status == {"M1": "complete", "M2": "overdue"}
    assert (
        _one(
            tiny_warehouse,
            "select status_at_quarter_end from marts.fct_programme_milestones where quarter = '2024-25 Q2' and milestone_id = 'M2'",
        )[0]
        == "complete late"
    )
    # the region's row (England's, from fig_national, sits beside it in the same tidy file)
    pub = tiny_warehouse.execute("""select * from publish.pub_grant_spend where time_identifier = 'Financial year Q2'
                                    and budget_line = 'all' and geographic_level = 'Regional'""").df()
    assert len(pub) == 1
    assert pub[["spent_to_date", "received_to_date", "remaining_grant"]].iloc[0].tolist() == ["23000", "50000", "77000"]
    acts = tiny_warehouse.execute(
        "select activities, participants from publish.pub_programme_activities where activity_type = 'all'"
    ).fetchall()
    assert acts == [("1", "6")]  # activities held are not people: published in full (docs/DISCLOSURE.md)
    narrative = tiny_warehouse.execute(
        "select text from staging.stg_programme__narrative where kind = 'paragraph'"
    ).fetchall()
    assert narrative == [("The programme continued.",), ("The programme continued.",)]


def test_plan_indicators_agree_with_the_ratings_model():
    """Every indicator a plan may target is known, with the same level and unit, to fct_evaluation_ratings."""
    import re

    from contracts.programme import INDICATORS

    sql = (DBT_PROJECT_DIR / "models" / "marts" / "programme" / "fct_evaluation_ratings.sql").read_text(
        encoding="utf-8"
    )
    levels = {i: (int(lv), u) for i, lv, u in re.findall(r"\('(\w+)', (\d), '(\w+)'\)", sql)}
    for indicator, spec in INDICATORS.items():
        assert levels.get(indicator) == spec, indicator
