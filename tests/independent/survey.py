"""Survey distributions from the SurveyMonkey exports and the wave's instrument.

Definitions: contracts/survey.md and DESIGN "Published outputs": for each question (and
matrix item) the number of respondents choosing each option and that number as a
percentage of those who answered the question; LA and personal questions are not
distributed. Open answers count for the themes whose keywords their text contains."""
from __future__ import annotations

import re

import pandas as pd

from .printing import ratio
from .readers import _blank, fold, read_survey_export, read_survey_waves

LEADING = {"respondent id", "respondentid", "collector id", "collectorid", "start date", "startdate", "end date",
           "enddate", "ip address", "email address", "first name", "last name", "lastname", "custom data 1",
           "custom data"}
OTHER = "other (please specify)"
Figures = dict[str, tuple[object, str]]


def snake(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(text).lower()).strip("_")


def option_key(code: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", str(code)).strip("_").lower()


def _options(question: dict) -> list[tuple[str, str]]:
    """(code, label) in scale order; plain strings are labels whose code is the snake_case."""
    out = []
    for opt in question.get("options") or []:
        out.append((str(opt["code"]), str(opt["label"])) if isinstance(opt, dict) else (snake(opt), str(opt)))
    if question.get("other"):
        out.append(("other", "Other (please specify)"))
    if question["type"] == "open":
        out = [(t["theme"], t["theme"]) for t in question.get("themes") or []]
    return out


def _columns(row1: list, row2: list, questions: dict[str, dict]) -> tuple[int, dict[str, list[int]]]:
    """Index of the Respondent ID column and, per question id, the columns under it."""
    rid = next(i for i, h in enumerate(row1) if not _blank(h) and fold(h) in {"respondent id", "respondentid"})
    start = next(i for i, h in enumerate(row1) if not _blank(h) and fold(h) not in LEADING)
    by_text = {fold(q["text"]): qid for qid, q in questions.items()}
    cols: dict[str, list[int]] = {}
    current = None
    for i in range(start, len(row1)):
        if not _blank(row1[i]):
            current = by_text.get(fold(row1[i]))
            if current is None:
                raise ValueError(f"question not in the instrument: {row1[i]!r}")
        if current is not None and not (_blank(row1[i]) and _blank(row2[i])):
            cols.setdefault(current, []).append(i)
    return rid, cols


def _answers(question: dict, row2: list, cols: list[int], rows: list[list]) -> list[tuple[int, str | None, str | None]]:
    """(row index, item code, option code or None for an open answer without a theme)."""
    kind = question["type"]
    options = _options(question)
    by_label = {fold(label): code for code, label in options} | {fold(code): code for code, _ in options}
    out = []
    if kind == "matrix":
        items = {fold(i["label"]): str(i["code"]) for i in question["items"]}
        for c in cols:
            item = items[fold(row2[c])]
            for r, row in enumerate(rows):
                if not _blank(row[c]):
                    out.append((r, item, by_label[fold(row[c])]))
        return out
    for c in cols:
        head = fold(row2[c]) if not _blank(row2[c]) else "response"
        for r, row in enumerate(rows):
            cell = row[c]
            if _blank(cell):
                continue
            if kind == "open":
                text = fold(cell)
                themes = [t["theme"] for t in question.get("themes") or []
                          if any(fold(k) in text for k in t.get("keywords") or [])]
                out += [(r, None, t) for t in themes] or [(r, None, None)]
            elif head == OTHER:
                out.append((r, None, "other"))
            elif head in ("response", "open-ended response"):
                out.append((r, None, by_label[fold(cell)]))
            else:  # one column per option: a non-blank cell means chosen
                out.append((r, None, by_label[head]))
    return out


def figures(raw) -> Figures:
    out: Figures = {}
    for instrument, exports in read_survey_waves(raw):
        wave = str(instrument["wave"])
        questions = {str(q["id"]): q for q in instrument["questions"]}
        answers, respondents = [], 0
        for path in exports:
            row1, row2, rows = read_survey_export(path)
            rid, cols = _columns(row1, row2, questions)
            ids = [f"{path.name}:{row[rid]}" for row in rows]
            respondents += sum(1 for row in rows if not _blank(row[rid]))
            for qid, c in cols.items():
                if questions[qid]["type"] in ("la", "personal"):
                    continue
                answers += [(qid, ids[r], item, opt) for r, item, opt in _answers(questions[qid], row2, c, rows)]
        out[f"survey.respondents.{wave}"] = (respondents, "people")
        a = pd.DataFrame(answers, columns=["question", "respondent", "item", "option"])
        out.update(theme_figures(wave, questions, a))
        for qid, q in questions.items():
            if q["type"] in ("la", "personal"):
                continue
            items = [str(i["code"]) for i in q["items"]] if q["type"] == "matrix" else [None]
            for item in items:
                sel = a[(a["question"] == qid) & ((a["item"] == item) if item else a["item"].isna())]
                base = sel["respondent"].nunique()
                stem = f"{wave}.{qid}" + (f".{item}" if item else "")
                out[f"survey.base.{stem}"] = (base, "people")
                for code, _ in _options(q):
                    n = sel[sel["option"] == code]["respondent"].nunique()
                    out[f"survey.n.{stem}.{option_key(code)}"] = (n, "people")
                    out[f"survey.percent.{stem}.{option_key(code)}"] = (None if not base else 100 * ratio(n, base), "percent")
    return out


def theme_figures(wave: str, questions: dict[str, dict], a: pd.DataFrame) -> Figures:
    """Theme prevalence among respondents who gave any free-text answer, overall and by gender
    and tier: a theme counts its sub-themes (``Best`` counts ``Best/Teams``)."""
    out: Figures = {}
    kind = a["question"].map(lambda q: questions[q]["type"])
    demo = a[kind == "demographic"]
    groups = [("all", "all", set(a["respondent"]))]
    for qid in ("gender", "tier"):
        chosen = demo[demo["question"] == qid].groupby("respondent")["option"].max()
        groups += [(qid, value, set(chosen[chosen == value].index)) for value in sorted(set(chosen))]
    open_ = a[kind == "open"]
    themes = {t["theme"] for q in questions.values() if q["type"] == "open" for t in q.get("themes") or []}
    paths = {"/".join(t.split("/")[:k]) for t in themes for k in range(1, len(t.split("/")) + 1)}
    answered = set(open_["respondent"])
    coded = open_.dropna(subset=["option"])
    for group_type, value, members in groups:
        base = len(members & answered)
        if not base:
            continue
        stem = f"survey.{wave}.{group_type}.{value}"
        out[f"themes.base.{stem}"] = (base, "people")
        for path in paths:
            hit = coded[(coded["option"] == path) | coded["option"].str.startswith(path + "/")]
            n = len(set(hit["respondent"]) & members)
            out[f"themes.n.{stem}.{option_key(path)}"] = (n, "people")
            out[f"themes.percent.{stem}.{option_key(path)}"] = (100 * ratio(n, base), "percent")
    return out
