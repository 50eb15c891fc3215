"""The shared deployment's instance (deploy/dagster.postgres.yaml) against a real PostgreSQL.

A throwaway server is started on loopback from Debian's `postgresql` binaries
(`/usr/lib/postgresql/<v>/bin`), in a tmp folder, on a free port, as the `postgres`
user when the tests run as root. Skipped, with the reason, when the binaries are absent.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import dagster as dg
import pytest

from succession.paths import PROJECT_DIR

DEPLOY_YAML = PROJECT_DIR / "deploy" / "dagster.postgres.yaml"


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def postgres():
    bindir = _pg_bin()
    if bindir is None:
        pytest.skip("PostgreSQL server binaries not installed (apt-get install postgresql; .ci/run tries)")
    prefix: list[str] = []
    base = Path(tempfile.mkdtemp(prefix="succession-pg-"))
    if os.geteuid() == 0:  # initdb refuses to run as root: run the server as `postgres`
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(base, ignore_errors=True)
            pytest.skip("running as root and there is no `postgres` user to run the server as")
        if not shutil.which("runuser"):
            pytest.skip("running as root without runuser")
        os.chown(base, user.pw_uid, user.pw_gid)
        os.chmod(base, 0o700)
        prefix = ["runuser", "-u", "postgres", "--"]
    data, sock, port = base / "data", base / "sock", _free_port()

    def run(*args, **kw):
        return subprocess.run([*prefix, *map(str, args)], check=True, capture_output=True, text=True, timeout=60, **kw)

    try:
        run(bindir / "initdb", "-D", data, "-U", "dagster", "-A", "trust", "--no-sync", "-E", "UTF8")
        run("mkdir", sock)
        run(
            bindir / "pg_ctl",
            "-D",
            data,
            "-l",
            base / "server.log",
            "-w",
            "-t",
            "30",
            "start",
            "-o",
            f"-h 127.0.0.1 -p {port} -k {sock} -c fsync=off -c full_page_writes=off",
        )
        run(bindir / "createdb", "-h", "127.0.0.1", "-p", port, "-U", "dagster", "dagster")
        yield {
            "DAGSTER_PG_HOST": "127.0.0.1",
            "DAGSTER_PG_PORT": str(port),
            "DAGSTER_PG_USER": "dagster",
            "DAGSTER_PG_PASSWORD": "unused-trust-auth",
            "DAGSTER_PG_DB": "dagster",
        }
    except subprocess.CalledProcessError as exc:
        log = (base / "server.log").read_text() if (base / "server.log").exists() else ""
        pytest.fail(f"postgres set-up failed: {exc.cmd}\n{exc.stdout}\n{exc.stderr}\n{log}")
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "-t", "30", "stop"],
                capture_output=True,
                timeout=60,
            )
        shutil.rmtree(base, ignore_errors=True)


def test_postgres_instance_runs_and_reads_back(postgres, tmp_path, monkeypatch):
    for k, v in postgres.items():
        monkeypatch.setenv(k, v)
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(DEPLOY_YAML, home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))

    started = time.monotonic()
    with dg.DagsterInstance.from_config(str(home)) as instance:
        from dagster._core.run_coordinator import QueuedRunCoordinator
        from dagster_postgres import PostgresEventLogStorage, PostgresRunStorage, PostgresScheduleStorage

        assert isinstance(instance.run_storage, PostgresRunStorage)
        assert isinstance(instance.event_log_storage, PostgresEventLogStorage)
        assert isinstance(instance.schedule_storage, PostgresScheduleStorage)
        assert isinstance(instance.run_coordinator, QueuedRunCoordinator)
        queue = instance.get_concurrency_config().run_queue_config
        assert queue.max_concurrent_runs == 4
        assert {"key": "succession/trigger", "value": "raw_files_sensor", "limit": 2} in queue.tag_concurrency_limits
        assert instance.get_concurrency_config().pool_config.default_pool_limit == 1

        @dg.asset(pool="warehouse")
        def heartbeat() -> dg.MaterializeResult:
            return dg.MaterializeResult(metadata={"rows": 1})

        instance.add_dynamic_partitions("quarter", ["2024-25 Q1"])
        result = dg.materialize([heartbeat], instance=instance, tags={"succession/trigger": "test"})
        assert result.success

        run = instance.get_run_by_id(result.run_id)
        assert run.status == dg.DagsterRunStatus.SUCCESS and run.tags["succession/trigger"] == "test"
        [record] = instance.fetch_materializations(dg.AssetKey("heartbeat"), limit=1).records
        assert record.run_id == result.run_id
        assert record.asset_materialization.metadata["rows"].value == 1
        assert instance.get_dynamic_partitions("quarter") == ["2024-25 Q1"]
    assert time.monotonic() - started < 60
