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

LEADING = {
    "respondent id",
    "respondentid",
    "collector id",
    "collectorid",
    "start date",
    "startdate",
    "end date",
    "enddate",
    "ip address",
    "email address",
    "first name",
    "last name",
    "lastname",
    "custom data 1",
    "custom data",
}
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


def _cells(column: pd.Series) -> pd.Series:
    """The non-blank cells of one export column (index = response row)."""
    text = column.map(lambda v: None if _blank(v) else v).dropna()
    return text


def _per_value(cells: pd.Series, decode) -> pd.Series:
    """Decode each distinct cell once (a national wave repeats a few labels 100,000 times)."""
    return cells.map({v: decode(v) for v in cells.unique()})


def _answers(question: dict, row2: list, cols: list[int], d: pd.DataFrame) -> pd.DataFrame:
    """Rows: response row, item code, option code (None for an open answer coded to no theme)."""
    kind = question["type"]
    options = _options(question)
    by_label = {fold(label): code for code, label in options} | {fold(code): code for code, _ in options}
    themes = [(t["theme"], [fold(k) for k in t.get("keywords") or []]) for t in question.get("themes") or []]
    items = {fold(i["label"]): str(i["code"]) for i in question.get("items") or []}
    parts = []
    for c in cols:
        cells = _cells(d[c])
        head = fold(row2[c]) if not _blank(row2[c]) else "response"
        item = items[head] if kind == "matrix" else None
        if kind == "open":  # every theme whose keywords the text contains, or no theme

            def code(value):
                text = fold(value)
                return [t for t, keys in themes if any(k in text for k in keys)] or [None]

            coded = _per_value(cells, code)
            option = coded.explode()
        elif kind != "matrix" and head == OTHER:
            option = cells.map(lambda _: "other")
        elif kind == "matrix" or head in ("response", "open-ended response"):
            option = _per_value(cells, lambda v: by_label[fold(v)])
        else:  # one column per option: a non-blank cell means chosen
            option = cells.map(lambda _, code=by_label[head]: code)
        parts.append(pd.DataFrame({"row": option.index, "item": item, "option": option.values}))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["row", "item", "option"])


def figures(raw) -> Figures:
    out: Figures = {}
    for instrument, exports in read_survey_waves(raw):
        wave = str(instrument["wave"])
        questions = {str(q["id"]): q for q in instrument["questions"]}
        answers, respondents = [], 0
        for path in exports:
            row1, row2, rows = read_survey_export(path)
            d = pd.DataFrame(rows, columns=range(len(row1)), dtype=object)
            rid, cols = _columns(row1, row2, questions)
            ids = path.name + ":" + d[rid].astype(str)
            respondents += int((~d[rid].map(_blank)).sum())
            for qid, c in cols.items():
                if questions[qid]["type"] in ("la", "personal"):
                    continue
                a = _answers(questions[qid], row2, c, d)
                answers.append(a.assign(question=qid, respondent=ids.loc[a["row"]].values).drop(columns="row"))
        out[f"survey.respondents.{wave}"] = (respondents, "people")
        a = pd.concat(answers, ignore_index=True)
        out.update(theme_figures(wave, questions, a))
        a["item"] = a["item"].fillna("")
        bases = a.groupby(["question", "item"])["respondent"].nunique()
        counts = a.dropna(subset=["option"]).groupby(["question", "item", "option"])["respondent"].nunique()
        for qid, q in questions.items():
            if q["type"] in ("la", "personal"):
                continue
            items = [str(i["code"]) for i in q["items"]] if q["type"] == "matrix" else [""]
            for item in items:
                base = int(bases.get((qid, item), 0))
                stem = f"{wave}.{qid}" + (f".{item}" if item else "")
                out[f"survey.base.{stem}"] = (base, "people")
                for code, _ in _options(q):
                    n = int(counts.get((qid, item, code), 0))
                    out[f"survey.n.{stem}.{option_key(code)}"] = (n, "people")
                    out[f"survey.percent.{stem}.{option_key(code)}"] = (
                        None if not base else 100 * ratio(n, base),
                        "percent",
                    )
    return out


def theme_figures(wave: str, questions: dict[str, dict], a: pd.DataFrame) -> Figures:
    """Theme prevalence among respondents who gave any free-text answer, overall and by gender
    and tier: a theme counts its sub-themes (``Best`` counts ``Best/Teams``)."""
    out: Figures = {}
    kind = a["question"].map(lambda q: questions[q]["type"])
    demo = a[kind == "demographic"]
    groups = [("all", "all", set(a["respondent"]))]
    for qid in ("gender", "tier"):
        picks = demo[demo["question"] == qid].sort_values("option").drop_duplicates("respondent", keep="last")
        chosen = picks.set_index("respondent")["option"]
        groups += [(qid, value, set(chosen[chosen == value].index)) for value in sorted(set(chosen))]
    open_ = a[kind == "open"]
    themes = {t["theme"] for q in questions.values() if q["type"] == "open" for t in q.get("themes") or []}
    paths = {"/".join(t.split("/")[:k]) for t in themes for k in range(1, len(t.split("/")) + 1)}
    answered = set(open_["respondent"])
    # each coded answer counts for its theme and every theme above it
    prefixes = {t: ["/".join(t.split("/")[:k]) for k in range(1, len(t.split("/")) + 1)] for t in themes}
    coded = open_.dropna(subset=["option"])
    coded = coded.assign(path=coded["option"].map(prefixes)).explode("path").drop_duplicates(["respondent", "path"])
    for group_type, value, members in groups:
        base = len(members & answered)
        if not base:
            continue
        stem = f"survey.{wave}.{group_type}.{value}"
        out[f"themes.base.{stem}"] = (base, "people")
        counts = coded[coded["respondent"].isin(members)].groupby("path")["respondent"].nunique()
        for path in paths:
            n = int(counts.get(path, 0))
            out[f"themes.n.{stem}.{option_key(path)}"] = (n, "people")
            out[f"themes.percent.{stem}.{option_key(path)}"] = (100 * ratio(n, base), "percent")
    return out
