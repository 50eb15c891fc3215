"""Values, tables and charts from the LAs' quarterly HR returns for the quarterly return:
returns received, Table one (quarter, previous quarter, year before; region and LA
breakdown), its trend chart and the KPIs-sheet reconciliation. No prose: the sentences
around them are in ``reports/quarterly_return.qmd``."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from succession.figures import returns_id, table_one_id
from succession.periods import FinancialQuarter
from succession.reporting import Report, charts
from succession.reporting.charts import Point
from succession.reporting.text import Md

TIERS = {"1": "First tier (DCS)", "2": "Second tier (AD)"}
SHORT = {
    "vacancies": "Vacancies",
    "posts_advertised": "Advertised",
    "avg_applicants": "Applicants per post",
    "avg_shortlisted": "Shortlisted per post",
    "filled_permanent": "Filled permanently",
    "advertised_not_filled": "Not filled permanently",
    "readvertised": "Readvertised",
    "active_contacts": "Contacts",
}
TREND = {
    "vacancies": "Vacancies",
    "filled_permanent": "Filled permanently",
    "advertised_not_filled": "Advertised, not filled",
}
SOURCE = "LAs' quarterly HR returns (Table one), region totals"


def quarter(rpt: Report) -> FinancialQuarter:
    return FinancialQuarter.parse(rpt.period)


def fid(indicator: str, q: FinancialQuarter, geo: str, tier: str) -> str:
    return table_one_id(indicator, q, geo, tier)


def returns_fid(rpt: Report, measure: str) -> str:
    """``{python} fig(t1.returns_fid(rpt, "received"))``: returns received, expected, on_time, ..."""
    return returns_id(measure, quarter(rpt), rpt.region)


def indicators(rpt: Report) -> pd.DataFrame:
    return rpt.query(
        "select indicator, label from reference.ref_indicators where table_id = 'table_one' order by sort_order"
    )


def la_label(name: str, code: object) -> str:
    """An LA as readers see it everywhere: name and (old) LA code."""
    return f"{name} ({code})"


# -- returns received ------------------------------------------------------------------------
def returns_not_on_time(rpt: Report) -> pd.DataFrame:
    return rpt.query(
        """select la_name, old_la_code, status, strftime(date_submitted, '%d/%m/%Y') as submitted, submissions
           from marts.fct_return_status where quarter = ? and region_code = ? and status <> 'on time' order by la_name""",
        [quarter(rpt).label, rpt.region],
    )


def returns_table(rpt: Report) -> Md:
    rpt.section("Returns received")
    df = returns_not_on_time(rpt)
    out = pd.DataFrame(
        {
            "Local authority": [la_label(n, c) for n, c in zip(df["la_name"], df["old_la_code"])],
            "Status": df["status"],
            "Date submitted": df["submitted"],
        }
    )
    return rpt.table(out, widths={"Local authority": 30, "Status": 14, "Date submitted": 12})


def resubmissions(rpt: Report) -> int:
    return int(
        rpt.query(
            "select count(*) from marts.fct_return_status where quarter = ? and region_code = ? and submissions > 1",
            [quarter(rpt).label, rpt.region],
        ).iloc[0, 0]
    )


# -- Table one -------------------------------------------------------------------------------
def region_table(rpt: Report) -> Md:
    """Indicator by tier: this quarter, previous quarter, year before (region totals)."""
    rpt.section("Table one: region")
    q = quarter(rpt)
    quarters = {"This quarter": q, "Previous quarter": q.previous(), "Year before": q.year_before()}
    rows = []
    for ind in indicators(rpt).itertuples():
        for tier in TIERS:
            row = {"Indicator": ind.label, "Tier": tier}
            for label, qq in quarters.items():
                f = fid(ind.indicator, qq, rpt.region, tier)
                row[label] = f if rpt.exists(f) else None
            rows.append(row)
    return rpt.table(
        pd.DataFrame(rows),
        figure_columns=list(quarters),
        widths={"Indicator": 34, "Tier": 4, **{k: 9 for k in quarters}},
    )


def las(rpt: Report) -> pd.DataFrame:
    return rpt.query(
        """select distinct new_la_code, old_la_code, la_name from marts.fct_table_one
                        where quarter = ? and region_code = ? and geographic_level = 'Local authority' order by la_name""",
        [quarter(rpt).label, rpt.region],
    )


def la_table(rpt: Report, tier: str) -> Md:
    """Every LA of the region for one tier, all Table one indicators, region total last."""
    rpt.section(f"Table one: LA breakdown, tier {tier}")
    q = quarter(rpt)
    inds = indicators(rpt)
    rows = []
    for la in las(rpt).itertuples():
        row = {"Local authority": la_label(la.la_name, la.old_la_code)}
        row.update({SHORT[i]: fid(i, q, la.new_la_code, tier) for i in inds["indicator"]})
        rows.append(row)
    total = {"Local authority": "Region total"}
    total.update({SHORT[i]: fid(i, q, rpt.region, tier) for i in inds["indicator"]})
    rows.append(total)
    columns = [SHORT[i] for i in inds["indicator"]]
    return rpt.table(
        pd.DataFrame(rows),
        figure_columns=columns,
        bold_last=True,
        widths={"Local authority": 26, **{c: 9 for c in columns}},
    )


def reconciliation_rows(rpt: Report) -> pd.DataFrame:
    return rpt.query(
        """select la.la_name, la.old_la_code, r.tier, i.label, r.reported_cell
           from marts.fct_table_one_reconciliation r
           join marts.dim_local_authorities la on la.old_la_code = r.la_code
           join reference.ref_indicators i using (indicator)
           where r.quarter = ? and la.region_code = ? and not r.agrees order by la.la_name, r.tier, i.sort_order""",
        [quarter(rpt).label, rpt.region],
    )


def disagreements_fid(rpt: Report) -> str:
    return returns_id("disagreements", quarter(rpt), rpt.region)


def reconciliation_table(rpt: Report) -> Md:
    rpt.section("KPIs sheet against vacancy rows")
    d = reconciliation_rows(rpt)
    out = pd.DataFrame(
        {
            "Local authority": [la_label(n, c) for n, c in zip(d["la_name"], d["old_la_code"])],
            "Tier": d["tier"],
            "Indicator": d["label"],
            "KPIs cell": d["reported_cell"],
        }
    )
    return rpt.table(out, widths={"Local authority": 28, "Tier": 4, "Indicator": 30, "KPIs cell": 8})


def trend_chart(rpt: Report) -> None:
    """Vacancies, posts filled permanently and posts advertised but not filled, by quarter,
    one panel per tier. Each point is the region's registered figure; a suppressed value is a
    gap marked ``c`` (tiers are never added together, so nothing is summed around a gap)."""
    rpt.section("Table one trend")
    q = quarter(rpt)
    periods = rpt.query(
        "select quarter from marts.dim_quarters where quarter_start <= ? order by quarter_start", [q.start]
    )
    periods = [
        p for p in periods["quarter"] if rpt.exists(fid("vacancies", FinancialQuarter.parse(p), rpt.region, "1"))
    ]
    if not periods:
        return
    points = [
        Point(f"{label}, tier {tier}", p, fid(i, FinancialQuarter.parse(p), rpt.region, tier))
        for tier in TIERS
        for i, label in TREND.items()
        for p in periods
    ]
    data = charts.collect(rpt, "table_one_trend", points)
    fig, axes = plt.subplots(1, 2, figsize=(7.2, 3.1))
    for ax, (tier, tier_label) in zip(axes, TIERS.items()):
        for colour, label in zip(charts.OKABE_ITO, TREND.values()):
            d = data[data["series"] == f"{label}, tier {tier}"]
            xs = list(range(len(d)))
            ax.plot(xs, d["value"], marker="o", color=colour, label=label)
            charts.mark_gaps(ax, xs, d["value"], d["gap"], colour)
        ax.set_xticks(range(len(periods)), periods)
        ax.set_title(tier_label, fontsize=9)
        ax.tick_params(axis="x", labelrotation=45, labelsize=7)
        ax.set_ylim(bottom=0)
        ax.grid(axis="y", color="#dddddd")
    axes[0].set_ylabel("Posts")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", ncol=3, frameon=False, fontsize=8)
    fig.tight_layout(rect=(0, 0.1, 1, 0.92))
    charts.finish(fig, data, SOURCE)
