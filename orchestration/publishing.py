"""What the warehouse publishes: tidy CSVs, the rendered documents, the figure register.

Report assets are partitioned by quarter: a scheduled run renders the quarter just
ended. Their dependencies are the marts the documents read, the same list as the dbt
exposures in ``dbt_project/models/exposures.yml`` (a test checks they agree).
"""

import json
from concurrent.futures import ThreadPoolExecutor

import dagster as dg
from pydantic import Field

from orchestration import conditions, documents
from orchestration.changes import output_current, record_output
from orchestration.partitions import quarter_partitions
from orchestration.resources import ProjectPathsResource
from orchestration.warehouse import PUBLISH_GATES, WAREHOUSE_POOL, commit_inputs, ensure_manifest, model_keys
from succession import publish, reports
from succession.trace_pages import write_trace_pages

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
            "SUCCESSION_REGIONS), else every region with returns."
        ),
    )


def _regions_for(paths, quarter: str, requested: list[str], configured: list[str] = ()) -> list[str]:
    """`documents.regions_for`, a region asked for without returns failing the step."""
    try:
        return documents.regions_for(paths, quarter, requested, configured)
    except documents.NoReturnsError as exc:
        raise dg.Failure(str(exc)) from None


REPORTS_OP = "documents"  # the one step that renders every report asset of a run
RENDER_WORKERS = 2  # documents rendered at once: the machine's two cores


def _report_spec(document: str) -> dg.AssetSpec:
    return dg.AssetSpec(
        key=REPORT_ASSET[document],
        group_name="reports",
        deps=model_keys(names=exposure_inputs(REPORT_ASSET[document])),
        kinds={"quarto", "html", "pdf"},
        automation_condition=conditions.reports_condition(),
        description=f"The {document} document (reports/{reports.DOCUMENTS[document]}) rendered to HTML and PDF "
        "for the configured regions with returns in the quarter.",
    )


def build_report_assets(names: list[str]) -> dg.AssetsDefinition:
    """The documents' assets, one per document, made by one step that renders them
    concurrently. One step, not one per document under a multi-process executor: every
    warehouse reader holds the `warehouse` pool's one slot (never a render while dbt swaps
    the warehouse), so steps of their own would render one after another."""
    by_key = {dg.AssetKey(REPORT_ASSET[d]): d for d in names}

    @dg.multi_asset(
        name=REPORTS_OP,
        specs=[_report_spec(d) for d in names],
        partitions_def=quarter_partitions,
        pool=WAREHOUSE_POOL,  # reads the warehouse: never while dbt swaps it
        can_subset=True,
    )
    def _reports(context: dg.AssetExecutionContext, config: ReportRegions, project: ProjectPathsResource):
        paths = project.paths
        chosen = [by_key[k] for k in sorted(context.selected_asset_keys, key=lambda k: k.to_user_string())]
        todo: list[documents.Due] = [
            d
            for quarter in context.partition_keys
            for document in chosen
            for d in documents.due(paths, document, quarter, config.regions, project.regions)
        ]
        stale = []
        for d in todo:
            # not rendered again when made from the same warehouse build and code (orchestration.changes)
            if d.current(paths):
                context.log.info(f"{d.document} {d.region} {d.quarter} is up to date: same warehouse build and code")
            else:
                stale.append(d)
        made = {d.name: d.files for d in todo}

        def render(group: list[documents.Due]) -> None:
            for d in group:
                done = reports.render(paths, d.document, d.region, d.quarter)
                context.log.info(
                    f"rendered {d.document} {d.region} {d.quarter} with {done.engine} in {done.seconds:.1f}s"
                )
                record_output(paths, d.name, d.digest)
                made[d.name] = done.outputs

        # Documents at once, each document's regions one after another (Quarto keeps a document's
        # intermediate files beside its .qmd). Threads suffice: each render's work is in its own
        # processes (the Jupyter kernel or quarto, Pandoc, Typst). A failure fails the step once
        # the other documents are done.
        groups = [[d for d in stale if d.document == document] for document in chosen]
        with ThreadPoolExecutor(max_workers=RENDER_WORKERS, thread_name_prefix="render") as pool:
            for future in [pool.submit(render, group) for group in groups if group]:
                future.result()
        for document in chosen:
            outputs = {
                f"{d.region} {d.quarter} {fmt}": str(path.relative_to(paths.build_dir))
                for d in todo
                if d.document == document
                for fmt, path in made[d.name].items()
            }
            yield dg.MaterializeResult(
                asset_key=REPORT_ASSET[document],
                metadata={k: dg.MetadataValue.path(v) for k, v in outputs.items()},
            )

    return _reports


def report_assets() -> list[dg.AssetsDefinition]:
    names = documents.documents()
    return [build_report_assets(names)] if names else []


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
        digest, (path, index) = documents.register_inputs(paths)
        if output_current(paths, documents.REGISTER_RECORD, digest, [path, index]):
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
        record_output(paths, documents.REGISTER_RECORD, digest)
        return dg.MaterializeResult(
            metadata={
                "figures": dg.MetadataValue.int(n),
                "path": dg.MetadataValue.path(str(path)),
                "trace_pages": dg.MetadataValue.path(str(index)),
            }
        )

    return figure_register
