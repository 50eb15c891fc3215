"""Issue 12 part 2: charts draw registered figures only. Every chart's data is published as
build/figures/chart_<name>.csv; each plotted number is a registered figure, recorded in the
register as used by that document, and a suppressed or missing value is a gap, never a number."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from succession import publish
from succession.reporting import Report, charts
from succession.reporting.charts import Point

EXPECTED_CHARTS = {"table_one_trend", "grant_spend", "level4_rates", "level2_skills", "level1_ratings", "survey_likert"}


def _read(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_every_chart_point_is_a_registered_figure(sample_build):
    register = _read(sample_build.figures_dir / publish.REGISTER)
    files = sorted(sample_build.figures_dir.glob("chart_*.csv"))
    names = {p.stem.removeprefix("chart_") for p in files}
    assert names >= EXPECTED_CHARTS, names
    keyed = register.set_index(["figure_id", "report", "region", "period"])["value_shown"]
    keyed = keyed[~keyed.index.duplicated()]
    checked = 0
    for path in files:
        data = _read(path)
        assert list(data.columns) == charts.CHART_COLUMNS, path.name
        assert set(data["chart"]) == {path.stem.removeprefix("chart_")}
        for row in data.itertuples():
            if not row.figure_id:
                assert row.gap == "no figure" and row.value_plotted == "", (path.name, row)
                continue
            shown = keyed.get((row.figure_id, row.report, row.region, row.period))
            assert shown is not None, f"{path.name}: {row.figure_id} is not in the register for {row.report}"
            assert row.value_shown == shown, (path.name, row.figure_id)
            try:
                float(shown)
            except ValueError:  # c, z, x: a gap, never plotted
                assert row.value_plotted == "" and row.gap, (path.name, row)
            else:
                assert row.value_plotted == shown and row.gap == "", (path.name, row)
            checked += 1
    assert checked > 100


def test_trend_chart_never_sums_tiers_or_drops_suppressed_values(sample_build):
    """The old chart dropped `c` values and summed whichever tier was left."""
    data = _read(sample_build.figures_dir / "chart_table_one_trend.csv")
    assert data["figure_id"].str.match(r"table_one\.\w+\.[\w-]+\.E\d+\.tier_[12]$").all()
    assert (data.groupby(["report", "region", "period", "series", "x"]).size() == 1).all()
    # Every point is its own tier's registered value, or a marked gap: never a sum of what is left.
    # (Region counts of posts are published in full under docs/DISCLOSURE.md, so the sample's
    # trend may have no `c`; test_collect_marks_gaps covers how a suppressed point is drawn.)
    gaps = data[data["value_shown"].isin(["c", "x", "z"])]
    assert (gaps["value_plotted"] == "").all() and (gaps["gap"] != "").all()
    plotted = data[~data.index.isin(gaps.index)]
    assert not plotted.empty
    assert (plotted["value_plotted"].astype(float) == plotted["value_shown"].astype(float)).all()


def test_collect_marks_gaps(sample_build, warehouse):
    suppressed = warehouse.execute(
        "select figure_id from audit.fct_figures where value_shown = 'c' limit 1"
    ).fetchone()[0]
    shown = warehouse.execute(
        "select figure_id, value_shown from audit.fct_figures where regexp_full_match(value_shown, '[0-9]+') limit 1"
    ).fetchone()
    rpt = Report("test", "E12000008", "2024-25 Q4", warehouse=sample_build.warehouse)
    data = charts.collect(
        rpt, "test", [Point("s", "a", shown[0]), Point("s", "b", suppressed), Point("s", "c", "no.such.figure")]
    )
    assert data["value"].iloc[0] == float(shown[1])
    assert math.isnan(data["value"].iloc[1]) and data["gap"].iloc[1] == "suppressed"
    assert math.isnan(data["value"].iloc[2]) and data["gap"].iloc[2] == "no figure"
    assert {u["figure_id"] for u in rpt.used} == {shown[0], suppressed}  # recorded as used by the chart
    assert "2 gaps" not in charts.gap_note(data) and "1 suppressed" in charts.gap_note(data)


def test_chart_csvs_follow_the_records(tmp_path):
    """Stale chart CSVs go; rows are sorted, so two builds give identical files."""
    reports_dir, figures = tmp_path / "reports", tmp_path / "figures"
    (reports_dir / "a").mkdir(parents=True)
    figures.mkdir()
    (figures / "chart_gone.csv").write_text("old\n")
    (reports_dir / "a" / publish.USED_FILE).write_text(
        '{"charts": {"x": [{"report": "r", "region": "E1", "period": "p", "chart": "x", "series": "s", "x": "2",'
        ' "figure_id": "f2", "value_shown": "1", "value_plotted": "1", "gap": ""},'
        ' {"report": "r", "region": "E1", "period": "p", "chart": "x", "series": "s", "x": "1",'
        ' "figure_id": "f1", "value_shown": "c", "value_plotted": "", "gap": "suppressed"}]}}'
    )
    written = charts.write_chart_csvs(reports_dir, publish.USED_FILE, figures)
    assert [p.name for p in written] == ["chart_x.csv"] and not (figures / "chart_gone.csv").exists()
    assert _read(figures / "chart_x.csv")["figure_id"].tolist() == ["f1", "f2"]


@pytest.mark.parametrize(
    ("shown", "unit", "expected"),
    [
        ("8.0", "count", "8"),
        ("150000", "gbp", "£150,000"),
        ("-3689", "gbp", "\u2212£3,689"),
        ("-1546", "count", "\u22121,546"),
        ("28.6", "percent", "28.6"),
        ("c", "count", "c"),
        ("1234.5", "score", "1,234.5"),
        ("0.0", "score", "0.0"),
        ("-0.0", "score", "0.0"),
    ],
)
def test_display_value(shown, unit, expected):
    from succession.reporting.text import display_value

    assert display_value(shown, unit) == expected


def test_literal_escapes_every_markup_character():
    from succession.reporting.text import literal

    out = literal('<b>@x {{< env HOME >}} `{python} 1` $m$ #read("/")\nnext')
    assert "\n" not in out
    for ch in '<>@{}`$#"()/':
        assert ch not in out.replace("\\" + ch, ""), ch


def test_a_chart_with_every_value_a_gap_says_so():
    """An all-suppressed chart is a sentence in the frame, not an empty plot with a made-up scale."""
    import matplotlib.pyplot as plt

    data = pd.DataFrame({"value": [math.nan, math.nan], "gap": ["suppressed", "no figure"]})
    fig, ax = plt.subplots()
    charts.mark_gaps(ax, [0, 1], data["value"], data["gap"], charts.GREY)
    texts = [t.get_text() for t in ax.texts]
    assert any("every one is suppressed" in t for t in texts) and list(ax.get_yticks()) == []
    fig2, ax2 = plt.subplots()
    charts.mark_gaps(ax2, [0, 1], pd.Series([1.0, math.nan]), pd.Series(["", "suppressed"]), charts.GREY)
    assert not any("every one" in t.get_text() for t in ax2.texts)
    plt.close(fig)
    plt.close(fig2)
