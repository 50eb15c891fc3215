"""Issue 16 part 4 (documents): every string from data reaches the HTML and PDF as literal
text. Hostile strings go into every text field the documents show (in a copy of the sample
warehouse); both documents are rendered and the outputs must show them literally, with no
live HTML, no Typst executed, no shortcode or inline expression evaluated, no citation or
maths formed, no text lost, and no local file embedded."""

from __future__ import annotations

import html as htmllib
import re
import shutil
import subprocess

import duckdb
import pytest

from succession import reports
from succession.paths import ProjectPaths
from succession.render import quarto_available

REGION = "E12000008"
PERIOD = "2024-25 Q4"
HOSTILE = (
    '<script>alert(1)</script> <img src=/etc/passwd onerror=alert(2)> #read("/etc/passwd") '
    "{{< env HOME >}} @word `{python} 1+1` $x$ END-OF-HOSTILE"
)
# Every data text column a document shows (table, column).
TEXT_FIELDS = [
    ("staging.stg_programme__narrative", "text"),
    ("staging.stg_programme__activities", "title"),
    ("staging.stg_programme__activities", "provider"),
    ("marts.fct_programme_milestones", "milestone"),
    ("marts.fct_programme_milestones", "status_recorded"),
    ("marts.fct_survey_distributions", "question_text"),
    ("marts.fct_survey_distributions", "option_label"),
    ("marts.fct_survey_distributions", "item_label"),
    ("marts.fct_theme_prevalence", "theme_path"),
    ("marts.fct_interview_agreement", "theme_path"),
    ("marts.fct_return_status", "la_name"),
    ("marts.fct_table_one", "la_name"),
    ("marts.dim_local_authorities", "la_name"),
    ("marts.fct_grant_spend", "label"),
    # issue 13 parts 3-4 (docs-content): the framework and survey sections' data text
    ("marts.fct_plan_governance", "lead_post"),
    ("marts.fct_plan_governance", "sponsor_la_name"),
    ("marts.fct_plan_governance", "signed_off_by"),
    ("marts.fct_la_support", "las_not_reached"),
    ("marts.fct_survey_breakdowns", "option_label"),
    ("marts.fct_survey_open_themes", "question_text"),
]


@pytest.fixture(scope="module")
def hostile_build(sample_build, tmp_path_factory) -> ProjectPaths:
    """A copy of the sample build whose warehouse has HOSTILE appended to every text field."""
    dest = tmp_path_factory.mktemp("hostile") / "build"
    shutil.copytree(
        sample_build.build_dir, dest, ignore=shutil.ignore_patterns(".writer.lock", "lake", ".work", "reports")
    )
    paths = ProjectPaths(sample_build.raw_dir, dest)
    with duckdb.connect(str(paths.warehouse)) as con:
        for table, column in TEXT_FIELDS:
            # keep the original as a prefix so values that must stay distinct stay distinct
            con.execute(f"update {table} set {column} = {column} || ' ' || ? where {column} is not null", [HOSTILE])
    return paths


def _check_html(page: str, where: str) -> None:
    body = page[page.index("<body") :]
    # the strings are there, as text
    assert "END-OF-HOSTILE" in body, f"{where}: data text lost"
    assert htmllib.escape("<script>alert(1)</script>", quote=False) in body, where
    assert "&lt;img src=/etc/passwd onerror=alert(2)&gt;" in body, where
    assert "{{&lt; env HOME &gt;}}" in body, where
    assert '#read("/etc/passwd")' in body or "#read(&quot;/etc/passwd&quot;)" in body, where
    assert "{python} 1+1" in body and "$x$" in body and "@word" in body, where
    # nothing is live
    assert "<script>alert" not in page and "onerror=" not in re.sub(r"&lt;img[^&]*&gt;", "", body), where
    assert "?@word" not in body and 'class="citation"' not in body and 'class="math' not in body, where
    for src in re.findall(r"<img[^>]*src=\"([^\"]*)\"", page):
        assert src.startswith("data:image/png;base64,"), f"{where}: image {src[:60]}"
    assert "root:x:0:0" not in page, f"{where}: a local file was embedded"


def _check_pdf(pdf, where: str) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = re.sub(r"\s+", " ", text)
    assert "END-OF-HOSTILE" in flat, f"{where}: data text lost"
    assert "<script>alert(1)</script>" in flat and '#read("/etc/passwd")' in flat, where
    assert "{{< env HOME >}}" in flat and "{python} 1+1" in flat and "$x$" in flat and "@word" in flat, where
    assert "root:x:0:0" not in text, f"{where}: Typst read a local file"


@pytest.mark.slow
@pytest.mark.parametrize("document", ["quarterly-return", "evaluation"])
def test_data_text_is_literal_in_the_fallback(hostile_build, document):
    done = reports.render(hostile_build, document, REGION, PERIOD, engine="fallback")
    _check_html(done.outputs["html"].read_text(encoding="utf-8"), f"{document} html")
    _check_pdf(done.outputs["pdf"], f"{document} pdf")


@pytest.mark.slow
@pytest.mark.skipif(not quarto_available(), reason="the Quarto CLI is not on PATH")
def test_data_text_is_literal_under_real_quarto(hostile_build):
    """Real Quarto also expands shortcodes and reads the notebook's Markdown itself."""
    done = reports.render(hostile_build, "quarterly-return", REGION, PERIOD, engine="quarto")
    _check_html(done.outputs["html"].read_text(encoding="utf-8"), "quarterly-return html (quarto)")
    _check_pdf(done.outputs["pdf"], "quarterly-return pdf (quarto)")
