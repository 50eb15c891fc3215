"""Issue 13 part 2: the HTML documents pass axe-core in headless Chromium with no serious or
critical violations (alt text, lang, heading order, contrast, table headers, ...).
Skips where Chromium or npm axe-core is not installed (see tests/accessibility.py)."""

from __future__ import annotations

import pytest

from tests.accessibility import axe_js, chromium, violations

pytestmark = pytest.mark.skipif(
    axe_js() is None or chromium() is None, reason="needs Chromium and npm axe-core ($AXE_CORE_JS)"
)


@pytest.mark.slow
def test_documents_have_no_serious_accessibility_violations(sample_build):
    pages = sorted(sample_build.reports_dir.rglob("*.html"))
    assert {p.stem for p in pages} >= {"quarterly_return", "evaluation"}
    for page in pages[:4]:
        serious = [v for v in violations(page) if v["impact"] in ("serious", "critical")]
        assert not serious, (page, serious)
