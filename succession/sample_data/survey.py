"""Sample survey wave: a SurveyMonkey "All individual responses" export, expanded columns.

Modelled on the SESLIP 2019 survey of third- and second-tier managers. One wave per
region in the spec (``<year>_W1``), each with ``instrument.yaml`` and the export split by
collector: the online link as CSV (UTF-8 with BOM, CRLF, US timestamps as text) and the
telephone collector as XLSX (real date cells). Leading columns carry fake but realistic
personal data (IP addresses, e-mails, names, custom data) for the PII checks to catch.
Vectorised with numpy: 100,000 respondents take seconds, not minutes.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from succession.reference import las_in_region, local_authorities

WAVE_YEAR = "2024-25"
LEADING = [
    "Respondent ID",
    "Collector ID",
    "Start Date",
    "End Date",
    "IP Address",
    "Email Address",
    "First Name",
    "Last Name",
    "Custom Data 1",
]
COLLECTORS = {"online": 431901772, "telephone": 431902115}

QUESTIONS: list[dict] = [
    {
        "id": "gender",
        "text": "What is your gender?",
        "type": "demographic",
        "options": [
            {"code": "female", "label": "Female"},
            {"code": "male", "label": "Male"},
            {"code": "prefer_not_to_say", "label": "Prefer not to say"},
        ],
    },
    {
        "id": "tier",
        "text": "Which tier is your current post?",
        "type": "demographic",
        "options": [
            {"code": "tier_2", "label": "Second tier (assistant director)"},
            {"code": "tier_3", "label": "Third tier (head of service)"},
        ],
    },
    {
        "id": "years_in_management",
        "text": "How many years have you been in management?",
        "type": "demographic",
        "options": [
            {"code": "1_2", "label": "1 – 2 years"},
            {"code": "3_5", "label": "3 to 5 years"},
            {"code": "6_10", "label": "6 to 10 years"},
            {"code": "10_plus", "label": "10 years plus"},
        ],
    },
    {"id": "local_authority", "text": "Which local authority do you work for?", "type": "la"},
    {
        "id": "satisfaction",
        "text": "How satisfied are you with your current job role?",
        "type": "single",
        "likert": True,
        "options": [
            {"code": "dissatisfied", "label": "Dissatisfied"},
            {"code": "fairly_dissatisfied", "label": "Fairly dissatisfied"},
            {"code": "ok", "label": "OK"},
            {"code": "fairly_satisfied", "label": "Fairly satisfied"},
            {"code": "satisfied", "label": "Satisfied"},
        ],
    },
    {
        "id": "intent_to_apply",
        "text": "To what extent have you considered becoming an assistant director or director in the future?",
        "type": "single",
        "likert": True,
        "options": [
            {"code": "definitely_not", "label": "Definitely won’t apply"},
            {"code": "unlikely", "label": "Unlikely to apply"},
            {"code": "may", "label": "May apply"},
            {"code": "likely", "label": "Likely to apply"},
            {"code": "planning", "label": "Planning to apply"},
        ],
    },
    {
        "id": "best_of_role",
        "text": "What are the best things about your current role?",
        "type": "open",
        "themes": [
            {"theme": "Best/Making a difference", "keywords": ["difference", "outcomes"]},
            {"theme": "Best/Teams", "keywords": ["team"]},
            {"theme": "Best/Connection to practice", "keywords": ["practice", "frontline"]},
        ],
    },
    {
        "id": "worst_of_role",
        "text": "What are the worst things about your current role?",
        "type": "open",
        "themes": [
            {"theme": "Challenges/Time", "keywords": ["time", "meetings"]},
            {"theme": "Challenges/Budgets", "keywords": ["budget", "funding"]},
            {"theme": "Challenges/Volume of work", "keywords": ["volume", "demand", "workload"]},
        ],
    },
    {
        "id": "attractions",
        "text": "What do you feel, if any, are the attractions of making a move to AD or DCS?",
        "type": "multi",
        "other": True,
        "options": [
            {"code": "influence_change", "label": "Being able to influence change"},
            {"code": "strategic", "label": "Strategic thinking and future developments"},
            {"code": "politicians", "label": "Working with the wider council and politicians"},
            {"code": "career", "label": "Career enhancement"},
            {"code": "financial", "label": "Financial reward"},
        ],
    },
    {
        "id": "barriers",
        "text": "What are the barriers which might stop you from applying for and getting more senior roles?",
        "type": "multi",
        "other": True,
        "options": [
            {"code": "volume_of_work", "label": "Volume of work"},
            {"code": "political", "label": "Little exposure to the political environment"},
            {"code": "not_sw_qualified", "label": "Roles closed to staff who are not social work qualified"},
            {"code": "gender_inequity", "label": "Inequity experienced by women"},
            {"code": "induction", "label": "Lack of induction and support"},
            {"code": "interims", "label": "Use of interims and consultants"},
        ],
    },
    {
        "id": "development_wanted",
        "text": "What development opportunities would be attractive?",
        "type": "matrix",
        "items": [
            {"code": "coaching", "label": "Coaching"},
            {"code": "mentoring", "label": "Mentoring"},
            {"code": "action_learning", "label": "Action learning"},
            {"code": "shadowing", "label": "Shadowing an AD or DCS"},
            {"code": "secondment", "label": "Secondment"},
        ],
        "options": [
            {"code": "very", "label": "Very attractive"},
            {"code": "quite", "label": "Quite attractive"},
            {"code": "not", "label": "Not attractive"},
        ],
    },
    {
        "id": "region_could_do",
        "text": "What could the region do to encourage more heads of service to apply for Tier 2 and Tier 1 posts?",
        "type": "open",
        "themes": [
            {"theme": "Enablers/Cross-authority networks", "keywords": ["across", "peers", "network"]},
            {"theme": "Enablers/Coaching and mentoring", "keywords": ["coach", "mentor"]},
            {"theme": "Enablers/Supportive culture", "keywords": ["culture", "support"]},
        ],
    },
    {
        "id": "contact",
        "text": "If you are happy to be contacted for a follow-up interview, please leave your details",
        "type": "personal",
    },
    # The framework's qualitative measures ("Evaluating the strategy and its impact"), asked last
    # so the questions above (and the sample's answers to them) are as before.
    {
        "id": "qualitative_measures",
        "text": "How far do you agree with each statement about senior leadership in the region?",
        "type": "matrix",
        "items": [
            {
                "code": "quality_of_candidates",
                "label": "The quality of candidates for AD and DCS posts in the region is good",
            },
            {
                "code": "dcs_commitment",
                "label": "My DCS treats developing second- and third-tier leaders as a core part of the job",
            },
            {
                "code": "la_collaboration",
                "label": "Authorities in the region work together to manage talent and create development opportunities",
            },
        ],
        "options": [
            {"code": "strongly_disagree", "label": "Strongly disagree"},
            {"code": "disagree", "label": "Disagree"},
            {"code": "neither", "label": "Neither agree nor disagree"},
            {"code": "agree", "label": "Agree"},
            {"code": "strongly_agree", "label": "Strongly agree"},
        ],
    },
]
# questions before the qualitative measures were added: partial responses stop among these, as before
_FIRST_QUESTIONS = 13
_MATRIX_P = {"development_wanted": [0.5, 0.35, 0.15], "qualitative_measures": [0.06, 0.17, 0.27, 0.38, 0.12]}

_BEST = [
    "Making a difference to the lives of the most vulnerable children",
    "Working with a strong team",
    "Staying connected to practice through my staff",
    "Improving outcomes for disabled children and their families",
    "My team, and seeing families stay safely together",
    "Variety",
    "My manager Priya Sharma is very supportive",
]
_WORST = [
    "Lack of time for reflection and planning",
    "Budget reductions every year",
    "The volume of work and rising demand",
    "Far too many meetings",
    "Travel time and lack of admin support",
    "Workload, budgets and never enough time",
    "Bureaucracy",
]
_ENCOURAGE = [
    "Action learning across authorities with peers",
    "Independent coaching from outside my authority",
    "A culture that supports people to develop",
    "Mentoring and shadowing",
    "Regional network for heads of service",
    "Secondments",
]
_OTHER = ["Flexible working", "Being closer to decision making", "Talk to Mark Ellis in HR about it"]
_FIRST = [
    "Sarah",
    "James",
    "Priya",
    "Tom",
    "Aisha",
    "David",
    "Helen",
    "Gareth",
    "Joanne",
    "Michael",
    "Fatima",
    "Rachel",
]
_LAST = ["Jones", "Smith", "Patel", "Brown", "Khan", "Taylor", "Wilson", "Evans", "Hughes", "Clarke", "Ahmed", "Walsh"]

# SESLIP 2019 proportions (58 + 13): gender 53/18, satisfaction 2/1/7/37/25, intent 4/21/18/14/14 (worst to best)
_P = {
    "gender": [0.72, 0.25, 0.03],
    "tier": [0.3, 0.7],
    "years_in_management": [0.23, 0.24, 0.23, 0.30],
    "satisfaction": [0.03, 0.02, 0.10, 0.52, 0.33],
    "intent_to_apply": [0.06, 0.29, 0.25, 0.20, 0.20],
}


# The previous wave (the year before): fewer said they were likely or planning to apply
_P_PREVIOUS = {"intent_to_apply": [0.10, 0.34, 0.27, 0.15, 0.14]}


def instrument(wave: str, region_code: str | None) -> dict:
    start_year = int(wave[:4])
    return {
        "wave": wave,
        "title": "Third-tier succession survey",
        "region_code": region_code,
        "fieldwork": {"start": dt.date(start_year, 5, 1), "end": dt.date(start_year, 7, 31)},
        "questions": QUESTIONS,
    }


def _columns() -> list[tuple[str, str, str, str | None]]:
    """(row 1 header, row 2 header, question id, option/item code) for every question column."""
    cols = []
    for q in QUESTIONS:
        if q["type"] in ("multi",):
            for i, o in enumerate(q["options"]):
                cols.append((q["text"] if i == 0 else "", o["label"], q["id"], o["code"]))
            cols.append(("", "Other (please specify)", q["id"], "other"))
        elif q["type"] == "matrix":
            for i, it in enumerate(q["items"]):
                cols.append((q["text"] if i == 0 else "", it["label"], q["id"], it["code"]))
        elif q["type"] == "open":
            cols.append((q["text"], "Open-Ended Response", q["id"], None))
        elif q["type"] == "personal":
            cols.append((q["text"], "Name", q["id"], "name"))
            cols.append(("", "Email", q["id"], "email"))
        else:
            cols.append((q["text"], "Response", q["id"], None))
    return cols


def responses(
    n: int,
    seed: int,
    region_code: str | None,
    first_id: int = 114000000000,
    fieldwork_year: int = 2024,
    probabilities: dict[str, list[float]] | None = None,
) -> pd.DataFrame:
    """n respondents' rows as text cells (leading block + question columns), vectorised."""
    g = np.random.default_rng(seed)
    qs = {q["id"]: q for q in QUESTIONS}
    out: dict[str, np.ndarray] = {}
    ids = first_id + np.sort(g.choice(np.arange(10 * max(n, 1)), size=n, replace=False)) * 37
    collector = np.where(g.random(n) < 0.7, "online", "telephone")
    p_single = {**_P, **(probabilities or {})}
    start = pd.Timestamp(f"{fieldwork_year}-05-02 08:00") + pd.to_timedelta(g.integers(0, 80 * 24 * 3600, n), unit="s")
    end = start + pd.to_timedelta(g.integers(180, 1800, n), unit="s")
    first = np.array(_FIRST)[g.integers(0, len(_FIRST), n)]
    last = np.array(_LAST)[g.integers(0, len(_LAST), n)]
    out["Respondent ID"] = ids.astype(str)
    out["Collector ID"] = np.where(collector == "online", str(COLLECTORS["online"]), str(COLLECTORS["telephone"]))
    out["_start"] = start.values
    out["_end"] = end.values
    out["IP Address"] = np.char.add(
        np.char.add("81.", g.integers(2, 250, n).astype(str)),
        np.char.add(
            ".", np.char.add(g.integers(1, 250, n).astype(str), np.char.add(".", g.integers(1, 250, n).astype(str)))
        ),
    )
    out["Email Address"] = np.char.add(
        np.char.add(np.char.lower(first), "."),
        np.char.add(np.char.lower(last), np.char.add(ids.astype(str), "@example-la.gov.uk")),
    )
    out["First Name"] = first
    out["Last Name"] = last
    out["Custom Data 1"] = np.char.add("staff-", ids.astype(str))
    # partial responses stop after a random question; a few questions are skipped
    n_q = len(QUESTIONS)
    stop_at = np.where(g.random(n) < 0.12, g.integers(2, _FIRST_QUESTIONS, n), n_q)
    las = las_in_region(region_code) if region_code else list(local_authorities().values())
    for k, (_h1, _h2, qid, code) in enumerate(_columns()):
        q = qs[qid]
        qpos = QUESTIONS.index(q)
        live = (qpos < stop_at) & (g.random(n) >= 0.04)
        cells = np.full(n, "", dtype=object)
        if q["type"] in ("single", "demographic"):
            labels = np.array([o["label"] for o in q["options"]], dtype=object)
            cells = labels[g.choice(len(labels), size=n, p=p_single[qid])]
        elif q["type"] == "la":
            pick = g.integers(0, len(las), n)
            codes = np.array([la.old_la_code for la in las], dtype=object)
            names = np.array([la.la_name for la in las], dtype=object)
            cells = np.where(g.random(n) < 0.5, codes[pick], names[pick])
        elif q["type"] == "multi":
            if code == "other":
                cells = np.where(g.random(n) < 0.08, np.array(_OTHER, dtype=object)[g.integers(0, len(_OTHER), n)], "")
            else:
                label = next(o["label"] for o in q["options"] if o["code"] == code)
                cells = np.where(g.random(n) < 0.45, label, "")
        elif q["type"] == "matrix":
            labels = np.array([o["label"] for o in q["options"]], dtype=object)
            cells = labels[g.choice(len(labels), size=n, p=_MATRIX_P[qid])]
        elif q["type"] == "open":
            bank = {"best_of_role": _BEST, "worst_of_role": _WORST, "region_could_do": _ENCOURAGE}[qid]
            cells = np.array(bank, dtype=object)[g.integers(0, len(bank), n)]
            live &= g.random(n) < 0.85
        elif q["type"] == "personal":
            wants = g.random(n) < 0.3
            value = (
                np.char.add(np.char.add(first, " "), last).astype(object)
                if code == "name"
                else out["Email Address"].astype(object)
            )
            cells = np.where(wants, value, "")
        out[f"c{k}"] = np.where(live, cells, "")
    df = pd.DataFrame(out)
    df["_collector"] = collector
    return df


def _header_rows() -> tuple[list[str], list[str]]:
    cols = _columns()
    return LEADING + [c[0] for c in cols], [""] * len(LEADING) + [c[1] for c in cols]


def _grid(df: pd.DataFrame, timestamps_as_text: bool) -> list[list]:
    fmt = lambda s: pd.Series(s).dt.strftime("%m/%d/%Y %I:%M:%S %p")  # noqa: E731
    start = (
        fmt(df["_start"]).tolist() if timestamps_as_text else [t.to_pydatetime() for t in pd.to_datetime(df["_start"])]
    )
    end = fmt(df["_end"]).tolist() if timestamps_as_text else [t.to_pydatetime() for t in pd.to_datetime(df["_end"])]
    qcols = [c for c in df.columns if c.startswith("c") and c[1:].isdigit()]
    body = df[["Respondent ID", "Collector ID"]].to_numpy().tolist()
    rest = df[["IP Address", "Email Address", "First Name", "Last Name", "Custom Data 1", *qcols]].to_numpy().tolist()
    return [[a[0], a[1], s, e, *r] for a, s, e, r in zip(body, start, end, rest)]


def write_csv(path: Path, df: pd.DataFrame) -> None:
    h1, h2 = _header_rows()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(h1)
        w.writerow(h2)
        w.writerows(_grid(df, timestamps_as_text=True))


def write_xlsx(path: Path, df: pd.DataFrame, stamp: dt.datetime = dt.datetime(2024, 8, 1, 9, 0)) -> None:
    """The export as SurveyMonkey's XLSX: real date cells; byte-reproducible (fixed zip times)."""
    import openpyxl

    from succession.templates.hr_return import _save

    h1, h2 = _header_rows()
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Sheet")
    ws.append(h1)
    ws.append(h2)
    for row in _grid(df, timestamps_as_text=False):
        ws.append([int(row[0]), int(row[1]), *row[2:4], *[v if v != "" else None for v in row[4:]]])
    _save(wb, path, stamp)


def write_instrument(path: Path, wave: str, region_code: str | None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        yaml.safe_dump(instrument(wave, region_code), sort_keys=False, allow_unicode=True), encoding="utf-8"
    )


def generate(raw_dir: Path, spec) -> None:
    """One wave per region: ``raw/survey/<year>_W<n>/`` with the instrument, online.csv and telephone.xlsx
    (``spec.survey_respondents`` is the national total, shared between the regions' waves)."""
    seed = spec.rng("survey").getrandbits(63)
    for i, region in enumerate(spec.regions, start=1):
        wave = f"{WAVE_YEAR}_W{i}"
        folder = Path(raw_dir) / "survey" / wave
        df = responses(
            spec.per_region(spec.survey_respondents, i - 1), seed + i, region, first_id=114000000000 + i * 10**9
        )
        write_instrument(folder / "instrument.yaml", wave, region)
        write_csv(folder / "responses_online.csv", df[df["_collector"] == "online"])
        write_xlsx(folder / "responses_telephone.xlsx", df[df["_collector"] == "telephone"])
    if spec.survey_previous_wave:
        _previous_waves(raw_dir, spec)


def _previous_waves(raw_dir: Path, spec) -> None:
    """The year before's wave per region (``<year - 1>_W<n>``), from its own random stream, so a
    document can report the change since the previous wave."""
    seed = spec.rng("survey_previous").getrandbits(63)
    year = int(WAVE_YEAR[:4]) - 1
    for i, region in enumerate(spec.regions, start=1):
        wave = f"{year}-{(year + 1) % 100:02d}_W{i}"
        folder = Path(raw_dir) / "survey" / wave
        df = responses(
            spec.per_region(spec.survey_respondents, i - 1),
            seed + i,
            region,
            first_id=113000000000 + i * 10**9,
            fieldwork_year=year,
            probabilities=_P_PREVIOUS,
        )
        write_instrument(folder / "instrument.yaml", wave, region)
        write_csv(folder / "responses_online.csv", df[df["_collector"] == "online"])
        write_xlsx(
            folder / "responses_telephone.xlsx",
            df[df["_collector"] == "telephone"],
            stamp=dt.datetime(year, 8, 1, 9, 0),
        )
