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
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import SimpleNamespace
from typing import Protocol

import pandas as pd
import pandera.errors as pa_errors
import pandera.pandas as pa

from contracts import limits as LIM
from contracts.rules import ROW_RULES
from succession.ingest import guards, lake
from succession.ingest import lineage as L
from succession.ingest.columns import Columns, concat_tables
from succession.ingest.problems import Problem

FILES_TABLE = "_files"


@dataclass
class FileRead:
    """One raw file read into contract-shaped frames (values not yet coerced)."""

    rel: str
    sha256: str
    tables: dict[str, pd.DataFrame | Columns] = field(default_factory=dict)  # Columns: joined per partition
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

    # A source may set ``place_from_folder = True`` when its files do not name their place
    # inside (the programme's records: the region is the folder). The same bytes in two such
    # folders are then two places' records, not one file copied twice (`duplicate_key`).


def duplicate_key(source: Source, rel: str, sha256: str) -> tuple[str, str]:
    """What makes two files of one partition the same file: their content, and for a source
    whose place is its folder, that folder (two regions may send identical sign-off dates)."""
    return sha256, str(Path(rel).parent) if getattr(source, "place_from_folder", False) else ""


@dataclass
class PartitionResult:
    source: str
    partition: str
    files: pd.DataFrame  # the partition's file ledger
    # empty when unchanged (the lake partition was left as it was) or read by a worker process
    # (`succession.ingest.workers`: the rows are in the lake, not sent back)
    tables: dict[str, pd.DataFrame]
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
        want = (
            "a date"
            if "datetime" in check
            else "a whole number"
            if "int" in check.lower()
            else "a number"
            if "float" in check
            else "text"
        )
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
    report = _Reporter(frame, letters_by_file)
    masked: set[tuple[int, str]] = set()  # cells blanked after a type failure, already reported
    for idx, column, check in _fractional_whole_numbers(frame, schema):
        # pandera reports "2.5 in a whole-number column" for the column, not the row: find
        # the rows here, so only the files holding them are quarantined
        report.add(SimpleNamespace(index=idx, column=column, check=check, failure_case=frame.at[idx, column]))
        frame.at[idx, column] = None
        masked.add((idx, column))
    whole_table: list = []  # failures pandera could not pin to a row
    for attempt in range(2):
        try:
            coerced = schema.validate(frame, lazy=True)
            if not report.problems and not report.overflow:
                return coerced, []  # the usual case: one pass over the batch, not two
            break
        except pa_errors.SchemaErrors as exc:
            cases = exc.failure_cases.sort_values("index", kind="stable")  # the first rows are the ones listed
        typed = cases[cases["check"].astype(str).str.startswith("coerce_dtype") & cases["index"].notna()]
        if attempt == 0 and not typed.empty:
            # Report values of the wrong type, blank them, and validate again so the other
            # rules (ranges, cross-column) still run on the rest of the batch.
            for case in typed.itertuples(index=False):
                report.add(case)
            for column, rows in typed.groupby("column", sort=False)["index"]:
                at = [int(i) for i in rows]
                frame.loc[at, column] = None
                masked.update((i, column) for i in at)
            continue
        for case in cases.itertuples(index=False):
            if case.index is None or (isinstance(case.index, float) and pd.isna(case.index)):
                whole_table.append(case)
                continue
            if str(case.check) == "not_nullable" and (int(case.index), case.column) in masked:
                continue
            report.add(case)
        break
    report.whole_table(whole_table, schema)
    problems = report.finish()
    bad_files = {p.file for p in problems}
    good = frame[~frame[L.SOURCE_FILE].isin(bad_files)]
    validated = schema.validate(good, lazy=True) if not good.empty else good
    return validated, problems


class _Reporter:
    """Turns pandera failure cases into located problems, at most
    ``MAX_PROBLEMS_PER_FILE`` per file (the rest are counted: "and N more"), so 100,000
    bad rows cost one counter each rather than one Problem and one row lookup each."""

    def __init__(self, frame: pd.DataFrame, letters_by_file: dict[str, dict[str, str]]):
        self.frame = frame
        self.letters = letters_by_file
        self.files = frame[L.SOURCE_FILE].to_numpy()
        self.seen: set[tuple] = set()
        self.problems: list[Problem] = []
        self.listed: dict[str, int] = {}
        self.overflow: dict[str, int] = {}
        self.counted: set[tuple] = set()

    def add(self, case) -> None:
        rel = self.files[int(case.index)]
        if self.listed.get(rel, 0) >= LIM.MAX_PROBLEMS_PER_FILE:
            key = (int(case.index), case.column, str(case.check))
            if key not in self.counted:  # pandera may report a case twice (coercion, then dtype)
                self.counted.add(key)
                self.overflow[rel] = self.overflow.get(rel, 0) + 1
            return
        found = _problem(case, self.frame, self.letters, self.seen)
        self.listed[rel] = self.listed.get(rel, 0) + len(found)
        self.problems.extend(found)

    def whole_table(self, cases: list, schema: pa.DataFrameSchema) -> None:
        """Failures of a whole column (e.g. a date no datetime64 can hold): each is pinned
        on the files whose own rows fail it, checked one file at a time, never on the batch."""
        if not cases:
            return
        files = list(pd.unique(self.files))
        culprits = (
            files if len(files) == 1 else [rel for rel in files if _fails_alone(self.frame[self.files == rel], schema)]
        )
        for rel in culprits:
            for case in cases:
                column = case.column if isinstance(case.column, str) else None
                rule, message = _describe_failure(str(case.check), column, case.failure_case)
                self.problems.append(
                    Problem(rel, rule if rule != str(case.check) else "schema", message, column=column)
                )

    def finish(self) -> list[Problem]:
        return self.problems + [guards.more_line(rel, n) for rel, n in self.overflow.items()]


def _fails_alone(rows: pd.DataFrame, schema: pa.DataFrameSchema) -> bool:
    """Whether one file's rows fail the schema in a way no row is named for."""
    try:
        schema.validate(rows, lazy=True)
    except pa_errors.SchemaErrors as exc:
        index = exc.failure_cases["index"]
        return bool(index.isna().any())
    return False


def _fractional_whole_numbers(frame: pd.DataFrame, schema: pa.DataFrameSchema) -> list[tuple[int, str, str]]:
    """(row index, column, check) of numbers with a fraction in columns the contract coerces to whole numbers."""
    found = []
    for name, col in schema.columns.items():
        if not col.coerce or name not in frame or col.dtype is None or "int" not in str(col.dtype).lower():
            continue
        if pd.api.types.is_integer_dtype(frame[name]) or pd.api.types.is_bool_dtype(frame[name]):
            continue  # already whole numbers: the usual case, free
        values = pd.to_numeric(frame[name], errors="coerce")
        found += [
            (int(i), name, f"coerce_dtype('{col.dtype}')") for i in frame.index[values.notna() & (values % 1 != 0)]
        ]
    return found


def _problem(case, frame: pd.DataFrame, letters_by_file: dict[str, dict[str, str]], seen: set) -> list[Problem]:
    idx = case.index
    column = case.column if isinstance(case.column, str) else None
    check = str(case.check)
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
    write_schema: bool = True,
) -> PartitionResult:
    """Read, validate and (``write``) load one partition; ``write_schema``: also write the source's
    schema-only lake files (`ensure_lake_schema`), which workers (`succession.ingest.workers`)
    leave to the process that started them."""
    now = now or dt.datetime.now(dt.UTC).replace(microsecond=0)
    previous = _previous_ledger(lake_dir, source.name, partition) if write else None
    resolve = guards.FolderResolver()
    if previous is not None:
        # the stat shortcut decides "unchanged" (as every change check does); a partition
        # that is read again is recorded with every file's content hashed, never a stat
        checked = _hashed(files, raw_dir, known=recorded_stats(previous), resolve=resolve)
        if _unchanged(previous, checked):
            return PartitionResult(source.name, partition, previous, {}, unchanged=True)
        hashed = _hashed(files, raw_dir, known={e.rel: e.stat_key for e in checked if e.fresh}, resolve=resolve)
    else:
        hashed = _hashed(files, raw_dir, resolve=resolve)
    stat_of = {e.rel: e for e in hashed}
    first_seen: dict[str, tuple[str, str]] = {}
    if previous is not None:
        for r in previous.itertuples(index=False):
            first_seen.setdefault(r.file_sha256, (r.run_id, r.loaded_at))

    reads: list[FileRead] = []
    first_with: dict[tuple[str, str], str] = {}  # duplicate_key -> the first file with it
    for entry_of in hashed:
        path, rel, sha = entry_of.path, entry_of.rel, entry_of.sha256
        entry = guards.entry_problem(path, rel, raw_dir, resolve)
        key = duplicate_key(source, rel, sha)
        if entry is not None:
            read = FileRead(rel, sha)  # not a file to read (a link, a folder ...): reported, skipped
            read.problems.append(entry)
        elif key in first_with:
            read = FileRead(rel, sha)
            read.problems.append(
                Problem(rel, "duplicate_file", f"same content (SHA-256) as {first_with[key]}: not loaded twice")
            )
        else:
            first_with[key] = rel
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
        batch = concat_tables(frames)  # one frame per table, not one per file and table
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
        by_file = {
            t: dict(tuple(df.groupby(L.SOURCE_FILE, sort=False))) if len(df) else {} for t, df in validated.items()
        }
        for read in clean:
            mine = {t: by_file[t].get(read.rel, df.iloc[0:0]) for t, df in validated.items()}
            problems_by_file[read.rel].extend(source.file_checks(read, partition, mine))

    bad = {rel for rel, ps in problems_by_file.items() if ps}
    ledger_rows = []
    run_of: dict[str, tuple[str, str]] = {}
    for read in reads:
        ps = sorted(set(problems_by_file[read.rel]), key=_problem_order)
        shown = guards.capped(ps)
        run, at = first_seen.get(read.sha256, (run_id, now.isoformat()))
        run_of[read.rel] = (run, at)
        n = read.rows_read
        ledger_rows.append(
            {
                "source": source.name,
                "partition_key": partition,
                "file_path": read.rel,
                "file_sha256": read.sha256,
                "status": "quarantined" if read.rel in bad else "loaded",
                "problem_count": guards.total_count(ps),
                "problems": json.dumps([str(p) for p in shown], ensure_ascii=False),
                "rows_read": n,
                "rows_loaded": 0 if read.rel in bad else n,
                "rows_rejected": n if read.rel in bad else 0,
                "column_letters": json.dumps(read.column_letters, sort_keys=True),
                "meta": json.dumps(read.meta, sort_keys=True, default=str),
                "run_id": run,
                "loaded_at": at,
                "contract_version": contract_version(),
                "file_size": stat_of[read.rel].size,
                "file_mtime_ns": stat_of[read.rel].mtime_ns,
            }
        )
    files_df = pd.DataFrame(ledger_rows, columns=_LEDGER_COLUMNS)
    if previous is not None:
        # keep history: earlier contents of these paths, and files since withdrawn
        current = set(zip(files_df["file_path"], files_df["file_sha256"]))
        gone = previous[[(p, s) not in current for p, s in zip(previous["file_path"], previous["file_sha256"])]].copy()
        if not gone.empty:
            present = set(files_df["file_path"])
            gone["status"] = ["replaced" if p in present else "withdrawn" for p in gone["file_path"]]
            # reindex: a ledger written before a column existed (file_size ...) has it blank
            files_df = pd.concat([files_df, gone.reindex(columns=_LEDGER_COLUMNS)], ignore_index=True)
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
        if write_schema:
            ensure_lake_schema(source, lake_dir)
    return PartitionResult(source.name, partition, files_df, tables)


_LEDGER_COLUMNS = [
    "source",
    "partition_key",
    "file_path",
    "file_sha256",
    "status",
    "problem_count",
    "problems",
    "rows_read",
    "rows_loaded",
    "rows_rejected",
    "column_letters",
    "meta",
    "run_id",
    "loaded_at",
    "contract_version",
    # the entry's lstat when its SHA-256 was taken: the change checks (`_hashed`) hash again
    # only an entry whose size or mtime differ from these
    "file_size",
    "file_mtime_ns",
]
_CURRENT = ("loaded", "quarantined")  # the ledger also keeps replaced and withdrawn files


@cache
def contract_version() -> str:
    """A digest of everything that decides how a raw file loads: the contracts, the ingestion
    code and the reference lookups. Stored per file in the ledger; when it changes, every
    partition is validated again."""
    from succession.paths import CONTRACTS_DIR, DBT_PROJECT_DIR

    h = hashlib.sha256()
    ingest = Path(__file__).parent
    code = [
        *sorted(CONTRACTS_DIR.glob("*.py")),
        *sorted(ingest.rglob("*.py")),  # rglob: the survey package too
        *sorted((DBT_PROJECT_DIR / "seeds").glob("ref_*.csv")),
    ]
    for f in code:
        name = f.relative_to(ingest).as_posix() if f.is_relative_to(ingest) else f.name
        h.update(name.encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:16]


@dataclass(frozen=True)
class Entry:
    """One raw entry as the ledger identifies it: path, content hash, and the lstat when hashed."""

    path: Path
    rel: str
    sha256: str
    size: int
    mtime_ns: int
    fresh: bool = True  # hashed now (False: the recorded hash of an entry whose stat is as recorded)

    @property
    def stat_key(self) -> tuple[int, int, str]:
        return self.size, self.mtime_ns, self.sha256


def recorded_stats(ledger: pd.DataFrame | None) -> dict[str, tuple[int, int, str]]:
    """path -> (size, mtime_ns, SHA-256) of the ledger's current entries that carry a stat."""
    if ledger is None or "file_mtime_ns" not in ledger:
        return {}
    current = ledger[ledger["status"].isin(_CURRENT) & ledger["file_mtime_ns"].notna() & ledger["file_size"].notna()]
    return {
        rel: (int(size), int(mtime), sha)
        for rel, size, mtime, sha in zip(
            current["file_path"], current["file_size"], current["file_mtime_ns"], current["file_sha256"]
        )
    }


def _hashed(
    files: list[Path],
    raw_dir: Path,
    known: dict[str, tuple[int, int, str]] | None = None,
    resolve: Callable[[Path], Path] | None = None,
) -> list[Entry]:
    """Each entry with its SHA-256 and lstat, in path order.

    ``known``: path -> (size, mtime_ns, SHA-256) already taken (the ledger's, or a sensor's
    memo); an entry whose size and mtime are still those keeps that hash, unread.
    The entry itself is never resolved (a symlink is reported as a link, not read as its
    target), and an entry that is not a regular file inside raw/ is not opened: its
    "SHA-256" is that of its path, so the ledger still has one stable key per entry."""
    out = []
    resolve = resolve or guards.FolderResolver()
    for path in sorted(files):
        rel = relative_entry(path, raw_dir, resolve)
        try:
            st = Path(path).lstat()
            size, mtime_ns = st.st_size, st.st_mtime_ns
        except OSError:
            size, mtime_ns = -1, -1
        k = (known or {}).get(rel)
        if k is not None and size >= 0 and k[0] == size and k[1] == mtime_ns:
            out.append(Entry(path, rel, k[2], size, mtime_ns, fresh=False))
            continue
        if guards.entry_problem(path, rel, raw_dir, resolve) is None:
            sha = L.sha256_file(path)
        else:
            sha = hashlib.sha256(b"not read: " + rel.encode("utf-8", "surrogateescape")).hexdigest()
        out.append(Entry(path, rel, sha, size, mtime_ns))
    return out


def relative_entry(path: Path, raw_dir: Path, resolve: Callable[[Path], Path] = Path.resolve) -> str:
    """``path`` relative to ``raw_dir``, its folders resolved (by ``resolve``) but not the entry itself."""
    path = Path(path)
    here = resolve(path.parent) / path.name
    try:
        return here.relative_to(resolve(Path(raw_dir))).as_posix()
    except ValueError:
        return path.name


def _problem_order(p: Problem) -> tuple:
    return (p.sheet or "", p.row or 0, p.cell or "", p.rule, p.message, p.column or "")


@dataclass
class PartitionCheck:
    """A partition's raw entries beside its ledger: the one answer to "did it change?"."""

    entries: list[Entry]
    ledger: pd.DataFrame | None
    current: bool


def check_partition(
    source: Source,
    partition: str,
    files: list[Path],
    *,
    raw_dir: Path,
    lake_dir: Path,
    memo: dict[str, tuple[int, int, str]] | None = None,
) -> PartitionCheck:
    """Compare a partition's raw entries with its ledger. An entry is hashed only when its
    size or mtime differ from the ledger's record (or from ``memo``, hashes taken since)."""
    previous = _previous_ledger(lake_dir, source.name, partition)
    entries = _hashed(files, raw_dir, known={**recorded_stats(previous), **(memo or {})})
    return PartitionCheck(entries, previous, previous is not None and _unchanged(previous, entries))


def _unchanged(previous: pd.DataFrame, hashed: list[Entry]) -> bool:
    """The partition holds exactly the files (path and content) its ledger recorded, under
    the same contract version: reading and validating them again would change nothing.
    (A return quarantined only for a date in the future is not re-checked until its
    files or the contract change.)"""
    if "contract_version" not in previous:
        return False
    current = previous[previous["status"].isin(_CURRENT)]
    if current.empty and not hashed:
        return True  # nothing current before and no file now (a wave one source has no folder for)
    return (
        set(zip(current["file_path"], current["file_sha256"])) == {(e.rel, e.sha256) for e in hashed}
        and len(current) == len(hashed)
        and bool((current["contract_version"] == contract_version()).all())
    )


def safe_read(source: Source, path: Path, rel: str, sha: str) -> FileRead:
    """Read a file; whatever goes wrong becomes a problem naming the file, never a crash.

    The limits (`contracts.limits`) are checked first, from the file's size and, for zip
    containers, its directory and a streaming scan of its sheets, so the reader is never
    handed a file that would cost more than the limits allow."""
    try:
        found = guards_before_read(Path(path), rel)
        if found:
            read = FileRead(rel, sha)
            read.problems.extend(found)
            return read
        return source.read(path, rel, sha)
    except Exception as exc:  # noqa: BLE001 - any unreadable file is quarantined with the reason
        read = FileRead(rel, sha)
        read.problems.append(Problem(rel, "unreadable", f"cannot be read: {type(exc).__name__}: {exc}"))
        return read


def guards_before_read(path: Path, rel: str) -> list[Problem]:
    """The problems found before parsing: file size; for .xlsx the zip limits, each sheet's
    used range and the cells python-calamine cannot see; for .qdpx the zip limits."""
    problem = guards.size_problem(path, rel)
    if problem is not None:
        return [problem]
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return guards.workbook_problems(path, rel)
    if suffix == ".qdpx":
        import zipfile

        try:
            with zipfile.ZipFile(path) as zf:
                return guards.zip_problems(zf, rel)
        except (zipfile.BadZipFile, OSError):
            return []  # the reader says it is not a zip
    return []


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
    ledger = pd.DataFrame(
        {
            c: pd.Series(
                [], dtype="Int64" if c.startswith(("rows_", "problem_", "file_size", "file_mtime")) else object
            )
            for c in _LEDGER_COLUMNS
        }
    )
    lake.ensure_empty_tables(lake_dir, source.name, {**source.empty_tables(), FILES_TABLE: ledger})


def listed_entries(folder: Path) -> list[Path]:
    """A folder's entries, sorted; hidden entries (``.``) and Office lock files (``~$``) are
    left out: the operating system and Excel make them, nobody submits them."""
    try:
        return sorted(p for p in Path(folder).iterdir() if not p.name.startswith((".", "~$")))
    except OSError:
        return []


def is_real_folder(path: Path) -> bool:
    """A folder that is not a symlink (a symlinked folder is reported, never followed)."""
    return Path(path).is_dir() and not Path(path).is_symlink()


def partition_folders(
    root: Path, key: Callable[[str], str] = str, *, skip_suffixes: tuple[str, ...] = ()
) -> dict[str, list[Path]]:
    """The usual raw layout ``root/<partition folder>/<entries>``: partition key -> its entries.

    Every entry of a partition folder is listed (files, folders, links alike): ingestion
    reads the files and quarantines the rest with the reason (`guards.entry_problem`), so
    nothing in raw/ is skipped silently. Left out: hidden entries, Office lock files, and
    names ending in ``skip_suffixes`` (e.g. a folder's README.md). Folders whose name is
    not a partition (``key`` raises ValueError), symlinked folders, ``_``-prefixed folders
    and files directly in ``root`` are not partitions: `folder_strays` reports them.
    """
    found: dict[str, list[Path]] = {}
    for folder in listed_entries(root):
        if not is_real_folder(folder) or folder.name.startswith("_") or guards.control_characters(folder.name):
            continue
        try:
            partition = key(folder.name)
        except ValueError:
            continue
        entries = [f for f in listed_entries(folder) if not (skip_suffixes and f.name.endswith(skip_suffixes))]
        found.setdefault(partition, []).extend(entries)
    return found


def folder_strays(root: Path, key: Callable[[str], str] = str) -> list[tuple[Path, str]]:
    """The entries of ``root`` (``raw/<source>/``) that are not partition folders, each with
    why it is skipped: a stray file, a folder not named like a partition, a symlink."""
    out = []
    for entry in listed_entries(root):
        if guards.control_characters(entry.name):
            out.append((entry, "the name contains control characters (e.g. a newline): not read"))
        elif entry.is_symlink():
            out.append((entry, "a symbolic link: links are not followed (put the folder itself in raw/)"))
        elif not entry.is_dir():
            out.append((entry, "a file outside any partition folder: not read"))
        elif entry.name.startswith("_"):
            continue  # documented: _-prefixed folders are set aside on purpose
        else:
            try:
                key(entry.name)
            except ValueError as exc:
                out.append((entry, f"folder {entry.name!r} is not a partition folder ({exc}): not read"))
    return out


UNSORTED = "_unsorted"
"""The lake partition holding a source's ledger of raw entries that belong to no partition."""


def record_strays(
    source: Source, raw_dir: Path, lake_dir: Path, run_id: str, now: dt.datetime | None = None
) -> pd.DataFrame:
    """Write the ``_unsorted`` ledger of ``source``: every entry of its raw folder that is no
    partition's (`Source.strays`), quarantined with the reason, so `audit.fct_files` and the
    run summary list it. The ledger is replaced each time (an entry removed from raw/ leaves it)."""
    strays = source.strays(raw_dir) if hasattr(source, "strays") else []
    now = now or dt.datetime.now(dt.UTC).replace(microsecond=0)
    rows = []
    for path, reason in strays:
        rel = relative_entry(path, raw_dir)
        rows.append(
            {
                "source": source.name,
                "partition_key": UNSORTED,
                "file_path": rel,
                "file_sha256": hashlib.sha256(b"not read: " + rel.encode("utf-8", "surrogateescape")).hexdigest(),
                "status": "quarantined",
                "problem_count": 1,
                "problems": json.dumps([str(Problem(rel, "stray_entry", reason))], ensure_ascii=False),
                "rows_read": 0,
                "rows_loaded": 0,
                "rows_rejected": 0,
                "column_letters": "{}",
                "meta": "{}",
                "run_id": run_id,
                "loaded_at": now.isoformat(),
                "contract_version": contract_version(),
            }
        )
    ledger = pd.DataFrame(rows, columns=_LEDGER_COLUMNS)
    previous = _previous_ledger(lake_dir, source.name, UNSORTED)
    if previous is not None and _same_entries(previous, ledger):
        return previous  # unchanged: the file (and what the warehouse was built from) stays as it is
    if rows:
        lake.write_partition(lake_dir, source.name, UNSORTED, {FILES_TABLE: ledger})
    else:
        lake.remove_partition(lake_dir, source.name, UNSORTED)
    return ledger


def _same_entries(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    key = ["file_path", "problems", "contract_version"]
    return sorted(map(tuple, a[key].to_numpy().tolist())) == sorted(map(tuple, b[key].to_numpy().tolist()))


class WaveFolderSource:
    """A source whose files sit in ``raw/<source>/<wave>/`` (survey exports, interview coding)."""

    name: str
    wave_pattern = None  # compiled regex a wave folder name must match

    def discover(self, raw_dir: Path) -> dict[str, list[Path]]:
        return partition_folders(Path(raw_dir) / self.name, skip_suffixes=(".md",))

    def strays(self, raw_dir: Path) -> list[tuple[Path, str]]:
        """Entries of ``raw/<source>/`` that are not wave folders (see `folder_strays`)."""
        return folder_strays(Path(raw_dir) / self.name)

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
