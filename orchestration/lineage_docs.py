"""The dbt project's documentation site, ``build/docs/index.html``: model-level lineage for auditors.

`succession trace` and the trace pages follow one figure down to the raw cells it came from;
this site shows the other view, the whole graph of models from the lake sources to the
published marts, with every model's and column's description and tests. It is dbt's own
``dbt docs generate --static``: one self-contained HTML file (manifest and catalog inlined)
that opens from disk, written after each warehouse build from the warehouse just built.

``--no-compile`` with the manifest the warehouse build wrote (copied into dbt's own target
folder under ``build/.work``, so the build's ``dbt_target`` keeps describing the build): the
site needs no compilation, only the catalog, the warehouse's tables and column types. The
catalog is read through the profile's ``docs`` target, which opens the warehouse read-only,
so this may run while documents or `succession trace` read it, and needs no warehouse pool.
"""

import json
import os
import shutil

import dagster as dg
from dagster_dbt import DbtCliResource

from orchestration.resources import ProjectPathsResource
from orchestration.warehouse import ensure_manifest, model_keys
from succession.paths import ProjectPaths


def _all_models() -> list[str]:
    manifest = json.loads(ensure_manifest().read_text())
    return sorted(n["name"] for n in manifest["nodes"].values() if n["resource_type"] == "model")


def docs_are_current(paths: ProjectPaths) -> bool:
    """Whether ``build/docs/index.html`` was written from the warehouse in use (after it was last built)."""
    index = paths.docs_dir / "index.html"
    return index.exists() and paths.warehouse.exists() and index.stat().st_mtime_ns > paths.warehouse.stat().st_mtime_ns


@dg.asset(
    group_name="publish",
    deps=model_keys(names=_all_models()),
    kinds={"dbt", "html"},
    description="dbt's documentation site for the warehouse (dbt docs generate --static): every model's lineage, "
    "description, columns and tests in one HTML file that opens from disk, build/docs/index.html.",
)
def lineage_docs(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, project: ProjectPathsResource
) -> dg.MaterializeResult:
    paths = project.paths
    index = paths.docs_dir / "index.html"
    if docs_are_current(paths):
        context.log.info("build/docs is up to date: the warehouse has not been rebuilt since it was written")
        return dg.MaterializeResult(metadata={"index": dg.MetadataValue.path(str(index)), "regenerated": False})
    target = paths.work_dir / "docs_target"
    target.mkdir(parents=True, exist_ok=True)
    built = paths.dbt_target_dir / "manifest.json"  # the build's parse; the project's own when the build kept none
    shutil.copyfile(built if built.exists() else ensure_manifest(), target / "manifest.json")
    dbt.cli(
        ["docs", "generate", "--no-compile", "--static", "--target", "docs", *project.settings.dbt_vars_arg()],
        target_path=target,
    ).wait()
    paths.docs_dir.mkdir(parents=True, exist_ok=True)
    tmp = index.with_suffix(".html.tmp")
    shutil.copyfile(target / "static_index.html", tmp)
    os.replace(tmp, index)
    return dg.MaterializeResult(
        metadata={
            "index": dg.MetadataValue.path(str(index)),
            "regenerated": True,
            "bytes": dg.MetadataValue.int(index.stat().st_size),
        }
    )
