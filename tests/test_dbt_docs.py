"""The dbt project documents itself: every intermediate model and column is described, and
each run publishes dbt's documentation site (model-level lineage) in build/docs/."""

from __future__ import annotations

import yaml

from succession.paths import DBT_PROJECT_DIR

INTERMEDIATE = DBT_PROJECT_DIR / "models" / "intermediate"


def _documented_models() -> dict[str, dict]:
    out = {}
    for path in sorted(INTERMEDIATE.rglob("*.yml")):
        for model in yaml.safe_load(path.read_text(encoding="utf-8")).get("models", []):
            out[model["name"]] = model
    return out


def test_every_intermediate_model_and_column_is_described(warehouse):
    documented = _documented_models()
    models = sorted(p.stem for p in INTERMEDIATE.rglob("*") if p.suffix in (".sql", ".py"))
    assert models and set(models) <= set(documented), sorted(set(models) - set(documented))
    for name in models:
        model = documented[name]
        assert model.get("description", "").strip(), name
        described = {c["name"] for c in model.get("columns", []) if str(c.get("description", "")).strip()}
        built = [
            r[0]
            for r in warehouse.execute(
                "select column_name from information_schema.columns where table_schema = 'intermediate' and table_name = ?",
                [name],
            ).fetchall()
        ]
        assert built, f"{name} is not in the warehouse"
        assert set(built) <= described, (name, sorted(set(built) - described))


def test_the_run_publishes_the_dbt_docs_site(sample_build):
    index = sample_build.docs_dir / "index.html"
    assert index.exists()
    html = index.read_text(encoding="utf-8")
    # static: manifest and catalog inlined, so it opens from disk without a server
    assert "model.succession.int_table_one__contributions" in html
    assert "The working definitions of seeds/ref_indicators.csv as SQL" in html  # the model's YAML description
    assert "schemas.getdbt.com/dbt/catalog/" in html  # the catalog (the warehouse's tables and types) inlined
    assert index.stat().st_mtime_ns > sample_build.warehouse.stat().st_mtime_ns
