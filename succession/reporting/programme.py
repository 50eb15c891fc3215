"""Sections built from the regional programme's records: the four-level evaluation
(resource 13) and the programme part of the quarterly return (resource 14).

Every number printed goes through the figure register (``rpt.value`` / ``rpt.table``);
ratings (met / near / not met / no target / no data) are words read from
``marts.fct_evaluation_ratings``; charts read figure values (suppressed ones are left out).
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from contracts.programme import COMPETENCIES
from succession.periods import FinancialQuarter
from succession.reporting import Report

EVENTS = {"applied": "Applied", "shortlisted": "Shortlisted", "appointed": "Appointed", "acting_up": "Acting up",
          "moved_authority": "Moved authority", "secondment": "Secondment"}
LEVEL4 = {
    "permanent_fill_rate": "Permanent-fill rate (%)",
    "readvertisement_rate": "Readvertisement rate (%)",
    "time_to_fill": "Mean time to fill, permanent appointments (days)",
    "interim_cover_rate": "First and second tier posts held on an interim or agency basis (%)",
    "external_appointee_rate": "Permanent appointees from outside the LA (%)",
    "talent_pool_female_rate": "Third tier (talent pool) who are women (%)",
    "talent_pool_ethnic_minority_rate": "Third tier (talent pool) from ethnic minority groups (%)",
    "aged_55_plus_rate": "First and second tier post-holders aged 55 or over (%)",
    "retirement_risk_rate": "First and second tier post-holders expected to retire within two years (%)",
    "vacancies": "Vacancies (tiers 1 and 2)",
    "filled_permanent": "Posts filled permanently (tiers 1 and 2)",
    "readvertised": "Posts readvertised (tiers 1 and 2)",
}
LABELS = {"mean_rating": "Mean rating of activities (1-5)", "response_rate": "Feedback response rate (%)",
          "skill_gain": "Mean change in self-assessed skills (points, 1-5 scale)", "audit_coverage": "Participants with paired audits (%)",
          **{k: f"{v} (year to date)" for k, v in EVENTS.items()}, **LEVEL4}
BUDGET_LINES = {"action_learning": "Action learning sets", "coaching_mentoring": "Coaching and mentoring",
                "shadowing_secondments": "Shadowing, secondments and placements", "events": "Workshops and events",
                "evaluation": "Evaluation", "programme_management": "Programme management"}


def _q(rpt: Report) -> FinancialQuarter:
    return FinancialQuarter.parse(rpt.period)


def _exists(rpt: Report, figure_id: str | None) -> bool:
    return bool(figure_id) and not rpt.query("select 1 from audit.fct_figures where figure_id = ?", [figure_id]).empty


def _fid(rpt: Report, figure_id: str) -> str | None:
    return figure_id if _exists(rpt, figure_id) else None


def _ratings(rpt: Report, level: int) -> pd.DataFrame:
    return rpt.query(
        # a suppressed value's rating is suppressed with it (macros/disclosure.sql published_rating)
        """select r.indicator, r.actual_figure_id, r.target_figure_id, r.baseline_figure_id,
                  case when f.suppressed and r.rating in ('met', 'near', 'not met') then 'c' else r.rating end as rating
           from marts.fct_evaluation_ratings as r
           left join audit.fct_figures as f on f.figure_id = r.actual_figure_id
           where r.region_code = ? and r.quarter = ? and r.level = ?
             and (r.target is not null or r.indicator in ('mean_rating', 'response_rate', 'skill_gain', 'audit_coverage'))
           order by r.indicator""",
        [rpt.region, rpt.period, level])


def _rating_table(rpt: Report, level: int) -> None:
    df = _ratings(rpt, level)
    if df.empty:
        print("No indicator at this level has data or a target for the quarter.\n")
        return
    out = pd.DataFrame({
        "Indicator": [LABELS.get(i, i.replace("_", " ")) for i in df["indicator"]],
        "Actual": [f if _exists(rpt, f) else None for f in df["actual_figure_id"]],
        "Baseline": df["baseline_figure_id"],
        "Target": df["target_figure_id"],
        "Rating": df["rating"],
    })
    print(rpt.table(out, figure_columns=["Actual", "Baseline", "Target"]))


def _shown_values(rpt: Report, sql: str, params: list) -> pd.DataFrame:
    """Figure values for charts: only figures shown unsuppressed (never a hidden value)."""
    df = rpt.query(sql, params)
    return df[~df["suppressed"].astype(bool)] if not df.empty else df


# --- the four-level evaluation ------------------------------------------------------------------

def evaluation_levels(rpt: Report) -> None:
    q = _q(rpt)
    r, k = rpt.region, q.key
    print("Each level states its evidence base and a rating against the target in the region's plan for "
          f"{q.label.split(' ')[0]}: **met**, **near** (within 10% of the target), **not met**, **no target** "
          "(the plan sets none) or **no data** (nothing to measure yet this quarter). Figures are for the region; "
          "`c` marks a figure suppressed because it rests on fewer than five people (or a count of 1 or 2).\n")

    rpt.section("Level 1: reaction")
    print("### Level 1: reaction\n")
    if _exists(rpt, f"evaluation.level1.responses.{k}.{r}"):
        print(f"Participants gave {rpt.value(f'evaluation.level1.responses.{k}.{r}')} ratings of this quarter's activities, "
              f"a response rate of {rpt.value(f'evaluation.level1.response_rate.{k}.{r}', '%')} of attendances; "
              f"the mean rating was {rpt.value(f'evaluation.level1.mean_rating.{k}.{r}')} on a scale of 1 (poor) to 5 (excellent).\n")
    else:
        print("No activities ran this quarter, so there is no feedback to report.\n")
    _rating_table(rpt, 1)
    _rating_chart(rpt)

    rpt.section("Level 2: learning")
    print("\n### Level 2: learning\n")
    learning = rpt.query("""select l.quarter from marts.fct_evaluation_learning l join marts.dim_quarters d on d.quarter = l.quarter
                            where l.region_code = ? and l.financial_year = ? and l.competency = 'all' and d.quarter_start <= ?""",
                         [r, q.label.split(" ")[0], q.start])
    if learning.empty:
        print("The skills and talent audit (resource 8) is paired before and after within a financial year; "
              "no participant has both audits yet this year (the after audit is usually in the last quarter).\n")
    else:
        lk = FinancialQuarter.parse(learning["quarter"].iloc[0]).key
        print(f"Self-assessed skills (1-5) from the skills and talent audit before and after the year's programme, "
              f"for the {rpt.value(f'evaluation.level2.paired_participants.{lk}.{r}')} participants with both audits "
              f"({rpt.value(f'evaluation.level2.audit_coverage.{lk}.{r}', '%')} of the year's participants). "
              "Only paired answers count.\n")
        rows = []
        for c, label in COMPETENCIES.items():
            rows.append({"Competency": label, "Paired participants": _fid(rpt, f"evaluation.level2.paired_participants.{lk}.{r}.{c}"),
                         "Before": _fid(rpt, f"evaluation.level2.skill_before.{lk}.{r}.{c}"),
                         "After": _fid(rpt, f"evaluation.level2.skill_after.{lk}.{r}.{c}"),
                         "Change": _fid(rpt, f"evaluation.level2.skill_gain.{lk}.{r}.{c}")})
        rows.append({"Competency": "**All competencies**", "Paired participants": _fid(rpt, f"evaluation.level2.paired_participants.{lk}.{r}"),
                     "Before": _fid(rpt, f"evaluation.level2.skill_before.{lk}.{r}"), "After": _fid(rpt, f"evaluation.level2.skill_after.{lk}.{r}"),
                     "Change": _fid(rpt, f"evaluation.level2.skill_gain.{lk}.{r}")})
        df = pd.DataFrame(rows)
        print(rpt.table(df, figure_columns=["Paired participants", "Before", "After", "Change"]))
        _skills_chart(rpt, lk)
    _rating_table(rpt, 2)

    rpt.section("Level 3: behaviour")
    print("\n### Level 3: behaviour\n")
    print("Career events the lead recorded for participants: this quarter, the financial year to date and since the "
          "programme's records began. Intent to apply, from the survey, is reported with the survey.\n")
    rows = []
    for e, label in EVENTS.items():
        rows.append({"Event": label, "This quarter": _fid(rpt, f"evaluation.level3.events.{k}.{r}.{e}"),
                     "Year to date": _fid(rpt, f"evaluation.level3.events_fytd.{k}.{r}.{e}"),
                     "Programme to date": _fid(rpt, f"evaluation.level3.events_to_date.{k}.{r}.{e}")})
    df = pd.DataFrame(rows)
    print(rpt.table(df, figure_columns=["This quarter", "Year to date", "Programme to date"]))
    _rating_table(rpt, 3)

    rpt.section("Level 4: results")
    print("\n### Level 4: results\n")
    if _exists(rpt, f"evaluation.level4.permanent_fill_rate.{k}.{r}"):
        print(f"From the LAs' quarterly HR returns (first and second tier together): the permanent-fill rate "
              f"(posts filled permanently ÷ campaigns closed) was {rpt.value(f'evaluation.level4.permanent_fill_rate.{k}.{r}', '%')}"
              f" and the readvertisement rate (readvertised ÷ posts advertised) {rpt.value(f'evaluation.level4.readvertisement_rate.{k}.{r}', '%')}.\n")
    rows = [{"Indicator": label, "This quarter": _fid(rpt, f"evaluation.level4.{i}.{k}.{r}"),
             "Year before": _fid(rpt, f"evaluation.level4.{i}.{q.year_before().key}.{r}")} for i, label in LEVEL4.items()]
    df = pd.DataFrame(rows)
    print(rpt.table(df, figure_columns=["This quarter", "Year before"]))
    _rating_table(rpt, 4)
    _results_chart(rpt)

    rpt.section("Spend against plan")
    _spend_chart(rpt)


def _rating_chart(rpt: Report) -> None:
    df = _shown_values(rpt, """select breakdown, value, suppressed from audit.fct_figures
                               where table_id = 'evaluation_level1' and indicator = 'rating_share' and region_code = ? and period = ?
                               order by breakdown""", [rpt.region, rpt.period])
    if df.empty:
        return
    fig, ax = plt.subplots(figsize=(6, 2.8))
    labels = [b.replace("rating_", "") for b in df["breakdown"]]
    ax.bar(labels, df["value"], color="#1d70b8")
    ax.set_xlabel("Rating (1 = poor, 5 = excellent)")
    ax.set_ylabel("% of ratings")
    ax.set_title(f"Level 1: how participants rated activities, {rpt.period}")
    fig.tight_layout()
    plt.show()


def _skills_chart(rpt: Report, quarter_key: str) -> None:
    df = _shown_values(rpt, """select indicator, breakdown, value, suppressed from audit.fct_figures
                               where table_id = 'evaluation_level2' and indicator in ('skill_before', 'skill_after')
                                 and region_code = ? and figure_id like ? and breakdown is not null""",
                       [rpt.region, f"%.{quarter_key}.%"])
    if df.empty:
        return
    wide = df.pivot_table(index="breakdown", columns="indicator", values="value").reindex([c for c in COMPETENCIES])
    wide = wide.dropna(how="all")
    if wide.empty:
        return
    fig, ax = plt.subplots(figsize=(7, 3.4))
    y = range(len(wide))
    ax.barh([i + 0.2 for i in y], wide.get("skill_before"), height=0.4, label="Before", color="#b1b4b6")
    ax.barh([i - 0.2 for i in y], wide.get("skill_after"), height=0.4, label="After", color="#1d70b8")
    ax.set_yticks(list(y), [COMPETENCIES[c] for c in wide.index], fontsize=8)
    ax.set_xlim(0, 5)
    ax.set_xlabel("Mean self-assessment (1-5), paired participants")
    ax.set_title("Level 2: skills before and after, by competency")
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    plt.show()


def _results_chart(rpt: Report) -> None:
    q = _q(rpt)
    df = _shown_values(rpt, """select f.period, f.indicator, f.value, f.suppressed, d.quarter_start from audit.fct_figures f
                               join marts.dim_quarters d on d.quarter = f.period
                               where f.table_id in ('evaluation_level4', 'evaluation_targets') and f.region_code = ?
                                 and f.indicator in ('permanent_fill_rate', 'readvertisement_rate') and d.quarter_start <= ?
                                 and coalesce(f.breakdown, 'actual') in ('actual', 'target')
                               order by d.quarter_start""", [rpt.region, q.start])
    if df.empty:
        return
    fig, ax = plt.subplots(figsize=(7, 3.8))
    colours = {"permanent_fill_rate": "#1d70b8", "readvertisement_rate": "#d4351c"}
    for ind, colour in colours.items():
        a = df[df["indicator"] == ind].drop_duplicates("period", keep="first")
        actuals = rpt.query("""select period, value, suppressed from audit.fct_figures where table_id = 'evaluation_level4' and indicator = ?
                               and region_code = ?""", [ind, rpt.region])
        actuals = actuals[~actuals["suppressed"].astype(bool)].set_index("period")["value"]
        tg = rpt.query("""select period, value from audit.fct_figures where table_id = 'evaluation_targets' and breakdown = 'target'
                          and indicator = ? and region_code = ?""", [ind, rpt.region]).set_index("period")["value"]
        periods = [p for p in a["period"]]
        ax.plot(periods, [actuals.get(p) for p in periods], marker="o", color=colour, label=LEVEL4[ind])
        if not tg.empty:
            ax.plot(periods, [tg.get(p) for p in periods], linestyle="--", color=colour, alpha=0.6, label=f"Target: {LEVEL4[ind].lower()}")
    ax.set_ylabel("%")
    ax.set_title("Level 4: Table one rates against the plan's targets")
    ax.legend(frameon=False, fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.3), ncol=2)
    ax.tick_params(axis="x", labelrotation=30, labelsize=8)
    fig.tight_layout()
    plt.show()


def _spend_chart(rpt: Report) -> None:
    df = _shown_values(rpt, """select indicator, breakdown, value, suppressed from audit.fct_figures
                               where table_id = 'grant' and indicator in ('planned_to_date', 'spent_to_date') and region_code = ?
                                 and period = ? and breakdown is not null""", [rpt.region, rpt.period])
    if df.empty:
        return
    wide = df.pivot_table(index="breakdown", columns="indicator", values="value")
    names = [BUDGET_LINES.get(b.replace("line_", ""), b) for b in wide.index]
    fig, ax = plt.subplots(figsize=(7, 3.4))
    y = range(len(wide))
    ax.barh([i + 0.2 for i in y], wide.get("planned_to_date"), height=0.4, label="Planned to date", color="#b1b4b6")
    ax.barh([i - 0.2 for i in y], wide.get("spent_to_date"), height=0.4, label="Spent to date", color="#1d70b8")
    ax.set_yticks(list(y), names, fontsize=8)
    ax.set_xlabel("£ (financial year to date)")
    ax.set_title(f"Grant spend against plan by budget line, {rpt.period}")
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    plt.show()


# --- the quarterly return ----------------------------------------------------------------------

def quarterly_return_programme(rpt: Report) -> None:
    q = _q(rpt)
    r, k = rpt.region, q.key

    rpt.section("Progress against milestones")
    print("### Progress against the plan's milestones\n")
    ms = rpt.query("""select milestone_id, milestone, strftime(due_date, '%d/%m/%Y') as due, status_at_quarter_end,
                             strftime(completed_date, '%d/%m/%Y') as completed, status_recorded
                      from marts.fct_programme_milestones where region_code = ? and quarter = ? order by due_date, milestone_id""",
                   [r, q.label])
    if ms.empty:
        print("The region has no plan with milestones for this financial year.\n")
    else:
        print("Status as at the end of the quarter, from the due and completed dates in the plan "
              "(the lead's own status is shown alongside).\n")
        print(rpt.table(ms.rename(columns={"milestone_id": "Ref", "milestone": "Milestone", "due": "Due",
                                            "status_at_quarter_end": "Status at quarter end", "completed": "Completed",
                                            "status_recorded": "Lead's status"})))

    rpt.section("Activities undertaken")
    print("\n### Activities undertaken\n")
    acts = rpt.query("""select activity_type from marts.fct_programme_activities where region_code = ? and quarter = ? and activity_type <> 'all'
                        order by activity_type""", [r, q.label])
    if acts.empty:
        print("No activities were recorded this quarter.\n")
    else:
        print(f"{rpt.value(f'programme.activities.{k}.{r}')} activities ran this quarter with "
              f"{rpt.value(f'programme.participants.{k}.{r}')} participants from {rpt.value(f'programme.las_reached.{k}.{r}')} "
              f"local authorities ({rpt.value(f'programme.attendances.{k}.{r}')} attendances), costing "
              f"£{rpt.value(f'programme.cost_gbp.{k}.{r}')}.\n")
        rows = []
        for t in acts["activity_type"]:
            s = t.replace(" ", "_")
            rows.append({"Activity": t[0].upper() + t[1:], "Activities": f"programme.activities.{k}.{r}.{s}",
                         "Participants": f"programme.participants.{k}.{r}.{s}", "Attendances": f"programme.attendances.{k}.{r}.{s}",
                         "Cost (£)": f"programme.cost_gbp.{k}.{r}.{s}",
                         "Mean rating": _fid(rpt, f"evaluation.level1.mean_rating.{k}.{r}.{s}")})
        df = pd.DataFrame(rows)
        print(rpt.table(df, figure_columns=["Activities", "Participants", "Attendances", "Cost (£)", "Mean rating"]))
        listing = rpt.query("""select title as "Activity", activity_type as "Type", provider as "Provider",
                                      strftime(start_date, '%d/%m/%Y') as "Start", strftime(end_date, '%d/%m/%Y') as "End"
                               from staging.stg_programme__activities where region_code = ? and quarter = ?
                               order by start_date, activity_id""", [r, q.label])
        print("\nThe activities, as the lead recorded them:\n")
        print(rpt.table(listing))

    rpt.section("Grant")
    print("\n### Grant received and spent\n")
    if not _exists(rpt, f"grant.spent_to_date.{k}.{r}"):
        print("No grant ledger or plan was recorded for this quarter.\n")
    else:
        print(f"Grant for {q.label.split(' ')[0]}: £{rpt.value(f'grant.grant_gbp.{k}.{r}')}. Received this quarter "
              f"£{rpt.value(f'grant.received_this_quarter.{k}.{r}')}, £{rpt.value(f'grant.received_to_date.{k}.{r}')} to date. "
              f"Spent this quarter £{rpt.value(f'grant.spent_this_quarter.{k}.{r}')} against £{rpt.value(f'grant.planned_this_quarter.{k}.{r}')} "
              f"planned; £{rpt.value(f'grant.spent_to_date.{k}.{r}')} spent to date against £{rpt.value(f'grant.planned_to_date.{k}.{r}')} "
              f"planned, leaving £{rpt.value(f'grant.remaining_grant.{k}.{r}')} of the grant.\n")
        lines = rpt.query("""select budget_line, label from marts.fct_grant_spend where region_code = ? and quarter = ? and budget_line <> 'all'
                             order by budget_line""", [r, q.label])
        rows = []
        for b in list(lines.itertuples()) + [None]:
            sfx = f".line_{b.budget_line}" if b is not None else ""
            rows.append({"Budget line": BUDGET_LINES.get(b.budget_line, b.label) if b is not None else "**Total**",
                         **{label: f"grant.{m}.{k}.{r}{sfx}" for m, label in (
                             ("planned_this_quarter", "Planned this quarter"), ("spent_this_quarter", "Spent this quarter"),
                             ("planned_to_date", "Planned to date"), ("spent_to_date", "Spent to date"),
                             ("variance_to_date", "Over (+) / under (-) plan"), ("remaining_plan", "Left of year's plan"))}})
        df = pd.DataFrame(rows)
        print("All amounts in £.\n")
        print(rpt.table(df, figure_columns=[c for c in df.columns if c != "Budget line"]))
        over = rpt.query("""select label from marts.fct_grant_spend where region_code = ? and quarter = ? and budget_line <> 'all'
                            and variance_to_date > 0.1 * nullif(planned_to_date, 0) order by label""", [r, q.label])
        if not over.empty:
            print(f"\nSpend to date is more than 10% over plan on: {', '.join(over['label'])}.\n")
        _spend_chart(rpt)

    rpt.section("Narrative")
    print("\n### The regional lead's narrative\n")
    text = rpt.query("""select kind, text from staging.stg_programme__narrative where region_code = ? and quarter = ?
                        order by _source_file, paragraph""", [r, q.label])
    if text.empty:
        print("The lead has not supplied a narrative for this quarter.\n")
    for row in text.itertuples():
        if row.kind == "heading":
            continue  # the document supplies its own headings
        print(f"> {row.text}\n>")
    print()
