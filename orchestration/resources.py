"""Resources: the project's settings (where the raw files and the build live, and what the
steps need to know), and the dbt CLI."""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import os
import sys
from functools import cached_property
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource
from packaging import version
from pydantic import Field

from succession.paths import DBT_PROJECT_DIR, ProjectPaths
from succession.settings import Settings, default_value


class ProjectPathsResource(dg.ConfigurableResource):
    """The settings Dagster steps use (`succession.settings`, read once where the definitions
    are made): the raw folder (read-only inputs), the build folder (everything made), and the
    settings of the dbt build, the documents and the checks. The defaults are the settings'."""

    raw_dir: str
    build_dir: str
    # documents' regions when a run's config names none; [] = every region with returns
    regions: list[str] = Field(default_factory=list)
    ingest_workers: int | None = None  # None: one per core
    return_deadline_days: int = default_value("return_deadline_days")
    duckdb_memory: str = default_value("duckdb_memory")
    dbt_threads: int = default_value("dbt_threads")
    reconciliation_severity: str = default_value("reconciliation_severity")
    today: str | None = None  # YYYY-MM-DD: checks run as of this day; None = the real date

    @classmethod
    def from_settings(cls, settings: Settings) -> ProjectPathsResource:
        return cls(
            raw_dir=str(settings.raw_dir),
            build_dir=str(settings.build_dir),
            regions=list(settings.regions),
            ingest_workers=settings.ingest_workers,
            return_deadline_days=settings.return_deadline_days,
            duckdb_memory=settings.duckdb_memory,
            dbt_threads=settings.dbt_threads,
            reconciliation_severity=settings.reconciliation_severity,
            today=settings.today.isoformat() if settings.today else None,
        )

    @classmethod
    def from_paths(cls, paths: ProjectPaths) -> ProjectPathsResource:
        return cls(raw_dir=str(paths.raw_dir), build_dir=str(paths.build_dir))

    @property
    def paths(self) -> ProjectPaths:
        return ProjectPaths(Path(self.raw_dir).resolve(), Path(self.build_dir).resolve())

    @property
    def settings(self) -> Settings:
        """This config as settings (validated; not read from the environment again)."""
        values = {
            "raw_dir": self.raw_dir,
            "build_dir": self.build_dir,
            "regions": self.regions,
            "ingest_workers": self.ingest_workers,
            "return_deadline_days": self.return_deadline_days,
            "duckdb_memory": self.duckdb_memory,
            "dbt_threads": self.dbt_threads,
            "reconciliation_severity": self.reconciliation_severity,
            "today": self.today,
        }
        return Settings.from_values(values)

    def today_or_now(self) -> dt.date:
        return dt.date.fromisoformat(self.today) if self.today else dt.date.today()


def dbt_executable() -> str:
    """The venv's dbt, so the resource works when the venv is not activated."""
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


class ProjectDbtCliResource(DbtCliResource):
    """dagster-dbt's dbt CLI resource without two start-up costs it pays before every dbt
    command (benchmarks/PROFILE.md: 5 to 9 s per command on a loaded 2-core machine):

    - it runs ``dbt --version`` in a subprocess (a full dbt start) to learn the version: when
      the executable is this venv's dbt, the installed dbt-core's metadata says the same;
    - it builds a dbt adapter in this process (loading dbt's macros) for
      ``fetch_row_counts()`` and ``fetch_column_metadata()``, which this project never
      calls; without one, those would only log that they have no adapter."""

    @cached_property
    def _cli_version(self) -> version.Version:
        if Path(self.dbt_executable) == Path(sys.executable).with_name("dbt"):
            return version.parse(importlib.metadata.version("dbt-core"))
        return super()._cli_version

    def _initialize_dbt_core_adapter(self, args):
        return None


def dbt_resource() -> DbtCliResource:
    return ProjectDbtCliResource(
        project_dir=os.fspath(DBT_PROJECT_DIR), profiles_dir=os.fspath(DBT_PROJECT_DIR), dbt_executable=dbt_executable()
    )
