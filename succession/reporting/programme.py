"""Values, tables and charts from the regional programme's records: the four-level
evaluation (resource 13) and the programme part of the quarterly return (resource 14).

No prose: the documents' sentences are in ``reports/*.qmd``. Figure-id helpers
(:func:`fid`) name the figures the prose shows with ``fig()``; tables and charts go
through the figure register (``Report.table`` / ``charts.collect``); ratings (met / near /
not met / no target / no data) are words read from ``audit.fct_evaluation_ratings_shown`` (suppressed
with the value they rate).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import MaxNLocator

from contracts.programme_codes import BUDGET_LINES, COMPETENCIES
from succession.figures import id_part, regional_id
from succession.periods import FinancialQuarter
from succession.reporting import Report, charts
from succession.reporting.charts import Point
from succession.reporting.text import Md, literal

EVENTS = {
    "applied": "Applied",
    "shortlisted": "Shortlisted",
    "appointed": "Appointed",
    "acting_up": "Acting up",
    "moved_authority": "Moved authority",
    "secondment": "Secondment",
}
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
LABELS = {
    "mean_rating": "Mean rating of activities (1 to 5)",
    "response_rate": "Feedback response rate (%)",
    "skill_gain": "Mean change in self-assessed skills (points, 1 to 5 scale)",
    "audit_coverage": "Participants with paired audits (%)",
    **{k: f"{v} (year to date)" for k, v in EVENTS.items()},
    **LEVEL4,
}
GRANT_COLUMNS = {
    "planned_this_quarter": "Planned this quarter",
    "spent_this_quarter": "Spent this quarter",
    "planned_to_date": "Planned to date",
    "spent_to_date": "Spent to date",
    "variance_to_date": "Over (+) or under (\u2212) plan",
    "remaining_plan": "Left of year's plan",
}
PROGRAMME_SOURCE = "the regional programme's records (activities, feedback, grant ledger)"


def quarter(rpt: Report) -> FinancialQuarter:
    return FinancialQuarter.parse(rpt.period)


def financial_year(rpt: Report) -> str:
    return quarter(rpt).financial_year


def fid(rpt: Report, stem: str, *breakdown: str | None, q: FinancialQuarter | None = None) -> str:
    """``<stem>.<quarter key>.<region>[.<breakdown>...]`` (succession.figures.regional_id) for the
    document's region and quarter (or ``q``), e.g. ``fid(rpt, "grant.spent_to_date", "line_events")``;
    an empty breakdown (``""`` or ``None``: all competencies, all budget lines) is left out."""
    return regional_id(stem, q or quarter(rpt), rpt.region, *(b or None for b in breakdown))


def _or_none(rpt: Report, figure_id: str) -> str | None:
    return figure_id if rpt.exists(figure_id) else None


# -- ratings (all levels) ----------------------------------------------------------------------
def rating_table(rpt: Report, level: int) -> Md:
    """Actual, baseline, target and rating for every indicator of one level with a target."""
    df = rpt.query(
        # the rating as published: suppressed with its value (audit.fct_evaluation_ratings_shown)
        """select r.indicator, r.actual_figure_id, r.target_figure_id, r.baseline_figure_id, r.published_rating as rating
           from audit.fct_evaluation_ratings_shown as r
           where r.region_code = ? and r.quarter = ? and r.level = ?
             and (r.target is not null or r.indicator in ('mean_rating', 'response_rate', 'skill_gain', 'audit_coverage'))
           order by r.indicator""",
        [rpt.region, rpt.period, level],
    )
    out = pd.DataFrame(
        {
            "Indicator": [LABELS.get(i, i.replace("_", " ")) for i in df["indicator"]],
            "Actual": [f if rpt.exists(f) else None for f in df["actual_figure_id"]],
            "Baseline": df["baseline_figure_id"],
            "Target": df["target_figure_id"],
            "Rating": df["rating"],
        }
    )
    return rpt.table(
        out,
        figure_columns=["Actual", "Baseline", "Target"],
        widths={"Indicator": 36, "Actual": 8, "Baseline": 8, "Target": 8, "Rating": 9},
    )


# -- level 1 -----------------------------------------------------------------------------------
def has_feedback(rpt: Report) -> bool:
    return rpt.exists(fid(rpt, "evaluation.level1.responses"))


def ratings_chart(rpt: Report) -> None:
    """Share of ratings at each point of the 1-5 scale this quarter."""
    rpt.section("Level 1: reaction")
    ids = rpt.query(
        """select figure_id, breakdown from audit.fct_figures where table_id = 'evaluation_level1'
                       and indicator = 'rating_share' and region_code = ? and period = ? order by breakdown""",
        [rpt.region, rpt.period],
    )
    if ids.empty:
        return
    data = charts.collect(
        rpt,
        "level1_ratings",
        [Point("Share of ratings", b.replace("rating_", ""), f) for f, b in zip(ids["figure_id"], ids["breakdown"])],
    )
    fig, ax = plt.subplots(figsize=(6, 3.2))
    xs = list(range(len(data)))
    ax.bar(xs, data["value"].fillna(0).where(data["gap"] == "", 0), color=charts.OKABE_ITO[0])
    charts.mark_gaps(ax, xs, data["value"], data["gap"], charts.GREY)
    ax.set_xticks(xs, data["x"])
    ax.set_xlabel("Rating (1 = poor, 5 = excellent)")
    ax.set_ylabel("% of ratings")
    ax.set_ylim(0, 100)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    charts.finish(fig, data, PROGRAMME_SOURCE)


# -- level 2 -----------------------------------------------------------------------------------
def learning_quarter(rpt: Report) -> FinancialQuarter | None:
    """The quarter of this financial year (up to the report's) holding paired skills audits."""
    q = quarter(rpt)
    rows = rpt.query(
        """select l.quarter from marts.fct_evaluation_learning l join marts.dim_quarters d on d.quarter = l.quarter
                        where l.region_code = ? and l.financial_year = ? and l.competency = 'all' and d.quarter_start <= ?""",
        [rpt.region, financial_year(rpt), q.start],
    )
    return None if rows.empty else FinancialQuarter.parse(rows["quarter"].iloc[0])


def skills_table(rpt: Report, lq: FinancialQuarter) -> Md:
    rpt.section("Level 2: learning")
    rows = []
    for c, label in [*COMPETENCIES.items(), ("", "All competencies")]:
        rows.append(
            {
                "Competency": label,
                **{
                    col: _or_none(rpt, fid(rpt, f"evaluation.level2.{m}", c, q=lq))
                    for m, col in (
                        ("paired_participants", "Paired participants"),
                        ("skill_before", "Before"),
                        ("skill_after", "After"),
                        ("skill_gain", "Change"),
                    )
                },
            }
        )
    return rpt.table(
        pd.DataFrame(rows),
        figure_columns=["Paired participants", "Before", "After", "Change"],
        bold_last=True,
        widths={"Competency": 34, "Paired participants": 10, "Before": 7, "After": 7, "Change": 7},
    )


def skills_chart(rpt: Report, lq: FinancialQuarter) -> None:
    rpt.section("Level 2: learning")
    points = [
        Point(label, COMPETENCIES[c], fid(rpt, f"evaluation.level2.{m}", c, q=lq))
        for m, label in (("skill_before", "Before"), ("skill_after", "After"))
        for c in COMPETENCIES
    ]
    data = charts.collect(rpt, "level2_skills", points)
    fig, ax = plt.subplots(figsize=(7, 0.9 + 0.45 * len(COMPETENCIES)))
    names = list(COMPETENCIES.values())
    for offset, (label, colour) in zip((0.2, -0.2), (("Before", charts.OKABE_ITO[1]), ("After", charts.OKABE_ITO[0]))):
        d = data[data["series"] == label].set_index("x").reindex(names)
        ys = [i + offset for i in range(len(names))]
        ax.barh(ys, d["value"].fillna(0), height=0.4, label=label, color=colour)
        for y, gap in zip(ys, d["gap"]):
            if gap:
                ax.text(0.05, y, f"{label}: c ({gap})", va="center", fontsize=7, color="#333333")
    ax.set_yticks(range(len(names)), [charts.wrap(n, 30) for n in names], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 5)
    ax.set_xlabel("Mean self-assessment (1 to 5), paired participants")
    ax.legend(frameon=False, fontsize=8, loc="lower right")
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    charts.finish(fig, data, "the skills and talent audit (resource 8), before and after")


# -- level 3 -----------------------------------------------------------------------------------
def events_table(rpt: Report) -> Md:
    rpt.section("Level 3: behaviour")
    rows = [
        {
            "Event": label,
            "This quarter": _or_none(rpt, fid(rpt, "evaluation.level3.events", e)),
            "Year to date": _or_none(rpt, fid(rpt, "evaluation.level3.events_fytd", e)),
            "Programme to date": _or_none(rpt, fid(rpt, "evaluation.level3.events_to_date", e)),
        }
        for e, label in EVENTS.items()
    ]
    return rpt.table(
        pd.DataFrame(rows),
        figure_columns=["This quarter", "Year to date", "Programme to date"],
        widths={"Event": 20, "This quarter": 10, "Year to date": 10, "Programme to date": 10},
    )


# -- level 4 -----------------------------------------------------------------------------------
def results_table(rpt: Report) -> Md:
    rpt.section("Level 4: results")
    q = quarter(rpt)
    rows = [
        {
            "Indicator": label,
            "This quarter": _or_none(rpt, fid(rpt, f"evaluation.level4.{i}")),
            "Year before": _or_none(rpt, fid(rpt, f"evaluation.level4.{i}", q=q.year_before())),
        }
        for i, label in LEVEL4.items()
    ]
    return rpt.table(
        pd.DataFrame(rows),
        figure_columns=["This quarter", "Year before"],
        widths={"Indicator": 44, "This quarter": 9, "Year before": 9},
    )


def results_chart(rpt: Report) -> None:
    """Permanent-fill and readvertisement rates by quarter, with the plan's targets."""
    rpt.section("Level 4: results")
    q = quarter(rpt)
    periods = rpt.query(
        """select distinct f.period, d.quarter_start from audit.fct_figures f join marts.dim_quarters d on d.quarter = f.period
                           where f.table_id = 'evaluation_level4' and f.region_code = ? and f.indicator = 'permanent_fill_rate'
                             and d.quarter_start <= ? order by d.quarter_start""",
        [rpt.region, q.start],
    )["period"].tolist()
    if not periods:
        return
    targets = rpt.query(
        """select figure_id, indicator, period from audit.fct_figures where table_id = 'evaluation_targets'
                           and breakdown = 'target' and region_code = ?""",
        [rpt.region],
    )
    target_id = {(r.indicator, r.period): r.figure_id for r in targets.itertuples()}
    indicators = {"permanent_fill_rate": "Permanent-fill rate", "readvertisement_rate": "Readvertisement rate"}
    points = []
    for i, label in indicators.items():
        points += [Point(label, p, fid(rpt, f"evaluation.level4.{i}", q=FinancialQuarter.parse(p))) for p in periods]
        points += [Point(f"Target: {label.lower()}", p, target_id.get((i, p))) for p in periods]
    data = charts.collect(rpt, "level4_rates", points)
    fig, ax = plt.subplots(figsize=(7, 3.8))
    xs = list(range(len(periods)))
    for colour, label in zip(charts.OKABE_ITO, indicators.values()):
        actual = data[data["series"] == label]
        target = data[data["series"] == f"Target: {label.lower()}"]
        ax.plot(xs, actual["value"], marker="o", color=colour, label=label)
        charts.mark_gaps(ax, xs, actual["value"], actual["gap"], colour)
        if target["value"].notna().any():
            ax.plot(xs, target["value"], linestyle="--", color=colour, label=f"Target: {label.lower()}")
    ax.set_xticks(xs, periods)
    ax.tick_params(axis="x", labelrotation=45, labelsize=7)
    ax.set_ylabel("%")
    ax.set_ylim(bottom=0)
    ax.grid(axis="y", color="#dddddd")
    fig.legend(*ax.get_legend_handles_labels(), loc="upper center", ncol=2, frameon=False, fontsize=8)
    fig.tight_layout(rect=(0, 0.08, 1, 0.88))
    charts.finish(
        fig, data, "LAs' quarterly HR returns (first and second tier together); targets from the regional plan"
    )


# -- spend -------------------------------------------------------------------------------------
def budget_lines(rpt: Report) -> pd.DataFrame:
    return rpt.query(
        """select budget_line, label from marts.fct_grant_spend where region_code = ? and quarter = ?
                        and budget_line <> 'all' order by budget_line""",
        [rpt.region, quarter(rpt).label],
    )


def has_grant(rpt: Report) -> bool:
    return rpt.exists(fid(rpt, "grant.spent_to_date"))


def spend_chart(rpt: Report) -> None:
    """Planned and spent to date by budget line (financial year to date)."""
    lines = budget_lines(rpt)
    if lines.empty:
        return
    names = [BUDGET_LINES.get(b, lab) for b, lab in zip(lines["budget_line"], lines["label"])]
    points = [
        Point(label, name, fid(rpt, f"grant.{m}", f"line_{b}"))
        for m, label in (("planned_to_date", "Planned to date"), ("spent_to_date", "Spent to date"))
        for b, name in zip(lines["budget_line"], names)
    ]
    data = charts.collect(rpt, "grant_spend", points)
    fig, ax = plt.subplots(figsize=(7, 1 + 0.5 * len(names)))
    for offset, (label, colour) in zip(
        (-0.2, 0.2), (("Planned to date", charts.OKABE_ITO[1]), ("Spent to date", charts.OKABE_ITO[0]))
    ):
        d = data[data["series"] == label].set_index("x").reindex(names)
        ax.barh([i + offset for i in range(len(names))], d["value"].fillna(0), height=0.4, label=label, color=colour)
    ax.set_yticks(range(len(names)), [charts.wrap(n, 28) for n in names], fontsize=8)
    ax.invert_yaxis()
    ax.xaxis.set_major_locator(MaxNLocator(5))
    ax.xaxis.set_major_formatter(lambda v, _: f"£{v:,.0f}".replace("-", "\u2212"))
    ax.set_xlabel("Financial year to date")
    ax.legend(frameon=False, fontsize=8, loc="lower right")
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    charts.finish(fig, data, "the programme's grant ledger and plan")


# -- the quarterly return's programme sections -------------------------------------------------
def milestones_table(rpt: Report) -> Md:
    rpt.section("Progress against milestones")
    ms = rpt.query(
        """select milestone_id, milestone, strftime(due_date, '%d/%m/%Y') as due,
                             strftime(completed_date, '%d/%m/%Y') as completed, status_at_quarter_end, status_recorded
                      from marts.fct_programme_milestones where region_code = ? and quarter = ? order by due_date, milestone_id""",
        [rpt.region, quarter(rpt).label],
    )
    out = ms.rename(
        columns={
            "milestone_id": "Ref",
            "milestone": "Milestone",
            "due": "Due",
            "completed": "Completed",
            "status_at_quarter_end": "Status at quarter end",
            "status_recorded": "Lead's status",
        }
    )
    return rpt.table(
        out,
        widths={
            "Ref": 5,
            "Milestone": 36,
            "Due": 10,
            "Completed": 10,
            "Status at quarter end": 11,
            "Lead's status": 11,
        },
    )


def activity_types(rpt: Report) -> list[str]:
    acts = rpt.query(
        """select activity_type from marts.fct_programme_activities where region_code = ? and quarter = ?
                        and activity_type <> 'all' order by activity_type""",
        [rpt.region, quarter(rpt).label],
    )
    return list(acts["activity_type"])


def activity_types_table(rpt: Report) -> Md:
    rpt.section("Activities undertaken")
    rows = []
    for t in activity_types(rpt):
        s = id_part(t)
        rows.append(
            {
                "Activity": t[0].upper() + t[1:],
                "Activities": fid(rpt, "programme.activities", s),
                "Participants": fid(rpt, "programme.participants", s),
                "Attendances": fid(rpt, "programme.attendances", s),
                "Cost": fid(rpt, "programme.cost_gbp", s),
                "Mean rating": _or_none(rpt, fid(rpt, "evaluation.level1.mean_rating", s)),
            }
        )
    cols = ["Activities", "Participants", "Attendances", "Cost", "Mean rating"]
    return rpt.table(pd.DataFrame(rows), figure_columns=cols, widths={"Activity": 24, **{c: 9 for c in cols}})


def activities_listing(rpt: Report) -> Md:
    rpt.section("Activities undertaken")
    listing = rpt.query(
        """select title as "Activity", activity_type as "Type", provider as "Provider",
                                  strftime(start_date, '%d/%m/%Y') as "Start", strftime(end_date, '%d/%m/%Y') as "End"
                           from staging.stg_programme__activities where region_code = ? and quarter = ?
                           order by start_date, activity_id""",
        [rpt.region, quarter(rpt).label],
    )
    return rpt.table(listing, widths={"Activity": 30, "Type": 14, "Provider": 18, "Start": 10, "End": 10})


def grant_table(rpt: Report) -> Md:
    rpt.section("Grant")
    rows = []
    for b in [*budget_lines(rpt).itertuples(), None]:
        sfx = f"line_{b.budget_line}" if b is not None else None
        rows.append(
            {
                "Budget line": BUDGET_LINES.get(b.budget_line, b.label) if b is not None else "Total",
                **{label: fid(rpt, f"grant.{m}", sfx) for m, label in GRANT_COLUMNS.items()},
            }
        )
    return rpt.table(
        pd.DataFrame(rows),
        figure_columns=list(GRANT_COLUMNS.values()),
        bold_last=True,
        widths={"Budget line": 24, **{c: 10 for c in GRANT_COLUMNS.values()}},
    )


def lines_over_plan(rpt: Report) -> Md:
    """Budget lines more than 10% over plan to date, as literal text ("" when none)."""
    over = rpt.query(
        """select label from marts.fct_grant_spend where region_code = ? and quarter = ? and budget_line <> 'all'
                        and variance_to_date > 0.1 * nullif(planned_to_date, 0) order by label""",
        [rpt.region, quarter(rpt).label],
    )
    return Md(", ".join(literal(x) for x in over["label"]))


def narrative(rpt: Report) -> Md:
    """The lead's narrative paragraphs for the quarter, as a block quote of literal text
    (their own headings are dropped: the document has its own)."""
    rpt.section("Narrative")
    text = rpt.query(
        """select kind, text from staging.stg_programme__narrative where region_code = ? and quarter = ?
                        order by _source_file, paragraph""",
        [rpt.region, quarter(rpt).label],
    )
    paragraphs = [literal(t) for k, t in zip(text["kind"], text["text"]) if k != "heading" and str(t).strip()]
    return Md("\n>\n".join(f"> {p}" for p in paragraphs) + "\n" if paragraphs else "")
