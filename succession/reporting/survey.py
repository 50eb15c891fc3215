"""The survey-findings section of the evaluation report: respondent tables, a diverging bar
chart of the Likert questions, top themes from interviews and survey free text, and
inter-rater agreement. Every number is a registered figure shown through `rpt.value` /
`rpt.table` (or, in the chart, read with `rpt.shown`, which records it as published)."""
from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from succession.reporting import Report

RESPONDENT_TABLES = ("gender", "tier", "years_in_management", "satisfaction", "intent_to_apply")
TOP_THEMES = 8


def latest_wave(rpt: Report) -> str | None:
    """The latest survey wave of the report's region (or a national wave)."""
    waves = rpt.query(
        "select distinct wave from marts.fct_survey_distributions where region_code = ? or region_code is null order by wave desc",
        [rpt.region])
    return None if waves.empty else str(waves.iloc[0, 0])


def _stem(wave: str, question_id: str, item_code: str | None = None) -> str:
    return f"{wave}.{question_id}" + (f".{item_code}" if item_code else "")


def _as_number(shown: str) -> float:
    try:
        return float(shown)
    except ValueError:
        return 0.0  # suppressed (c) or not applicable (z): drawn as nothing


def _distribution(rpt: Report, wave: str, question_id: str) -> pd.DataFrame:
    return rpt.query(
        """select question_text, question_type, is_likert, item_code, item_label, item_order, option_code, option_key,
                  option_label, option_order
           from marts.fct_survey_distributions where wave = ? and question_id = ?
           order by item_order nulls first, option_order""", [wave, question_id])


def respondent_table(rpt: Report, wave: str, question_id: str) -> None:
    d = _distribution(rpt, wave, question_id)
    if d.empty:
        return
    stem = _stem(wave, question_id)
    print(f"**{d['question_text'].iloc[0]}** (base: {rpt.value('survey.base.' + stem)} who answered)\n")
    table = pd.DataFrame({
        "Answer": d["option_label"],
        "n": [f"survey.n.{stem}.{k}" for k in d["option_key"]],
        "%": [f"survey.percent.{stem}.{k}" for k in d["option_key"]],
    })
    print(rpt.table(table, figure_columns=["n", "%"]))


def matrix_table(rpt: Report, wave: str, question_id: str) -> None:
    d = _distribution(rpt, wave, question_id)
    if d.empty:
        return
    print(f"**{d['question_text'].iloc[0]}** (% of those who answered each row; base in the last column)\n")
    options = d.drop_duplicates("option_code")[["option_code", "option_key", "option_label"]]
    rows = []
    for (item_code, item_label), _ in d.groupby(["item_code", "item_label"], sort=False):
        stem = _stem(wave, question_id, item_code)
        row = {"Opportunity": item_label}
        row.update({o.option_label: f"survey.percent.{stem}.{o.option_key}" for o in options.itertuples()})
        row["Base"] = f"survey.base.{stem}"
        rows.append(row)
    print(rpt.table(pd.DataFrame(rows), figure_columns=[*options["option_label"], "Base"]))


def likert_chart(rpt: Report, wave: str) -> None:
    """Diverging stacked bars: negative answers left of zero, the middle split across it."""
    questions = rpt.query(
        """select distinct question_id, question_order, question_text from marts.fct_survey_distributions
           where wave = ? and is_likert order by question_order""", [wave])
    if questions.empty:
        return
    fig, ax = plt.subplots(figsize=(8, 1.2 + 0.8 * len(questions)))
    colours = ["#b2182b", "#ef8a62", "#d9d9d9", "#67a9cf", "#2166ac"]
    legend: dict[str, object] = {}
    for y, q in enumerate(questions.itertuples()):
        d = _distribution(rpt, wave, q.question_id)
        d = d[d["option_code"] != "other"].reset_index(drop=True)
        stem = _stem(wave, q.question_id)
        pct = [_as_number(rpt.shown(f"survey.percent.{stem}.{k}")) for k in d["option_key"]]
        k = len(pct)
        mid = k // 2
        left = -(sum(pct[:mid]) + (pct[mid] / 2 if k % 2 else 0))
        for i, (p, label) in enumerate(zip(pct, d["option_label"])):
            colour = colours[round(i * (len(colours) - 1) / max(k - 1, 1))]
            bar = ax.barh(y, p, left=left, color=colour, edgecolor="white")
            legend.setdefault(f"{i}:{label}", bar)
            left += p
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(range(len(questions)), [t if len(t) < 50 else t[:47] + "..." for t in questions["question_text"]])
    ax.invert_yaxis()
    ax.set_xlabel("% of those who answered (negative answers to the left)")
    ax.legend(legend.values(), [k.split(":", 1)[1] for k in legend], fontsize=7, loc="upper center",
              bbox_to_anchor=(0.5, -0.35), ncol=3, frameon=False)
    ax.set_title(f"Likert questions, wave {wave}")
    fig.tight_layout()
    plt.show()


def top_themes(rpt: Report, wave: str, source: str, heading: str, count_label: str) -> None:
    themes = rpt.query(
        """select theme_path, theme_key from marts.fct_theme_prevalence
           where wave = ? and source = ? and group_type = 'all' and theme_level >= 2
           order by n desc, theme_path limit ?""", [wave, source, TOP_THEMES])
    if themes.empty:
        return
    stem = f"{source}.{wave}.all.all"
    print(f"**{heading}** (base: {rpt.value('themes.base.' + stem)})\n")
    table = pd.DataFrame({
        "Theme": themes["theme_path"].str.replace("/", ": ", regex=False),
        count_label: [f"themes.n.{stem}.{k}" for k in themes["theme_key"]],
        "%": [f"themes.percent.{stem}.{k}" for k in themes["theme_key"]],
    })
    print(rpt.table(table, figure_columns=[count_label, "%"]))


def agreement(rpt: Report, wave: str) -> None:
    codes = rpt.query(
        """select theme_path, theme_key from marts.fct_interview_agreement
           where wave = ? and theme_path not like '%/%' order by theme_path""", [wave])
    if codes.empty:
        print("No interview was coded by more than one coder, so there is no inter-rater agreement to report.\n")
        return
    print(f"{rpt.value('interviews.double_coded.' + wave)} of {rpt.value('interviews.n.' + wave)} interviews were coded "
          f"independently by two coders ({rpt.value('agreement.units.' + wave)} segments). Agreement per top-level theme "
          "(a theme counts its sub-themes); kappa and alpha above 0.8 are usually read as good, 0.67 to 0.8 as tentative.\n")
    table = pd.DataFrame({
        "Theme": codes["theme_path"],
        "Cohen's kappa": [f"agreement.kappa.{wave}.{k}" for k in codes["theme_key"]],
        "Krippendorff's alpha": [f"agreement.alpha.{wave}.{k}" for k in codes["theme_key"]],
    })
    print(rpt.table(table, figure_columns=["Cohen's kappa", "Krippendorff's alpha"]))


def survey_findings(rpt: Report, wave: str | None = None) -> None:
    """Print the survey-findings section (markdown) for the report's region."""
    wave = wave or latest_wave(rpt)
    rpt.section("Survey findings")
    if wave is None:
        print("No survey wave has been loaded for this region yet.\n")
        return
    print(f"Survey wave {wave}: {rpt.value('survey.respondents.' + wave)} people responded. "
          "Percentages are of those who answered each question, and the base is printed; "
          "percentages on a base under 5 are shown as c.\n")
    questions = set(rpt.query("select distinct question_id from marts.fct_survey_distributions where wave = ?", [wave])["question_id"])
    for qid in RESPONDENT_TABLES:
        if qid in questions:
            respondent_table(rpt, wave, qid)
    rpt.section("Survey findings: Likert questions")
    likert_chart(rpt, wave)
    rpt.section("Survey findings: attractions, barriers and development")
    multi = rpt.query(
        """select distinct question_id, question_order, question_type from marts.fct_survey_distributions
           where wave = ? and question_type in ('multi', 'matrix') order by question_order""", [wave])
    for q in multi.itertuples():
        (matrix_table if q.question_type == "matrix" else respondent_table)(rpt, wave, q.question_id)
    rpt.section("Survey findings: themes")
    top_themes(rpt, wave, "interviews", "Most common themes in the interviews", "Interviews")
    top_themes(rpt, wave, "survey", "Most common themes in survey free-text answers", "Respondents")
    rpt.section("Survey findings: inter-rater agreement")
    agreement(rpt, wave)
