"""Which documents a build renders, and whether each is current: answered without Dagster.

The report assets (`orchestration.publishing`) render what this module says is due, and
`succession run` asks it, before importing Dagster, whether a run has anything to do.
A document is current when it was made from the same warehouse build and code
(`orchestration.changes.output_current`); the figure register when it was also made from
the same documents' figure records.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.changes import output_current, output_inputs
from succession import publish, reports
from succession.ingest.lineage import sha256_file
from succession.paths import REPORTS_DIR, ProjectPaths
from succession.trace_pages import INDEX


class NoReturnsError(ValueError):
    """Documents were asked for by region, and a region has no returns in the quarter."""


def documents() -> list[str]:
    """The documents whose .qmd is present (one report asset each)."""
    return [d for d, qmd in reports.DOCUMENTS.items() if (REPORTS_DIR / qmd).exists()]


def regions_for(paths: ProjectPaths, quarter: str, requested: list[str], configured: list[str] = ()) -> list[str]:
    """The regions to render: those requested (each must have returns), else the configured
    ones that have returns, else every region with returns."""
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        with_returns = [
            r[0]
            for r in con.execute(
                "select distinct region_code from marts.fct_return_status where quarter = ? order by 1", [quarter]
            ).fetchall()
        ]
    if without := [r for r in requested if r not in with_returns]:
        # asked for by name: rendering nothing and reporting success would hide the mistake
        raise NoReturnsError(
            f"no returns for region(s) {', '.join(without)} in {quarter}: "
            f"regions with returns are {', '.join(with_returns) or 'none'}"
        )
    wanted = requested or list(configured)
    return [r for r in with_returns if r in wanted] if wanted else with_returns


@dataclass(frozen=True)
class Due:
    """One document for one region and quarter: its record's name and digest, and its files."""

    document: str
    region: str
    quarter: str
    digest: str | None
    files: dict[str, Path]  # html / pdf

    @property
    def name(self) -> str:
        return record_name(self.document, self.region, self.quarter)

    def current(self, paths: ProjectPaths) -> bool:
        folder = reports.output_dir(paths, self.document, self.region, self.quarter)
        return output_current(paths, self.name, self.digest, [*self.files.values(), folder / publish.USED_FILE])


def record_name(document: str, region: str, quarter: str) -> str:
    return f"report {document} {region} {quarter}"


def due(
    paths: ProjectPaths, document: str, quarter: str, requested: list[str], configured: list[str] = ()
) -> list[Due]:
    """The renders of ``document`` for ``quarter``: one for England (a national document),
    else one per region (`regions_for`)."""
    national = document in reports.NATIONAL_DOCUMENTS
    regions = [reports.ENGLAND] if national else regions_for(paths, quarter, requested, configured)
    stem = Path(reports.DOCUMENTS[document]).stem
    out = []
    for region in regions:
        folder = reports.output_dir(paths, document, region, quarter)
        files = {fmt: folder / f"{stem}.{fmt}" for fmt in ("html", "pdf")}
        out.append(Due(document, region, quarter, output_inputs(paths, record_name(document, region, quarter)), files))
    return out


REGISTER_RECORD = "figure register"


def register_inputs(paths: ProjectPaths) -> tuple[str | None, list[Path]]:
    """The digest the figure register would be made from now, and its files."""
    used = sorted(paths.reports_dir.rglob(publish.USED_FILE))
    digest = output_inputs(
        paths, REGISTER_RECORD, *(f"{u.relative_to(paths.reports_dir)}\0{sha256_file(u)}" for u in used)
    )
    return digest, [paths.figures_dir / publish.REGISTER, paths.trace_dir / INDEX]


def register_current(paths: ProjectPaths) -> bool:
    digest, files = register_inputs(paths)
    return output_current(paths, REGISTER_RECORD, digest, files)


def all_current(paths: ProjectPaths, quarter: str, requested: list[str], configured: list[str] = ()) -> bool:
    """Every document of ``quarter`` and the figure register are current (a region asked
    for without returns is not: the run must fail on it)."""
    try:
        todo = [d for document in documents() for d in due(paths, document, quarter, requested, configured)]
    except (NoReturnsError, duckdb.Error):
        return False
    return bool(todo) and all(d.current(paths) for d in todo) and register_current(paths)
