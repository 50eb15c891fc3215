"""Issue 4: both documents render for the sample region and two quarters, to HTML and PDF,
and every figure they show equals the warehouse (via the figure register)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
from html_figures import shown_in_html

from succession import publish, reports
from succession.paths import ProjectPaths
from succession.reporting.text import display_value

REGION = "E12000008"
ENGLAND = "E92000001"  # the national overview is rendered once, for England


@pytest.fixture(scope="module")
def build_copy(sample_build, tmp_path_factory) -> ProjectPaths:
    """A copy of the sample build to render more quarters into (the shared one stays as run)."""
    dest = tmp_path_factory.mktemp("render") / "build"
    shutil.copytree(sample_build.build_dir, dest, ignore=shutil.ignore_patterns(".writer.lock", "lake", ".work"))
    return ProjectPaths(sample_build.raw_dir, dest)


@pytest.mark.slow
@pytest.mark.parametrize("document", ["quarterly-return", "evaluation"])
@pytest.mark.parametrize("period", ["2024-25 Q4", "2024-25 Q2"])
def test_document_figures_equal_the_warehouse(build_copy, warehouse, document, period):
    done = reports.render(build_copy, document, REGION, period)
    assert set(done.outputs) == {"html", "pdf"}
    used = json.loads((done.outputs["html"].parent / publish.USED_FILE).read_text())
    assert used["report"] == reports.DOCUMENTS[document].removesuffix(".qmd")
    ids = {f["figure_id"] for f in used["figures"]}
    assert len(ids) > 30
    figures = warehouse.execute("select figure_id, value_shown, unit, indicator from audit.fct_figures").df()
    truth = dict(zip(figures["figure_id"], figures["value_shown"]))
    units = dict(zip(figures["figure_id"], figures["unit"]))
    # HTML: every number is a link carrying its figure id (title) to its trace page, showing
    # the warehouse's value in reader's typography (separators, U+2212, no ".0" on counts)
    page = done.outputs["html"].read_text(encoding="utf-8")
    shown = shown_in_html(page)
    charted = {r["figure_id"] for rows in used.get("charts", {}).values() for r in rows if r["figure_id"]}
    assert ids - charted <= set(shown)
    mismatched = {
        f: (shown[f], truth[f])
        for f in ids & set(shown)
        if shown[f].removesuffix("%") != display_value(truth[f], units[f] if units[f] != "target" else None)
        and units[f] != "target"
    }
    assert not mismatched, list(mismatched.items())[:5]
    for f in ids & set(shown):
        assert f'href="../../../../audit/trace/{f}.html"' in page
        # counts never print with decimals; one minus sign
        if units[f] in ("count", "people", "organisations"):
            assert "." not in shown[f], (f, shown[f])
        assert "-" not in shown[f].lstrip("\u2212"), (f, shown[f])
    # PDF: no appendix of figure ids any more; the tracing note points at the register instead
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(done.outputs["pdf"]), "-"], capture_output=True, text=True).stdout
        text = re.sub(r"\s+", " ", text)
        assert "How to trace a number" in text and "published_figures.csv" in text
        assert sum(f in text for f in ids) == 0
    assert period.replace(" ", "_") in "".join(ids)


def test_register_lists_both_documents(sample_build):
    import pandas as pd

    reg = pd.read_csv(sample_build.figures_dir / publish.REGISTER, dtype=str, keep_default_na=False)
    assert {"quarterly_return", "evaluation"} <= set(reg["report"])
    assert reg.groupby("report")["section"].nunique().min() >= 3


def test_ratings_follow_targets(warehouse):
    """Every rating follows the one rule (macros/rate_against_target.sql), recomputed here
    from the raw actual and target: met, near (within 10% of target), not met, no target."""
    rows = warehouse.execute("select * from marts.fct_evaluation_ratings").df()
    assert len(rows) > 5
    assert set(rows["rating"]) <= {"met", "near", "not met", "no target", "no data"}
    assert {"met", "not met"} <= set(rows["rating"])
    for r in rows.itertuples():
        if r.target != r.target:  # NaN: the plan sets no target
            assert r.rating == "no target", r
        elif r.actual != r.actual:
            assert r.rating == "no data", r
        else:
            met = r.actual <= r.target if r.direction == "lower" else r.actual >= r.target
            near = abs(r.actual - r.target) <= 0.1 * abs(r.target)
            assert r.rating == ("met" if met else "near" if near else "not met"), r


@pytest.mark.slow
def test_an_edited_sentence_reaches_the_output(sample_build, tmp_path):
    """Issue 13: an evaluator edits prose in the .qmd, re-renders, and sees it."""
    from succession.paths import REPORTS_DIR
    from succession.render import render_document

    folder = tmp_path / "reports"
    shutil.copytree(REPORTS_DIR, folder, ignore=shutil.ignore_patterns("*.html", "*.pdf", "*_files", ".quarto"))
    qmd = folder / "quarterly_return.qmd"
    original = "were due 30 days after the quarter ended."
    source = qmd.read_text(encoding="utf-8")
    assert original in source
    qmd.write_text(
        source.replace(original, "were due 30 days after the quarter ended. The panel met in Reading on Tuesday."),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    done = render_document(
        qmd,
        {"region": REGION, "period": "2024-25 Q4", "warehouse": str(sample_build.warehouse)},
        out,
        ("html",),
        engine="fallback",
    )
    page = re.sub(r"\s+", " ", done.outputs["html"].read_text(encoding="utf-8"))
    assert "The panel met in Reading on Tuesday." in page


def test_warehouse_defaults_to_the_project_build(monkeypatch):
    from succession.paths import PROJECT_DIR
    from succession.reporting import default_warehouse

    monkeypatch.delenv("SUCCESSION_WAREHOUSE", raising=False)
    monkeypatch.delenv("SUCCESSION_BUILD_DIR", raising=False)
    assert default_warehouse() == PROJECT_DIR / "build" / "warehouse.duckdb"


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("quarto") is None, reason="the Quarto CLI is not on PATH")
@pytest.mark.parametrize("document", ["quarterly-return", "evaluation", "national-overview"])
def test_real_quarto_renders_the_same_document(build_copy, warehouse, document):
    """The real CLI and the fallback agree: same figures shown, cross-references resolved."""
    region = ENGLAND if document in reports.NATIONAL_DOCUMENTS else REGION
    done = reports.render(build_copy, document, region, "2024-25 Q4", engine="quarto")
    assert done.engine == "quarto" and set(done.outputs) == {"html", "pdf"}
    page = done.outputs["html"].read_text(encoding="utf-8")
    assert 'lang="en-GB"' in page
    assert "?@tbl-" not in page and "?@fig-" not in page
    shown = shown_in_html(page)
    used = json.loads((done.outputs["html"].parent / publish.USED_FILE).read_text())
    charted = {r["figure_id"] for rows in used.get("charts", {}).values() for r in rows if r["figure_id"]}
    assert {f["figure_id"] for f in used["figures"]} - charted <= set(shown)
    assert not list(done.outputs["html"].parent.glob(".jupyter")) and not list(
        done.outputs["html"].parent.glob("*_files")
    )
    from tests.accessibility import axe_js, chromium, violations

    if axe_js() and chromium():  # Quarto's theme too: no serious or critical axe-core violations
        serious = [v for v in violations(done.outputs["html"]) if v["impact"] in ("serious", "critical")]
        assert not serious, serious
