"""Data caveats: what the warehouse's data-quality checks warned about, for one region and
quarter, as a box near the top of a document.

The checks (``orchestration/automation/checks.py``) write their results to
``<build>/checks/<check>.json`` each time they run. A document (quarterly return,
evaluation) calls :func:`show` right after its opening lines; it prints nothing when every
check passed for the document's region and quarter, and otherwise one paragraph per check
that warned, naming the check:

- ``kpis_reconcile``: LAs in the region whose KPIs sheet disagrees with the figures computed
  from their Vacancies rows for the quarter (which LA, tier and indicator; the values are not
  repeated, since LA-level counts may disclose individuals);
- ``returns_complete``: LAs in the region whose return for the quarter is missing past its
  due date.

The box is plain Markdown (a fenced div holding a block quote), so it survives both render
paths: Quarto, and the fallback's Pandoc HTML and Pandoc Typst writers (which drop raw HTML).
A raw Typst block inside the div (dropped by the HTML writer) draws the quote as a shaded
box in the PDF; ``reports/styles.css`` does the same in HTML (class ``data-caveat``).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from succession.paths import CHECKS_FOLDER
from succession.periods import FinancialQuarter
from succession.reference import SEEDS_DIR, local_authorities
from succession.reporting.text import literal

CSS_CLASS = "data-caveat"


_TYPST_BOX = (
    "```{=typst}\n"
    "#show quote.where(block: true): it => block(width: 100%, inset: 8pt, radius: 2pt,\n"
    '  fill: rgb("#fff4e0"), stroke: (left: 3pt + rgb("#d98c00")), it.body)\n'
    "```"
)


@dataclass(frozen=True)
class Caveat:
    check: str  # the check's name, e.g. "kpis_reconcile"
    severity: str  # "WARN" or "ERROR", as the check recorded it
    summary: str  # one sentence (Markdown), naming the quarter
    details: list[str] = field(default_factory=list)  # one entry per LA (Markdown)
    note: str = ""  # what the document does about it
    separator: str = "; "  # between details

    def markdown(self) -> str:
        level = "error" if self.severity.upper() == "ERROR" else "warning"
        text = f"**Data caveat:** {self.summary} (check `{self.check}`, {level})"
        if self.details:
            text += ": " + self.separator.join(self.details) + "."
        else:
            text += "."
        if self.note:
            text += " " + self.note
        return text


def checks_dir(build_dir: Path) -> Path:
    return Path(build_dir) / CHECKS_FOLDER  # ProjectPaths.checks_dir of that build folder


def load_checks(build_dir: Path) -> dict[str, dict]:
    """Every ``<build>/checks/*.json`` by check name; an unreadable file maps to ``{"unreadable": reason}``."""
    out: dict[str, dict] = {}
    folder = checks_dir(build_dir)
    if not folder.is_dir():
        return out
    for path in sorted(folder.glob("*.json")):
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(payload, dict):
                raise ValueError("not a JSON object")
        except (OSError, ValueError) as exc:
            payload = {"unreadable": f"{path.name}: {exc}"}
        out[path.stem] = payload
    return out


def caveats_for(build_dir: Path, region: str, period: str, report: str = "quarterly_return") -> list[Caveat]:
    """The caveats for one region and quarter from the check results under ``build_dir``
    (empty when every check passed for them, or no check has run yet). ``report`` (the
    document id, as ``Report.report``) only changes where a caveat points the reader."""
    quarter = FinancialQuarter.parse(period).label
    results = load_checks(build_dir)
    out: list[Caveat] = []
    for name, payload in results.items():
        if "unreadable" in payload:
            out.append(
                Caveat(
                    name,
                    "WARN",
                    f"the result of this check could not be read ({payload['unreadable']}), "
                    "so a problem it found may not be shown here",
                )
            )
    if "kpis_reconcile" in results and "unreadable" not in results["kpis_reconcile"]:
        out += _reconciliation(results["kpis_reconcile"], region, quarter, report)
    if "returns_complete" in results and "unreadable" not in results["returns_complete"]:
        out += _returns(results["returns_complete"], region, quarter)
    return out


def caveats_markdown(caveats: list[Caveat]) -> str:
    """The caveat box (empty string when there is nothing to say)."""
    if not caveats:
        return ""
    quote = "\n>\n".join("> " + c.markdown() for c in caveats)
    return f"::: {{.{CSS_CLASS}}}\n{_TYPST_BOX}\n\n{quote}\n:::\n"


def show(rpt) -> None:
    """Print the caveat box for a document's region and period (inside a ``#| output: asis``
    cell; returns nothing, so the cell shows nothing else). The check results are read from
    the build folder holding the report's warehouse."""
    caveats = caveats_for(Path(rpt.warehouse).parent, rpt.region, rpt.period, rpt.report)
    text = caveats_markdown(caveats)
    if text:
        print(text)


# -- the checks ----------------------------------------------------------------------------
def _reconciliation(payload: dict, region: str, quarter: str, report: str) -> list[Caveat]:
    if payload.get("passed", True):
        return []
    items = (payload.get("records") or {}).get(quarter) or []  # structured fields, written by the check
    unplaced = max(0, len((payload.get("quarters") or {}).get(quarter) or []) - len(items))
    by_la: dict[str, list[str]] = {}
    for item in items:
        la = local_authorities().get(str(item.get("la_code")))
        if la is None:
            unplaced += 1
            continue
        if la.region_code != region:
            continue
        by_la.setdefault(la.old_la_code, []).append(f"{_indicator_label(str(item['indicator']))} (tier {item['tier']})")
    if not by_la and not unplaced:
        return []
    details = [
        f"{_la_name(code)}: {', '.join(what)}" for code, what in sorted(by_la.items(), key=lambda kv: _la_name(kv[0]))
    ]
    n = len(by_la)
    summary = (
        f"{_las(n)} KPIs {'sheet disagrees' if n == 1 else 'sheets disagree'} "
        f"with {'its' if n == 1 else 'their'} Vacancies rows for {quarter}"
    )
    if unplaced:
        summary += f" (and {unplaced} disagreement(s) the check did not attribute to an LA)"
    where = (
        "they are listed under *KPIs sheet against the vacancy rows*"
        if report == "quarterly_return"
        else "the quarterly return lists them"
    )
    return [
        Caveat(
            "kpis_reconcile",
            str(payload.get("severity", "WARN")),
            summary,
            details,
            f"Table one publishes the figures computed from the Vacancies rows; {where}.",
        )
    ]


def _returns(payload: dict, region: str, quarter: str) -> list[Caveat]:
    info = (payload.get("quarters") or {}).get(quarter)
    if not info:
        return []
    codes = [
        str(c)
        for c in info.get("overdue_la_codes") or []
        if (la := local_authorities().get(str(c))) is not None and la.region_code == region
    ]
    if not codes:
        return []
    n = len(codes)
    due = _date(info.get("due_date"))
    summary = (
        f"{_las(n)} {'return' if n == 1 else 'returns'} for {quarter} "
        f"{'is' if n == 1 else 'are'} missing{f', due {due}' if due else ''}, as of {_date(payload.get('as_of')) or 'the last check'}"
    )
    return [
        Caveat(
            "returns_complete",
            str(payload.get("severity", "WARN")),
            summary,
            [_la_name(c) for c in sorted(codes, key=_la_name)],
            "Figures for the region cover only the LAs whose returns arrived.",
            separator=", ",
        )
    ]


# -- reference data ------------------------------------------------------------------------
@cache
def _indicator_labels() -> dict[str, str]:
    with open(SEEDS_DIR / "ref_indicators.csv", newline="", encoding="utf-8") as f:
        return {r["indicator"]: r["label"] for r in csv.DictReader(f)}


def _indicator_label(indicator: str) -> str:
    label = _indicator_labels().get(indicator)
    return f"*{literal(label[0].lower() + label[1:])}*" if label else literal(indicator)


def _las(n: int) -> str:
    return f"{n} LA's" if n == 1 else f"{n} LAs'"


def _la_name(code: str) -> str:
    la = local_authorities().get(code)
    return literal(f"{la.la_name} ({code})" if la else f"LA {code}")


def _date(value) -> str:
    try:
        return dt.date.fromisoformat(str(value)[:10]).strftime("%d/%m/%Y")
    except ValueError:
        return ""
