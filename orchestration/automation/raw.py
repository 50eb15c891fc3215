"""The raw folder sensor: registers quarters and waves, and requests their ingestion.

What follows an ingestion (the warehouse, the latest quarter's documents, the figure
register) is declarative automation on those assets (orchestration/conditions.py).

What to ingest is decided as `succession run` decides it (`orchestration.changes.scan`):
the partitions whose raw files differ from the lake's ledger (a new, changed or
withdrawn file, or a new contract version). Each is requested with a run key made of
its files' hashes and the time its ledger was last written, so the ticks that see it
again while its run is pending request nothing new (Dagster skips a run key it has
launched), and it is requested again once the lake has moved on. Touching a file
without changing it requests nothing.

The cursor only memoises hashes (``{"hashes": {"<source>/<path>": [size, mtime_ns, sha256]}}``)
of files the ledger does not yet record with their current size and mtime: a file is
hashed only when its size or mtime differ from both, so a tick over an unchanged raw
folder costs one ``lstat`` per file.
"""

import json

import dagster as dg

from orchestration.changes import Memo, scan
from orchestration.resources import ProjectPathsResource
from succession.settings import Settings

TRIGGER_TAG = "succession/trigger"
QUARTERS_TAG = "succession/quarters"
INGEST_JOB = {"quarter": "ingest_quarters", "wave": "ingest_waves"}


def default_status(settings: Settings) -> dg.DefaultSensorStatus:
    """RUNNING when the settings say ``SUCCESSION_AUTOMATION=on``, else STOPPED."""
    return dg.DefaultSensorStatus.RUNNING if settings.automation else dg.DefaultSensorStatus.STOPPED


def load_cursor(cursor: str | None) -> Memo:
    if not cursor:
        return {}
    try:
        return {k: (int(v[0]), int(v[1]), str(v[2])) for k, v in json.loads(cursor).get("hashes", {}).items()}
    except (ValueError, AttributeError, TypeError, IndexError):
        return {}


RAW_SENSOR_DOC = (
    "Watches raw/ (SUCCESSION_RAW_DIR): new quarters and waves become partitions, and exactly the "
    "partitions whose files arrived, changed or were withdrawn are ingested (then the warehouse "
    "and the latest quarter's reports rebuild, see automation_condition_sensor). Compared with the lake's file ledger."
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
    paths = project.paths
    if not paths.raw_dir.exists():
        return dg.SkipReason(f"raw folder {paths.raw_dir} does not exist")
    result = scan(paths, memo=load_cursor(context.cursor))
    cursor = json.dumps({"hashes": result.memo}, sort_keys=True, separators=(",", ":"))
    if not result.changes:
        return dg.SensorResult(
            skip_reason=dg.SkipReason(
                f"no raw file differs from the lake ({result.files} files, {result.hashed} re-hashed)"
            ),
            cursor=cursor,
        )
    partition_requests = []
    run_requests = []
    for kind in ("quarter", "wave"):
        existing = set(context.instance.get_dynamic_partitions(kind))
        new = [k for k in result.keys(kind) if k not in existing]
        if new:
            partition_requests.append(dg.AddDynamicPartitionsRequest(partitions_def_name=kind, partition_keys=new))
    for change in result.changes:
        for line in change.lines:
            context.log.info(line)
        run_key = f"{change.kind}:{change.key}:{change.state}"
        tags = {TRIGGER_TAG: "raw_files_sensor"}
        if change.kind not in INGEST_JOB:
            # unpartitioned inputs (the regional plan) load in the warehouse job itself
            run_requests.append(dg.RunRequest(job_name="build_warehouse", run_key=run_key, tags=tags))
            continue
        if change.kind == "quarter":
            tags[QUARTERS_TAG] = change.key
        run_requests.append(
            dg.RunRequest(job_name=INGEST_JOB[change.kind], partition_key=change.key, run_key=run_key, tags=tags)
        )
    return dg.SensorResult(run_requests=run_requests, dynamic_partitions_requests=partition_requests, cursor=cursor)
