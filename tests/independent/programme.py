"""The programme's figures and the four-level evaluation, from raw/programme and the returns.

Definitions: contracts/programme.md (tables, targets, the level each indicator belongs to)
and DESIGN "The four-level evaluation". Every region-quarter with any programme record is
a programme quarter; figures of the financial year run over its programme quarters."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pandas as pd

from . import calendar
from .printing import ratio, rounded
from .readers import HrReturns, local_authorities, money
from .table_one import current_returns, la_numbers

COMPETENCIES = [
    "political_awareness",
    "working_with_elected_members",
    "risk",
    "commissioning",
    "finance",
    "partnership",
    "social_care_and_protection",
]
# contracts/programme.md "Target indicators": the unit each plan target is measured in
TARGET_UNITS = {
    "mean_rating": "score",
    "response_rate": "percent",
    "skill_gain": "score",
    "audit_coverage": "percent",
    "permanent_fill_rate": "percent",
    "readvertisement_rate": "percent",
    "time_to_fill": "days",
    "interim_cover_rate": "percent",
}
EVENT_TYPES = ["applied", "shortlisted", "appointed", "acting up", "moved authority", "secondment"]
Figures = dict[str, tuple[object, str]]


def _date(text: str) -> dt.date:
    text = str(text).strip()
    if "/" in text:
        d, m, y = text.split("/")
        return dt.date(int(y), int(m), int(d))
    return dt.date.fromisoformat(text[:10])


def _sfx(value: str) -> str:
    return "" if value == "all" else "." + value.replace(" ", "_")


def programme_quarters(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    seen = pd.concat(
        [
            tables[t][["region_code", "quarter"]]
            for t in ("activities", "grant_ledger", "career_events", "skills_audit", "narrative")
        ],
        ignore_index=True,
    )
    seen = seen.drop_duplicates()
    seen["fy"] = seen["quarter"].map(calendar.financial_year)
    seen["order"] = seen["quarter"].map(calendar.sort_key)
    return seen.sort_values(["region_code", "order"]).reset_index(drop=True)


def activity_figures(t: dict[str, pd.DataFrame]) -> Figures:
    out: Figures = {}
    acts = t["activities"]
    att = t["attendance"].merge(
        acts[["region_code", "quarter", "activity_id", "activity_type"]],
        on=["region_code", "quarter", "activity_id"],
        how="inner",
    )
    for (region, quarter), a in acts.groupby(["region_code", "quarter"]):
        at = att[(att["region_code"] == region) & (att["quarter"] == quarter)]
        head = f"{calendar.key(quarter)}.{region}"
        for kind in ["all", *sorted(a["activity_type"].unique())]:
            ak = a if kind == "all" else a[a["activity_type"] == kind]
            tk = at if kind == "all" else at[at["activity_type"] == kind]
            sfx = _sfx(kind)
            out[f"programme.activities.{head}{sfx}"] = (len(ak), "count")
            out[f"programme.attendances.{head}{sfx}"] = (len(tk), "count")
            out[f"programme.participants.{head}{sfx}"] = (tk["participant_id"].nunique(), "count")
            out[f"programme.cost_gbp.{head}{sfx}"] = (sum(money(x) for x in ak["cost_gbp"]), "gbp")
            if kind == "all":
                out[f"programme.las_reached.{head}"] = (tk["la_code"].nunique(), "organisations")
    return out


def reaction_figures(t: dict[str, pd.DataFrame]) -> Figures:
    """Level 1: ratings given for attendances (feedback matched to an attendance, whenever given)."""
    out: Figures = {}
    acts = t["activities"]
    att = t["attendance"].merge(
        acts[["region_code", "quarter", "activity_id", "activity_type"]],
        on=["region_code", "quarter", "activity_id"],
        how="inner",
    )
    fb = t["feedback"][["region_code", "activity_id", "participant_id", "rating"]]
    att = att.merge(fb, on=["region_code", "activity_id", "participant_id"], how="left")
    att["rating"] = pd.to_numeric(att["rating"])
    for (region, quarter), a in att.groupby(["region_code", "quarter"]):
        head = f"{calendar.key(quarter)}.{region}"
        for kind in ["all", *sorted(a["activity_type"].unique())]:
            ak = a if kind == "all" else a[a["activity_type"] == kind]
            rated = ak["rating"].dropna().astype(int)
            sfx = _sfx(kind)
            out[f"evaluation.level1.responses.{head}{sfx}"] = (len(rated), "count")
            out[f"evaluation.level1.response_rate.{head}{sfx}"] = (_pct(len(rated), len(ak)), "percent")
            out[f"evaluation.level1.mean_rating.{head}{sfx}"] = (ratio(int(rated.sum()), len(rated)), "score")
            if kind == "all":
                for n in range(1, 6):
                    out[f"evaluation.level1.rating_share.{head}.rating_{n}"] = (
                        _pct(int((rated == n).sum()), len(rated)),
                        "percent",
                    )
    return out


def _pct(part, whole):
    r = ratio(part, whole)
    return None if r is None else 100 * r


def paired_skills(t: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per participant and competency rated in both audits of a financial year:
    the earliest 'before' and the latest 'after' rating."""
    s = t["skills_audit"].copy()
    if s.empty:
        return pd.DataFrame(columns=["region_code", "fy", "participant_id", "competency", "before", "after", "quarter"])
    s["fy"] = s["quarter"].map(calendar.financial_year)
    s["audit_date"] = s["audit_date"].map(_date)
    long = s.melt(
        id_vars=["region_code", "fy", "quarter", "participant_id", "audit", "audit_date"],
        value_vars=COMPETENCIES,
        var_name="competency",
        value_name="rating",
    )
    long = long[long["rating"].str.strip() != ""]
    long["rating"] = long["rating"].astype(int)
    keys = ["region_code", "fy", "participant_id", "competency"]
    before = long[long["audit"] == "before"].sort_values("audit_date").drop_duplicates(keys, keep="first")
    after = long[long["audit"] == "after"].sort_values("audit_date").drop_duplicates(keys, keep="last")
    p = (
        before[[*keys, "rating"]]
        .rename(columns={"rating": "before"})
        .merge(after[[*keys, "rating", "quarter"]].rename(columns={"rating": "after"}), on=keys)
    )
    # a year's learning figures are reported in the quarter of its last 'after' audit
    p["quarter"] = p.groupby(["region_code", "fy"])["quarter"].transform(lambda q: max(q, key=calendar.sort_key))
    return p


def learning_figures(t: dict[str, pd.DataFrame]) -> Figures:
    """Level 2. The change printed beside the two means is the difference of the means as
    printed (to 1 dp), so 2.5 -> 3.1 reads as a change of 0.6 (ref_indicators / contract)."""
    out: Figures = {}
    p = paired_skills(t)
    att = t["attendance"].assign(fy=t["attendance"]["quarter"].map(calendar.financial_year))
    for (region, fy, quarter), g in p.groupby(["region_code", "fy", "quarter"]):
        head = f"{calendar.key(quarter)}.{region}"
        for comp in ["all", *COMPETENCIES]:
            gc = g if comp == "all" else g[g["competency"] == comp]
            if gc.empty:
                continue
            sfx = "" if comp == "all" else "." + comp
            before, after = ratio(int(gc["before"].sum()), len(gc)), ratio(int(gc["after"].sum()), len(gc))
            out[f"evaluation.level2.skill_before.{head}{sfx}"] = (before, "score")
            out[f"evaluation.level2.skill_after.{head}{sfx}"] = (after, "score")
            out[f"evaluation.level2.skill_gain.{head}{sfx}"] = (
                rounded(after, "score") - rounded(before, "score"),
                "score",
            )
            out[f"evaluation.level2.paired_participants.{head}{sfx}"] = (gc["participant_id"].nunique(), "count")
        cohort = att[(att["region_code"] == region) & (att["fy"] == fy)]["participant_id"].nunique()
        out[f"evaluation.level2.audit_coverage.{head}"] = (_pct(g["participant_id"].nunique(), cohort), "percent")
    return out


def behaviour_figures(t: dict[str, pd.DataFrame], pq: pd.DataFrame) -> Figures:
    """Level 3: career events per programme quarter, financial year to date and programme to date."""
    out: Figures = {}
    ev = t["career_events"]
    for region, quarters in pq.groupby("region_code", sort=False):
        e = ev[ev["region_code"] == region]
        for event in EVENT_TYPES:
            fytd, to_date, fy_seen = 0, 0, None
            for quarter, fy in zip(quarters["quarter"], quarters["fy"]):
                n = int(((e["quarter"] == quarter) & (e["event_type"] == event)).sum())
                fytd = n + (fytd if fy == fy_seen else 0)
                fy_seen = fy
                to_date += n
                tail = f"{calendar.key(quarter)}.{region}.{event.replace(' ', '_')}"
                out[f"evaluation.level3.events.{tail}"] = (n, "count")
                out[f"evaluation.level3.events_fytd.{tail}"] = (fytd, "count")
                out[f"evaluation.level3.events_to_date.{tail}"] = (to_date, "count")
    return out


def results_figures(hr: HrReturns) -> Figures:
    """Level 4 per region and quarter from the current HR returns (tiers 1 and 2 together)."""
    out: Figures = {}
    las = local_authorities()[["old_la_code", "region_code"]]
    t1 = la_numbers(hr).merge(las, left_on="la_code", right_on="old_la_code")
    counts = ["vacancies", "posts_advertised", "filled_permanent", "advertised_not_filled", "readvertised"]
    totals = t1[t1["indicator"].isin(counts)].groupby(["region_code", "quarter", "indicator"])["numerator"].sum()
    current = current_returns(hr)
    c = hr.vacancies.merge(current[["file", "la_code", "quarter", "quarter_start", "quarter_end"]], on="file")
    fills = c[
        (c["outcome"] == "filled permanently")
        & c["date_filled"].notna()
        & (c["date_filled"] >= c["quarter_start"])
        & (c["date_filled"] <= c["quarter_end"])
    ]
    fills = fills.drop_duplicates(["la_code", "campaign_ref"]).merge(las, left_on="la_code", right_on="old_la_code")
    wf = hr.workforce.merge(current[["file", "la_code", "quarter"]], on="file").merge(
        las, left_on="la_code", right_on="old_la_code"
    )
    fills_by = dict(tuple(fills.groupby(["region_code", "quarter"])))
    wf_by = dict(tuple(wf.groupby(["region_code", "quarter"])))
    for (region, quarter), g in totals.groupby(level=[0, 1]):
        n = {ind: int(v) for (_, _, ind), v in g.items()}
        head = f"evaluation.level4.{{}}.{calendar.key(quarter)}.{region}"
        for ind in counts:
            out[head.format(ind)] = (n[ind], "count")
        out[head.format("permanent_fill_rate")] = (
            _pct(n["filled_permanent"], n["filled_permanent"] + n["advertised_not_filled"]),
            "percent",
        )
        out[head.format("readvertisement_rate")] = (_pct(n["readvertised"], n["posts_advertised"]), "percent")
        f = fills_by.get((region, quarter), fills.iloc[:0])
        if len(f):
            days = sum((b - a).days for a, b in zip(f["vacancy_arose"], f["date_filled"]))
            out[head.format("time_to_fill")] = (ratio(days, len(f)), "days")
            bg = f["appointee_background"].dropna()
            out[head.format("external_appointee_rate")] = (_pct(int((bg != "internal").sum()), len(bg)), "percent")
        w = wf_by.get((region, quarter), wf.iloc[:0])
        top, pool = w[w["tier"].isin(["1", "2"])], w[w["tier"] == "3"]
        if len(top):
            out[head.format("interim_cover_rate")] = (
                _pct(int((top["interim_or_agency"] == "yes").sum()), len(top)),
                "percent",
            )
            out[head.format("retirement_risk_rate")] = (
                _pct(int((top["retiring_within_two_years"] == "yes").sum()), len(top)),
                "percent",
            )
            aged = top[top["age_band"] != "prefer not to say"]
            out[head.format("aged_55_plus_rate")] = (
                _pct(int(aged["age_band"].isin(["55-59", "60 and over"]).sum()), len(aged)),
                "percent",
            )
        if len(pool):
            g_ = pool[pool["gender"] != "prefer not to say"]
            out[head.format("talent_pool_female_rate")] = (
                _pct(int((g_["gender"] == "female").sum()), len(g_)),
                "percent",
            )
            e_ = pool[pool["ethnic_group"] != "prefer not to say"]
            out[head.format("talent_pool_ethnic_minority_rate")] = (
                _pct(int((e_["ethnic_group"] != "White").sum()), len(e_)),
                "percent",
            )
    return out


def target_figures(plans: list[dict], pq: pd.DataFrame) -> Figures:
    """The plan's targets and baselines, for every programme quarter of the plan's year."""
    out: Figures = {}
    for plan in plans:
        region, fy = plan["region_code"], str(plan["financial_year"])
        quarters = pq[(pq["region_code"] == region) & (pq["fy"] == fy)]["quarter"]
        for target in plan.get("targets") or []:
            for quarter in quarters:
                for kind in ("target", "baseline"):
                    if target.get(kind) is not None:
                        out[f"evaluation.{kind}.{target['indicator']}.{calendar.key(quarter)}.{region}"] = (
                            Fraction(str(target[kind])),
                            TARGET_UNITS.get(target["indicator"], "count"),
                        )
    return out


def grant_figures(t: dict[str, pd.DataFrame], plans: list[dict], pq: pd.DataFrame) -> Figures:
    """The grant by budget line and in total, per programme quarter of the plan's year."""
    out: Figures = {}
    ledger = t["grant_ledger"]
    for plan in plans:
        region, fy = plan["region_code"], str(plan["financial_year"])
        quarters = list(pq[(pq["region_code"] == region) & (pq["fy"] == fy)]["quarter"])
        led = ledger[(ledger["region_code"] == region) & ledger["quarter"].isin(quarters)]
        spent = led[led["entry_type"] == "spent"]
        planned = {b["line"]: {q: Fraction(str(v)) for q, v in b["planned_gbp"].items()} for b in plan["budget_lines"]}
        for line in sorted(set(spent["budget_line"]) - set(planned)):
            planned[line] = {}
        to_date = {line: [Fraction(0), Fraction(0)] for line in planned}
        received_to_date = Fraction(0)
        for quarter in quarters:
            qn = quarter.split(" ")[1]
            head = f"{calendar.key(quarter)}.{region}"
            total = dict.fromkeys(
                ["planned_this_quarter", "spent_this_quarter", "planned_to_date", "spent_to_date", "annual_plan"],
                Fraction(0),
            )
            for line, plan_q in planned.items():
                row = {
                    "planned_this_quarter": plan_q.get(qn, Fraction(0)),
                    "spent_this_quarter": sum(
                        (
                            money(x)
                            for x in spent[(spent["quarter"] == quarter) & (spent["budget_line"] == line)]["amount_gbp"]
                        ),
                        Fraction(0),
                    ),
                    "annual_plan": sum(plan_q.values(), Fraction(0)),
                }
                # planned to date: the plan's quarters up to this one, records or not
                to_date[line][0] = sum((v for q, v in plan_q.items() if q <= qn), Fraction(0))
                to_date[line][1] += row["spent_this_quarter"]
                row["planned_to_date"], row["spent_to_date"] = to_date[line]
                for k in total:
                    total[k] += row[k]
                _grant_rows(out, row, f"{head}.line_{line}")
            _grant_rows(out, total, head)
            received = sum(
                (money(x) for x in led[(led["quarter"] == quarter) & (led["entry_type"] == "received")]["amount_gbp"]),
                Fraction(0),
            )
            received_to_date += received
            grant = Fraction(str(plan["grant_gbp"]))
            out[f"grant.received_this_quarter.{head}"] = (received, "gbp")
            out[f"grant.received_to_date.{head}"] = (received_to_date, "gbp")
            out[f"grant.grant_gbp.{head}"] = (grant, "gbp")
            out[f"grant.remaining_grant.{head}"] = (_shown(grant) - _shown(total["spent_to_date"]), "gbp")
    return out


def _shown(amount) -> Fraction:
    """Money as printed (whole pounds): differences printed beside their operands use these."""
    return Fraction(rounded(amount, "gbp"))


def _grant_rows(out: Figures, row: dict, tail: str) -> None:
    for k, v in row.items():
        out[f"grant.{k}.{tail}"] = (v, "gbp")
    out[f"grant.variance_to_date.{tail}"] = (_shown(row["spent_to_date"]) - _shown(row["planned_to_date"]), "gbp")
    out[f"grant.remaining_plan.{tail}"] = (_shown(row["annual_plan"]) - _shown(row["spent_to_date"]), "gbp")


def figures(hr: HrReturns, tables: dict[str, pd.DataFrame], plans: list[dict]) -> Figures:
    pq = programme_quarters(tables)
    out: Figures = {}
    out.update(activity_figures(tables))
    out.update(reaction_figures(tables))
    out.update(learning_figures(tables))
    out.update(behaviour_figures(tables, pq))
    out.update(results_figures(hr))
    out.update(target_figures(plans, pq))
    out.update(grant_figures(tables, plans, pq))
    return out
