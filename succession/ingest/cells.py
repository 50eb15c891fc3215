"""Cleaning raw spreadsheet and CSV cell values the same way for every source.

Values that cannot be cleaned are passed through unchanged so the pandera contract
reports them, with the cell, as the rule they break (e.g. text in a count column).
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata

import pandas as pd

_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y", "%d %B %Y", "%d %b %Y")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-", "\u00a0": " "})


def normalise_text(value: str) -> str:
    """Fold curly quotes, dashes, non-breaking and repeated spaces; NFC; strip."""
    text = unicodedata.normalize("NFC", str(value)).translate(_QUOTES)
    return re.sub(r"\s+", " ", text).strip()


def header_key(value: object) -> str:
    return normalise_text(str(value)).casefold()


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or (isinstance(value, float) and pd.isna(value))


def clean_text(value: object) -> object:
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return normalise_text(value) if isinstance(value, str) else str(value)


def clean_code(value: object, codes: tuple[str, ...]) -> object:
    """Match a code case- and space-insensitively; unknown codes pass through to fail the contract."""
    text = clean_text(value)
    if text is None:
        return None
    wanted = {c.casefold(): c for c in codes}
    return wanted.get(text.casefold(), text)


def clean_integer(value: object) -> object:
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return int(value) if float(value).is_integer() else value
    text = normalise_text(value).replace(",", "")
    return int(text) if re.fullmatch(r"-?\d+", text) else value


def clean_number(value: object) -> object:
    if is_blank(value):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    text = normalise_text(value).replace(",", "")
    try:
        return float(text)
    except ValueError:
        return value


def clean_date(value: object) -> object:
    """Dates as typed in UK spreadsheets: real date cells, dd/mm/yyyy or ISO text."""
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return pd.Timestamp(value.date())
    if isinstance(value, dt.date):
        return pd.Timestamp(value)
    text = normalise_text(value)
    for fmt in _DATE_FORMATS:
        try:
            return pd.Timestamp(dt.datetime.strptime(text, fmt).date())
        except ValueError:
            continue
    return value


CLEANERS = {"text": clean_text, "integer": clean_integer, "number": clean_number, "date": clean_date}


def clean(value: object, kind: str, codes: tuple[str, ...] = ()) -> object:
    if kind == "code":
        return clean_code(value, codes)
    if kind == "flag":
        return clean_code(value, ("yes", "no"))
    return CLEANERS[kind](value)
