"""Automation: what makes the warehouse run by itself (issue 8).

- ``raw_files_sensor`` (raw.py): watches raw/, registers new quarters and waves as
  partitions and asks for ingestion runs of exactly the quarters and waves whose files
  arrived, changed or were withdrawn.
- ``automation_condition_sensor`` (orchestration/conditions.py): declarative automation on
  the assets themselves. After an ingestion, the warehouse (dbt, the disclosure audit, the
  published tables, the lineage site); after the warehouse, the latest quarter's documents
  (the quarter `succession run` renders); after them, the figure register. The stage order
  of `succession run` and of the jobs is derived from the same asset graph (stages.py).
- ``quarterly_return_schedule`` and ``returns_freshness_schedule`` (schedules.py).
- ``returns_complete`` and ``kpis_reconcile`` asset checks on the marts (checks.py),
  run by ``build_warehouse`` and, daily, by the check-only job ``check_returns``.
- ``run_failure_alert`` / ``check_failure_alert`` (alerts.py): e-mail through SMTP
  when configured (succession/alerts.py), otherwise a log line.

Sensors and schedules start STOPPED (switch them on in the UI, or set
``SUCCESSION_AUTOMATION=on`` for the daemon to start them all); the alert sensors start RUNNING.
"""

from __future__ import annotations

import dagster as dg

from orchestration import conditions
from orchestration.automation import alerts, checks, raw, schedules
from succession.settings import Settings


def build(jobs: dict, settings: Settings) -> dg.Definitions:
    """The automation for these settings (SUCCESSION_AUTOMATION, _SENSOR_INTERVAL, the deadline, SMTP ...)."""
    check_defs = checks.build_checks()
    check_job = dg.define_asset_job(
        "check_returns",
        selection=dg.AssetSelection.checks(*check_defs),
        description="Re-evaluate return completeness and the KPIs-vs-vacancies reconciliation on the current warehouse (no rebuild).",
    )
    return dg.Definitions(
        asset_checks=check_defs,
        jobs=[check_job],
        sensors=[
            raw.build_raw_files_sensor(jobs, settings),
            conditions.automation_sensor(raw.default_status(settings), settings.sensor_interval),
            *alerts.alert_sensors(settings),
        ],
        schedules=[
            schedules.quarterly_return_schedule(jobs["render_reports"], settings),
            schedules.returns_freshness_schedule(check_job, settings),
        ],
    )
