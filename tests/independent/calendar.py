"""UK financial-year quarters: "2024-25 Q1" is April-June 2024, Q4 is January-March 2025."""

from __future__ import annotations

import datetime as dt


def quarter_dates(label: str) -> tuple[dt.date, dt.date]:
    """First and last day of a quarter labelled like ``2024-25 Q3``."""
    year, q = label.split(" ")
    start_year, n = int(year[:4]), int(q[1])
    month = {1: 4, 2: 7, 3: 10, 4: 1}[n]
    start = dt.date(start_year + (n == 4), month, 1)
    nxt = dt.date(start.year + (month == 10), (month + 3 - 1) % 12 + 1, 1)
    return start, nxt - dt.timedelta(days=1)


def key(label: str) -> str:
    """``2024-25 Q3`` -> ``2024-25_Q3`` (folder names and figure ids)."""
    return label.replace(" ", "_")


def label(quarter_key: str) -> str:
    return quarter_key.replace("_", " ")


def financial_year(label: str) -> str:
    return label.split(" ")[0]


def sort_key(label: str) -> tuple[int, int]:
    year, q = label.split(" ")
    return int(year[:4]), int(q[1])
