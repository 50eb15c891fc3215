"""Sections of the quarterly return built from the HR returns: returns received,
Table one (quarter, previous quarter, year before; region and LA breakdown) and the
KPIs-sheet reconciliation. Every number goes through the figure register."""
from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from succession.periods import FinancialQuarter
from succession.reporting import Report

TIERS = {"1": "First tier (DCS)", "2": "Second tier (AD)"}


def _indicators(rpt: Report) -> pd.DataFrame:
    return rpt.query("select indicator, label from reference.ref_indicators where table_id = 'table_one' order by sort_order")


def _fid(indicator: str, quarter: FinancialQuarter, geo: str, tier: str) -> str:
    return f"table_one.{indicator}.{quarter.key}.{geo}.tier_{tier}"


def returns_received(rpt: Report) -> None:
    q = FinancialQuarter.parse(rpt.period)
    rpt.section("Returns received")
    g = lambda s: rpt.value(f"returns.{s}.{q.key}.{rpt.region}")  # noqa: E731
    print(f"Returns for {q.label} were due 30 days after the quarter ended. "
          f"{g('received')} of {g('expected')} local authorities returned data: "
          f"{g('on_time')} on time and {g('late')} late; {g('missing')} sent nothing and "
          f"{g('quarantined')} sent a return that failed validation and is treated as not received.\n")
    status = rpt.query(
        """select la_name as "Local authority", status as "Status", strftime(date_submitted, '%d/%m/%Y') as "Date submitted",
                  submissions as n_submissions
           from marts.fct_return_status where quarter = ? and region_code = ? and status <> 'on time' order by la_name""",
        [q.label, rpt.region])
    if status.empty:
        print("Every local authority returned on time.\n")
    else:
        print(rpt.table(status.drop(columns="n_submissions")))
    resub = rpt.query("""select count(*) from marts.fct_return_status where quarter = ? and region_code = ? and submissions > 1""",
                      [q.label, rpt.region]).iloc[0, 0]
    if resub:
        print("\nA corrected return supersedes an earlier one for the same LA and quarter; "
              "the earlier submission is kept in the warehouse for audit.\n")


def table_one_region(rpt: Report) -> None:
    q = FinancialQuarter.parse(rpt.period)
    rpt.section("Table one: region")
    quarters = [("This quarter", q), ("Previous quarter", q.previous()), ("Year before", q.year_before())]
    rows = []
    for ind in _indicators(rpt).itertuples():
        row = {"Indicator": ind.label}
        for tier, tier_label in TIERS.items():
            for label, qq in quarters:
                fid = _fid(ind.indicator, qq, rpt.region, tier)
                row[f"T{tier} {label.lower()}"] = fid if _exists(rpt, fid) else None
        rows.append(row)
    df = pd.DataFrame(rows)
    print(f"Region total for {q.label}, with {q.previous().label} and {q.year_before().label}. "
          "T1 is the first tier (DCS), T2 the second tier (assistant directors). Averages are ratios of "
          "sums over the region's campaigns, never averages of LA averages. `c` = suppressed to protect "
          "individuals, `z` = not applicable, blank = no data for that quarter.\n")
    print(rpt.table(df, figure_columns=[c for c in df.columns if c != "Indicator"]))


def table_one_la(rpt: Report) -> None:
    q = FinancialQuarter.parse(rpt.period)
    inds = _indicators(rpt)
    las = rpt.query("""select distinct t.new_la_code, t.la_name from marts.fct_table_one t
                       where t.quarter = ? and t.region_code = ? and t.geographic_level = 'Local authority' order by t.la_name""",
                    [q.label, rpt.region])
    short = {"vacancies": "Vacancies", "posts_advertised": "Advertised", "avg_applicants": "Applicants/post",
             "avg_shortlisted": "Shortlisted/post", "filled_permanent": "Filled perm.", "advertised_not_filled": "Not filled perm.",
             "readvertised": "Readvertised", "active_contacts": "Contacts"}
    for tier, tier_label in TIERS.items():
        rpt.section(f"Table one: LA breakdown, tier {tier}")
        print(f"\n**{tier_label}, {q.label}**\n")
        rows = []
        for la in las.itertuples():
            row = {"Local authority": la.la_name}
            for ind in inds.itertuples():
                row[short[ind.indicator]] = _fid(ind.indicator, q, la.new_la_code, tier)
            rows.append(row)
        total = {"Local authority": "**Region total**"}
        for ind in inds.itertuples():
            total[short[ind.indicator]] = _fid(ind.indicator, q, rpt.region, tier)
        rows.append(total)
        df = pd.DataFrame(rows)
        print(rpt.table(df, figure_columns=[c for c in df.columns if c != "Local authority"]))


def reconciliation(rpt: Report) -> None:
    q = FinancialQuarter.parse(rpt.period)
    rpt.section("KPIs sheet against vacancy rows")
    diff = rpt.query(
        """select la.la_name, r.tier, i.label, r.reported_value, r.computed_value, r.reported_cell
           from marts.fct_table_one_reconciliation r
           join marts.dim_local_authorities la on la.old_la_code = r.la_code
           join reference.ref_indicators i using (indicator)
           where r.quarter = ? and la.region_code = ? and not r.agrees order by la.la_name, r.tier, i.sort_order""",
        [q.label, rpt.region])
    if diff.empty:
        print("Every return's KPIs sheet agrees with the Table one figures computed from its Vacancies rows.\n")
        return
    n = rpt.value(f"reconciliation.disagreements.{q.key}.{rpt.region}")
    print(f"{n} KPIs-sheet figures disagree with the same indicator computed from the return's Vacancies rows. "
          "Table one publishes the computed figure (our working definitions); the LA has been asked to check. "
          "Values are not repeated here because LA-level counts may disclose individuals.\n")
    print(rpt.table(diff[["la_name", "tier", "label", "reported_cell"]].rename(columns={
        "la_name": "Local authority", "tier": "Tier", "label": "Indicator", "reported_cell": "KPIs cell"})))


def trend_chart(rpt: Report) -> None:
    q = FinancialQuarter.parse(rpt.period)
    rpt.section("Table one trend")
    df = rpt.query(
        """select f.period, f.indicator, f.breakdown, f.value_shown
           from audit.fct_figures f join marts.dim_quarters d on d.quarter = f.period
           where f.table_id = 'table_one' and f.region_code = ? and f.geographic_level = 'Regional'
             and f.indicator in ('vacancies', 'filled_permanent', 'advertised_not_filled')
             and d.quarter_start <= ? order by d.quarter_start""",
        [rpt.region, q.start])
    if df.empty:
        return
    df = df[df["value_shown"].str.fullmatch(r"\d+(\.\d+)?")]
    df["value"] = df["value_shown"].astype(float)
    wide = df.groupby(["period", "indicator"], sort=False)["value"].sum().unstack()
    fig, ax = plt.subplots(figsize=(7, 3.2))
    for col, label in [("vacancies", "Vacancies"), ("filled_permanent", "Filled permanently"), ("advertised_not_filled", "Advertised, not filled")]:
        if col in wide:
            ax.plot(wide.index, wide[col], marker="o", label=label)
    ax.set_ylabel("Posts (tiers 1 and 2)")
    ax.set_title("Region: Table one over time")
    ax.legend(frameon=False, fontsize=8)
    ax.tick_params(axis="x", labelrotation=30, labelsize=8)
    fig.tight_layout()
    plt.show()


def _exists(rpt: Report, figure_id: str) -> bool:
    return not rpt.query("select 1 from audit.fct_figures where figure_id = ?", [figure_id]).empty
