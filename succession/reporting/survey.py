"""Values, tables and charts for the survey section of the evaluation report: respondent
tables, a diverging bar chart of the Likert questions, top themes from interviews and survey
free text, and inter-rater agreement. No prose: the sentences are in the ``.qmd``.

Question text and option labels are data: tables show them literally (``Report.table``)
and :func:`question_text` returns them escaped for inline use."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from succession.figures import agreement_id, survey_id, themes_id
from succession.reporting import Report, charts
from succession.reporting.charts import Point
from succession.reporting.text import Md, literal

RESPONDENT_TABLES = ("gender", "tier", "years_in_management", "satisfaction", "intent_to_apply")
TOP_THEMES = 8
# Diverging, colour-blind-safe 5-point scale (negative orange, neutral grey, positive blue).
LIKERT_COLOURS = ["#B35806", "#F1A340", "#BDBDBD", "#67A9CF", "#2166AC"]


def latest_wave(rpt: Report) -> str | None:
    """The latest survey wave of the report's region (or a national wave)."""
    waves = rpt.query(
        "select distinct wave from marts.fct_survey_distributions where region_code = ? or region_code is null order by wave desc",
        [rpt.region],
    )
    return None if waves.empty else str(waves.iloc[0, 0])


def distribution(rpt: Report, wave: str, question_id: str) -> pd.DataFrame:
    return rpt.query(
        """select question_text, question_type, is_likert, item_code, item_label, item_order, option_code, option_key,
                  option_label, option_order
           from marts.fct_survey_distributions where wave = ? and question_id = ?
           order by item_order nulls first, option_order""",
        [wave, question_id],
    )


def questions(rpt: Report, wave: str, types: tuple[str, ...] | None = None) -> pd.DataFrame:
    sql = (
        """select distinct question_id, question_order, question_type, question_text from marts.fct_survey_distributions
             where wave = ?"""
        + (" and question_type in (select unnest(?))" if types else "")
        + " order by question_order"
    )
    return rpt.query(sql, [wave, list(types)] if types else [wave])


def question_text(rpt: Report, wave: str, question_id: str) -> Md:
    d = distribution(rpt, wave, question_id)
    return Md(literal(d["question_text"].iloc[0]) if not d.empty else "")


def respondent_table(rpt: Report, wave: str, question_id: str) -> Md:
    """Answers, n and % for one single- or multi-choice question."""
    d = distribution(rpt, wave, question_id)
    table = pd.DataFrame(
        {
            "Answer": d["option_label"],
            "n": [survey_id("n", wave, question_id, None, k) for k in d["option_key"]],
            "%": [survey_id("percent", wave, question_id, None, k) for k in d["option_key"]],
        }
    )
    return rpt.table(table, figure_columns=["n", "%"], widths={"Answer": 40, "n": 6, "%": 6})


def matrix_table(rpt: Report, wave: str, question_id: str) -> Md:
    """% of those who answered each row of a matrix question; base in the last column."""
    d = distribution(rpt, wave, question_id)
    options = d.drop_duplicates("option_code")[["option_code", "option_key", "option_label"]]
    rows = []
    for (item_code, item_label), _ in d.groupby(["item_code", "item_label"], sort=False):
        row = {"Opportunity": item_label}
        row.update(
            {
                o.option_label: survey_id("percent", wave, question_id, item_code, o.option_key)
                for o in options.itertuples()
            }
        )
        row["Base"] = survey_id("base", wave, question_id, item_code)
        rows.append(row)
    return rpt.table(pd.DataFrame(rows), figure_columns=[*options["option_label"], "Base"])


def likert_chart(rpt: Report, wave: str) -> None:
    """Diverging stacked bars: negative answers left of zero, the middle answer split across it.
    A suppressed percentage is a gap (the bar is left short and the question is marked)."""
    rpt.section("Survey findings: Likert questions")
    qs = rpt.query(
        """select distinct question_id, question_order, question_text from marts.fct_survey_distributions
                      where wave = ? and is_likert order by question_order""",
        [wave],
    )
    if qs.empty:
        return
    points, options = [], {}
    for q in qs.itertuples():
        d = distribution(rpt, wave, q.question_id)
        d = d[d["option_code"] != "other"]
        options[q.question_id] = list(d["option_label"])
        points += [
            Point(q.question_id, label, survey_id("percent", wave, q.question_id, None, k))
            for k, label in zip(d["option_key"], d["option_label"])
        ]
    data = charts.collect(rpt, "survey_likert", points)
    # One panel per question, each with its own legend: questions use different answer
    # scales, and a shared legend would give one colour two meanings.
    fig, axes = plt.subplots(len(qs), 1, figsize=(7.2, 0.8 + 1.7 * len(qs)), squeeze=False)
    for ax, q in zip(axes[:, 0], qs.itertuples()):
        d = data[data["series"] == q.question_id].reset_index(drop=True)
        pct = d["value"].fillna(0).tolist()
        k = len(pct)
        mid = k // 2
        left = -(sum(pct[:mid]) + (pct[mid] / 2 if k % 2 else 0))
        for i, (p, label) in enumerate(zip(pct, d["x"])):
            colour = LIKERT_COLOURS[round(i * (len(LIKERT_COLOURS) - 1) / max(k - 1, 1))]
            ax.barh(0, p, left=left, color=colour, edgecolor="white", label=charts.wrap(label, 22))
            left += p
        if (d["gap"] != "").any():
            ax.text(left + 1, 0, "c (suppressed)", va="center", fontsize=7)
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_xlim(-100, 100)
        ax.xaxis.set_major_formatter(lambda v, _: f"{abs(v):.0f}%")
        ax.tick_params(axis="x", labelsize=7)
        ax.set_yticks([])
        ax.set_title(charts.wrap(q.question_text, 90), fontsize=8, loc="left")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.32), ncol=min(5, k), frameon=False, fontsize=6.5)
    fig.tight_layout(rect=(0, 0.08, 1, 1), h_pad=2.5)
    charts.finish(
        fig,
        data,
        f"regional succession-planning survey, wave {wave}; % of those who answered, negative answers left of zero",
    )


def top_themes(rpt: Report, wave: str, source: str, count_label: str) -> Md:
    themes = rpt.query(
        """select theme_path, theme_key from marts.fct_theme_prevalence
           where wave = ? and source = ? and group_type = 'all' and theme_level >= 2
           order by n desc, theme_path limit ?""",
        [wave, source, TOP_THEMES],
    )
    table = pd.DataFrame(
        {
            "Theme": themes["theme_path"].str.replace("/", ": ", regex=False),
            count_label: [themes_id("n", source, wave, "all", "all", k) for k in themes["theme_key"]],
            "%": [themes_id("percent", source, wave, "all", "all", k) for k in themes["theme_key"]],
        }
    )
    return rpt.table(table, figure_columns=[count_label, "%"], widths={"Theme": 40, count_label: 8, "%": 6})


def has_themes(rpt: Report, wave: str, source: str) -> bool:
    return not rpt.query(
        "select 1 from marts.fct_theme_prevalence where wave = ? and source = ? limit 1", [wave, source]
    ).empty


def agreement_table(rpt: Report, wave: str) -> Md:
    codes = rpt.query(
        """select theme_path, theme_key from marts.fct_interview_agreement
           where wave = ? and theme_path not like '%/%' order by theme_path""",
        [wave],
    )
    table = pd.DataFrame(
        {
            "Theme": codes["theme_path"],
            "Cohen's kappa": [agreement_id("kappa", wave, k) for k in codes["theme_key"]],
            "Krippendorff's alpha": [agreement_id("alpha", wave, k) for k in codes["theme_key"]],
        }
    )
    return rpt.table(
        table,
        figure_columns=["Cohen's kappa", "Krippendorff's alpha"],
        widths={"Theme": 30, "Cohen's kappa": 10, "Krippendorff's alpha": 10},
    )


def has_agreement(rpt: Report, wave: str) -> bool:
    return not rpt.query("select 1 from marts.fct_interview_agreement where wave = ? limit 1", [wave]).empty
