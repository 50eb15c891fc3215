"""Alert sensors: a failed run, or a failed asset check, is e-mailed (succession/alerts.py)
when SUCCESSION_SMTP_HOST and SUCCESSION_SMTP_RECIPIENTS are set, and logged otherwise.
The SMTP settings and the UI's address (SUCCESSION_DAGSTER_URL, for run links) come from
the settings the definitions are built with."""

import dagster as dg
from dagster._core.events import DagsterEventType

from succession import alerts
from succession.settings import Settings


def run_link(run_id: str, ui_url: str = "") -> str:
    base = ui_url.rstrip("/")
    return f"{base}/runs/{run_id}" if base else f"run {run_id}"


def failed_checks(instance: dg.DagsterInstance, run_id: str) -> list[str]:
    out = []
    for record in instance.all_logs(run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION):
        data = record.dagster_event.event_specific_data
        if not data.passed:
            out.append(
                f"{data.asset_key.to_user_string()}:{data.check_name} ({data.severity.value})"
                + (f" - {data.description}" if data.description else "")
            )
    return out


def error_text(err) -> str:
    """The error's own message and, for a wrapped user error, the one that caused it."""
    if err is None:
        return ""
    parts = [err.message.strip().splitlines()[0] if err.message.strip() else ""]
    cause = err.cause
    while cause is not None and cause.cause is not None:
        cause = cause.cause
    if cause is not None:
        parts.append(cause.message.strip())
    return " <- ".join(p for p in parts if p)


def describe_run(run: dg.DagsterRun) -> str:
    partition = run.tags.get("dagster/partition")
    return f"{run.job_name}" + (f" [{partition}]" if partition else "")


def run_failure_body(run: dg.DagsterRun, message: str, checks: list[str], steps: list[str], ui_url: str = "") -> str:
    lines = [f"Run {describe_run(run)} failed.", "", f"Run: {run_link(run.run_id, ui_url)}", f"Message: {message}"]
    if steps:
        lines += ["", "Failed steps:", *(f"  - {s}" for s in steps)]
    if checks:
        lines += ["", "Failed checks:", *(f"  - {c}" for c in checks)]
    return "\n".join(lines)


def alert_sensors(settings: Settings | None = None) -> list[dg.SensorDefinition]:
    settings = settings or Settings.from_values({})
    smtp, ui_url = settings.smtp(), settings.dagster_url

    @dg.run_failure_sensor(
        name="run_failure_alert",
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="E-mails (SUCCESSION_SMTP_*) or logs every failed run, with its failed steps and checks.",
    )
    def run_failure_alert(context: dg.RunFailureSensorContext):
        run = context.dagster_run
        steps = []
        for ev in context.get_step_failure_events():
            steps.append(f"{ev.step_key}: {error_text(ev.event_specific_data.error)}")
        body = run_failure_body(
            run, context.failure_event.message or "", failed_checks(context.instance, run.run_id), steps, ui_url
        )
        alerts.send(f"run failed: {describe_run(run)}", body, settings=smtp, logger=context.log.warning)

    @dg.run_status_sensor(
        name="check_failure_alert",
        run_status=dg.DagsterRunStatus.SUCCESS,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="E-mails (SUCCESSION_SMTP_*) or logs the asset checks that failed in a run that "
        "otherwise succeeded (warnings: missing returns, KPI disagreements, quarantined files).",
    )
    def check_failure_alert(context: dg.RunStatusSensorContext):
        run = context.dagster_run
        checks = failed_checks(context.instance, run.run_id)
        if not checks:
            return dg.SkipReason(f"no failed check in {run.run_id}")
        body = "\n".join(
            [
                f"{len(checks)} check(s) failed in {describe_run(run)} ({run_link(run.run_id, ui_url)}):",
                "",
                *(f"  - {c}" for c in checks),
            ]
        )
        alerts.send(
            f"{len(checks)} check(s) failed: {describe_run(run)}", body, settings=smtp, logger=context.log.warning
        )

    return [run_failure_alert, check_failure_alert]
