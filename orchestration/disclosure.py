"""The attacker's disclosure audit as a step of every build (docs/DISCLOSURE.md).

It runs in the build_warehouse job before the tidy CSVs are written (published_tables
depends on it) and before any document is rendered: a protected cell that everything
published narrows below the policy's protection interval fails the run, naming the
cells, and neither CSVs nor documents are written from that warehouse. The report is <build>/audit/disclosure.csv either way.
"""

import dagster as dg

from orchestration.conditions import published_condition
from orchestration.resources import ProjectPathsResource
from orchestration.warehouse import WAREHOUSE_POOL, model_keys
from succession.disclosure import MIN_WIDTH, report_path, run_audit


@dg.asset(
    group_name="publish",
    automation_condition=published_condition(),
    deps=model_keys(tag="publish"),
    kinds={"csv", "scipy"},
    pool=WAREHOUSE_POOL,  # reads the warehouse: never while dbt swaps it
    description="Attacker's audit of disclosure control: the tightest bounds (linear programming, HiGHS) an "
    f"attacker holding every published number can put on each protected cell; fails if any is "
    f"narrower than width {MIN_WIDTH:g}. Report: build/audit/disclosure.csv.",
)
def disclosure_audit(context: dg.AssetExecutionContext, project: ProjectPathsResource) -> dg.MaterializeResult:
    paths = project.paths
    result = run_audit(paths.warehouse, paths.figures_dir, report_path(paths.build_dir))
    metadata = {
        "protected_cells": dg.MetadataValue.int(len(result.report)),
        "failures": dg.MetadataValue.int(len(result.failures)),
        "narrowest_width": dg.MetadataValue.float(float(result.report["width"].min()) if len(result.report) else 0.0),
        "seconds": dg.MetadataValue.float(round(result.seconds, 2)),
        "components_reused": dg.MetadataValue.int(result.reused),  # unchanged since the last audit
        "report": dg.MetadataValue.path(str(report_path(paths.build_dir))),
    }
    if not result.passed:
        raise dg.Failure(description=f"{result.summary()} (report: {report_path(paths.build_dir)})", metadata=metadata)
    context.log.info(result.summary())
    return dg.MaterializeResult(metadata=metadata)
