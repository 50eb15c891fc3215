"""Contract for interview coding (``raw/interviews/<wave>/``).

The human-readable version is `contracts/interviews.md`. A wave folder holds one
``codebook.yaml`` (the theme hierarchy) and any number of coding sheets (CSV or XLSX,
one row per code applied to a segment) and REFI-QDA project exports (``.qdpx``).
Both shapes give the same ``codings`` rows. Excerpts are never stored: only their
length and SHA-256, so text that names a person cannot reach the lake, the warehouse
or an output.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
import pyarrow

from contracts.survey import WAVE_PATTERN, WAVE_RE  # noqa: F401 - one wave id format for both sources

SOURCE = "interviews"
CODEBOOK_FILE = "codebook.yaml"
SHEET_SUFFIXES = (".csv", ".xlsx")
QDPX_SUFFIX = ".qdpx"
QDA_NAMESPACE = "urn:QDA-XML:project:1.0"
PATH_SEPARATOR = "/"

# Coding sheet headers (normalised, case folded) -> lake column. Several spellings accepted.
SHEET_COLUMNS = {
    "interview": "interview_id",
    "interview id": "interview_id",
    "coder": "coder",
    "question": "section",
    "section": "section",
    "question/section": "section",
    "segment": "segment_id",
    "segment id": "segment_id",
    "code": "theme_path",
    "code path": "theme_path",
    "excerpt": "excerpt",
    "gender": "participant_gender",
    "participant gender": "participant_gender",
    "tier": "participant_tier",
    "participant tier": "participant_tier",
}
REQUIRED_SHEET_COLUMNS = ("interview_id", "coder", "segment_id", "theme_path")
SOURCE_FORMATS = ("coding_sheet", "refi_qda")

CODEBOOK_SCHEMA = pa.DataFrameSchema(
    {
        "wave": pa.Column(str, pa.Check.str_matches(WAVE_PATTERN, error="a wave id like 2024-25_W1")),
        "theme_path": pa.Column(str, unique=True),
        "parent_path": pa.Column(str, nullable=True),
        "theme_name": pa.Column(str),
        "theme_level": pa.Column(pd.Int64Dtype(), pa.Check.ge(1), coerce=True),
        "theme_order": pa.Column(pd.Int64Dtype(), coerce=True),
        "description": pa.Column(str, nullable=True),
        "region_code": pa.Column(
            str, pa.Check.str_matches(r"^E12\d{6}$", error="an ONS region code like E12000008"), nullable=True
        ),
    },
    strict=False,
    name="codebook",
)

TEXT = pd.ArrowDtype(pyarrow.string())
"""The text columns of ``codings`` are held in Arrow memory, not as one Python object per
cell: a national wave has ~85,000 codings, and the contract then checks a column's type
once instead of every cell's, and Parquet gets the same plain strings without a conversion."""

CODINGS_SCHEMA = pa.DataFrameSchema(
    {
        "wave": pa.Column(TEXT),
        "interview_id": pa.Column(TEXT),
        "coder": pa.Column(TEXT),
        "section": pa.Column(TEXT, nullable=True),
        "segment_id": pa.Column(TEXT),
        "theme_path": pa.Column(TEXT),
        "excerpt_chars": pa.Column(pd.Int64Dtype(), pa.Check.ge(0), nullable=True, coerce=True),
        "excerpt_sha256": pa.Column(TEXT, nullable=True),
        "participant_gender": pa.Column(TEXT, nullable=True),
        "participant_tier": pa.Column(TEXT, nullable=True),
        "source_format": pa.Column(TEXT, pa.Check.isin(list(SOURCE_FORMATS))),
    },
    strict=False,
    name="codings",
)

SCHEMAS: dict[str, pa.DataFrameSchema] = {"codebook": CODEBOOK_SCHEMA, "codings": CODINGS_SCHEMA}
CODINGS_TEXT_COLUMNS = tuple(name for name, col in CODINGS_SCHEMA.columns.items() if col.dtype.type == TEXT)
