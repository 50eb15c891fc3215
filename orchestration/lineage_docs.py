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

A new quarter changes the warehouse's rows, not what the site shows (no row counts: the
catalog holds tables, columns and types). So the site is regenerated only when what it is
made of changed: the build's manifest (less its timestamps and invocation id), the
warehouse's tables and columns, and dbt's --vars; otherwise the page is kept and only
marked as current (benchmarks/PROFILE.md: `dbt docs generate` took 7 to 20 s of a run).
"""

import hashlib
import json
import os
import shutil
from pathlib import Path

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource

from orchestration.conditions import published_condition
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


def _stable(value):
    """The manifest without what differs between two parses of the same project: its
    metadata (generation time, invocation id) and each node's ``created_at``."""
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items() if k not in ("metadata", "created_at")}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    return value


def site_inputs(manifest: Path, warehouse: Path, dbt_vars: list[str]) -> str:
    """A digest of what the site is generated from: the manifest it inlines, the catalog's
    source (every table's and view's columns, types and comments in the warehouse) and the
    --vars of `dbt docs generate`."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        columns = con.execute(
            "select schema_name, table_name, column_index, column_name, data_type, comment "
            "from duckdb_columns() where not internal order by all"
        ).fetchall()
        relations = con.execute(
            "select schema_name, table_name, 'table', comment from duckdb_tables() where not internal union all "
            "select schema_name, view_name, 'view', comment from duckdb_views() where not internal order by all"
        ).fetchall()
    h = hashlib.sha256()
    h.update(json.dumps(_stable(json.loads(manifest.read_text(encoding="utf-8"))), sort_keys=True).encode())
    h.update(json.dumps([relations, columns, dbt_vars], default=str).encode())
    return h.hexdigest()


@dg.asset(
    group_name="publish",
    automation_condition=published_condition(),
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
    manifest = built if built.exists() else ensure_manifest()
    dbt_vars = project.settings.dbt_vars_arg()
    inputs = site_inputs(manifest, paths.warehouse, dbt_vars)
    recorded = target / "site_inputs.txt"  # the digest the page in build/docs was generated from
    if index.exists() and recorded.exists() and recorded.read_text() == inputs:
        os.utime(index)  # current for the warehouse in use (docs_are_current)
        context.log.info("build/docs is up to date: the manifest, tables and columns are those it was generated from")
        return dg.MaterializeResult(metadata={"index": dg.MetadataValue.path(str(index)), "regenerated": False})
    recorded.unlink(missing_ok=True)
    shutil.copyfile(manifest, target / "manifest.json")
    dbt.cli(["docs", "generate", "--no-compile", "--static", "--target", "docs", *dbt_vars], target_path=target).wait()
    paths.docs_dir.mkdir(parents=True, exist_ok=True)
    tmp = index.with_suffix(".html.tmp")
    shutil.copyfile(target / "static_index.html", tmp)
    os.replace(tmp, index)
    recorded.write_text(inputs)
    return dg.MaterializeResult(
        metadata={
            "index": dg.MetadataValue.path(str(index)),
            "regenerated": True,
            "bytes": dg.MetadataValue.int(index.stat().st_size),
        }
    )
