"""`succession trace FIGURE_ID`: from a published number back to the raw cells.

figure -> the mart and filter that computed it -> the dbt models upstream of that
mart down to the lake sources -> every contributing raw row (file, SHA-256, sheet,
row, cell) -> the Dagster run that loaded each file and when; plus the register
entries (which report and section show it) and any earlier submission a corrected
return superseded.
"""
from __future__ import annotations

import csv
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from succession.paths import DBT_PROJECT_DIR, ProjectPaths
from succession.publish import REGISTER

SUMMARY_ROWS = 12


class UnknownFigureError(LookupError):
    pass


@dataclass
class Trace:
    figure: dict
    published_in: list[dict]
    model_chain: list[str]
    sources: list[str]
    files: list[dict]
    rows: list[dict]
    superseded: list[dict] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, default=str, sort_keys=True)

    def to_text(self) -> str:
        f = self.figure
        out = [f"figure {f['figure_id']}",
               f"  shown as {f['value_shown']!r} ({f['unit']}); unsuppressed value {f['value']!r}; base {f['base']!r}"
               + (f"; suppressed ({f['suppression']})" if f["suppressed"] else "")]
        for p in self.published_in:
            out.append(f"  published in {p['report']} {p['region']} {p['period']}, section {p['section']!r}")
        if not self.published_in:
            out.append("  not shown in any rendered report (it is in the warehouse's figure table)")
        out.append(f"computed by {f['source_model']} where {f['source_filter']}")
        out.append("models: " + " <- ".join(self.model_chain))
        out.append("raw tables: " + ", ".join(self.sources))
        out.append(f"raw files ({len(self.files)}):")
        for fl in self.files:
            out.append(f"  {fl['file_path']}  sha256 {fl['file_sha256']}  ({fl['rows']} rows)  "
                       f"loaded by run {fl['run_id']} at {fl['loaded_at']}")
        out.append(f"contributing rows ({len(self.rows)}):")
        for r in self.rows[:SUMMARY_ROWS]:
            where = f"{r['sheet']}!{r['cell']}" if r["cell"] else f"{r['sheet']} row {r['row']}"
            out.append(f"  {r['file_path']}: {where}")
        if len(self.rows) > SUMMARY_ROWS:
            out.append(f"  ... {len(self.rows) - SUMMARY_ROWS} more (use --json for every row)")
        for s in self.superseded:
            out.append(f"superseded submission: {s['file_path']} (sha256 {s['file_sha256']}, loaded by run {s['run_id']}) "
                       f"superseded by {s['superseded_by']}")
        return "\n".join(out)


def _manifest(paths: ProjectPaths) -> dict:
    for candidate in (paths.dbt_target_dir / "manifest.json", DBT_PROJECT_DIR / "target" / "manifest.json"):
        if candidate.exists():
            return json.loads(candidate.read_text())
    raise FileNotFoundError("no dbt manifest: run `succession run` first")


def model_chain(manifest: dict, model: str) -> tuple[list[str], list[str]]:
    """Models upstream of ``model`` (nearest first) and the sources they read."""
    by_name = {n["name"]: uid for uid, n in manifest["nodes"].items() if n["resource_type"] in ("model", "seed")}
    chain, sources, seen = [], set(), set()
    frontier = [by_name[model]]
    while frontier:
        nxt = []
        for uid in frontier:
            if uid in seen:
                continue
            seen.add(uid)
            node = manifest["nodes"].get(uid) or manifest["sources"].get(uid)
            if uid.startswith("source."):
                sources.add(f"{node['source_name']}.{node['name']}")
                continue
            chain.append(node["name"])
            nxt.extend(node.get("depends_on", {}).get("nodes", []))
        frontier = sorted(nxt)
    return chain, sorted(sources)


def trace(paths: ProjectPaths, figure_id: str) -> Trace:
    if not paths.warehouse.exists():
        raise FileNotFoundError(f"no warehouse at {paths.warehouse}: run `succession run` first")
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        fig = con.execute("select * from audit.fct_figures where figure_id = ?", [figure_id]).df()
        if fig.empty:
            head = figure_id.rsplit(".", 1)[0]
            near = [r[0] for r in con.execute(
                "select figure_id from audit.fct_figures where starts_with(figure_id, ?) order by 1 limit 5", [head]).fetchall()]
            hint = f"; similar ids: {', '.join(near)}" if near else ""
            raise UnknownFigureError(f"unknown figure id {figure_id!r}: not in the warehouse's figure table (audit.fct_figures){hint}")
        figure = {k: (None if v != v else v) for k, v in fig.iloc[0].to_dict().items()}  # NaN -> None
        rows = con.execute(
            """select r.source, r.source_table, r._source_file as file_path, r._file_sha256 as file_sha256,
                      r._sheet as sheet, r._row as row, r._cell as cell, r._row_uid as row_uid,
                      r._run_id as run_id, r._loaded_at as loaded_at
               from audit.fct_figure_sources s join audit.fct_raw_rows r using (_row_uid)
               where s.figure_id = ? order by r._source_file, r._sheet, r._row, r._cell""", [figure_id]).df()
        files = con.execute(
            """select f.file_path, f.file_sha256, f.status, f.run_id, f.loaded_at, f.superseded_by
               from audit.fct_files f where f.file_sha256 in (select distinct r._file_sha256
                   from audit.fct_figure_sources s join audit.fct_raw_rows r using (_row_uid) where s.figure_id = ?)
               order by f.file_path""", [figure_id]).df()
        superseded = con.execute(
            """select file_path, file_sha256, run_id, superseded_by from audit.fct_files
               where superseded_by in (select file_path from audit.fct_files f where f.file_sha256 in (
                   select distinct r._file_sha256 from audit.fct_figure_sources s join audit.fct_raw_rows r using (_row_uid)
                   where s.figure_id = ?)) order by file_path""", [figure_id]).df()
    counts = rows.groupby("file_path").size().to_dict()
    file_list = [{**{k: (str(v) if k == "loaded_at" else v) for k, v in r.items()}, "rows": int(counts.get(r["file_path"], 0))}
                 for r in files.to_dict("records")]
    chain, srcs = model_chain(_manifest(paths), figure["source_model"])
    return Trace(
        figure=figure,
        published_in=_register_entries(paths, figure_id),
        model_chain=chain,
        sources=srcs,
        files=file_list,
        rows=[{k: (str(v) if k == "loaded_at" else (None if v != v else v)) for k, v in r.items()} for r in rows.to_dict("records")],
        superseded=superseded.to_dict("records"),
    )


def _register_entries(paths: ProjectPaths, figure_id: str) -> list[dict]:
    register = paths.figures_dir / REGISTER
    if not register.exists():
        return []
    with open(register, newline="", encoding="utf-8") as f:
        return [{k: r[k] for k in ("report", "region", "period", "section")} for r in csv.DictReader(f) if r["figure_id"] == figure_id]
