"""The Dagster definitions: what the UI and a scheduled run see."""

from __future__ import annotations

import json

import dagster as dg
import pytest

from contracts import hr_return_doc


@pytest.fixture(scope="module")
def defs():
    from orchestration.definitions import defs

    return defs


def test_asset_graph_layers(defs):
    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    for key in [
        "raw/hr_returns",
        "hr_returns/vacancies",
        "hr_returns/_files",
        "staging/stg_hr_returns__vacancies",
        "marts/fct_table_one",
        "audit/fct_figures",
        "published_tables",
        "quarterly_return",
        "figure_register",
    ]:
        assert key in keys, key
    # dbt sources are the lake tables the ingestion asset writes: lineage runs raw -> report
    vac = graph.get(dg.AssetKey(["staging", "stg_hr_returns__vacancies"]))
    assert dg.AssetKey(["hr_returns", "vacancies"]) in vac.parent_keys
    groups = {graph.get(k).group_name for k in graph.get_all_asset_keys() if graph.get(k).is_materializable}
    assert {
        "ingest_hr_returns",
        "warehouse_staging",
        "warehouse_intermediate",
        "warehouse_marts",
        "publish",
        "reports",
    } <= groups


def test_dbt_tests_are_asset_checks(defs):
    checks = {c.to_user_string() for c in defs.resolve_asset_graph().asset_check_keys}
    # one check per table for its row rules (unique, not null, accepted values): dbt_project/macros/row_rules.sql
    assert "staging/stg_hr_returns__vacancies:row_rules_stg_hr_returns__vacancies" in checks
    assert "hr_returns/_files:contract" in checks


def test_report_dependencies_match_dbt_exposures(defs):
    from orchestration.warehouse import ensure_manifest

    manifest = json.loads(ensure_manifest().read_text())
    graph = defs.resolve_asset_graph()
    for exposure in ("quarterly_return", "evaluation_report"):
        node = manifest["exposures"][f"exposure.succession.{exposure}"]
        wanted = {manifest["nodes"][u]["name"] for u in node["depends_on"]["nodes"]}
        parents = {k.path[-1] for k in graph.get(dg.AssetKey(exposure)).parent_keys}
        assert parents == wanted, exposure


def test_jobs_cover_the_build(defs):
    assert {"ingest_quarters", "ingest_waves", "build_warehouse", "render_reports", "publish_register"} <= {
        j.name for j in defs.jobs
    }


def test_contract_doc_is_generated_from_the_contract():
    assert hr_return_doc.DOC.read_text(encoding="utf-8") == hr_return_doc.render()


def test_stage_order_is_derived_from_the_asset_graph(defs):
    from orchestration.stages import stages

    graph = defs.resolve_asset_graph()
    derived = stages(graph)
    assert [s.name for s in derived] == [
        "ingest_quarters",
        "ingest_waves",
        "build_warehouse",
        "render_reports",
        "publish_register",
    ]
    # every materialisable asset in exactly one stage, after every stage it depends on
    seen: set = set()
    for stage in derived:
        assert not seen & set(stage.keys)
        for key in stage.keys:
            for parent in graph.get(key).parent_keys:
                assert not graph.get(parent).is_materializable or parent in seen | set(stage.keys), (stage.name, key)
        seen |= set(stage.keys)
        # each stage's job is exactly the stage
        assert set(defs.resolve_job_def(stage.name).asset_layer.executable_asset_keys) == set(stage.keys)
    assert seen == set(graph.materializable_asset_keys)
    assert [s.single_run for s in derived] == [True, True, False, False, False]


def test_a_graph_no_stage_name_fits_fails_loudly():
    from orchestration.stages import stages

    @dg.asset(group_name="somewhere_else")
    def orphan() -> None: ...

    with pytest.raises(ValueError, match="no stage name"):
        stages(dg.Definitions(assets=[orphan]).resolve_asset_graph())
