"""What a Quarto document uses to show figures: only registered figures, by id.

A document opens a :class:`Report` for its region and period. Its prose lives in the
``.qmd``; numbers enter through inline expressions, ``{python} fig("grant.spent_to_date...")``,
tables through :meth:`Report.table` and charts through ``succession.reporting.charts``.
Every number is looked up in ``audit.fct_figures`` (the value as shown after disclosure
control), formatted for reading (:mod:`succession.reporting.text`), linked to its static
trace page (``<build>/audit/trace/<figure_id>.html``, the id kept as the link's title) and
recorded as published by this document in the current section. When the document ends the
record (``figures_used.json``, with the data of every chart) is written next to the rendered
output; the figure register and the chart CSVs in ``build/figures/`` are assembled from it.

The warehouse is the document's ``warehouse`` parameter (``succession render`` and the
report assets pass it, with ``figures_used``, where to record what it shows), else the
settings' (`succession.settings`: ``$SUCCESSION_WAREHOUSE``, else the build folder's), so
``quarto render reports/x.qmd`` works after ``make run`` with no environment at all.
"""

from __future__ import annotations

import atexit
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import duckdb
import pandas as pd

from succession.reporting.text import Md, display_value, literal

if TYPE_CHECKING:
    from succession.settings import Settings

UNKNOWN = "x"
TRACE_FOLDER = Path("audit") / "trace"  # <build>/audit/trace/<figure_id>.html (written by succession.trace)


class UnknownFigure(KeyError):
    pass


def default_warehouse(settings: Settings | None = None) -> Path:
    """The settings' warehouse (``$SUCCESSION_WAREHOUSE``), else their build folder's
    (``$SUCCESSION_BUILD_DIR``, else the project's ``build/``: what ``make run`` builds)."""
    # imported here: a rendered document names its warehouse, and its kernel need not load
    # pydantic-settings (about a second of every document's start)
    from succession.settings import Settings

    settings = settings or Settings()
    return settings.warehouse or settings.paths.warehouse


@dataclass
class Report:
    report: str  # document id, e.g. "quarterly_return"
    region: str
    period: str
    warehouse: Path | str | None = None  # the document's `warehouse` parameter ("" = the default)
    used_path: Path | str | None = None  # its `figures_used` parameter: where to record what it shows
    strict: bool = True  # an unknown figure id fails the render
    _section: str = "front"
    _used: dict[tuple[str, str], None] = field(default_factory=dict)
    _charts: dict[str, list[dict]] = field(default_factory=dict)
    _figures: dict[str, dict] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.warehouse = Path(self.warehouse or default_warehouse())
        if not self.warehouse.is_file():
            raise FileNotFoundError(
                f"no warehouse at {self.warehouse}: run `make run` (or `succession run`) first, "
                f"or pass the document's `warehouse` parameter"
            )
        self.used_path = Path(self.used_path) if self.used_path else None
        self._con = duckdb.connect(str(self.warehouse), read_only=True)
        atexit.register(self.save)

    # -- reading -----------------------------------------------------------------------
    def query(self, sql: str, params: list | dict | None = None) -> pd.DataFrame:
        return self._con.execute(sql, params or []).df()

    def figures(self, prefix: str) -> pd.DataFrame:
        """All figures whose id starts with ``prefix`` (not recorded until shown)."""
        return self.query(
            "select * from audit.fct_figures where starts_with(figure_id, ?) order by figure_id", [prefix]
        )

    def exists(self, figure_id: str | None) -> bool:
        return bool(figure_id) and self._lookup(figure_id) is not None

    def figure(self, figure_id: str) -> dict:
        row = self._lookup(figure_id)
        if row is None:
            if self.strict:
                raise UnknownFigure(f"figure {figure_id!r} is not in audit.fct_figures")
            return {"figure_id": figure_id, "value_shown": UNKNOWN, "unit": None, "suppressed": False}
        return row

    def _lookup(self, figure_id: str) -> dict | None:
        if figure_id not in self._figures:
            rows = self.query("select * from audit.fct_figures where figure_id = ?", [figure_id])
            self._figures[figure_id] = None if rows.empty else rows.iloc[0].to_dict()
        return self._figures[figure_id]

    # -- showing -----------------------------------------------------------------------
    def section(self, name: str) -> None:
        """Name the section later figures are recorded under (the register's ``section``)."""
        self._section = name

    def shown(self, figure_id: str) -> str:
        """The value as shown, recorded as published in the current section (machine form)."""
        fig = self.figure(figure_id)
        self._used[(figure_id, self._section)] = None
        return str(fig["value_shown"])

    def display(self, figure_id: str) -> str:
        """The value as readers see it (plain text: separators, U+2212, £), recorded as shown."""
        shown = self.shown(figure_id)
        fig = self.figure(figure_id)
        return display_value(shown, fig.get("unit"))

    def fig(self, figure_id: str, suffix: str = "") -> Md:
        """Markdown for one figure: its value, linked to the figure's trace page, the id as
        the link's title (hover) and anchor. ``suffix`` (e.g. ``"%"``) goes inside the link."""
        text = self.display(figure_id) + suffix
        return Md(
            f'[{literal(text)}]({self.trace_href(figure_id)}){{#{_anchor(figure_id)} .fig title="{_attr(figure_id)}"}}'
        )

    value = fig  # the older name, kept for sections written before `fig`

    def fig_if_any(self, figure_id: str, suffix: str = "") -> Md | str:
        """The figure, or ``x`` (not available, as in the CSVs) where the warehouse has none:
        a region or quarter without the records the figure is computed from."""
        return self.fig(figure_id, suffix) if self.exists(figure_id) else UNKNOWN

    def trace_href(self, figure_id: str) -> str:
        """Relative link from the rendered document's folder to the figure's trace page."""
        trace_dir = self.warehouse.parent / TRACE_FOLDER
        rel = os.path.relpath(trace_dir, self._out_dir())
        return quote(f"{Path(rel).as_posix()}/{figure_id}.html")

    def register_href(self) -> Md:
        """Relative link from the rendered document's folder to the figure register CSV."""
        return Md(
            quote(
                Path(
                    os.path.relpath(self.warehouse.parent / "figures" / "published_figures.csv", self._out_dir())
                ).as_posix()
            )
        )

    def _out_dir(self) -> Path:
        return self.used_path.parent if self.used_path else Path.cwd()

    def table(
        self,
        df: pd.DataFrame,
        figure_columns: list[str] | tuple[str, ...] = (),
        *,
        widths: dict[str, int] | None = None,
        bold_last: bool = False,
    ) -> Md:
        """A Markdown pipe table. Cells of ``figure_columns`` hold figure ids (or None: blank);
        every other cell is data text, shown literally. ``widths`` gives relative column widths
        (dashes under the header, which Pandoc turns into column widths in HTML and Typst);
        ``bold_last`` marks the last row as a total."""
        cols = [str(c) for c in df.columns]
        body = []
        records = list(df.itertuples(index=False))
        for n, row in enumerate(records):
            cells = []
            for c, v in zip(cols, row):
                if c in figure_columns:
                    cell = str(self.fig(v)) if isinstance(v, str) and v else ""
                else:
                    cell = literal("" if v is None or (isinstance(v, float) and pd.isna(v)) else v)
                if bold_last and n == len(records) - 1 and cell:
                    cell = f"**{cell}**"
                cells.append(cell)
            body.append("| " + " | ".join(cells) + " |")
        widths = widths or {}
        # Enough dashes that Pandoc always uses relative widths (a row wider than 72 chars):
        # text columns get room for words, number columns for a short figure.
        dash = {c: max(3, widths.get(c) or (6 if c in figure_columns else 14)) * 3 for c in cols}
        head = [
            "| " + " | ".join(literal(c) for c in cols) + " |",
            "|"
            + "|".join("-" * (dash[c] - 1) + ":" if c in figure_columns else ":" + "-" * (dash[c] - 1) for c in cols)
            + "|",
        ]
        return Md("\n".join(head + body) + "\n")

    def caption(self, table: str, caption: str, label: str) -> Md:
        """A table made in a loop, captioned and labelled (``tbl-...``) so ``@tbl-...`` finds it.
        ``caption`` is Markdown (escape data text in it with ``text.literal``)."""
        label = "tbl-" + "".join(ch if ch.isalnum() else "-" for ch in label.removeprefix("tbl-").lower())
        return Md(f"{str(table).rstrip()}\n\n: {' '.join(str(caption).split())} {{#{label}}}\n")

    # -- the document's subject ----------------------------------------------------------
    @property
    def region_name(self) -> Md:
        """The region's name and code, literal text (``{python} rpt.region_name``)."""
        from succession.reference import regions

        return Md(literal(f"{regions().get(self.region, self.region)} ({self.region})"))

    # -- charts ------------------------------------------------------------------------
    def record_chart(self, name: str, rows: list[dict]) -> None:
        """Keep a chart's tidy data (one row per plotted point, each naming its figure id) for
        ``build/figures/chart_<name>.csv``; the figures are recorded as shown in the current section."""
        for row in rows:
            if row.get("figure_id"):
                self.shown(row["figure_id"])
        self._charts[name] = [{"report": self.report, "region": self.region, "period": self.period, **r} for r in rows]

    # -- recording ---------------------------------------------------------------------
    @property
    def used(self) -> list[dict[str, str]]:
        return [{"figure_id": f, "section": s} for f, s in self._used]

    def save(self) -> None:
        if self.used_path is None:
            return
        self.used_path.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "report": self.report,
            "region": self.region,
            "period": self.period,
            "figures": self.used,
            "charts": self._charts,
        }
        tmp = self.used_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(payload, indent=1, sort_keys=True, default=str), encoding="utf-8")
        tmp.replace(self.used_path)


def _anchor(figure_id: str) -> str:
    # not "fig-": Quarto treats #fig- ids as figure cross-references
    return "pub-" + "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in figure_id)


def _attr(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')
