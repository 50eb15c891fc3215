"""The project's dbt CLI resource skips dagster-dbt's per-command start-up (benchmarks/PROFILE.md)
without changing what it tells dagster-dbt: the same dbt version as ``dbt --version``."""

from __future__ import annotations

import re
import subprocess

from orchestration.resources import ProjectDbtCliResource, dbt_executable, dbt_resource
from succession.paths import DBT_PROJECT_DIR


def test_the_version_is_the_one_dbt_reports():
    resource = dbt_resource()
    assert isinstance(resource, ProjectDbtCliResource)
    said = subprocess.run([dbt_executable(), "--version"], capture_output=True, text=True, check=True).stdout
    assert str(resource._cli_version) == re.search(r"(\d+\.\d+\.\d+)", said).group(1)


def test_another_dbt_executable_is_asked_for_its_version(monkeypatch, tmp_path):
    other = tmp_path / "dbt"  # e.g. a dbt on PATH, not this venv's: its version may differ
    other.write_text("#!/bin/sh\n")
    other.chmod(0o755)
    resource = ProjectDbtCliResource(project_dir=str(DBT_PROJECT_DIR), dbt_executable=str(other))
    asked = []

    def fake_check_output(argv, *args, **kwargs):
        asked.append(argv)
        return b"Core:\n  - installed: 9.8.7\n"

    monkeypatch.setattr("dagster_dbt.core.resource.check_output", fake_check_output)
    assert str(resource._cli_version) == "9.8.7"
    assert asked == [[str(other), "--version"]]


def test_no_adapter_is_built_in_process():
    assert dbt_resource()._initialize_dbt_core_adapter(["build"]) is None
