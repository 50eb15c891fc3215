"""What a Quarto document uses to show figures: only registered figures, by id.

A document opens a `Report`, names its sections, and prints numbers only through
`value()` / `table()`, which look the figure up in ``audit.fct_figures`` (value as
shown after disclosure control), wrap it in a span carrying the figure id (an HTML
anchor with a tooltip) and record that this report and section published it. When
the document ends the record is written next to the rendered output; the figure
register (``build/figures/published_figures.csv``) is assembled from these records.
"""
from __future__ import annotations

import atexit
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

ENV_WAREHOUSE = "SUCCESSION_WAREHOUSE"
ENV_FIGURES_USED = "SUCCESSION_FIGURES_USED"
UNKNOWN = "x"


class UnknownFigure(KeyError):
    pass


@dataclass
class Report:
    report: str  # document id, e.g. "quarterly_return"
    region: str
    period: str
    warehouse: Path | None = None
    used_path: Path | None = None
    strict: bool = True  # an unknown figure id fails the render
    _section: str = "front"
    _used: dict[tuple[str, str], None] = field(default_factory=dict)
    _cache: pd.DataFrame | None = None

    def __post_init__(self) -> None:
        self.warehouse = Path(self.warehouse or os.environ[ENV_WAREHOUSE])
        used = self.used_path or os.environ.get(ENV_FIGURES_USED)
        self.used_path = Path(used) if used else None
        self._con = duckdb.connect(str(self.warehouse), read_only=True)
        atexit.register(self.save)

    # -- reading -----------------------------------------------------------------------
    def query(self, sql: str, params: list | dict | None = None) -> pd.DataFrame:
        return self._con.execute(sql, params or []).df()

    def figures(self, prefix: str) -> pd.DataFrame:
        """All figures whose id starts with ``prefix`` (not recorded until shown)."""
        return self.query("select * from audit.fct_figures where starts_with(figure_id, ?) order by figure_id", [prefix])

    def figure(self, figure_id: str) -> dict:
        rows = self.query("select * from audit.fct_figures where figure_id = ?", [figure_id])
        if rows.empty:
            if self.strict:
                raise UnknownFigure(f"figure {figure_id!r} is not in audit.fct_figures")
            return {"figure_id": figure_id, "value_shown": UNKNOWN}
        return rows.iloc[0].to_dict()

    # -- showing -----------------------------------------------------------------------
    def section(self, name: str) -> None:
        self._section = name

    def shown(self, figure_id: str) -> str:
        """The value as shown, recorded as published in the current section (plain text)."""
        fig = self.figure(figure_id)
        self._used[(figure_id, self._section)] = None
        return str(fig["value_shown"])

    def value(self, figure_id: str, suffix: str = "") -> str:
        """Markdown for one figure: its shown value in a span whose id/title is the figure id."""
        text = self.shown(figure_id)
        return f"[{_escape(text)}{suffix}]{{#{_anchor(figure_id)} .fig title=\"{figure_id}\"}}"

    def table(self, df: pd.DataFrame, figure_columns: list[str] | tuple[str, ...] = (), align: str | None = None) -> str:
        """A markdown pipe table; cells of ``figure_columns`` hold figure ids (or None)."""
        cols = list(df.columns)
        body, widths = [], {c: len(str(c)) for c in cols}
        for row in df.itertuples(index=False):
            cells = []
            for c, v in zip(cols, row):
                if c in figure_columns:
                    cell = self.value(v) if isinstance(v, str) and v else ""
                    widths[c] = max(widths[c], len(self.shown(v)) if cell else 1)
                else:
                    cell = _escape("" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v))
                    widths[c] = max(widths[c], len(cell))
                cells.append(cell)
            body.append("| " + " | ".join(cells) + " |")
        # Pandoc sizes wide tables' columns by the dashes under the header: give text
        # columns room for their longest line, number columns room for a short header.
        dashes = {c: "-" * max(3, min(widths[c] if c not in figure_columns else 8, 40)) for c in cols}
        head = ["| " + " | ".join(map(str, cols)) + " |",
                "|" + "|".join(dashes[c][:-1] + ":" if c in figure_columns else ":" + dashes[c][1:] for c in cols) + "|"]
        return "\n".join(head + body) + "\n"

    def figure_ids_appendix(self) -> str:
        """A markdown list of every figure id shown so far (the PDF's appendix)."""
        rows = sorted({fid for fid, _ in self._used})
        return "\n".join(f"- `{fid}`: {self.figure(fid)['value_shown']}" for fid in rows) + "\n"

    # -- recording ---------------------------------------------------------------------
    @property
    def used(self) -> list[dict[str, str]]:
        return [{"figure_id": f, "section": s} for f, s in self._used]

    def save(self) -> None:
        if self.used_path is None:
            return
        self.used_path.parent.mkdir(parents=True, exist_ok=True)
        payload = {"report": self.report, "region": self.region, "period": self.period, "figures": self.used}
        self.used_path.write_text(json.dumps(payload, indent=1, sort_keys=True), encoding="utf-8")


def _anchor(figure_id: str) -> str:
    # not "fig-": Quarto treats #fig- ids as figure cross-references
    return "pub-" + figure_id.replace(" ", "_")


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("[", "\\[").replace("]", "\\]")
