"""Contract for SurveyMonkey exports and the survey instrument (``raw/survey/<wave>/``).

The human-readable version is `contracts/survey.md`. A wave folder holds one
``instrument.yaml`` and one or more "All individual responses" exports (CSV or XLSX,
expanded columns, two header rows). Ingestion (`succession.ingest.survey`) shapes them
into the lake tables below; nothing personal (IP address, e-mail, names, custom data,
raw respondent ids, free text) is ever written.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow
import pyarrow.compute as pc

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
# Of these, only the respondent id (as a keyed pseudonym), the collector id and the start and end
# times are read: IP address, e-mail, names and custom data are personal and never copied.

SUBHEADER_RESPONSE = "response"
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
        "region_code": pa.Column(
            str, pa.Check.str_matches(r"^E12\d{6}$", error="an ONS region code like E12000008"), nullable=True
        ),
        "fieldwork_start": pa.Column("datetime64[ns]", nullable=True, coerce=True),
        "fieldwork_end": pa.Column("datetime64[ns]", nullable=True, coerce=True),
    },
    checks=[
        row_rule(
            "fieldwork_order",
            lambda df: (
                df["fieldwork_start"].isna()
                | df["fieldwork_end"].isna()
                | (df["fieldwork_end"] >= df["fieldwork_start"])
            ),
            "fieldwork ends ({fieldwork_end}) before it starts ({fieldwork_start})",
            "fieldwork_end",
        )
    ],
    strict=False,
    name="waves",
)

QUESTIONS_SCHEMA = pa.DataFrameSchema(
    {
        "wave": pa.Column(str),
        "question_id": pa.Column(str, pa.Check.str_matches(r"^[a-z][a-z0-9_]*$", error="a snake_case question id")),
        "question_order": pa.Column(pd.Int64Dtype(), coerce=True),
        "question_text": pa.Column(str),
        "question_type": pa.Column(
            str, pa.Check.isin(list(QUESTION_TYPES), error=f"one of: {', '.join(QUESTION_TYPES)}")
        ),
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

ARROW_TEXT = pd.ArrowDtype(pyarrow.string())
"""Text held in Arrow memory (``string[pyarrow]``) rather than as one Python object per
cell; written to Parquet as plain strings, exactly like object columns of ``str``."""

ARROW_CODES = pd.ArrowDtype(pyarrow.dictionary(pyarrow.int32(), pyarrow.string()))
"""Dictionary-encoded Arrow text: each distinct value stored once, 4 bytes per row. For the
~2 million answer rows of a national wave, whose columns repeat a few codes (question, option,
kind) or the wave's respondents. Parquet stores it as strings (dictionary pages)."""

ARROW_INT = pd.ArrowDtype(pyarrow.int64())
"""Whole numbers (nullable) in Arrow memory: Parquet int64 like ``Int64``, without the copies
pandas makes of numpy-backed columns."""


def _chunks(series: pd.Series) -> list:
    """The Arrow arrays behind an Arrow-backed column."""
    arrow = pyarrow.array(series)
    return arrow.chunks if isinstance(arrow, pyarrow.ChunkedArray) else [arrow]


def _codes_in(allowed: tuple[str, ...]) -> pa.Check:
    """``isin`` for dictionary-encoded text, judged once per distinct value then spread to the
    rows by their dictionary index (pandas' isin on them decodes every row first)."""
    value_set = pyarrow.array(list(allowed), pyarrow.string())

    def check(series: pd.Series) -> pd.Series:
        if not (isinstance(series.dtype, pd.ArrowDtype) and pyarrow.types.is_dictionary(series.dtype.pyarrow_dtype)):
            return series.isin(allowed)
        parts = [
            pc.is_in(chunk.dictionary, value_set=value_set).to_numpy(zero_copy_only=False)[
                chunk.indices.fill_null(0).to_numpy(zero_copy_only=False)
            ]
            for chunk in _chunks(series)
        ]
        ok = np.concatenate(parts) if parts else np.zeros(0, dtype=bool)
        return pd.Series(ok, index=series.index) | series.isna()

    return pa.Check(check, name=f"isin({list(allowed)})")  # failures read as pandera's own isin


RESPONDENTS_SCHEMA = pa.DataFrameSchema(
    {
        "wave": pa.Column(ARROW_TEXT),
        "respondent_key": pa.Column(ARROW_TEXT, pa.Check.str_matches(_HEX, error="a 20-hex-digit pseudonym")),
        "collector_id": pa.Column(ARROW_TEXT, nullable=True),
        "started_at": pa.Column("datetime64[ns]", nullable=True, coerce=True),
        "ended_at": pa.Column("datetime64[ns]", nullable=True, coerce=True),
        "questions_answered": pa.Column(pd.Int64Dtype(), pa.Check.ge(0), coerce=True),
    },
    checks=[
        row_rule(
            "ended_after_started",
            lambda df: df["started_at"].isna() | df["ended_at"].isna() | (df["ended_at"] >= df["started_at"]),
            "end date ({ended_at}) is before the start date ({started_at})",
            "ended_at",
        )
    ],
    strict=False,
    name="respondents",
)

ANSWERS_SCHEMA = pa.DataFrameSchema(
    # One row per answer cell, ~2 million per national wave: every rule is vectorised and
    # run once per batch of files. Checked elsewhere, not here (contracts/survey.md):
    # respondent_key's pseudonym format on `respondents`, and that each answer's key is a
    # respondent of the same export (`answers_without_respondent`, run by the ingestion);
    # wave equals the folder, a wave id (the folder name and `waves`).
    {
        "wave": pa.Column(ARROW_CODES),
        "respondent_key": pa.Column(ARROW_CODES),
        "question_id": pa.Column(ARROW_CODES),
        "item_code": pa.Column(ARROW_CODES, nullable=True),
        "answer_kind": pa.Column(ARROW_CODES, _codes_in(ANSWER_KINDS)),
        "option_code": pa.Column(ARROW_CODES, nullable=True),
        "themes": pa.Column(ARROW_CODES, nullable=True),
        "text_chars": pa.Column(ARROW_INT, pa.Check.ge(0), nullable=True),
        "text_sha256": pa.Column(ARROW_CODES, nullable=True),
    },
    checks=[
        row_rule(
            "option_answer_has_code",
            lambda df: (df["answer_kind"] != "option") | df["option_code"].notna(),
            "an answer to {question_id} has no option code",
            "option_code",
        )
    ],
    strict=False,
    name="answers",
)


def answers_without_respondent(answers: pd.DataFrame, respondents: pd.DataFrame, by: str) -> np.ndarray:
    """Foreign key answers -> respondents: True for each answer whose ``respondent_key`` is not a
    respondent of the same file (``by``: the file column). Each distinct key is looked up once
    per file; a blank key is the not-null rule's to report."""
    orphan = np.zeros(len(answers), dtype=bool)
    if not len(answers):
        return orphan
    files, names = pd.factorize(answers[by])
    known = {
        name: pyarrow.array(
            respondents.loc[respondents[by] == name, "respondent_key"].astype(object).tolist(), pyarrow.string()
        )
        for name in names
    }
    start = 0
    for chunk in _chunks(answers["respondent_key"].astype(ARROW_CODES)):
        stop = start + len(chunk)
        in_chunk = files[start:stop]
        indices = chunk.indices.fill_null(-1).to_numpy(zero_copy_only=False)
        for code in np.unique(in_chunk):
            rows = np.flatnonzero(in_chunk == code)
            found = np.append(
                pc.is_in(chunk.dictionary, value_set=known[names[code]]).to_numpy(zero_copy_only=False), True
            )
            orphan[start + rows[~found[indices[rows]]]] = True  # index -1 (blank) -> the appended True
        start = stop
    return orphan


SCHEMAS: dict[str, pa.DataFrameSchema] = {
    "waves": WAVES_SCHEMA,
    "questions": QUESTIONS_SCHEMA,
    "options": OPTIONS_SCHEMA,
    "respondents": RESPONDENTS_SCHEMA,
    "answers": ANSWERS_SCHEMA,
}
