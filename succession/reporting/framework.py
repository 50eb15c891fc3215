"""Values and tables for the partnership agreement's commitments beyond Table one and the four
levels (framework annex, and "Evaluating the strategy and its impact"): the plan's lead and
sponsor and the return's sign-off, promotion of the Aspirant DCS programme, leadership
diversity, support to LAs' talent-management culture, supply and demand for first and second
tier posts, value for money, the stakeholders' part in setting targets, and the qualitative
measures from the survey.

No prose: the sentences are in ``reports/*.qmd``. Numbers are registered figures
(``fig_programme_framework``); dates, posts and names of organisations are data text,
returned escaped for inline use (:func:`succession.reporting.text.text`).
"""

from __future__ import annotations

import pandas as pd

from contracts.programme_codes import STAKEHOLDERS
from succession.figures import id_part, survey_id
from succession.reporting import Report
from succession.reporting import programme as pg
from succession.reporting.text import Md, text

ASPIRANT_STEPS = {
    "nominated": "Nominated",
    "applied": "Applied",
    "accepted": "Accepted",
    "started": "Started",
    "completed": "Completed",
    "withdrew": "Withdrew",
}
ASPIRANT_ROUTES = {
    "dcs_nomination": "Nominated by their DCS",
    "regional_event": "A regional event",
    "programme_activity": "A programme activity",
    "self-referral": "Self-referral",
}
DIVERSITY = {
    "career_background": "Career background",
    "gender": "Gender",
    "ethnic_group": "Ethnic group",
    "first_generation": "First in family at university",
}
# (figure stem, label): demand and candidates are Table one's own figures, the pipeline the programme's
SUPPLY_DEMAND = {
    "table_one.vacancies": "Demand: vacancies (Table one)",
    "table_one.posts_advertised": "Demand: posts advertised (Table one)",
    "table_one.avg_applicants": "Supply: applicants per post advertised (Table one)",
    "table_one.avg_shortlisted": "Supply: shortlisted candidates per post (Table one)",
    "supply_demand.pool_fytd": "Supply: programme participants one tier below (year to date)",
    "supply_demand.applications_fytd": "Supply: participants' applications for posts of this tier (year to date)",
    "supply_demand.aspirants_started_fytd": "Supply: started the Aspirant DCS programme (year to date)",
}
VALUE_FOR_MONEY = {
    "spent_fytd": "Grant spent, year to date (all budget lines)",
    "activity_cost_fytd": "of which the direct cost of activities",
    "participants_fytd": "Participants, year to date",
    "activities_fytd": "Activities, year to date",
    "outcomes_fytd": "Outcomes: appointments and acting-up, year to date",
    "cost_per_participant": "Cost per participant (£)",
    "cost_per_activity": "Cost per activity (£)",
    "cost_per_outcome": "Cost per outcome (£)",
}
QUALITATIVE_QUESTION = "qualitative_measures"


def _date(value) -> str | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%d %B %Y").lstrip("0")


# -- front matter: lead, sponsor, dates, sign-off ------------------------------------------------
def governance(rpt: Report) -> dict[str, Md | None]:
    """The plan's lead and sponsor (posts with their LAs), the date the plan was agreed, and the
    quarter's data as-at date, date produced and sign-off: escaped text, None where not recorded."""
    rows = rpt.query(
        "select * from marts.fct_plan_governance where region_code = ? and quarter = ?", [rpt.region, rpt.period]
    )
    keys = ("lead", "sponsor", "plan_agreed", "data_as_at", "produced", "signed_off_by", "signed_off_date")
    if rows.empty:
        return dict.fromkeys(keys)
    g = rows.iloc[0]

    def post(kind: str) -> Md | None:
        if g[f"{kind}_post"] is None or pd.isna(g[f"{kind}_post"]):
            return None
        return text(f"{g[f'{kind}_post']}, {g[f'{kind}_la_name']} ({g[f'{kind}_la']})")

    out = {"lead": post("lead"), "sponsor": post("sponsor")}
    for key in ("plan_agreed", "data_as_at", "produced", "signed_off_date"):
        out[key] = text(_date(g[key])) if _date(g[key]) else None
    out["signed_off_by"] = text(g["signed_off_by"]) if isinstance(g["signed_off_by"], str) else None
    return out


# -- Aspirant DCS ------------------------------------------------------------------------------
def aspirant_table(rpt: Report) -> Md:
    """People at each step of the Aspirant DCS programme: this quarter, year to date, to date."""
    rows = [
        {
            "Step": label,
            "This quarter": pg._or_none(rpt, pg.fid(rpt, "aspirant_dcs.people_quarter", step)),
            "Year to date": pg._or_none(rpt, pg.fid(rpt, "aspirant_dcs.people_fytd", step)),
            "Since records began": pg._or_none(rpt, pg.fid(rpt, "aspirant_dcs.people_to_date", step)),
        }
        for step, label in ASPIRANT_STEPS.items()
    ]
    return rpt.table(
        pd.DataFrame(rows),
        figure_columns=["This quarter", "Year to date", "Since records began"],
        widths={"Step": 20, "This quarter": 8, "Year to date": 8, "Since records began": 8},
    )


def aspirant_routes_table(rpt: Report) -> Md:
    """How the people nominated this year came to the programme (the region's promotion)."""
    rows = [
        {"Route": label, "Nominated, year to date": pg.fid(rpt, "aspirant_dcs.people_fytd", "nominated", route)}
        for route, label in ASPIRANT_ROUTES.items()
        if rpt.exists(pg.fid(rpt, "aspirant_dcs.people_fytd", "nominated", route))
    ]
    return rpt.table(
        pd.DataFrame(rows, columns=["Route", "Nominated, year to date"]),
        figure_columns=["Nominated, year to date"],
        widths={"Route": 30, "Nominated, year to date": 10},
    )


# -- leadership diversity --------------------------------------------------------------------------
def diversity_table(rpt: Report) -> Md:
    """The year's participants by career background, gender, ethnic group and first generation:
    counts with the number of profiles completed (counts of 1 or 2 suppressed, with a partner)."""
    cats = rpt.query(
        """select distinct dimension, category from marts.fct_leadership_diversity
                        where region_code = ? and quarter = ? order by dimension, category""",
        [rpt.region, rpt.period],
    )
    rows = []
    for dim, label in DIVERSITY.items():
        for c in cats[cats["dimension"] == dim]["category"]:
            rows.append(
                {
                    "Characteristic": label,
                    "Answer": c.capitalize(),
                    "Participants": pg._or_none(rpt, pg.fid(rpt, "diversity.n", dim, id_part(c))),
                    "Profiles completed": pg._or_none(rpt, pg.fid(rpt, "diversity.base", dim)),
                }
            )
    return rpt.table(
        pd.DataFrame(rows, columns=["Characteristic", "Answer", "Participants", "Profiles completed"]),
        figure_columns=["Participants", "Profiles completed"],
        widths={"Characteristic": 18, "Answer": 22, "Participants": 8, "Profiles completed": 8},
    )


def has_profiles(rpt: Report) -> bool:
    return rpt.exists(pg.fid(rpt, "diversity.base", "gender"))


# -- support to LAs ----------------------------------------------------------------------------------
def las_not_reached(rpt: Report) -> Md:
    """The region's LAs neither supported nor with a participant this year (organisations, named)."""
    rows = rpt.query(
        "select las_not_reached from marts.fct_la_support where region_code = ? and quarter = ?",
        [rpt.region, rpt.period],
    )
    return text(rows.iloc[0, 0]) if not rows.empty and rows.iloc[0, 0] else Md("")


# -- supply and demand -------------------------------------------------------------------------------
def supply_demand_table(rpt: Report) -> Md:
    rows = []
    for stem, label in SUPPLY_DEMAND.items():
        ids = {
            tier: pg.fid(rpt, stem, f"tier_{n}") for n, tier in (("1", "First tier (DCS)"), ("2", "Second tier (AD)"))
        }
        rows.append({"Measure": label, **{t: (i if rpt.exists(i) else None) for t, i in ids.items()}})
    return rpt.table(
        pd.DataFrame(rows),
        figure_columns=["First tier (DCS)", "Second tier (AD)"],
        widths={"Measure": 40, "First tier (DCS)": 9, "Second tier (AD)": 9},
    )


# -- value for money ----------------------------------------------------------------------------------
def value_for_money_table(rpt: Report) -> Md:
    # a region with no programme records yet has no value-for-money figures: empty cells, not an error
    rows = [
        {"Measure": label, "Year to date": pg._or_none(rpt, pg.fid(rpt, f"vfm.{m}"))}
        for m, label in VALUE_FOR_MONEY.items()
    ]
    return rpt.table(pd.DataFrame(rows), figure_columns=["Year to date"], widths={"Measure": 40, "Year to date": 10})


# -- stakeholders and targets -------------------------------------------------------------------------
def target_setting_table(rpt: Report) -> Md:
    """Who took part in setting this year's targets, how, and when (the plan's ``target_setting``)."""
    rows = rpt.query(
        """select stakeholder, part, meeting_date from marts.fct_target_setting
                        where region_code = ? and financial_year = ? order by meeting_date, stakeholder""",
        [rpt.region, pg.financial_year(rpt)],
    )
    df = pd.DataFrame(
        {
            "Stakeholder": [STAKEHOLDERS.get(s, s) for s in rows["stakeholder"]],
            "Part in setting the targets": [p.capitalize() for p in rows["part"]],
            "Date": [_date(d) for d in rows["meeting_date"]],
        }
    )
    return rpt.table(df, widths={"Stakeholder": 24, "Part in setting the targets": 24, "Date": 14})


def has_target_setting(rpt: Report) -> bool:
    return not rpt.query(
        "select 1 from marts.fct_target_setting where region_code = ? and financial_year = ? limit 1",
        [rpt.region, pg.financial_year(rpt)],
    ).empty


# -- qualitative measures (survey) ------------------------------------------------------------------
def qualitative_wave(rpt: Report, wave: str | None) -> str | None:
    """``wave`` if it asked the qualitative-measures question, else None."""
    if wave is None:
        return None
    asked = rpt.query(
        "select 1 from marts.fct_survey_distributions where wave = ? and question_id = ? limit 1",
        [wave, QUALITATIVE_QUESTION],
    )
    return None if asked.empty else wave


def qualitative_table(rpt: Report, wave: str) -> Md:
    """Agreement with each qualitative-measure statement: % agree or strongly agree, % disagree or
    strongly disagree are not summed here (each answer's % is a figure); the base per statement."""
    d = rpt.query(
        """select item_code, item_label, option_key, option_label from marts.fct_survey_distributions
                     where wave = ? and question_id = ? order by item_order, option_order""",
        [wave, QUALITATIVE_QUESTION],
    )
    options = d.drop_duplicates("option_key")[["option_key", "option_label"]]
    rows = []
    for (item, label), _ in d.groupby(["item_code", "item_label"], sort=False):
        row = {"Statement": label}
        row.update(
            {
                o.option_label: survey_id("percent", wave, QUALITATIVE_QUESTION, item, o.option_key)
                for o in options.itertuples()
            }
        )
        row["Base"] = survey_id("base", wave, QUALITATIVE_QUESTION, item)
        rows.append(row)
    cols = [*options["option_label"], "Base"]
    return rpt.table(pd.DataFrame(rows), figure_columns=cols, widths={"Statement": 34, **{c: 7 for c in cols}})
