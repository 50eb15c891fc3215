"""The raw folder sensor: registers quarters and waves, and requests their ingestion.

What follows an ingestion (the warehouse, the latest quarter's documents, the figure
register) is declarative automation on those assets (orchestration/conditions.py).

The cursor is JSON: ``{"files": {"<source>/<rel path>": [size, mtime_ns, sha256]}}``.
A file is hashed only when its size or mtime differ from the cursor, so a tick over an
unchanged raw folder costs one ``stat`` per file. A partition is re-ingested when one
of its files is new, has different content, or was withdrawn; touching a file without
changing it requests nothing.
"""

import json
import stat
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from orchestration.partitions import sort_keys
from orchestration.resources import ProjectPathsResource
from succession.ingest.framework import relative_entry
from succession.ingest.lineage import sha256_file
from succession.settings import Settings
from succession.sources import sources

TRIGGER_TAG = "succession/trigger"
QUARTERS_TAG = "succession/quarters"
INGEST_JOB = {"quarter": "ingest_quarters", "wave": "ingest_waves"}


def default_status(settings: Settings) -> dg.DefaultSensorStatus:
    """RUNNING when the settings say ``SUCCESSION_AUTOMATION=on``, else STOPPED."""
    return dg.DefaultSensorStatus.RUNNING if settings.automation else dg.DefaultSensorStatus.STOPPED


@dataclass(frozen=True)
class RawFile:
    source: str
    kind: str  # quarter | wave | none
    partition: str
    path: Path


def discover(raw_dir: Path) -> dict[str, RawFile]:
    """Every raw file any source claims, keyed ``<source>/<path relative to raw/>``."""
    found: dict[str, RawFile] = {}
    for src in sources().values():
        for key, files in src.discover(raw_dir).items():
            for f in files:
                rel = relative_entry(f, raw_dir)  # a symlink is itself, not its target
                found[f"{src.name}/{rel}"] = RawFile(src.name, src.partition_kind, key, Path(f))
    return found


@dataclass
class Scan:
    state: dict[str, list]  # id -> [size, mtime_ns, sha256]
    affected: dict[str, set[str]]  # kind -> partition keys to (re-)ingest
    changes: list[str]  # human-readable, for the run tags and the log
    hashed: int


def scan(raw_dir: Path, previous: dict[str, list]) -> Scan:
    """Compare raw/ with the cursor state; say which partitions need ingesting."""
    files = discover(raw_dir)
    state: dict[str, list] = {}
    affected: dict[str, set[str]] = {}
    changes: list[str] = []
    hashed = 0
    for fid, rf in sorted(files.items()):
        st = rf.path.lstat()  # links and folders are not followed: ingestion reports them
        old = previous.get(fid)
        if old and old[0] == st.st_size and old[1] == st.st_mtime_ns:
            state[fid] = [*old[:3], rf.kind, rf.partition]
            continue
        sha = sha256_file(rf.path) if stat.S_ISREG(st.st_mode) else f"not a file: {st.st_mode:o}"
        hashed += 1
        state[fid] = [st.st_size, st.st_mtime_ns, sha, rf.kind, rf.partition]
        if old and old[2] == sha:
            continue  # touched, not changed
        affected.setdefault(rf.kind, set()).add(rf.partition)
        changes.append(f"{'changed' if old else 'new'}: {fid}")
    for fid, old in sorted(previous.items()):
        if fid not in state:
            kind, partition = (old[3], old[4]) if len(old) >= 5 else (None, None)
            if kind:
                affected.setdefault(kind, set()).add(partition)
            changes.append(f"withdrawn: {fid}")
    return Scan(state, affected, changes, hashed)


def load_cursor(cursor: str | None) -> dict[str, list]:
    if not cursor:
        return {}
    try:
        return dict(json.loads(cursor).get("files", {}))
    except (ValueError, AttributeError):
        return {}


RAW_SENSOR_DOC = (
    "Watches raw/ (SUCCESSION_RAW_DIR): new quarters and waves become partitions, and exactly the "
    "partitions whose files arrived, changed or were withdrawn are ingested (then the warehouse "
    "and the latest quarter's reports rebuild, see automation_condition_sensor). Cursor: file -> size, mtime, SHA-256."
)


def build_raw_files_sensor(jobs: dict, settings: Settings) -> dg.SensorDefinition:
    @dg.sensor(
        name="raw_files_sensor",
        minimum_interval_seconds=settings.sensor_interval,
        jobs=[jobs["ingest_quarters"], jobs["ingest_waves"], jobs["build_warehouse"]],
        default_status=default_status(settings),
        description=RAW_SENSOR_DOC,
    )
    def raw_files_sensor(context: dg.SensorEvaluationContext, project: ProjectPathsResource):
        return evaluate(context, project)

    return raw_files_sensor


def evaluate(context: dg.SensorEvaluationContext, project: ProjectPathsResource):
    raw_dir = project.paths.raw_dir
    if not raw_dir.exists():
        return dg.SkipReason(f"raw folder {raw_dir} does not exist")
    result = scan(raw_dir, load_cursor(context.cursor))
    cursor = json.dumps({"files": result.state}, sort_keys=True, separators=(",", ":"))
    if not result.affected:
        return dg.SensorResult(
            skip_reason=dg.SkipReason(f"no raw file changed ({len(result.state)} files, {result.hashed} re-hashed)"),
            cursor=cursor,
        )
    for line in result.changes:
        context.log.info(line)
    partition_requests = []
    run_requests = []
    for kind, keys in sorted(result.affected.items()):
        if kind not in INGEST_JOB:
            # unpartitioned inputs (the regional plan) load in the warehouse job itself
            run_requests.append(dg.RunRequest(job_name="build_warehouse", tags={TRIGGER_TAG: "raw_files_sensor"}))
            continue
        existing = set(context.instance.get_dynamic_partitions(kind))
        ordered = sort_keys(kind, keys)
        new = [k for k in ordered if k not in existing]
        if new:
            partition_requests.append(dg.AddDynamicPartitionsRequest(partitions_def_name=kind, partition_keys=new))
        for key in ordered:
            tags = {TRIGGER_TAG: "raw_files_sensor"}
            if kind == "quarter":
                tags[QUARTERS_TAG] = key
            run_requests.append(dg.RunRequest(job_name=INGEST_JOB[kind], partition_key=key, tags=tags))
    return dg.SensorResult(run_requests=run_requests, dynamic_partitions_requests=partition_requests, cursor=cursor)
