"""`succession run`: the whole build, through Dagster, in this process.

It runs the same jobs a schedule would, in the stage order derived from the asset graph
(``stages.py``), with in-process execution (one writer at a time; no re-import per step),
after registering the quarters and waves found in raw/ as partitions. The documents are
rendered for ``--period``, else the latest quarter: the quarter the declarative automation
(``conditions.py``) renders, so the CLI and the daemon publish the same documents. (It does
not ask the automation what to run: one evaluation of the conditions takes ~8 s, and a
build needs three or four.) A run with nothing to do (no raw file changed since its load, the
warehouse built from the lake as it is, the documents and the register made from that build:
`changes`, `documents`) says so before Dagster, dagster-dbt and dbt are imported. A file
lock on ``build/.writer.lock`` makes a second `succession run` on the same build folder wait
for the first instead of colliding.

Before it takes the lock the raw folder is checked (`safeguards.check_raw_folder`: a
typo never reaches the build folder), and before the warehouse stage the lake is
compared with the warehouse in use (`safeguards.find_withdrawals`): every withdrawn
file is named in the summary, and a mass withdrawal stops the run with the warehouse
and the published files as they were. At the end, a published CSV older than the
warehouse fails the run by name: published files never silently lag the warehouse.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from orchestration import documents
from orchestration.changes import changed_partitions, changed_sources, partition_keys, scan
from orchestration.safeguards import ACCEPT_WITHDRAWALS_TAG, check_raw_folder, find_withdrawals, lake_ledger
from succession.ingest.framework import record_strays
from succession.paths import ProjectPaths
from succession.publish import stale_files
from succession.settings import Settings
from succession.sources import sources

if TYPE_CHECKING:  # Dagster is imported when a run has something to do (`_run`), not before
    import dagster as dg

PARTITION_RANGE_START = "dagster/asset_partition_range_start"
PARTITION_RANGE_END = "dagster/asset_partition_range_end"
# Progress is ours to print; Dagster's console logger only speaks of warnings and errors.
QUIET_LOGS = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


@contextlib.contextmanager
def writer_lock(paths: ProjectPaths, say=print):
    """One build at a time per build folder; a second one queues behind the first."""
    paths.build_dir.mkdir(parents=True, exist_ok=True)
    with open(paths.lock_file, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            say(f"waiting for another build of {paths.build_dir} to finish ({holder}) ...")
            fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass
class RunSummary:
    stages: list[tuple[str, bool, float]] = field(default_factory=list)
    files_loaded: int = 0
    quarantined: list[tuple[str, list[str]]] = field(default_factory=list)
    checks_failed: list[str] = field(default_factory=list)
    outputs: list[Path] = field(default_factory=list)
    period: str | None = None
    withdrawn: list[str] = field(default_factory=list)  # raw files of the previous warehouse gone from the lake
    refusal: str | None = None  # why the warehouse was not replaced (a mass withdrawal)
    stale: list[Path] = field(default_factory=list)  # published files older than the warehouse

    @property
    def success(self) -> bool:
        return all(ok for _, ok, _ in self.stages) and self.refusal is None and not self.stale

    def lines(self) -> list[str]:
        out = [
            *([f"REFUSED: {self.refusal}"] if self.refusal else []),
            f"files loaded: {self.files_loaded}",
            f"files quarantined: {len(self.quarantined)}",
        ]
        for rel, reasons in self.quarantined:
            out.append(f"  {rel}")
            out.extend(f"    - {r}" for r in reasons[:5])
            if len(reasons) > 5:
                out.append(f"    - ... and {len(reasons) - 5} more")
        out.append(f"files withdrawn: {len(self.withdrawn)}")
        out.extend(f"  {rel}" for rel in self.withdrawn)
        out.append(f"checks failed: {len(self.checks_failed)}")
        out.extend(f"  {c}" for c in self.checks_failed)
        if self.stale:
            out.append(f"STALE (made from an earlier warehouse, not rewritten by this run): {len(self.stale)}")
            out.extend(f"  {p}" for p in self.stale)
        out.append(f"outputs written: {len(self.outputs)}")
        out.extend(f"  {p}" for p in self.outputs)
        return out


def register_partitions(instance: dg.DagsterInstance, paths: ProjectPaths) -> dict[str, list[str]]:
    """Add every quarter and wave found in raw/ (or already in the lake) as a dynamic partition."""
    out = {}
    for kind, ordered in partition_keys(paths).items():
        existing = set(instance.get_dynamic_partitions(kind))
        new = [k for k in ordered if k not in existing]
        if new:
            instance.add_dynamic_partitions(kind, new)
        out[kind] = ordered
    return out


def _range_tags(instance: dg.DagsterInstance, kind: str, wanted: list[str]) -> dict[str, str] | None:
    """One run over the smallest range of the instance's partitions holding every wanted key
    (unchanged partitions inside it are skipped by the ingestion itself)."""
    keys = instance.get_dynamic_partitions(kind)
    chosen = sorted(keys.index(k) for k in wanted if k in keys)
    if not chosen:
        return None
    return {PARTITION_RANGE_START: keys[chosen[0]], PARTITION_RANGE_END: keys[chosen[-1]]}


def _warehouse_current(paths: ProjectPaths, settings: Settings) -> str | None:
    # the job also publishes the tidy CSVs: run it if they are gone or older than the warehouse
    if changed_sources(paths, settings)[0] == [] and not stale_files(
        paths.warehouse, paths.figures_dir, register=False
    ):
        return "no lake source and no dbt file changed since the last build"
    return None


PID_TAG = "succession/pid"
HOST_TAG = "succession/host"


def recover_dead_runs(instance: dg.DagsterInstance, say=print) -> list[str]:
    """Fail the runs of earlier `succession run` processes that died (killed, power cut)
    and free the concurrency slots they held, so the warehouse pool is not blocked forever."""
    import dagster as dg

    recovered = []
    runs = instance.get_runs(
        filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING])
    )
    for r in runs:
        pid, host = r.tags.get(PID_TAG), r.tags.get(HOST_TAG)
        if not pid or host != socket.gethostname() or _alive(int(pid)):
            continue
        instance.report_run_failed(r, f"the succession run process ({pid}) died; marked failed by a later run")
        instance.event_log_storage.free_concurrency_slots_for_run(r.run_id)
        recovered.append(r.run_id)
        say(f"recovered run {r.run_id} of a process that died (pid {pid})")
    return recovered


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def instance_for(settings: Settings) -> dg.DagsterInstance:
    """The instance in the settings' DAGSTER_HOME, else a temporary one."""
    import dagster as dg

    if settings.dagster_home:
        return dg.DagsterInstance.from_config(str(settings.dagster_home))
    return dg.DagsterInstance.ephemeral()


def run(
    paths: ProjectPaths,
    *,
    period: str | None = None,
    quiet: bool = False,
    reports: bool = True,
    regions: list[str] | None = None,
    accept_withdrawals: bool = False,
    instance: dg.DagsterInstance | None = None,
    defs: dg.Definitions | None = None,
    settings: Settings | None = None,
) -> RunSummary:
    """``regions``: render the documents for these ONS region codes only (default: the
    settings' regions, SUCCESSION_REGIONS, else every region with returns).
    ``accept_withdrawals``: replace the warehouse even when many raw files were withdrawn.
    ``settings``: everything else (default: the environment's, with ``paths`` as the roots).

    Raises `safeguards.RawFolderError` (before anything under the build folder is touched)
    when the raw folder is missing, lacks a source folder or is empty."""
    check_raw_folder(paths.raw_dir)
    console = sys.stdout  # the console as it is now: a job's stdout goes to its log file while it runs
    say = (lambda *_: None) if quiet else (lambda msg: print(msg, file=console, flush=True))
    if settings is None:
        settings = Settings(raw_dir=paths.raw_dir, build_dir=paths.build_dir)
    elif settings.paths != paths:
        raise ValueError(f"settings name {settings.paths}, not {paths}")
    with writer_lock(paths, say):
        started = time.monotonic()
        for src in sources().values():  # raw/ entries no partition reads: recorded even when no partition changed
            record_strays(src, paths.raw_dir, paths.lake_dir, run_id="discovery")
        if why := _nothing_to_do(paths, settings, period, reports, regions):
            period, because = why
            return _finish(paths, RunSummary(period=period), say, started, period and reports, f"up to date: {because}")
        return _run(paths, period, say, instance, defs, reports, regions, accept_withdrawals, settings)


def _nothing_to_do(paths, settings: Settings, period, reports: bool, regions) -> tuple[str | None, str] | None:
    """(period, why) when this run has nothing to do: no raw file changed since its load, the
    warehouse was built from the lake as it is, and the period's documents and the register
    were made from that build; decided before Dagster is imported. None: run the stages."""
    if scan(paths).changes or _warehouse_current(paths, settings) is None:
        return None
    period = period or (partition_keys(paths)["quarter"] or [None])[-1]
    if period and reports and not documents.all_current(paths, period, list(regions or []), settings.regions):
        return None
    if stale_files(paths.warehouse, paths.figures_dir, register=bool(period and reports)):
        return None
    documented = f", and the {period} documents and the register were made from it" if period and reports else ""
    return period, f"no raw file, lake source or dbt file changed since the last build{documented}"


def _run(
    paths,
    period,
    say,
    instance,
    defs,
    reports=True,
    regions=None,
    accept_withdrawals=False,
    settings: Settings | None = None,
) -> RunSummary:
    import dagster as dg

    from orchestration.definitions import build_definitions
    from orchestration.progress import JobProgress
    from orchestration.publishing import REPORT_ASSET, REPORTS_OP
    from orchestration.stages import stages
    from orchestration.warehouse import INCREMENTAL_TAG, forget_inputs, incremental_selection

    started = time.monotonic()
    settings = settings or Settings(raw_dir=paths.raw_dir, build_dir=paths.build_dir)
    defs = defs or build_definitions(settings)
    instance = instance or instance_for(settings)
    recover_dead_runs(instance, say)
    partitions = register_partitions(instance, paths)
    quarters = partitions["quarter"]
    period = period or (quarters[-1] if quarters else None)
    summary = RunSummary(period=period)
    plan: list[tuple[str, dict]] = []
    # the stages in the order the asset graph gives (stages.py), each with how this run executes it
    unchanged = []
    rendering = False  # from the first stage run per partition (the documents) on
    for stage in stages(defs.resolve_asset_graph()):
        if stage.single_run:
            # only the partitions whose files changed since their last load (a run over unchanged
            # partitions still costs Dagster a materialisation event per asset and partition)
            if tags := _range_tags(instance, stage.kind, changed_partitions(paths, stage.kind)):
                plan.append((stage.name, {"tags": tags}))
            elif partitions.get(stage.kind):
                unchanged.append(stage.name)
        elif stage.partitions_def is not None:
            # one partition: the quarter asked for, else the latest (the declarative automation
            # renders the same one, orchestration/conditions.py)
            rendering = True
            if period and reports:
                regions_config = {"config": {"regions": list(regions or [])}}
                renders = any(k.path[-1] in REPORT_ASSET.values() for k in stage.keys)
                ops = {REPORTS_OP: regions_config} if renders else {}
                plan.append((stage.name, {"partition_key": period, "run_config": {"ops": ops}}))
        elif rendering:
            if period and reports:  # made from the documents: left to the next run that renders them
                plan.append((stage.name, {}))
        else:
            plan.append(
                (
                    stage.name,
                    {
                        "skip_if": lambda p: _warehouse_current(p, settings),
                        "tags": {ACCEPT_WITHDRAWALS_TAG: "true"} if accept_withdrawals else {},
                    },
                )
            )
    if unchanged:
        say(f"raw files unchanged since their last load: {', '.join(unchanged)} skipped")
    total = len(plan)
    for i, (job_name, kwargs) in enumerate(plan, start=1):
        if (skip := kwargs.pop("skip_if", None)) and (why := skip(paths)):
            say(f"[{i}/{total}] {job_name}: up to date ({why})")
            summary.stages.append((job_name, True, 0.0))
            continue
        if job_name == "build_warehouse":
            withdrawals = find_withdrawals(paths)  # the same guard the warehouse asset applies
            summary.withdrawn = [path for _, _, path in withdrawals.files]
            if withdrawals.refused and not accept_withdrawals:
                summary.refusal = withdrawals.refusal()
                summary.stages.append((job_name, False, 0.0))
                say(f"[{i}/{total}] {job_name}: REFUSED")
                break
        job = defs.resolve_job_def(job_name)
        n_assets = len(job.asset_layer.executable_asset_keys) if hasattr(job, "asset_layer") else 0
        if job_name == "build_warehouse" and (changed := changed_sources(paths, settings)[0]):
            # an incremental build: a run of only what depends on the changed sources, so that
            # Dagster plans and records no event for the models and checks it does not rebuild
            kwargs["asset_selection"] = incremental_selection(changed, job.asset_layer.asset_graph)
            kwargs["tags"] = {**kwargs.get("tags", {}), INCREMENTAL_TAG: ",".join(changed)}
            n_assets = len(kwargs["asset_selection"])
        say(
            f"[{i}/{total}] {job_name}: {n_assets} assets{' for ' + kwargs['partition_key'] if 'partition_key' in kwargs else ''} "
            f"(elapsed {time.monotonic() - started:.0f}s)"
        )
        t0 = time.monotonic()
        log = paths.build_dir / "logs" / f"{job_name}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        # assets done of total, current step, elapsed: printed from the run's event log while it runs
        progress = JobProgress(
            instance, label=f"{i}/{total} {job_name}", total_assets=n_assets, emit=say, started=started
        )
        with open(log, "w", encoding="utf-8") as sink, contextlib.redirect_stdout(sink), progress:
            # dbt's own output (streamed by dagster-dbt) goes to build/logs/<job>.log
            tags = {**kwargs.pop("tags", {}), PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()}
            result = job.execute_in_process(
                instance=instance,
                raise_on_error=False,
                tags=tags,
                run_id=progress.run_id,
                run_config={**QUIET_LOGS, **kwargs.pop("run_config", {})},
                **kwargs,
            )
        ok = result.success
        summary.stages.append((job_name, ok, time.monotonic() - t0))
        failed_checks = _failed_checks(result)
        summary.checks_failed.extend(failed_checks)
        if job_name == "build_warehouse":
            # never recorded as built: a failed run leaves the last good build's record (the
            # next run rebuilds what changed since); a failed error-severity check that did
            # not block (so the build was recorded) drops it (the next run rebuilds everything)
            error_check = any(f"({dg.AssetCheckSeverity.ERROR.value})" in c for c in failed_checks)
            forget_inputs(paths, keep_last_good=not (ok and error_check))
        say(f"      {'done' if ok else 'FAILED'} in {time.monotonic() - t0:.1f}s")
        if not ok:
            for ev in result.all_events:
                if ev.event_type_value == "STEP_FAILURE":
                    err = ev.event_specific_data.error
                    say(f"      step {ev.step_key} failed: {err.message.strip() if err else ''}")
            say(f"      details: {log}")
            break
    return _finish(paths, summary, say, started, period and reports)


def _finish(paths: ProjectPaths, summary: RunSummary, say, started: float, documented, why: str = "") -> RunSummary:
    """The run's summary: files loaded and quarantined, outputs, and what is stale."""
    _collect_files(paths, summary)
    summary.outputs = sorted(p.relative_to(paths.build_dir) for p in _outputs(paths))
    # a run told not to render documents leaves the register (what documents show) to the next one
    summary.stale = [
        p.relative_to(paths.build_dir)
        for p in stale_files(paths.warehouse, paths.figures_dir, register=bool(documented))
    ]
    if why:
        say(why)
    say(f"finished in {time.monotonic() - started:.1f}s " + ("(success)" if summary.success else "(FAILED)"))
    for line in summary.lines():
        say(line)
    return summary


def _failed_checks(result) -> list[str]:
    """One line per failed asset check of a run: key, check, severity and what it said
    (its description, else a message-like metadata entry), shortened to one line."""
    out = []
    for ev in result.all_events:
        if ev.event_type_value != "ASSET_CHECK_EVALUATION" or ev.event_specific_data.passed:
            continue
        data = ev.event_specific_data
        line = f"{data.asset_key.to_user_string()}:{data.check_name} ({data.severity.value})"
        said = data.description or _metadata_message(data.metadata or {})
        if said:
            said = " ".join(str(said).split())
            line += ": " + (said if len(said) <= 200 else said[:197] + "...")
        out.append(line)
    return out


def _metadata_message(metadata) -> str | None:
    for name, value in metadata.items():
        if any(w in name.lower() for w in ("message", "description", "reason", "error")):
            text = getattr(value, "value", value)
            if isinstance(text, (str, int, float)) and str(text).strip():
                return str(text)
    return None


def _collect_files(paths: ProjectPaths, summary: RunSummary) -> None:
    ledger = lake_ledger(paths)
    summary.files_loaded += int((ledger["status"] == "loaded").sum())
    for r in ledger[ledger["status"] == "quarantined"].itertuples():
        summary.quarantined.append((r.file_path, json.loads(r.problems)))


def _outputs(paths: ProjectPaths) -> list[Path]:
    out = [paths.warehouse] if paths.warehouse.exists() else []
    out += sorted(paths.figures_dir.glob("*.csv"))
    out += sorted(p for p in paths.reports_dir.rglob("*") if p.suffix in (".html", ".pdf"))
    return out
