"""Automation (issue 8): the raw folder sensor, the schedules, the quality checks and the alerts."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import socket
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.automation import checks as C
from orchestration.automation import schedules as S
from orchestration.resources import ProjectPathsResource
from succession import alerts
from succession.ingest.framework import ingest_partition
from succession.paths import PROJECT_DIR, ProjectPaths
from succession.settings import Settings
from succession.sources import sources

SAMPLE_HR = PROJECT_DIR / "raw" / "hr_returns"


@pytest.fixture(scope="module")
def defs():
    from orchestration.definitions import defs

    return defs


@pytest.fixture
def instance():
    with dg.instance_for_test() as inst:
        yield inst


@pytest.fixture
def raw(tmp_path) -> Path:
    """A tmp raw folder with two LAs' returns for two quarters."""
    root = tmp_path / "raw"
    for quarter in ("2024-25_Q1", "2024-25_Q2"):
        dest = root / "hr_returns" / quarter
        dest.mkdir(parents=True)
        for la in ("825", "826"):
            shutil.copy2(SAMPLE_HR / quarter / f"{la}_{quarter}.xlsx", dest)
    return root


class Ticker:
    """Evaluates the sensor tick after tick, carrying the cursor like the daemon does."""

    def __init__(self, defs, raw: Path, build: Path, instance: dg.DagsterInstance):
        self.defs = defs
        self.sensor = defs.resolve_sensor_def("raw_files_sensor")
        self.instance = instance  # a stored (tmp) instance, as the daemon has: partitions resolve against it
        self.resources = {"project": ProjectPathsResource(raw_dir=str(raw), build_dir=str(build))}
        self.paths = ProjectPaths(raw, build)
        self.cursor = None

    def tick(self):
        ctx = dg.build_sensor_context(
            instance=self.instance,
            instance_ref=self.instance.get_ref(),
            cursor=self.cursor,
            resources=self.resources,
            definitions=self.defs,
        )
        data = self.sensor.evaluate_tick(ctx)
        self.cursor = data.cursor
        for req in data.dynamic_partitions_requests or []:
            self.instance.add_dynamic_partitions(req.partitions_def_name, list(req.partition_keys))
        return data

    def run(self, data) -> None:
        """What the requested runs do to the lake: ingest each requested partition."""
        from orchestration.changes import _partitions_of

        kinds = {"ingest_quarters": "quarter", "ingest_waves": "wave"}
        for req in data.run_requests or []:
            for src in sources().values():
                if src.partition_kind == kinds[req.job_name]:
                    files = _partitions_of(src, self.paths).get(req.partition_key)
                    if files is not None:
                        ingest_partition(
                            src,
                            req.partition_key,
                            files,
                            raw_dir=self.paths.raw_dir,
                            lake_dir=self.paths.lake_dir,
                            run_id="sensor-run",
                        )

    @staticmethod
    def requested(data) -> list[tuple[str, str | None]]:
        return sorted((r.job_name, r.partition_key) for r in data.run_requests or [])

    @staticmethod
    def run_keys(data) -> dict[str | None, str]:
        return {r.partition_key: r.run_key for r in data.run_requests or []}


def test_sensor_requests_exactly_the_partitions_that_changed(defs, raw, tmp_path, instance):
    t = Ticker(defs, raw, tmp_path / "build", instance)

    first = t.tick()
    assert t.requested(first) == [("ingest_quarters", "2024-25 Q1"), ("ingest_quarters", "2024-25 Q2")]
    added = [(r.partitions_def_name, sorted(r.partition_keys)) for r in first.dynamic_partitions_requests]
    assert added == [("quarter", ["2024-25 Q1", "2024-25 Q2"])]
    memo = json.loads(t.cursor)["hashes"]  # hashes the lake does not hold yet, so the next tick reads nothing
    assert set(memo) == {
        f"hr_returns/hr_returns/{q}/{la}_{q}.xlsx" for q in ("2024-25_Q1", "2024-25_Q2") for la in ("825", "826")
    }
    assert all(len(v[2]) == 64 for v in memo.values())  # size, mtime, sha256

    # the runs are pending (the lake has not changed): the same run keys, which Dagster launches once
    pending = t.tick()
    assert t.run_keys(pending) == t.run_keys(first) and None not in t.run_keys(first).values()
    assert not pending.dynamic_partitions_requests

    # once they ran, nothing differs from the lake: no run, no new partition, nothing remembered
    t.run(first)
    quiet = t.tick()
    assert t.requested(quiet) == [] and not quiet.dynamic_partitions_requests
    assert "no raw file differs" in (quiet.skip_message or "")
    assert json.loads(t.cursor)["hashes"] == {}

    # touched but identical content: re-hashed once (then remembered), still nothing requested
    f = raw / "hr_returns" / "2024-25_Q1" / "825_2024-25_Q1.xlsx"
    os.utime(f, ns=(time.time_ns(), time.time_ns() + 5_000_000_000))
    touched = t.tick()
    assert t.requested(touched) == [] and "1 re-hashed" in touched.skip_message
    again = t.tick()
    assert t.requested(again) == [] and "0 re-hashed" in again.skip_message

    # a new quarter arrives: only that quarter, and it becomes a partition
    q3 = raw / "hr_returns" / "2024-25_Q3"
    q3.mkdir()
    shutil.copy2(SAMPLE_HR / "2024-25_Q3" / "825_2024-25_Q3.xlsx", q3)
    new = t.tick()
    assert t.requested(new) == [("ingest_quarters", "2024-25 Q3")]
    assert [list(r.partition_keys) for r in new.dynamic_partitions_requests] == [["2024-25 Q3"]]
    assert new.run_requests[0].tags["succession/quarters"] == "2024-25 Q3"
    t.run(new)

    # a corrected return (v2) for one LA re-runs that quarter only
    shutil.copy2(
        SAMPLE_HR / "2024-25_Q2" / "825_2024-25_Q2.xlsx", raw / "hr_returns" / "2024-25_Q2" / "825_2024-25_Q2_v2.xlsx"
    )
    corrected = t.tick()
    assert t.requested(corrected) == [("ingest_quarters", "2024-25 Q2")]
    assert not corrected.dynamic_partitions_requests  # the quarter already exists
    t.run(corrected)

    # a file whose content changed in place: that quarter only
    victim = raw / "hr_returns" / "2024-25_Q1" / "826_2024-25_Q1.xlsx"
    original = victim.read_bytes()
    shutil.copyfile(SAMPLE_HR / "2024-25_Q1" / "845_2024-25_Q1.xlsx", victim)
    changed = t.tick()
    assert t.requested(changed) == [("ingest_quarters", "2024-25 Q1")]
    t.run(changed)
    # ... and back: the quarter's files are as they were at the first tick, yet the run key is
    # new (the lake moved on since), so Dagster launches it
    victim.write_bytes(original)
    back = t.tick()
    assert t.requested(back) == [("ingest_quarters", "2024-25 Q1")]
    assert t.run_keys(back)["2024-25 Q1"] not in {t.run_keys(first)["2024-25 Q1"], t.run_keys(changed)["2024-25 Q1"]}
    t.run(back)

    # a withdrawn file: its quarter is re-ingested so the lake forgets it
    (q3 / "825_2024-25_Q3.xlsx").unlink()
    withdrawn = t.tick()
    assert t.requested(withdrawn) == [("ingest_quarters", "2024-25 Q3")]
    t.run(withdrawn)
    assert t.requested(t.tick()) == []

    # a whole quarter withdrawn (its folder gone): still re-ingested, then quiet
    shutil.rmtree(raw / "hr_returns" / "2024-25_Q2")
    gone = t.tick()
    assert t.requested(gone) == [("ingest_quarters", "2024-25 Q2")]
    t.run(gone)
    assert t.requested(t.tick()) == []


def test_sensor_hashes_only_files_whose_size_or_mtime_changed(raw, tmp_path, monkeypatch):
    from orchestration import changes
    from succession.ingest import lineage

    paths = ProjectPaths(raw, tmp_path / "build")
    calls = []
    real = lineage.sha256_file
    monkeypatch.setattr(lineage, "sha256_file", lambda p: calls.append(p) or real(p))
    first = changes.scan(paths)
    assert len(calls) == 4 and first.hashed == 4 and len(first.changes) == 2
    calls.clear()
    again = changes.scan(paths, memo=first.memo)  # the sensor's memo: nothing read again
    assert calls == [] and again.hashed == 0 and len(again.changes) == 2

    for src in sources().values():
        if src.partition_kind == "quarter":
            for key, files in changes._partitions_of(src, paths).items():
                ingest_partition(src, key, files, raw_dir=raw, lake_dir=paths.lake_dir, run_id="r1")
    calls.clear()
    loaded = changes.scan(paths)  # the ledger's size and mtime: nothing read, nothing changed
    assert calls == [] and loaded.changes == [] and loaded.memo == {}

    touched = raw / "hr_returns" / "2024-25_Q2" / "826_2024-25_Q2.xlsx"
    os.utime(touched, ns=(time.time_ns(), time.time_ns() + 5_000_000_000))
    after = changes.scan(paths)
    assert calls == [touched] and after.changes == []


def test_sensor_skips_a_missing_raw_folder(defs, tmp_path, instance):
    t = Ticker(defs, tmp_path / "nowhere", tmp_path / "build", instance)
    data = t.tick()
    assert not data.run_requests and "does not exist" in data.skip_message


def test_quarter_due_on_the_deadline():
    assert S.quarter_due(dt.date(2024, 7, 30), 30).label == "2024-25 Q1"  # 30 June + 30 days
    assert S.quarter_due(dt.date(2024, 7, 29), 30) is None
    assert S.quarter_due(dt.date(2025, 4, 30), 30).label == "2024-25 Q4"
    assert S.quarter_due(dt.date(2024, 1, 30), 30).label == "2023-24 Q3"
    assert S.quarter_due(dt.date(2024, 7, 14), 14).label == "2024-25 Q1"
    assert S.quarter_due(dt.date(2024, 10, 29), 121).label == "2024-25 Q1"  # a deadline beyond the next quarter end


def test_quarterly_return_schedule(defs, instance):
    schedule = defs.resolve_schedule_def("quarterly_return_schedule")

    def evaluate(day):
        when = dt.datetime.combine(day, dt.time(6), tzinfo=dt.UTC)
        return schedule.evaluate_tick(
            dg.build_schedule_context(
                instance=instance, scheduled_execution_time=when, repository_def=defs.get_repository_def()
            )
        )

    assert not evaluate(dt.date(2024, 7, 29)).run_requests
    assert "no file of that quarter" in evaluate(dt.date(2024, 7, 30)).skip_message
    instance.add_dynamic_partitions("quarter", ["2024-25 Q1"])
    [req] = evaluate(dt.date(2024, 7, 30)).run_requests
    assert (req.job_name or schedule.job_name, req.partition_key) == ("render_reports", "2024-25 Q1")
    # SUCCESSION_RETURN_DEADLINE_DAYS=45: the definitions built with those settings
    schedule = S.quarterly_return_schedule(
        defs.resolve_job_def("render_reports"), Settings.from_values({"return_deadline_days": 45})
    )
    assert not evaluate(dt.date(2024, 7, 30)).run_requests
    assert evaluate(dt.date(2024, 8, 14)).run_requests[0].partition_key == "2024-25 Q1"


# -- checks --------------------------------------------------------------------------------


def _warehouse(build: Path, *, missing_la: bool = True, disagree: bool = True) -> Path:
    build.mkdir(parents=True, exist_ok=True)
    path = build / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.fct_return_status (quarter varchar, old_la_code varchar, la_name varchar, "
            "due_date date, status varchar)"
        )
        con.execute(
            "insert into marts.fct_return_status values "
            "('2024-25 Q1', '825', 'Buckinghamshire', '2024-07-30', 'on time'), "
            "('2024-25 Q1', '826', 'Milton Keynes', '2024-07-30', 'late'), "
            "('2024-25 Q2', '825', 'Buckinghamshire', '2024-10-30', 'on time'), "
            f"('2024-25 Q2', '826', 'Milton Keynes', '2024-10-30', '{'missing' if missing_la else 'on time'}')"
        )
        con.execute(
            "create table marts.fct_table_one_reconciliation (la_code varchar, quarter varchar, tier varchar, "
            "indicator varchar, reported_value double, computed_value double, agrees boolean, file_path varchar, "
            "reported_cell varchar)"
        )
        con.execute(
            "insert into marts.fct_table_one_reconciliation values "
            "('825', '2024-25 Q1', '1', 'vacancies', 1, 1, true, 'f.xlsx', 'KPIs!C3'), "
            f"('826', '2024-25 Q2', '2', 'vacancies', 3, 2, {'false' if disagree else 'true'}, 'g.xlsx', 'KPIs!D3')"
        )
    return path


def _project(tmp_path) -> ProjectPathsResource:
    return ProjectPathsResource(raw_dir=str(tmp_path / "raw"), build_dir=str(tmp_path / "build"))


def test_returns_complete_flags_overdue_las(tmp_path):
    _warehouse(tmp_path / "build")
    project = _project(tmp_path)
    before = C.evaluate_returns(project.paths, dt.date(2024, 10, 15))
    assert before["last_quarter_due"] == "2024-25 Q1" and before["overdue"] == []
    after = C.evaluate_returns(project.paths, dt.date(2024, 11, 2))
    assert after["last_quarter_due"] == "2024-25 Q2" and after["overdue"] == ["826 Milton Keynes"]

    check = C.returns_complete_check(dg.AssetKey(["marts", "fct_return_status"]))
    as_of = project.model_copy(update={"today": "2024-11-02"})  # SUCCESSION_TODAY, through the resource's config
    result = dg.materialize(
        [_stub(["marts", "fct_return_status"]), check],
        resources={"project": as_of},
        instance=dg.DagsterInstance.ephemeral(),
    )
    [ev] = result.get_asset_check_evaluations()
    assert not ev.passed and ev.severity == dg.AssetCheckSeverity.WARN
    assert "826 Milton Keynes" in ev.description
    caveat = json.loads((tmp_path / "build" / "checks" / "returns_complete.json").read_text())
    assert caveat["overdue"] == ["826 Milton Keynes"] and caveat["quarters"]["2024-25 Q1"]["late"] == 1


def _stub(key):
    @dg.asset(key=key)
    def _asset() -> None:
        return None

    return _asset


def test_kpis_reconcile_warns_by_default(tmp_path, monkeypatch):
    _warehouse(tmp_path / "build")
    report = _report_asset(tmp_path)
    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize(
        [_stub(["marts", "fct_table_one_reconciliation"]), C.kpis_reconcile_check(), report],
        resources={"project": _project(tmp_path)},
        instance=instance,
    )
    assert result.success
    [ev] = result.get_asset_check_evaluations()
    assert not ev.passed and ev.severity == dg.AssetCheckSeverity.WARN
    assert (tmp_path / "rendered").exists()  # a warning does not hold the report back
    caveat = json.loads((tmp_path / "build" / "checks" / "kpis_reconcile.json").read_text())
    assert caveat["quarters"]["2024-25 Q2"][0].startswith("LA 826 tier 2 vacancies: KPIs sheet 3")

    # the check-failure alert picks the warning up from the successful run
    from orchestration.automation import alerts as A

    sent = []
    monkeypatch.setattr(A.alerts, "send", lambda subject, body, **kw: sent.append((subject, body)))
    sensor = next(s for s in A.alert_sensors() if s.name == "check_failure_alert")
    success = next(e for e in result.all_events if e.event_type_value == "PIPELINE_SUCCESS")
    sensor(
        dg.build_run_status_sensor_context(
            sensor_name="check_failure_alert",
            dagster_instance=instance,
            dagster_run=instance.get_run_by_id(result.run_id),
            dagster_event=success,
        )
    )
    [(subject, body)] = sent
    assert subject.startswith("1 check(s) failed") and "kpis_reconcile (WARN)" in body


def _report_asset(tmp_path):
    @dg.asset(key="quarterly_return", deps=[dg.AssetKey(["marts", "fct_table_one_reconciliation"])])
    def quarterly_return() -> None:
        (tmp_path / "rendered").write_text("yes")

    return quarterly_return


def test_error_severity_check_blocks_the_report_and_names_itself(tmp_path):
    _warehouse(tmp_path / "build")
    instance = dg.DagsterInstance.ephemeral()
    check = C.kpis_reconcile_check(severity=dg.AssetCheckSeverity.ERROR)
    result = dg.materialize(
        [_stub(["marts", "fct_table_one_reconciliation"]), check, _report_asset(tmp_path)],
        resources={"project": _project(tmp_path)},
        instance=instance,
        raise_on_error=False,
    )
    assert not result.success
    assert not (tmp_path / "rendered").exists()
    materialised = {e.asset_key for e in result.get_asset_materialization_events()}
    assert dg.AssetKey("quarterly_return") not in materialised
    failures = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    messages = " ".join(e.event_specific_data.error.message for e in failures)
    assert "kpis_reconcile" in messages and "blocking asset check" in messages
    run_failure = next(e for e in result.all_events if e.event_type_value == "PIPELINE_FAILURE")
    assert "kpis_reconcile" in run_failure.message
    # and the alert sensors' helpers see it
    from orchestration.automation.alerts import failed_checks

    assert any("kpis_reconcile (ERROR)" in c for c in failed_checks(instance, result.run_id))

    # the same data with agreeing figures: the report renders
    shutil.rmtree(tmp_path / "build")
    _warehouse(tmp_path / "build", disagree=False)
    ok = dg.materialize(
        [_stub(["marts", "fct_table_one_reconciliation"]), check, _report_asset(tmp_path)],
        resources={"project": _project(tmp_path)},
        instance=instance,
    )
    assert ok.success and (tmp_path / "rendered").exists()


def test_checks_run_in_the_warehouse_job_and_daily(defs):
    names = set(defs.resolve_job_def("build_warehouse").graph.node_names())
    assert {"marts__fct_return_status_returns_complete", "marts__fct_table_one_reconciliation_kpis_reconcile"} <= names
    assert set(defs.resolve_job_def("check_returns").graph.node_names()) == {
        "marts__fct_return_status_returns_complete",
        "marts__fct_table_one_reconciliation_kpis_reconcile",
    }
    assert defs.resolve_schedule_def("returns_freshness_schedule").job_name == "check_returns"


# -- alerts --------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received = []

    class Collect(Message):
        def handle_message(self, message):
            received.append(message)

    port = _free_port()
    controller = Controller(Collect(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, received
    finally:
        controller.stop()


def test_alert_email_through_local_smtp(smtp_server, monkeypatch):
    port, received = smtp_server
    env = {
        "SUCCESSION_SMTP_HOST": "127.0.0.1",
        "SUCCESSION_SMTP_PORT": str(port),
        "SUCCESSION_SMTP_SENDER": "warehouse@example.org",
        "SUCCESSION_SMTP_RECIPIENTS": "lead@example.org, ops@example.org",
    }
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    project_settings = Settings()  # read from the environment, as `dagster dev` does
    settings = project_settings.smtp()
    assert settings.recipients == ("lead@example.org", "ops@example.org") and settings.port == port
    logged = []
    assert alerts.send("run failed: build_warehouse", "step x failed", settings, logger=logged.append)
    [msg] = received
    assert msg["Subject"] == "[succession] run failed: build_warehouse"
    assert msg["From"] == "warehouse@example.org" and "ops@example.org" in msg["To"]
    assert "step x failed" in msg.get_payload()
    assert logged and logged[0].startswith("ALERT run failed")

    # the run-failure sensor sends one for a real failed run
    from orchestration.automation.alerts import alert_sensors

    @dg.asset
    def broken() -> None:
        raise RuntimeError("the lake is on fire")

    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize([broken], instance=instance, raise_on_error=False)
    assert not result.success
    run = instance.get_run_by_id(result.run_id)
    failure = next(e for e in result.all_events if e.event_type_value == "PIPELINE_FAILURE")
    sensor = next(s for s in alert_sensors(project_settings) if s.name == "run_failure_alert")
    ctx = dg.build_run_status_sensor_context(
        sensor_name="run_failure_alert", dagster_instance=instance, dagster_run=run, dagster_event=failure
    ).for_run_failure()
    sensor(ctx)
    assert len(received) == 2
    body = received[1].get_payload()
    assert "the lake is on fire" in body and result.run_id in body


def test_alert_without_smtp_only_logs():
    assert Settings.from_values({}).smtp() is None
    assert Settings.from_values({"smtp_host": "mail"}).smtp() is None  # nobody to tell
    logged = []
    assert alerts.send("check failed", "body", None, logger=logged.append) is False
    assert logged == ["ALERT check failed\nbody"]


def test_alert_delivery_failure_does_not_raise():
    settings = alerts.SmtpSettings(host="127.0.0.1", port=_free_port(), recipients=("a@example.org",), timeout=2)
    logged = []
    assert alerts.send("x", "y", settings, logger=logged.append) is False
    assert any("failed" in line for line in logged[1:])


# -- declarative automation (orchestration/conditions.py) ---------------------------------


class Automation:
    """Evaluates the automation conditions tick after tick on a stored instance, carrying the
    cursor as the daemon does; materialisations are reported as runs would record them."""

    def __init__(self, defs, instance: dg.DagsterInstance):
        self.defs, self.instance, self.cursor = defs, instance, None
        self.graph = defs.resolve_asset_graph()

    def tick(self) -> dict[str, set]:
        result = dg.evaluate_automation_conditions(defs=self.defs, instance=self.instance, cursor=self.cursor)
        self.cursor = result.cursor
        return {
            k.to_user_string(): result.get_requested_partitions(k)
            for k in self.graph.get_all_asset_keys()
            if result.get_num_requested(k)
        }

    def materialise(self, keys, partition: str | None = None) -> None:
        for key in keys:
            self.instance.report_runless_asset_event(dg.AssetMaterialization(asset_key=key, partition=partition))


@pytest.mark.slow  # 7 ticks of 8 s or more: each evaluates ~120 conditions and writes the cursor
def test_automation_runs_warehouse_then_latest_reports_then_register(defs, instance):
    from orchestration.stages import stages

    graph = defs.resolve_asset_graph()
    by_name = {s.name: s for s in stages(graph)}
    ingest_quarters = by_name["ingest_quarters"].keys
    ingestion = {k for k in graph.materializable_asset_keys if graph.get(k).group_name.startswith("ingest_")}
    warehouse = {k.to_user_string() for k in by_name["build_warehouse"].keys if k not in ingestion}
    warehouse_ingestion = [k for k in by_name["build_warehouse"].keys if k in ingestion]  # the unpartitioned source
    reports = {k.to_user_string() for k in by_name["render_reports"].keys}
    assert "published_tables" in warehouse and "disclosure_audit" in warehouse and len(warehouse) > 100
    assert reports == {"quarterly_return", "evaluation_report", "national_overview"} & reports and reports

    auto = Automation(defs, instance)
    # as the raw sensor adds them (Q2 first: the latest is by quarter, not by when it was added)
    instance.add_dynamic_partitions("quarter", ["2024-25 Q2", "2024-25 Q1"])
    assert auto.tick() == {}  # nothing before ingestion

    # the raw sensor's ingestion runs: then the whole warehouse, in one request, and nothing else
    for q in ("2024-25 Q1", "2024-25 Q2"):
        auto.materialise(ingest_quarters, q)
    requested = auto.tick()
    assert set(requested) == warehouse, sorted(set(requested) ^ warehouse)[:10]
    assert all(parts == {None} for parts in requested.values())
    assert auto.tick() == {}  # not twice

    # the warehouse run: then the latest quarter's documents (not Q1), once
    auto.materialise([dg.AssetKey.from_user_string(k) for k in warehouse])
    requested = auto.tick()
    assert requested == {k: {"2024-25 Q2"} for k in reports}, requested

    # the documents: then the register, once
    for k in reports:
        auto.materialise([dg.AssetKey(k)], "2024-25 Q2")
    assert auto.tick() == {"figure_register": {None}}
    auto.materialise([dg.AssetKey("figure_register")])

    # a new quarter is registered: nothing until its files are ingested, nothing twice
    instance.add_dynamic_partitions("quarter", ["2024-25 Q3"])
    assert auto.tick() == {}

    # `succession run` did it all between two ticks (ingestion, a warehouse build that rebuilt
    # only some models, documents, register): the automation has nothing left to do
    auto.materialise(ingest_quarters, "2024-25 Q3")
    auto.materialise(warehouse_ingestion)
    rebuilt = [["staging", "stg_hr_returns__vacancies"], ["disclosure_audit"], ["published_tables"], ["lineage_docs"]]
    auto.materialise([dg.AssetKey(k) for k in rebuilt])
    for k in reports:
        auto.materialise([dg.AssetKey(k)], "2024-25 Q3")
    auto.materialise([dg.AssetKey("figure_register")])
    assert auto.tick() == {}


def test_automation_sensor_is_declarative_and_starts_stopped(defs):
    sensors = {s.name: s for s in defs.sensors}
    assert "warehouse_after_ingestion" not in sensors and "reports_after_warehouse" not in sensors
    sensor = sensors["automation_condition_sensor"]
    assert isinstance(sensor, dg.AutomationConditionSensorDefinition)
    assert sensor.default_status == dg.DefaultSensorStatus.STOPPED
    from orchestration.definitions import build_definitions

    on = build_definitions(Settings.from_values({"automation": "on"}))
    assert on.resolve_sensor_def("automation_condition_sensor").default_status == dg.DefaultSensorStatus.RUNNING
