"""The control room: dagster-webserver serves every asset, check, schedule and sensor.

Starts ``dagster-webserver -w workspace.yaml`` on a free loopback port with a private
DAGSTER_HOME (a copy of the project's dagster.yaml), in its own process group, asks
its GraphQL API what it loaded, and stops it with SIGTERM.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from succession.paths import PROJECT_DIR

WEBSERVER = Path(sys.executable).with_name("dagster-webserver")
LOAD_TIMEOUT = 120  # the code location parses the dbt manifest: ~15-30 s

QUERY = """
{
  workspaceOrError { __typename ... on Workspace { locationEntries { name loadStatus
      locationOrLoadError { __typename ... on PythonError { message } } } } }
  assetNodes { assetKey { path }
    assetChecksOrError { __typename ... on AssetChecks { checks { name assetKey { path } } } } }
  repositoriesOrError { __typename ... on RepositoryConnection { nodes { name
      schedules { name cronSchedule } sensors { name } } } }
}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, timeout: float = 5.0) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as r:  # loopback only
        return r.read()


def _graphql(base: str, query: str) -> dict:
    req = urllib.request.Request(
        f"{base}/graphql", data=json.dumps({"query": query}).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=60) as r:
        body = json.loads(r.read())
    assert "errors" not in body, body.get("errors")
    return body["data"]


@pytest.fixture(scope="module")
def webserver(tmp_path_factory):
    if not WEBSERVER.exists():
        pytest.skip(f"{WEBSERVER} not installed")
    home = tmp_path_factory.mktemp("webserver_home")
    shutil.copy(PROJECT_DIR / ".dagster_home" / "dagster.yaml", home / "dagster.yaml")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(home / "webserver.log", "w")  # noqa: SIM115 - the server writes to it until the teardown closes it
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    started = time.monotonic()
    proc = subprocess.Popen(
        [str(WEBSERVER), "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
        cwd=PROJECT_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        data = None
        while time.monotonic() - started < LOAD_TIMEOUT:
            assert proc.poll() is None, (home / "webserver.log").read_text()[-3000:]
            try:
                _get(f"{base}/server_info")
                data = _graphql(base, QUERY)
                entries = data["workspaceOrError"]["locationEntries"]
                if entries and all(e["loadStatus"] == "LOADED" for e in entries):
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(1)
        else:
            pytest.fail(f"webserver not ready in {LOAD_TIMEOUT}s:\n{(home / 'webserver.log').read_text()[-3000:]}")
        ready = time.monotonic() - started
        print(f"dagster-webserver ready in {ready:.1f}s")
        yield {"base": base, "data": data, "proc": proc, "ready_seconds": ready}
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def defs():
    from orchestration.definitions import defs

    return defs


def test_webserver_serves_every_definition(webserver, defs):
    data = webserver["data"]
    [entry] = data["workspaceOrError"]["locationEntries"]
    assert entry["locationOrLoadError"]["__typename"] == "RepositoryLocation", entry  # not PythonError

    graph = defs.resolve_asset_graph()
    served_assets = {"/".join(n["assetKey"]["path"]) for n in data["assetNodes"]}
    wanted_assets = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert wanted_assets <= served_assets, sorted(wanted_assets - served_assets)[:20]

    served_checks = {
        f"{'/'.join(c['assetKey']['path'])}:{c['name']}"
        for n in data["assetNodes"]
        if n["assetChecksOrError"]["__typename"] == "AssetChecks"
        for c in n["assetChecksOrError"]["checks"]
    }
    wanted_checks = {k.to_user_string() for k in graph.asset_check_keys}
    assert wanted_checks <= served_checks, sorted(wanted_checks - served_checks)[:20]
    assert {"marts/fct_return_status:returns_complete", "hr_returns/_files:contract"} <= served_checks

    repos = data["repositoriesOrError"]["nodes"]
    schedules = {s["name"] for r in repos for s in r["schedules"]}
    sensors = {s["name"] for r in repos for s in r["sensors"]}
    assert {s.name for s in defs.schedules} <= schedules
    assert {s.name for s in defs.sensors} <= sensors
    assert {"raw_files_sensor", "run_failure_alert", "check_failure_alert"} <= sensors
    assert {"quarterly_return_schedule", "returns_freshness_schedule"} <= schedules


def test_webserver_serves_the_ui_and_stops_cleanly(webserver):
    html = _get(f"{webserver['base']}/asset-groups").decode()
    assert "<html" in html.lower()
    proc = webserver["proc"]
    os.killpg(proc.pid, signal.SIGTERM)
    assert proc.wait(timeout=30) is not None
    with pytest.raises((urllib.error.URLError, ConnectionError)):
        _get(f"{webserver['base']}/server_info", timeout=2)
