"""Schedules: the quarterly return on its deadline, and a daily check that returns are in.

``quarterly_return_schedule`` ticks daily and renders the quarterly return of the
quarter just ended on the day that is ``SUCCESSION_RETURN_DEADLINE_DAYS`` (default: dbt's ``return_deadline_days`` var, 30)
after the quarter's end (the settings the definitions are built with: the daemon's environment decides).
``returns_freshness_schedule`` runs the check-only job ``check_returns`` every morning:
it flags the LAs whose return for the last quarter is overdue (``returns_complete``).
"""

import datetime as dt

import dagster as dg

from orchestration.automation.raw import default_status
from succession.periods import FinancialQuarter, current_quarter
from succession.settings import Settings

TIMEZONE = "Europe/London"


def quarter_due(day: dt.date, days: int) -> FinancialQuarter | None:
    """The quarter whose return is rendered on ``day``: the one that ended ``days`` before."""
    q = current_quarter(day).previous()
    for _ in range(days // 90 + 2):  # a deadline may fall more than one quarter later
        if q.end + dt.timedelta(days=days) == day:
            return q
        q = q.previous()
    return None


def quarterly_return_schedule(render_reports, settings: Settings) -> dg.ScheduleDefinition:
    days = settings.return_deadline_days

    @dg.schedule(
        name="quarterly_return_schedule",
        cron_schedule="0 6 * * *",
        job=render_reports,
        execution_timezone=TIMEZONE,
        default_status=_status(settings),
        description=f"Daily at 06:00: on the deadline ({days} days after quarter end: "
        "SUCCESSION_RETURN_DEADLINE_DAYS, default dbt's return_deadline_days var) renders the "
        "quarterly return for the quarter just ended.",
    )
    def _schedule(context: dg.ScheduleEvaluationContext):
        when = context.scheduled_execution_time
        day = when.date() if when else dt.date.today()
        q = quarter_due(day, days)
        if q is None:
            return dg.SkipReason(f"{day}: not the return deadline of any quarter ({days} days after quarter end)")
        if q.label not in set(context.instance.get_dynamic_partitions("quarter")):
            return dg.SkipReason(f"{day}: deadline of {q.label}, but no file of that quarter has arrived")
        return dg.RunRequest(
            run_key=f"quarterly-return-{q.key}",
            partition_key=q.label,
            tags={"succession/trigger": "quarterly_return_schedule"},
        )

    return _schedule


def returns_freshness_schedule(check_job, settings: Settings) -> dg.ScheduleDefinition:
    return dg.ScheduleDefinition(
        name="returns_freshness_schedule",
        cron_schedule="0 7 * * *",
        job=check_job,
        execution_timezone=TIMEZONE,
        default_status=_status(settings),
        description="Daily at 07:00: re-evaluates returns_complete (overdue LA returns for the last quarter) and "
        "kpis_reconcile on the current warehouse; a failure raises check_failure_alert.",
    )


def _status(settings: Settings) -> dg.DefaultScheduleStatus:
    return (
        dg.DefaultScheduleStatus.RUNNING
        if default_status(settings) == dg.DefaultSensorStatus.RUNNING
        else dg.DefaultScheduleStatus.STOPPED
    )
