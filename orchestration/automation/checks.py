"""Data-quality checks on the returns, read from the built warehouse (read-only).

- ``returns_complete`` on ``marts/fct_return_status``: every LA's return for the latest
  quarter whose deadline has passed is in (WARN: a missing return is a caveat in the
  quarterly return, not a reason to withhold it). Metadata breaks every quarter down.
- ``kpis_reconcile`` on ``marts/fct_table_one_reconciliation``: the KPIs sheet agrees
  with the Vacancies rows. WARN by default (the return says where they disagree);
  ``SUCCESSION_RECONCILIATION_SEVERITY=ERROR`` makes a disagreement block everything
  downstream in the run (the check is ``blocking``).

Each check also writes ``build/checks/<check>.json`` (passed, severity, issues by
quarter) so a report can print a caveat for its quarter.
"""

import datetime as dt
import json
from pathlib import Path

import dagster as dg
import duckdb

from orchestration.resources import ProjectPathsResource
from orchestration.warehouse import WAREHOUSE_POOL
from succession.paths import ProjectPaths

RETURN_STATUS = dg.AssetKey(["marts", "fct_return_status"])
RECONCILIATION = dg.AssetKey(["marts", "fct_table_one_reconciliation"])


def severity_named(name: str) -> dg.AssetCheckSeverity:
    """``ERROR`` or ``WARN`` (the settings' SUCCESSION_RECONCILIATION_SEVERITY) as Dagster's."""
    return dg.AssetCheckSeverity.ERROR if name.strip().upper() == "ERROR" else dg.AssetCheckSeverity.WARN


def write_caveats(paths: ProjectPaths, name: str, payload: dict) -> Path:
    out = paths.checks_dir / f"{name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(payload, indent=2, default=str), encoding="utf-8")
    return out


def _query(paths: ProjectPaths, sql: str, params=None) -> list[dict]:
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        cur = con.execute(sql, params or [])
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, row)) for row in cur.fetchall()]


def evaluate_returns(paths: ProjectPaths, as_of: dt.date) -> dict:
    """Per quarter: LAs on time, late and missing; overdue = missing past the due date."""
    rows = _query(
        paths,
        "select quarter, old_la_code, la_name, due_date, status from marts.fct_return_status "
        "order by quarter, old_la_code",
    )
    quarters: dict[str, dict] = {}
    for r in rows:
        q = quarters.setdefault(
            r["quarter"],
            {
                "due_date": r["due_date"],
                "expected": 0,
                "on time": 0,
                "late": 0,
                "missing": 0,
                "overdue": [],
                "overdue_la_codes": [],
            },
        )
        q["expected"] += 1
        q[r["status"]] = q.get(r["status"], 0) + 1
        if r["status"] == "missing" and r["due_date"] is not None and r["due_date"] < as_of:
            q["overdue"].append(f"{r['old_la_code']} {r['la_name']}")
            q["overdue_la_codes"].append(r["old_la_code"])  # for the report's caveat
    due = [k for k, v in quarters.items() if v["due_date"] is not None and v["due_date"] < as_of]
    from succession.periods import FinancialQuarter

    last = max(due, key=FinancialQuarter.parse) if due else None
    return {
        "as_of": as_of.isoformat(),
        "last_quarter_due": last,
        "quarters": quarters,
        "overdue": quarters[last]["overdue"] if last else [],
    }


def evaluate_reconciliation(paths: ProjectPaths) -> dict:
    rows = _query(
        paths,
        "select quarter, la_code, tier, indicator, reported_value, computed_value, reported_cell, file_path "
        "from marts.fct_table_one_reconciliation where not agrees order by quarter, la_code, tier, indicator",
    )
    by_quarter: dict[str, list[str]] = {}
    records: dict[str, list[dict]] = {}  # the same, as fields, for the report's caveat
    for r in rows:
        by_quarter.setdefault(r["quarter"], []).append(
            f"LA {r['la_code']} tier {r['tier']} {r['indicator']}: KPIs sheet {_number(r['reported_value'])} "
            f"({r['reported_cell']}) vs {_number(r['computed_value'])} from the Vacancies rows"
        )
        records.setdefault(r["quarter"], []).append({k: r[k] for k in ("la_code", "tier", "indicator")})
    return {"disagreements": len(rows), "quarters": by_quarter, "records": records}


def _number(value) -> str:
    """A reported or computed figure for a message: a blank KPI cell reads "blank", not a crash."""
    return "blank" if value is None else f"{value:g}"


def _md_table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def returns_complete_check(asset_key: dg.AssetKey = RETURN_STATUS) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=asset_key,
        name="returns_complete",
        pool=WAREHOUSE_POOL,
        description="Every LA's HR return for the latest quarter past its deadline has arrived "
        "(WARN; lists overdue LAs; metadata breaks down every quarter).",
    )
    def returns_complete(context: dg.AssetCheckExecutionContext, project: ProjectPathsResource) -> dg.AssetCheckResult:
        paths = project.paths
        if not paths.warehouse.exists():
            return dg.AssetCheckResult(
                passed=False, severity=dg.AssetCheckSeverity.WARN, description=f"no warehouse at {paths.warehouse} yet"
            )
        result = evaluate_returns(paths, project.today_or_now())  # SUCCESSION_TODAY, else today
        overdue, last = result["overdue"], result["last_quarter_due"]
        passed = not overdue
        write_caveats(paths, "returns_complete", {"passed": passed, "severity": "WARN", **result})
        table = _md_table(
            ["quarter", "due", "expected", "on time", "late", "missing", "overdue LAs"],
            [
                [q, v["due_date"], v["expected"], v["on time"], v["late"], v["missing"], ", ".join(v["overdue"]) or "-"]
                for q, v in result["quarters"].items()
            ],
        )
        return dg.AssetCheckResult(
            passed=passed,
            severity=dg.AssetCheckSeverity.WARN,
            description=(
                f"{len(overdue)} return(s) overdue for {last}: {', '.join(overdue)}"
                if overdue
                else f"all returns in for {last}"
                if last
                else "no quarter past its deadline yet"
            ),
            metadata={
                "last_quarter_due": dg.MetadataValue.text(last or "-"),
                "overdue": dg.MetadataValue.int(len(overdue)),
                "by_quarter": dg.MetadataValue.md(table),
            },
        )

    return returns_complete


def kpis_reconcile_check(
    asset_key: dg.AssetKey = RECONCILIATION, severity: dg.AssetCheckSeverity | None = None
) -> dg.AssetChecksDefinition:
    """``severity`` of a disagreement: default the project resource's (the settings')."""

    @dg.asset_check(
        asset=asset_key,
        name="kpis_reconcile",
        blocking=True,
        pool=WAREHOUSE_POOL,
        description="Table one as reported on the KPIs sheet agrees with the figures computed from the "
        "Vacancies rows (severity SUCCESSION_RECONCILIATION_SEVERITY, default WARN; "
        "blocking when ERROR).",
    )
    def kpis_reconcile(context: dg.AssetCheckExecutionContext, project: ProjectPathsResource) -> dg.AssetCheckResult:
        paths = project.paths
        level = severity or severity_named(project.reconciliation_severity)
        if not paths.warehouse.exists():
            return dg.AssetCheckResult(
                passed=False, severity=dg.AssetCheckSeverity.WARN, description=f"no warehouse at {paths.warehouse} yet"
            )
        result = evaluate_reconciliation(paths)
        passed = result["disagreements"] == 0
        write_caveats(paths, "kpis_reconcile", {"passed": passed, "severity": level.value, **result})
        rows = [
            [q, len(items), "; ".join(items[:3]) + (" ..." if len(items) > 3 else "")]
            for q, items in result["quarters"].items()
        ]
        return dg.AssetCheckResult(
            passed=passed,
            severity=level,
            description=(
                f"{result['disagreements']} KPI figure(s) disagree with the Vacancies rows in "
                f"{', '.join(result['quarters'])}"
                if not passed
                else "KPIs sheet agrees with the Vacancies rows"
            ),
            metadata={
                "disagreements": dg.MetadataValue.int(result["disagreements"]),
                "by_quarter": dg.MetadataValue.md(
                    _md_table(["quarter", "disagreements", "examples"], rows) if rows else "none"
                ),
            },
        )

    return kpis_reconcile


def build_checks() -> list[dg.AssetChecksDefinition]:
    return [returns_complete_check(), kpis_reconcile_check()]
