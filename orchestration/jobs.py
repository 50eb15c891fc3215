"""Jobs: one per stage of a build, as a schedule, a sensor or `succession run` executes them.

The stages and their order are derived from the asset graph (``stages.py``); this module
only gives each its job and a description for the UI. A run holds assets of one
partitioning only, so a full build is a short sequence of runs: quarterly ingestion (over
every quarter at once), wave ingestion, the warehouse with its unpartitioned inputs and
published tables, the reports for a quarter, and the figure register.
"""

from __future__ import annotations

import dagster as dg

from orchestration.stages import stages

DESCRIPTIONS = {
    "ingest_quarters": "Validate and load the quarter-partitioned raw sources (HR returns, programme records).",
    "ingest_waves": "Validate and load survey exports and interview coding for their waves.",
    "build_warehouse": "Rebuild the warehouse with dbt (tests as asset checks), audit disclosure and publish the "
    "tidy CSVs.",
    "render_reports": "Render the quarterly return and the evaluation report for a quarter.",
    "publish_register": "Assemble build/figures/published_figures.csv from every rendered report.",
}


def build_jobs(graph) -> dict[str, dg.UnresolvedAssetJobDefinition]:
    """One asset job per stage of this asset graph, named as the stage, in stage order."""
    return {
        s.name: dg.define_asset_job(
            s.name, selection=dg.AssetSelection.assets(*s.keys), description=DESCRIPTIONS.get(s.name)
        )
        for s in stages(graph)
    }
