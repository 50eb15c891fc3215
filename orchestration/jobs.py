"""Jobs: the stages of a build, as a scheduled run or `succession run` executes them.

A run holds assets of one partitioning only, so a full build is a short sequence of
runs: quarterly ingestion (over every quarter at once), wave ingestion, the
warehouse with its unpartitioned inputs and published tables, the reports for a
quarter, and the figure register.
"""

from __future__ import annotations

import dagster as dg

from succession.sources import sources


def _ingestion_keys(kind: str) -> list[dg.AssetKey]:
    return [
        dg.AssetKey([s.name, t]) for s in sources().values() if s.partition_kind == kind for t in [*s.schemas, "_files"]
    ]


def build_jobs(report_keys: list[dg.AssetKey]) -> dict[str, dg.UnresolvedAssetJobDefinition]:
    warehouse = (
        dg.AssetSelection.groups(
            "warehouse_reference",
            "warehouse_staging",
            "warehouse_intermediate",
            "warehouse_marts",
            "warehouse_figures",
            "warehouse_audit",
            "warehouse_publish",
        )
        | dg.AssetSelection.assets(*_ingestion_keys("none"))
        | dg.AssetSelection.assets("published_tables")
        | dg.AssetSelection.assets("disclosure_audit")  # orchestration/disclosure.py: fails the build before rendering
        | dg.AssetSelection.assets("lineage_docs")  # orchestration/lineage_docs.py: build/docs/index.html
    )
    return {
        "ingest_quarters": dg.define_asset_job(
            "ingest_quarters",
            selection=dg.AssetSelection.assets(*_ingestion_keys("quarter")),
            description="Validate and load the quarter-partitioned raw sources (HR returns, programme records).",
        ),
        "ingest_waves": dg.define_asset_job(
            "ingest_waves",
            selection=dg.AssetSelection.assets(*_ingestion_keys("wave")),
            description="Validate and load survey exports and interview coding for their waves.",
        ),
        "build_warehouse": dg.define_asset_job(
            "build_warehouse",
            selection=warehouse,
            description="Rebuild the warehouse with dbt (tests as asset checks) and publish the tidy CSVs.",
        ),
        "render_reports": dg.define_asset_job(
            "render_reports",
            selection=dg.AssetSelection.assets(*report_keys),
            description="Render the quarterly return and the evaluation report for a quarter.",
        ),
        "publish_register": dg.define_asset_job(
            "publish_register",
            selection=dg.AssetSelection.assets("figure_register"),
            description="Assemble build/figures/published_figures.csv from every rendered report.",
        ),
    }


STAGES = ("ingest_quarters", "ingest_waves", "build_warehouse", "render_reports", "publish_register")
