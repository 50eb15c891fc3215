"""Issue 14, one settings object: every SUCCESSION_* variable is read by `succession.settings`,
options override the environment, which overrides the defaults, and the settings are handed
down (resource config, dbt --vars, document parameters) rather than written to the environment."""

from __future__ import annotations

import json
import os
import re

import pytest

from orchestration.resources import ProjectPathsResource
from succession import cli
from succession.paths import DBT_PROJECT_DIR, PROJECT_DIR
from succession.settings import Settings, dbt_project_var


@pytest.fixture
def clean_env(monkeypatch):
    """No SUCCESSION_* variable and no DAGSTER_HOME: the defaults."""
    for name in list(os.environ):
        if name.startswith("SUCCESSION_") or name == "DAGSTER_HOME":
            monkeypatch.delenv(name)


def test_defaults(clean_env):
    s = Settings()
    assert (s.raw_dir, s.build_dir) == (PROJECT_DIR / "raw", PROJECT_DIR / "build")
    assert s.paths.warehouse == PROJECT_DIR / "build" / "warehouse.duckdb"
    assert s.return_deadline_days == dbt_project_var("return_deadline_days") == 30
    assert (s.regions, s.automation, s.reconciliation_severity, s.today, s.dagster_home, s.ingest_workers) == (
        [],
        False,
        "WARN",
        None,
        None,
        None,
    )
    assert s.smtp() is None and s.configured_pseudonym_key() is None
    assert s.dbt_vars() == {
        "warehouse": str(PROJECT_DIR / "build" / "warehouse.duckdb"),
        "lake_dir": str(PROJECT_DIR / "build" / "lake"),
        "duckdb_memory": "600MB",
        "dbt_threads": 2,
        "return_deadline_days": 30,
    }


def test_the_environment_overrides_the_defaults(clean_env, monkeypatch, tmp_path):
    key_file = tmp_path / "key"
    key_file.write_text("from-a-file\n")
    for name, value in {
        "SUCCESSION_BUILD_DIR": str(tmp_path / "b"),
        "SUCCESSION_RAW_DIR": str(tmp_path / "r"),
        "SUCCESSION_REGIONS": "E12000008, E12000007",
        "SUCCESSION_AUTOMATION": "on",
        "SUCCESSION_RETURN_DEADLINE_DAYS": "45",
        "SUCCESSION_DUCKDB_MEMORY": "2GB",
        "SUCCESSION_DBT_THREADS": "4",
        "SUCCESSION_INGEST_WORKERS": "3",
        "SUCCESSION_RECONCILIATION_SEVERITY": "error",
        "SUCCESSION_TODAY": "2025-06-01",
        "SUCCESSION_PSEUDONYM_KEY_FILE": str(key_file),
        "SUCCESSION_SMTP_HOST": "mail",
        "SUCCESSION_SMTP_RECIPIENTS": "a@example.org,b@example.org",
        "SUCCESSION_SMTP_STARTTLS": "true",
        "DAGSTER_HOME": str(tmp_path / "dh"),
    }.items():
        monkeypatch.setenv(name, value)
    s = Settings()
    assert s.paths.lake_dir == tmp_path / "b" / "lake" and s.raw_dir == tmp_path / "r"
    assert s.regions == ["E12000008", "E12000007"] and s.automation and s.reconciliation_severity == "ERROR"
    assert s.today.isoformat() == "2025-06-01" and s.dagster_home == tmp_path / "dh"
    assert s.ingest_workers == 3 and ProjectPathsResource.from_settings(s).settings.ingest_workers == 3
    assert s.configured_pseudonym_key() == b"from-a-file"
    smtp = s.smtp()
    assert smtp.recipients == ("a@example.org", "b@example.org") and smtp.port == 587 and smtp.starttls
    assert s.dbt_vars(warehouse=tmp_path / "copy.duckdb") == {
        "warehouse": str(tmp_path / "copy.duckdb"),
        "lake_dir": str(tmp_path / "b" / "lake"),
        "duckdb_memory": "2GB",
        "dbt_threads": 4,
        "return_deadline_days": 45,
    }
    monkeypatch.setenv("SUCCESSION_PSEUDONYM_KEY", "the-key-itself")  # the key wins over the file
    assert Settings().configured_pseudonym_key() == b"the-key-itself"


def test_a_bad_setting_is_one_line_naming_the_variable(clean_env, monkeypatch, capsys):
    monkeypatch.setenv("SUCCESSION_DBT_THREADS", "several")
    assert cli.main(["dbt-vars"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "SUCCESSION_DBT_THREADS" in err and "Traceback" not in err


def test_options_override_the_environment(clean_env, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("SUCCESSION_BUILD_DIR", str(tmp_path / "from-env"))
    monkeypatch.setenv("SUCCESSION_REGIONS", "E12000007")
    before = _ours()

    assert cli.main(["dbt-vars"]) == 0
    assert json.loads(capsys.readouterr().out)["lake_dir"] == str(tmp_path / "from-env" / "lake")
    assert cli.main(["dbt-vars", "--out", str(tmp_path / "from-option")]) == 0
    assert json.loads(capsys.readouterr().out)["lake_dir"] == str(tmp_path / "from-option" / "lake")

    parser_args = _run_args(["--raw-dir", str(tmp_path / "raw"), "--region", "E12000008"])
    s = cli._settings(parser_args)
    assert s.regions == ["E12000008"] and s.raw_dir == tmp_path / "raw" and s.build_dir == tmp_path / "from-env"
    assert cli._settings(_run_args([])).regions == ["E12000007"]
    # a refused run (no raw folder) also leaves the environment as it was
    assert cli.main(["run", "--raw-dir", str(tmp_path / "missing"), "--out", str(tmp_path / "o")]) == 2
    assert _ours() == before


def _ours() -> dict[str, str]:
    # (importing pandera sets PYARROW_IGNORE_TIMEZONE and SPARK_LOCAL_IP: not ours to judge)
    return {k: v for k, v in os.environ.items() if k.startswith("SUCCESSION_") or k == "DAGSTER_HOME"}


def _run_args(argv: list[str]):
    import argparse

    p = argparse.ArgumentParser()
    p.add_argument("--raw-dir")
    p.add_argument("--out")
    p.add_argument("--region", action="append")
    args = p.parse_args(argv)
    args.command = "run"
    return args


def test_the_resource_carries_the_settings_without_reading_the_environment(clean_env, monkeypatch, tmp_path):
    monkeypatch.setenv("SUCCESSION_DUCKDB_MEMORY", "3GB")
    s = Settings(build_dir=tmp_path, regions=["E12000008"])
    resource = ProjectPathsResource.from_settings(s)
    monkeypatch.setenv("SUCCESSION_DUCKDB_MEMORY", "1GB")  # changed after the definitions were made
    assert resource.settings.dbt_vars() == s.dbt_vars() and resource.settings.duckdb_memory == "3GB"
    assert resource.paths == s.paths and resource.regions == ["E12000008"]
    bare = ProjectPathsResource(raw_dir=str(tmp_path), build_dir=str(tmp_path))
    assert bare.settings.dbt_vars() == Settings.from_values({"raw_dir": tmp_path, "build_dir": tmp_path}).dbt_vars()


# -- nothing writes the environment --------------------------------------------------------------

PRODUCT = [PROJECT_DIR / "succession", PROJECT_DIR / "orchestration"]
WRITES = re.compile(
    r"os\.environ\s*\[[^\]]*\]\s*=(?!=)|os\.environ\.(update|setdefault|pop|popitem|clear)\b"
    r"|del\s+os\.environ|os\.(putenv|unsetenv)\b|monkeypatch|setenv\("
)
# the environment is read by succession/settings.py (through pydantic-settings) and copied,
# unchanged, for a document's kernel; nothing else touches it
READS_ALLOWED = {"succession/render/notebook.py": ["merged = dict(os.environ)"]}


def _product_files():
    return sorted(p for root in PRODUCT for p in root.rglob("*.py"))


def test_no_product_code_writes_the_environment():
    files = _product_files()
    assert len(files) > 50
    writes = [
        f"{p.relative_to(PROJECT_DIR)}:{n}: {line.strip()}"
        for p in files
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if WRITES.search(line)
    ]
    assert writes == []
    # ...and only the settings module reads it
    reads = {}
    for p in files:
        rel = p.relative_to(PROJECT_DIR).as_posix()
        hits = [
            line.strip()
            for line in p.read_text(encoding="utf-8").splitlines()
            if re.search(r"os\.environ|os\.getenv|\benviron\b", line)
        ]
        if hits and hits != READS_ALLOWED.get(rel):
            reads[rel] = hits
    assert reads == {}


def test_the_self_check_finds_a_write():
    """The patterns above do catch what they look for."""
    for line in [
        'os.environ["SUCCESSION_RAW_DIR"] = str(raw)',
        "os.environ.update(values)",
        'os.environ.setdefault("DAGSTER_HOME", home)',
        "os.environ.pop(k, None)",
        "del os.environ[k]",
    ]:
        assert WRITES.search(line), line
    assert not WRITES.search('if os.environ["X"] == "1":')


def test_one_lake_location_and_no_environment_in_dbt():
    files = [p for p in DBT_PROJECT_DIR.rglob("*") if p.suffix in (".yml", ".sql") and "target" not in p.parts]
    text = {p: p.read_text(encoding="utf-8") for p in files}
    assert [p.name for p, t in text.items() if "env_var(" in t] == []  # settings come as --vars
    locations = [
        (p.name, line.strip())
        for p, t in text.items()
        for line in t.splitlines()
        if line.strip().startswith("external_location")
    ]
    assert locations == [("dbt_project.yml", locations[0][1])] and "{schema}/*/{name}.parquet" in locations[0][1]
    sources = sum(t.count("\n  - name: ") for p, t in text.items() if p.name.endswith("__sources.yml"))
    assert sources == 5  # hr_returns, interviews, programme, programme_plan, survey: all read through it


def test_no_path_default_outside_the_settings():
    """The raw and build folders' defaults are written once (succession/settings.py)."""
    pattern = re.compile(r"""PROJECT_DIR\s*/\s*["'](raw|build)["']|\.\./build""")
    found = [
        f"{p.relative_to(PROJECT_DIR)}"
        for p in [*_product_files(), *DBT_PROJECT_DIR.rglob("*.yml")]
        if "target" not in p.parts and p.name != "settings.py" and pattern.search(p.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_documents_take_the_warehouse_as_a_parameter(tmp_path):
    from succession.periods import FinancialQuarter
    from succession.reports import DOCUMENTS, document_parameters

    paths = Settings.from_values({"build_dir": tmp_path}).paths
    params = document_parameters(paths, "E12000008", FinancialQuarter.parse("2024-25 Q4"), tmp_path / "used.json")
    assert params == {
        "region": "E12000008",
        "period": "2024-25 Q4",
        "warehouse": str(tmp_path / "warehouse.duckdb"),
        "figures_used": str(tmp_path / "used.json"),
    }
    for qmd in DOCUMENTS.values():
        source = (PROJECT_DIR / "reports" / qmd).read_text(encoding="utf-8")
        cell = source.split("#| tags: [parameters]", 1)[1].split("```", 1)[0]
        assert set(re.findall(r"^(\w+) =", cell, re.MULTILINE)) == set(params), qmd  # every one declared
        assert "warehouse=warehouse" in source and "used_path=figures_used" in source, qmd
