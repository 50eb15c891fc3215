"""Lineage columns carried by every loaded row, from the lake to the warehouse.

The lake stores the facts: file, its SHA-256, sheet, row and cell. A row's readable,
stable ``_row_uid`` (the first 16 hex digits of its file's SHA-256, the sheet and the
cell or row it came from: ``3fa2...:Vacancies!12``; for a source whose place is its folder,
the programme's records, also that folder: ``3fa2...@programme/E12000008/2024-25_Q1:sign_off!2``,
as identical files from two regions are two records) is derived from them in one place,
dbt's ``lineage_columns()`` macro, so ingestion never builds millions of id strings.
``_run_id`` and ``_loaded_at`` are those of the first run that loaded this exact file
content, so loading the same file again changes nothing.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

ROW_UID = "_row_uid"
SOURCE_FILE = "_source_file"
FILE_SHA256 = "_file_sha256"
SHEET = "_sheet"
ROW = "_row"
CELL = "_cell"
RUN_ID = "_run_id"
LOADED_AT = "_loaded_at"

# Columns readers set per row; the rest are added when the file's load is recorded.
READ_COLUMNS = (SOURCE_FILE, FILE_SHA256, SHEET, ROW, CELL)
LINEAGE_COLUMNS = (*READ_COLUMNS, RUN_ID, LOADED_AT)  # in the lake; ROW_UID is the warehouse's


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def stamp(df: pd.DataFrame, *, source_file: str, sha256: str, sheet: str) -> pd.DataFrame:
    """Add the per-file lineage columns to rows that already carry ``_row`` (and maybe ``_cell``).

    Constants only (no copy, no per-row work): the reader owns ``df``.
    """
    if CELL not in df:
        df[CELL] = None
    df[SOURCE_FILE] = source_file
    df[FILE_SHA256] = sha256
    df[SHEET] = sheet
    return df
