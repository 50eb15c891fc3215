"""Issue 8: a check that warned for a document's region and quarter shows as a visible
caveat near the top of the document, in HTML and in the PDF; nothing when every check passed."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess

import pytest

from succession import reports
from succession.paths import ProjectPaths
from succession.reporting import caveats

REGION = "E12000008"


def _write(build, name, payload):
    folder = build / "checks"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.json").write_text(json.dumps(payload), encoding="utf-8")


RECON_WARN = {
    "passed": False,
    "severity": "WARN",
    "disagreements": 3,
    "quarters": {
        "2024-25 Q3": [
            "LA 850 tier 2 readvertised: KPIs sheet 1 (KPIs!D9) vs 2 from the Vacancies rows",
            "LA 869 tier 2 posts_advertised: KPIs sheet 2 (KPIs!D4) vs 1 from the Vacancies rows",
            "LA 330 tier 1 vacancies: KPIs sheet 4 (KPIs!C3) vs 3 from the Vacancies rows",
        ]
    },  # 330: Birmingham
    "records": {
        "2024-25 Q3": [
            {"la_code": "850", "tier": "2", "indicator": "readvertised"},
            {"la_code": "869", "tier": "2", "indicator": "posts_advertised"},
            {"la_code": "330", "tier": "1", "indicator": "vacancies"},
        ]
    },
}
RETURNS_WARN = {
    "passed": False,
    "severity": "WARN",
    "as_of": "2025-02-10",
    "last_quarter_due": "2024-25 Q3",
    "overdue": ["921 Isle of Wight", "330 Birmingham"],
    "quarters": {
        "2024-25 Q3": {
            "due_date": "2025-01-30",
            "expected": 20,
            "on time": 18,
            "late": 0,
            "missing": 2,
            "overdue": ["921 Isle of Wight", "330 Birmingham"],
            "overdue_la_codes": ["921", "330"],
        }
    },
}
PASSED = {
    "kpis_reconcile": {"passed": True, "severity": "WARN", "disagreements": 0, "quarters": {}},
    "returns_complete": {
        "passed": True,
        "severity": "WARN",
        "as_of": "2025-06-01",
        "last_quarter_due": "2024-25 Q4",
        "overdue": [],
        "quarters": {
            q: {"due_date": "2025-01-30", "expected": 19, "on time": 19, "late": 0, "missing": 0, "overdue": []}
            for q in ("2024-25 Q3", "2024-25 Q4")
        },
    },
}


def _unescaped(markdown: str) -> str:
    """The caveat as read: LA names and labels are data, backslash-escaped in the Markdown."""
    return re.sub(r"\\(.)", r"\1", markdown)


def test_warnings_for_the_region_and_quarter_become_caveats(tmp_path):
    _write(tmp_path, "kpis_reconcile", RECON_WARN)
    _write(tmp_path, "returns_complete", RETURNS_WARN)
    found = caveats.caveats_for(tmp_path, REGION, "2024-25 Q3")
    assert [c.check for c in found] == ["kpis_reconcile", "returns_complete"]
    text = caveats.caveats_markdown(found)
    assert text.startswith("::: {.data-caveat}") and text.rstrip().endswith(":::")
    recon, returns = (_unescaped(c.markdown()) for c in found)
    assert recon.startswith(
        "**Data caveat:** 2 LAs' KPIs sheets disagree with their Vacancies rows for 2024-25 Q3 "
        "(check `kpis_reconcile`, warning): Hampshire (850): *number of posts readvertised* (tier 2); "
        "West Berkshire (869): *number of posts advertised* (tier 2)."
    )
    assert "Birmingham" not in recon  # another region's LA
    assert "KPIs!D9" not in recon and "vs 2" not in recon  # LA-level values are not repeated
    assert (
        "1 LA's return for 2024-25 Q3 is missing, due 30/01/2025, as of 10/02/2025 (check `returns_complete`" in returns
    )
    assert "Isle of Wight (921)" in returns and "Birmingham" not in returns
    # every caveat line sits inside the block quote
    body = [line for line in text.splitlines() if line.startswith(">")]
    assert sum("**Data caveat:**" in line for line in body) == 2
    # the evaluation points elsewhere for the list of disagreements
    [ev] = [c for c in caveats.caveats_for(tmp_path, REGION, "2024-25 Q3", "evaluation") if c.check == "kpis_reconcile"]
    assert "the quarterly return lists them" in ev.markdown()


def test_no_caveat_when_the_checks_passed_or_speak_of_other_quarters(tmp_path):
    assert caveats.caveats_for(tmp_path, REGION, "2024-25 Q3") == []  # no check has run yet
    for name, payload in PASSED.items():
        _write(tmp_path, name, payload)
    assert caveats.caveats_for(tmp_path, REGION, "2024-25 Q3") == []
    assert caveats.caveats_markdown([]) == ""
    _write(tmp_path, "kpis_reconcile", RECON_WARN)
    _write(tmp_path, "returns_complete", RETURNS_WARN)
    assert caveats.caveats_for(tmp_path, REGION, "2024-25 Q4") == []
    assert caveats.caveats_for(tmp_path, "E12000001", "2024-25 Q3") == []  # North East: none of its LAs


def test_error_severity_and_unreadable_results_still_show(tmp_path):
    _write(tmp_path, "kpis_reconcile", {**RECON_WARN, "severity": "ERROR"})
    (tmp_path / "checks" / "returns_complete.json").write_text("{not json", encoding="utf-8")
    found = {c.check: _unescaped(c.markdown()) for c in caveats.caveats_for(tmp_path, REGION, "2024-25 Q3")}
    assert "(check `kpis_reconcile`, error)" in found["kpis_reconcile"]
    assert "could not be read" in found["returns_complete"] and "returns_complete.json" in found["returns_complete"]


# -- rendered documents ----------------------------------------------------------------------
def _html_text(path) -> str:
    text = re.sub(r"<style.*?</style>", " ", path.read_text(encoding="utf-8"), flags=re.S)
    return _norm(html.unescape(re.sub(r"<[^>]+>", " ", text)))


def _pdf_text(path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed: PDF text not checked")
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return _norm(out.replace("-\n", "-"))


def _norm(text: str) -> str:
    # typographic apostrophes, soft hyphens from hyphenation, line wrapping
    text = text.replace("\u2019", "'").replace("\u00ad\n", "").replace("\u00ad", "")
    text = re.sub(r"\s+", " ", text)
    return re.sub(r" ([.,;:)])", r"\1", text)


def _copy(sample_build, dest) -> ProjectPaths:
    shutil.copytree(
        sample_build.build_dir, dest, ignore=shutil.ignore_patterns(".writer.lock", "lake", ".work", "reports")
    )
    return ProjectPaths(sample_build.raw_dir, dest)


@pytest.fixture(scope="module")
def warned(sample_build, tmp_path_factory):
    """The sample build's own check results (kpis_reconcile warns: 850 and 869 disagree in
    2024-25 Q3), rendered for that quarter: the quarterly return, and the evaluation for
    2024-25 Q2 (a disagreement and Isle of Wight's missing return)."""
    paths = _copy(sample_build, tmp_path_factory.mktemp("caveats") / "build")
    return {
        "paths": paths,
        "quarterly-return": reports.render(paths, "quarterly-return", REGION, "2024-25 Q3").outputs,
        "evaluation": reports.render(paths, "evaluation", REGION, "2024-25 Q2").outputs,
    }


QR_CAVEAT = (
    "Data caveat: 2 LAs' KPIs sheets disagree with their Vacancies rows for 2024-25 Q3 "
    "(check kpis_reconcile, warning): Hampshire (850): number of posts readvertised (tier 2); "
    "West Berkshire (869): number of posts advertised (tier 2)."
)


@pytest.mark.slow
def test_sample_checks_warn_for_the_quarter_with_disagreements(sample_build):
    recon = json.loads((sample_build.build_dir / "checks" / "kpis_reconcile.json").read_text())
    assert not recon["passed"] and recon["severity"] == "WARN"
    assert any(item.startswith("LA 850 ") for item in recon["quarters"]["2024-25 Q3"])
    # the run's own render (the latest quarter, where every check passed) has no caveat
    latest = sample_build.reports_dir / "quarterly-return" / REGION / "2024-25_Q4" / "quarterly_return.html"
    assert "Data caveat" not in _html_text(latest)
    assert caveats.caveats_for(sample_build.build_dir, REGION, "2024-25 Q4") == []


@pytest.mark.slow
def test_caveat_in_the_html_near_the_top(warned):
    text = _html_text(warned["quarterly-return"]["html"])
    assert QR_CAVEAT in text
    assert "they are listed under KPIs sheet against the vacancy rows" in text
    start = text.index("Data caveat")
    # after the opening lines, before the first section's content
    assert text.index("Quarter: 2024-25 Q3") < start < text.rindex("Programme progress")
    raw = warned["quarterly-return"]["html"].read_text(encoding="utf-8")
    assert re.search(r'<div class="data-caveat">\s*<blockquote[\s>]', raw)  # Quarto adds class="blockquote"
    assert "#show quote" not in raw  # the Typst styling stays out of the HTML


@pytest.mark.slow
def test_caveat_in_the_pdf(warned):
    text = _pdf_text(warned["quarterly-return"]["pdf"])
    assert QR_CAVEAT in text
    assert text.index("Data caveat") < text.rindex("Programme progress")
    assert "#show" not in text and "data-caveat" not in text


@pytest.mark.slow
def test_evaluation_shows_both_checks(warned):
    for text in (_html_text(warned["evaluation"]["html"]), _pdf_text(warned["evaluation"]["pdf"])):
        assert (
            "Data caveat: 2 LAs' KPIs sheets disagree with their Vacancies rows for 2024-25 Q2 "
            "(check kpis_reconcile, warning): Surrey (936): number of posts readvertised (tier 2); "
            "Windsor and Maidenhead (868): number of posts readvertised (tier 1)."
        ) in text
        assert "the quarterly return lists them" in text
        assert re.search(
            r"Data caveat: 1 LA's return for 2024-25 Q2 is missing, due 30/10/2024, as of \d\d/\d\d/\d{4} "
            r"\(check returns_complete, warning\): Isle of Wight \(921\)\.",
            text,
        ), text[:3000]


@pytest.mark.slow
def test_no_caveat_when_every_check_passed(sample_build, tmp_path):
    paths = _copy(sample_build, tmp_path / "build")
    for name, payload in PASSED.items():
        _write(paths.build_dir, name, payload)
    done = reports.render(paths, "quarterly-return", REGION, "2024-25 Q3")
    html_text = _html_text(done.outputs["html"])
    assert "Region: South East (E12000008)" in html_text and "Programme progress" in html_text
    assert "Data caveat" not in html_text and '<div class="data-caveat">' not in done.outputs["html"].read_text(
        encoding="utf-8"
    )
    pdf_text = _pdf_text(done.outputs["pdf"])
    assert "Programme progress" in pdf_text and "Data caveat" not in pdf_text
