"""Everything Dagster knows about the project, assembled in one place.

`dagster dev` (workspace.yaml), `succession run` and the tests all load these
definitions. Layout: ingestion.py (raw sources -> lake), warehouse.py (dbt),
publishing.py (CSVs, reports, figure register), stages.py (the stage order, from the
asset graph), jobs.py (a job per stage), automation/ (declarative automation, sensors,
schedules, alerts).
"""

from __future__ import annotations

import dagster as dg

from orchestration import disclosure, ingestion, lineage_docs, publishing, warehouse
from orchestration.jobs import build_jobs
from orchestration.resources import ProjectPathsResource, dbt_resource
from succession.paths import ProjectPaths
from succession.settings import Settings


def build_definitions(settings: Settings | ProjectPaths | None = None) -> dg.Definitions:
    """The definitions for these settings (default: read from the environment, once, here);
    ``ProjectPaths``: the environment's settings with these raw and build folders."""
    if settings is None:
        settings = Settings()
    elif isinstance(settings, ProjectPaths):
        settings = Settings(raw_dir=settings.raw_dir, build_dir=settings.build_dir)
    reports = publishing.report_assets()
    report_keys = [k for a in reports for k in a.keys]
    assets = [
        *ingestion.raw_specs(),
        *ingestion.ingestion_assets(),
        warehouse.build_warehouse_assets(),
        publishing.published_tables,
        *reports,
        publishing.build_register_asset(report_keys),
        disclosure.disclosure_audit,
        lineage_docs.lineage_docs,
    ]
    core = dg.Definitions(
        assets=assets,
        resources={
            "project": ProjectPathsResource.from_settings(settings),
            "dbt": dbt_resource(),
        },
    )
    jobs = build_jobs(core.resolve_asset_graph())  # one job per stage, the stages derived from the graph (stages.py)
    return dg.Definitions.merge(core, dg.Definitions(jobs=list(jobs.values())), _automation(jobs, settings))


def _automation(jobs, settings: Settings) -> dg.Definitions:
    """Sensors, schedules and alerts (orchestration/automation.py) when present."""
    import importlib.util

    if importlib.util.find_spec("orchestration.automation") is None:
        return dg.Definitions()
    from orchestration import automation

    return automation.build(jobs, settings)


defs = build_definitions()
