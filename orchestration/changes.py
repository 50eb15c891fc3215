"""What changed: the one change detector, the lake's file ledger.

Every question "is there anything to do?" is answered from the same identity: the
ledger of each source and partition (``lake/<source>/<partition>/_files.parquet``),
which records every raw file's path, SHA-256 and the contract version it was loaded
under, with the file's size and mtime when it was hashed.

* Which partitions to ingest (`changed_partitions`, `scan`): those whose raw files
  differ from their ledger: new, changed or withdrawn files, or a new contract
  version. `succession run` and the raw-folder sensor both ask this. A file whose size
  and mtime are still those the ledger recorded is not read again (a sensor tick over an
  unchanged raw folder costs one ``lstat`` per file); the sensor also remembers the hashes
  of files the lake has not caught up with yet (``memo``), so a file awaiting its run,
  or touched without being changed, is hashed once, not at every tick.
* Whether the warehouse is current (`source_digests`): a digest per source of its
  ledgers (what each file's content and status is, under which contract), compared
  with the record of the last build that passed (`orchestration.warehouse`).
* Whether dbt's manifest is current (`dbt_files_digest`): the content of the dbt
  project's files.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow.parquet as pq

from succession.ingest import lake
from succession.ingest.framework import FILES_TABLE, UNSORTED, check_partition, contract_version
from succession.ingest.lineage import sha256_file
from succession.paths import DBT_PROJECT_DIR, ProjectPaths
from succession.periods import period_label, sort_keys
from succession.sources import sources

if TYPE_CHECKING:
    from succession.settings import Settings

Memo = dict[str, tuple[int, int, str]]  # "<source>/<path in raw/>" -> (size, mtime_ns, SHA-256)


def partition_keys(paths: ProjectPaths) -> dict[str, list[str]]:
    """Every quarter and wave found in raw/ (or already in the lake), in order, by kind."""
    found: dict[str, set[str]] = {"quarter": set(), "wave": set()}
    for src in sources().values():
        if src.partition_kind in found:
            found[src.partition_kind] |= set(_partitions_of(src, paths))
    return {kind: sort_keys(kind, keys) for kind, keys in found.items()}


def _partitions_of(src, paths: ProjectPaths) -> dict[str, list[Path]]:
    """A source's partitions and their raw files: those in raw/, and those only in the lake
    (every file withdrawn: the partition is run again so the ledger records it)."""
    found = src.discover(paths.raw_dir)
    for folder in lake.partitions(paths.lake_dir, src.name):
        found.setdefault(period_label(folder) if src.partition_kind == "quarter" else folder, [])
    return found


@dataclass
class Change:
    """A partition (of one kind, across the sources of that kind) whose raw files differ from the lake."""

    kind: str  # quarter | wave | none
    key: str
    lines: list[str] = field(default_factory=list)  # "new: ...", "changed: ...", "withdrawn: ...", for the log
    state: str = ""  # digest of the raw files and of the ledgers they are compared with


@dataclass
class Scan:
    changes: list[Change]
    memo: Memo  # hashes of the files the lake has not recorded with their current size and mtime
    files: int
    hashed: int

    def keys(self, kind: str) -> list[str]:
        return sort_keys(kind, [c.key for c in self.changes if c.kind == kind])


def scan(paths: ProjectPaths, kinds: tuple[str, ...] | None = None, memo: Memo | None = None) -> Scan:
    """The partitions whose raw files differ from what the lake's ledger recorded."""
    memo = memo or {}
    found: dict[tuple[str, str], Change] = {}
    digests: dict[tuple[str, str], hashlib._Hash] = {}
    new_memo: Memo = {}
    files = hashed = 0
    for src in sources().values():
        if kinds is not None and src.partition_kind not in kinds:
            continue
        prefix = f"{src.name}/"
        mine = {k.removeprefix(prefix): v for k, v in memo.items() if k.startswith(prefix)}
        for key, entries in sorted(_partitions_of(src, paths).items()):
            check = check_partition(src, key, entries, raw_dir=paths.raw_dir, lake_dir=paths.lake_dir, memo=mine)
            files += len(check.entries)
            hashed += sum(e.fresh for e in check.entries)
            recorded = _recorded(check.ledger)
            for e in check.entries:
                if recorded.get(e.rel) != (e.size, e.mtime_ns, e.sha256):
                    new_memo[prefix + e.rel] = e.stat_key
            if check.current:
                continue
            change = found.setdefault((src.partition_kind, key), Change(src.partition_kind, key))
            change.lines += _describe(src.name, check, recorded)
            h = digests.setdefault((src.partition_kind, key), hashlib.sha256())
            h.update(f"{src.name}\0{contract_version()}\0{_ledger_stamp(paths, src.name, key)}\n".encode())
            for e in check.entries:
                h.update(f"{e.rel}\0{e.sha256}\n".encode())
    for where, change in found.items():
        change.state = digests[where].hexdigest()[:16]
    ordered = [
        found[(kind, key)]
        for kind in ("quarter", "wave", "none")
        for key in sort_keys(kind, [k for d, k in found if d == kind])
    ]
    return Scan(ordered, new_memo, files, hashed)


def changed_partitions(paths: ProjectPaths, kind: str) -> list[str]:
    """Partition keys of this kind (quarters or waves) whose raw files differ from what the
    lake's ledger recorded: new, changed or withdrawn files, or a new contract version."""
    return scan(paths, kinds=(kind,)).keys(kind)


def _recorded(ledger) -> dict[str, tuple[int | None, int | None, str]]:
    """path -> (size, mtime_ns, SHA-256) of the ledger's current entries (None: not recorded)."""
    if ledger is None:
        return {}
    current = ledger[ledger["status"].isin(["loaded", "quarantined"])]
    blank = pd.Series([None] * len(current), index=current.index, dtype="Int64")
    sizes, mtimes = (current.get(c, blank) for c in ("file_size", "file_mtime_ns"))
    return {
        rel: (None if pd.isna(size) else int(size), None if pd.isna(mtime) else int(mtime), sha)
        for rel, sha, size, mtime in zip(current["file_path"], current["file_sha256"], sizes, mtimes)
    }


def _describe(source: str, check, recorded: dict) -> list[str]:
    now = {e.rel: e.sha256 for e in check.entries}
    lines = [
        f"{'new' if rel not in recorded else 'changed'}: {source}/{rel}"
        for rel, sha in sorted(now.items())
        if rel not in recorded or recorded[rel][2] != sha
    ]
    lines += [f"withdrawn: {source}/{rel}" for rel in sorted(set(recorded) - set(now))]
    return lines or [f"contract changed: {source} (every file is validated again)"]


def _ledger_stamp(paths: ProjectPaths, source: str, partition: str) -> str:
    """When the partition's ledger was last written ("" when never): part of a sensor's run
    key, so a partition that returns to an earlier state is still ingested again."""
    try:
        st = (lake.partition_dir(paths.lake_dir, source, partition) / f"{FILES_TABLE}.parquet").stat()
    except OSError:
        return ""
    return f"{st.st_size}:{st.st_mtime_ns}"


# --- the warehouse's inputs -------------------------------------------------------------------

_IDENTITY = ["partition_key", "file_path", "file_sha256", "status", "contract_version"]


def source_digests(paths: ProjectPaths) -> dict[str, str]:
    """A digest per lake source of what its ledgers say the lake holds: each file's path,
    SHA-256, status (loaded, quarantined, replaced, withdrawn) and contract version, and
    the contract version now (which also shapes the schema-only tables of an empty source)."""
    out = {}
    for name in sources():
        h = hashlib.sha256(f"contract\0{contract_version()}\n".encode())
        for part in [*lake.partitions(paths.lake_dir, name), UNSORTED]:
            path = lake.partition_dir(paths.lake_dir, name, part) / f"{FILES_TABLE}.parquet"
            if not path.exists():
                continue
            table = pq.read_table(path, columns=_IDENTITY)
            rows = sorted(zip(*(table.column(c).to_pylist() for c in _IDENTITY)))
            h.update(f"partition\0{part}\n".encode())
            for row in rows:
                h.update(("\0".join(str(v) for v in row) + "\n").encode())
        out[name] = h.hexdigest()
    return out


def _files_hash(files: list[Path], root: Path) -> hashlib._Hash:
    """Each file's path under ``root`` and content SHA-256, in the order given."""
    h = hashlib.sha256()
    for f in files:
        h.update(f"{f.relative_to(root).as_posix()}\0{sha256_file(f)}\n".encode())
    return h


def dbt_project_files() -> list[Path]:
    """Every file dbt reads to make its manifest (and so the warehouse's shape)."""
    files = sorted(
        p
        for folder in ("models", "macros", "seeds", "tests")
        for p in (DBT_PROJECT_DIR / folder).rglob("*")
        if p.is_file()
    )
    return [*files, DBT_PROJECT_DIR / "dbt_project.yml", DBT_PROJECT_DIR / "profiles.yml"]


def dbt_files_digest(extra: list[tuple[str, str]] = ()) -> str:
    """The content of the dbt project's files (and ``extra`` name/value pairs, e.g. the vars
    its models read)."""
    h = _files_hash(dbt_project_files(), DBT_PROJECT_DIR)
    for name, value in extra:
        h.update(f"{name}\0{value}\n".encode())
    return h.hexdigest()


# --- what the warehouse was built from ------------------------------------------------------


def warehouse_inputs(paths: ProjectPaths, settings: Settings | None = None) -> dict[str, str]:
    """What a build reads, by content: a digest per lake source of its file ledgers (each
    file's SHA-256, status and contract version: `changes.source_digests`), and of the dbt
    project's files with the settings its models read (``settings``; default: the defaults)."""
    out = {f"source:{name}": digest for name, digest in source_digests(paths).items()}
    from succession.settings import Settings

    settings = settings or Settings.from_values({})
    out["dbt_project"] = dbt_files_digest([("var:return_deadline_days", str(settings.return_deadline_days))])
    return out


def inputs_file(paths: ProjectPaths) -> Path:
    return paths.build_dir / "warehouse.inputs.json"


def changed_sources(paths: ProjectPaths, settings: Settings | None = None) -> tuple[list[str] | None, dict[str, str]]:
    """The lake sources changed since the last build: None = rebuild everything.

    Everything when there is no warehouse or no record of its inputs, or the dbt project
    changed; otherwise the sources whose lake files changed ([] = the warehouse is current).
    """
    now = warehouse_inputs(paths, settings)
    recorded = inputs_file(paths)
    if not paths.warehouse.exists() or not recorded.exists():
        return None, now
    before = json.loads(recorded.read_text())
    if before.get("dbt_project") != now["dbt_project"]:
        return None, now
    return [
        key.removeprefix("source:")
        for key, digest in now.items()
        if key.startswith("source:") and before.get(key) != digest
    ], now


# --- the documents and the figure register ------------------------------------------------------
#
# What a document or the register is made from: the warehouse, named by the record of what it
# was built from (`warehouse.inputs.json`, content digests), and the code that renders it. Every
# swap of the warehouse forgets these records (`forget_outputs`, called by build_then_swap), so a
# warehouse built from the UI without a record is never mistaken for the one documents were made from.

OUTPUTS_RECORD_DIR = ".outputs"  # build/.outputs/<name digest>: the inputs an output was last made from


def _render_scratch(rel: Path) -> bool:
    """Files a render leaves beside the documents while it runs (Quarto's ``.quarto/``,
    ``<stem>.quarto_ipynb`` and ``<stem>_files/``): not the documents' code, and present only
    while a render of the same checkout is under way."""
    return rel.name.endswith(".quarto_ipynb") or any(
        part.startswith(".") or part.endswith("_files") for part in rel.parts
    )


def _code_digest() -> str:
    """The documents, the Python that renders them and the locked library versions."""
    from succession.paths import PROJECT_DIR, REPORTS_DIR

    package = PROJECT_DIR / "succession"
    files = sorted(
        [
            *(p for p in REPORTS_DIR.rglob("*") if p.is_file() and not _render_scratch(p.relative_to(REPORTS_DIR))),
            *package.rglob("*.py"),
            PROJECT_DIR / "uv.lock",
        ]
    )
    return _files_hash([f for f in files if f.exists()], PROJECT_DIR).hexdigest()


def output_inputs(paths: ProjectPaths, name: str, *extra: str) -> str | None:
    """The digest of what output ``name`` would be made from now; None when the warehouse
    has no record of what it was built from (then it is made again)."""
    record = paths.build_dir / "warehouse.inputs.json"
    if not paths.warehouse.exists() or not record.exists():
        return None
    h = hashlib.sha256(f"{name}\0{hashlib.sha256(record.read_bytes()).hexdigest()}\0{_code_digest()}\n".encode())
    for value in extra:
        h.update(f"{value}\n".encode())
    return h.hexdigest()


def _record_path(paths: ProjectPaths, name: str) -> Path:
    return paths.build_dir / OUTPUTS_RECORD_DIR / hashlib.sha256(name.encode()).hexdigest()[:32]


def output_current(paths: ProjectPaths, name: str, digest: str | None, outputs: list[Path]) -> bool:
    """Output ``name`` was last made from ``digest`` and its files are all still there."""
    path = _record_path(paths, name)
    return (
        digest is not None
        and path.exists()
        and path.read_text().strip() == digest
        and bool(outputs)
        and all(p.exists() for p in outputs)
    )


def record_output(paths: ProjectPaths, name: str, digest: str | None) -> None:
    path = _record_path(paths, name)
    if digest is None:
        path.unlink(missing_ok=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(digest + "\n")
    tmp.replace(path)


def forget_outputs(paths: ProjectPaths) -> None:
    """The warehouse was replaced: every document and the register must be made again."""
    folder = paths.build_dir / OUTPUTS_RECORD_DIR
    if folder.exists():
        for f in folder.iterdir():
            f.unlink(missing_ok=True)
