"""No silent data loss: the two guards a run passes before it may replace the warehouse.

* `raw_folder_problem`: a ``--raw-dir`` that does not exist, is not a folder, has none of
  the source folders or holds no file at all is a mistake (a typo, an unmounted share),
  not "every file was withdrawn". The run stops before it touches the build folder. (A
  raw folder may lack some source folders: a partnership may have only HR returns so
  far. A source folder that disappears after its files were built is a withdrawal.)
* `find_withdrawals`: the files the published warehouse was built from that the lake no
  longer holds. Every one is named in the run summary. A mass withdrawal - a source
  losing more than `MAX_WITHDRAWN_SHARE` of its files, or a quarter or wave that had
  files and has none left - is refused: the warehouse (and everything published from it)
  stays as it was unless the run is told ``--accept-withdrawals`` (run tag
  `ACCEPT_WITHDRAWALS_TAG` in Dagster), because such a loss is far likelier to be a
  moved folder than a real retraction of a quarter's returns.

The withdrawal guard compares the lake with the warehouse in use (``audit.fct_files``),
not with the previous run, so it holds whichever path ingested the files (`succession
run`, the raw-folder sensor, the UI) and keeps refusing on every run until accepted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from succession.errors import UsageError
from succession.ingest import lake
from succession.ingest.framework import _CURRENT as CURRENT_STATUSES  # loaded, quarantined (not replaced, withdrawn)
from succession.ingest.framework import FILES_TABLE, UNSORTED
from succession.paths import ProjectPaths
from succession.sources import sources

# A source losing more than this share of its files since the warehouse in use was built is
# refused (one corrected or retracted return is normal; a quarter of a source is not).
MAX_WITHDRAWN_SHARE = 0.25
ACCEPT_WITHDRAWALS_TAG = "succession/accept_withdrawals"


class RawFolderError(UsageError):
    """The raw folder cannot be what the user meant: one line saying what is missing."""


def source_folders() -> list[str]:
    """The folders directly under raw/ that the sources read (two sources may share one)."""
    return sorted({getattr(src, "raw_folder", name) for name, src in sources().items()})


def raw_folder_problem(raw_dir: Path) -> str | None:
    """What is wrong with ``raw_dir`` as a raw folder, in one line, or None."""
    raw_dir = Path(raw_dir)
    if not raw_dir.exists():
        return f"raw folder {raw_dir} does not exist"
    if not raw_dir.is_dir():
        return f"raw folder {raw_dir} is not a folder"
    wanted = source_folders()
    expected = ", ".join(w + "/" for w in wanted)
    present = [name for name in wanted if (raw_dir / name).is_dir()]
    if not present:
        return f"raw folder {raw_dir} has none of the source folders {expected}"
    if not any(p.is_file() for name in present for p in (raw_dir / name).rglob("*")):
        return (
            f"raw folder {raw_dir} holds no files in {', '.join(p + '/' for p in present)} (source folders: {expected})"
        )
    return None


def check_raw_folder(raw_dir: Path) -> None:
    if (problem := raw_folder_problem(raw_dir)) is not None:
        raise RawFolderError(problem)


def lake_ledger(paths: ProjectPaths) -> pd.DataFrame:
    """Every source's file ledger (``<source>/<partition>/_files``) as one frame, with the
    raw/ entries no partition reads (``UNSORTED``: stray files, links, folders)."""
    frames = [
        df
        for src in sources().values()
        for part in [*lake.partitions(paths.lake_dir, src.name), UNSORTED]
        if (df := lake.read_partition_table(paths.lake_dir, src.name, part, FILES_TABLE)) is not None
    ]
    return (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=["source", "partition_key", "file_path", "status"])
    )


def _warehouse_files(warehouse: Path) -> pd.DataFrame | None:
    """The current files the warehouse in use was built from; None when there is none to protect."""
    if not warehouse.exists():
        return None
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            return con.execute(
                "select source, partition_key, file_path from audit.fct_files where status in (?, ?)",
                list(CURRENT_STATUSES),
            ).df()
    except duckdb.CatalogException:
        return None  # a warehouse from before the audit marts: nothing to compare with


@dataclass
class Withdrawals:
    """Files of the warehouse in use that the lake no longer holds, and why that is too many."""

    files: list[tuple[str, str, str]] = field(default_factory=list)  # (source, partition, path)
    breaches: list[str] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return bool(self.breaches)

    def refusal(self) -> str:
        return (
            f"refusing to replace the warehouse: {'; '.join(self.breaches)}. "
            f"{len(self.files)} file(s) withdrawn since the warehouse in use was built; the warehouse and the "
            "published files are unchanged. Check the raw folder, or run again with --accept-withdrawals "
            f"(Dagster run tag {ACCEPT_WITHDRAWALS_TAG}=true) if the files were really withdrawn."
        )

    def lines(self) -> list[str]:
        return [f"files withdrawn: {len(self.files)}", *(f"  {path}" for _, _, path in self.files)]


def find_withdrawals(paths: ProjectPaths) -> Withdrawals:
    """Compare the warehouse in use with the lake: which files went, and is it a mass withdrawal?"""
    before = _warehouse_files(paths.warehouse)
    if before is None or before.empty:
        return Withdrawals()
    ledger = lake_ledger(paths)
    now = ledger[ledger["status"].isin(CURRENT_STATUSES)]
    gone = before[~before["file_path"].isin(set(now["file_path"]))].sort_values(
        ["source", "partition_key", "file_path"]
    )
    found = Withdrawals(files=list(gone.itertuples(index=False, name=None)))
    if gone.empty:
        return found
    for source, had in before.groupby("source"):
        lost = gone[gone["source"] == source]
        if len(lost) > MAX_WITHDRAWN_SHARE * len(had):
            found.breaches.append(
                f"{source} lost {len(lost)} of its {len(had)} files (more than {MAX_WITHDRAWN_SHARE:.0%})"
            )
        left = now[now["source"] == source]
        for partition in sorted(set(lost["partition_key"]) - set(left["partition_key"])):
            found.breaches.append(f"{source} {partition} has no files left")
    return found
