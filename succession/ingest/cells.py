"""Cleaning raw spreadsheet and CSV cell values the same way for every source.

Values that cannot be cleaned are passed through unchanged so the pandera contract
reports them, with the cell, as the rule they break (e.g. text in a count column).
Values pandera would coerce into something wrong are `Unreadable` instead, and the
reader reports their cell: a boolean (pandas makes True a 1), a number that is not
finite (``inf`` text, ``1e999``), date text outside the documented formats (pandas
would read ``01/13/2025`` as 13 January) and a date outside the plausible range.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata

import pandas as pd

_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y", "%d %B %Y", "%d %b %Y")
DATE_FORMATS_SHOWN = "dd/mm/yyyy, yyyy-mm-dd, dd-mm-yyyy, dd.mm.yyyy, dd/mm/yy, 1 April 2024, 1 Apr 2024"
"""The documented date formats (contracts/*.md), UK order: 03/04/2025 is 3 April 2025."""
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)
"""Plausible dates for any field: a year outside these is a typing error (1066, 20245)."""


class Unreadable:
    """A cell value that must not be loaded as anything: what was found and why.

    Equal only to another `Unreadable` of the same value and reason, and shown (in pandera
    messages too) with its reason."""

    __slots__ = ("found", "why")

    def __init__(self, found: object, why: str):
        self.found, self.why = found, why

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Unreadable) and (other.found.__class__, other.found, other.why) == (
            self.found.__class__,
            self.found,
            self.why,
        )

    def __hash__(self) -> int:
        return hash((self.found.__class__, repr(self.found), self.why))

    def __repr__(self) -> str:
        return f"{self.found!r} (the value {self.why})"

    __str__ = __repr__


def unreadable(value: object) -> Unreadable | None:
    """Why a raw cell value cannot be loaded under any kind, or None."""
    if isinstance(value, bool):
        return Unreadable(value, "must be a number or text, not a boolean")
    if isinstance(value, float) and not math.isfinite(value) and not math.isnan(value):
        return Unreadable(value, "must be a finite number")
    return None


_QUOTES = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-", "\u00a0": " "}
)


def normalise_text(value: str) -> str:
    """Fold curly quotes, dashes, non-breaking and repeated spaces; NFC; strip."""
    text = unicodedata.normalize("NFC", str(value)).translate(_QUOTES)
    return re.sub(r"\s+", " ", text).strip()


def header_key(value: object) -> str:
    return normalise_text(str(value)).casefold()


def is_blank(value: object) -> bool:
    return (
        value is None or (isinstance(value, str) and not value.strip()) or (isinstance(value, float) and pd.isna(value))
    )


def clean_text(value: object) -> object:
    if is_blank(value):
        return None
    if (bad := unreadable(value)) is not None:
        return bad
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
    if (bad := unreadable(value)) is not None:
        return bad
    if isinstance(value, (int, float)):
        return int(value) if float(value).is_integer() else value
    text = normalise_text(value).replace(",", "")
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    return _non_finite_text(value, text) or value


def _non_finite_text(value: object, text: str) -> Unreadable | None:
    """``inf``, ``-Infinity``, ``nan``, ``1e999``: text pandas would load as a non-finite number."""
    try:
        number = float(text)
    except ValueError:
        return None
    return None if math.isfinite(number) else Unreadable(value, "must be a finite number")


def clean_number(value: object) -> object:
    if is_blank(value):
        return None
    if (bad := unreadable(value)) is not None:
        return bad
    if isinstance(value, (int, float)):
        return float(value)
    text = normalise_text(value).replace(",", "")
    try:
        number = float(text)
    except ValueError:
        return value
    return number if math.isfinite(number) else Unreadable(value, "must be a finite number")


def clean_date(value: object) -> object:
    """Dates as typed in UK spreadsheets: real date cells, dd/mm/yyyy or ISO text.

    Anything else is `Unreadable`, never handed on: pandas would read ``01/13/2025`` as 13
    January. A date outside `EARLIEST_DATE`..`LATEST_DATE` is unreadable too (and one
    before 1677 would not fit the warehouse's timestamps at all)."""
    if is_blank(value):
        return None
    if (bad := unreadable(value)) is not None:
        return bad
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, (int, float)):
        return Unreadable(value, f"must be a date ({DATE_FORMATS_SHOWN}), not a number")
    else:
        text = normalise_text(value)
        for fmt in _DATE_FORMATS:
            try:
                day = dt.datetime.strptime(text, fmt).date()
                break
            except ValueError:
                continue
        else:
            return Unreadable(value, f"must be a date in a documented format ({DATE_FORMATS_SHOWN})")
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        return Unreadable(
            value if isinstance(value, str) else day.isoformat(),
            f"must be a date between {EARLIEST_DATE:%Y} and {LATEST_DATE:%Y}",
        )
    return pd.Timestamp(day)


CLEANERS = {"text": clean_text, "integer": clean_integer, "number": clean_number, "date": clean_date}


def clean(value: object, kind: str, codes: tuple[str, ...] = ()) -> object:
    if kind == "code":
        return clean_code(value, codes)
    if kind == "flag":
        return clean_code(value, ("yes", "no"))
    return CLEANERS[kind](value)
