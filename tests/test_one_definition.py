"""`succession run` and "Materialize all" in the Dagster UI reach the same result (issue 14).

Path A is `succession run` on the bundled sample: the session's ``sample_build`` fixture
(``orchestration.runner.run``, which `succession run` calls), reused, not built again.

Path B is the plain Dagster path, with nothing of ``succession.cli`` or
``orchestration.runner``: the project's ``Definitions`` (``build_definitions``) on a fresh
Dagster instance configured like the project's own (``.dagster_home/dagster.yaml``), and a
fresh build folder. It does what the daemon and the UI do:

1. The raw-folder sensor (``raw_files_sensor``) is evaluated once over the sample's raw
   folder, and its ``AddDynamicPartitionsRequest``s are applied to the instance, as the
   daemon applies them: that is how the quarters and waves become partitions. (Its run
   requests are not executed: step 2 is the "Materialize all" the UI launches instead.)
2. "Materialize all": every materialisable asset of the asset graph, through the implicit
   asset job the UI launches (``__ASSET_JOB``) with an asset selection. The runs are derived
   from the asset graph alone (``orchestration.stages.stage_runs``, from which ``jobs.py``
   and the runner's plan are derived too), not from the jobs: a run holds assets of one
   partitioning whose upstream assets are materialised already or in the same run, as a
   backfill splits them. Assets with ``BackfillPolicy.single_run`` (ingestion) run
   once over the range of every registered partition, with Dagster's partition-range tags,
   as the backfill daemon launches them. The quarter-partitioned documents are rendered for
   the latest quarter only: the quarter `succession run` renders by default (the UI asks
   which quarters; every quarter would render eight times the documents, and `succession
   run` would not have rendered them, so the register would differ by design).

Then every CSV under ``build/figures/`` (the tidy tables, the register
``published_figures.csv`` and every ``chart_*.csv``) must be byte-identical on both paths.
Cost: one more build of the sample, with the latest quarter's documents.
"""

from __future__ import annotations

import difflib
import shutil
import time
from pathlib import Path

import dagster as dg
import pytest

from succession.paths import PROJECT_DIR, ProjectPaths
from succession.settings import Settings

pytestmark = pytest.mark.slow

RANGE_START = "dagster/asset_partition_range_start"  # Dagster's own tags for a single-run backfill
RANGE_END = "dagster/asset_partition_range_end"
QUIET_LOGS = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


def _dagster_path(raw: Path, build: Path, home: Path) -> tuple[ProjectPaths, list[str]]:
    """Path B (see the module docstring); returns the paths and one line per run, for the log."""
    from orchestration.definitions import build_definitions
    from orchestration.resources import ProjectPathsResource
    from orchestration.stages import stage_runs

    home.mkdir()
    shutil.copy(PROJECT_DIR / ".dagster_home" / "dagster.yaml", home / "dagster.yaml")
    instance = dg.DagsterInstance.from_config(str(home))
    settings = Settings(raw_dir=raw, build_dir=build)
    defs = build_definitions(settings)

    # 1. the raw-folder sensor's tick registers the partitions, as the daemon would
    sensor = defs.resolve_sensor_def("raw_files_sensor")
    tick = sensor.evaluate_tick(
        dg.build_sensor_context(
            instance=instance,
            instance_ref=instance.get_ref(),
            resources={"project": ProjectPathsResource.from_settings(settings)},
            definitions=defs,
        )
    )
    for req in tick.dynamic_partitions_requests or []:
        instance.add_dynamic_partitions(req.partitions_def_name, list(req.partition_keys))
    assert instance.get_dynamic_partitions("quarter"), "the sensor registered no quarter"

    # 2. "Materialize all", through the implicit asset job the UI launches
    graph = defs.resolve_asset_graph()
    job = defs.resolve_implicit_global_asset_job_def()
    log = []
    for pdef, keys in stage_runs(graph):
        launches: list[dict] = [{}]
        if pdef is not None:
            partitions = instance.get_dynamic_partitions(pdef.name)
            policies = {graph.get(k).backfill_policy for k in keys}
            if policies == {dg.BackfillPolicy.single_run()}:
                launches = [{"tags": {RANGE_START: partitions[0], RANGE_END: partitions[-1]}}]
            else:  # one run per partition: the latest quarter (see the module docstring)
                launches = [{"partition_key": partitions[-1]}]
        for launch in launches:
            t0 = time.monotonic()
            result = job.execute_in_process(
                instance=instance, asset_selection=keys, run_config=QUIET_LOGS, raise_on_error=False, **launch
            )
            log.append(f"{len(keys)} assets {launch or ''}: {time.monotonic() - t0:.0f}s")
            failures = [
                f"{ev.step_key}: {ev.event_specific_data.error.message if ev.event_specific_data.error else ''}"
                for ev in result.all_events
                if ev.event_type_value == "STEP_FAILURE"
            ]
            assert result.success, f"run of {[k.to_user_string() for k in keys][:5]} ... failed: {failures}"
    return ProjectPaths(raw, build), log


def test_materialize_all_publishes_what_succession_run_publishes(sample_build, tmp_path):
    t0 = time.monotonic()
    dagster, log = _dagster_path(sample_build.raw_dir, tmp_path / "build", tmp_path / "dagster_home")
    a = {p.name: p for p in sorted(sample_build.figures_dir.glob("*.csv"))}
    b = {p.name: p for p in sorted(dagster.figures_dir.glob("*.csv"))}
    print(f"path B in {time.monotonic() - t0:.0f}s, {len(b)} CSVs:", *log, sep="\n  ")
    assert "published_figures.csv" in a and any(n.startswith("chart_") for n in a), sorted(a)
    assert sorted(a) == sorted(b), (
        f"only `succession run`: {sorted(set(a) - set(b))}; only Dagster: {sorted(set(b) - set(a))}"
    )
    differ = {}
    for name in a:
        if a[name].read_bytes() != b[name].read_bytes():
            diff = difflib.unified_diff(
                a[name].read_text().splitlines(), b[name].read_text().splitlines(), "succession run", "dagster", n=0
            )
            differ[name] = "\n".join(list(diff)[:12])
    assert not differ, "\n\n".join(f"{name}:\n{d}" for name, d in differ.items())
