"""Resources: where the raw files and the build live, and the dbt CLI."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource

from succession.paths import DBT_PROJECT_DIR, ProjectPaths


class ProjectPathsResource(dg.ConfigurableResource):
    """The raw folder (read-only inputs) and the build folder (everything made)."""

    raw_dir: str
    build_dir: str

    @classmethod
    def from_env(cls) -> "ProjectPathsResource":
        p = ProjectPaths.from_env()
        return cls(raw_dir=str(p.raw_dir), build_dir=str(p.build_dir))

    @classmethod
    def from_paths(cls, paths: ProjectPaths) -> "ProjectPathsResource":
        return cls(raw_dir=str(paths.raw_dir), build_dir=str(paths.build_dir))

    @property
    def paths(self) -> ProjectPaths:
        return ProjectPaths(Path(self.raw_dir).resolve(), Path(self.build_dir).resolve())


def dbt_executable() -> str:
    """The venv's dbt, so the resource works when the venv is not activated."""
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=os.fspath(DBT_PROJECT_DIR), profiles_dir=os.fspath(DBT_PROJECT_DIR),
                          dbt_executable=dbt_executable())
