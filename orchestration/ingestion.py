"""One Dagster asset per raw source: validate its files and load them into the lake.

The asset for a partitioned source handles one partition or a range in one step
(``BackfillPolicy.single_run``), so a backfill of forty quarters validates in batches
rather than paying Dagster's per-run overhead forty times. A file that breaks its
contract is quarantined, the rest load, and the asset check says which and why.
"""

import json
from collections import Counter

import dagster as dg

from orchestration.partitions import BY_KIND
from orchestration.resources import ProjectPathsResource
from succession.ingest.framework import FILES_TABLE, Source, record_strays
from succession.ingest.workers import ingest_partitions
from succession.sources import sources

SINGLE_PARTITION = "all"


def raw_asset_key(source: Source) -> dg.AssetKey:
    return dg.AssetKey(["raw", source.name])


def _partition_keys(context, source: Source, discovered: dict) -> list[str]:
    if source.partition_kind == "none":
        return [SINGLE_PARTITION]
    return list(context.partition_keys)


def build_ingestion_asset(source: Source) -> dg.AssetsDefinition:
    partitions_def = BY_KIND[source.partition_kind]

    tables = [*source.schemas, FILES_TABLE]
    specs = [
        dg.AssetSpec(
            [source.name, table],
            group_name=f"ingest_{source.name}",
            partitions_def=partitions_def,
            deps=[raw_asset_key(source)],
            kinds={"python", "pandera", "parquet"},
            description=(
                f"File ledger of `{source.name}`: every file seen, loaded or quarantined with its reasons."
                if table == FILES_TABLE
                else f"Validated `{table}` rows of `{source.name}` in the lake, with lineage columns."
            ),
        )
        for table in tables
    ]

    @dg.multi_asset(
        name=source.name,
        specs=specs,
        backfill_policy=dg.BackfillPolicy.single_run() if partitions_def else None,
        check_specs=[
            dg.AssetCheckSpec(
                "contract",
                asset=dg.AssetKey([source.name, FILES_TABLE]),
                description="Every raw file in the partition passes its pandera contract (failing files are quarantined).",
            )
        ],
    )
    def _ingest(context: dg.AssetExecutionContext, project: ProjectPathsResource):
        paths = project.paths
        discovered = source.discover(paths.raw_dir)
        keys = _partition_keys(context, source, discovered)
        counts: Counter[str] = Counter()
        problems: list[str] = []
        unchanged: list[str] = []
        for result in ingest_partitions(
            source,
            discovered,
            keys,
            raw_dir=paths.raw_dir,
            lake_dir=paths.lake_dir,
            run_id=context.run.run_id,
            workers=project.ingest_workers,
        ):
            key = result.partition
            if result.unchanged:
                unchanged.append(key)
            current = result.files[result.files["status"].isin(["loaded", "quarantined"])]
            counts.update(current["status"])
            counts["rows_read"] += int(current["rows_read"].sum())
            counts["rows_loaded"] += int(current["rows_loaded"].sum())
            counts["rows_rejected"] += int(current["rows_rejected"].sum())
            problems.extend(result.problems())
            for rel in result.quarantined["file_path"]:
                context.log.warning(f"quarantined {rel}")
        strays = record_strays(
            source, paths.raw_dir, paths.lake_dir, context.run.run_id
        )  # raw/ entries no partition reads
        counts["quarantined"] += len(strays)
        for reasons in strays["problems"]:
            problems.extend(json.loads(reasons))
        for p in problems:
            context.log.warning(p)
        meta = {
            "files_loaded": dg.MetadataValue.int(counts["loaded"]),
            "files_quarantined": dg.MetadataValue.int(counts["quarantined"]),
            "rows_read": dg.MetadataValue.int(counts["rows_read"]),
            "rows_loaded": dg.MetadataValue.int(counts["rows_loaded"]),
            "rows_rejected": dg.MetadataValue.int(counts["rows_rejected"]),
            "partitions": dg.MetadataValue.text(", ".join(keys)),
            # same files, same contract version as the ledger says: not read again
            "partitions_unchanged": dg.MetadataValue.int(len(unchanged)),
        }
        if unchanged:
            context.log.info(
                f"{len(unchanged)} of {len(keys)} partitions unchanged since their last load: not read again"
            )
        for table in tables:
            yield dg.MaterializeResult(
                asset_key=dg.AssetKey([source.name, table]), metadata=meta if table == FILES_TABLE else None
            )
        yield dg.AssetCheckResult(
            asset_key=dg.AssetKey([source.name, FILES_TABLE]),
            check_name="contract",
            passed=not problems,
            severity=dg.AssetCheckSeverity.WARN,  # the good files still load; quarantine is the answer
            metadata={
                "problems": dg.MetadataValue.md("\n".join(f"- {p}" for p in problems[:200]) or "none"),
                "problem_count": dg.MetadataValue.int(len(problems)),
            },
            description=json.dumps(problems[:3]) if problems else "all files valid",
        )

    return _ingest


def raw_specs() -> list[dg.AssetSpec]:
    return [
        dg.AssetSpec(
            raw_asset_key(s),
            group_name="raw",
            kinds={"file"},
            description=f"Raw `{s.name}` files as they arrive under raw/ (read-only; never modified).",
        )
        for s in sources().values()
    ]


def ingestion_assets() -> list[dg.AssetsDefinition]:
    return [build_ingestion_asset(s) for s in sources().values()]
