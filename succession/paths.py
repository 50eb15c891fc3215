"""Where things live. Every path the project uses is derived here from two roots:
the raw folder (read-only inputs) and the build folder (everything the pipeline makes).
The roots, and their defaults, come from `succession.settings.Settings`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from succession.settings import Settings

PROJECT_DIR = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_DIR / "dbt_project"
REPORTS_DIR = PROJECT_DIR / "reports"
CONTRACTS_DIR = PROJECT_DIR / "contracts"

REGISTER_FILE = "published_figures.csv"  # <build>/figures/: every number a rendered document shows
TRACE_FOLDER = "audit/trace"  # <build>/audit/trace/<figure_id>.html: each registered figure's trace page
CHECKS_FOLDER = "checks"  # <build>/checks: check results (JSON) the reports show as caveats


@dataclass(frozen=True)
class ProjectPaths:
    raw_dir: Path
    build_dir: Path

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> ProjectPaths:
        """The roots the settings name (``Settings()``: the environment, else the defaults)."""
        from succession.settings import Settings

        settings = settings or Settings()
        return cls(settings.raw_dir, settings.build_dir)

    @property
    def lake_dir(self) -> Path:
        """Validated rows as Parquet, one file per source table and partition."""
        return self.build_dir / "lake"

    @property
    def warehouse(self) -> Path:
        return self.build_dir / "warehouse.duckdb"

    @property
    def figures_dir(self) -> Path:
        return self.build_dir / "figures"

    @property
    def reports_dir(self) -> Path:
        return self.build_dir / "reports"

    @property
    def dbt_target_dir(self) -> Path:
        return self.build_dir / "dbt_target"

    @property
    def trace_dir(self) -> Path:
        """Static trace pages, one per registered figure, and their index (the documents link here)."""
        return self.build_dir / TRACE_FOLDER

    @property
    def docs_dir(self) -> Path:
        """dbt's documentation site (model-level lineage): ``index.html`` opens from disk."""
        return self.build_dir / "docs"

    @property
    def checks_dir(self) -> Path:
        """Results of the completeness and KPI reconciliation checks, one JSON file each."""
        return self.build_dir / CHECKS_FOLDER

    @property
    def work_dir(self) -> Path:
        """Scratch space for build-then-swap; safe to delete between runs."""
        return self.build_dir / ".work"

    @property
    def lock_file(self) -> Path:
        return self.build_dir / ".writer.lock"

    def relative_raw(self, path: Path) -> str:
        """A raw file's path as recorded in lineage: relative to the raw folder, POSIX style."""
        return Path(path).resolve().relative_to(self.raw_dir).as_posix()
