"""Values and tables for the national overview (the National College's view): England and the
nine regions side by side for Table one, returns received, programme spend and the survey
headlines. Every cell is a registered figure under the same disclosure rules as the regional
documents (England totals: ``fig_national`` and ``fig_table_one``); a region with no figure
for the quarter shows a blank cell. No prose: the sentences are in ``reports/national_overview.qmd``.
"""

from __future__ import annotations

import pandas as pd

from succession.figures import (
    regional_id,
    returns_id,
    survey_headline_id,
    survey_national_id,
    table_one_id,
)
from succession.periods import FinancialQuarter
from succession.reference import regions
from succession.reporting import Report
from succession.reporting.text import Md

ENGLAND = "E92000001"
TABLE_ONE = {
    "vacancies": "Vacancies",
    "posts_advertised": "Posts advertised",
    "avg_applicants": "Applicants per post",
    "avg_shortlisted": "Shortlisted per post",
    "filled_permanent": "Filled permanently",
    "advertised_not_filled": "Advertised, not filled",
    "readvertised": "Readvertised",
}
RETURNS = {
    "expected": "Expected",
    "received": "Received",
    "on_time": "On time",
    "late": "Late",
    "quarantined": "Quarantined",
    "missing": "Missing",
}
SPEND = {
    "grant_gbp": "Grant for the year",
    "spent_this_quarter": "Spent this quarter",
    "spent_to_date": "Spent, year to date",
}
SURVEY = {"likely_or_planning": "Likely or planning to apply (%)", "satisfied": "Satisfied with current role (%)"}


def quarter(rpt: Report) -> FinancialQuarter:
    return FinancialQuarter.parse(rpt.period)


def areas() -> list[tuple[str, str]]:
    """England first, then the nine regions in code order: (code, name)."""
    return [(ENGLAND, "England"), *sorted(regions().items())]


def _grid(rpt: Report, columns: dict[str, str], figure_id) -> Md:
    """One row per area, one column per measure; ``figure_id(code, measure)`` names each cell."""
    rows = []
    for code, name in areas():
        row = {"Area": f"{name} ({code})" if code != ENGLAND else name}
        for measure, label in columns.items():
            fid = figure_id(code, measure)
            row[label] = fid if fid and rpt.exists(fid) else None
        rows.append(row)
    labels = list(columns.values())
    return rpt.table(
        pd.DataFrame(rows, columns=["Area", *labels]),
        figure_columns=labels,
        widths={"Area": 24, **{c: 8 for c in labels}},
    )


def table_one_table(rpt: Report, tier: str) -> Md:
    q = quarter(rpt)
    return _grid(rpt, TABLE_ONE, lambda code, ind: table_one_id(ind, q, code, tier))


def returns_table(rpt: Report) -> Md:
    q = quarter(rpt)
    return _grid(rpt, RETURNS, lambda code, m: returns_id(m, q, code))


def spend_table(rpt: Report) -> Md:
    q = quarter(rpt)
    return _grid(rpt, SPEND, lambda code, m: regional_id(f"grant.{m}", q, code))


def survey_waves(rpt: Report) -> dict[str, str]:
    """Each region's survey wave in the financial year of the period (its latest, if several)."""
    fy = quarter(rpt).financial_year
    rows = rpt.query(
        """select region_code, max(wave) as wave from marts.fct_survey_headlines
                        where left(wave, 7) = ? and region_code is not null group by region_code""",
        [fy],
    )
    return dict(zip(rows["region_code"], rows["wave"]))


def survey_table(rpt: Report) -> Md:
    fy = quarter(rpt).financial_year
    waves = survey_waves(rpt)
    columns = {
        **{f"{m}.percent": label for m, label in SURVEY.items()},
        "likely_or_planning.base": "Base (intent question)",
    }

    def figure_id(code: str, key: str) -> str | None:
        measure, kind = key.split(".")
        if code == ENGLAND:
            return survey_national_id(kind, fy, measure)
        return survey_headline_id(kind, waves[code], measure) if code in waves else None

    return _grid(rpt, columns, figure_id)
