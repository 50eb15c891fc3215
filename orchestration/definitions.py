"""Everything Dagster knows about the project, assembled in one place.

`dagster dev` (workspace.yaml), `succession run` and the tests all load these
definitions. Layout: ingestion.py (raw sources -> lake), warehouse.py (dbt),
publishing.py (CSVs, reports, figure register), jobs.py, automation.py
(sensors, schedules, alerts).
"""
from __future__ import annotations

import dagster as dg

from orchestration import disclosure, ingestion, lineage_docs, publishing, warehouse
from orchestration.jobs import build_jobs
from orchestration.resources import ProjectPathsResource, dbt_resource
from succession.paths import ProjectPaths


def build_definitions(paths: ProjectPaths | None = None) -> dg.Definitions:
    reports = publishing.report_assets()
    report_keys = [a.key for a in reports]
    jobs = build_jobs(report_keys)
    extra: list = [disclosure.disclosure_audit, lineage_docs.lineage_docs]
    extra_defs = _automation(jobs)
    core = dg.Definitions(
        assets=[
            *ingestion.raw_specs(),
            *ingestion.ingestion_assets(),
            warehouse.build_warehouse_assets(),
            publishing.published_tables,
            *reports,
            publishing.build_register_asset(report_keys),
            *extra,
        ],
        jobs=list(jobs.values()),
        resources={
            "project": ProjectPathsResource.from_paths(paths) if paths else ProjectPathsResource.from_env(),
            "dbt": dbt_resource(),
        },
    )
    return dg.Definitions.merge(core, extra_defs)


def _automation(jobs) -> dg.Definitions:
    """Sensors, schedules and alerts (orchestration/automation.py) when present."""
    import importlib.util

    if importlib.util.find_spec("orchestration.automation") is None:
        return dg.Definitions()
    from orchestration import automation

    return automation.build(jobs)


defs = build_definitions()
