"""The figure-id grammar is written twice, as dbt macros (dbt_project/macros/figure_ids.sql) and as
Python (succession/figures.py). These tests hold the two to each other: the macros are rendered and
run in DuckDB on constructed cases and must give the Python ids exactly; every id the sample
warehouse built must parse and format back to itself, and name its period by its key."""

from __future__ import annotations

import duckdb
import jinja2
import pytest

from succession import figures as ids
from succession.paths import DBT_PROJECT_DIR
from succession.periods import (
    FinancialQuarter,
    financial_year_time_period,
    period_key,
    period_label,
    wave_financial_year,
)

MACROS = (DBT_PROJECT_DIR / "macros" / "figure_ids.sql").read_text()


def _sql(value) -> str:
    return "null" if value is None else "'" + str(value).replace("'", "''") + "'"


def run_macro(call: str, *args) -> str | None:
    """``{{ call(args...) }}`` rendered from the project's macros (plain Jinja: the grammar uses
    nothing of dbt's) with each argument a SQL literal, then evaluated by DuckDB."""
    quoted = ", ".join(repr(_sql(a)) for a in args)
    sql = jinja2.Environment().from_string(MACROS + "{{ " + call + "(" + quoted + ") }}").render().strip()
    return duckdb.sql(f"select {sql}::varchar").fetchone()[0]


Q = FinancialQuarter(2024, 2)
CASES = [
    # (macro, its arguments, the Python id)
    (
        "table_one_figure_id",
        ("vacancies", "2024-25 Q2", "E06000001", "1"),
        ids.table_one_id("vacancies", Q, "E06000001", "1"),
    ),
    ("returns_figure_id", ("on time", "2024-25 Q2", "E12000008"), ids.returns_id("on time", Q, "E12000008")),
    (
        "returns_figure_id",
        ("disagreements", "2024-25 Q2", "E12000008"),
        ids.returns_id("disagreements", Q, "E12000008"),
    ),
    (
        "regional_figure_id",
        ("grant.spent_to_date", "2024-25_Q2", "E12000008", "line_coaching_mentoring"),
        "grant.spent_to_date.2024-25_Q2.E12000008.line_coaching_mentoring",
    ),
    (
        "regional_figure_id",
        ("grant.spent_to_date", "2024-25_Q2", "E12000008", None),
        ids.regional_id("grant.spent_to_date", Q, "E12000008", None),
    ),
    (
        "regional_figure_id",
        ("evaluation.level2.skill_gain", "2024-25_Q2", "E12000008", "leading_change"),
        ids.regional_id("evaluation.level2.skill_gain", "2024-25 Q2", "E12000008", "leading_change"),
    ),
    (
        "survey_figure_id",
        ("percent", "2024-25_W1", "q7", "item_a", "agree"),
        ids.survey_id("percent", "2024-25_W1", "q7", "item_a", "agree"),
    ),
    (
        "survey_figure_id",
        ("percent", "2024-25_W1", "q7", None, "agree"),
        ids.survey_id("percent", "2024-25_W1", "q7", None, "agree"),
    ),
    ("survey_figure_id", ("base", "2024-25_W1", "q7", None), ids.survey_id("base", "2024-25_W1", "q7")),
    (
        "themes_figure_id",
        ("n", "interviews", "2024-25_W1", "gender", "female", "barriers"),
        ids.themes_id("n", "interviews", "2024-25_W1", "gender", "female", "barriers"),
    ),
    (
        "themes_figure_id",
        ("base", "survey", "2024-25_W1", "all", "all"),
        ids.themes_id("base", "survey", "2024-25_W1", "all", "all"),
    ),
    ("agreement_figure_id", ("kappa", "2024-25_W1", "barriers"), ids.agreement_id("kappa", "2024-25_W1", "barriers")),
    ("agreement_figure_id", ("units", "2024-25_W1"), ids.agreement_id("units", "2024-25_W1")),
    (
        "survey_response_figure_id",
        ("response_rate", "2024-25_W1"),
        ids.survey_response_id("response_rate", "2024-25_W1"),
    ),
    (
        "survey_headline_figure_id",
        ("percent", "2024-25_W1", "satisfied", "tier_2"),
        ids.survey_headline_id("percent", "2024-25_W1", "satisfied", "tier_2"),
    ),
    (
        "survey_headline_figure_id",
        ("base", "2024-25_W1", "satisfied", None),
        ids.survey_headline_id("base", "2024-25_W1", "satisfied"),
    ),
    (
        "survey_national_figure_id",
        ("percent", "2024-25", "satisfied"),
        ids.survey_national_id("percent", "2024-25", "satisfied"),
    ),
    (
        "survey_change_figure_id",
        ("change_pp", "2024-25_W1", "satisfied"),
        ids.survey_change_id("change_pp", "2024-25_W1", "satisfied"),
    ),
    (
        "survey_by_figure_id",
        ("percent", "2024-25_W1", "q3", "gender_female", "yes"),
        ids.survey_by_id("percent", "2024-25_W1", "q3", "gender_female", "yes"),
    ),
    (
        "survey_by_figure_id",
        ("base", "2024-25_W1", "q3", "gender_female"),
        ids.survey_by_id("base", "2024-25_W1", "q3", "gender_female"),
    ),
    (
        "survey_theme_figure_id",
        ("percent", "2024-25_W1", "q9", "workload"),
        ids.survey_theme_id("percent", "2024-25_W1", "q9", "workload"),
    ),
    ("survey_theme_figure_id", ("base", "2024-25_W1", "q9"), ids.survey_theme_id("base", "2024-25_W1", "q9")),
]


@pytest.mark.parametrize("macro,args,expected", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_macro_and_python_write_the_same_id(macro, args, expected):
    assert run_macro(macro, *args) == expected


def test_the_example_id():
    fid = "grant.spent_to_date.2024-25_Q2.E12000008.line_coaching_mentoring"
    assert ids.regional_id("grant.spent_to_date", "2024-25 Q2", "E12000008", "line_coaching_mentoring") == fid
    assert ids.parse_figure_id(fid) == ("grant", "spent_to_date", "2024-25_Q2", "E12000008", "line_coaching_mentoring")


def test_figure_id_macro_required_and_optional_parts():
    def run(parts):
        sql = jinja2.Environment().from_string(MACROS + "{{ figure_id(parts) }}").render(parts=parts).strip()
        return duckdb.sql("select " + sql).fetchone()[0]

    assert run(["'a'", "null", ["'c'"]]) is None  # a missing required part: no id
    assert run(["'a'", ["null"], "'c'"]) == "a.c"  # a missing optional part is left out
    assert run(["'a'", ["'b'"], "'c'"]) == "a.b.c"
    assert ids.figure_id("a", "c", optional=[None, "d"]) == "a.c.d"


@pytest.mark.parametrize("label,key", [("2024-25 Q1", "2024-25_Q1"), ("1999-00 Q4", "1999-00_Q4")])
def test_quarter_label_and_key_macros_agree_with_python(label, key):
    assert run_macro("quarter_key", label) == key == FinancialQuarter.parse(label).key == period_key(label)
    assert run_macro("quarter_label", key) == label == FinancialQuarter.parse(key).label
    assert period_label(key) == period_label(label) == label
    assert period_key("2024-25_W1") == period_label("2024-25_W1") == "2024-25_W1"  # a wave is its own key


def test_wave_and_financial_year_macros_agree_with_python():
    assert run_macro("wave_financial_year", "2024-25_W1") == wave_financial_year("2024-25_W1") == "2024-25"
    fy = FinancialQuarter(2024, 3).financial_year
    assert (
        run_macro("financial_year_time_period", fy)
        == financial_year_time_period(fy)
        == FinancialQuarter(2024, 3).time_period
    )
    with pytest.raises(ValueError):
        wave_financial_year("2024-25 Q1")


@pytest.mark.parametrize("bad", ["", "2024-25 Q1", "a.b", "x y"])
def test_a_part_is_never_empty_spaced_or_dotted(bad):
    with pytest.raises(ValueError):
        ids.figure_id("table", bad)
    assert ids.figure_id("table", FinancialQuarter(2024, 1)) == "table.2024-25_Q1"


def test_every_warehouse_id_parses_and_formats_back(warehouse):
    rows = warehouse.execute(
        "select figure_id, period, table_id, indicator, new_la_code, region_code, country_code, breakdown "
        "from audit.fct_figures"
    ).fetchall()
    assert len(rows) > 1000
    for figure_id, period, table_id, indicator, la, region, country, breakdown in rows:
        parts = ids.parse_figure_id(figure_id)
        assert ids.figure_id(*parts) == figure_id
        # the period is named by its key (a quarter's label never appears in an id)
        assert period_key(period) in parts, figure_id
        place = la or region or country
        if table_id == "table_one":
            assert ids.table_one_id(indicator, period, place, breakdown.removeprefix("tier_")) == figure_id
        elif table_id == "returns":
            assert ids.returns_id(indicator, period, place) == figure_id
        elif table_id == "grant":
            assert ids.regional_id(f"grant.{indicator}", period, place, breakdown) == figure_id
    sources = warehouse.execute("select distinct figure_id from audit.fct_figure_sources").fetchall()
    assert all(ids.figure_id(*ids.parse_figure_id(f)) == f for (f,) in sources)
    dangling = warehouse.execute("""select count(*) from (select distinct figure_id from audit.fct_figure_sources)
                                    where figure_id not in (select figure_id from audit.fct_figures)""").fetchone()[0]
    assert dangling == 0


def test_quarter_keys_in_the_calendar_are_pythons(warehouse):
    rows = warehouse.execute("select quarter, quarter_key from marts.dim_quarters").fetchall()
    assert rows and all(FinancialQuarter.parse(q).key == k for q, k in rows)
