"""What the warehouse publishes: tidy CSVs, the rendered documents, the figure register.

Report assets are partitioned by quarter: a scheduled run renders the quarter just
ended. Their dependencies are the marts the documents read, the same list as the dbt
exposures in ``dbt_project/models/exposures.yml`` (a test checks they agree).
"""

import json
from pathlib import Path

import dagster as dg
import duckdb
from pydantic import Field

from orchestration import conditions
from orchestration.changes import output_current, output_inputs, record_output
from orchestration.partitions import quarter_partitions
from orchestration.resources import ProjectPathsResource
from orchestration.warehouse import PUBLISH_GATES, WAREHOUSE_POOL, commit_inputs, ensure_manifest, model_keys
from succession import publish, reports
from succession.ingest.lineage import sha256_file
from succession.paths import REPORTS_DIR
from succession.trace_pages import INDEX, write_trace_pages

# document -> its asset, named as its dbt exposure (models/exposures.yml)
REPORT_ASSET = {
    "quarterly-return": "quarterly_return",
    "evaluation": "evaluation_report",
    "national-overview": "national_overview",
}


def exposure_inputs(exposure: str) -> list[str]:
    """The models and seeds a dbt exposure depends on: the report asset's dependencies."""
    manifest = json.loads(ensure_manifest().read_text())
    node = manifest["exposures"][f"exposure.succession.{exposure}"]
    return sorted(manifest["nodes"][uid]["name"] for uid in node["depends_on"]["nodes"])


@dg.asset(
    group_name="publish",
    deps=[*model_keys(tag="publish"), *model_keys(names=PUBLISH_GATES), "disclosure_audit"],
    kinds={"csv"},
    automation_condition=conditions.published_condition(),
    description="Every model in marts/publish written to build/figures/<name>.csv (DfE open-data layout, values as shown); "
    "then the warehouse build is recorded as built.",
)
def published_tables(context: dg.AssetExecutionContext, project: ProjectPathsResource) -> dg.MaterializeResult:
    paths = project.paths
    written = publish.publish_tables(paths.warehouse, paths.figures_dir)
    # the last step of a warehouse build: only now may the next run call the warehouse current
    recorded = commit_inputs(paths, context.run.run_id)
    return dg.MaterializeResult(
        metadata={
            "files": dg.MetadataValue.md("\n".join(f"- {p.name}" for p in written)),
            "recorded_as_built": dg.MetadataValue.bool(recorded),
        }
    )


class ReportRegions(dg.Config):
    """Which regions' documents to render (each takes ~10 s: a national build renders the
    partnership's own region, not all nine)."""

    regions: list[str] = Field(
        default_factory=list,
        description=(
            "ONS region codes, e.g. ['E12000008']. Empty: the project resource's regions (the settings' "
            "SUCCESSION_REGIONS), else every region with returns in the quarter."
        ),
    )


def _regions_for(paths, quarter: str, requested: list[str], configured: list[str] = ()) -> list[str]:
    """The regions to render: those requested (each must have returns), else the configured
    ones that have returns, else every region with returns."""
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        with_returns = [
            r[0]
            for r in con.execute(
                "select distinct region_code from marts.fct_return_status where quarter = ? order by 1", [quarter]
            ).fetchall()
        ]
    if without := [r for r in requested if r not in with_returns]:
        # asked for by name: rendering nothing and reporting success would hide the mistake
        raise dg.Failure(
            f"no returns for region(s) {', '.join(without)} in {quarter}: "
            f"regions with returns are {', '.join(with_returns) or 'none'}"
        )
    wanted = requested or list(configured)
    return [r for r in with_returns if r in wanted] if wanted else with_returns


def build_report_asset(document: str) -> dg.AssetsDefinition:
    @dg.asset(
        name=REPORT_ASSET[document],
        group_name="reports",
        partitions_def=quarter_partitions,
        deps=model_keys(names=exposure_inputs(REPORT_ASSET[document])),
        kinds={"quarto", "html", "pdf"},
        pool=WAREHOUSE_POOL,  # reads the warehouse: never while dbt swaps it
        automation_condition=conditions.reports_condition(),
        description=f"The {document} document (reports/{reports.DOCUMENTS[document]}) rendered to HTML and PDF "
        "for the configured regions with returns in the quarter.",
    )
    def _report(
        context: dg.AssetExecutionContext, config: ReportRegions, project: ProjectPathsResource
    ) -> dg.MaterializeResult:
        paths = project.paths
        outputs = {}
        for quarter in context.partition_keys:
            national = document in reports.NATIONAL_DOCUMENTS  # one render for England, not per region
            regions = [reports.ENGLAND] if national else _regions_for(paths, quarter, config.regions, project.regions)
            for region in regions:
                # not rendered again when made from the same warehouse build and code (orchestration.changes)
                name = f"report {document} {region} {quarter}"
                folder = reports.output_dir(paths, document, region, quarter)
                made = {fmt: folder / f"{Path(reports.DOCUMENTS[document]).stem}.{fmt}" for fmt in ("html", "pdf")}
                digest = output_inputs(paths, name)
                if output_current(paths, name, digest, [*made.values(), folder / publish.USED_FILE]):
                    context.log.info(f"{document} {region} {quarter} is up to date: same warehouse build and code")
                else:
                    done = reports.render(paths, document, region, quarter)
                    context.log.info(
                        f"rendered {document} {region} {quarter} with {done.engine} in {done.seconds:.1f}s"
                    )
                    made = done.outputs
                    record_output(paths, name, digest)
                for fmt, path in made.items():
                    outputs[f"{region} {quarter} {fmt}"] = str(path.relative_to(paths.build_dir))
        return dg.MaterializeResult(metadata={k: dg.MetadataValue.path(v) for k, v in outputs.items()})

    return _report


def report_assets() -> list[dg.AssetsDefinition]:
    return [build_report_asset(d) for d, qmd in reports.DOCUMENTS.items() if (REPORTS_DIR / qmd).exists()]


def build_register_asset(report_keys: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(
        group_name="publish",
        deps=report_keys,
        kinds={"csv"},
        automation_condition=conditions.register_condition(),
        description="build/figures/published_figures.csv: every number any rendered report shows, with its figure id, "
        "value as shown, unit, base, report and section, and the model and filter that computed it; "
        "and build/audit/trace/<figure_id>.html, each figure's trace page, with their index.",
    )
    def figure_register(context: dg.AssetExecutionContext, project: ProjectPathsResource) -> dg.MaterializeResult:
        paths = project.paths
        used = sorted(paths.reports_dir.rglob(publish.USED_FILE))
        digest = output_inputs(
            paths, "figure register", *(f"{u.relative_to(paths.reports_dir)}\0{sha256_file(u)}" for u in used)
        )
        path, index = paths.figures_dir / publish.REGISTER, paths.trace_dir / INDEX
        if output_current(paths, "figure register", digest, [path, index]):
            context.log.info("the figure register is up to date: same warehouse build, documents and code")
            return dg.MaterializeResult(
                metadata={"path": dg.MetadataValue.path(str(path)), "trace_pages": dg.MetadataValue.path(str(index))}
            )
        path = publish.write_register(paths.warehouse, paths.reports_dir, paths.figures_dir)
        n = sum(1 for _ in path.open()) - 1
        index, pages, seconds = write_trace_pages(
            paths
        )  # each registered figure's trace page, linked from the documents
        context.log.info(f"wrote {pages} trace pages in {seconds:.1f}s: {index}")
        record_output(paths, "figure register", digest)
        return dg.MaterializeResult(
            metadata={
                "figures": dg.MetadataValue.int(n),
                "path": dg.MetadataValue.path(str(path)),
                "trace_pages": dg.MetadataValue.path(str(index)),
            }
        )

    return figure_register
