"""The one header matcher both spreadsheet contracts use (`succession.ingest.frames.read_table`):
which header is which column, and the located problems it reports. The expected messages are
those the HR return's and the programme's own readers gave before they were folded into one."""

from __future__ import annotations

from contracts import hr_return as H
from contracts import programme as P
from succession.ingest.columns import as_frame
from succession.ingest.frames import read_table
from succession.ingest.framework import FileRead

HR_FILE = "hr_returns/2024-25_Q1/867_2024-25_Q1.xlsx"
PROGRAMME_FILE = "programme/E12000008/2024-25_Q1/activities.csv"


def _programme(header: list[str]) -> tuple[object, FileRead]:
    read = FileRead(PROGRAMME_FILE, "0" * 64)
    row = ["A-1", "workshop", "x", "2024-04-02", "2024-04-03", "p", "events", "10"]
    df = read_table(
        read, P.ACTIVITIES, [header, row], expected=f"expected: {', '.join(P.ACTIVITIES.headers)}", whole_header=True
    )
    return df, read


def test_a_programme_header_may_write_a_column_name_with_spaces_and_capitals():
    df, read = _programme(
        ["Activity ID", "activity_type", "TITLE", "start_date", "end_date", "provider", "budget line", "cost_gbp"]
    )
    assert read.problems == []
    df = as_frame(df)  # the reader's columns, as the framework joins them into a frame
    assert df["activity_id"].tolist() == ["A-1"] and df["budget_line"].tolist() == ["events"]
    assert read.column_letters["activities"]["cost_gbp"] == "H"


def test_a_programme_header_with_a_problem_reads_no_rows():
    df, read = _programme(
        ["activity_id", "activity_type", "title", "start_date", "end_date", "provider", "budget_line", "cost"]
    )
    assert df is None and "activities" not in read.column_letters
    assert [str(p) for p in read.problems] == [
        (
            f"{PROGRAMME_FILE}: activities!H1: unexpected column 'cost' (expected: activity_id, activity_type, title, "
            "start_date, end_date, provider, budget_line, cost_gbp)"
        ),
        f"{PROGRAMME_FILE}: activities: row 1, column 'cost_gbp': column 'cost_gbp' is missing",
    ]


def test_hr_headers_are_the_template_text_and_problems_name_sheet_and_cell():
    read = FileRead(HR_FILE, "0" * 64)
    header = [c.header for c in H.VACANCIES.columns]
    header[0] = "campaign_reference"  # the name, not the template's header: not accepted
    header[1] = "  POST   reference "  # spacing and case are folded
    header.append("Tier")
    row = ["C1", "P1", "t", "1", None, None, None, None, None, "in progress", None, None, "2"]
    df = read_table(read, H.VACANCIES, [header, row], expected="headers must match the template")
    assert [str(p) for p in read.problems] == [
        f"{HR_FILE}: Vacancies!A1: unexpected column 'campaign_reference' (headers must match the template)",
        f"{HR_FILE}: Vacancies!M1: header 'Tier' appears twice (D1 and M1)",
        f"{HR_FILE}: Vacancies: row 1, column 'Campaign reference': column 'Campaign reference' is missing",
    ]
    # the HR return reads the columns it found: the rows still go through the contract
    df = as_frame(df)
    assert len(df) == 1 and df["post_ref"].tolist() == ["P1"] and df["tier"].tolist() == ["1"]
    assert (
        read.column_letters["vacancies"]["post_ref"] == "B" and "campaign_ref" not in read.column_letters["vacancies"]
    )
