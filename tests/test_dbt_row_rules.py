"""The warehouse's row rules (not null, unique, accepted values) are enforced with fewer dbt nodes:
one ``row_rules`` test per table (dbt_project/macros/row_rules.sql), and ``not_null``
constraints on the contracted marts, which DuckDB checks as dbt writes the rows. Here each
rule is broken on a copy of the sample warehouse and must be caught."""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest


@pytest.fixture(scope="module")
def manifest(sample_build) -> dict:
    return json.loads((sample_build.dbt_target_dir / "manifest.json").read_text())


@pytest.fixture
def copy(sample_build, tmp_path):
    # the same file name: the compiled SQL names the catalog "warehouse"
    dest = tmp_path / sample_build.warehouse.name
    shutil.copy(sample_build.warehouse, dest)
    con = duckdb.connect(str(dest))
    yield con
    con.close()


def _relation(node: dict) -> str:
    return f'"{node["schema"]}"."{node["alias"]}"'


def _row_rules(manifest: dict) -> list[tuple[dict, dict]]:
    """(test, the model or seed it checks) for every row_rules test of the build."""
    out = []
    for test in manifest["nodes"].values():
        if test["resource_type"] == "test" and test.get("test_metadata", {}).get("name") == "row_rules":
            out.append((test, manifest["nodes"][test["attached_node"]]))
    return out


def _like_a_row(con, table: str, column: str, value: str) -> str:
    """SQL writing a row like an existing one but ``value`` in ``column`` (in an empty table,
    ``value`` and nulls)."""
    if con.execute(f"select count(*) from {table}").fetchone()[0]:
        return f"insert into {table} select * replace ({value} as {column}) from {table} limit 1"
    return f"insert into {table} by name (select {value} as {column})"


def _failures(con, test: dict) -> list[str]:
    return [rule for rule, *_ in con.execute(test["compiled_code"]).fetchall()]


def test_each_row_rule_catches_a_row_that_breaks_it(manifest, copy):
    rules = _row_rules(manifest)
    assert len(rules) > 50
    caught = {"not_null": 0, "unique": 0, "accepted_values": 0}
    for test, node in rules:
        table, kwargs = _relation(node), test["test_metadata"]["kwargs"]
        assert _failures(copy, test) == [], test["name"]  # the sample passes
        if node["config"]["materialized"] == "view":
            continue  # rows cannot be written into a view; its tables' own rules cover it
        breaks = [(f"not_null({c})", _like_a_row(copy, table, c, "null")) for c in kwargs.get("not_null", [])]
        breaks += [
            (f"unique({e})", f"insert into {table} select * from {table} where ({e}) is not null limit 1")
            for e in kwargs.get("unique", [])
        ]
        breaks += [
            (f"accepted_values({a['column']})", _like_a_row(copy, table, a["column"], "'not an accepted value'"))
            for a in kwargs.get("accepted_values", [])
        ]
        for rule, sql in breaks:
            copy.begin()
            try:
                wrote = copy.execute(sql).fetchone()[0]
                if wrote:  # a unique key needs a row to copy: an empty table in the sample has none
                    assert rule in _failures(copy, test), (test["name"], rule)
                    caught[rule.split("(")[0]] += 1
            finally:
                copy.rollback()
    assert min(caught.values()) > 0, caught
    assert caught["not_null"] > 40 and caught["unique"] > 40, caught


def test_each_not_null_constraint_is_enforced_by_duckdb(manifest, copy):
    constrained = [
        (node, column["name"])
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        for column in node["columns"].values()
        if any(c["type"] == "not_null" for c in column.get("constraints", []))
    ]
    assert len(constrained) > 10
    for node, column in constrained:
        # a table, or an incremental table (created with its contract's constraints, then appended to)
        assert node["config"]["contract"]["enforced"], node["name"]
        assert node["config"]["materialized"] in ("table", "incremental"), node["name"]
        table = _relation(node)
        nullable = copy.execute(
            "select is_nullable from information_schema.columns where table_schema = ? and table_name = ? "
            "and column_name = ?",
            [node["schema"], node["alias"], column],
        ).fetchone()
        assert nullable == ("NO",), (node["name"], column)
        with pytest.raises(duckdb.ConstraintException, match="NOT NULL"):
            copy.execute(_like_a_row(copy, table, column, "null"))
