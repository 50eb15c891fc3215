"""Writing what the warehouse publishes: tidy CSVs and the figure register.

* Every dbt model in ``marts/publish`` (schema ``publish``) is written to
  ``build/figures/<name without pub_>.csv``, rows in a stable order, so two builds
  from the same raw files give byte-identical files.
* ``published_figures.csv`` is the register of every number a rendered report shows:
  the figures-used records the documents write (``succession.reporting``), joined to
  ``audit.fct_figures``. The unsuppressed value stays in the warehouse only.
* Every published CSV is written by `write_csv`, which neutralises text a spreadsheet
  would run as a formula (CSV injection, as OWASP describes): a text cell starting with
  ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading single quote. Numbers
  are not text: numeric columns, and text cells that are a plain decimal number such as
  ``-3689`` or ``-2.5`` (values as shown), are written as they are.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import duckdb
import pandas as pd

from succession.paths import REGISTER_FILE

REGISTER = REGISTER_FILE
REGISTER_COLUMNS = [
    "figure_id",
    "value_shown",
    "unit",
    "base",
    "suppressed",
    "report",
    "region",
    "period",
    "section",
    "table_id",
    "indicator",
    "time_period",
    "time_identifier",
    "geographic_level",
    "region_code",
    "new_la_code",
    "old_la_code",
    "breakdown",
    "source_model",
    "source_filter",
]
USED_FILE = "figures_used.json"
CHART_PREFIX = "chart_"  # build/figures/chart_<name>.csv: a chart's data, written with the register


FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")  # how the warehouse writes a value as shown


def neutralise_cell(value: object) -> object:
    """A text cell a spreadsheet would evaluate, made inert with a leading quote (OWASP).
    A carriage return inside text becomes a newline: the csv module quotes a field holding
    a newline but not one holding a lone CR, which readers take as the end of the row."""
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_TRIGGERS) and not PLAIN_NUMBER.fullmatch(value):
        value = "'" + value
    return value.replace("\r\n", "\n").replace("\r", "\n")


def write_csv(df: pd.DataFrame, path: Path) -> Path:
    """The one way a published CSV is written: neutralised text, stable bytes, atomic replace."""
    df = df.copy()
    for col in df.columns:
        if pd.api.types.is_object_dtype(df[col]) or pd.api.types.is_string_dtype(df[col]):
            df[col] = df[col].map(neutralise_cell, na_action="ignore")
    tmp = path.with_suffix(".csv.tmp")
    df.to_csv(tmp, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL, na_rep="")
    tmp.replace(path)
    return path


def publish_tables(warehouse: Path, figures_dir: Path) -> list[Path]:
    figures_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'publish' order by 1"
            ).fetchall()
        ]
        for table in tables:
            df = con.execute(f'select * from publish."{table}" order by all').df()
            for col in df.columns:
                if pd.api.types.is_datetime64_any_dtype(df[col]):
                    df[col] = df[col].dt.strftime("%Y-%m-%d")
            path = figures_dir / f"{table.removeprefix('pub_')}.csv"
            write_csv(df, path)
            written.append(path)
    return written


def stale_files(warehouse: Path, figures_dir: Path, *, register: bool = True) -> list[Path]:
    """Published CSVs written before the warehouse in use was swapped in (they show numbers
    of an earlier warehouse), or every expected one when none was written. (The warehouse
    file keeps the time dbt last wrote it, which is before the CSVs of the same run.)
    ``register=False``: leave out what the documents publish (the register and the charts'
    data), which a run rendering no document keeps."""
    if not Path(warehouse).exists():
        return []
    built = Path(warehouse).stat().st_mtime_ns
    tables = [
        p
        for p in sorted(Path(figures_dir).glob("*.csv"))
        if register or not (p.name == REGISTER or p.name.startswith(CHART_PREFIX))
    ]
    if not tables:
        return [Path(figures_dir) / "*.csv"]
    return [p for p in tables if p.stat().st_mtime_ns < built]


def figures_used_records(reports_dir: Path) -> pd.DataFrame:
    rows = []
    for path in sorted(Path(reports_dir).rglob(USED_FILE)):
        payload = json.loads(path.read_text(encoding="utf-8"))
        for f in payload["figures"]:
            rows.append(
                {
                    "figure_id": f["figure_id"],
                    "section": f["section"],
                    "report": payload["report"],
                    "region": payload["region"],
                    "period": payload["period"],
                }
            )
    return pd.DataFrame(rows, columns=["figure_id", "section", "report", "region", "period"])


def write_register(warehouse: Path, reports_dir: Path, figures_dir: Path) -> Path:
    used = figures_used_records(reports_dir)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        con.register("used", used)
        register = con.execute(f"""
            select {", ".join("u." + c if c in ("report", "region", "period", "section") else "f." + c for c in REGISTER_COLUMNS)}
            from used as u
            inner join audit.fct_figures as f using (figure_id)
            order by f.figure_id, u.report, u.region, u.period, u.section
        """).df()
        missing = sorted(set(used["figure_id"]) - set(register["figure_id"]))
    if missing:
        raise ValueError(f"reports show figures that are not in audit.fct_figures: {missing[:10]}")
    figures_dir.mkdir(parents=True, exist_ok=True)
    path = figures_dir / REGISTER
    register["base"] = register["base"].map(
        lambda v: "" if pd.isna(v) else (str(int(v)) if float(v).is_integer() else str(v))
    )
    write_csv(register, path)
    # Each chart's data (chart_<name>.csv), from the same records: written whenever the register is.
    from succession.reporting.charts import write_chart_csvs

    write_chart_csvs(reports_dir, USED_FILE, figures_dir)
    return path
