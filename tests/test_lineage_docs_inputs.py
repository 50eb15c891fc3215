"""The docs site is regenerated when what it shows changed, not when only the warehouse's
rows did (a new quarter): `lineage_docs.site_inputs` is the digest that decides."""

from __future__ import annotations

import json

import duckdb

from orchestration.lineage_docs import site_inputs

VARS = ["--vars", '{"lake": "build/lake"}']


def _setup(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "create schema marts; create table marts.t (a integer, b varchar); insert into marts.t values (1, 'x')"
        )
        con.execute("create view marts.v as select a from marts.t")
    manifest = tmp_path / "manifest.json"
    node = {"name": "t", "description": "a table", "created_at": 1.0}
    manifest.write_text(json.dumps({"metadata": {"generated_at": "then"}, "nodes": {"model.p.t": node}}))
    return warehouse, manifest


def test_new_rows_and_a_new_parse_keep_the_digest(tmp_path):
    warehouse, manifest = _setup(tmp_path)
    before = site_inputs(manifest, warehouse, VARS)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("insert into marts.t values (2, 'y')")
    node = {"name": "t", "description": "a table", "created_at": 2.0}
    manifest.write_text(
        json.dumps({"metadata": {"generated_at": "now", "invocation_id": "2"}, "nodes": {"model.p.t": node}})
    )
    assert site_inputs(manifest, warehouse, VARS) == before


def test_a_column_a_type_a_description_or_the_vars_change_it(tmp_path):
    warehouse, manifest = _setup(tmp_path)
    seen = {site_inputs(manifest, warehouse, VARS)}
    with duckdb.connect(str(warehouse)) as con:
        con.execute("alter table marts.t add column c double")
    seen.add(site_inputs(manifest, warehouse, VARS))
    with duckdb.connect(str(warehouse)) as con:
        con.execute("alter table marts.t alter column c type varchar")
    seen.add(site_inputs(manifest, warehouse, VARS))
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create table marts.u (a integer)")
    seen.add(site_inputs(manifest, warehouse, VARS))
    manifest.write_text(json.dumps({"metadata": {}, "nodes": {"model.p.t": {"name": "t", "description": "other"}}}))
    seen.add(site_inputs(manifest, warehouse, VARS))
    seen.add(site_inputs(manifest, warehouse, ["--vars", '{"lake": "elsewhere"}']))
    assert len(seen) == 6
