"""Shared fixtures: the sample build is made ONCE per test session, through Dagster, by the
`succession` command in its own process (`--quiet`, as cron runs it; otherwise as `make run`
makes it), and shared read-only by the tests that inspect it."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from succession.paths import PROJECT_DIR, ProjectPaths

SAMPLE_RAW = PROJECT_DIR / "raw"


@pytest.fixture(scope="session", autouse=True)
def _project_local_state(tmp_path_factory):
    """Keep Jupyter, IPython, matplotlib and Dagster state out of $HOME."""
    state = tmp_path_factory.mktemp("state")
    for var, sub in [
        ("JUPYTER_CONFIG_DIR", "jupyter/config"),
        ("JUPYTER_DATA_DIR", "jupyter/data"),
        ("JUPYTER_RUNTIME_DIR", "jupyter/runtime"),
        ("IPYTHONDIR", "ipython"),
        ("MPLCONFIGDIR", "mpl"),
    ]:
        os.environ[var] = str(state / sub)
    # A private Dagster instance for the session, configured like the project's own
    # (SQLite, warehouse pool of 1), so tests never touch .dagster_home/.
    home = state / "dagster_home"
    home.mkdir()
    shutil.copy(PROJECT_DIR / ".dagster_home" / "dagster.yaml", home / "dagster.yaml")
    os.environ["DAGSTER_HOME"] = str(home)
    if os.environ.get("PYTEST_XDIST_WORKER"):
        # made here, not by the session build (on two workers the other worker may make that):
        # two `succession run` processes started at once on a new instance both create its
        # SQLite tables, and the second fails (tests/test_robustness.py, queued runs)
        import dagster as dg

        with dg.DagsterInstance.from_config(str(home)) as instance:
            instance.get_runs(limit=1)
    yield


def _succession_run_quiet(paths: ProjectPaths) -> None:
    """`succession run --quiet` in a new process, as cron runs it; what it printed is kept beside
    the build folder (``<build>.stdout``, ``<build>.stderr``) for the test that nothing was."""
    done = subprocess.run(
        [sys.executable, "-m", "succession.cli", "run", "--quiet"]
        + ["--raw-dir", str(paths.raw_dir), "--out", str(paths.build_dir)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    for stream in ("stdout", "stderr"):
        paths.build_dir.with_name(f"{paths.build_dir.name}.{stream}").write_text(getattr(done, stream))
    # --quiet prints the summary on stderr when the run failed
    assert done.returncode == 0, f"the sample build exited {done.returncode}:\n{done.stderr[-6000:]}"


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory) -> ProjectPaths:
    """`succession run --quiet` on the bundled sample, into a session build folder.

    Under pytest-xdist (`make test` runs two workers) the build is made once for the whole
    session, by the first worker that needs it, in the folder the workers share; a worker
    that needs it meanwhile waits on a file lock, and a failed build fails every worker with
    the same summary instead of being attempted again."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        paths = ProjectPaths(SAMPLE_RAW.resolve(), tmp_path_factory.mktemp("sample") / "build")
        _succession_run_quiet(paths)
        return paths
    shared = tmp_path_factory.getbasetemp().parent  # the session's folder, above each worker's own
    paths = ProjectPaths(SAMPLE_RAW.resolve(), shared / "sample_build")
    built, failed = shared / "sample_build.done", shared / "sample_build.failed"
    with open(shared / "sample_build.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not built.exists() and not failed.exists():
            try:
                _succession_run_quiet(paths)
            except BaseException as exc:
                failed.write_text(f"the sample build failed: {exc}")
                raise
            built.write_text("built")
    assert not failed.exists(), failed.read_text()
    return paths


@pytest.fixture(scope="session")
def sample_build_output(sample_build) -> subprocess.CompletedProcess:
    """What the session's `succession run --quiet` printed (its exit status was 0)."""
    build = sample_build.build_dir
    out, err = (build.with_name(f"{build.name}.{stream}").read_text() for stream in ("stdout", "stderr"))
    return subprocess.CompletedProcess(args=["succession", "run", "--quiet"], returncode=0, stdout=out, stderr=err)


@pytest.fixture(scope="session")
def warehouse(sample_build):
    con = duckdb.connect(str(sample_build.warehouse), read_only=True)
    yield con
    con.close()


@pytest.fixture
def raw_copy(tmp_path) -> Path:
    """A private copy of the sample raw folder a test may change."""
    dest = tmp_path / "raw"
    shutil.copytree(SAMPLE_RAW, dest)
    return dest


@pytest.fixture
def pseudonym_key_set(monkeypatch):
    """A configured pseudonym key: files that are not the bundled sample are refused without one."""
    monkeypatch.setenv("SUCCESSION_PSEUDONYM_KEY", "test-suite-key-not-the-development-key")


# --- running on two workers (`make test PYTEST_WORKERS=2`: pytest-xdist, --dist loadfile) ------
# Each test file is one unit of work, so a file's module fixtures are made once, on one worker.
# Files are handed out longest first (seconds on a quiet 2-core machine, approximate), and the
# first one needs the sample build: one worker makes it while the other runs the long files
# that do not need it. (--dist loadgroup would split the pipeline files test by test, but
# pytest-xdist 3.8 cannot rename node ids under pytest 9, so its groups are ignored.)
LONGEST_FIRST = [
    "test_robustness.py",  # 215 s: the sample build first, then a killed run and two runs at once after it
    "test_progress.py",  # 60 s: one run of its own (the --quiet test reads the sample build's output)
    "test_benchmark_smoke.py",  # 70 s: runs of its own
    "test_no_data_loss.py",  # 140 s
    "test_audit_trail.py",  # 100 s
    "test_reports.py",  # 100 s
    "test_one_definition.py",  # 70 s
    "test_caveats.py",  # 50 s
    "test_hostile_run.py",  # 25 s
    "test_programme.py",  # 20 s
    "test_report_safety.py",  # 20 s
    "test_interviews_ingest.py",  # 15 s
]


def pytest_configure(config):
    """Under xdist, parse the dbt project (if it changed) once, here, before the workers start:
    each worker imports the orchestration while collecting, and two `dbt parse` at once would
    write the same target/manifest.json (orchestration.warehouse.ensure_manifest)."""
    if config.getoption("numprocesses", None) and not hasattr(config, "workerinput"):
        from orchestration.warehouse import ensure_manifest

        ensure_manifest()


def pytest_collection_modifyitems(config, items):
    """In an xdist worker only (workers collect; --no-loadscope-reorder keeps this order):
    the long files first, each file's tests together and in their order."""
    if not hasattr(config, "workerinput"):
        return
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(LONGEST_FIRST)))  # stable
