"""The warehouse: dbt (dagster-dbt) builds DuckDB from the lake; dbt tests are asset checks.

dbt is the only writer of the DuckDB file. A full build goes into a new file under
``build/.work`` and is swapped in with one rename when every model and test has
passed, so a run killed mid-build, or one whose error-severity tests fail, leaves
the published warehouse as it was (the failed build is kept as
``warehouse.failed.duckdb`` for inspection). All warehouse steps share the
``warehouse`` concurrency pool (limit 1 in dagster.yaml).

The warehouse holds pseudonymised personal data (survey answers, interview codings,
the workforce's characteristics): the file is owner-only (0600) and ``build/.work``,
where it is built, owner-only (0700), whatever the umask.

A build is recorded as built (``build/warehouse.inputs.json``: the lake ledgers' digest
per source and the dbt files' digest, see `orchestration.changes`; what lets the next run
say "up to date") only once it has passed and its tables are published: the warehouse
asset leaves its inputs pending in ``build/.work`` and `published_tables`, which runs
after the blocking checks, promotes them in the same run. A failed build, a failed
blocking check or a failed publication keeps the record of the last good build, so the
next run rebuilds what changed since then (a build that fails after the swap rebuilt
only models downstream of those changes, so the rest of the warehouse still matches it).

An incremental build (some sources changed) rebuilds the models downstream of them. `succession
run` makes it a run of those assets alone (`incremental_selection`: dagster-dbt selects them and
their tests, and Dagster plans and records nothing for the rest: at 153 x 8, 218 planned events
fall to about 100); a run of the whole warehouse, as the automation requests it, excludes the
rest from dbt's selection instead (`unaffected_nodes`).
"""

import contextlib
import fcntl
import json
import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject, dbt_assets

from orchestration.changes import (  # noqa: F401  (changed_sources, warehouse_inputs: imported from here too)
    changed_sources,
    dbt_files_digest,
    forget_outputs,
    inputs_file,
    warehouse_inputs,
)
from orchestration.conditions import warehouse_condition
from orchestration.resources import ProjectPathsResource, dbt_executable
from orchestration.safeguards import ACCEPT_WITHDRAWALS_TAG, find_withdrawals
from succession.ingest.framework import ensure_lake_schema
from succession.paths import DBT_PROJECT_DIR, ProjectPaths
from succession.publish import stale_files
from succession.settings import Settings
from succession.sources import sources

WAREHOUSE_POOL = "warehouse"
# On a run of `incremental_selection`: the changed sources it was selected for, comma-separated
INCREMENTAL_TAG = "succession/incremental_sources"
MANIFEST_TARGET = DBT_PROJECT_DIR / "target"

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR, target_path=MANIFEST_TARGET)


MANIFEST_DIGEST = MANIFEST_TARGET / "manifest.inputs"  # the dbt files' digest the manifest was parsed from


def ensure_manifest() -> Path:
    """Parse the dbt project once, and again only when the content of a dbt file changed
    since (`changes.dbt_files_digest`). The shape of the graph does not depend on the
    settings: the defaults' --vars do for parsing."""
    manifest = dbt_project.manifest_path
    digest = dbt_files_digest()
    MANIFEST_TARGET.mkdir(parents=True, exist_ok=True)
    # two processes starting at once (two builds, test workers) parse one after the other
    with open(MANIFEST_TARGET / ".parse.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        recorded = MANIFEST_DIGEST.read_text().strip() if MANIFEST_DIGEST.exists() else None
        if manifest.exists() and recorded == digest:
            return manifest
        subprocess.run(
            [
                dbt_executable(),
                "parse",
                "--quiet",
                "--profiles-dir",
                str(DBT_PROJECT_DIR),
                "--target-path",
                str(MANIFEST_TARGET),
                *Settings.from_values({}).dbt_vars_arg(),
            ],
            cwd=DBT_PROJECT_DIR,
            check=True,
        )
        MANIFEST_DIGEST.write_text(digest + "\n")
    return manifest


class SuccessionDbtTranslator(DagsterDbtTranslator):
    """Groups mirror the dbt folders: warehouse_staging, warehouse_intermediate, warehouse_marts ...
    A dbt source table is the lake table the ingestion asset of that source writes:
    ``[source, table]``, e.g. ``hr_returns/vacancies``."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props.get("resource_type") == "source":
            return dg.AssetKey([dbt_resource_props["source_name"], dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        if dbt_resource_props.get("resource_type") == "seed":
            return "warehouse_reference"
        if len(fqn) > 2:
            layer = fqn[1]
            if layer == "marts" and len(fqn) > 3 and fqn[2] in ("publish", "figures", "audit"):
                return f"warehouse_{fqn[2]}"
            return f"warehouse_{layer}"
        return "warehouse"

    def get_automation_condition(self, dbt_resource_props: Mapping[str, Any]) -> dg.AutomationCondition | None:
        """The warehouse is requested whole: the nodes at the top on ingestion, every other with
        its parents (orchestration/conditions.py)."""
        if dbt_resource_props.get("resource_type") == "source":
            return None  # the ingestion asset, requested by the raw-folder sensor
        parents = dbt_resource_props.get("depends_on", {}).get("nodes", [])
        return warehouse_condition(root=not any(p.split(".")[0] in DBT_NODES for p in parents))


DBT_NODES = ("model", "seed", "snapshot")

translator = SuccessionDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


def model_keys(*, names: list[str] | None = None, tag: str | None = None) -> list[dg.AssetKey]:
    """Asset keys of dbt models chosen by name or tag, as the translator names them."""
    manifest = json.loads(ensure_manifest().read_text())
    chosen = [
        n
        for n in manifest["nodes"].values()
        if n["resource_type"] in ("model", "seed")
        and ((names and n["name"] in names) or (tag and tag in n.get("tags", [])))
    ]
    if names and len({n["name"] for n in chosen}) != len(set(names)):
        missing = set(names) - {n["name"] for n in chosen}
        raise KeyError(f"dbt models not found: {sorted(missing)}")
    return sorted((translator.get_asset_key(n) for n in chosen), key=lambda k: k.to_user_string())


OWNER_ONLY_FILE, OWNER_ONLY_DIR = 0o600, 0o700


def owner_only_dir(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(OWNER_ONLY_DIR)
    return folder


@contextlib.contextmanager
def build_then_swap(paths: ProjectPaths, run_id: str, start_from_current: bool):
    """Yield a path to build the warehouse in; swap it in (owner-only) only if the block succeeds."""
    owner_only_dir(paths.work_dir)
    # One fixed path (the writer lock and the `warehouse` pool serialise builds): it is in
    # dbt's profile, and a new path per run made dbt re-parse the project every time. The
    # same file name as the warehouse, because DuckDB names the catalog after the file and
    # dbt's views refer to "warehouse".<schema>.<table>: they must still resolve after the swap.
    work = paths.work_dir / paths.warehouse.name
    work.unlink(missing_ok=True)
    if start_from_current and paths.warehouse.exists():
        shutil.copy2(paths.warehouse, work)  # a subset build keeps the rest of the warehouse
    try:
        yield work
    except BaseException:
        if work.exists():
            work.chmod(OWNER_ONLY_FILE)
            os.replace(work, paths.build_dir / "warehouse.failed.duckdb")
        raise
    Path(str(work) + ".wal").unlink(missing_ok=True)
    work.chmod(OWNER_ONLY_FILE)
    os.replace(work, paths.warehouse)
    forget_outputs(paths)  # documents and the register were made from the warehouse just replaced


# --- what a build read: rebuild only what changed since -------------------------------------


# Models `published_tables` waits for beside the publish marts: those with a check that can
# block a run (orchestration/automation/checks.py), so a blocked run publishes nothing and is
# not recorded as built.
PUBLISH_GATES = ["fct_table_one_reconciliation"]


def _always_built(node: Mapping[str, Any]) -> bool:
    """Rebuilt by every incremental build: `published_tables` runs only when every model it
    depends on was materialised in the run (Dagster skips it otherwise, and the CSVs would
    lag the warehouse). They are cheap selects over marts."""
    return node["resource_type"] == "model" and ("publish" in node.get("tags", []) or node["name"] in PUBLISH_GATES)


def _affected(changed: list[str]) -> tuple[set[str], list[Mapping[str, Any]]]:
    """The unique ids of the dbt nodes downstream of the changed sources, or published
    (`_always_built`), with their tests; and every node of the manifest (unit tests included)."""
    manifest = json.loads(ensure_manifest().read_text())
    children = manifest["child_map"]
    todo = [uid for uid in children if uid.startswith("source.") and uid.split(".")[2] in changed]
    todo += [uid for uid, node in manifest["nodes"].items() if _always_built(node)]
    affected: set[str] = set(todo)
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in affected:
                affected.add(child)
                todo.append(child)
    nodes = [*manifest["nodes"].values(), *manifest.get("unit_tests", {}).values()]
    affected |= {
        n["unique_id"]
        for n in nodes
        if n["resource_type"] == "unit_test" and set(manifest["parent_map"].get(n["unique_id"], [])) & affected
    }
    return affected, nodes


def unaffected_nodes(changed: list[str]) -> list[str]:
    """Names of the dbt nodes (seeds, models, tests) NOT downstream of the changed sources,
    nor published (`_always_built`): the --exclude of an incremental build in a run of the
    whole warehouse (one the automation requested). (An exclusion, because dagster-dbt always
    adds its own ``--select fqn:*`` and dbt keeps the last --select it is given.)"""
    affected, nodes = _affected(changed)
    return sorted(
        n["name"]
        for n in nodes
        if n["unique_id"] not in affected and n["resource_type"] in ("model", "seed", "test", "snapshot", "unit_test")
    )


def incremental_selection(changed: list[str], graph) -> list[dg.AssetKey]:
    """Of a job's assets (``graph``: its asset graph), those an incremental build for the
    changed sources runs: the dbt models and seeds downstream of them or published
    (`_always_built`), and each other asset whose dbt parents are all among those (the audit,
    the published tables, the unpartitioned ingestion; not the docs site, which reads every
    model: in a run of the whole warehouse Dagster skips it as its parents are not all
    materialised). Dagster then plans, and dagster-dbt selects (with their tests, by dbt's
    indirect selection), only these, so the run holds no events for the rest."""
    affected, nodes = _affected(changed)
    dbt_nodes = [n for n in nodes if n["resource_type"] in DBT_NODES]
    rebuilt = {translator.get_asset_key(n) for n in dbt_nodes if n["unique_id"] in affected}
    kept = {translator.get_asset_key(n) for n in dbt_nodes} - rebuilt
    chosen = [
        k
        for k in graph.executable_asset_keys
        if k in rebuilt or (k not in kept and not graph.get(k).parent_keys & kept)
    ]
    return sorted(chosen, key=lambda k: k.to_user_string())


def _pending_inputs_file(paths: ProjectPaths) -> Path:
    return paths.work_dir / inputs_file(paths).name


def forget_inputs(paths: ProjectPaths, *, keep_last_good: bool = True) -> None:
    """Drop what a failed run left pending; ``keep_last_good=False`` also drops the record of
    the last good build, so the next run rebuilds everything."""
    _pending_inputs_file(paths).unlink(missing_ok=True)
    if not keep_last_good:
        inputs_file(paths).unlink(missing_ok=True)


def record_inputs(paths: ProjectPaths, inputs: dict[str, str], run_id: str) -> None:
    """Leave the inputs of this run's build pending, until `commit_inputs` in the same run."""
    owner_only_dir(paths.work_dir)
    _pending_inputs_file(paths).write_text(json.dumps({"run_id": run_id, "inputs": inputs}, indent=1, sort_keys=True))


def commit_inputs(paths: ProjectPaths, run_id: str) -> bool:
    """This run's build passed and is published: record it as built. False if it left nothing
    pending (an up-to-date or subset build; or a pending record of another, failed run)."""
    pending = _pending_inputs_file(paths)
    if not pending.exists() or (payload := json.loads(pending.read_text()))["run_id"] != run_id:
        return False
    tmp = inputs_file(paths).with_suffix(".tmp")
    tmp.write_text(json.dumps(payload["inputs"], indent=1, sort_keys=True))
    os.replace(tmp, inputs_file(paths))
    pending.unlink()
    return True


def build_warehouse_assets() -> dg.AssetsDefinition:
    ensure_manifest()

    @dbt_assets(
        manifest=dbt_project.manifest_path,
        project=dbt_project,
        dagster_dbt_translator=translator,
        name="warehouse",
        pool=WAREHOUSE_POOL,
    )
    def warehouse(context: dg.AssetExecutionContext, dbt: DbtCliResource, project: ProjectPathsResource):
        paths, settings = project.paths, project.settings
        for source in sources().values():
            ensure_lake_schema(source, paths.lake_dir)
        changed, inputs = changed_sources(paths, settings)
        # a run of `incremental_selection` (the runner's incremental build): dagster-dbt selects its nodes
        selected = bool(context.is_subset and changed and context.run.tags.get(INCREMENTAL_TAG) == ",".join(changed))
        if selected:
            context.log.info(f"incremental build of the assets that depend on {', '.join(changed)} (run's selection)")
        elif context.is_subset:
            changed = None  # a selection made in the UI or a job: build exactly that
        elif changed == [] and not stale_files(paths.warehouse, paths.figures_dir, register=False):
            context.log.info("warehouse is up to date: no lake source and no dbt file changed since the last build")
            return
        elif changed == []:
            # e.g. after a subset build from the UI: rebuild the published marts only, so that
            # `published_tables` runs and the CSVs match the warehouse again
            context.log.info("published tables older than the warehouse: rebuilding and publishing them")
        elif changed:
            context.log.info(
                f"incremental build: what depends on {', '.join(changed)} (other sources unchanged since the last build)"
            )
        withdrawals = find_withdrawals(paths)
        if withdrawals.refused and context.run.tags.get(ACCEPT_WITHDRAWALS_TAG) != "true":
            raise dg.Failure(
                description=withdrawals.refusal(),
                metadata={"withdrawn": dg.MetadataValue.md("\n".join(f"- {f[2]}" for f in withdrawals.files))},
            )
        incremental = changed is not None
        excluded = incremental and not selected
        args = ["build", *(["--exclude", " ".join(unaffected_nodes(changed))] if excluded else [])]
        with build_then_swap(paths, context.run.run_id, start_from_current=context.is_subset or incremental) as target:
            # the settings go to dbt as --vars: the copy to build, the lake, memory, threads, deadline
            yield from dbt.cli(
                [*args, *settings.dbt_vars_arg(warehouse=target)], context=context, target_path=paths.dbt_target_dir
            ).stream()
        if selected or not context.is_subset:
            record_inputs(paths, inputs, context.run.run_id)

    return warehouse
