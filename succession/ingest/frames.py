"""Building a file's frames fast, for the spreadsheet sources (HR returns, programme records).

A workbook's tables are tiny; pandas' record constructor (type inference per column) and
the lineage column assignments cost far more than reading the cells. `table_columns` builds
each table's columns in one go, typed the way that constructor types them, and falls back
to exactly the old construction for any value of another type, so the frames (dtypes
included) are the same as ``L.stamp(pd.DataFrame(records))`` made. Readers hand the
framework those typed columns, not a frame: it joins each column across a partition's
files and makes one frame per table (`columns.concat_tables`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache

import numpy as np
import pandas as pd

from contracts.tables import Column, Table
from succession.ingest import lineage as L
from succession.ingest.cells import Unreadable, clean, header_key, is_blank
from succession.ingest.columns import Columns
from succession.ingest.framework import FileRead
from succession.ingest.problems import Problem, column_letter

_NAT = np.iinfo(np.int64).min
_EXACT_FLOAT_INT = 2**53

# kind of a column's cleaned values -> how the record constructor types them
#   "object": str or None; "date": Timestamp or None; "integer": int or None;
#   "number": float or None; "int": int (row numbers); "na": pd.NA (About's row number)


def _objects(values: list) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _typed(values: list, kind: str) -> np.ndarray | None:
    """``values`` as the array pandas' record constructor would infer, or None when unsure."""
    if kind == "object":
        for v in values:
            if v is not None and v.__class__ is not str:
                return None
        return _objects(values)
    if kind == "date":
        ns, seen = [], False
        for v in values:
            if v is None:
                ns.append(_NAT)
            elif v.__class__ is pd.Timestamp and v.tz is None:
                ns.append(v.value)  # raises OverflowError outside the ns range: the caller falls back
                seen = True
            else:
                return None
        return np.array(ns, dtype=np.int64).view("M8[ns]") if seen else _objects(values)
    if kind in ("integer", "int"):
        blank, seen = False, False
        for v in values:
            if v is None and kind == "integer":
                blank = True
            elif v.__class__ is int and -_EXACT_FLOAT_INT <= v <= _EXACT_FLOAT_INT:
                seen = True
            else:
                return None
        if not seen:
            return _objects(values)
        if blank:
            return np.array([np.nan if v is None else v for v in values], dtype=np.float64)
        return np.array(values, dtype=np.int64)
    if kind == "number":
        seen = False
        for v in values:
            if v is None:
                continue
            if v.__class__ is not float:
                return None
            seen = True
        return np.array([np.nan if v is None else v for v in values], dtype=np.float64) if seen else _objects(values)
    if kind == "na":
        return _objects(values) if all(v is pd.NA for v in values) else None
    return None


def table_columns(
    columns: list[str],
    data: list[list],
    kinds: list[str],
    n: int,
    read: FileRead,
    sheet: str,
    constants: Iterable[tuple[str, object]] = (),
) -> Columns | pd.DataFrame:
    """One file's rows of a table, lineage-stamped, as typed columns (`Columns`), not yet a
    frame: ``as_frame`` of them is the frame that ``L.stamp(pd.DataFrame(records, columns=columns)
    + constants, ...)`` gives. ``data`` holds each column's cleaned values (``n`` of them),
    ``kinds`` their kind (see `_typed`); ``constants`` are columns set to one value after the
    record columns. The framework joins each
    column across a partition's files and makes one frame (`concat_tables`). A value of a
    type `_typed` does not know gives the frame itself, built as the record constructor builds it."""
    constants = list(constants)
    arrays: list[np.ndarray | None] | None
    if not n:
        arrays = [np.empty(0, dtype=object) for _ in columns]  # no records: every column object
    else:
        try:
            arrays = [_typed(values, kind) for values, kind in zip(data, kinds)]
        except (OverflowError, ValueError, TypeError):
            arrays = None
    if (
        arrays is None
        or any(a is None for a in arrays)
        or not all(
            value.__class__ is str or (value.__class__ is pd.Timestamp and value.tz is None) for _, value in constants
        )
    ):
        df = pd.DataFrame([dict(zip(columns, values)) for values in zip(*data)] if n else [], columns=columns)
        for name, value in constants:
            df[name] = value
        return L.stamp(df, source_file=read.rel, sha256=read.sha256, sheet=sheet)
    names = list(columns)
    for name, value in constants:
        names.append(name)
        # a Timestamp set on a frame keeps its own unit
        arrays.append(np.full(n, value, dtype=object) if value.__class__ is str else np.full(n, value.to_datetime64()))
    if L.CELL not in names:
        names.append(L.CELL)
        arrays.append(np.full(n, None, dtype=object))
    names += [L.SOURCE_FILE, L.FILE_SHA256, L.SHEET]
    arrays += [
        np.full(n, read.rel, dtype=object),
        np.full(n, read.sha256, dtype=object),
        np.full(n, sheet, dtype=object),
    ]
    return Columns(tuple(names), arrays, n)


def column_kind(kind: str) -> str:
    """The `_typed` kind of a contract column kind's cleaned values."""
    return {"integer": "integer", "date": "date", "number": "number"}.get(kind, "object")


_CLEANERS: dict[tuple[str, tuple[str, ...]], Callable[[object], object]] = {}
_MEMO_LIMIT = 10_000  # per cleaner: bounded memory in a long-lived process


def cleaner(kind: str, codes: tuple[str, ...] = ()) -> Callable[[object], object]:
    """``clean(value, kind, codes)``, remembering the answer for text and date cells (the same
    codes, titles and dates recur in every file). Floats are never remembered (-0.0 == 0.0)."""
    key = (kind, tuple(codes))
    if key in _CLEANERS:
        return _CLEANERS[key]
    memo: dict[tuple[type, object], object] = {}

    def clean_cell(value: object) -> object:
        if value is None:
            return None
        cls = value.__class__
        if cls is float:
            return clean(value, kind, codes)
        try:
            return memo[(cls, value)]
        except KeyError:
            out = clean(value, kind, codes)
            if len(memo) < _MEMO_LIMIT:
                memo[(cls, value)] = out
            return out
        except TypeError:  # unhashable
            return clean(value, kind, codes)

    _CLEANERS[key] = clean_cell
    return clean_cell


def cached_empty_tables(source: object, build: Callable[[], dict[str, pd.DataFrame]]) -> dict[str, pd.DataFrame]:
    """A source's typed zero-row frames, built once (``empty_frame`` costs ~1 ms a table and the
    framework asks two or three times a partition); each call gets its own copies."""
    empties = source.__dict__.get("_empty_tables")
    if empties is None:
        empties = source.__dict__.setdefault("_empty_tables", build())
    return {name: df.copy() for name, df in empties.items()}


_HEADER_KEYS: dict[str, str] = {}


def cached_header_key(value: object) -> str:
    """`header_key`, remembered for text (every file repeats the template's headers)."""
    if value.__class__ is not str:
        return header_key(value)
    key = _HEADER_KEYS.get(value)
    if key is None:
        key = header_key(value)
        if len(_HEADER_KEYS) < _MEMO_LIMIT:
            _HEADER_KEYS[value] = key
    return key


def read_records(
    read: FileRead,
    sheet: str,
    rows: list[list],
    columns,
    positions: dict[str, int],
    kind_of: Callable[[object], tuple[str, tuple[str, ...]]],
    *,
    constants: Iterable[tuple[str, object]] = (),
) -> Columns | pd.DataFrame:
    """Rows 2.. of a header-in-row-1 sheet as a table (`table_columns`) stamped with ``sheet``: one record per
    row not blank in every column found (``positions``: column name -> index), cells cleaned
    by ``kind_of(column)`` -> (kind, codes), ``_row`` its spreadsheet row / CSV line."""
    found = list(positions.values())
    specs = []
    for c in columns:
        kind, codes = kind_of(c)
        specs.append((positions.get(c.name, 10**6), cleaner(kind, codes)))
    data: list[list] = [[] for _ in specs]
    rownums: list[int] = []
    for i, row in enumerate(rows[1:], start=2):
        width = len(row)
        for j in found:
            if j < width and not is_blank(row[j]):
                break
        else:
            continue  # blank lines between or after records
        for (j, clean_cell), values in zip(specs, data):
            values.append(clean_cell(row[j]) if j < width else None)
        rownums.append(i)
    names = [c.name for c in columns]
    for name, (j, _), values in zip(names, specs, data):
        report_unreadable(read, sheet, name, values, rownums, column_letter(j) if j < 10**6 else None)
    kinds = [column_kind(kind_of(c)[0]) for c in columns]
    return table_columns(names + [L.ROW], [*data, rownums], [*kinds, "int"], len(rownums), read, sheet, constants)


def read_table(
    read: FileRead,
    spec: Table,
    rows: list[list],
    *,
    expected: str,
    constants: Iterable[tuple[str, object]] = (),
    whole_header: bool = False,
) -> Columns | pd.DataFrame | None:
    """A header-in-row-1 table of a spreadsheet contract (`contracts.tables.Table`) as a table
    (`table_columns`: typed columns for the framework to join across files).

    Each header cell is matched to a column by its header text (`header_key`: case, curly
    quotes and spacing folded; in a snake_case header a space may stand for the underscore).
    An unexpected header (``expected`` says what was wanted), a header twice and a column
    missing are problems naming the sheet, row 1 and the cell. With ``whole_header``, a
    header with any problem gives None and no rows; otherwise the columns found are read.
    """
    wanted = _wanted(spec)
    positions: dict[str, int] = {}
    problems_before = len(read.problems)
    for j, h in enumerate(rows[0] if rows else []):
        if is_blank(h):
            continue
        key = cached_header_key(h)
        col = wanted.get(key) or wanted.get(key.replace(" ", "_"))
        if col is None:
            read.problems.append(
                Problem(
                    read.rel,
                    "unexpected_column",
                    f"unexpected column {str(h)!r} ({expected})",
                    sheet=spec.sheet,
                    row=1,
                    column=str(h),
                    cell=f"{column_letter(j)}1",
                )
            )
        elif col.name in positions:
            read.problems.append(duplicate_header(read, spec.sheet, str(h), positions[col.name], j))
        else:
            positions[col.name] = j
    for col in spec.columns:
        if col.name not in positions:
            read.problems.append(
                Problem(
                    read.rel,
                    "missing_column",
                    f"column {col.header!r} is missing",
                    sheet=spec.sheet,
                    row=1,
                    column=col.header,
                )
            )
    if whole_header and len(read.problems) > problems_before:
        return None
    df = read_records(read, spec.sheet, rows, spec.columns, positions, _cleaning, constants=constants)
    read.column_letters[spec.name] = {name: column_letter(j) for name, j in positions.items()}
    return df


@cache
def _wanted(spec: Table) -> dict[str, Column]:
    return {header_key(c.header): c for c in spec.columns}


def _cleaning(c: Column) -> tuple[str, tuple[str, ...]]:
    """How a record column's cells are cleaned: a code without a fixed list (a DfE LA code) is text."""
    return ("text" if c.kind == "code" and not c.codes else c.kind), c.codes


def unreadable_problem(
    read: FileRead, sheet: str, name: str, bad: Unreadable, row: int | None, cell: str | None
) -> Problem:
    return Problem(
        read.rel,
        "unreadable_value",
        f"{name} {bad.why}: found {bad.found!r}",
        sheet=sheet,
        row=row,
        column=name,
        cell=cell,
    )


def report_unreadable(read: FileRead, sheet: str, name: str, values: list, rows: list[int], letter: str | None) -> None:
    """Each `Unreadable` cleaned value of one column becomes a problem naming its cell, and a
    blank in the frame (the file is quarantined; the value is never loaded)."""
    for i, v in enumerate(values):
        if v.__class__ is Unreadable:
            row = rows[i]
            read.problems.append(unreadable_problem(read, sheet, name, v, row, f"{letter}{row}" if letter else None))
            values[i] = None


def duplicate_header(read: FileRead, sheet: str, header: str, first: int, again: int, row: int = 1) -> Problem:
    """A header that appears twice (in header row ``row``): which column holds the data is
    not for the reader to guess."""
    a, b = f"{column_letter(first)}{row}", f"{column_letter(again)}{row}"
    return Problem(
        read.rel,
        "duplicate_header",
        f"header {header!r} appears twice ({a} and {b})",
        sheet=sheet,
        row=row,
        column=header,
        cell=b,
    )
