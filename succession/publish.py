"""Writing what the warehouse publishes: tidy CSVs and the figure register.

* Every dbt model in ``marts/publish`` (schema ``publish``) is written to
  ``build/figures/<name without pub_>.csv``, rows in a stable order, so two builds
  from the same raw files give byte-identical files.
* ``published_figures.csv`` is the register of every number a rendered report shows:
  the figures-used records the documents write (``succession.reporting``), joined to
  ``audit.fct_figures``. The unsuppressed value stays in the warehouse only.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pandas as pd

REGISTER = "published_figures.csv"
REGISTER_COLUMNS = [
    "figure_id", "value_shown", "unit", "base", "suppressed", "report", "region", "period", "section",
    "table_id", "indicator", "time_period", "time_identifier", "geographic_level", "region_code",
    "new_la_code", "old_la_code", "breakdown", "source_model", "source_filter",
]
USED_FILE = "figures_used.json"


def _write_csv(df: pd.DataFrame, path: Path) -> None:
    tmp = path.with_suffix(".csv.tmp")
    df.to_csv(tmp, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL, na_rep="")
    tmp.replace(path)


def publish_tables(warehouse: Path, figures_dir: Path) -> list[Path]:
    figures_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = [r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'publish' order by 1").fetchall()]
        for table in tables:
            df = con.execute(f'select * from publish."{table}" order by all').df()
            for col in df.columns:
                if pd.api.types.is_datetime64_any_dtype(df[col]):
                    df[col] = df[col].dt.strftime("%Y-%m-%d")
            path = figures_dir / f"{table.removeprefix('pub_')}.csv"
            _write_csv(df, path)
            written.append(path)
    return written


def figures_used_records(reports_dir: Path) -> pd.DataFrame:
    rows = []
    for path in sorted(Path(reports_dir).rglob(USED_FILE)):
        payload = json.loads(path.read_text(encoding="utf-8"))
        for f in payload["figures"]:
            rows.append({"figure_id": f["figure_id"], "section": f["section"], "report": payload["report"],
                         "region": payload["region"], "period": payload["period"]})
    return pd.DataFrame(rows, columns=["figure_id", "section", "report", "region", "period"])


def write_register(warehouse: Path, reports_dir: Path, figures_dir: Path) -> Path:
    used = figures_used_records(reports_dir)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        con.register("used", used)
        register = con.execute(f"""
            select {', '.join('u.' + c if c in ('report', 'region', 'period', 'section') else 'f.' + c for c in REGISTER_COLUMNS)}
            from used as u
            inner join audit.fct_figures as f using (figure_id)
            order by f.figure_id, u.report, u.region, u.period, u.section
        """).df()
        missing = sorted(set(used["figure_id"]) - set(register["figure_id"]))
    if missing:
        raise ValueError(f"reports show figures that are not in audit.fct_figures: {missing[:10]}")
    figures_dir.mkdir(parents=True, exist_ok=True)
    path = figures_dir / REGISTER
    register["base"] = register["base"].map(lambda v: "" if pd.isna(v) else (str(int(v)) if float(v).is_integer() else str(v)))
    _write_csv(register, path)
    # Each chart's data (chart_<name>.csv), from the same records: written whenever the register is.
    from succession.reporting.charts import write_chart_csvs

    write_chart_csvs(reports_dir, USED_FILE, figures_dir)
    return path
