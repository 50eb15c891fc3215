"""Dual running: every published figure against an independent recomputation from raw/.

`tests/independent/` reads the raw files itself (standard library, pandas, PyYAML; no lake, no
dbt, no `succession` code) and recomputes each figure from the written definitions. Here each
figure of `build/figures/published_figures.csv` (and every figure of the register,
`audit.fct_figures`) is compared, as printed, with that independent value. A suppressed
figure (`c`) is only checked to have an independent value: what is suppressed is the
disclosure policy's business. Figures not recomputed are listed by id (a warning and
`<build>/independent_recomputation.txt`), so the gap stays visible.
"""

from __future__ import annotations

import warnings
from fractions import Fraction

import pandas as pd
import pytest

from tests.independent import register, table_one
from tests.independent.printing import printed
from tests.independent.readers import read_hr_returns

SHOW_IDS = 40  # ids named in the warning; the report file lists every one


@pytest.fixture(scope="session")
def independent(sample_build):
    return register.recompute(sample_build.raw_dir)


def _check(comparison: register.Comparison, what: str, report_path) -> None:
    gap = comparison.not_recomputed
    lines = [
        f"{what}: {len(comparison.recomputed)} of {comparison.total} figures recomputed independently; "
        f"{len(gap)} not recomputed:",
        *sorted(set(gap)),
    ]
    report_path.write_text("\n".join(lines) + "\n")
    print("\n".join(lines[:1]))
    if gap:
        ids = sorted(set(gap))
        shown = ", ".join(ids[:SHOW_IDS]) + (f", ... ({len(ids) - SHOW_IDS} more)" if len(ids) > SHOW_IDS else "")
        warnings.warn(
            f"{what}: {len(gap)} of {comparison.total} figures not recomputed independently "
            f"(all listed in {report_path}): {shown}",
            stacklevel=2,
        )
    assert not comparison.suppressed_without_value, (
        f"suppressed figures with no independent value: {comparison.suppressed_without_value}"
    )
    for why, k in comparison.mismatches.dropna(subset=["known"]).groupby("known"):
        warnings.warn(
            f"{what}: {len(k)} known disagreements ({why}), e.g. "
            + "; ".join(
                f"{r.figure_id} shown {r.published}, should be {r.independent}" for r in k.head(3).itertuples()
            ),
            stacklevel=2,
        )
    m = comparison.unexplained
    with pd.option_context("display.width", 250, "display.max_rows", 200, "display.max_colwidth", 90):
        assert m.empty, (
            f"{what}: {len(m)} figures differ from their independent recomputation:\n{m.to_string(index=False)}"
        )


def test_published_figures_match_independent_recomputation(sample_build, independent):
    published = pd.read_csv(sample_build.figures_dir / "published_figures.csv", dtype=str, keep_default_na=False)
    comparison = register.compare(published.drop_duplicates("figure_id"), independent)
    _check(comparison, "published_figures.csv", sample_build.build_dir / "independent_recomputation.txt")
    assert not register.unexpected_gap(comparison.not_recomputed)


def test_whole_register_matches_independent_recomputation(sample_build, warehouse, independent):
    """Every registered figure, not only those the two documents of one region and quarter print."""
    registered = warehouse.sql("select figure_id, value_shown, unit from audit.fct_figures").df()
    comparison = register.compare(registered, independent)
    _check(comparison, "audit.fct_figures", sample_build.build_dir / "independent_recomputation_register.txt")
    assert not register.unexpected_gap(comparison.not_recomputed)


def test_a_wrong_figure_is_caught(independent):
    """The comparison can fail: one figure off by one is reported with both values."""
    fid = next(f for f, (v, u) in independent.items() if f.startswith("table_one.vacancies.") and v)
    value, unit = independent[fid]
    published = pd.DataFrame([{"figure_id": fid, "value_shown": printed(value + 1, unit), "unit": unit}])
    m = register.compare(published, independent).mismatches
    assert m[["figure_id", "published", "independent"]].values.tolist() == [
        [fid, printed(value + 1, unit), printed(value, unit)]
    ]


def test_corrected_return_supersedes_the_first(sample_build):
    """931's 2024-25 Q1 return was corrected (`_v2`, later date submitted): only it counts."""
    hr = read_hr_returns(sample_build.raw_dir)
    current = table_one.current_returns(hr)
    row = current[(current["la_code"] == "931") & (current["quarter"] == "2024-25 Q1")]
    assert row["file"].tolist() == ["hr_returns/2024-25_Q1/931_2024-25_Q1_v2.xlsx"]
    assert len(hr.returns[(hr.returns["la_code"] == "931") & (hr.returns["quarter"] == "2024-25 Q1")]) == 2


def test_printing_rules():
    assert printed(Fraction(1, 4), "ratio") == "0.3"  # halves away from zero, on the exact value
    assert printed(2.45, "score") == "2.5"
    assert printed(Fraction(-1, 40), "percent") == "0.0"  # no negative zero
    assert printed(Fraction(8), "count") == "8"  # a count (or a count's target) is whole
    assert printed(Fraction(150000), "gbp") == "150000"  # machine-readable: documents add separators
    assert printed(None, "percent") == "z" and printed(None, "count") == "x"


def test_differences_are_of_the_values_shown(warehouse):
    """Issue 12 part 6: a change or variance printed beside its operands is their difference as printed."""
    shown = dict(warehouse.sql("select figure_id, value_shown from audit.fct_figures").fetchall())
    pairs = 0
    for fid, value in shown.items():
        if fid.startswith("evaluation.level2.skill_gain.") and value != "c":
            before, after = (shown[fid.replace("skill_gain", m)] for m in ("skill_before", "skill_after"))
            assert Fraction(value) == Fraction(after) - Fraction(before), (fid, before, after, value)
            pairs += 1
        if fid.startswith("grant.variance_to_date."):
            spent, planned = (shown[fid.replace("variance_to_date", m)] for m in ("spent_to_date", "planned_to_date"))
            assert int(value) == int(spent) - int(planned), (fid, spent, planned, value)
            pairs += 1
    assert pairs > 50
