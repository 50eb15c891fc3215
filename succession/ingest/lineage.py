"""Lineage columns carried by every loaded row, from the lake to the warehouse.

A row's ``_row_uid`` is readable and stable: the first 16 hex digits of its file's
SHA-256, the sheet and the row or cell it came from (``3fa2...:Vacancies!12``).
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
LINEAGE_COLUMNS = (ROW_UID, *READ_COLUMNS, RUN_ID, LOADED_AT)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def row_uid(sha256: str, sheet: str, row: int | None, cell: str | None = None) -> str:
    return f"{sha256[:16]}:{sheet}!{cell if cell else row}"


def stamp(df: pd.DataFrame, *, source_file: str, sha256: str, sheet: str) -> pd.DataFrame:
    """Add the per-file lineage columns to rows that already carry ``_row`` (and maybe ``_cell``)."""
    df = df.copy()
    if CELL not in df:
        df[CELL] = None
    df[SOURCE_FILE] = source_file
    df[FILE_SHA256] = sha256
    df[SHEET] = sheet
    prefix = f"{sha256[:16]}:{sheet}!"
    df[ROW_UID] = [prefix + (c if isinstance(c, str) and c else str(r)) for r, c in zip(df[ROW], df[CELL])]
    return df
