"""Reading a SurveyMonkey export (CSV or XLSX) into columns of cells, not a Python object per cell.

`read_grid` is the reference reader (Python's ``csv`` module, or python-calamine for XLSX):
rows of values, simple enough to trust. `read_export` gives the same cells column by column
(`ExportCells`), parsing CSVs with Arrow's C++ reader and falling back to the reference for
anything Arrow does not read exactly alike (ragged rows, blank lines, one column, a CR inside
a value, a second BOM). A national wave has ~2 million cells: this is where its time goes.

CSV bytes are UTF-8 (BOM stripped), else Windows-1252, else Latin-1 (`decode_csv_bytes`), the
fallback recorded in the reading notes so the ledger says how a file was read.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pandas.api.types import infer_dtype
from python_calamine import CalamineWorkbook

from succession.ingest.cells import is_blank
from succession.ingest.csv_columns import arrow_columns
from succession.ingest.guards import to_utf8

CSV_SHEET = "responses"
"""The sheet name a CSV export's problems and lineage give (an XLSX export's is its first sheet's)."""


def decode_csv_bytes(data: bytes) -> tuple[str, str]:
    """Text and the encoding used: UTF-8 (BOM stripped), else Windows-1252, else Latin-1."""
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes any bytes")


def read_grid(path: Path) -> tuple[list[list], str, dict]:
    """The cells of an export as rows of values, the sheet name, and reading notes."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        wb = CalamineWorkbook.from_path(str(path))
        sheet = wb.sheet_names[0]
        return wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False), sheet, {"format": "xlsx"}
    data, wide = to_utf8(path.read_bytes())
    text, encoding = decode_csv_bytes(data)
    notes = {"format": "csv", "encoding": wide or encoding}
    if encoding != "utf-8-sig":
        notes["encoding_fallback"] = f"not valid UTF-8: read as {encoding}"
    if "\r" in text and "\n" not in text:
        notes["line_endings"] = "CR only"
    rows = list(csv.reader(io.StringIO(text.replace("\r\n", "\n").replace("\r", "\n"), newline="")))
    return rows, CSV_SHEET, notes


def cell_text(value: object) -> str | None:
    """A cell as text: None when blank, a whole number without ``.0``, a date in ISO form."""
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value)


@dataclass
class ExportCells:
    """An export's cells: the two header rows as read, then each column from row 3 down.

    `text` gives a column's cells as text (Arrow strings, null where a cell holds nothing at
    all): CSV cells verbatim, XLSX cells as `cell_text` gives them except that text is kept as
    it is, blank or not. ``raw[j]`` keeps the cells as read (an object array) for XLSX columns
    holding other than text, e.g. dates for `parse_timestamp`; their text is made when asked."""

    h1: list
    h2: list
    columns: list[pa.Array | pa.ChunkedArray | None]  # None: not made from ``raw`` yet
    raw: dict[int, np.ndarray]
    records: int  # rows read, header rows included (a CSV record that spans lines is one row)
    sheet: str
    notes: dict

    @property
    def width(self) -> int:
        return len(self.h1)

    def _column(self, j: int) -> pa.Array | pa.ChunkedArray:
        if self.columns[j] is None:
            self.columns[j] = _raw_text(self.raw[j])
        return self.columns[j]

    def text(self, j: int, rows: np.ndarray) -> pa.Array:
        """Column j's cells at data rows ``rows`` (0 = spreadsheet row 3) as text."""
        taken = self._column(j).take(pa.array(rows, type=pa.int64()))
        return taken.combine_chunks() if isinstance(taken, pa.ChunkedArray) else taken

    def blank(self, j: int) -> np.ndarray:
        """`is_blank` of each of column j's cells."""
        raw = self.raw.get(j)
        if raw is not None and self.columns[j] is None:  # XLSX numbers and dates: judged as read
            return np.fromiter(map(is_blank, raw), dtype=bool, count=len(raw))
        return blank_cells(self._column(j))

    def raw_values(self, j: int, rows: np.ndarray) -> np.ndarray:
        if j in self.raw:
            return self.raw[j][rows]
        return self.text(j, rows).to_numpy(zero_copy_only=False)


def _raw_text(values: np.ndarray) -> pa.Array:
    """`cell_text` of XLSX cells that are not all text (text itself kept as it is)."""
    if len(values) and infer_dtype(values, skipna=False) == "floating":  # numbers: ids, collector ids
        f = values.astype(np.float64)
        null = np.isnan(f)
        whole = ~null & (np.abs(f) < 2.0**53) & (np.floor(f) == f)
        text = pc.cast(pa.array(np.where(whole, f, 0).astype(np.int64)), pa.string())  # str(int(v))
        other = ~whole & ~null
        if other.any():
            text = pc.replace_with_mask(
                text, pa.array(other), pa.array([cell_text(v) for v in values[other]], pa.string())
            )
        return pc.if_else(pa.array(null), pa.scalar(None, pa.string()), text) if null.any() else text
    return pa.array([v if type(v) is str else cell_text(v) for v in values], pa.string())


def read_export(path: Path) -> ExportCells:
    """Read a SurveyMonkey export (CSV or XLSX) into `ExportCells`; unreadable files raise.

    The same cells as `read_grid`, without a Python object per cell."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        rows, sheet, notes = read_grid(path)
        return _cells_from_rows(rows, sheet, notes)
    data, wide = to_utf8(path.read_bytes())
    if wide is not None:
        return _cells_from_rows(*read_grid(path))
    has_cr = b"\r" in data
    notes = {"format": "csv", "encoding": "utf-8-sig"}
    if has_cr and b"\n" not in data:
        notes["line_endings"] = "CR only"
    start = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    # Arrow ends lines at CR, LF or CRLF, as csv.reader does once read_grid has normalised
    # them; a CR inside a (quoted) value is the one difference: then normalise first. Arrow
    # checks every value is UTF-8 (so the file is), and drops a leading BOM (so a second
    # BOM, text after utf-8-sig, goes to csv.reader).
    arrow_ok = not data.startswith(codecs.BOM_UTF8, start)
    columns = arrow_columns(data, start) if arrow_ok else None
    if columns is not None and has_cr and any(_holds_byte(c, 13) for c in columns):
        columns = None
    if columns is None:
        try:
            data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text, encoding = decode_csv_bytes(data)
            notes.update(encoding=encoding, encoding_fallback=f"not valid UTF-8: read as {encoding}")
            data, start = text.encode("utf-8"), 0
            del text
        if has_cr:
            data, start = data[start:].replace(b"\r\n", b"\n").replace(b"\r", b"\n"), 0
        if arrow_ok and (has_cr or notes["encoding"] != "utf-8-sig"):
            columns = arrow_columns(data, start)
    if columns is not None:
        records = len(columns[0])
        h1 = [c[0].as_py() for c in columns]
        h2 = [c[1].as_py() for c in columns] if records > 1 else [None] * len(columns)
        return ExportCells(h1, h2, [c.slice(2) for c in columns], {}, records, CSV_SHEET, notes)
    rows = list(csv.reader(io.StringIO(data[start:].decode("utf-8"), newline="")))
    return _cells_from_rows(rows, CSV_SHEET, notes)


def _holds_byte(column: pa.Array | pa.ChunkedArray, byte: int) -> bool:
    """Whether any value of a text column may contain ``byte`` (scans its data buffers)."""
    for chunk in column.chunks if isinstance(column, pa.ChunkedArray) else [column]:
        data = chunk.buffers()[2]
        if data is not None and (np.frombuffer(data, dtype=np.uint8) == byte).any():
            return True
    return False


def _cells_from_rows(rows: list[list], sheet: str, notes: dict) -> ExportCells:
    width = max((len(r) for r in rows), default=0)
    h1 = [rows[0][j] if j < len(rows[0]) else None for j in range(width)] if rows else []
    h2 = [rows[1][j] if j < len(rows[1]) else None for j in range(width)] if len(rows) > 1 else [None] * width
    body = rows[2:]
    if any(len(r) != width for r in body):
        body = [list(r) + [None] * (width - len(r)) for r in body]
    grid = np.empty((len(body), width), dtype=object)
    for i, r in enumerate(body):
        grid[i] = r
    del body
    columns: list[pa.Array | None] = []
    raw: dict[int, np.ndarray] = {}
    for j in range(width):
        col = np.ascontiguousarray(grid[:, j])
        if len(col) and infer_dtype(col, skipna=False) == "string":  # all text
            columns.append(pa.array(col, pa.string()))
        else:
            columns.append(None)
            raw[j] = col
    return ExportCells(h1, h2, columns, raw, len(rows), sheet, notes)


def blank_cells(column: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """`is_blank` of every cell of a text column, from the Arrow buffers: a null or empty cell is
    blank, one that starts with a printable ASCII character other than a space is not; the
    rest are judged by `is_blank` once per distinct value."""
    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    if not chunks:
        return np.zeros(0, dtype=bool)
    empty, sure = (np.concatenate(parts) for parts in zip(*(_first_character(c) for c in chunks)))
    blank = empty.copy()
    unsure = np.flatnonzero(~empty & ~sure)
    if len(unsure):
        taken = column.take(pa.array(unsure))
        enc = (taken.combine_chunks() if isinstance(taken, pa.ChunkedArray) else taken).dictionary_encode()
        judged = np.array([is_blank(v) for v in enc.dictionary.to_pylist()], dtype=bool)
        blank[unsure] = judged[enc.indices.to_numpy(zero_copy_only=False)]
    return blank


def _first_character(column: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(null or empty, starts with a printable ASCII character other than a space) per cell."""
    n = len(column)
    if n == 0:
        return np.zeros(0, dtype=bool), np.zeros(0, dtype=bool)
    assert column.type == pa.string()
    buffers = column.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int32)[column.offset : column.offset + n + 1]
    data = (
        np.frombuffer(buffers[2], dtype=np.uint8)
        if buffers[2] is not None and buffers[2].size
        else np.zeros(1, np.uint8)
    )
    first = data[np.minimum(offsets[:-1], len(data) - 1)]
    empty = offsets[1:] == offsets[:-1]
    if column.null_count:
        empty |= ~column.is_valid().to_numpy(zero_copy_only=False)
    return empty, ~empty & (first > 0x20) & (first < 0x7F)
