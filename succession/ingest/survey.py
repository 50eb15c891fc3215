"""Ingest SurveyMonkey exports: ``raw/survey/<wave>/{instrument.yaml, *.csv, *.xlsx}``.

An export is read column by column (CSV: BOM stripped, any line endings, UTF-8 with a
documented Windows-1252 / Latin-1 fallback; XLSX: the first sheet, via python-calamine),
its two header rows are matched to the wave's instrument (`contracts/survey.md`), and
each non-blank answer cell becomes one row of ``answers`` (respondent pseudonym,
question, matrix item, option code). Respondent ids become keyed pseudonyms
(`succession.ingest.pseudonym`); IP address, e-mail, names and custom data are never
copied; free text is reduced to its length, a hash and the themes its keywords match.

A national wave has ~100,000 respondents and ~2 million answer cells, so the work is
done per column and per distinct value, never per cell in Python: CSVs are parsed by
Arrow's C++ reader (falling back to Python's ``csv`` module, the reference, for anything
it does not read exactly alike: ragged rows, blank lines, one column, huge fields),
labels are matched to option codes once per distinct label, and the ``answers`` table is
built from index arrays as Arrow-backed text columns (`contracts/survey.py`).
"""
from __future__ import annotations

import codecs
import csv
import ctypes
import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import yaml
from pandas.api.types import infer_dtype
from python_calamine import CalamineWorkbook

from contracts import survey as C
from succession.ingest import lineage as L
from succession.ingest.cells import EARLIEST_DATE, LATEST_DATE, Unreadable, header_key, is_blank, normalise_text
from succession.ingest.csv_columns import arrow_columns
from succession.ingest.framework import FileRead, empty_frame, WaveFolderSource
from succession.ingest.frames import duplicate_header
from succession.ingest.guards import EncodingProblem, safe_load_yaml, to_utf8  # noqa: F401 - EncodingProblem: re-exported
from succession.ingest.problems import Problem, column_letter
from succession.ingest.pseudonym import PSEUDONYM_HEX_DIGITS, NoPseudonymKey, key_for_file
from succession.reference import las_in_region, local_authorities

CSV_SHEET = "responses"
_MAX_ROWS_NAMED = 12


def _slug(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", normalise_text(label).casefold()).strip("_") or "blank"


def _key(value: object) -> str:
    """How labels and question texts are matched: curly quotes, dashes, spaces and case folded."""
    return header_key(value)


def _rows_text(rows: list[int]) -> str:
    shown = ", ".join(map(str, rows[:_MAX_ROWS_NAMED]))
    return f"row {shown}" if len(rows) == 1 else f"rows {shown}" + (f" and {len(rows) - _MAX_ROWS_NAMED} more" if len(rows) > _MAX_ROWS_NAMED else "")


# --- the instrument -------------------------------------------------------------------------

@dataclass
class Question:
    id: str
    text: str
    type: str
    order: int
    likert: bool = False
    options: list[tuple[str, str]] = field(default_factory=list)  # (code, label) in order
    items: list[tuple[str, str]] = field(default_factory=list)  # matrix rows
    other: bool = False
    themes: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)  # (theme path, keywords)

    def option_by_label(self) -> dict[str, str]:
        out = {_key(label): code for code, label in self.options}
        out.update({_key(code): code for code, _ in self.options})
        return out


@dataclass
class Instrument:
    wave: str
    title: str | None
    region_code: str | None
    fieldwork_start: object
    fieldwork_end: object
    questions: list[Question]

    def by_text(self) -> dict[str, Question]:
        return {_key(q.text): q for q in self.questions}


def _pairs(entries, what: str, qid: str) -> list[tuple[str, str]]:
    out = []
    for e in entries or []:
        if isinstance(e, dict):
            label = str(e.get("label", e.get("code")))
            out.append((str(e.get("code", _slug(label))), label))
        else:
            out.append((_slug(str(e)), str(e)))
    codes = [c for c, _ in out]
    if len(set(codes)) != len(codes):
        raise ValueError(f"question {qid}: {what} codes repeat: {codes}")
    return out


def load_instrument(path: Path) -> Instrument:
    """Parse ``instrument.yaml``; a malformed instrument raises ValueError with the reason.

    Read once per export of the wave: parsed once per distinct content (treat as read-only)."""
    return _parse_instrument(Path(path).read_text(encoding="utf-8-sig"))


@lru_cache(maxsize=32)
def _parse_instrument(text: str) -> Instrument:
    doc = safe_load_yaml(text, C.INSTRUMENT_FILE)
    if not isinstance(doc, dict) or not isinstance(doc.get("questions"), list):
        raise ValueError("instrument.yaml must be a mapping with a 'questions' list")
    fieldwork = doc.get("fieldwork") or {}
    questions = []
    seen: set[str] = set()
    for i, q in enumerate(doc["questions"], start=1):
        if not isinstance(q, dict) or "id" not in q or "text" not in q:
            raise ValueError(f"question {i} needs an id and its text")
        qid, qtype = str(q["id"]), str(q.get("type", "single"))
        if qid in seen:
            raise ValueError(f"question id {qid} appears twice")
        seen.add(qid)
        if qtype not in C.QUESTION_TYPES:
            raise ValueError(f"question {qid}: type {qtype!r} is not one of {', '.join(C.QUESTION_TYPES)}")
        options = _pairs(q.get("options"), "option", qid)
        if qtype in C.OPTION_TYPES and not options:
            raise ValueError(f"question {qid}: a {qtype} question needs its options")
        themes = [(str(t["theme"]), tuple(str(k).casefold() for k in t.get("keywords", []))) for t in q.get("themes") or []]
        questions.append(Question(qid, normalise_text(q["text"]), qtype, i, bool(q.get("likert", False)), options,
                                  _pairs(q.get("items"), "item", qid), bool(q.get("other", False)), themes))
    return Instrument(str(doc.get("wave", "")), doc.get("title"), doc.get("region_code"),
                      fieldwork.get("start"), fieldwork.get("end"), questions)


def _la_options(region_code: str | None) -> list[tuple[str, str]]:
    las = las_in_region(region_code) if region_code else sorted(local_authorities().values(), key=lambda la: la.la_name)
    return [(la.old_la_code, la.la_name) for la in las]


# --- reading cells ----------------------------------------------------------------------------

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


def _cell_text(value: object) -> str | None:
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value)


# --- reading an export column by column ---------------------------------------------------------

@dataclass
class ExportCells:
    """An export's cells: the two header rows as read, then each column from row 3 down.

    `text` gives a column's cells as text (Arrow strings, null where a cell holds nothing at
    all): CSV cells verbatim, XLSX cells as `_cell_text` gives them except that text is kept as
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
    """`_cell_text` of XLSX cells that are not all text (text itself kept as it is)."""
    if len(values) and infer_dtype(values, skipna=False) == "floating":  # numbers: ids, collector ids
        f = values.astype(np.float64)
        null = np.isnan(f)
        whole = ~null & (np.abs(f) < 2.0 ** 53) & (np.floor(f) == f)
        text = pc.cast(pa.array(np.where(whole, f, 0).astype(np.int64)), pa.string())  # str(int(v))
        other = ~whole & ~null
        if other.any():
            text = pc.replace_with_mask(text, pa.array(other), pa.array([_cell_text(v) for v in values[other]], pa.string()))
        return pc.if_else(pa.array(null), pa.scalar(None, pa.string()), text) if null.any() else text
    return pa.array([v if type(v) is str else _cell_text(v) for v in values], pa.string())


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
    offsets = np.frombuffer(buffers[1], dtype=np.int32)[column.offset: column.offset + n + 1]
    data = np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None and buffers[2].size else np.zeros(1, np.uint8)
    first = data[np.minimum(offsets[:-1], len(data) - 1)]
    empty = offsets[1:] == offsets[:-1]
    if column.null_count:
        empty |= ~column.is_valid().to_numpy(zero_copy_only=False)
    return empty, ~empty & (first > 0x20) & (first < 0x7F)


def _distinct(values: pa.Array) -> tuple[list, np.ndarray]:
    """Distinct values (as Python objects) and each cell's index into them."""
    enc = values.dictionary_encode()
    return enc.dictionary.to_pylist(), enc.indices.to_numpy(zero_copy_only=False)


def pseudonymise_ids(ids: list[str], key: bytes) -> list[str]:
    """``pseudonymise(v, key)`` of each id, 2-3x faster: the same HMAC-SHA256 (RFC 2104) with
    the keyed inner and outer hash states computed once rather than once per id."""
    block = hashlib.sha256().block_size
    k = (hashlib.sha256(key).digest() if len(key) > block else key).ljust(block, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in k))
    inner.update(b"respondent:")
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in k))
    out = []
    for v in ids:
        h = inner.copy()
        h.update(str(v).strip().encode("utf-8"))
        o = outer.copy()
        o.update(h.digest())
        out.append(o.hexdigest()[:PSEUDONYM_HEX_DIGITS])
    return out


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
        cell_dates = np.fromiter((type(v) is dt.datetime and v.tzinfo is None and lo <= v.year <= hi for v in values),
                                 dtype=bool, count=len(values)) & ~done
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

            month, day, year, hour, minute, second = part(0, 2), part(3, 5), part(6, 10), part(11, 13), part(14, 16), part(17, 19)
            pm = pc.equal(pc.utf8_slice_codeunits(sub, 20, 22), "PM").to_numpy(zero_copy_only=False)
            ok = ((month >= 1) & (month <= 12) & (day >= 1) & (hour >= 1) & (hour <= 12) & (minute <= 59) & (second <= 59)
                  & (year >= _NS_YEARS[0]) & (year <= _NS_YEARS[1]))
            ym = ((year - 1970) * 12 + np.clip(month, 1, 12) - 1).astype("datetime64[M]")
            first_day = ym.astype("datetime64[D]")
            ok &= day <= ((ym + 1).astype("datetime64[D]") - first_day).astype(np.int64)
            hour24 = np.where(hour == 12, 0, hour) + np.where(pm, 12, 0)
            value = (first_day.astype("datetime64[ns]") + (day - 1).astype("timedelta64[D]") + hour24.astype("timedelta64[h]")
                     + minute.astype("timedelta64[m]") + second.astype("timedelta64[s]"))
            out[idx[ok]] = value[ok]
            done[idx[ok]] = True
    rest = np.flatnonzero(~done)
    if not len(rest):
        return out
    parsed = [parse_timestamp(v) for v in cells.raw_values(j, take[rest])]
    lo, hi = pd.Timestamp(f"{_NS_YEARS[0]}-01-01"), pd.Timestamp(f"{_NS_YEARS[1]}-12-31")
    if all(v is None or (isinstance(v, pd.Timestamp) and v.tzinfo is None and lo <= v <= hi) for v in parsed):
        out[rest] = np.array([np.datetime64("NaT") if v is None else v.as_unit("ns").to_datetime64() for v in parsed], dtype="datetime64[ns]")
        return out
    objects = np.array([None if pd.isna(v) else pd.Timestamp(v) for v in out], dtype=object)
    objects[rest] = np.array(parsed + [None], dtype=object)[:-1]
    return objects


def _text(values: pa.Array | pa.ChunkedArray) -> pd.arrays.ArrowExtensionArray:
    return pd.arrays.ArrowExtensionArray(values)


def _coded(vocabulary: list, index: np.ndarray | None = None, index_type: pa.DataType = pa.int32(),
           repeat: np.ndarray | None = None) -> pd.arrays.ArrowExtensionArray:
    """Dictionary-encoded text (`contracts.survey.ARROW_CODES`): ``vocabulary[index]``, null
    where the index is -1 or the entry None; each distinct value is stored once. With
    ``repeat`` instead of ``index``: entry i repeated ``repeat[i]`` times."""
    enc = pa.array(vocabulary, pa.string()).dictionary_encode()
    remap = np.append(enc.indices.fill_null(-1).to_numpy(zero_copy_only=False), -1).astype(index_type.to_pandas_dtype())
    if repeat is not None:
        codes = np.repeat(remap[:-1], repeat)
    elif len(remap) - 1 == len(enc.dictionary) and not enc.indices.null_count and (remap[:-1] == np.arange(len(remap) - 1)).all() \
            and index.min(initial=0) >= 0:
        codes = index.astype(remap.dtype, copy=False)  # distinct vocabulary, every index valid: as it is
    else:
        codes = remap[index]
    null = codes < 0
    indices = pa.array(codes, mask=null) if null.any() else pa.array(codes)
    return pd.arrays.ArrowExtensionArray(pa.DictionaryArray.from_arrays(indices, enc.dictionary))


def _compact_lineage(df: pd.DataFrame, rel: str, sha256: str, sheet: str) -> None:
    """The per-file lineage constants `lineage.stamp` set, dictionary-encoded (one byte a row)
    rather than an object pointer per row, which pandas copies and checks cell by cell."""
    for name, value in ((L.SOURCE_FILE, rel), (L.FILE_SHA256, sha256), (L.SHEET, sheet)):
        df[name] = _coded([value], np.zeros(len(df), dtype=np.int64), pa.int8())


class _AnswerColumns:
    """The long ``answers`` table gathered export column by export column as index arrays
    (which rows answered, which code, which distinct text), built in one go by `frame`."""

    def __init__(self) -> None:
        self.at: list[np.ndarray] = []  # per export column: its answers' positions among the kept rows
        self.letter: list[str] = []
        self.question: list[str] = []
        self.item: list[str | None] = []
        self.kind: list[str] = []
        self.option: list[np.ndarray] = []  # per export column: each answer's index into `codes` (-1: none)
        self.codes: dict[str, int] = {}
        self.text: list[np.ndarray] = []  # per export column: each answer's index into the distinct texts (-1: none)
        self.chars: list[int] = []  # per distinct text (of a column)
        self.sha: list[str] = []
        self.themes: list[str | None] = []

    def _add(self, at: np.ndarray, letter: str, q: Question, item: str | None, kind: str, option: np.ndarray, text: np.ndarray) -> None:
        self.at.append(at)
        self.letter.append(letter)
        self.question.append(q.id)
        self.item.append(item)
        self.kind.append(kind)
        self.option.append(option)
        self.text.append(text)

    def add_codes(self, at: np.ndarray, letter: str, q: Question, codes: list, index: np.ndarray | None = None, item: str | None = None) -> None:
        """Option answers: the cell at ``at[i]`` has code ``codes[index[i]]`` (one code for all without index)."""
        vocab = np.array([-1 if c is None else self.codes.setdefault(c, len(self.codes)) for c in codes], dtype=np.int32)
        option = np.full(len(at), vocab[0], dtype=np.int32) if index is None else vocab[index]
        self._add(at, letter, q, item, "option", option, np.full(len(at), -1, dtype=np.int32))

    def add_text(self, at: np.ndarray, letter: str, q: Question, values: list, index: np.ndarray, open_: bool) -> None:
        """Free text (an open question, or an Other column): length, hash and themes, never the text."""
        base = len(self.chars)
        for v in values:
            t = normalise_text(_cell_text(v))
            self.chars.append(len(t))
            self.sha.append(hashlib.sha256(t.encode("utf-8")).hexdigest())
            if open_:
                folded = t.casefold()
                self.themes.append("|".join(th for th, kws in q.themes if any(k in folded for k in kws)) or None)
            else:
                self.themes.append(None)
        other = -1 if open_ else self.codes.setdefault("other", len(self.codes))
        self._add(at, letter, q, None, "open" if open_ else "other", np.full(len(at), other, dtype=np.int32),
                  (base + index).astype(np.int32))

    def frame(self, wave: str, resp_key: list[str], row_number: np.ndarray) -> pd.DataFrame:
        if not self.at:
            return pd.DataFrame(columns=[*C.ANSWERS_SCHEMA.columns, L.ROW, L.CELL])
        sizes = np.array([len(a) for a in self.at])
        at = np.concatenate(self.at).astype(np.int32)
        text = np.concatenate(self.text)
        has_text = text >= 0
        chars = np.asarray(self.chars, dtype=np.int64)[np.where(has_text, text, 0)] if self.chars else np.zeros(len(at), np.int64)
        rows = row_number[at]
        return pd.DataFrame({
            "wave": _coded([wave] * len(self.at), repeat=sizes),
            "respondent_key": _coded(resp_key, at),
            "question_id": _coded(self.question, repeat=sizes),
            "item_code": _coded(self.item, repeat=sizes),
            "answer_kind": _coded(self.kind, repeat=sizes),
            "option_code": _coded(list(self.codes), np.concatenate(self.option)),
            "themes": _coded(self.themes, text),
            "text_chars": pd.arrays.ArrowExtensionArray(pa.array(chars, mask=~has_text)),
            "text_sha256": _coded(self.sha, text),
            L.ROW: pd.arrays.ArrowExtensionArray(pa.array(rows)),
            L.CELL: _text(pc.binary_join_element_wise(  # column letter + row number, e.g. J5
                pa.array(self.letter, pa.string()).take(pa.array(np.repeat(np.arange(len(sizes), dtype=np.int32), sizes))),
                pc.cast(pa.array(row_number), pa.string()).take(pa.array(at)), "")),
        })

def _give_back_memory() -> None:
    """Return the memory an export's reading freed to the OS before the batch is validated and
    written: Arrow's allocator keeps freed blocks, and glibc keeps the heap holes left by the
    millions of small cells python-calamine and pandas allocate (~100 MiB each at national scale)."""
    pa.default_memory_pool().release_unused()
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def _load_libc():
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim  # glibc only
        return libc
    except (OSError, AttributeError):
        return None


_LIBC = _load_libc()


# --- the source -------------------------------------------------------------------------------

class SurveySource(WaveFolderSource):
    name = C.SOURCE
    partition_kind = "wave"
    schemas = C.SCHEMAS
    wave_pattern = C.WAVE_RE

    # -- reading -------------------------------------------------------------------------------
    def read_wave_file(self, read: FileRead, path: Path, wave: str) -> FileRead:
        rel = read.rel
        if path.name == C.INSTRUMENT_FILE:
            try:
                instrument = load_instrument(path)
            except (ValueError, yaml.YAMLError, KeyError, TypeError) as exc:
                read.problems.append(Problem(rel, "instrument", f"instrument is not valid: {exc}"))
                return read
            self._read_instrument(read, instrument, wave)
            return read
        if path.suffix.lower() not in C.EXPORT_SUFFIXES:
            read.problems.append(Problem(rel, "unexpected_file", f"not a SurveyMonkey export (.csv or .xlsx) nor {C.INSTRUMENT_FILE}"))
            return read
        instrument_path = path.parent / C.INSTRUMENT_FILE
        if not instrument_path.exists():
            read.problems.append(Problem(rel, "instrument", f"the wave folder has no {C.INSTRUMENT_FILE} to read this export with"))
            return read
        try:
            instrument = load_instrument(instrument_path)
        except (ValueError, yaml.YAMLError, KeyError, TypeError) as exc:
            read.problems.append(Problem(rel, "instrument", f"cannot be read because {C.INSTRUMENT_FILE} is not valid: {exc}"))
            return read
        if path.stat().st_size == 0:
            read.problems.append(Problem(rel, "empty_file", "the file is empty"))
            return read
        try:
            cells = read_export(path)
        except EncodingProblem as exc:
            read.problems.append(Problem(rel, "encoding", f"the export {exc}"))
            return read
        except Exception as exc:  # noqa: BLE001 - a corrupt workbook or CSV is a problem, not a crash
            read.problems.append(Problem(rel, "unreadable", f"not a readable SurveyMonkey export ({type(exc).__name__}: {exc})"))
            return read
        read.meta.update(cells.notes)
        self._read_export(read, cells, instrument, wave)
        del cells
        _give_back_memory()
        return read

    def _read_instrument(self, read: FileRead, ins: Instrument, wave: str) -> None:
        sheet = "instrument"
        read.tables["waves"] = L.stamp(pd.DataFrame([{
            "wave": ins.wave, "title": ins.title, "region_code": ins.region_code,
            "fieldwork_start": pd.Timestamp(ins.fieldwork_start) if ins.fieldwork_start else None,
            "fieldwork_end": pd.Timestamp(ins.fieldwork_end) if ins.fieldwork_end else None,
            L.ROW: pd.NA, L.CELL: "wave",
        }]), source_file=read.rel, sha256=read.sha256, sheet=sheet)
        qrows, orows = [], []
        for q in ins.questions:
            qrows.append({"wave": wave, "question_id": q.id, "question_order": q.order, "question_text": q.text,
                          "question_type": q.type, "is_likert": q.likert, L.ROW: q.order, L.CELL: f"questions[{q.order}]"})
            options = list(q.options)
            if q.type == "la":
                options = _la_options(ins.region_code)
            if q.other and all(c != "other" for c, _ in options):
                options.append(("other", "Other"))
            if q.type == "open":
                options = [(t, t) for t, _ in q.themes]
            items = q.items if q.type == "matrix" else [(None, None)]
            for ii, (icode, ilabel) in enumerate(items, start=1):
                for oi, (code, label) in enumerate(options, start=1):
                    orows.append({"wave": wave, "question_id": q.id, "item_code": icode, "item_label": ilabel,
                                  "item_order": ii if icode else None, "option_code": code, "option_label": label,
                                  "option_order": oi,
                                  "likert_score": float(oi) if q.likert and code != "other" else None,
                                  L.ROW: q.order, L.CELL: f"questions[{q.order}].{icode + '.' if icode else ''}{code}"})
        read.tables["questions"] = L.stamp(pd.DataFrame(qrows), source_file=read.rel, sha256=read.sha256, sheet=sheet)
        read.tables["options"] = L.stamp(pd.DataFrame(orows, columns=[*C.OPTIONS_SCHEMA.columns, L.ROW, L.CELL]),
                                         source_file=read.rel, sha256=read.sha256, sheet=sheet)
        read.meta.update(instrument_wave=ins.wave, questions=len(ins.questions))

    def _read_export(self, read: FileRead, cells: ExportCells, ins: Instrument, wave: str) -> None:
        rel, sheet = read.rel, cells.sheet
        width = cells.width
        if cells.records < 2 or width == 0:
            read.problems.append(Problem(rel, "header_rows", "an export needs two header rows (question text, then Response / option labels)", sheet=sheet))
            return
        h1, h2 = cells.h1, cells.h2
        # the leading block
        leading: dict[str, int] = {}
        j = 0
        while j < width and not is_blank(h1[j]) and _key(h1[j]).replace(" ", "") in C.LEADING:
            name = C.LEADING[_key(h1[j]).replace(" ", "")]
            if name in leading:
                read.problems.append(duplicate_header(read, sheet, normalise_text(h1[j]), leading[name], j))
            leading.setdefault(name, j)
            j += 1
        first_question = j
        if "respondent_id" not in leading:
            read.problems.append(Problem(rel, "missing_column", "column 'Respondent ID' is missing: the first header cell must be Respondent ID (or RespondentID)",
                                         sheet=sheet, row=1, column="Respondent ID", cell="A1"))
            return
        rid = leading["respondent_id"]
        if not is_blank(h2[rid]) or all(is_blank(v) for v in h2[first_question:]):
            read.problems.append(Problem(rel, "header_rows", "only one header row: row 2 must hold Response / Open-Ended Response / option labels "
                                         "under each question and be blank under Respondent ID (SurveyMonkey expanded export)",
                                         sheet=sheet, row=2, cell=f"{column_letter(rid)}2"))
            return

        # blank cells, then the rows that are not wholly blank (spreadsheet rows start at 3)
        blank_all = np.stack([cells.blank(j) for j in range(width)])
        kept = np.flatnonzero(~blank_all.all(axis=0))
        if not len(kept):
            read.problems.append(Problem(rel, "no_responses", "the export holds no responses", sheet=sheet))
            return
        blank = blank_all[:, kept]
        del blank_all
        row_number = kept + 3
        missing_id = row_number[blank[rid]].tolist()
        if missing_id:
            read.problems.append(Problem(rel, "required", f"Respondent ID is blank on {_rows_text(missing_id)}", sheet=sheet, column="Respondent ID",
                                         row=missing_id[0], cell=f"{column_letter(rid)}{missing_id[0]}"))
            return
        try:
            key = key_for_file(read.sha256)
        except NoPseudonymKey as exc:
            read.problems.append(Problem(rel, "pseudonym_key", f"respondent ids cannot be pseudonymised: {exc}", sheet=sheet))
            return
        resp_key = pseudonymise_ids(cells.text(rid, kept).to_pylist(), key)

        # group question columns: row 1 starts a question, blank row 1 continues it
        groups: list[tuple[int, list[int]]] = []
        for j in range(first_question, width):
            if is_blank(h1[j]) and is_blank(h2[j]) and blank[j].all():
                continue  # trailing or padding column
            if not is_blank(h1[j]) or not groups:
                groups.append((j, [j]))
            else:
                groups[-1][1].append(j)

        self._duplicate_headers(read, sheet, h1, h2, groups)
        by_text = ins.by_text()
        gathered = _AnswerColumns()
        answered: dict[str, np.ndarray] = {}
        la_codes = {la.old_la_code: la.old_la_code for la in local_authorities().values()}
        la_codes.update({_key(la.la_name): la.old_la_code for la in local_authorities().values()})
        for start, cols in groups:
            text = h1[start]
            q = by_text.get(_key(text)) if not is_blank(text) else None
            if q is None:
                rows_with = row_number[~blank[cols].all(axis=0)].tolist()
                letters = f"{column_letter(cols[0])}" + (f"-{column_letter(cols[-1])}" if len(cols) > 1 else "")
                where = f"answers on {_rows_text(rows_with)}" if rows_with else "no answers"
                read.problems.append(Problem(rel, "unknown_question",
                                             f"column {letters} question {normalise_text(text or '(blank)')[:80]!r} is not in {C.INSTRUMENT_FILE} ({where})",
                                             sheet=sheet, row=1, column=normalise_text(text or "")[:80], cell=f"{column_letter(start)}1"))
                continue
            if q.type == "personal":
                continue  # contact details: never read
            options = q.option_by_label()
            if q.type == "la":
                options = la_codes
            items = {_key(label): code for code, label in q.items} | {_key(code): code for code, _ in q.items}
            for j in cols:
                sub = _key(h2[j]) if not is_blank(h2[j]) else C.SUBHEADER_RESPONSE
                mask = ~blank[j]
                if not mask.any():
                    continue
                at = np.flatnonzero(mask)
                letter = column_letter(j)
                is_other_col = sub in C.SUBHEADER_OTHER and sub not in options and not (q.type == "matrix" and sub in items)
                if q.type == "open" or is_other_col:
                    values, index = _distinct(cells.text(j, kept[at]))
                    gathered.add_text(at, letter, q, values, index, open_=q.type == "open")
                elif q.type == "matrix":
                    item = items.get(sub)
                    if item is None:
                        read.problems.append(Problem(rel, "unknown_item", f"column {letter} ({normalise_text(h2[j])!r}) is not an item of matrix question {q.id}",
                                                     sheet=sheet, row=2, column=normalise_text(h2[j]), cell=f"{letter}2"))
                        continue
                    gathered.add_codes(at, letter, q, *self._codes(read, cells, j, kept[at], row_number[at], options, q, letter, sheet), item=item)
                elif sub == C.SUBHEADER_RESPONSE or q.type == "la":
                    # the cell holds the option label (or code)
                    gathered.add_codes(at, letter, q, *self._codes(read, cells, j, kept[at], row_number[at], options, q, letter, sheet))
                else:
                    code = options.get(sub)
                    if code is None:
                        read.problems.append(Problem(rel, "unknown_option", f"column {letter} option {normalise_text(h2[j])!r} is not an option of question {q.id}",
                                                     sheet=sheet, row=2, column=normalise_text(h2[j]), cell=f"{letter}2"))
                        continue
                    gathered.add_codes(at, letter, q, [code])
                answered[q.id] = answered[q.id] | mask if q.id in answered else mask

        answers = gathered.frame(wave, resp_key, row_number)
        n = len(answers)
        read.tables["answers"] = L.stamp(answers, source_file=rel, sha256=read.sha256, sheet=sheet)
        if n:
            _compact_lineage(answers, rel, read.sha256, sheet)
        read.column_letters["answers"] = {}

        def col(name: str) -> pd.arrays.ArrowExtensionArray:
            if name not in leading:
                return _text(pa.nulls(len(kept), pa.string()))
            return _text(pc.if_else(pa.array(blank[leading[name]]), pa.scalar(None, pa.string()), cells.text(leading[name], kept)))

        def when(name: str) -> np.ndarray | None:
            return timestamps(cells, leading[name], kept, blank[leading[name]]) if name in leading else None

        respondents = pd.DataFrame({
            "wave": _text(pa.array([wave] * len(kept), pa.string())), "respondent_key": _text(pa.array(resp_key, pa.string())),
            "collector_id": col("collector_id"), "started_at": when("start_date"), "ended_at": when("end_date"),
            "questions_answered": np.sum(list(answered.values()), axis=0).astype(int) if answered else 0,
            L.ROW: row_number,
        })
        read.tables["respondents"] = L.stamp(respondents, source_file=rel, sha256=read.sha256, sheet=sheet)
        _compact_lineage(respondents, rel, read.sha256, sheet)
        respondents[L.CELL] = _text(pa.nulls(len(respondents), pa.string()))  # a respondent is a row, not a cell
        read.column_letters["respondents"] = {
            out: column_letter(leading[src]) for out, src in
            (("collector_id", "collector_id"), ("started_at", "start_date"), ("ended_at", "end_date"), ("respondent_key", "respondent_id"))
            if src in leading
        }
        read.meta.update(respondents=len(respondents), answers=n)

    @staticmethod
    def _duplicate_headers(read: FileRead, sheet: str, h1: list, h2: list, groups: list[tuple[int, list[int]]]) -> None:
        """A question heading two column groups, or a sub-heading twice under one question:
        which column holds the answers is not for the reader to guess."""
        first: dict[str, int] = {}
        for start, cols in groups:
            if is_blank(h1[start]):
                continue
            key = _key(h1[start])
            if key in first:
                read.problems.append(duplicate_header(read, sheet, normalise_text(h1[start])[:80], first[key], start))
            first.setdefault(key, start)
            subs: dict[str, int] = {}
            for j in cols:
                if is_blank(h2[j]):
                    continue
                sub = _key(h2[j])
                if sub in subs:
                    read.problems.append(duplicate_header(read, sheet, normalise_text(h2[j])[:80], subs[sub], j, row=2))
                subs.setdefault(sub, j)

    def _codes(self, read: FileRead, cells: ExportCells, j: int, at: np.ndarray, rows: np.ndarray,
               options: dict[str, str], q: Question, letter: str, sheet: str) -> tuple[list, np.ndarray]:
        """Answer labels to option codes, once per distinct label: (codes, each cell's index into
        them; None for an unknown answer). Unknown answers are problems naming the column and rows."""
        values, index = _distinct(cells.text(j, at))
        keys = [_key(v) for v in values]  # cells are text already (`_cell_text`)
        codes = [options.get(k) for k in keys]
        unknown: dict[str, list[int]] = {}
        for i, (k, code) in enumerate(zip(keys, codes)):
            if code is None:
                unknown.setdefault(k, []).append(i)
        for k, which in unknown.items():
            where = np.flatnonzero(np.isin(index, which))
            bad = rows[where].tolist()
            shown = normalise_text(values[index[where[0]]])
            what = "a DfE LA code or name" if q.type == "la" else f"an option of question {q.id} ({', '.join(l for _, l in q.options)})"
            read.problems.append(Problem(read.rel, "unknown_option",
                                         f"column {letter}: answer {shown!r} on {_rows_text(bad)} is not {what}",
                                         sheet=sheet, row=bad[0], column=q.id, cell=f"{letter}{bad[0]}"))
        return codes, index

    # -- rules spanning one file -----------------------------------------------------------
    def batch_checks(self, reads: list[FileRead], partition: str, validated: dict[str, pd.DataFrame]) -> list[Problem]:
        """The rules spanning one file's tables, run once over the validated rows of all clean files."""
        problems: list[Problem] = []
        waves = validated.get("waves")
        if waves is not None and len(waves):
            from succession.reference import regions
            known = regions()
            for _, w in waves.drop_duplicates(L.SOURCE_FILE).iterrows():  # an instrument is one row
                if w["wave"] != partition:
                    problems.append(Problem(w[L.SOURCE_FILE], "wave_mismatch", f"instrument wave {w['wave']} disagrees with its folder ({partition})", sheet="instrument"))
                if isinstance(w["region_code"], str) and w["region_code"] not in known:
                    problems.append(Problem(w[L.SOURCE_FILE], "unknown_region", f"region code {w['region_code']} is not an ONS region", sheet="instrument"))
        resp = validated.get("respondents")
        if resp is not None and len(resp):
            dup = resp[resp.duplicated([L.SOURCE_FILE, "respondent_key"], keep=False)]
            for rel, rows_of in dup.groupby(dup[L.SOURCE_FILE].astype(str), sort=False):  # not on the Arrow dictionary: pandas lists unseen files
                rows = sorted(int(r) for r in rows_of[L.ROW])
                problems.append(Problem(rel, "duplicate_respondent", f"the same Respondent ID appears on {_rows_text(rows)}",
                                        sheet=str(rows_of.iloc[0][L.SHEET]), row=rows[1], column="Respondent ID"))
        answers = validated.get("answers")
        if answers is not None and len(answers) and resp is not None:
            orphan = C.answers_without_respondent(answers, resp, by=L.SOURCE_FILE)
            if orphan.any():
                bad = answers[orphan]
                for rel, rows_of in bad.groupby(bad[L.SOURCE_FILE].astype(str), sort=False):
                    rows = sorted(set(int(r) for r in rows_of[L.ROW]))
                    first = rows_of.iloc[0]
                    problems.append(Problem(rel, "answer_respondent", f"answers on {_rows_text(rows)} name a respondent who is not among the export's respondents",
                                            sheet=str(first[L.SHEET]), row=rows[0], column="respondent_key", cell=str(first[L.CELL])))
        return problems

    def file_checks(self, read: FileRead, partition: str, validated: dict[str, pd.DataFrame]) -> list[Problem]:
        """`batch_checks` for one file (the framework calls `batch_checks` when a source has it)."""
        return self.batch_checks([read], partition, validated)

    def empty_tables(self) -> dict[str, pd.DataFrame]:
        return {name: empty_frame(schema) for name, schema in self.schemas.items()}


SOURCE = SurveySource()
