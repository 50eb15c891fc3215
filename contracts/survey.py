"""Contract for SurveyMonkey exports and the survey instrument (``raw/survey/<wave>/``).

The human-readable version is `contracts/survey.md`. A wave folder holds one
``instrument.yaml`` and one or more "All individual responses" exports (CSV or XLSX,
expanded columns, two header rows). Ingestion (`succession.ingest.survey`) shapes them
into the lake tables below; nothing personal (IP address, e-mail, names, custom data,
raw respondent ids, free text) is ever written.
"""
from __future__ import annotations

import re

import pandas as pd
import pandera.pandas as pa

from contracts.rules import row_rule

SOURCE = "survey"
INSTRUMENT_FILE = "instrument.yaml"
EXPORT_SUFFIXES = (".csv", ".xlsx")

WAVE_PATTERN = r"^\d{4}-\d{2}_W\d+$"
"""A wave id is the financial year it starts in and a round number: ``2024-25_W1``."""
WAVE_RE = re.compile(WAVE_PATTERN)

QUESTION_TYPES = ("single", "multi", "matrix", "open", "demographic", "la", "personal")
"""single / demographic: one option; multi: any options; matrix: one option per item (row);
open: free text (dropped, coded to themes by keyword); la: a DfE LA code or name;
personal: contact details, never read."""
OPTION_TYPES = ("single", "multi", "matrix", "demographic")
ANSWER_KINDS = ("option", "other", "open")

# The leading block of every export, by normalised header (spaces removed, case folded).
# Both spellings seen in the wild: `Respondent ID` and the older `RespondentID`.
LEADING = {
    "respondentid": "respondent_id",
    "collectorid": "collector_id",
    "startdate": "start_date",
    "enddate": "end_date",
    "ipaddress": "ip_address",
    "emailaddress": "email_address",
    "firstname": "first_name",
    "lastname": "last_name",
    "customdata": "custom_data",
    "customdata1": "custom_data",
}
PERSONAL_LEADING = ("respondent_id", "ip_address", "email_address", "first_name", "last_name", "custom_data")
"""Leading columns that are personal: never copied (the respondent id only as a keyed pseudonym)."""

SUBHEADER_RESPONSE = "response"
SUBHEADER_OPEN = "open-ended response"
SUBHEADER_OTHER = ("other (please specify)", "other", "open-ended response")

TIMESTAMP_FORMATS = (
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%y %H:%M:%S",
    "%m/%d/%y %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%m/%d/%Y",
)
"""SurveyMonkey writes US dates (month first); Excel re-saves them as ``8/22/22 15:44``."""

_HEX = r"^[0-9a-f]{20}$"

WAVES_SCHEMA = pa.DataFrameSchema(
    {
        "wave": pa.Column(str, pa.Check.str_matches(WAVE_PATTERN, error="a wave id like 2024-25_W1")),
        "title": pa.Column(str, nullable=True, coerce=True),
        "region_code": pa.Column(str, pa.Check.str_matches(r"^E12\d{6}$", error="an ONS region code like E12000008"), nullable=True),
        "fieldwork_start": pa.Column("datetime64[ns]", nullable=True, coerce=True),
        "fieldwork_end": pa.Column("datetime64[ns]", nullable=True, coerce=True),
    },
    checks=[row_rule("fieldwork_order",
                     lambda df: df["fieldwork_start"].isna() | df["fieldwork_end"].isna() | (df["fieldwork_end"] >= df["fieldwork_start"]),
                     "fieldwork ends ({fieldwork_end}) before it starts ({fieldwork_start})", "fieldwork_end")],
    strict=False,
    name="waves",
)

QUESTIONS_SCHEMA = pa.DataFrameSchema(
    {
        "wave": pa.Column(str),
        "question_id": pa.Column(str, pa.Check.str_matches(r"^[a-z][a-z0-9_]*$", error="a snake_case question id")),
        "question_order": pa.Column(pd.Int64Dtype(), coerce=True),
        "question_text": pa.Column(str),
        "question_type": pa.Column(str, pa.Check.isin(list(QUESTION_TYPES), error=f"one of: {', '.join(QUESTION_TYPES)}")),
        "is_likert": pa.Column(bool, coerce=True),
    },
    strict=False,
    name="questions",
)

OPTIONS_SCHEMA = pa.DataFrameSchema(
    {
        "wave": pa.Column(str),
        "question_id": pa.Column(str),
        "item_code": pa.Column(str, nullable=True),
        "item_label": pa.Column(str, nullable=True),
        "item_order": pa.Column(pd.Int64Dtype(), nullable=True, coerce=True),
        "option_code": pa.Column(str),
        "option_label": pa.Column(str),
        "option_order": pa.Column(pd.Int64Dtype(), coerce=True),
        "likert_score": pa.Column(float, nullable=True, coerce=True),
    },
    strict=False,
    name="options",
)

RESPONDENTS_SCHEMA = pa.DataFrameSchema(
    {
        "wave": pa.Column(str),
        "respondent_key": pa.Column(str, pa.Check.str_matches(_HEX, error="a 20-hex-digit pseudonym")),
        "collector_id": pa.Column(str, nullable=True, coerce=True),
        "started_at": pa.Column("datetime64[ns]", nullable=True, coerce=True),
        "ended_at": pa.Column("datetime64[ns]", nullable=True, coerce=True),
        "questions_answered": pa.Column(pd.Int64Dtype(), pa.Check.ge(0), coerce=True),
    },
    checks=[row_rule("ended_after_started",
                     lambda df: df["started_at"].isna() | df["ended_at"].isna() | (df["ended_at"] >= df["started_at"]),
                     "end date ({ended_at}) is before the start date ({started_at})", "ended_at")],
    strict=False,
    name="respondents",
)

ANSWERS_SCHEMA = pa.DataFrameSchema(
    {
        "wave": pa.Column(str),
        "respondent_key": pa.Column(str, pa.Check.str_matches(_HEX, error="a 20-hex-digit pseudonym")),
        "question_id": pa.Column(str),
        "item_code": pa.Column(str, nullable=True),
        "answer_kind": pa.Column(str, pa.Check.isin(list(ANSWER_KINDS))),
        "option_code": pa.Column(str, nullable=True),
        "themes": pa.Column(str, nullable=True),
        "text_chars": pa.Column(pd.Int64Dtype(), nullable=True, coerce=True),
        "text_sha256": pa.Column(str, nullable=True),
    },
    checks=[row_rule("option_answer_has_code",
                     lambda df: (df["answer_kind"] != "option") | df["option_code"].notna(),
                     "an answer to {question_id} has no option code", "option_code")],
    strict=False,
    name="answers",
)

SCHEMAS: dict[str, pa.DataFrameSchema] = {
    "waves": WAVES_SCHEMA,
    "questions": QUESTIONS_SCHEMA,
    "options": OPTIONS_SCHEMA,
    "respondents": RESPONDENTS_SCHEMA,
    "answers": ANSWERS_SCHEMA,
}
