"""Helpers shared by the survey and interview tests: a tiny hand-made export, and one
real dbt build (made once per test process) over the sample wave, the tiny wave and a
wave of malformed exports."""

from __future__ import annotations

import csv
import dataclasses
import functools
import importlib
import os
import pkgutil
import subprocess
import tempfile
from pathlib import Path

import pandas as pd
import yaml

from succession.ingest import lake
from succession.ingest.framework import _LEDGER_COLUMNS, ingest_partition
from succession.paths import PROJECT_DIR
from succession.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures"
DBT = PROJECT_DIR / ".venv" / "bin" / "dbt"
TINY_WAVE = "2023-24_W1"
BAD_WAVE = "2022-23_W1"

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


def tiny_instrument(wave: str = TINY_WAVE) -> dict:
    return {
        "wave": wave,
        "title": "Tiny hand-made survey",
        "questions": [
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
                "id": "gender",
                "text": "What is your gender?",
                "type": "demographic",
                "options": [{"code": "female", "label": "Female"}, {"code": "male", "label": "Male"}],
            },
            {
                "id": "attractions",
                "text": "What are the attractions of a move to AD or DCS?",
                "type": "multi",
                "other": True,
                "options": [
                    {"code": "influence", "label": "Influence"},
                    {"code": "pay", "label": "Pay"},
                    {"code": "career", "label": "Career"},
                ],
            },
            {
                "id": "development",
                "text": "What development would be attractive?",
                "type": "matrix",
                "items": [{"code": "coaching", "label": "Coaching"}, {"code": "mentoring", "label": "Mentoring"}],
                "options": [{"code": "very", "label": "Very attractive"}, {"code": "not", "label": "Not attractive"}],
            },
            {
                "id": "best",
                "text": "What's the best thing about your role?",
                "type": "open",
                "themes": [
                    {"theme": "Best/Making a difference", "keywords": ["difference"]},
                    {"theme": "Challenges/Time", "keywords": ["time", "meetings"]},
                ],
            },
        ],
    }


# Row 1: question text (curly apostrophe in the export, straight in the instrument), row 2 sub-headers,
# then six respondents; a trailing empty column. Hand counts are in test_survey_ingest.py.
TINY_HEADER_1 = LEADING + [
    "How satisfied are you with your current job role?",
    "What is your gender?",
    "What are the attractions of a move to AD or DCS?",
    "",
    "",
    "",
    "What development would be attractive?",
    "",
    "What\u2019s the best thing about your role?",
    "",
]
TINY_HEADER_2 = [""] * 9 + [
    "Response",
    "Response",
    "Influence",
    "Pay",
    "Career",
    "Other (please specify)",
    "Coaching",
    "Mentoring",
    "Open-Ended Response",
    "",
]
TINY_PII = {
    "ids": ["5550001", "5550002", "5550003", "5550004", "5550005", "5550006"],
    "emails": ["ann.archer@example-la.gov.uk", "bob.baker@example-la.gov.uk", "cat.cole@example-la.gov.uk"],
    "ips": ["203.0.113.51", "203.0.113.52", "203.0.113.53"],
    "names": ["Ann Archer", "Bob Baker", "Cat Cole"],
}
TINY_ROWS = [
    [
        "5550001",
        "77",
        "05/14/2019 09:12:33 AM",
        "05/14/2019 09:20:00 AM",
        "203.0.113.51",
        "ann.archer@example-la.gov.uk",
        "Ann",
        "Archer",
        "x1",
        "Satisfied",
        "Female",
        "Influence",
        "",
        "Career",
        "",
        "Very attractive",
        "Not attractive",
        "Making a difference every day",
        "",
    ],
    [
        "5550002",
        "77",
        "8/22/22 15:44",
        "8/22/22 15:59",
        "203.0.113.52",
        "bob.baker@example-la.gov.uk",
        "Bob",
        "Baker",
        "x2",
        "Fairly satisfied",
        "Male",
        "",
        "Pay",
        "",
        "Flexible hours \u2013 ask Bob Baker",
        "Very attractive",
        "",
        "Too much time in meetings",
        "",
    ],
    [
        "5550003",
        "78",
        "05/15/2019 11:00:00 AM",
        "05/15/2019 11:09:10 AM",
        "203.0.113.53",
        "cat.cole@example-la.gov.uk",
        "Cat",
        "Cole",
        "x3",
        "satisfied",
        "Female",
        "Influence",
        "Pay",
        "",
        "",
        "Not attractive",
        "Very attractive",
        "",
        "",
    ],
    ["5550004", "78", "05/15/2019 12:00:00 PM", "", "", "", "", "", "", "OK", "Female", "", "", "", "", "", "", "", ""],
    [
        "5550005",
        "78",
        "05/16/2019 08:00:00 AM",
        "05/16/2019 08:30:00 AM",
        "",
        "",
        "",
        "",
        "",
        "",
        "Male",
        "Influence",
        "",
        "",
        "",
        "Very attractive",
        "",
        "Making a difference, no time to think",
        "",
    ],
    [
        "5550006",
        "77",
        "05/16/2019 09:00:00 AM",
        "05/16/2019 09:10:00 AM",
        "",
        "",
        "",
        "",
        "",
        "Satisfied",
        "",
        "",
        "",
        "",
        "",
        "Very attractive",
        "Very attractive",
        "",
        "",
    ],
]


def write_csv(path: Path, rows: list[list], header1=TINY_HEADER_1, header2=TINY_HEADER_2) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f, lineterminator="\r\n")
        if header1 is not None:
            w.writerow(header1)
        if header2 is not None:
            w.writerow(header2)
        w.writerows(rows)
    return path


def write_instrument(folder: Path, doc: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "instrument.yaml").write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")


def write_tiny_wave(raw: Path) -> Path:
    folder = raw / "survey" / TINY_WAVE
    write_instrument(folder, tiny_instrument())
    write_csv(folder / "tiny.csv", TINY_ROWS)
    return folder


def write_bad_wave(raw: Path) -> dict[str, Path]:
    """Exports that must be rejected, each for one reason."""
    folder = raw / "survey" / BAD_WAVE
    write_instrument(folder, tiny_instrument(BAD_WAVE))
    unknown = [list(r) for r in TINY_ROWS]
    unknown[1][9] = "Delighted"  # spreadsheet row 4, column J
    extra_q = [r[:-1] + ["blue"] for r in TINY_ROWS]
    return {
        "one_header": write_csv(folder / "one_header.csv", TINY_ROWS, header2=None),
        "unknown_option": write_csv(folder / "unknown_option.csv", unknown),
        "no_respondent_id": write_csv(
            folder / "no_respondent_id.csv",
            [r[1:] for r in TINY_ROWS],
            header1=TINY_HEADER_1[1:],
            header2=TINY_HEADER_2[1:],
        ),
        "unknown_question": write_csv(
            folder / "unknown_question.csv",
            extra_q,
            header1=TINY_HEADER_1[:-1] + ["What is your favourite colour?"],
            header2=TINY_HEADER_2,
        ),
    }


def ensure_other_sources_empty(lake_dir: Path) -> None:
    """Schema-only lake tables for every other source, so dbt's globs match."""
    import succession.ingest as pkg

    files = pd.DataFrame(
        {
            c: pd.Series(dtype="Int64" if c.startswith("rows") or c == "problem_count" else object)
            for c in _LEDGER_COLUMNS
        }
    )
    for m in pkgutil.iter_modules(pkg.__path__):
        mod = importlib.import_module(f"succession.ingest.{m.name}")
        for obj in list(vars(mod).values()):
            if (
                hasattr(obj, "empty_tables")
                and hasattr(obj, "discover")
                and not isinstance(obj, type)
                and not (Path(lake_dir) / obj.name).exists()
            ):
                lake.ensure_empty_tables(lake_dir, obj.name, {**obj.empty_tables(), "_files": files})


def ingest_all(source, raw: Path, lake_dir: Path, run_id: str = "test-run") -> dict:
    return {
        k: ingest_partition(source, k, files, raw_dir=raw, lake_dir=lake_dir, run_id=run_id)
        for k, files in source.discover(raw).items()
    }


@functools.cache
def build() -> dict:
    """Sample + tiny + malformed waves ingested and a real `dbt build`; made once per process."""
    from succession.ingest.interviews import SOURCE as INTERVIEWS
    from succession.ingest.survey import SOURCE as SURVEY
    from succession.sample_data import SampleSpec, interviews, survey

    root = Path(tempfile.mkdtemp(prefix="survey-build-"))
    raw, lake_dir = root / "raw", root / "lake"
    # the sample's own previous wave would take the tiny wave's folder (TINY_WAVE): leave it out
    spec = dataclasses.replace(SampleSpec.sample(), survey_previous_wave=False)
    survey.generate(raw, spec)
    interviews.generate(raw, spec)
    write_tiny_wave(raw)
    bad = write_bad_wave(raw)
    results = {"survey": ingest_all(SURVEY, raw, lake_dir), "interviews": ingest_all(INTERVIEWS, raw, lake_dir)}
    ensure_other_sources_empty(lake_dir)
    env = {
        **os.environ,
        "DBT_TARGET_PATH": str(root / "target"),
        "DBT_LOG_PATH": str(root / "logs"),
        "DO_NOT_TRACK": "1",
    }
    dbt_vars = Settings.from_values({"build_dir": root}).dbt_vars_arg(warehouse=root / "wh.duckdb")  # lake: root/lake
    proc = subprocess.run(
        [
            str(DBT),
            "build",
            "--profiles-dir",
            ".",
            *dbt_vars,
            "--select",
            "+pub_survey_distributions",
            "+pub_theme_prevalence",
            "+pub_agreement",
            "+fct_figure_sources",
            "+fct_raw_rows",
            "+fct_files",
        ],
        cwd=PROJECT_DIR / "dbt_project",
        env=env,
        capture_output=True,
        text=True,
    )
    return {
        "root": root,
        "raw": raw,
        "lake": lake_dir,
        "warehouse": root / "wh.duckdb",
        "results": results,
        "bad": bad,
        "dbt_rc": proc.returncode,
        "dbt_log": proc.stdout[-6000:] + proc.stderr[-2000:],
    }
