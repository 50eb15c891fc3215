"""Table one by LA, tier and quarter, its region and England aggregates, the returns received
and the KPIs-sheet reconciliation, straight from the workbooks.

Definitions (dbt_project/seeds/ref_indicators.csv, DESIGN "Table one indicators"):
a quarter's figures come from the LA's current return for that quarter (a corrected `_vN`
return with a later date submitted, then a higher version, supersedes the earlier one);
aggregates add numerators and denominators, so averages are ratios of sums."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pandas as pd

from . import calendar
from .printing import ratio, rounded
from .readers import HrReturns, local_authorities

INDICATORS = [
    "vacancies",
    "posts_advertised",
    "avg_applicants",
    "avg_shortlisted",
    "filled_permanent",
    "advertised_not_filled",
    "readvertised",
    "active_contacts",
]
RATIOS = {"avg_applicants": "applicants", "avg_shortlisted": "shortlisted"}
NOT_FILLED = {"filled on an interim basis", "not filled", "readvertised", "withdrawn"}
ENGLAND = "E92000001"
DEADLINE_DAYS = 30  # dbt_project.yml vars.return_deadline_days: a return is late after quarter end + 30 days


def current_returns(hr: HrReturns) -> pd.DataFrame:
    """The return that counts for each LA and quarter."""
    r = hr.returns.sort_values(["date_submitted", "version", "file"], ascending=False)
    current = r.drop_duplicates(["la_code", "quarter"]).copy()
    dates = current["quarter"].map(calendar.quarter_dates)
    current["quarter_start"] = dates.str[0]
    current["quarter_end"] = dates.str[1]
    return current


def campaigns(hr: HrReturns, current: pd.DataFrame) -> pd.DataFrame:
    cols = ["file", "la_code", "quarter", "quarter_start", "quarter_end"]
    return hr.vacancies.merge(current[cols], on="file", how="inner")


def _between(col: pd.Series, start: pd.Series, end: pd.Series) -> pd.Series:
    return col.notna() & (col >= start) & (col <= end)


def la_numbers(hr: HrReturns) -> pd.DataFrame:
    """numerator / denominator per LA, quarter, tier and indicator (zeros where nothing counted)."""
    current = current_returns(hr)
    c = campaigns(hr, current)
    s, e = c["quarter_start"], c["quarter_end"]
    opened = _between(c["advert_opened"], s, e)
    closed = _between(c["advert_closed"], s, e)
    filled_before = (c["outcome"] == "filled permanently") & c["date_filled"].notna() & (c["date_filled"] < s)
    first_advert = (
        c[c["advert_opened"].notna()]
        .groupby(["la_code", "post_ref"])["advert_opened"]
        .min()
        .rename("first_advert")
        .reset_index()
    )
    c = c.merge(first_advert, on=["la_code", "post_ref"], how="left")
    keys = ["la_code", "quarter", "tier"]
    parts = []

    def count(name, mask, what):
        g = c[mask].groupby(keys)[what].nunique().rename("numerator").reset_index()
        parts.append(g.assign(indicator=name))

    count("vacancies", (c["vacancy_arose"] <= e) & ~filled_before, "post_ref")
    count("posts_advertised", opened, "campaign_ref")
    count("filled_permanent", (c["outcome"] == "filled permanently") & _between(c["date_filled"], s, e), "campaign_ref")
    count("advertised_not_filled", closed & c["outcome"].isin(NOT_FILLED), "campaign_ref")
    count("readvertised", opened & (c["first_advert"] < c["advert_opened"]), "campaign_ref")
    for name, col in RATIOS.items():
        sel = c[closed & c[col].notna()]
        g = sel.groupby(keys).agg(numerator=(col, "sum"), denominator=("campaign_ref", "nunique")).reset_index()
        parts.append(g.assign(indicator=name))
    k = hr.kpis[hr.kpis["indicator"] == "active_contacts"].merge(current[["file", "la_code", "quarter"]], on="file")
    parts.append(k.rename(columns={"value": "numerator"})[[*keys, "numerator"]].assign(indicator="active_contacts"))
    counted = pd.concat(parts, ignore_index=True)

    grid = (
        current[["la_code", "quarter"]]
        .merge(pd.DataFrame({"tier": ["1", "2"]}), how="cross")
        .merge(pd.DataFrame({"indicator": INDICATORS}), how="cross")
    )
    t = grid.merge(counted, on=[*keys, "indicator"], how="left")
    is_ratio = t["indicator"].isin(list(RATIOS))
    fill = t["indicator"] != "active_contacts"
    t.loc[fill, "numerator"] = t.loc[fill, "numerator"].fillna(0)
    t.loc[is_ratio, "denominator"] = t.loc[is_ratio, "denominator"].fillna(0)
    return t


def _value(indicator: str, numerator, denominator):
    if indicator in RATIOS:
        return ratio(int(numerator), int(denominator))
    return None if pd.isna(numerator) else Fraction(numerator)


def figures(hr: HrReturns) -> dict[str, tuple[object, str]]:
    """Every Table one figure by its published id: (value, unit)."""
    las = local_authorities()
    t = la_numbers(hr).merge(
        las[["old_la_code", "new_la_code", "region_code"]], left_on="la_code", right_on="old_la_code", how="inner"
    )
    out: dict[str, tuple[object, str]] = {}
    levels = [("new_la_code", t), ("region_code", t), ("country", t.assign(country=ENGLAND))]
    for area, frame in levels:
        g = (
            frame.groupby(["quarter", "tier", "indicator", area], dropna=False)
            .agg(numerator=("numerator", "sum"), known=("numerator", "count"), denominator=("denominator", "sum"))
            .reset_index()
        )
        g.loc[g["known"] == 0, "numerator"] = None  # active contacts: nobody reported any
        for row in g.itertuples(index=False):
            unit = "ratio" if row.indicator in RATIOS else "count"
            fid = f"table_one.{row.indicator}.{calendar.key(row.quarter)}.{getattr(row, area)}.tier_{row.tier}"
            out[fid] = (_value(row.indicator, row.numerator, row.denominator), unit)
    return out


def _rounded_1dp(value) -> Fraction | None:
    """A computed average as the KPIs sheet would state it (1 dp), to compare the two."""
    return None if value is None else Fraction(rounded(value, "ratio"))


def return_figures(hr: HrReturns, raw_quarters: list[str]) -> dict[str, tuple[object, str]]:
    """Returns expected / received / on time / late / missing / quarantined per region and quarter,
    and how many KPIs-sheet cells disagree with Table one computed from the Vacancies rows."""
    las = local_authorities()
    current = current_returns(hr)
    regions_seen = set(las[las["old_la_code"].isin(current["la_code"])]["region_code"])
    out: dict[str, tuple[object, str]] = {}
    t = la_numbers(hr)
    k = hr.kpis.merge(current[["file", "la_code", "quarter"]], on="file")
    k = k[k["indicator"] != "active_contacts"].merge(t, on=["la_code", "quarter", "tier", "indicator"])
    computed = [
        _rounded_1dp(_value(i, n, d)) if i in RATIOS else _value(i, n, d)
        for i, n, d in zip(k["indicator"], k["numerator"], k["denominator"])
    ]
    reported = [None if pd.isna(v) else Fraction(v) for v in k["value"]]
    k["agrees"] = [
        (a is None and b is None) or (a is not None and b is not None and abs(a - b) < Fraction(1, 20))
        for a, b in zip(reported, computed)
    ]
    for quarter in raw_quarters:
        end = calendar.quarter_dates(quarter)[1]
        for region in sorted(regions_seen):
            expected = las[las["region_code"] == region]["old_la_code"]
            cur = current[(current["quarter"] == quarter) & current["la_code"].isin(expected)]
            late = int((cur["date_submitted"] > end + dt.timedelta(days=DEADLINE_DAYS)).sum())
            qk = calendar.key(quarter)
            counts = {
                "expected": len(expected),
                "received": len(cur),
                "on_time": len(cur) - late,
                "late": late,
                "quarantined": 0,
                "missing": len(expected) - len(cur),
            }
            for status, n in counts.items():
                out[f"returns.{status}.{qk}.{region}"] = (n, "organisations")
            bad = k[(k["quarter"] == quarter) & k["la_code"].isin(expected) & ~k["agrees"]]
            out[f"reconciliation.disagreements.{qk}.{region}"] = (len(bad), "organisations")
    return out
