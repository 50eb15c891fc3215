"""Issue 2: the whole pipeline on the bundled sample, through Dagster, end to end."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from html_figures import shown_in_html

from succession.ingest.lineage import sha256_file
from succession.periods import FinancialQuarter

REGION = "E12000008"
LATEST = "2024-25 Q4"


def test_build_leaves_warehouse_reports_and_figures(sample_build):
    b = sample_build
    assert b.warehouse.exists()
    out = b.reports_dir / "quarterly-return" / REGION / FinancialQuarter.parse(LATEST).key
    assert (out / "quarterly_return.html").stat().st_size > 10_000
    assert (out / "quarterly_return.pdf").read_bytes().startswith(b"%PDF")
    for name in ("table_one.csv", "return_status.csv", "indicator_dictionary.csv", "published_figures.csv"):
        assert (b.figures_dir / name).stat().st_size > 0, name


def test_sample_oddities_are_reported(warehouse):
    status = dict(
        warehouse.execute("select old_la_code || ' ' || quarter, status from marts.fct_return_status").fetchall()
    )
    assert status["921 2024-25 Q2"] == "missing"  # Isle of Wight sent nothing
    assert status["871 2023-24 Q3"] == "late"  # Slough, 50-80 days after quarter end
    subs = warehouse.execute(
        "select file_path, is_current, superseded_by from intermediate.int_hr_returns__submissions "
        "where la_code = '931' and quarter = '2024-25 Q1' order by file_path"
    ).fetchall()
    assert [(p.rsplit("/", 1)[1], cur) for p, cur, _ in subs] == [
        ("931_2024-25_Q1.xlsx", False),
        ("931_2024-25_Q1_v2.xlsx", True),
    ]
    assert subs[0][2].endswith("931_2024-25_Q1_v2.xlsx")
    disagreements = warehouse.execute(
        "select la_code, quarter, indicator from marts.fct_table_one_reconciliation where not agrees order by 1"
    ).fetchall()
    assert ("850", "2023-24 Q4", "vacancies") in disagreements
    assert ("869", "2024-25 Q3", "posts_advertised") in disagreements


def _lake(paths, table: str) -> pd.DataFrame:
    return pd.concat(
        [pd.read_parquet(p) for p in sorted((paths.lake_dir / "hr_returns").glob(f"*/{table}.parquet"))],
        ignore_index=True,
    )


def test_region_averages_are_ratios_of_sums(sample_build, warehouse):
    """Recompute the region's average applicants per post from the lake rows by hand:
    sum of applicants over campaigns closed in the quarter / number of those campaigns."""
    about = _lake(sample_build, "about")
    about["version"] = about["_source_file"].str.extract(r"_v(\d+)\.xlsx$")[0].fillna(1).astype(int)
    current = about.sort_values(["date_submitted", "version"]).groupby(["la_code", "quarter"]).tail(1)
    vac = _lake(sample_build, "vacancies").merge(current[["_file_sha256", "quarter", "la_code"]], on="_file_sha256")
    checked = 0
    for quarter in ["2024-25 Q3", "2024-25 Q4", "2023-24 Q2"]:
        q = FinancialQuarter.parse(quarter)
        for tier in ["1", "2"]:
            rows = vac[
                (vac["quarter"] == quarter)
                & (vac["tier"] == tier)
                & vac["applicants"].notna()
                & (vac["advert_closed"] >= pd.Timestamp(q.start))
                & (vac["advert_closed"] <= pd.Timestamp(q.end))
            ]
            got = warehouse.execute(
                "select value, numerator, denominator from marts.fct_table_one where quarter = ? and tier = ? "
                "and indicator = 'avg_applicants' and geographic_level = 'Regional' and region_code = ?",
                [quarter, tier, REGION],
            ).fetchone()
            if rows.empty:
                assert got[0] is None
                continue
            assert got[1] == rows["applicants"].sum() and got[2] == len(rows)
            assert got[0] == pytest.approx(rows["applicants"].sum() / len(rows))
            per_la = rows.groupby("la_code")["applicants"].mean().mean()
            if abs(per_la - got[0]) > 1e-9:
                checked += 1  # this quarter would expose an average of averages
    assert checked >= 1


def test_quarterly_return_shows_the_warehouse_table_one(sample_build, warehouse):
    out = sample_build.reports_dir / "quarterly-return" / REGION / FinancialQuarter.parse(LATEST).key
    html_text = next(out.glob("*.html")).read_text(encoding="utf-8")
    shown = shown_in_html(html_text)
    t1 = {k: v for k, v in shown.items() if k.startswith("table_one.")}
    assert len(t1) >= 8 * 2 * 3 + 8 * 2 * 19 * 0.5, len(t1)  # region table (3 quarters) and LA breakdown
    compared = 0
    for fid, text in t1.items():
        _, indicator, qkey, geo, tier = fid.split(".")
        row = warehouse.execute(
            "select value, unit from marts.fct_table_one where indicator = ? and quarter = ? and tier = ? "
            "and coalesce(new_la_code, region_code, country_code) = ? ",
            [indicator, qkey.replace("_", " "), tier.removeprefix("tier_"), geo],
        ).fetchone()
        assert row is not None, fid
        value, unit = row
        if text in ("c",):
            assert value is not None and (
                unit != "count" or 1 <= value <= 2 or geo.startswith("E0") or geo.startswith("E1")
            )
            continue
        if text == "z":
            assert value is None
            continue
        expected = round(value) if unit == "count" else round(value, 1)
        assert float(text.replace(",", "").replace("\u2212", "-")) == pytest.approx(expected), fid
        compared += 1
    assert compared > 50


def test_every_loaded_row_carries_lineage(sample_build, warehouse):
    tables = ["stg_hr_returns__about", "stg_hr_returns__kpis", "stg_hr_returns__vacancies", "stg_hr_returns__workforce"]
    for t in tables:
        n, missing = warehouse.execute(
            f"select count(*), count(*) filter (where _row_uid is null or _source_file is null or _file_sha256 is null "
            f"or _sheet is null or (_row is null and _cell is null) or _run_id is null or _loaded_at is null) from staging.{t}"
        ).fetchone()
        assert n > 0 and missing == 0, t
    files = warehouse.execute(
        "select file_path, file_sha256 from audit.fct_files where status = 'loaded' and source = 'hr_returns'"
    ).fetchall()
    assert len(files) == 152
    for path, sha in files:
        assert sha256_file(sample_build.raw_dir / path) == sha, path
    cells = warehouse.execute("select _cell from staging.stg_hr_returns__kpis limit 5").fetchall()
    assert all(re.fullmatch(r"[CD]\d+", c) for (c,) in cells)


def test_rows_read_equal_rows_loaded_plus_rejected(warehouse):
    bad = warehouse.execute(
        "select count(*) from audit.fct_files where status in ('loaded', 'quarantined') and rows_read <> rows_loaded + rows_rejected"
    ).fetchone()[0]
    assert bad == 0
