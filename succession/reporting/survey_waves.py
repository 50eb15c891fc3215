"""Values and tables that bring the survey section up to the 2019 study's: method and
fieldwork, response against the workforce, combined headlines, change since the previous
wave (with a 95% interval, and whether the change is within sampling noise), answers by
gender and by tier, and every open question's themes (``region_could_do`` included).

No prose: the sentences are in ``reports/evaluation.qmd``. Figures are from
``fig_survey_framework`` (ids ``survey.response|headline|change|by|theme.*``).
"""

from __future__ import annotations

import pandas as pd

from succession.figures import (
    survey_by_id,
    survey_change_id,
    survey_headline_id,
    survey_theme_id,
)
from succession.reporting import Report
from succession.reporting.text import Md, text

HEADLINES = {
    "likely_or_planning": "Likely or planning to apply for an AD or DCS post",
    "satisfied": "Fairly satisfied or satisfied with their current role",
}
GROUPS = {
    "gender_female": "Women",
    "gender_male": "Men",
    "gender_prefer_not_to_say": "Gender not given",
    "tier_tier_2": "Second tier",
    "tier_tier_3": "Third tier",
}
BREAKDOWN_QUESTIONS = ("intent_to_apply", "barriers", "attractions")


def fieldwork(rpt: Report, wave: str) -> dict[str, Md]:
    """Fieldwork start and end dates and the quarter whose HR returns give the workforce."""
    rows = rpt.query(
        "select fieldwork_start, fieldwork_end, workforce_quarter from marts.fct_survey_response where wave = ?", [wave]
    )
    if rows.empty:
        return {"start": Md("not recorded"), "end": Md("not recorded"), "workforce_quarter": Md("")}
    r = rows.iloc[0]
    fmt = lambda d: text(pd.Timestamp(d).strftime("%d %B %Y").lstrip("0")) if pd.notna(d) else Md("not recorded")  # noqa: E731
    return {
        "start": fmt(r["fieldwork_start"]),
        "end": fmt(r["fieldwork_end"]),
        "workforce_quarter": text(r["workforce_quarter"] or ""),
    }


def previous_wave(rpt: Report, wave: str) -> str | None:
    rows = rpt.query("select distinct previous_wave from marts.fct_survey_wave_change where wave = ?", [wave])
    return None if rows.empty else str(rows.iloc[0, 0])


def headline_table(rpt: Report, wave: str) -> Md:
    """Each combined headline for everyone, by gender and by tier: % with its base."""
    rows = []
    for key, label in {"": "All who answered", **GROUPS}.items():
        row = {"Group": label}
        for measure, title in HEADLINES.items():
            pid, bid = (survey_headline_id(kind, wave, measure, key or None) for kind in ("percent", "base"))
            row[f"{title} (%)"] = pid if rpt.exists(pid) else None
            row[f"Base ({measure.replace('_', ' ')})"] = bid if rpt.exists(bid) else None
        if any(v for k, v in row.items() if k != "Group"):  # a group with no respondents has no row
            rows.append(row)
    df = pd.DataFrame(rows)
    figs = [c for c in df.columns if c != "Group"]
    return rpt.table(df, figure_columns=figs, widths={"Group": 16, **{c: 10 for c in figs}})


def change_table(rpt: Report, wave: str, previous: str) -> Md:
    """Each headline in the previous and this wave with bases, the change in percentage points
    and its 95% interval (the caption names the two waves)."""
    rows = []
    for measure, label in HEADLINES.items():
        rows.append(
            {
                "Headline": label,
                "Previous wave (%)": survey_headline_id("percent", previous, measure),
                "Previous base": survey_headline_id("base", previous, measure),
                "This wave (%)": survey_headline_id("percent", wave, measure),
                "This wave base": survey_headline_id("base", wave, measure),
                "Change (points)": survey_change_id("change_pp", wave, measure),
                "95% interval, low": survey_change_id("change_low_pp", wave, measure),
                "95% interval, high": survey_change_id("change_high_pp", wave, measure),
            }
        )
    df = pd.DataFrame(rows)
    figs = [c for c in df.columns if c != "Headline"]
    return rpt.table(df, figure_columns=figs, widths={"Headline": 24, **{c: 9 for c in figs}})


def within_noise(rpt: Report, wave: str, measure: str) -> bool | None:
    """True when the change's 95% interval contains zero (within sampling noise), False when it
    does not, None when the interval is suppressed. Reads the shown interval ends (recorded)."""
    try:
        low = float(rpt.shown(survey_change_id("change_low_pp", wave, measure)))
        high = float(rpt.shown(survey_change_id("change_high_pp", wave, measure)))
    except ValueError:
        return None
    return low <= 0 <= high


def breakdown_table(rpt: Report, wave: str, question_id: str, group_type: str) -> Md:
    """% choosing each answer of one question, one column per group (gender or tier), base last."""
    d = rpt.query(
        """select distinct option_key, option_label, option_order, group_value from marts.fct_survey_breakdowns
                     where wave = ? and question_id = ? and group_type = ? order by option_order, group_value""",
        [wave, question_id, group_type],
    )
    groups = [g for g in sorted(d["group_value"].unique()) if f"{group_type}_{g}" in GROUPS]
    options = d.drop_duplicates("option_key")[["option_key", "option_label"]]
    rows = []
    for o in options.itertuples():
        row = {"Answer": o.option_label}
        row.update(
            {
                GROUPS[f"{group_type}_{g}"]: survey_by_id(
                    "percent", wave, question_id, f"{group_type}_{g}", o.option_key
                )
                for g in groups
            }
        )
        rows.append(row)
    base = {"Answer": "Base (answered)"}
    base.update(
        {GROUPS[f"{group_type}_{g}"]: survey_by_id("base", wave, question_id, f"{group_type}_{g}") for g in groups}
    )
    rows.append(base)
    cols = [GROUPS[f"{group_type}_{g}"] for g in groups]
    return rpt.table(
        pd.DataFrame(rows, columns=["Answer", *cols]),
        figure_columns=cols,
        widths={"Answer": 34, **{c: 9 for c in cols}},
        bold_last=True,
    )


def open_questions(rpt: Report, wave: str) -> pd.DataFrame:
    """The wave's open questions (id, text) in questionnaire order."""
    return rpt.query(
        """select distinct question_id, question_text, question_order from marts.fct_survey_open_themes
                        where wave = ? order by question_order""",
        [wave],
    )


def themes_table(rpt: Report, wave: str, question_id: str) -> Md:
    """Respondents coded to each theme of one open question (sub-themes under their theme)."""
    t = rpt.query(
        """select theme_path, theme_level, theme_key from marts.fct_survey_open_themes
                     where wave = ? and question_id = ? order by theme_path = 'uncoded', theme_path""",
        [wave, question_id],
    )
    labels = [
        "Not matched to a theme" if p == "uncoded" else ("\u2003" * (lvl - 1)) + p.split("/")[-1]
        for p, lvl in zip(t["theme_path"], t["theme_level"])
    ]
    df = pd.DataFrame(
        {
            "Theme": labels,
            "Respondents": [survey_theme_id("n", wave, question_id, k) for k in t["theme_key"]],
            "%": [survey_theme_id("percent", wave, question_id, k) for k in t["theme_key"]],
        }
    )
    return rpt.table(df, figure_columns=["Respondents", "%"], widths={"Theme": 34, "Respondents": 8, "%": 6})
