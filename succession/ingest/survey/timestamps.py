"""SurveyMonkey's start and end timestamps: ``05/14/2019 09:12:33 AM`` (US order), or XLSX date cells.

`parse_timestamp` is the rule for one cell; `timestamps` applies it to a whole column,
vectorised for the two usual forms, and gives exactly what `parse_timestamp` gives. Text
that is not a timestamp is never handed to pandas to guess (it would read day-first dates as
month-first, or the other way round): it stays text for the contract to report with its cell.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from contracts import survey as C
from succession.ingest.cells import EARLIEST_DATE, LATEST_DATE, Unreadable, is_blank, normalise_text
from succession.ingest.survey.export_cells import ExportCells


def parse_timestamp(value: object) -> object:
    """US SurveyMonkey timestamps to a Timestamp. Anything else is `Unreadable` (which the
    contract reports with its cell), never handed to pandas to guess: it would read other
    text in other formats, and day-first dates as month-first or the other way round."""
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        stamp = value
    elif isinstance(value, dt.date):
        stamp = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, (bool, int, float)):
        return Unreadable(value, "must be a date and time as SurveyMonkey writes it, not a number")
    else:
        text = normalise_text(value)
        for fmt in C.TIMESTAMP_FORMATS:
            try:
                stamp = dt.datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        else:
            return Unreadable(text, "must be a date and time as SurveyMonkey writes it (e.g. 05/14/2019 09:12:33 AM)")
    if not EARLIEST_DATE <= stamp.date() <= LATEST_DATE:
        return Unreadable(str(value), f"must be a date between {EARLIEST_DATE:%Y} and {LATEST_DATE:%Y}")
    return pd.Timestamp(stamp)


_US_TIMESTAMP = r"^\d\d/\d\d/\d\d\d\d \d\d:\d\d:\d\d [AP]M$"  # C.TIMESTAMP_FORMATS[0], as SurveyMonkey writes it
_NS_YEARS = (1900, 2200)  # well inside datetime64[ns]


def timestamps(cells: ExportCells, j: int, take: np.ndarray, blank: np.ndarray) -> np.ndarray:
    """`parse_timestamp` of column j's cells at rows ``take`` (positions after the header rows).

    datetime64[ns] when every non-blank cell is a timestamp; otherwise an object array of
    exactly what `parse_timestamp` returns (Timestamps, None, unparsed text) so the contract
    reports the text cells. SurveyMonkey's ``05/14/2019 09:12:33 AM`` text and XLSX date cells
    are converted vectorised; anything else is parsed cell by cell."""
    n = len(take)
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    done = blank.copy()
    if j in cells.raw:  # XLSX date cells: pd.Timestamp(value), vectorised
        values = cells.raw[j][take]
        lo, hi = _NS_YEARS
        cell_dates = (
            np.fromiter(
                (type(v) is dt.datetime and v.tzinfo is None and lo <= v.year <= hi for v in values),
                dtype=bool,
                count=len(values),
            )
            & ~done
        )
        if cell_dates.any():
            out[cell_dates] = pd.DatetimeIndex(pd.to_datetime(values[cell_dates])).values.astype("datetime64[ns]")
            done |= cell_dates
    else:
        text = cells.text(j, take)
        match = pc.match_substring_regex(text, _US_TIMESTAMP).fill_null(False).to_numpy(zero_copy_only=False) & ~done
        if match.any():
            idx = np.flatnonzero(match)
            sub = text.take(pa.array(idx))

            def part(a: int, b: int) -> np.ndarray:
                return pc.cast(pc.utf8_slice_codeunits(sub, a, b), pa.int64()).to_numpy()

            month, day, year, hour, minute, second = (
                part(0, 2),
                part(3, 5),
                part(6, 10),
                part(11, 13),
                part(14, 16),
                part(17, 19),
            )
            pm = pc.equal(pc.utf8_slice_codeunits(sub, 20, 22), "PM").to_numpy(zero_copy_only=False)
            ok = (
                (month >= 1)
                & (month <= 12)
                & (day >= 1)
                & (hour >= 1)
                & (hour <= 12)
                & (minute <= 59)
                & (second <= 59)
                & (year >= _NS_YEARS[0])
                & (year <= _NS_YEARS[1])
            )
            ym = ((year - 1970) * 12 + np.clip(month, 1, 12) - 1).astype("datetime64[M]")
            first_day = ym.astype("datetime64[D]")
            ok &= day <= ((ym + 1).astype("datetime64[D]") - first_day).astype(np.int64)
            hour24 = np.where(hour == 12, 0, hour) + np.where(pm, 12, 0)
            value = (
                first_day.astype("datetime64[ns]")
                + (day - 1).astype("timedelta64[D]")
                + hour24.astype("timedelta64[h]")
                + minute.astype("timedelta64[m]")
                + second.astype("timedelta64[s]")
            )
            out[idx[ok]] = value[ok]
            done[idx[ok]] = True
    rest = np.flatnonzero(~done)
    if not len(rest):
        return out
    parsed = [parse_timestamp(v) for v in cells.raw_values(j, take[rest])]
    lo, hi = pd.Timestamp(f"{_NS_YEARS[0]}-01-01"), pd.Timestamp(f"{_NS_YEARS[1]}-12-31")
    if all(v is None or (isinstance(v, pd.Timestamp) and v.tzinfo is None and lo <= v <= hi) for v in parsed):
        out[rest] = np.array(
            [np.datetime64("NaT") if v is None else v.as_unit("ns").to_datetime64() for v in parsed],
            dtype="datetime64[ns]",
        )
        return out
    objects = np.array([None if pd.isna(v) else pd.Timestamp(v) for v in out], dtype=object)
    objects[rest] = np.array(parsed + [None], dtype=object)[:-1]
    return objects
