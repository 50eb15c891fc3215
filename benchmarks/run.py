"""National-scale benchmark: generation, ingestion, dbt, reports, the whole run, one new quarter.

    .venv/bin/python benchmarks/run.py [--points 19x8,153x8,153x40] [--data-dir DIR]
                                       [--json PATH] [--no-baseline] [--keep] [--smoke]
                                       [--before OLD.json] [--suite]

For every scale point ``<LAs>x<quarters>`` it generates raw data with the project's own
generator (``succession.sample_data.generate``), cached per point under ``--data-dir`` so a
re-run skips generation, then times each phase in its own subprocess while polling the
resident set size of that subprocess and all its descendants every 0.1 s (psutil), and at the
peak what each kind of process held (``peak_by_process_mib``: the phase's own process, dbt,
Jupyter kernels, worker processes, others):

* ``ingest``       every partition of every source through ``ingest_partition`` (no Dagster)
* ``reingest``     the same again onto the lake just written (every file unchanged)
* ``dbt_build``    ``dbt build`` of the project into a fresh DuckDB file from that lake
* ``render``       the documents (HTML + PDF) for one region and the latest quarter, and the national overview
* ``whole_run``    ``orchestration.runner.run`` (what ``succession run`` does), fresh build dir
* ``independent``  the independent recomputation (``tests/independent/``, dual running) of every
  figure from raw/, compared with the whole run's register (``audit.fct_figures``)
* ``incremental``  one new quarter for every LA added to raw/, then ``run`` again on that build
* ``baseline_ingest`` naive: every workbook read per sheet with ``pandas.read_excel(engine="openpyxl")``
  (and every CSV export with ``pandas.read_csv``: the same files the project reads),
  concatenated per source and sheet, loaded into a DuckDB file
* ``baseline_dbt`` ``dbt run`` of the project (its models read the lake, so this is the same
  lake the project wrote) into that DuckDB file

It prints one table per point, growth ratios between points, and issue 15's targets with
each figure before (``--before``, a previous ``--json`` file) and after (this run); ``--suite``
also times ``make test``. It writes everything as JSON with ``--json``. ``--smoke`` is a tiny point (3 LAs x 2 quarters) for the test suite.
See benchmarks/README.md for the targets and the last results.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import itertools
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))

import psutil  # noqa: E402

# point name -> (LAs, quarters, survey respondents, interviews, segments per interview)
POINTS: dict[str, tuple[int, int, int, int, int]] = {
    "19x8": (19, 8, 70, 13, 20),  # the bundled sample (South East, 2023-24 Q1 .. 2024-25 Q4)
    "153x8": (153, 8, 10_000, 100, 50),  # 5,000 coded segments
    "153x40": (153, 40, 100_000, 1_000, 50),  # 50,000 coded segments
    "smoke": (3, 2, 20, 2, 5),
}
DEFAULT_POINTS = "19x8,153x8,153x40"
PHASE_TIMEOUT = 1800.0  # seconds; a stuck phase must not hold the machine for hours
PHASES = [
    "ingest",
    "reingest",
    "dbt_build",
    "render",
    "whole_run",
    "independent",
    "incremental",
    "baseline_ingest",
    "baseline_dbt",
]
# issue 15's targets, judged at 153x40 (printed for every point): seconds, MiB, a ratio, seconds
TARGETS = {
    "whole_run_s": 30.0,
    "whole_run_peak_mib": 1024.0,
    "incremental_s": 10.0,
    "hr_ingest_speedup": 10.0,
    "make_test_s": 600.0,
}
GEN_VERSION = 2  # 2: respondents and interviews are national totals split across regions


# --- points and data ----------------------------------------------------------------------


def point_params(name: str) -> tuple[int, int, int, int, int]:
    if name in POINTS:
        return POINTS[name]
    try:  # "NxQ" or "NxQ:respondents:interviews:segments"
        head, *rest = name.split(":")
        n, q = (int(x) for x in head.lower().split("x"))
        r, i, s = (int(x) for x in rest) if rest else (70, 13, 20)
        return n, q, r, i, s
    except ValueError:
        raise SystemExit(f"bad point {name!r}: use <LAs>x<quarters>[:respondents:interviews:segments]") from None


def make_spec(name: str):
    from succession.sample_data import SampleSpec

    n, q, r, i, s = point_params(name)
    if name == "19x8":
        return SampleSpec.sample()  # exactly the committed raw/
    return SampleSpec.national(n, q, r, i, s)


def spec_record(spec) -> dict:
    return {
        "las": len(spec.las),
        "quarters": [q.label for q in spec.quarters],
        "regions": list(spec.regions),
        "survey_respondents": spec.survey_respondents,
        "interviews": spec.interviews,
        "segments_per_interview": spec.segments_per_interview,
        "seed": spec.seed,
        "oddities": spec.oddities,
        "generator_version": GEN_VERSION,
    }


def ensure_data(name: str, data_dir: Path, log) -> tuple[Path, dict]:
    """Generate a point's raw folder once; return it and the generation record."""
    spec = make_spec(name)
    folder = data_dir / name
    raw = folder / "raw"
    marker = folder / "spec.json"
    want = spec_record(spec)
    if marker.exists():
        have = json.loads(marker.read_text())
        if have.get("spec") == want and raw.exists():
            log(f"  data: cached {raw} (generated in {have.get('seconds', 0):.1f}s)")
            return raw, {**have, "cached": True}
    if folder.exists():
        shutil.rmtree(folder)
    raw.mkdir(parents=True)
    log(f"  data: generating {name} into {raw} ...")
    code = (
        f"import sys, time, json; from pathlib import Path; sys.path.insert(0, {str(PROJECT_DIR)!r})\n"
        "from benchmarks.run import make_spec, _generate_timed\n"
        f"print(json.dumps(_generate_timed(Path({str(raw)!r}), make_spec({name!r}))))"
    )
    t0 = time.monotonic()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT_DIR)
    if out.returncode:
        raise SystemExit(f"generation failed:\n{out.stderr[-4000:]}")
    by_source = json.loads(out.stdout.strip().splitlines()[-1])
    rec = {"spec": want, "seconds": time.monotonic() - t0, "by_source": by_source}
    marker.write_text(json.dumps(rec, indent=1))
    log(f"  data: generated in {rec['seconds']:.1f}s ({', '.join(f'{k} {v:.1f}s' for k, v in by_source.items())})")
    return raw, {**rec, "cached": False}


def _generate_timed(raw: Path, spec) -> dict[str, float]:
    """`generate`, source by source, timed (the same calls `generate` makes)."""
    import importlib

    out = {}
    for src in ("hr_returns", "survey", "interviews", "programme"):
        mod = importlib.import_module(f"succession.sample_data.{src}")
        t0 = time.monotonic()
        mod.generate(raw, spec)
        out[src] = time.monotonic() - t0
    return out


def add_next_quarter(name: str, raw: Path) -> dict:
    """Write one new quarter of HR returns for every LA of the point into ``raw``.

    Generated with the project's generator for the quarter after the point's last one
    (a one-quarter spec for the same LAs, without the deliberate oddities, so every LA
    has exactly one return), written to a scratch folder and moved into ``raw``."""
    from succession.sample_data import hr_returns as gen_hr

    spec = make_spec(name)
    nxt = max(spec.quarters).next()
    one = dataclasses.replace(spec, quarters=(nxt,), oddities=False)
    scratch = Path(tempfile.mkdtemp(prefix="bench-next-", dir=raw.parent))
    try:
        written = gen_hr.generate(scratch, one)
        src = scratch / "hr_returns" / nxt.key
        dest = raw / "hr_returns" / nxt.key
        shutil.copytree(src, dest)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return {"quarter": nxt.label, "files": len(written)}


def link_copy(src: Path, dest: Path) -> None:
    """A copy of a raw folder made of hard links (fast; raw files are never written to)."""

    def link(a, b):
        try:
            os.link(a, b)
        except OSError:
            shutil.copy2(a, b)

    shutil.copytree(src, dest, copy_function=link)


# --- measuring a subprocess ----------------------------------------------------------------


@dataclasses.dataclass
class Measured:
    seconds: float
    peak_rss_mib: float
    peak_by_process_mib: dict[str, float]  # at the peak, by kind of process (`process_kind`)
    returncode: int
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]
    result: dict


def process_kind(cmdline: list[str], *, root: bool) -> str:
    """What a process of a measured phase is, for the peak's composition."""
    text = " ".join(cmdline)
    if root:
        return "phase"
    if any(Path(arg).name == "dbt" for arg in cmdline[:2]):  # dbt, or python running the dbt script
        return "dbt"
    if "ipykernel" in text:  # a Jupyter kernel executing a document
        return "kernel"
    if "multiprocessing" in text:  # spawned ingestion and audit workers, their resource tracker
        return "workers"
    return "other"


def measure(
    argv: list[str],
    *,
    env: dict[str, str],
    cwd: Path,
    log_path: Path,
    result_path: Path | None = None,
    interval: float = 0.1,
) -> Measured:
    """Run argv; wall seconds and the peak summed RSS of it and all its descendants."""
    load_before = os.getloadavg()
    peak = 0
    peak_by_kind: dict[str, int] = {}
    done = threading.Event()
    with open(log_path, "w") as sink:
        t0 = time.monotonic()
        proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=sink, stderr=subprocess.STDOUT)
        root = psutil.Process(proc.pid)

        def poll():
            nonlocal peak, peak_by_kind
            while not done.is_set():
                by_kind: dict[str, int] = {}
                try:
                    procs = [root] + root.children(recursive=True)
                except psutil.Error:
                    procs = []
                for p in procs:
                    with contextlib.suppress(psutil.Error):  # a child that has just exited
                        rss = p.memory_info().rss
                        kind = process_kind(p.cmdline(), root=p.pid == root.pid)
                        by_kind[kind] = by_kind.get(kind, 0) + rss
                total = sum(by_kind.values())
                if total > peak:
                    peak, peak_by_kind = total, by_kind
                done.wait(interval)

        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        try:
            rc = proc.wait(timeout=PHASE_TIMEOUT)
        except subprocess.TimeoutExpired:  # stop the whole tree (dbt, kernels) and record it
            for p in [root, *root.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    p.kill()
            rc = proc.wait()
            sink.write(f"\n[benchmark] stopped after the phase timeout of {PHASE_TIMEOUT}s\n")
        seconds = time.monotonic() - t0
        done.set()
        poller.join()
    result = {}
    if result_path is not None and result_path.exists():
        result = json.loads(result_path.read_text())
    by_kind = {k: round(v / 2**20, 1) for k, v in sorted(peak_by_kind.items())}
    return Measured(seconds, peak / 2**20, by_kind, rc, load_before, os.getloadavg(), result)


# --- the phases (run inside the measured subprocess) -------------------------------------


def phase_ingest(ctx: dict) -> dict:
    from succession.ingest.framework import ensure_lake_schema
    from succession.ingest.workers import ingest_partitions
    from succession.sources import sources

    raw, lake_dir = Path(ctx["raw"]), Path(ctx["lake"])
    t_all = time.monotonic()
    out: dict = {"by_source": {}}
    files = rows = quarantined = partitions = 0
    for name, src in sources().items():
        t0 = time.monotonic()
        parts = src.discover(raw)
        s_files = s_rows = s_q = 0
        # as the pipeline's ingestion assets do: partitions side by side at scale
        for res in ingest_partitions(src, parts, sorted(parts), raw_dir=raw, lake_dir=lake_dir, run_id=ctx["run_id"]):
            current = res.files[res.files["status"].isin(["loaded", "quarantined"])]
            s_files += len(current)
            s_rows += int(current["rows_read"].sum())
            s_q += int((current["status"] == "quarantined").sum())
        ensure_lake_schema(src, lake_dir)
        out["by_source"][name] = {
            "seconds": time.monotonic() - t0,
            "partitions": len(parts),
            "files": s_files,
            "rows": s_rows,
            "quarantined": s_q,
        }
        files += s_files
        rows += s_rows
        quarantined += s_q
        partitions += len(parts)
    out.update(seconds=time.monotonic() - t_all, files=files, rows=rows, quarantined=quarantined, partitions=partitions)
    return out


def phase_render(ctx: dict) -> dict:
    from succession.paths import ProjectPaths
    from succession.reports import DOCUMENTS, ENGLAND, NATIONAL_DOCUMENTS, render

    paths = ProjectPaths(Path(ctx["raw"]), Path(ctx["build"]))
    out = {"documents": {}}
    t_all = time.monotonic()
    for doc in DOCUMENTS:
        t0 = time.monotonic()
        region = ENGLAND if doc in NATIONAL_DOCUMENTS else ctx["region"]  # the overview: England, all nine regions
        r = render(paths, doc, region, ctx["period"], formats=tuple(ctx.get("formats", ("html", "pdf"))))
        out["documents"][doc] = {
            "seconds": time.monotonic() - t0,
            "engine": r.engine,
            "outputs": {k: str(v) for k, v in r.outputs.items()},
        }
    out["seconds"] = time.monotonic() - t_all
    return out


def phase_run(ctx: dict) -> dict:
    from orchestration.runner import run
    from succession.paths import ProjectPaths

    paths = ProjectPaths(Path(ctx["raw"]).resolve(), Path(ctx["build"]).resolve())
    t0 = time.monotonic()
    summary = run(paths, quiet=True, reports=ctx.get("reports", True), regions=[ctx["region"]])
    return {
        "seconds": time.monotonic() - t0,
        "success": summary.success,
        "period": summary.period,
        "stages": {name: secs for name, _, secs in summary.stages},
        "failed_stages": [name for name, ok, _ in summary.stages if not ok],
        "files_loaded": summary.files_loaded,
        "quarantined": len(summary.quarantined),
        "checks_failed": summary.checks_failed,
    }


def phase_baseline_ingest(ctx: dict) -> dict:
    """The naive way: openpyxl via pandas, sheet by sheet (and the CSV exports with
    ``pandas.read_csv``, so both sides read the same files), concat, into DuckDB."""
    import warnings

    import duckdb
    import pandas as pd

    raw = Path(ctx["raw"])
    t0 = time.monotonic()
    frames: dict[str, list[pd.DataFrame]] = {}
    files = rows = 0
    for path in sorted([*raw.rglob("*.xlsx"), *raw.rglob("*.csv")]):
        source = path.relative_to(raw).parts[0]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if path.suffix == ".csv":
                sheets = {path.stem: pd.read_csv(path, dtype=str, encoding_errors="replace")}
            else:
                sheets = pd.read_excel(path, sheet_name=None, engine="openpyxl")
        files += 1
        for sheet, df in sheets.items():
            df = df.astype(str)  # naive: everything as text, as a first cut would
            df["_file"] = str(path.relative_to(raw))
            frames.setdefault(f"{source}__{sheet}".lower().replace(" ", "_"), []).append(df)
            rows += len(df)
    t_read = time.monotonic() - t0
    con = duckdb.connect(ctx["warehouse"])
    con.execute("create schema if not exists naive")
    for table, dfs in frames.items():
        df = pd.concat(dfs, ignore_index=True)  # read by DuckDB's replacement scan
        con.execute(f'create or replace table naive."{table}" as select * from df')
    con.close()
    return {
        "seconds": time.monotonic() - t0,
        "read_seconds": t_read,
        "files": files,
        "rows": rows,
        "tables": len(frames),
    }


def phase_independent(ctx: dict) -> dict:
    """Dual running at scale: recompute every figure from raw/ alone, then compare with the register."""
    import duckdb

    sys.path.insert(0, str(PROJECT_DIR / "tests"))
    from independent import register

    t0 = time.monotonic()
    figures = register.recompute(Path(ctx["raw"]))
    recompute_seconds = time.monotonic() - t0
    out = {"recompute_seconds": recompute_seconds, "figures": len(figures)}
    warehouse = Path(ctx["build"]) / "warehouse.duckdb"
    if warehouse.exists():
        con = duckdb.connect(str(warehouse), read_only=True)
        registered = con.sql("select figure_id, value_shown, unit from audit.fct_figures").df()
        con.close()
        cmp = register.compare(registered, figures)
        unexplained = cmp.unexplained
        out.update(
            registered=cmp.total,
            recomputed=len(cmp.recomputed),
            not_recomputed=len(cmp.not_recomputed),
            not_recomputed_unexpected=len(register.unexpected_gap(cmp.not_recomputed)),
            mismatches=len(cmp.mismatches),
            mismatches_known_elsewhere=len(cmp.mismatches) - len(unexplained),
            mismatches_unexplained=len(unexplained),
            mismatch_examples=unexplained.head(10).to_dict("records"),
        )
    out["seconds"] = time.monotonic() - t0
    return out


PHASE_FUNCS = {
    "ingest": phase_ingest,
    "render": phase_render,
    "run": phase_run,
    "baseline_ingest": phase_baseline_ingest,
    "independent": phase_independent,
}


def _child(phase: str, ctx_path: str, out_path: str) -> None:
    ctx = json.loads(Path(ctx_path).read_text())
    result = PHASE_FUNCS[phase](ctx)
    Path(out_path).write_text(json.dumps(result, indent=1, default=str))


# --- orchestrating one point ---------------------------------------------------------------


def base_env(work: Path) -> dict[str, str]:
    env = dict(os.environ)
    home = work / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    src = PROJECT_DIR / ".dagster_home" / "dagster.yaml"
    if src.exists() and not (home / "dagster.yaml").exists():
        shutil.copy(src, home / "dagster.yaml")
    state = work / "state"
    env.update(
        {
            "DAGSTER_HOME": str(home),  # a private instance, never the project's .dagster_home
            "JUPYTER_CONFIG_DIR": str(state / "jupyter/config"),
            "JUPYTER_DATA_DIR": str(state / "jupyter/data"),
            "JUPYTER_RUNTIME_DIR": str(state / "jupyter/runtime"),
            "IPYTHONDIR": str(state / "ipython"),
            "MPLCONFIGDIR": str(state / "mpl"),
            "PYTHONUNBUFFERED": "1",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            # generated data is not the bundled sample: without a configured key its surveys are refused
            "SUCCESSION_PSEUDONYM_KEY": os.environ.get("SUCCESSION_PSEUDONYM_KEY")
            or "benchmark-key-for-generated-data",
        }
    )
    return env


def dbt_argv(command: str, build: Path, warehouse: Path | None = None) -> list[str]:
    """A dbt command on ``build``'s lake, into ``warehouse`` (default: the build's)."""
    from orchestration.resources import dbt_executable
    from succession.paths import DBT_PROJECT_DIR
    from succession.settings import Settings

    return [
        dbt_executable(),
        command,
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--project-dir",
        str(DBT_PROJECT_DIR),
        *Settings.from_values({"build_dir": build}).dbt_vars_arg(warehouse=warehouse),
    ]


def run_point(
    name: str, data_dir: Path, work_root: Path, *, baseline: bool, say, smoke: bool, skip: set[str] = frozenset()
) -> dict:
    from succession.paths import DBT_PROJECT_DIR
    from succession.sample_data import SAMPLE_REGION

    say(
        f"== {name}: {point_params(name)[0]} LAs x {point_params(name)[1]} quarters, "
        f"{point_params(name)[2]:,} respondents, {point_params(name)[3]:,} interviews x {point_params(name)[4]} segments"
    )
    raw, gen = ensure_data(name, data_dir, say)
    spec = make_spec(name)
    region = SAMPLE_REGION if SAMPLE_REGION in spec.regions else spec.regions[0]
    period = max(spec.quarters).label
    work = work_root / name
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    env = base_env(work)
    py = sys.executable
    me = str(Path(__file__).resolve())
    phases: dict[str, dict] = {}

    def child(phase_name: str, func: str, ctx: dict, extra_env: dict | None = None) -> Measured:
        ctx_path, out_path = work / f"{phase_name}.ctx.json", work / f"{phase_name}.result.json"
        ctx_path.write_text(json.dumps(ctx))
        out_path.unlink(missing_ok=True)
        return record(
            phase_name,
            measure(
                [py, me, "--_phase", func, str(ctx_path), str(out_path)],
                env={**env, **(extra_env or {})},
                cwd=PROJECT_DIR,
                log_path=work / f"{phase_name}.log",
                result_path=out_path,
            ),
        )

    def record(phase_name: str, m: Measured) -> Measured:
        # a run that exits 0 but reports failure (a failed check, the disclosure audit refusing
        # to publish) measured a different, shorter job: it is not ok
        ok = m.returncode == 0 and (m.result or {}).get("success", True) is not False
        phases[phase_name] = {
            "seconds": round(m.seconds, 3),
            "peak_rss_mib": round(m.peak_rss_mib, 1),
            "peak_by_process_mib": m.peak_by_process_mib,
            "ok": ok,
            "load_before": [round(x, 2) for x in m.load_before],
            "load_after": [round(x, 2) for x in m.load_after],
            "detail": m.result,
        }
        status = (
            "ok"
            if ok
            else f"FAILED ({'rc ' + str(m.returncode) if m.returncode else 'the run reported failure'}, "
            f"see {work / (phase_name + '.log')})"
        )
        held = ", ".join(f"{k} {v:.0f}" for k, v in m.peak_by_process_mib.items())
        say(
            f"  {phase_name:<16} {m.seconds:8.1f}s  peak {m.peak_rss_mib:7.0f} MiB ({held})"
            f"  load {m.load_before[0]:.2f}  {status}"
        )
        return m

    build = work / "build"
    lake = build / "lake"
    ctx = {
        "raw": str(raw),
        "lake": str(lake),
        "build": str(build),
        "run_id": "benchmark",
        "region": region,
        "period": period,
    }
    if smoke:  # keep the test-suite run short: HTML only, no reports inside the Dagster runs
        ctx.update(formats=["html"], reports=False)
    child("ingest", "ingest", ctx)
    if "reingest" not in skip:
        child("reingest", "ingest", ctx)  # every file unchanged: what the ledger saves
    dbt_env = {"DBT_TARGET_PATH": str(work / "dbt_target"), "DBT_LOG_PATH": str(work / "dbt_logs")}
    if "dbt_build" in skip:
        skip = skip | {"render"}  # it reads that build
    else:
        record(
            "dbt_build",
            measure(
                dbt_argv("build", build), env={**env, **dbt_env}, cwd=DBT_PROJECT_DIR, log_path=work / "dbt_build.log"
            ),
        )
    if "render" in skip:
        pass
    elif phases["dbt_build"]["ok"]:
        child("render", "render", ctx)
    else:
        phases["render"] = {"seconds": None, "ok": False, "detail": {"skipped": "dbt build failed"}}

    # the whole `succession run`, fresh build dir, on a hard-linked copy of raw/ that the
    # incremental phase then adds a quarter to
    run_raw, run_build = work / "run_raw", work / "run_build"
    link_copy(raw, run_raw)
    if "whole_run" in skip:
        skip = skip | {"incremental"}  # it needs the whole run's build
    else:
        child("whole_run", "run", {**ctx, "raw": str(run_raw), "build": str(run_build)})
        if "independent" not in skip:  # before the incremental phase adds a quarter to run_raw
            child("independent", "independent", {**ctx, "raw": str(run_raw), "build": str(run_build)})
    t0 = time.monotonic()
    if "incremental" not in skip:
        added = add_next_quarter(name, run_raw)
        added["generate_seconds"] = round(time.monotonic() - t0, 2)
        say(f"  (added {added['files']} returns for {added['quarter']} in {added['generate_seconds']}s)")
        child("incremental", "run", {**ctx, "raw": str(run_raw), "build": str(run_build)})
        phases["incremental"]["added"] = added

    bl = work / "baseline.duckdb"
    if baseline and "baseline_ingest" not in skip:
        child("baseline_ingest", "baseline_ingest", {**ctx, "warehouse": str(bl)})
    if baseline and "baseline_dbt" not in skip:  # the project's models read the lake, not the naive tables
        # the models read the seeds: seed, then run (no tests), in one measured shell
        seed_then_run = [
            "sh",
            "-c",
            shlex.join(dbt_argv("seed", build, bl)) + " && exec " + shlex.join(dbt_argv("run", build, bl)),
        ]
        record(
            "baseline_dbt",
            measure(
                seed_then_run,
                env={**env, **dbt_env, "DBT_TARGET_PATH": str(work / "dbt_target_bl")},
                cwd=DBT_PROJECT_DIR,
                log_path=work / "baseline_dbt.log",
            ),
        )

    ing = phases["ingest"]["detail"]
    out = {
        "point": name,
        "params": dict(
            zip(["las", "quarters", "survey_respondents", "interviews", "segments_per_interview"], point_params(name))
        ),
        "region": region,
        "period": period,
        "generation": gen,
        "files": ing.get("files"),
        "rows": ing.get("rows"),
        "partitions": ing.get("partitions"),
        "workbooks": sum(1 for _ in raw.rglob("*.xlsx")),
        "phases": phases,
    }
    out["ratios"] = point_ratios(phases)
    out["targets"] = targets(out)
    if not smoke:
        say(f"  (work folder {work})")
    return out


def _secs(phases: dict, name: str) -> float | None:
    p = phases.get(name) or {}
    return p.get("seconds") if p.get("ok") else None


def _div(a, b):
    return round(a / b, 2) if a is not None and b else None


def point_ratios(phases: dict) -> dict:
    ing, dbt, bi, bd = (_secs(phases, k) for k in ("ingest", "dbt_build", "baseline_ingest", "baseline_dbt"))
    inner_ing = (phases.get("ingest") or {}).get("detail", {}).get("seconds")
    inner_bl = (phases.get("baseline_ingest") or {}).get("detail", {}).get("seconds")
    hr = ((phases.get("ingest") or {}).get("detail", {}).get("by_source", {}).get("hr_returns") or {}).get("seconds")
    return {
        "baseline_over_project_ingest": _div(bi, ing),  # both subprocess wall, interpreter start included
        "baseline_over_project_ingest_inner": _div(inner_bl, inner_ing),  # in-process time only
        "baseline_over_project_ingest_hr_returns": _div(inner_bl, hr),  # workbooks vs the workbook source
        "baseline_over_project_build": _div((bi or 0) + (bd or 0), (ing or 0) + (dbt or 0))
        if bi and bd and ing and dbt
        else None,
        "reingest_over_ingest": _div(_secs(phases, "reingest"), ing),
        "incremental_over_whole_run": _div(_secs(phases, "incremental"), _secs(phases, "whole_run")),
        "independent_over_whole_run": _div(_secs(phases, "independent"), _secs(phases, "whole_run")),
    }


def target_values(point: dict) -> dict:
    """A point's figure for each target (None where the phase did not run or failed)."""
    ph = point["phases"]
    return {
        "whole_run_s": _secs(ph, "whole_run"),
        "whole_run_peak_mib": (ph.get("whole_run") or {}).get("peak_rss_mib") if _secs(ph, "whole_run") else None,
        "incremental_s": _secs(ph, "incremental"),
        # HR-return workbooks: the naive reading of every workbook against the project's HR-returns source
        "hr_ingest_speedup": point["ratios"].get("baseline_over_project_ingest_hr_returns"),
    }


def met(key: str, value) -> bool | None:
    if value is None:
        return None
    return value >= TARGETS[key] if key.endswith("speedup") else value <= TARGETS[key]


def targets(point: dict) -> dict:
    return {k: met(k, v) for k, v in target_values(point).items()}


def growth(points: list[dict]) -> list[dict]:
    """Ratios between consecutive points, with the ideal (linear) ratio alongside."""
    out = []
    for a, b in itertools.pairwise(points):
        row = {
            "from": a["point"],
            "to": b["point"],
            "ideal_rows": _div(b.get("rows"), a.get("rows")),
            "ideal_workbooks": _div(b.get("workbooks"), a.get("workbooks")),
            "phases": {},
        }
        for ph in PHASES:
            row["phases"][ph] = _div(_secs(b["phases"], ph), _secs(a["phases"], ph))
        row["phases"]["peak_rss_whole_run"] = _div(
            (b["phases"].get("whole_run") or {}).get("peak_rss_mib"),
            (a["phases"].get("whole_run") or {}).get("peak_rss_mib"),
        )
        out.append(row)
    return out


# --- printing ------------------------------------------------------------------------------


def _f(v, fmt="{:.1f}"):
    return "-" if v is None else fmt.format(v)


def table(points: list[dict]) -> str:
    names = [p["point"] for p in points]
    w = max(12, *(len(n) + 2 for n in names))
    lines = []
    head = f"{'phase':<18}" + "".join(f"{n:>{w}}{'':>1}{'MiB':>7}" for n in names)
    lines.append(head)
    lines.append("-" * len(head))
    for ph in PHASES:
        cells = ""
        for p in points:
            d = p["phases"].get(ph)
            if not d:
                cells += f"{'n/a':>{w}} {'':>7}"
            else:
                s = d.get("seconds")
                mark = "" if d.get("ok") else "!"
                cells += f"{_f(s) + mark:>{w}} {_f(d.get('peak_rss_mib'), '{:.0f}'):>7}"
        lines.append(f"{ph + ' (s)':<18}" + cells)
    lines.append("-" * len(head))
    for label, key in [("files", "files"), ("workbooks", "workbooks"), ("rows", "rows"), ("partitions", "partitions")]:
        lines.append(f"{label:<18}" + "".join(f"{_f(p.get(key), '{:,}'):>{w}} {'':>7}" for p in points))
    lines.append(
        f"{'load (1 min)':<18}"
        + "".join(
            f"{_f((p['phases'].get('whole_run') or {}).get('load_before', [None])[0], '{:.2f}'):>{w}} {'':>7}"
            for p in points
        )
    )
    lines.append("")
    lines.append("per point ratios:")
    for p in points:
        r = p["ratios"]
        lines.append(
            f"  {p['point']}: baseline/project ingest {_f(r['baseline_over_project_ingest'], '{:.2f}')}x "
            f"(in-process {_f(r['baseline_over_project_ingest_inner'], '{:.2f}')}x, "
            f"vs hr_returns alone {_f(r['baseline_over_project_ingest_hr_returns'], '{:.2f}')}x), "
            f"baseline/project build (ingest+dbt) {_f(r['baseline_over_project_build'], '{:.2f}')}x, "
            f"reingest/ingest {_f(r['reingest_over_ingest'], '{:.2f}')}, "
            f"incremental/whole {_f(r['incremental_over_whole_run'], '{:.2f}')}, "
            f"independent/whole {_f(r.get('independent_over_whole_run'), '{:.2f}')}"
        )
        ind = (p["phases"].get("independent") or {}).get("detail") or {}
        if ind:
            lines.append(
                f"      independent recomputation: {ind.get('recomputed', '-')} of {ind.get('registered', '-')} "
                f"figures recomputed, {ind.get('mismatches', '-')} differ "
                f"({ind.get('mismatches_unexplained', '-')} unexplained); recompute "
                f"{_f(ind.get('recompute_seconds'))}s"
            )
        stages = " ".join(
            f"{k}={v:.1f}s"
            for k, v in ((p["phases"].get("incremental") or {}).get("detail", {}).get("stages") or {}).items()
        )
        if stages:
            lines.append(f"      incremental stages: {stages}")
        stages = " ".join(
            f"{k}={v:.1f}s"
            for k, v in ((p["phases"].get("whole_run") or {}).get("detail", {}).get("stages") or {}).items()
        )
        if stages:
            lines.append(f"      whole run stages:   {stages}")
        by = (p["phases"].get("ingest") or {}).get("detail", {}).get("by_source") or {}
        if by:
            lines.append(
                "      ingest by source:   " + " ".join(f"{k}={v['seconds']:.1f}s/{v['files']}f" for k, v in by.items())
            )
        t = p["targets"]
        lines.append(
            "      targets: "
            + ", ".join(f"{k}={'met' if v else ('MISSED' if v is False else 'n/a')}" for k, v in t.items())
        )
    g = growth(points)
    if g:
        lines.append("")
        lines.append("growth ratios (time ratio; ideal linear = rows ratio / workbooks ratio):")
        for row in g:
            lines.append(
                f"  {row['to']}/{row['from']}: ideal {_f(row['ideal_rows'], '{:.2f}')} (rows) / "
                f"{_f(row['ideal_workbooks'], '{:.2f}')} (workbooks); "
                + ", ".join(f"{k} {_f(v, '{:.2f}')}" for k, v in row["phases"].items())
            )
    return "\n".join(lines)


TARGET_LABELS = {
    "whole_run_s": ("whole `succession run` from an empty build (s)", "<="),
    "whole_run_peak_mib": ("peak memory of that run, all processes (MiB)", "<="),
    "incremental_s": ("one new quarter for all LAs, incremental (s)", "<="),
    "hr_ingest_speedup": ("HR-return ingestion vs naive openpyxl (x)", ">="),
    "make_test_s": ("`make test` (s)", "<="),
}


def target_table(points: list[dict], before: dict | None = None, suite: dict | None = None) -> str:
    """Issue 15's table: each target's figure before (a previous results file) and after (this
    run) at every point, and whether the 153x40 figure, or the biggest point's, meets it."""
    old = {p["point"]: p for p in (before or {}).get("points", [])}
    judged = next((p["point"] for p in points if p["point"] == "153x40"), points[-1]["point"] if points else None)
    cols = [p["point"] for p in points]
    head = f"{'measure':<48}{'target':>9}" + "".join(f"{c + ' before':>15}{c + ' after':>14}" for c in cols)
    lines = [head, "-" * (len(head) + 8)]

    def cell(v, key):
        return _f(v, "{:.2f}" if key.endswith("speedup") else "{:.1f}")

    for key, (label, op) in TARGET_LABELS.items():
        if key == "make_test_s":
            b = ((before or {}).get("suite") or {}).get("seconds")
            a = (suite or {}).get("seconds") if (suite or {}).get("ok") else None
            verdict = {True: "met", False: "MISSED", None: "not measured"}[met(key, a)]
            lines.append(
                f"{label:<48}{op + ' ' + f'{TARGETS[key]:g}':>9}{cell(b, key):>15}{cell(a, key):>14}  {verdict}"
            )
            continue
        row = f"{label:<48}{op + ' ' + f'{TARGETS[key]:g}':>9}"
        verdict = "not measured"
        for p in points:
            b = target_values(old[p["point"]]).get(key) if p["point"] in old else None
            a = target_values(p).get(key)
            row += f"{cell(b, key):>15}{cell(a, key):>14}"
            if p["point"] == judged:
                verdict = {True: "met", False: "MISSED", None: "not measured"}[met(key, a)] + f" at {judged}"
        lines.append(row + "  " + verdict)
    if before:
        lines.append(f"before: {before.get('_path', 'a previous results file')}; after: this run")
    return "\n".join(lines)


def run_suite(work_root: Path, say) -> dict:
    """`make test` as CI runs it, timed like a phase (the test suite is one of issue 15's targets)."""
    m = measure(["make", "test"], env=dict(os.environ), cwd=PROJECT_DIR, log_path=work_root / "suite.log")
    out = {
        "seconds": round(m.seconds, 1),
        "peak_rss_mib": round(m.peak_rss_mib, 1),
        "ok": m.returncode == 0,
        "load_before": [round(x, 2) for x in m.load_before],
        "load_after": [round(x, 2) for x in m.load_after],
    }
    say(f"  make test        {m.seconds:8.1f}s  load {m.load_before[0]:.2f}  {'ok' if out['ok'] else 'FAILED'}")
    return out


# --- main ----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--_phase":
        _child(*argv[1:4])
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--points", default=None, help=f"comma-separated <LAs>x<quarters> (default {DEFAULT_POINTS})")
    ap.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="cache of generated raw data per point (default $TMPDIR/succession-benchmark)",
    )
    ap.add_argument("--work-dir", type=Path, default=None, help="build folders per point (default: a new temp dir)")
    ap.add_argument("--json", type=Path, default=None, help="write every figure here as JSON")
    ap.add_argument("--no-baseline", action="store_true", help="skip the naive openpyxl baseline")
    ap.add_argument("--keep", action="store_true", help="keep the work folder (builds, logs)")
    ap.add_argument(
        "--skip",
        default="",
        help=f"comma-separated phases not to run (of {', '.join(PHASES)}); <point>:<phase> for one point only",
    )
    ap.add_argument("--smoke", action="store_true", help="one tiny point (3 LAs x 2 quarters), for the test suite")
    ap.add_argument(
        "--before", type=Path, default=None, help="a previous --json file: the targets table's 'before' columns"
    )
    ap.add_argument("--suite", action="store_true", help="also time `make test` (lint and every test) after the points")
    ap.add_argument(
        "--phase-timeout",
        type=float,
        default=PHASE_TIMEOUT,
        help=f"stop a phase after this many seconds and record it as failed (default {PHASE_TIMEOUT:.0f})",
    )
    args = ap.parse_args(argv)
    globals()["PHASE_TIMEOUT"] = args.phase_timeout

    say = lambda msg: print(msg, flush=True)  # noqa: E731
    names = ["smoke"] if args.smoke and not args.points else (args.points or DEFAULT_POINTS).split(",")
    data_dir = (args.data_dir or Path(tempfile.gettempdir()) / "succession-benchmark").resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    work_root = args.work_dir.resolve() if args.work_dir else Path(tempfile.mkdtemp(prefix="succession-bench-work-"))
    work_root.mkdir(parents=True, exist_ok=True)
    say(
        f"machine: {psutil.cpu_count()} CPUs, {psutil.virtual_memory().total / 2**30:.1f} GiB, "
        f"load {' '.join(f'{x:.2f}' for x in os.getloadavg())}; data {data_dir}; work {work_root}"
    )
    started = time.monotonic()
    results = []
    before = json.loads(args.before.read_text()) | {"_path": str(args.before)} if args.before else None
    suite = None
    try:
        for name in names:
            results.append(
                run_point(
                    name.strip(),
                    data_dir,
                    work_root,
                    baseline=not args.no_baseline,
                    say=say,
                    smoke=args.smoke,
                    skip=skipped_at(name.strip(), args.skip),
                )
            )
            if args.json:  # after every point, so a run stopped at the biggest point keeps the others
                write_json(args.json, results, started)
        if args.suite:
            suite = run_suite(work_root, say)
    finally:
        if not args.keep and not args.work_dir:
            shutil.rmtree(work_root, ignore_errors=True)
    say("")
    say(table(results))
    say("")
    say(target_table(results, before, suite))
    if args.json:
        write_json(args.json, results, started, suite)
        say(f"\nJSON: {args.json}")
    failed = [f"{p['point']}:{k}" for p in results for k, v in p["phases"].items() if not v.get("ok")]
    failed += ["make test"] if suite and not suite["ok"] else []
    if failed:
        say(f"failed phases: {', '.join(failed)}")
    return 1 if failed else 0


def skipped_at(point: str, spec: str) -> set[str]:
    """The phases ``--skip`` names for ``point``: ``phase`` for every point, ``point:phase`` for one."""
    out = set()
    for item in filter(None, (x.strip() for x in spec.split(","))):
        where, _, phase = item.rpartition(":")
        if where in ("", point):
            out.add(phase)
    return out


def write_json(path: Path, results: list[dict], started: float, suite: dict | None = None) -> None:
    doc = {
        "machine": {
            "cpus": psutil.cpu_count(),
            "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_at_end": [round(x, 2) for x in os.getloadavg()],
        },
        "targets": TARGETS,
        "seconds_total": round(time.monotonic() - started, 1),
        "points": results,
        "growth": growth(results),
        "suite": suite,
    }
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(doc, indent=1, default=str))


if __name__ == "__main__":
    sys.exit(main())
