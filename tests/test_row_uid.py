"""A row's ``_row_uid`` names one row of one loaded file, also when two files hold the same bytes.

The uid is derived once, by dbt's ``lineage_columns()`` macro (dbt_project/macros/lineage.sql),
from the file's SHA-256, sheet and row. A source whose place is its folder
(``place_from_folder``: the programme's records) loads identical files from two regions or
quarters as two records (``framework.duplicate_key``); their rows must not share a uid, or the
trace of a figure to its raw cell would be ambiguous and the staging tables' unique test fails
(as it did at 153 LAs x 8 quarters, where every region's generated ``sign_off.csv`` is the same).
"""

from __future__ import annotations

import re

import duckdb
import jinja2
import pytest

from succession.paths import DBT_PROJECT_DIR
from succession.sources import sources

MACROS = (DBT_PROJECT_DIR / "macros" / "lineage.sql").read_text()
SHA = "2ce961e6605a7b38" + "0" * 48
ROWS = f"""(values
    ('programme/E12000001/2024-25_Q1/sign_off.csv', '{SHA}', 'sign_off', 2, null, 'r', now()),
    ('programme/E12000008/2024-25_Q1/sign_off.csv', '{SHA}', 'sign_off', 2, null, 'r', now()),
    ('programme/E12000008/2024-25_Q2/sign_off.csv', '{SHA}', 'sign_off', 2, null, 'r', now()),
    ('programme/E12000008/2024-25_Q2/sign_off.csv', '{SHA}', 'sign_off', 3, null, 'r', now())
) as t(_source_file, _file_sha256, _sheet, _row, _cell, _run_id, _loaded_at)"""


def uids(call: str) -> list[str]:
    columns = jinja2.Environment().from_string(MACROS + "{{ " + call + " }}").render().strip()
    return [r[0] for r in duckdb.sql(f"select {columns} from {ROWS}").fetchall()]


def test_identical_files_in_two_folders_have_distinct_row_uids():
    by_folder = uids("lineage_columns(place_from_folder=true)")
    assert len(set(by_folder)) == 4
    assert by_folder[0] == "2ce961e6605a7b38@programme/E12000001/2024-25_Q1:sign_off!2"
    # what the uid is without the folder: the same for the same bytes, wherever they were
    assert uids("lineage_columns()")[:3] == ["2ce961e6605a7b38:sign_off!2"] * 3


@pytest.mark.parametrize("source", [s for s in sources().values() if getattr(s, "place_from_folder", False)])
def test_every_model_staging_a_place_from_folder_source_names_the_folder(source):
    staged = [
        path
        for path in (DBT_PROJECT_DIR / "models" / "staging").rglob("*.sql")
        if re.search(rf"source\(\s*['\"]{source.name}['\"]", path.read_text())
        and "lineage_columns(" in path.read_text()
    ]
    assert staged, f"no staging model reads source {source.name}"
    plain = [p.name for p in staged if "lineage_columns(place_from_folder=true)" not in p.read_text()]
    assert not plain, f"rows of {source.name} would share uids across folders: {plain}"
