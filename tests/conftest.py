"""Shared fixtures: the sample build is made ONCE per test session, through Dagster,
exactly as `make run` makes it, and shared read-only by the tests that inspect it."""

from __future__ import annotations

import os
import shutil
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
    yield


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory) -> ProjectPaths:
    """`succession run` on the bundled sample, into a session build folder."""
    from orchestration.runner import run

    build = tmp_path_factory.mktemp("build")
    paths = ProjectPaths(SAMPLE_RAW.resolve(), build)
    summary = run(paths, quiet=True)
    assert summary.success, "\n".join(summary.lines())
    return paths


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
