"""Issue 17: the audit trail as an auditor reads it - every contributing value names its
cell (read back from the raw file here), rates list numerator and base, and every
registered figure has a static trace page written with the documents."""

from __future__ import annotations

import csv
import html
import re
import shutil
import subprocess
import sys
from datetime import date, datetime

import openpyxl
import pandas as pd
import pytest

from succession.paths import ProjectPaths
from succession.trace import iter_traces, trace
from succession.trace_pages import INDEX, page_name, write_trace_pages

RATE_UNITS = ("percent", "ratio", "score", "rate", "days")


def _register(sample_build) -> pd.DataFrame:
    return pd.read_csv(sample_build.figures_dir / "published_figures.csv", dtype=str, keep_default_na=False)


def test_every_registered_figure_has_a_page(sample_build):
    figures = sorted(set(_register(sample_build)["figure_id"]))
    assert figures
    folder = sample_build.trace_dir
    index = (folder / INDEX).read_text(encoding="utf-8")
    assert index.startswith("<!doctype html>") and '<html lang="en">' in index and "<script>" in index
    for fid in figures:
        page = folder / page_name(fid)
        assert page.exists(), fid
        assert f'href="{html.escape(page_name(fid))}"' in index, fid
    pages = ((folder / page_name(fid)).read_text(encoding="utf-8") for fid in figures)
    sample = next(text for text in pages if "<table>" in text)  # one that lists values
    assert '<html lang="en">' in sample and "<h1>" in sample and '<th scope="col">' in sample
    assert not re.search(r"<(script|link|img)\b", sample)  # nothing loaded from anywhere: works from file://
    # and the pages of the figures theirs link (a percentage's base; every base is shown in the sample)
    assert {p.name for p in folder.glob("*.html")} == {INDEX, *(page_name(f) for f in figures)}


def test_every_link_between_pages_has_a_page(sample_build):
    """A page links the figures its arithmetic refers to (a percentage's base): each has a page."""
    folder = sample_build.trace_dir
    targets = set()
    for page in folder.glob("*.html"):
        targets.update(re.findall(r'href="([^"/#]+\.html)"', page.read_text(encoding="utf-8")))
    assert len(targets) > 100
    assert sorted(t for t in targets if not (folder / html.unescape(t)).exists()) == []


def _copy_build(sample_build, tmp_path) -> ProjectPaths:
    """The parts of the session's build the pages read, copied: a test may rewrite them."""
    build = tmp_path / "build"
    for part in ("warehouse.duckdb", "figures", "dbt_target", "docs"):
        src = sample_build.build_dir / part
        if src.is_dir():
            shutil.copytree(src, build / part)
        elif src.exists():
            build.mkdir(exist_ok=True)
            shutil.copy2(src, build / part)
    return ProjectPaths(sample_build.raw_dir, build)


def _a_percentage_and_its_base(sample_build, warehouse) -> tuple[str, str]:
    """A shown, registered survey percent whose denominator is stored as its base's rows."""
    return warehouse.execute(
        """select r.figure_id, r.via_figure_id from audit.fct_figure_source_rows as r
           inner join audit.fct_figures as f using (figure_id)
           where r.via_figure_id is not null and r.role = 'denominator' and not f.suppressed
             and r.figure_id in (select unnest(?))
           order by r.figure_id limit 1""",
        [sorted(set(_register(sample_build)["figure_id"]))],
    ).fetchone()


def test_a_percentage_names_its_base_whose_trace_lists_the_denominator(sample_build, warehouse):
    """Issue 15: a survey percent's denominator is its base figure's rows (stored once, by
    reference). Its trace names the base instead of listing those rows again; following the
    link gives exactly the rows the warehouse expands for the denominator."""
    fid, base = _a_percentage_and_its_base(sample_build, warehouse)
    t = trace(sample_build, fid, unsuppressed=True)
    assert [c for c in t.contributions if c["role"] == "denominator"] == []
    assert [(r["role"], r["figure_id"]) for r in t.references] == [("denominator", base)]
    denominator = {
        uid
        for (uid,) in warehouse.execute(
            "select _row_uid from audit.fct_figure_sources where figure_id = ? and role = 'denominator'", [fid]
        ).fetchall()
    }
    followed = trace(sample_build, base, unsuppressed=True)
    assert denominator and {c["row_uid"] for c in followed.contributions} == denominator
    assert t.references[0]["values"] == len(followed.contributions)
    # published, it is not said how many: the base's page may withhold them whole, and a
    # multiple-choice base's number of answers, less the options shown, counts the suppressed ones
    assert trace(sample_build, fid).references[0]["values"] is None
    assert any(line.startswith(f"denominator: {t.figure['denominator']:g}, figure {base}") for line in t.arithmetic)
    page = (sample_build.trace_dir / page_name(fid)).read_text(encoding="utf-8")
    assert f'href="{html.escape(page_name(base))}"' in page and (sample_build.trace_dir / page_name(base)).exists()


def test_a_base_no_document_shows_gets_a_page_of_its_own(sample_build, warehouse, tmp_path):
    """The page a percentage links exists even when no document shows its base, and the
    index lists it apart."""
    paths = _copy_build(sample_build, tmp_path)
    fid, base = _a_percentage_and_its_base(sample_build, warehouse)
    register = paths.figures_dir / "published_figures.csv"
    with open(register, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert any(r["figure_id"] == fid for r in rows)
    with open(register, "w", newline="", encoding="utf-8") as f:
        out = csv.DictWriter(f, fieldnames=list(rows[0]))
        out.writeheader()
        out.writerows(r for r in rows if r["figure_id"] != base)
    write_trace_pages(paths)
    assert (paths.trace_dir / page_name(base)).exists()
    index = (paths.trace_dir / INDEX).read_text(encoding="utf-8")
    referred = index.split("<h2>Figures the published ones refer to</h2>", 1)
    assert len(referred) == 2 and f'href="{html.escape(page_name(base))}"' in referred[1]


def test_pages_written_in_batches_are_the_pages_written_at_once(sample_build, tmp_path):
    """Issue 15: the pages' cells are joined to the raw rows a stage of figures at a time (at most
    CELLS_PER_STAGE contributing cells) and read a batch at a time (CELLS_PER_BATCH; 1.6 M cells
    at 153 LAs x 40 quarters); stages and batches change no page."""
    paths = _copy_build(sample_build, tmp_path)

    def pages_in(batch: int | None, stage: int | None) -> dict[str, bytes]:
        write_trace_pages(paths, cells_per_batch=batch, cells_per_stage=stage)
        return {p.name: p.read_bytes() for p in paths.trace_dir.glob("*.html")}

    # 1: every figure a batch of its own; 500: stages of a few figures each
    at_once, one_by_one = pages_in(None, None), pages_in(1, 500)
    assert len(at_once) > 100 and at_once.keys() == one_by_one.keys()
    assert [name for name in at_once if at_once[name] != one_by_one[name]] == []


def test_pages_never_show_a_suppressed_value(sample_build, warehouse):
    reg = _register(sample_build)
    suppressed = sorted(set(reg.loc[reg["suppressed"] == "True", "figure_id"]))
    if not suppressed:
        pytest.skip("no suppressed figure in the register")
    for fid in suppressed[:25]:
        page = (sample_build.trace_dir / page_name(fid)).read_text(encoding="utf-8")
        assert "Value found there" not in page and "withheld" in page, fid
        t = trace(sample_build, fid)
        assert t.figure["value"] is None and not t.contributions and t.withheld["any"]
        assert "--unsuppressed" in t.disclosure["statement"]
        shown = trace(sample_build, fid, unsuppressed=True)
        assert "UNSUPPRESSED VIEW" in shown.to_text() and shown.figure["value"] is not None


def test_no_page_lets_a_suppressed_figure_be_counted(sample_build, warehouse):
    """A published page never lists a raw row a suppressed figure is made of (of any
    indicator: a multiple-choice base listed every answer's cell, and counting the cells in a
    suppressed option's column gave its numerator back), lists each role whole or not at all,
    and never says how many values it withholds (a suppressed count's page said "5
    contributing values are not listed")."""
    groups_of: dict[str, set] = {}  # raw row -> the groups of the suppressed figures made of it
    for uid, *group in warehouse.execute(
        """select distinct s._row_uid, f.table_id, f.indicator, f.period, f.breakdown
           from audit.fct_figure_source_rows as s inner join audit.fct_figures as f using (figure_id)
           where f.suppressed and s.via_figure_id is null"""
    ).fetchall():
        groups_of.setdefault(uid, set()).add(tuple(group))
    figures = sorted(set(_register(sample_build)["figure_id"]))
    every = {t.figure["figure_id"]: t for t in iter_traces(sample_build, figures, unsuppressed=True)}
    withheld = 0
    for t in iter_traces(sample_build, figures):
        f = t.figure
        group = (f["table_id"], f["indicator"], f["period"], f["breakdown"])
        listed = {c["row_uid"] for c in t.contributions}
        assert not listed & groups_of.keys(), f["figure_id"]
        # a role listed in part leaves out only rows of suppressed cells of the figure's own group,
        # whose sum the published figures give (an LA's rows under its region's total)
        for role in {c["role"] for c in t.contributions}:
            left_out = {c["row_uid"] for c in every[f["figure_id"]].contributions if c["role"] == role} - listed
            assert all(groups_of[uid] == {group} for uid in left_out), (f["figure_id"], role)
        withheld += t.withheld["any"] and not f["suppressed"]
    assert withheld > 10  # shown figures whose pages hold some values back
    for page in sample_build.trace_dir.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"\d+ (contributing values are not listed|more withheld)", text), page.name


def test_every_row_derived_contribution_names_a_cell(warehouse):
    """The dbt sources models name the column that held each number: no contribution
    without a cell, and every CSV value is a row and a column with no sheet."""
    missing = warehouse.execute(
        "select figure_id, file_path, row, source_table from audit.fct_figure_cells where cell is null limit 5"
    ).fetchall()
    assert not missing
    rows_read = warehouse.execute(
        """select count(*), count(*) filter (where column_letter is null)
           from audit.fct_figure_cells where source_table in ('vacancies', 'workforce', 'codings', 'answers', 'activities',
               'attendance', 'feedback', 'skills_audit', 'career_events', 'grant_ledger', 'respondents')
             and (file_path like '%.csv' or file_path like '%.xlsx')"""
    ).fetchone()
    assert rows_read[0] > 1000 and rows_read[1] == 0
    assert (
        warehouse.execute(
            "select count(*) from audit.fct_figure_cells where file_path like '%.csv' and sheet is not null"
        ).fetchone()[0]
        == 0
    )


def test_the_pages_cells_are_every_figures_direct_cells(warehouse):
    """The pages read fct_figure_direct_cells (its plan hashes the figures' rows, not every raw
    row); it must be exactly fct_figure_cells without the references expanded, cell for cell."""
    direct = "select * from audit.fct_figure_direct_cells"
    expanded = "select * from audit.fct_figure_cells where via_figure_id is null"
    for a, b in ((direct, expanded), (expanded, direct)):
        assert warehouse.execute(f"select count(*) from ({a} except all {b})").fetchone()[0] == 0
    assert warehouse.execute("select count(*) from audit.fct_figure_direct_cells").fetchone()[0] > 10_000


def _as_text(v) -> str | None:
    if v is None or v == "":
        return None
    if isinstance(v, (datetime, date)):
        return v.strftime("%Y-%m-%d")
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _same(found: str | None, recorded: str) -> bool:
    try:
        return float(found) == float(recorded)
    except (TypeError, ValueError):
        return found == recorded


def test_contributing_values_read_back_from_the_raw_files(sample_build, warehouse):
    """The value the trace names is the value in that cell of that file (openpyxl / csv)."""
    cells = warehouse.execute(
        """select file_path, sheet, row, column_letter, value from (
               select distinct file_path, sheet, row, column_letter, value, source_table from audit.fct_figure_cells
               where value is not null and column_letter is not null and (file_path like '%.xlsx' or file_path like '%.csv'))
           qualify row_number() over (partition by source_table, right(file_path, 4) order by hash(file_path, row, column_letter)) <= 15"""
    ).fetchall()
    assert len(cells) > 40
    books, csvs = {}, {}
    for path, sheet, row, column, value in cells:
        raw = sample_build.raw_dir / path
        if path.endswith(".xlsx"):
            wb = books.setdefault(path, openpyxl.load_workbook(raw, read_only=True, data_only=True))
            found = _as_text(wb[sheet][f"{column}{row}"].value)
        else:
            table = csvs.setdefault(path, list(csv.reader(raw.open(newline="", encoding="utf-8-sig"))))
            found = _as_text(table[row - 1][openpyxl.utils.column_index_from_string(column) - 1])
        assert _same(found, value), (path, sheet, row, column, value, found)


def test_rates_list_numerator_and_base(warehouse):
    """Every shown rate, average or percentage whose base is made of raw rows lists the
    cells of both its numerator and its denominator."""
    rates = warehouse.execute(
        f"""select f.figure_id, f.numerator, f.denominator,
                   count(*) filter (where c.role = 'numerator'), count(*) filter (where c.role = 'denominator')
            from audit.fct_figures as f inner join audit.fct_figure_cells as c using (figure_id)
            where f.unit in {RATE_UNITS} and f.denominator > 0 and f.value is not null
            group by all"""
    ).fetchall()
    assert len(rates) > 100
    for fid, numerator, _denominator, n_num, n_den in rates:
        if fid.startswith(("evaluation.level2.audit_coverage.", "la_support.las_reached_rate.")):
            continue  # bases with no raw rows: the year's cohort; the region's LAs (reference data)
        if fid.startswith(("survey.headline.percent.", "survey.national.percent.")):
            continue  # known gap: which options make a headline is defined in fct_survey_headlines only
        assert n_den > 0, fid
        assert n_num > 0 or numerator == 0, fid


def test_trace_words_a_rate(sample_build, warehouse):
    fid = warehouse.execute(
        """select figure_id from audit.fct_figures where table_id = 'table_one' and indicator = 'avg_applicants'
           and geographic_level = 'Regional' and not suppressed and value > 0 order by figure_id limit 1"""
    ).fetchone()[0]
    t = trace(sample_build, fid, unsuppressed=True)
    roles = {c["role"] for c in t.contributions}
    assert roles == {"numerator", "denominator"}
    assert t.arithmetic[0].startswith("numerator: applicants added up") and t.arithmetic[1].startswith("denominator: ")
    num = sum(float(c["value"]) for c in t.contributions if c["role"] == "numerator")
    assert num == t.figure["numerator"]
    assert len({c["value"] for c in t.contributions if c["role"] == "denominator"}) == t.figure["denominator"]


def test_trace_command_is_light(sample_build, warehouse):
    """Interactive speed: the trace command's import path never loads pandas or Dagster."""
    fid = warehouse.execute("select figure_id from audit.fct_figures order by figure_id limit 1").fetchone()[0]
    code = (
        f"import sys; from succession.cli import main; rc = main(['trace', {fid!r}, '--out', {str(sample_build.build_dir)!r}, '--json']); "
        "assert rc == 0; assert 'pandas' not in sys.modules and 'dagster' not in sys.modules, sorted(sys.modules)[:5]"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert f'"figure_id": "{fid}"' in done.stdout
