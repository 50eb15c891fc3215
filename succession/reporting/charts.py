"""Charts that draw registered figures only.

A chart is built from :class:`Point` s, each naming the figure id it plots. :func:`collect`
looks every id up (recording it as shown by the document), turns the value as shown into
the number plotted, and keeps the chart's tidy data for ``build/figures/chart_<name>.csv``.
A suppressed (``c``), not applicable (``z``) or missing value is **never** plotted as a
number or summed around: it is a gap, marked on the chart and counted in the chart's note.

Colours are the Okabe-Ito palette (distinguishable with the common colour-vision
deficiencies); text from data is drawn literally (no mathtext).
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd

from succession.publish import CHART_PREFIX, write_csv
from succession.reporting import Report

# Data text (survey questions, budget lines) must never be parsed as mathtext ("$x$").
matplotlib.rcParams["text.parse_math"] = False

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442"]
GREY = "#767676"  # 4.5:1 on white
CHART_COLUMNS = [
    "report",
    "region",
    "period",
    "chart",
    "series",
    "x",
    "figure_id",
    "value_shown",
    "value_plotted",
    "gap",
]
GAP_WORDS = {"c": "suppressed", "z": "not applicable", "x": "not available", "": "no figure"}


@dataclass(frozen=True)
class Point:
    series: str
    x: str
    figure_id: str | None  # None: no figure exists for this point (a gap)


def collect(rpt: Report, chart: str, points: list[Point]) -> pd.DataFrame:
    """The chart's data: one row per point, ``value`` the number plotted (NaN for a gap) and
    ``gap`` why a point is not drawn. Recorded for the chart CSV and the figure register."""
    rows = []
    for p in points:
        fid = p.figure_id if rpt.exists(p.figure_id) else None
        shown = rpt.shown(fid) if fid else ""
        try:
            value = float(shown)
            gap = ""
        except ValueError:
            value, gap = float("nan"), GAP_WORDS.get(shown, shown)
        rows.append(
            {
                "chart": chart,
                "series": p.series,
                "x": p.x,
                "figure_id": fid or "",
                "value_shown": shown,
                "value_plotted": "" if gap else shown,
                "gap": gap,
                "value": value,
            }
        )
    rpt.record_chart(chart, [{k: r[k] for k in CHART_COLUMNS if k in r} for r in rows])
    return pd.DataFrame(rows, columns=[*CHART_COLUMNS[3:], "value"])


def gap_note(data: pd.DataFrame) -> str:
    """One line for under the chart: how many points are gaps, and why."""
    gaps = data[data["gap"] != ""]
    if gaps.empty:
        return ""
    parts = [f"{n} {why}" for why, n in gaps["gap"].value_counts().sort_index().items()]
    return "Gaps (not drawn, never counted as zero): " + ", ".join(parts) + "."


def finish(fig, data: pd.DataFrame, source: str) -> None:
    """Source line and gap note under the chart, then show it."""
    lines = [f"Source: {source}."]
    note = gap_note(data)
    if note:
        lines.append(note)
    fig.text(0.01, 0.01, "\n".join(lines), fontsize=7.5, color="#333333", ha="left", va="bottom")
    plt.show()


def wrap(label: str, width: int = 34) -> str:
    return "\n".join(textwrap.wrap(" ".join(str(label).split()), width)) or str(label)


def mark_gaps(ax, xs: list, ys: pd.Series, gaps: pd.Series, colour: str) -> None:
    """An open marker and the gap's letter on the x axis where a value is not drawn."""
    for x, _, gap in zip(xs, ys, gaps):
        if gap:
            ax.annotate(
                "c" if gap == "suppressed" else "–",
                (x, 0),
                xycoords=("data", "axes fraction"),
                xytext=(0, 3),
                textcoords="offset points",
                ha="center",
                fontsize=8,
                color=colour,
            )
    if len(gaps) and all(gaps):
        # nothing to draw: say so in the plot, not an empty frame with a meaningless scale
        ax.set_yticks([])
        ax.text(
            0.5,
            0.5,
            "No value can be shown: every one is suppressed or missing (see the table).",
            transform=ax.transAxes,
            ha="center",
            va="center",
            fontsize=9,
            color=colour,
            wrap=True,
        )


# -- writing the chart CSVs ------------------------------------------------------------------
def chart_records(reports_dir: Path, used_file: str) -> dict[str, list[dict]]:
    """Every chart's rows from the documents' figures-used records, by chart name."""
    charts: dict[str, list[dict]] = {}
    for path in sorted(Path(reports_dir).rglob(used_file)):
        payload = json.loads(path.read_text(encoding="utf-8"))
        for name, rows in (payload.get("charts") or {}).items():
            charts.setdefault(name, []).extend(rows)
    return charts


def write_chart_csvs(reports_dir: Path, used_file: str, figures_dir: Path) -> list[Path]:
    """``chart_<name>.csv`` for every chart the rendered documents drew (tidy: one row per
    point, values machine-readable as in ``value_shown``); stale chart CSVs are removed."""
    figures_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, rows in sorted(chart_records(reports_dir, used_file).items()):
        path = figures_dir / f"{CHART_PREFIX}{name}.csv"
        rows = sorted(rows, key=lambda r: tuple(str(r.get(c, "")) for c in CHART_COLUMNS))
        # object dtype: each value is written as recorded (no int -> float widening)
        write_csv(pd.DataFrame(rows, columns=CHART_COLUMNS, dtype=object), path)
        written.append(path)
    for stale in figures_dir.glob(f"{CHART_PREFIX}*.csv"):
        if stale not in written:
            stale.unlink()
    return written
