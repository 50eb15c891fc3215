"""Issue 5: any published figure traces to raw cells, files and runs; rebuilds are reproducible."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import openpyxl
import pytest

from succession.ingest.lineage import sha256_file
from succession.paths import ProjectPaths
from succession.trace import UnknownFigureError, trace


def _a_table_one_figure(warehouse) -> str:
    return warehouse.execute(
        """select figure_id from audit.fct_figures where table_id = 'table_one' and geographic_level = 'Local authority'
           and indicator = 'posts_advertised' and value >= 1 order by value desc, figure_id limit 1"""
    ).fetchone()[0]


def test_trace_table_one_figure_to_raw_rows(sample_build, warehouse):
    fid = _a_table_one_figure(warehouse)
    t = trace(sample_build, fid, unsuppressed=True)  # small LA counts are suppressed: the auditor's view
    value = warehouse.execute("select value from audit.fct_figures where figure_id = ?", [fid]).fetchone()[0]
    assert t.figure["source_model"] == "fct_table_one"
    names = [m["name"] for m in t.models]
    assert {"int_table_one__contributions", "stg_hr_returns__vacancies", "fct_table_one"} <= set(names)
    assert "hr_returns.vacancies" in t.sources
    # posts advertised counts campaigns: one contributing Vacancies cell (the campaign reference) per campaign
    assert len(t.rows) == value and all(
        r["sheet"] == "Vacancies" and r["row"] >= 2 and r["cell"] == f"A{r['row']}" for r in t.rows
    )
    assert t.place["la_name"] and t.place["la_name"] in t.place["description"] and "England" in t.place["description"]
    assert t.indicator["definition"].startswith("Recruitment campaigns whose advert opened")
    assert t.arithmetic[0].startswith(f"{int(value)} distinct campaign")
    for f in t.files:
        assert sha256_file(sample_build.raw_dir / f["file_path"]) == f["file_sha256"]
        assert f["run_id"] and f["loaded_at"]
    text = t.to_text()
    assert fid in text and "sha256" in text and "Vacancies!A" in text and t.indicator["definition"] in text


def test_models_are_listed_in_dependency_order(sample_build, warehouse):
    """Not a chain: every model comes after every model it reads (a topological order)."""
    from succession.trace import Lineage, _manifest

    t = trace(sample_build, _a_table_one_figure(warehouse))
    manifest = _manifest(sample_build)
    position = {m["unique_id"]: i for i, m in enumerate(t.models)}
    for m in t.models:
        for parent in manifest["nodes"][m["unique_id"]].get("depends_on", {}).get("nodes", []):
            if parent in position:
                assert position[parent] < position[m["unique_id"]], (parent, m["name"])
    assert [m["name"] for m in t.models][-2:] == ["fig_table_one", "fct_figures"]
    assert all(m["description"] for m in t.models)
    assert Lineage(manifest).models_for("fct_table_one") == (t.models, t.sources)


def test_trace_region_aggregate_lists_every_contributing_row(sample_build, warehouse):
    fid = "table_one.active_contacts.2024-25_Q4.E12000008.tier_2"
    t = trace(sample_build, fid, unsuppressed=True)  # LA cells of 1-2 are suppressed: an auditor's view lists them all
    assert len({r["file_path"] for r in t.rows}) == 19  # every LA's KPIs cell
    assert all(r["sheet"] == "KPIs" and r["cell"].startswith("D") and r["role"] == "summed" for r in t.rows)
    assert json.loads(t.to_json())["contributions"][0]["row_uid"]
    text = t.to_text()
    assert "more (use --json" in text and "UNSUPPRESSED VIEW" in text
    value = warehouse.execute("select value from audit.fct_figures where figure_id = ?", [fid]).fetchone()[0]
    assert sum(float(r["value"]) for r in t.rows) == value
    assert t.arithmetic[0].endswith(f"= {int(value)}")


def test_trace_shows_superseded_submission(sample_build, warehouse):
    fid = warehouse.execute(
        "select figure_id from audit.fct_figures where figure_id like 'table_one.vacancies.2024-25_Q1.%.tier_2' "
        "and new_la_code = (select new_la_code from marts.dim_local_authorities where old_la_code = '931')"
    ).fetchone()[0]
    t = trace(sample_build, fid, unsuppressed=True)
    assert {f["file_path"].rsplit("/", 1)[1] for f in t.files} == {"931_2024-25_Q1_v2.xlsx"}
    assert [s["file_path"].rsplit("/", 1)[1] for s in t.superseded] == ["931_2024-25_Q1.xlsx"]
    assert "superseded by" in t.to_text()


def test_trace_survey_percentage(sample_build, warehouse):
    # a shown percentage with rows to list: one whose rows also make up a suppressed figure (a
    # withheld breakdown's cell) withholds them
    row = warehouse.execute(
        """select figure_id from audit.fct_figures as f
           where table_id like 'survey%' and unit = 'percent' and not suppressed and value > 0
             and not exists (
                 select 1 from audit.fct_figure_source_rows as s
                 inner join audit.fct_figure_source_rows as o on o._row_uid = s._row_uid and o.via_figure_id is null
                 inner join audit.fct_figures as x on x.figure_id = o.figure_id and x.suppressed
                 where s.figure_id = f.figure_id and s.via_figure_id is null
             )
           order by figure_id limit 1"""
    ).fetchone()
    if row is None:
        pytest.skip("no survey figures in this build")
    t = trace(sample_build, row[0])
    assert t.rows and all(r["source"] == "survey" for r in t.rows) and not t.withheld["any"]
    for f in t.files:
        assert sha256_file(sample_build.raw_dir / f["file_path"]) == f["file_sha256"]
    # a CSV export has rows and columns, no sheet: `row 8, column O`, never an invented `responses!O8`
    for r in t.rows:
        if r["file_path"].endswith(".csv"):
            assert r["sheet"] is None and r["location"].startswith(f"row {r['row']}, column {r['column_letter']}")
    assert "responses!" not in t.to_text()


def test_figure_source_references_name_figures_with_direct_rows(warehouse):
    """A stored reference ("role R: every row of figure V") names a figure that has direct rows of
    its own, never only another reference, and is never half a direct row."""
    bad = warehouse.execute(
        """select r.figure_id, r.via_figure_id from audit.fct_figure_source_rows r
           where r.via_figure_id is not null and (r._row_uid is not null or not exists (
               select 1 from audit.fct_figure_source_rows v where v.figure_id = r.via_figure_id and v.via_figure_id is null))"""
    ).fetchall()
    assert not bad, bad[:5]
    references = warehouse.execute(
        "select count(*) from audit.fct_figure_source_rows where via_figure_id is not null"
    ).fetchone()[0]
    assert references  # the survey percents' denominators are stored as references
    direct_nulls = warehouse.execute(
        "select count(*) from audit.fct_figure_source_rows where via_figure_id is null and _row_uid is null"
    ).fetchone()[0]
    assert direct_nulls == 0


def _denominator_rows(warehouse, figure_id: str) -> list:
    return warehouse.execute(
        "select _row_uid from audit.fct_figure_sources where figure_id = ? and role = 'denominator' order by 1",
        [figure_id],
    ).fetchall()


def test_survey_percent_denominator_is_its_groups_answer_rows(warehouse):
    """Through the expanded view, a by-group survey percent's denominator is every answer row to
    its question by the group's respondents, and a theme percent's is every open answer to its
    question: both recomputed here from staging, not from the figure models."""
    fid = warehouse.execute(
        "select figure_id from audit.fct_figures where starts_with(figure_id, 'survey.by.percent.') "
        "and starts_with(split_part(figure_id, '.', 6), 'gender_') order by figure_id limit 1"
    ).fetchone()
    if fid is None:
        pytest.skip("no survey figures in this build")
    fid = fid[0]
    _, _, _, wave, question_id, group, _ = fid.split(".")
    gender = group.removeprefix("gender_")
    denominator = _denominator_rows(warehouse, fid)
    answers = warehouse.execute(
        """select distinct a._row_uid from staging.stg_survey__answers a
           where a.wave = ? and a.question_id = ? and a.answer_kind in ('option', 'other', 'open')
             and coalesce((select max(g.option_code) from staging.stg_survey__answers g
                           where g.wave = a.wave and g.respondent_key = a.respondent_key
                             and g.question_id = 'gender' and g.answer_kind = 'option'), '-') = ?
           order by 1""",
        [wave, question_id, gender],
    ).fetchall()
    assert denominator and denominator == answers, (fid, len(denominator), len(answers))

    fid = warehouse.execute(
        "select figure_id from audit.fct_figures where starts_with(figure_id, 'survey.theme.percent.') order by figure_id limit 1"
    ).fetchone()[0]
    _, _, _, wave, question_id, _ = fid.split(".")
    denominator = _denominator_rows(warehouse, fid)
    answers = warehouse.execute(
        """select distinct _row_uid from staging.stg_survey__answers
           where wave = ? and question_id = ? and answer_kind = 'open' order by 1""",
        [wave, question_id],
    ).fetchall()
    assert denominator and denominator == answers, (fid, len(denominator), len(answers))


def test_unknown_figure_fails_clearly(sample_build):
    with pytest.raises(UnknownFigureError, match=r"unknown figure id 'table_one\.nonsense'"):
        trace(sample_build, "table_one.nonsense")
    cli = subprocess.run(
        [sys.executable, "-m", "succession.cli", "trace", "no.such.figure", "--out", str(sample_build.build_dir)],
        capture_output=True,
        text=True,
    )
    assert cli.returncode == 2 and "unknown figure id 'no.such.figure'" in cli.stderr


def test_register_rows_are_published_figures(sample_build, warehouse):
    import pandas as pd

    reg = pd.read_csv(sample_build.figures_dir / "published_figures.csv", dtype=str, keep_default_na=False)
    assert {"figure_id", "value_shown", "unit", "base", "report", "section", "source_model", "source_filter"} <= set(
        reg.columns
    )
    assert "value" not in reg.columns  # the unsuppressed value stays in the warehouse
    shown = dict(warehouse.execute("select figure_id, value_shown from audit.fct_figures").fetchall())
    assert all(shown[f] == v for f, v in zip(reg["figure_id"], reg["value_shown"]))
    assert (reg["report"] == "quarterly_return").any()


def _differs(a, b) -> bool:
    """Changed beyond float noise (DuckDB sums doubles in parallel, in no fixed order)."""
    if a is None or b is None or a != a or b != b:
        return (a is None or a != a) != (b is None or b != b)
    return abs(a - b) > 1e-9 * max(1.0, abs(a))


def _rebuild(raw: Path, build: Path, reports: bool) -> ProjectPaths:
    from orchestration.runner import run

    paths = ProjectPaths(raw, build)
    summary = run(paths, quiet=True, reports=reports)
    assert summary.success, "\n".join(summary.lines())
    return paths


@pytest.mark.slow
def test_two_clean_builds_are_byte_identical(sample_build, tmp_path):
    again = _rebuild(sample_build.raw_dir, tmp_path / "build", reports=True)
    first = sorted(p.name for p in sample_build.figures_dir.glob("*.csv"))
    assert first == sorted(p.name for p in again.figures_dir.glob("*.csv"))
    for name in first:
        assert (sample_build.figures_dir / name).read_bytes() == (again.figures_dir / name).read_bytes(), name


@pytest.mark.slow
def test_one_cell_changes_exactly_the_figures_that_depend_on_it(sample_build, warehouse, raw_copy, tmp_path):
    """Add one applicant to one closed campaign: that LA's, region's and England's average
    applicants change for that quarter and tier; nothing else does."""
    row = warehouse.execute(
        """select c._source_file, c._row, c.tier, c.quarter, la.new_la_code, la.region_code
           from intermediate.int_hr_returns__campaigns c join marts.dim_local_authorities la on la.old_la_code = c.la_code
           where c.applicants is not null and c.advert_closed between c.quarter_start and c.quarter_end
             and c.quarter = '2024-25 Q3' order by c._row_uid limit 1"""
    ).fetchone()
    rel, rownum, tier, quarter, la, region = row
    wb = openpyxl.load_workbook(raw_copy / rel)
    ws = wb["Vacancies"]
    col = next(c.column_letter for c in ws[1] if c.value == "Applicants")
    ws[f"{col}{rownum}"] = ws[f"{col}{rownum}"].value + 1
    wb.save(raw_copy / rel)
    edited = _rebuild(raw_copy, tmp_path / "build", reports=False)
    before = dict(warehouse.execute("select figure_id, value from audit.fct_figures").fetchall())
    with duckdb.connect(str(edited.warehouse), read_only=True) as con:
        after = dict(con.execute("select figure_id, value from audit.fct_figures").fetchall())
        depends_on_file = {
            r[0]
            for r in con.execute(
                "select distinct s.figure_id from audit.fct_figure_sources s join audit.fct_raw_rows r using (_row_uid) "
                "where r._source_file = ?",
                [rel],
            ).fetchall()
        }
    assert before.keys() == after.keys()
    changed = {f for f in before if _differs(before[f], after[f])}
    qkey = quarter.replace(" ", "_")
    expected = {f"table_one.avg_applicants.{qkey}.{geo}.tier_{tier}" for geo in (la, region, "E92000001")}
    assert expected <= changed
    assert changed <= depends_on_file, changed - depends_on_file  # nothing changed that does not rest on the file
