"""Ingest interview coding: ``raw/interviews/<wave>/{codebook.yaml, *.csv, *.xlsx, *.qdpx}``.

Coding sheets and REFI-QDA projects (`contracts/interviews.md`) become the same
``codings`` rows: interview, coder, section, segment, theme path. A theme path not in
the wave's codebook is a problem naming the row (or the QDA code). Excerpt text is
dropped here; only its length and SHA-256 are kept.

A national wave is ~85,000 codings, so nothing here works cell by cell in Python: a CSV is
parsed by Arrow (Python's ``csv`` module where they could differ), each column is cleaned,
checked and pseudonymised once per distinct value (`_Column`), and the text columns go to
the contract as Arrow strings (`contracts/interviews.py`).
"""

from __future__ import annotations

import codecs
import hashlib
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow
import yaml

from contracts import interviews as C
from succession.ingest import lineage as L
from succession.ingest.cells import header_key, is_blank, normalise_text
from succession.ingest.csv_columns import arrow_columns
from succession.ingest.frames import duplicate_header
from succession.ingest.framework import FileRead, WaveFolderSource, empty_frame
from succession.ingest.guards import EncodingProblem, LimitExceeded, read_member, safe_load_yaml, to_utf8, zip_problems
from succession.ingest.problems import Problem, column_letter, rows_text
from succession.ingest.pseudonym import NoPseudonymKey, key_for_file, pseudonymise
from succession.ingest.survey.export_cells import CSV_SHEET, decode_csv_bytes, read_grid

NS = {"q": C.QDA_NAMESPACE}
_SELECTION, _CODING, _CODE_REF = (f"{{{C.QDA_NAMESPACE}}}{tag}" for tag in ("PlainTextSelection", "Coding", "CodeRef"))


def _norm(text: str) -> str:
    """`normalise_text` of a str, with a shortcut for ASCII (NFC and the quote folding
    change nothing there; ``split``/``join`` is the same whitespace rule as ``\\s+``)."""
    return " ".join(text.split()) if text.isascii() else normalise_text(text)


def _text(value: object) -> str | None:
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _norm(str(value))


def _hash(text: str | None) -> str | None:
    return None if text is None else hashlib.sha256(text.encode("utf-8")).hexdigest()


# -- a sheet's columns, cleaned once per distinct value -------------------------------------
# A sheet repeats its interviews, coders, sections, segments and codes on every row (and the
# generated excerpts too): a column is held as its distinct values and one index per row,
# each cleaner runs once per distinct value, and the cleaned column is an Arrow take.

_STR_OR_NONE = {str, type(None)}
_MISSING = object()


def _distinct(values: Iterable) -> set | None:
    """The distinct cell values when they are all text or empty (so equal means the same
    value: no ``True == 1 == 1.0``), else None."""
    try:
        distinct = set(values)
    except TypeError:
        return None
    return distinct if set(map(type, distinct)) <= _STR_OR_NONE else None


def _by_value(values: Iterable, fn: Callable[[object], object]) -> list:
    """``[fn(v) for v in values]``, calling ``fn`` once per distinct value (of each type:
    spreadsheet cells mix text, numbers, booleans and dates, and ``True == 1 == 1.0``)."""
    memo, out = {}, []
    for v in values:
        try:
            key = (v.__class__, v)
            r = memo.get(key, _MISSING)
        except TypeError:  # unhashable: not from a sheet reader, but never wrong
            out.append(fn(v))
            continue
        if r is _MISSING:
            r = memo[key] = fn(v)
        out.append(r)
    return out


def _objects(values: list) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _texts(values) -> pd.arrays.ArrowExtensionArray:
    """A text column (str or None per row) as the contract holds it: Arrow strings."""
    if not isinstance(values, (pyarrow.Array, pyarrow.ChunkedArray)):
        values = pyarrow.array(values, type=pyarrow.string())
    return pd.arrays.ArrowExtensionArray(values)


def _constant(value: str | None, n: int) -> pd.arrays.ArrowExtensionArray:
    return pd.arrays.ArrowExtensionArray(pyarrow.repeat(pyarrow.scalar(value, pyarrow.string()), n))


class _Column:
    """One column of a coding sheet: its distinct values and, per row, the index of its value
    (text cells); or, when cells of other types occur (spreadsheet numbers, dates), the cells."""

    def __init__(self, cells: pyarrow.Array | np.ndarray):
        self.raw: np.ndarray | None = None
        self.values: list | None = None
        self.index: np.ndarray | None = None
        if isinstance(cells, np.ndarray):
            if _distinct(cells) is None:
                self.raw = cells
                return
            cells = pyarrow.array(cells, type=pyarrow.string())
        encoded = cells.dictionary_encode()
        self.values = encoded.dictionary.to_pylist()
        index = encoded.indices
        if index.null_count:
            self.values.append(None)
            index = index.fill_null(len(self.values) - 1)
        self.index = index.to_numpy(zero_copy_only=False)

    def take(self, rows: np.ndarray) -> _Column:
        out = object.__new__(_Column)
        out.raw = self.raw[rows] if self.raw is not None else None
        out.values = self.values
        out.index = self.index[rows] if self.index is not None else None
        return out

    def blank(self) -> np.ndarray | None:
        """Which rows are blank; None when none is (known from the distinct values alone)."""
        if self.raw is not None:
            return np.array(_by_value(self.raw, is_blank), dtype=bool)
        by_value = np.fromiter(map(is_blank, self.values), dtype=bool, count=len(self.values))
        return by_value[self.index] if by_value.any() else None

    def mapped(self, fn: Callable[[object], object]) -> tuple[list, np.ndarray]:
        """(``fn`` of each distinct value, each row's index into that list)."""
        if self.raw is not None:
            out = _by_value(self.raw, fn)
            return out, np.arange(len(out))
        return [fn(v) for v in self.values], self.index

    def text(self, fn: Callable[[object], object]) -> pyarrow.Array:
        """A cleaner returning text or None, as an Arrow column."""
        values, index = self.mapped(fn)
        return pyarrow.array(values, type=pyarrow.string()).take(index)


def _csv_columns(path: Path) -> tuple[list[pyarrow.Array], dict] | None:
    """A CSV coding sheet's columns (header row first), parsed by Arrow's C++ reader, with
    the notes `read_grid` gives; None where `read_grid` (Python's ``csv`` module, the
    reference) must read it. The two split fields, quotes and line endings alike
    (differentially fuzzed in the tests); they differ on rows of unequal length (Arrow
    refuses them), a single column, and fields longer than ``csv.field_size_limit()``
    (``csv`` refuses them): those go to ``csv``. A blank line is a row of empty cells here,
    of no cells there: a blank row, skipped either way (`csv_columns.arrow_columns`)."""
    data, wide = to_utf8(Path(path).read_bytes())
    if wide is not None:
        return None  # read_grid reads it (and notes the encoding)
    try:
        data.decode("utf-8-sig")
        encoding = "utf-8-sig"
        if data.startswith(codecs.BOM_UTF8):
            data = data[len(codecs.BOM_UTF8) :]
    except UnicodeDecodeError:
        text, encoding = decode_csv_bytes(data)
        data = text.encode("utf-8")
    notes = {"format": "csv", "encoding": encoding}
    if encoding != "utf-8-sig":
        notes["encoding_fallback"] = f"not valid UTF-8: read as {encoding}"
    if b"\r" in data:
        if b"\n" not in data:
            notes["line_endings"] = "CR only"
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")  # as read_grid does
    if not data:
        return None
    columns = arrow_columns(data)
    if columns is None or len(columns[0]) == 0:
        return None
    return columns, notes


def _columns(body: list[list], positions: dict[str, int]) -> dict[str, np.ndarray]:
    """The sheet's known columns as object arrays (a cell beyond the end of a short row is None)."""
    if body and min(map(len, body)) == max(map(len, body)):
        grid = np.array(body, dtype=object)  # rectangular, the usual case: one C-level copy
        if grid.ndim == 2:
            return {name: grid[:, j].copy() for name, j in positions.items()}
    return {name: _objects([r[j] if j < len(r) else None for r in body]) for name, j in positions.items()}


def normalise_path(path: str) -> str:
    """``Challenges / Time`` and ``Challenges\\Time`` (Taguette) -> ``Challenges/Time``."""
    parts = [normalise_text(p) for p in str(path).replace("\\", C.PATH_SEPARATOR).split(C.PATH_SEPARATOR)]
    return C.PATH_SEPARATOR.join(p for p in parts if p)


def _theme(value: object) -> str | None:
    theme = _text(value)
    return normalise_path(theme) if theme else None


def _excerpt_facts(value: object) -> tuple[int | None, str | None]:
    """(length, SHA-256) of an excerpt: the text itself never leaves ingestion."""
    excerpt = _text(value)
    return (len(excerpt) if excerpt else None), _hash(excerpt)


def load_codebook(path: Path) -> tuple[str, list[dict]]:
    """(wave, rows) of the theme hierarchy in ``codebook.yaml``; ValueError when malformed."""
    wave, rows = _parse_codebook(Path(path).read_text(encoding="utf-8-sig"))
    return wave, [dict(r) for r in rows]


@lru_cache(maxsize=16)
def _parse_codebook(text: str) -> tuple[str, tuple[dict, ...]]:
    """Parsed once per content: every coding file of a wave reads its folder's codebook.
    (A malformed codebook raises every time: errors are not cached.)"""
    doc = safe_load_yaml(text, C.CODEBOOK_FILE)
    if not isinstance(doc, dict) or not isinstance(doc.get("themes"), list):
        raise ValueError("codebook.yaml must be a mapping with a 'themes' list")
    rows: list[dict] = []

    def walk(nodes, parent: str | None, level: int) -> None:
        for node in nodes:
            if isinstance(node, str):
                node = {"name": node}
            if not isinstance(node, dict) or "name" not in node:
                raise ValueError(f"every theme needs a name (under {parent or 'the top level'})")
            name = normalise_text(node["name"])
            if C.PATH_SEPARATOR in name:
                raise ValueError(f"theme name {name!r} must not contain {C.PATH_SEPARATOR!r}")
            path = f"{parent}{C.PATH_SEPARATOR}{name}" if parent else name
            rows.append(
                {
                    "theme_path": path,
                    "parent_path": parent,
                    "theme_name": name,
                    "theme_level": level,
                    "theme_order": len(rows) + 1,
                    "description": node.get("description"),
                    "region_code": doc.get("region_code"),
                }
            )
            walk(node.get("children") or [], path, level + 1)

    walk(doc["themes"], None, 1)
    return str(doc.get("wave", "")), tuple(rows)


def _coder_pseudonyms(key: bytes, clean: Callable[[object], object] = lambda v: v) -> Callable[[object], object]:
    """Coders are named people (NVivo user names, initials): only a keyed pseudonym passes
    ingestion. Agreement needs to know which codings share a coder, not who they are.
    Used through `_by_value`, so once per distinct coder of a file, never per row."""

    def pseudonym(value: object) -> object:
        coder = clean(value)
        return pseudonymise(coder, key, namespace="coder") if isinstance(coder, str) and coder else coder

    return pseudonym


def _no_codings(columns: list[str]) -> pd.DataFrame:
    """A file without codings: the frame (and dtypes) this reader has always produced."""
    df = pd.DataFrame([], columns=columns)
    df["coder"] = []  # float64, as when the (empty) coder column was pseudonymised in place
    return df


def _duplicate_rows(rel: str, dup: pd.DataFrame) -> list[Problem]:
    """The problem for one file's rows that repeat an interview, coder, segment and code
    (sheet rows only: REFI-QDA codings have no row number)."""
    if len(dup) and dup[L.ROW].notna().all():
        rows = sorted(int(r) for r in dup[L.ROW])
        return [
            Problem(
                rel,
                "duplicate_row",
                f"the same interview, coder, segment and code appear on {rows_text(rows)}",
                sheet=str(dup.iloc[0][L.SHEET]),
                row=rows[1],
            )
        ]
    return []


class InterviewsSource(WaveFolderSource):
    name = C.SOURCE
    partition_kind = "wave"
    schemas = C.SCHEMAS
    wave_pattern = C.WAVE_RE

    def read_wave_file(self, read: FileRead, path: Path, wave: str) -> FileRead:
        rel, sha256 = read.rel, read.sha256
        codebook_path = path.parent / C.CODEBOOK_FILE
        if not codebook_path.exists():
            read.problems.append(Problem(rel, "codebook", f"the wave folder has no {C.CODEBOOK_FILE}"))
            return read
        try:
            book_wave, book = load_codebook(codebook_path)
        except (ValueError, yaml.YAMLError, TypeError) as exc:
            read.problems.append(Problem(rel, "codebook", f"{C.CODEBOOK_FILE} is not valid: {exc}"))
            return read
        if path.name == C.CODEBOOK_FILE:
            df = pd.DataFrame(book)
            df.insert(0, "wave", book_wave)
            df[L.ROW] = pd.NA
            df[L.CELL] = [f"themes[{r}]" for r in df["theme_order"]]
            read.tables["codebook"] = L.stamp(df, source_file=rel, sha256=sha256, sheet="codebook")
            read.meta.update(themes=len(df))
            return read
        paths = {r["theme_path"] for r in book}
        suffix = path.suffix.lower()
        if suffix in C.SHEET_SUFFIXES:
            self._read_sheet(read, path, wave, paths)
        elif suffix == C.QDPX_SUFFIX:
            self._read_qdpx(read, path, wave, paths)
        else:
            read.problems.append(
                Problem(
                    rel,
                    "unexpected_file",
                    "not a coding sheet (.csv, .xlsx), a REFI-QDA project (.qdpx) nor codebook.yaml",
                )
            )
        return read

    # -- coding sheets -----------------------------------------------------------------------
    def _read_sheet(self, read: FileRead, path: Path, wave: str, paths: set[str]) -> None:
        rel = read.rel
        parsed = None
        if path.suffix.lower() == ".csv":
            try:
                parsed = _csv_columns(path)
            except EncodingProblem as exc:
                read.problems.append(Problem(rel, "encoding", f"the coding sheet {exc}"))
                return
            except Exception:  # noqa: BLE001 - read_grid reads it, or says why it cannot
                parsed = None
        if parsed is not None:
            arrow_columns, notes = parsed
            sheet, header, n = CSV_SHEET, [c[0].as_py() for c in arrow_columns], len(arrow_columns[0]) - 1
        else:
            try:
                rows, sheet, notes = read_grid(path)
            except Exception as exc:  # noqa: BLE001
                read.problems.append(
                    Problem(rel, "unreadable", f"not a readable coding sheet ({type(exc).__name__}: {exc})")
                )
                return
            header, n = (rows[0], len(rows) - 1) if rows else ([], 0)
        read.meta.update(notes)
        if parsed is None and not rows:
            read.problems.append(Problem(rel, "empty_file", "the coding sheet is empty"))
            return
        positions: dict[str, int] = {}
        for j, h in enumerate(header):
            if is_blank(h):
                continue
            name = C.SHEET_COLUMNS.get(header_key(h))
            if name is None:
                read.problems.append(
                    Problem(
                        rel,
                        "unexpected_column",
                        f"unexpected column {str(h)!r}",
                        sheet=sheet,
                        row=1,
                        column=str(h),
                        cell=f"{column_letter(j)}1",
                    )
                )
            elif name in positions:
                read.problems.append(duplicate_header(read, sheet, str(h), positions[name], j))
            else:
                positions[name] = j
        for name in C.REQUIRED_SHEET_COLUMNS:
            if name not in positions:
                read.problems.append(
                    Problem(
                        rel,
                        "missing_column",
                        f"column {name.replace('_id', '').replace('_', ' ')!r} is missing",
                        sheet=sheet,
                        row=1,
                    )
                )
        if read.problems:
            return
        if parsed is not None:
            cols = {name: _Column(arrow_columns[j].slice(1)) for name, j in positions.items()}
        else:
            cols = {name: _Column(cells) for name, cells in _columns(rows[1:], positions).items()}
        line = np.arange(2, n + 2)  # sheet row numbers (the header is row 1)
        # a row with every known column blank is skipped (e.g. trailing blank lines); none is
        # when some column has no blank cell at all
        blank = np.ones(n, dtype=bool)
        for col in cols.values():
            in_col = col.blank()
            if in_col is None:
                break
            blank &= in_col
        else:
            if blank.any():
                keep = np.flatnonzero(~blank)
                line = line[keep]
                cols = {name: col.take(keep) for name, col in cols.items()}
        n = len(line)

        def column(name: str, fn: Callable[[object], object] = _text) -> pd.arrays.ArrowExtensionArray:
            if name not in cols:
                return _constant(fn(None), n)  # an optional column the sheet does not have
            return _texts(cols[name].text(fn))

        themes, theme_of = cols["theme_path"].mapped(_theme)
        unknown: dict[str, list[int]] = {}
        bad = [k for k, theme in enumerate(themes) if theme and theme not in paths]
        if bad:
            rows_bad = np.isin(theme_of, bad)
            for k, i in zip(theme_of[rows_bad].tolist(), line[rows_bad].tolist()):
                unknown.setdefault(themes[k], []).append(i)
        letter = column_letter(positions["theme_path"])
        for theme, lines in sorted(unknown.items()):
            read.problems.append(
                Problem(
                    rel,
                    "unknown_code",
                    f"code {theme!r} on {rows_text(lines)} is not in {C.CODEBOOK_FILE}",
                    sheet=sheet,
                    row=lines[0],
                    column="theme_path",
                    cell=f"{letter}{lines[0]}",
                )
            )
        columns = [*C.CODINGS_SCHEMA.columns, L.ROW]
        try:
            key = key_for_file(read.sha256)  # once per file, not once per row
        except NoPseudonymKey as exc:
            read.problems.append(Problem(rel, "pseudonym_key", f"coders cannot be pseudonymised: {exc}"))
            return
        if n:
            if "excerpt" in cols:
                facts, fact_of = cols["excerpt"].mapped(_excerpt_facts)
                lengths = np.array([np.nan if f[0] is None else f[0] for f in facts], dtype=np.float64)[fact_of]
                missing = np.isnan(lengths)
                # the dtype pandas gives a list of these lengths: int64; float64 (NaN) with blanks; object when all blank
                chars = lengths.astype(np.int64) if not missing.any() else [None] * n if missing.all() else lengths
                sha = _texts(pyarrow.array([f[1] for f in facts], type=pyarrow.string()).take(fact_of))
            else:
                chars, sha = [None] * n, _constant(None, n)
            df = pd.DataFrame(
                {
                    "wave": _constant(wave, n),
                    "interview_id": column("interview_id"),
                    "coder": column("coder", _coder_pseudonyms(key, _text)),
                    "section": column("section"),
                    "segment_id": column("segment_id"),
                    "theme_path": _texts(pyarrow.array(themes, type=pyarrow.string()).take(theme_of)),
                    "excerpt_chars": chars,
                    "excerpt_sha256": sha,
                    "participant_gender": column("participant_gender"),
                    "participant_tier": column("participant_tier"),
                    "source_format": _constant("coding_sheet", n),
                    L.ROW: line,
                },
                columns=columns,
            )
        else:
            df = _no_codings(columns)
        read.tables["codings"] = L.stamp(df, source_file=rel, sha256=read.sha256, sheet=sheet)
        read.column_letters["codings"] = {name: column_letter(j) for name, j in positions.items() if name != "excerpt"}
        read.meta.update(codings=len(df))

    # -- REFI-QDA ------------------------------------------------------------------------------
    def _read_qdpx(self, read: FileRead, path: Path, wave: str, paths: set[str]) -> None:
        rel = read.rel
        try:
            zf = zipfile.ZipFile(path)
        except zipfile.BadZipFile as exc:
            read.problems.append(Problem(rel, "not_qdpx", f"not a REFI-QDA project: a .qdpx must be a zip ({exc})"))
            return
        with zf:
            if limit := zip_problems(zf, rel):
                read.problems.extend(limit)
                return
            try:
                self._read_qdpx_zip(read, zf, wave, paths)
            except LimitExceeded as exc:
                read.problems.append(exc.problem)

    def _read_qdpx_zip(self, read: FileRead, zf: zipfile.ZipFile, wave: str, paths: set[str]) -> None:
        rel = read.rel
        names = zf.namelist()
        qde = [n for n in names if n.lower().endswith(".qde") and "/" not in n.strip("/")]
        if not qde:
            read.problems.append(Problem(rel, "not_qdpx", "no project .qde XML at the top of the .qdpx zip"))
            return
        try:
            root = ET.fromstring(read_member(zf, qde[0], rel))
        except ET.ParseError as exc:
            read.problems.append(Problem(rel, "bad_xml", f"{qde[0]} is not well-formed XML: {exc}", sheet=qde[0]))
            return
        if root.tag != f"{{{C.QDA_NAMESPACE}}}Project":
            read.problems.append(
                Problem(
                    rel,
                    "bad_xml",
                    f"{qde[0]} root is {root.tag}, not a Project in namespace {C.QDA_NAMESPACE}",
                    sheet=qde[0],
                )
            )
            return
        by_lower = {n.lower(): n for n in names}
        users = {u.get("guid", "").lower(): u.get("name") or u.get("guid") for u in root.iterfind("q:Users/q:User", NS)}
        codes: dict[str, str] = {}

        def walk(node, parent: str | None) -> None:
            for code in node.iterfind("q:Code", NS):
                name = normalise_text(code.get("name", "")).replace(C.PATH_SEPARATOR, "-")
                full = f"{parent}{C.PATH_SEPARATOR}{name}" if parent else name
                codes[code.get("guid", "").lower()] = full
                walk(code, full)

        book = root.find("q:CodeBook/q:Codes", NS)
        if book is not None:
            walk(book, None)
        unknown: dict[str, list[str]] = {}
        interview_col, coder_col, segment_col, theme_col, chars_col, sha_col, cell_col = [], [], [], [], [], [], []
        for source in root.iterfind("q:Sources/q:TextSource", NS):
            interview = normalise_text(source.get("name") or source.get("guid"))
            text = None
            plain = source.get("plainTextPath") or ""
            if plain.startswith("internal://"):
                member = by_lower.get(("sources/" + plain[len("internal://") :]).lower())
                if member:
                    text = read_member(zf, member, rel).decode("utf-8-sig", errors="replace")
            for sel in source:  # direct children, as iterfind("q:PlainTextSelection") but without the path engine
                if sel.tag != _SELECTION:
                    continue
                start, end = int(sel.get("startPosition", 0)), int(sel.get("endPosition", 0))
                sha = _hash(_norm(text[start:end])) if text is not None else None  # once per selection
                segment = f"{start}-{end}"
                sel_user = sel.get("creatingUser")
                for coding in sel:
                    if coding.tag != _CODING:
                        continue
                    ref = next((c for c in coding if c.tag == _CODE_REF), None)
                    target = (ref.get("targetGUID", "") if ref is not None else "").lower()
                    theme = codes.get(target)
                    cid = coding.get("guid") or f"{sel.get('guid')}:{target}"
                    if theme is None:
                        unknown.setdefault(f"(no code with GUID {target})", []).append(cid)
                    elif theme not in paths:
                        unknown.setdefault(theme, []).append(cid)
                    user = (coding.get("creatingUser") or sel_user or "").lower()
                    interview_col.append(interview)
                    coder_col.append(users.get(user, user or None))
                    segment_col.append(segment)
                    theme_col.append(theme)
                    chars_col.append(end - start)
                    sha_col.append(sha)
                    cell_col.append(f"Coding[{cid}]")
        for theme, ids in sorted(unknown.items()):
            read.problems.append(
                Problem(
                    rel,
                    "unknown_code",
                    f"code {theme!r} ({len(ids)} coding(s), first {ids[0]}) is not in {C.CODEBOOK_FILE}",
                    sheet=qde[0],
                    column="theme_path",
                    cell=f"Coding[{ids[0]}]",
                )
            )
        columns = [*C.CODINGS_SCHEMA.columns, L.ROW, L.CELL]
        try:
            key = key_for_file(read.sha256)  # once per file, not once per row
        except NoPseudonymKey as exc:
            read.problems.append(Problem(rel, "pseudonym_key", f"coders cannot be pseudonymised: {exc}"))
            return
        n = len(coder_col)
        if n:
            df = pd.DataFrame(
                {
                    "wave": _constant(wave, n),
                    "interview_id": _texts(interview_col),
                    "coder": _texts(_by_value(coder_col, _coder_pseudonyms(key))),
                    "section": _constant(None, n),
                    "segment_id": _texts(segment_col),
                    "theme_path": _texts(theme_col),
                    "excerpt_chars": np.array(chars_col, dtype=np.int64),
                    "excerpt_sha256": _texts(sha_col),
                    "participant_gender": _constant(None, n),
                    "participant_tier": _constant(None, n),
                    "source_format": _constant("refi_qda", n),
                    L.ROW: _objects([pd.NA] * n),
                    L.CELL: _objects(cell_col),
                },
                columns=columns,
            )
        else:
            df = _no_codings(columns)
        read.tables["codings"] = L.stamp(df, source_file=rel, sha256=read.sha256, sheet=qde[0])
        read.meta.update(codings=len(df), format="qdpx")

    # -- rules spanning one file ---------------------------------------------------------
    def batch_checks(self, reads: list[FileRead], partition: str, validated: dict[str, pd.DataFrame]) -> list[Problem]:
        """`file_checks` for every clean file of the partition at once (one `duplicated` over
        the batch, keyed by file, instead of splitting the batch into one frame per file)."""
        problems = []
        book = validated.get("codebook")
        if book is not None and len(book):
            first = book.drop_duplicates(L.SOURCE_FILE)  # each file's first row
            for rel, wave in zip(first[L.SOURCE_FILE], first["wave"]):
                if wave != partition:
                    problems.append(
                        Problem(
                            rel,
                            "wave_mismatch",
                            f"codebook wave {wave} disagrees with its folder ({partition})",
                            sheet="codebook",
                        )
                    )
        codings = validated.get("codings")
        if codings is not None and len(codings):
            same = codings.duplicated([L.SOURCE_FILE, "interview_id", "coder", "segment_id", "theme_path"], keep=False)
            if same.any():
                for rel, dup in codings[same].groupby(L.SOURCE_FILE, sort=False):
                    problems.extend(_duplicate_rows(rel, dup))
        return problems

    def file_checks(self, read: FileRead, partition: str, validated: dict[str, pd.DataFrame]) -> list[Problem]:
        """The same rules for one file (`batch_checks` is what the framework runs)."""
        problems = []
        book = validated.get("codebook")
        if book is not None and len(book) and book.iloc[0]["wave"] != partition:
            problems.append(
                Problem(
                    read.rel,
                    "wave_mismatch",
                    f"codebook wave {book.iloc[0]['wave']} disagrees with its folder ({partition})",
                    sheet="codebook",
                )
            )
        codings = validated.get("codings")
        if codings is not None and len(codings):
            problems.extend(
                _duplicate_rows(
                    read.rel,
                    codings[codings.duplicated(["interview_id", "coder", "segment_id", "theme_path"], keep=False)],
                )
            )
        return problems

    def empty_tables(self) -> dict[str, pd.DataFrame]:
        tables = {name: empty_frame(schema) for name, schema in self.schemas.items()}
        # zero rows: the lake's schema-only files keep the types they have always had
        for name in C.CODINGS_TEXT_COLUMNS:
            tables["codings"][name] = pd.Series([], dtype=object)
        return tables


SOURCE = InterviewsSource()
