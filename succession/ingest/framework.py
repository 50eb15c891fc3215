"""Generic ingestion: discover -> read -> validate in one batch -> quarantine -> lake.

Each raw source (``succession.ingest.<source>``) provides a `Source`: how to find its
files and partitions, how to read one file into contract-shaped frames that carry
``_row``/``_cell``, its pandera schemas, and checks that span sheets of one file.
This module does the rest the same way for every source:

* every file is hashed; a file whose content was already seen in the partition keeps
  the run id and load time of its first load (loading the same file twice changes
  nothing), a second file with identical content is quarantined as a duplicate;
* rows of all files are concatenated per table and validated in ONE lazy pandera
  call (a validate call costs ~4.5 ms however small the frame), and failures are
  mapped back to file, sheet, row and cell through the lineage columns;
* a file with any problem is quarantined whole (recorded with its reasons in the
  partition's ``_files`` table; the raw file itself is never touched), the good
  files load, and rows read = rows loaded + rows rejected for every file;
* the partition is written to the lake atomically.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import warnings
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import SimpleNamespace
from typing import Callable, Protocol

import pandas as pd
import pandera.errors as pa_errors
import pandera.pandas as pa

from succession.ingest import lake
from succession.ingest import lineage as L
from succession.ingest.problems import Problem, column_letter
from contracts.rules import ROW_RULES

FILES_TABLE = "_files"


@dataclass
class FileRead:
    """One raw file read into contract-shaped frames (values not yet coerced)."""

    rel: str
    sha256: str
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    # table -> column name -> spreadsheet letter (or CSV header), for naming cells
    column_letters: dict[str, dict[str, str]] = field(default_factory=dict)
    meta: dict[str, object] = field(default_factory=dict)

    @property
    def rows_read(self) -> int:
        return int(sum(len(df) for df in self.tables.values()))


class Source(Protocol):
    name: str
    partition_kind: str  # "quarter" | "wave" | "region"
    schemas: dict[str, pa.DataFrameSchema]

    def discover(self, raw_dir: Path) -> dict[str, list[Path]]:
        """Partition key -> raw files in it."""

    def read(self, path: Path, rel: str, sha256: str) -> FileRead:
        """Read one file. Problems that make it unreadable go in ``FileRead.problems``."""

    def file_checks(self, read: FileRead, partition: str, validated: dict[str, pd.DataFrame]) -> list[Problem]:
        """Rules spanning sheets of one file, run on its validated rows.

        A source may instead define ``batch_checks(reads, partition, validated)``: the same
        rules over the validated rows of all ``reads`` at once (each Problem names its file).
        """

    def empty_tables(self) -> dict[str, pd.DataFrame]:
        """Typed, zero-row frames for every lake table (contract columns + lineage)."""


@dataclass
class PartitionResult:
    source: str
    partition: str
    files: pd.DataFrame  # the partition's file ledger
    tables: dict[str, pd.DataFrame]  # empty when unchanged (the lake partition was left as it was)
    unchanged: bool = False

    @property
    def loaded(self) -> pd.DataFrame:
        return self.files[self.files["status"] == "loaded"]

    @property
    def quarantined(self) -> pd.DataFrame:
        return self.files[self.files["status"] == "quarantined"]

    def problems(self) -> list[str]:
        out = []
        for reasons in self.quarantined["problems"]:
            out.extend(json.loads(reasons))
        return out


# --- validation ---------------------------------------------------------------------------

def _describe_failure(check: str, column: str | None, value: object, kind: str | None = None) -> tuple[str, str]:
    """(rule, message) for one pandera failure case."""
    if hasattr(value, "item"):
        value = value.item()  # numpy scalar -> plain Python, so messages read "-3" not "np.int64(-3)"
    shown = "blank" if value is None or (isinstance(value, float) and pd.isna(value)) else repr(value)
    if check == "not_nullable":
        return "required", f"{column} is required but blank"
    if check.startswith("coerce_dtype") or check.startswith("dtype"):
        want = "a date" if "datetime" in check else "a whole number" if "int" in check.lower() else "a number" if "float" in check else "text"
        return "type", f"{column} must be {want}, got {shown}"
    if check == "field_uniqueness" or check.startswith("unique"):
        return "duplicate", f"{column} {shown} appears more than once"
    return check, f"{column} must be {check}, got {shown}"


def validate_batch(
    table: str,
    frame: pd.DataFrame,
    schema: pa.DataFrameSchema,
    letters_by_file: dict[str, dict[str, str]],
) -> tuple[pd.DataFrame, list[Problem]]:
    """Validate all files' rows of one table at once; map failures to file/sheet/row/cell."""
    if frame.empty:
        return schema.validate(frame, lazy=True) if len(frame.columns) else frame, []
    frame = frame.reset_index(drop=True)  # the concat made it: ours to blank cells in
    problems: list[Problem] = []
    seen: set[tuple] = set()
    masked: set[tuple[int, str]] = set()  # cells blanked after a type failure, already reported
    for idx, column, check in _fractional_whole_numbers(frame, schema):
        # pandera reports "2.5 in a whole-number column" for the column, not the row: find
        # the rows here, so only the files holding them are quarantined
        case = SimpleNamespace(index=idx, column=column, check=check, failure_case=frame.at[idx, column])
        problems.extend(_problem(case, frame, letters_by_file, seen))
        frame.at[idx, column] = None
        masked.add((idx, column))
    for attempt in range(2):
        try:
            coerced = schema.validate(frame, lazy=True)
            if not problems:
                return coerced, []  # the usual case: one pass over the batch, not two
            break
        except pa_errors.SchemaErrors as exc:
            cases = exc.failure_cases
        typed = cases[cases["check"].astype(str).str.startswith("coerce_dtype") & cases["index"].notna()]
        if attempt == 0 and not typed.empty:
            # Report values of the wrong type, blank them, and validate again so the other
            # rules (ranges, cross-column) still run on the rest of the batch.
            for case in typed.itertuples(index=False):
                problems.extend(_problem(case, frame, letters_by_file, seen))
                frame.at[int(case.index), case.column] = None
                masked.add((int(case.index), case.column))
            continue
        for case in cases.itertuples(index=False):
            if str(case.check) == "not_nullable" and pd.notna(case.index) and (int(case.index), case.column) in masked:
                continue
            problems.extend(_problem(case, frame, letters_by_file, seen))
        break
    bad_files = {p.file for p in problems}
    good = frame[~frame[L.SOURCE_FILE].isin(bad_files)]
    validated = schema.validate(good, lazy=True) if not good.empty else good
    return validated, problems


def _fractional_whole_numbers(frame: pd.DataFrame, schema: pa.DataFrameSchema) -> list[tuple[int, str, str]]:
    """(row index, column, check) of numbers with a fraction in columns the contract coerces to whole numbers."""
    found = []
    for name, col in schema.columns.items():
        if not col.coerce or name not in frame or col.dtype is None or "int" not in str(col.dtype).lower():
            continue
        if pd.api.types.is_integer_dtype(frame[name]) or pd.api.types.is_bool_dtype(frame[name]):
            continue  # already whole numbers: the usual case, free
        values = pd.to_numeric(frame[name], errors="coerce")
        found += [(int(i), name, f"coerce_dtype('{col.dtype}')") for i in frame.index[values.notna() & (values % 1 != 0)]]
    return found


def _problem(case, frame: pd.DataFrame, letters_by_file: dict[str, dict[str, str]], seen: set) -> list[Problem]:
    idx = case.index
    column = case.column if isinstance(case.column, str) else None
    check = str(case.check)
    if idx is None or (isinstance(idx, float) and pd.isna(idx)):
        # a whole-table failure (e.g. a missing column): every file in the batch shares it
        return [Problem(rel, "schema", f"{check} {column or ''}".strip()) for rel in frame[L.SOURCE_FILE].unique()]
    row = frame.loc[int(idx)]
    rel, sheet, rownum = row[L.SOURCE_FILE], row[L.SHEET], row[L.ROW]
    rownum = None if pd.isna(rownum) else int(rownum)
    key = (rel, sheet, rownum, column, check)
    if key in seen:
        return []
    seen.add(key)
    if check in ROW_RULES:
        rule = ROW_RULES[check]
        values = {k: ("blank" if pd.isna(v) else _fmt(v)) for k, v in row.items() if not str(k).startswith("_")}
        message, column, rule_name = rule.message.format(**values), rule.column, rule.name
    else:
        rule_name, message = _describe_failure(check, column, case.failure_case)
    letter = letters_by_file.get(rel, {}).get(column or "")
    if letter and letter[-1].isdigit():
        cell = letter  # a fixed cell (e.g. About!B4)
    elif letter and rownum is not None:
        cell = f"{letter}{rownum}"
    else:
        cell = row[L.CELL] if isinstance(row.get(L.CELL), str) and row.get(L.CELL) else None
    return [Problem(rel, rule_name, message, sheet=sheet, row=rownum, column=column, cell=cell)]


def _fmt(v: object) -> str:
    if isinstance(v, (pd.Timestamp, dt.datetime)):
        return v.strftime("%d/%m/%Y")
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


# --- the partition ingest -------------------------------------------------------------------

def _previous_ledger(lake_dir: Path, source: str, partition: str) -> pd.DataFrame | None:
    return lake.read_partition_table(lake_dir, source, partition, FILES_TABLE)


def ingest_partition(
    source: Source,
    partition: str,
    files: list[Path],
    *,
    raw_dir: Path,
    lake_dir: Path,
    run_id: str,
    now: dt.datetime | None = None,
    write: bool = True,
) -> PartitionResult:
    now = now or dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    previous = _previous_ledger(lake_dir, source.name, partition) if write else None
    hashed = _hashed(files, raw_dir)
    if previous is not None and _unchanged(previous, hashed):
        return PartitionResult(source.name, partition, previous, {}, unchanged=True)
    first_seen: dict[str, tuple[str, str]] = {}
    if previous is not None:
        for r in previous.itertuples(index=False):
            first_seen.setdefault(r.file_sha256, (r.run_id, r.loaded_at))

    reads: list[FileRead] = []
    seen_sha: dict[str, str] = {}
    for path, rel, sha in hashed:
        if sha in seen_sha:
            read = FileRead(rel, sha)
            read.problems.append(Problem(rel, "duplicate_file", f"same content (SHA-256) as {seen_sha[sha]}: not loaded twice"))
        else:
            seen_sha[sha] = rel
            read = safe_read(source, path, rel, sha)
        reads.append(read)

    problems_by_file: dict[str, list[Problem]] = {r.rel: list(r.problems) for r in reads}
    readable = [r for r in reads if not r.problems]

    # one batch per table, all files together
    validated: dict[str, pd.DataFrame] = {}
    for table, schema in source.schemas.items():
        frames = [r.tables[table] for r in readable if table in r.tables and not r.tables[table].empty]
        letters = {r.rel: r.column_letters.get(table, {}) for r in readable}
        if not frames:
            validated[table] = source.empty_tables()[table]
            continue
        with warnings.catch_warnings():
            # all-blank optional columns in some files are expected; their dtype comes from the contract
            warnings.simplefilter("ignore", FutureWarning)
            batch = pd.concat(frames, ignore_index=True)
        good, problems = validate_batch(table, batch, schema, letters)
        validated[table] = good
        for p in problems:
            problems_by_file.setdefault(p.file, []).append(p)

    # rules across sheets of one file, on its validated rows: a source with `batch_checks`
    # runs them vectorised over the whole batch (tiny per-file pandas ops cost ~50 us each);
    # otherwise per file (split by file once, not one boolean mask per file and table)
    clean = [r for r in readable if not problems_by_file[r.rel]]
    if hasattr(source, "batch_checks"):
        clean_rels = {r.rel for r in clean}
        mine = {t: df[df[L.SOURCE_FILE].isin(clean_rels)] if len(df) else df for t, df in validated.items()}
        for p in source.batch_checks(clean, partition, mine):
            problems_by_file.setdefault(p.file, []).append(p)
    elif clean:
        by_file = {t: dict(tuple(df.groupby(L.SOURCE_FILE, sort=False))) if len(df) else {}
                   for t, df in validated.items()}
        for read in clean:
            mine = {t: by_file[t].get(read.rel, df.iloc[0:0]) for t, df in validated.items()}
            problems_by_file[read.rel].extend(source.file_checks(read, partition, mine))

    bad = {rel for rel, ps in problems_by_file.items() if ps}
    ledger_rows = []
    run_of: dict[str, tuple[str, str]] = {}
    for read in reads:
        ps = sorted(set(problems_by_file[read.rel]), key=lambda p: (p.sheet or "", p.row or 0, p.cell or "", p.rule, p.message, p.column or ""))
        run, at = first_seen.get(read.sha256, (run_id, now.isoformat()))
        run_of[read.rel] = (run, at)
        n = read.rows_read
        ledger_rows.append({
            "source": source.name,
            "partition_key": partition,
            "file_path": read.rel,
            "file_sha256": read.sha256,
            "status": "quarantined" if read.rel in bad else "loaded",
            "problem_count": len(ps),
            "problems": json.dumps([str(p) for p in ps], ensure_ascii=False),
            "rows_read": n,
            "rows_loaded": 0 if read.rel in bad else n,
            "rows_rejected": n if read.rel in bad else 0,
            "column_letters": json.dumps(read.column_letters, sort_keys=True),
            "meta": json.dumps(read.meta, sort_keys=True, default=str),
            "run_id": run,
            "loaded_at": at,
            "contract_version": contract_version(),
        })
    files_df = pd.DataFrame(ledger_rows, columns=_LEDGER_COLUMNS)
    if previous is not None:
        # keep history: earlier contents of these paths, and files since withdrawn
        current = set(zip(files_df["file_path"], files_df["file_sha256"]))
        gone = previous[[(p, s) not in current for p, s in zip(previous["file_path"], previous["file_sha256"])]].copy()
        if not gone.empty:
            present = set(files_df["file_path"])
            gone["status"] = ["replaced" if p in present else "withdrawn" for p in gone["file_path"]]
            files_df = pd.concat([files_df, gone[_LEDGER_COLUMNS]], ignore_index=True)
    files_df = files_df.sort_values(["file_path", "status", "file_sha256"]).reset_index(drop=True)

    tables: dict[str, pd.DataFrame] = {}
    empties = source.empty_tables()
    for table, df in validated.items():
        df = df[~df[L.SOURCE_FILE].isin(bad)].copy() if len(df) else empties[table].copy()
        if len(df):
            # one value per file: categorical (a dictionary column in Parquet), not millions of strings
            codes, files = pd.factorize(df[L.SOURCE_FILE])
            for col, part in ((L.RUN_ID, 0), (L.LOADED_AT, 1)):
                per_file = [run_of[f][part] for f in files]
                values = pd.Index(sorted(set(per_file)))
                df[col] = pd.Categorical.from_codes(values.get_indexer(per_file)[codes], categories=values)
        else:
            df[L.RUN_ID] = df[L.LOADED_AT] = pd.Series(dtype=str)
        cols = [c for c in empties[table].columns]
        tables[table] = df[cols].reset_index(drop=True)  # files in path order, rows in file order
    tables[FILES_TABLE] = files_df
    if write:
        lake.write_partition(lake_dir, source.name, partition, tables)
        ensure_lake_schema(source, lake_dir)
    return PartitionResult(source.name, partition, files_df, tables)


_LEDGER_COLUMNS = [
    "source", "partition_key", "file_path", "file_sha256", "status", "problem_count", "problems",
    "rows_read", "rows_loaded", "rows_rejected", "column_letters", "meta", "run_id", "loaded_at",
    "contract_version",
]
_CURRENT = ("loaded", "quarantined")  # the ledger also keeps replaced and withdrawn files


@cache
def contract_version() -> str:
    """A digest of everything that decides how a raw file loads: the contracts, the ingestion
    code and the reference lookups. Stored per file in the ledger; when it changes, every
    partition is validated again."""
    from succession.paths import CONTRACTS_DIR, DBT_PROJECT_DIR

    h = hashlib.sha256()
    code = [*sorted(CONTRACTS_DIR.glob("*.py")), *sorted(Path(__file__).parent.glob("*.py")),
            *sorted((DBT_PROJECT_DIR / "seeds").glob("ref_*.csv"))]
    for f in code:
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:16]


def _hashed(files: list[Path], raw_dir: Path) -> list[tuple[Path, str, str]]:
    """(path, path relative to raw/, SHA-256) of each file, in path order."""
    return [(path, Path(path).resolve().relative_to(Path(raw_dir).resolve()).as_posix(), L.sha256_file(path))
            for path in sorted(files)]


def partition_is_current(source: Source, partition: str, files: list[Path], *, raw_dir: Path, lake_dir: Path) -> bool:
    """True when ingesting the partition again would change nothing (see `_unchanged`):
    lets a scheduler skip launching work for it at all."""
    previous = _previous_ledger(lake_dir, source.name, partition)
    return previous is not None and _unchanged(previous, _hashed(files, raw_dir))


def _unchanged(previous: pd.DataFrame, hashed: list[tuple[Path, str, str]]) -> bool:
    """The partition holds exactly the files (path and content) its ledger recorded, under
    the same contract version: reading and validating them again would change nothing.
    (A return quarantined only for a date in the future is not re-checked until its
    files or the contract change.)"""
    if "contract_version" not in previous or previous.empty:
        return False
    current = previous[previous["status"].isin(_CURRENT)]
    return (set(zip(current["file_path"], current["file_sha256"])) == {(rel, sha) for _, rel, sha in hashed}
            and len(current) == len(hashed)
            and bool((current["contract_version"] == contract_version()).all()))


def safe_read(source: Source, path: Path, rel: str, sha: str) -> FileRead:
    """Read a file; whatever goes wrong becomes a problem naming the file, never a crash."""
    try:
        return source.read(path, rel, sha)
    except Exception as exc:  # noqa: BLE001 - any unreadable file is quarantined with the reason
        read = FileRead(rel, sha)
        read.problems.append(Problem(rel, "unreadable", f"cannot be read: {type(exc).__name__}: {exc}"))
        return read


def empty_frame(schema: pa.DataFrameSchema, extra: dict[str, str] | None = None) -> pd.DataFrame:
    """Zero-row frame with the schema's dtypes, then the lineage columns."""
    cols: dict[str, pd.Series] = {}
    for name, col in schema.columns.items():
        dtype = col.dtype.type if col.dtype is not None else object
        cols[name] = pd.Series([], dtype=dtype)
    for name, dtype in (extra or {}).items():
        cols[name] = pd.Series([], dtype=dtype)
    for name in L.LINEAGE_COLUMNS:
        cols[name] = pd.Series([], dtype="Int64" if name == L.ROW else object)
    return pd.DataFrame(cols)


def ensure_lake_schema(source: Source, lake_dir: Path) -> None:
    """Schema-only lake files for a source, so the warehouse builds before its first file arrives."""
    ledger = pd.DataFrame({c: pd.Series([], dtype="Int64" if c.startswith(("rows_", "problem_")) else object)
                           for c in _LEDGER_COLUMNS})
    lake.ensure_empty_tables(lake_dir, source.name, {**source.empty_tables(), FILES_TABLE: ledger})


def partition_folders(root: Path, key: Callable[[str], str] = str, *, skip_suffixes: tuple[str, ...] = ()) -> dict[str, list[Path]]:
    """The usual raw layout ``root/<partition folder>/<files>``: partition key -> its files.

    Hidden files and folders, ``_``-prefixed folders and Office lock files (``~$...``) are
    skipped; so are files ending in ``skip_suffixes`` (e.g. a folder's README.md).
    """
    found: dict[str, list[Path]] = {}
    if not Path(root).exists():
        return found
    for folder in sorted(p for p in Path(root).iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
        files = sorted(f for f in folder.iterdir()
                       if f.is_file() and not f.name.startswith((".", "~$")) and not f.name.endswith(skip_suffixes or ("\0",)))
        found.setdefault(key(folder.name), []).extend(files)
    return found


class WaveFolderSource:
    """A source whose files sit in ``raw/<source>/<wave>/`` (survey exports, interview coding)."""

    name: str
    wave_pattern = None  # compiled regex a wave folder name must match

    def discover(self, raw_dir: Path) -> dict[str, list[Path]]:
        return partition_folders(Path(raw_dir) / self.name, skip_suffixes=(".md",))

    def partition_of(self, path: Path) -> str:
        return Path(path).parent.name

    def wave_problem(self, path: Path, rel: str) -> Problem | None:
        wave = Path(path).parent.name
        if self.wave_pattern is not None and not self.wave_pattern.match(wave):
            return Problem(rel, "wave_folder", f"folder {wave!r} is not a wave id like 2024-25_W1")
        return None

    def read(self, path: Path, rel: str, sha256: str) -> FileRead:
        """A file in a folder named like a wave id is read by `read_wave_file`; otherwise
        the folder is the problem."""
        path = Path(path)
        read = FileRead(rel, sha256)
        if (problem := self.wave_problem(path, rel)) is not None:
            read.problems.append(problem)
            return read
        return self.read_wave_file(read, path, path.parent.name)

    def read_wave_file(self, read: FileRead, path: Path, wave: str) -> FileRead:
        """Read one file of ``wave`` into ``read`` (tables, problems) and return it."""
        raise NotImplementedError
