import datetime as dt

import pytest

from succession.periods import FinancialQuarter, quarter_range


@pytest.mark.parametrize(
    "label,start,end",
    [
        ("2024-25 Q1", dt.date(2024, 4, 1), dt.date(2024, 6, 30)),
        ("2024-25 Q3", dt.date(2024, 10, 1), dt.date(2024, 12, 31)),
        ("2024-25 Q4", dt.date(2025, 1, 1), dt.date(2025, 3, 31)),
        ("1999-00 Q2", dt.date(1999, 7, 1), dt.date(1999, 9, 30)),
    ],
)
def test_quarter_dates(label, start, end):
    q = FinancialQuarter.parse(label)
    assert (q.start, q.end, q.label) == (start, end, label)


def test_neighbours_and_dfe_labels():
    q = FinancialQuarter.parse("2024-25_Q1")
    assert q.previous().label == "2023-24 Q4"
    assert q.year_before().label == "2023-24 Q1"
    assert q.next().label == "2024-25 Q2"
    assert (q.time_period, q.time_identifier, q.key) == ("202425", "Financial year Q1", "2024-25_Q1")
    assert FinancialQuarter.containing(dt.date(2025, 2, 14)).label == "2024-25 Q4"


@pytest.mark.parametrize("bad", ["2024-26 Q1", "2024-25 Q5", "Q1 2024", ""])
def test_bad_labels_rejected(bad):
    with pytest.raises(ValueError):
        FinancialQuarter.parse(bad)


def test_dbt_calendar_agrees_with_python(warehouse):
    rows = warehouse.execute(
        "select quarter, quarter_start, quarter_end, time_period, time_identifier, previous_quarter, year_before_quarter "
        "from marts.dim_quarters where financial_year_start between 2015 and 2035 order by quarter_start"
    ).fetchall()
    expected = []
    for q in quarter_range(FinancialQuarter(2015, 1), FinancialQuarter(2035, 4)):
        expected.append(
            (q.label, q.start, q.end, q.time_period, q.time_identifier, q.previous().label, q.year_before().label)
        )
    assert rows == expected
