"""The published documents and where their renders land.

``build/reports/<document>/<region>/<quarter key>/<document>.html|.pdf`` plus the
``figures_used.json`` record the figure register is built from.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from succession.paths import REPORTS_DIR, ProjectPaths
from succession.periods import FinancialQuarter
from succession.publish import USED_FILE

DOCUMENTS = {
    "quarterly-return": "quarterly_return.qmd",
    "evaluation": "evaluation.qmd",
    "national-overview": "national_overview.qmd",
}
# Documents about England as a whole: rendered once per quarter for this code, not per region.
ENGLAND = "E92000001"
NATIONAL_DOCUMENTS = frozenset({"national-overview"})


@dataclass(frozen=True)
class Rendered:
    document: str
    region: str
    period: str
    outputs: dict[str, Path]
    engine: str
    seconds: float


def output_dir(paths: ProjectPaths, document: str, region: str, period: str) -> Path:
    return paths.reports_dir / document / region / FinancialQuarter.parse(period).key


def document_parameters(paths: ProjectPaths, region: str, quarter: FinancialQuarter, used_path: Path) -> dict[str, str]:
    """The document's parameters: its subject, the warehouse it reads and where it records
    the figures it shows (every document's parameters cell declares all four)."""
    return {
        "region": region,
        "period": quarter.label,
        "warehouse": str(paths.warehouse),
        "figures_used": str(used_path),
    }


def render_environment(paths: ProjectPaths) -> dict[str, str]:
    """Environment for the document's kernel (the subprocess's only): Jupyter/IPython state
    kept inside the build folder."""
    state = paths.build_dir / ".jupyter"
    return {
        "JUPYTER_CONFIG_DIR": str(state / "config"),
        "JUPYTER_DATA_DIR": str(state / "data"),
        "JUPYTER_RUNTIME_DIR": str(state / "runtime"),
        "IPYTHONDIR": str(state / "ipython"),
        "MPLCONFIGDIR": str(state / "matplotlib"),
    }


def render(
    paths: ProjectPaths,
    document: str,
    region: str,
    period: str,
    formats: tuple[str, ...] = ("html", "pdf"),
    engine: str = "auto",
) -> Rendered:
    from succession.render import render_document

    if document not in DOCUMENTS:
        raise ValueError(f"unknown document {document!r}: choose from {', '.join(DOCUMENTS)}")
    quarter = FinancialQuarter.parse(period)
    if not paths.warehouse.exists():
        raise FileNotFoundError(f"no warehouse at {paths.warehouse}: run `succession run` first")
    out = output_dir(paths, document, region, quarter.label)
    out.mkdir(parents=True, exist_ok=True)
    used = out / USED_FILE
    result = render_document(
        REPORTS_DIR / DOCUMENTS[document],
        document_parameters(paths, region, quarter, used),
        out,
        formats=formats,
        env=render_environment(paths),
        engine=engine,
        state_dir=paths.build_dir / ".jupyter",  # never inside the published report folder
    )
    return Rendered(document, region, quarter.label, dict(result.outputs), result.engine, result.seconds)
