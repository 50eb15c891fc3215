"""Issue 3: SurveyMonkey exports -> lake -> warehouse -> published figures.

Real exports (tests/fixtures/surveymonkey, see its PROVENANCE.md), the sample wave, a
tiny hand-made export whose distributions are counted by hand, and malformed exports.
"""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from succession.ingest import lineage as L
from succession.ingest import pseudonym
from succession.ingest.framework import ingest_partition
from succession.ingest.survey import SOURCE, parse_timestamp
from succession.sample_data import SampleSpec
from succession.sample_data import survey as sample_survey
from tests import survey_build as B

# these tests ingest surveys and coding sheets of their own, not the bundled sample
pytestmark = pytest.mark.usefixtures("pseudonym_key_set")

SM = B.FIXTURES / "surveymonkey"
LINEAGE_ONLY = [L.SOURCE_FILE, L.FILE_SHA256, L.SHEET, L.RUN_ID, L.LOADED_AT]


def _ingest_real(tmp_path: Path, name: str, instrument: str | None = None):
    folder = tmp_path / "raw" / "survey" / "2019-20_W1"
    folder.mkdir(parents=True)
    shutil.copy(SM / f"{name}.csv", folder)
    shutil.copy(SM / "instruments" / f"{instrument or name}.yaml", folder / "instrument.yaml")
    return ingest_partition(
        SOURCE, "2019-20_W1", sorted(folder.iterdir()), raw_dir=tmp_path / "raw", lake_dir=tmp_path / "lake", run_id="t"
    )


def _lake_text(lake_dir: Path) -> tuple[str, set[str]]:
    """Everything in the lake's Parquet files as one string, and the set of exact cell values."""
    parts, cells = [], set()
    for p in Path(lake_dir).rglob("*.parquet"):
        df = pd.read_parquet(p).astype(str)
        for col in df.columns:
            cells.update(df[col])
            parts.append("\n".join(df[col]))
    return "\n".join(parts), cells


@pytest.mark.parametrize(
    "name, respondents, columns_dropped",
    [
        ("ggwash_2022_anc_redacted", 35, ["Contact information"]),
        ("fivethirtyeight_steak-risk-survey", 550, []),
        ("fivethirtyeight_region-survey_MIDWEST", 2778, []),
    ],
)
def test_real_exports_load_without_personal_data(tmp_path, name, respondents, columns_dropped):
    result = _ingest_real(tmp_path, name)
    assert result.problems() == []
    assert len(result.tables["respondents"]) == respondents
    text, cells = _lake_text(tmp_path / "lake")
    raw = pd.read_csv(SM / f"{name}.csv", header=None, skiprows=2, dtype=str, encoding="utf-8-sig")
    ids = set(raw[0].dropna())
    assert not ids & cells, "a raw respondent id reached the lake"
    if name.startswith("ggwash"):
        # full leading block: IP addresses, e-mails; contact details declared personal
        for value in ["192.0.2.1", "redacted1@example.org", "Lee Dixon"]:
            assert value not in text
        first = result.tables["respondents"].set_index(L.ROW).loc[3]  # `8/22/22 15:44` as re-saved by Excel
        assert first["started_at"] == pd.Timestamp("2022-08-22 15:44") and first["ended_at"] == pd.Timestamp(
            "2022-08-25 15:47"
        )
        # the ranking question is a matrix: one row per ranked item
        ranked = result.tables["answers"][result.tables["answers"]["question_id"] == "q07"]
        assert set(ranked["item_code"]) <= {f"i{i}" for i in range(1, 9)} and len(ranked) > 100
    if "MIDWEST" in name:
        answers = result.tables["answers"]
        states = answers[answers["question_id"] == "q03"]
        assert states["option_code"].nunique() == 20  # one column per multi-select option
        # single-choice questions spread over option columns (Gender: Male | Female)
        gender = answers[answers["question_id"] == "q05"]
        assert set(gender["option_code"]) == {"male", "female"}
        assert not gender.duplicated("respondent_key").any()


def test_crlf_bom_curly_quotes_and_older_leading_block(tmp_path):
    # steak uses the older `RespondentID` spelling; ggwash has curly quotes in question text
    steak = _ingest_real(tmp_path / "a", "fivethirtyeight_steak-risk-survey")
    assert steak.problems() == [] and len(steak.tables["answers"]) > 5000
    gg = _ingest_real(tmp_path / "b", "ggwash_2022_anc_redacted")
    assert "The District\u2019s inclusionary zoning" in (SM / "ggwash_2022_anc_redacted.csv").read_text(
        encoding="utf-8-sig"
    )
    assert gg.tables["answers"]["question_id"].eq("q06").sum() > 0


def test_cr_only_non_utf8_file_is_a_clear_error_not_a_crash(tmp_path):
    result = _ingest_real(
        tmp_path, "fivethirtyeight_StarWars_cr-only_not-utf8", instrument="fivethirtyeight_steak-risk-survey"
    )
    row = result.files.set_index("file_path").loc["survey/2019-20_W1/fivethirtyeight_StarWars_cr-only_not-utf8.csv"]
    assert row["status"] == "quarantined"
    meta = json.loads(row["meta"])
    assert meta["encoding"] == "cp1252" and meta["line_endings"] == "CR only"  # the documented fallback
    problems = result.problems()
    assert any("'Which character shot first?' is not in instrument.yaml" in p for p in problems)
    assert all(p.startswith("survey/2019-20_W1/fivethirtyeight_StarWars") for p in problems)


def test_csv_and_xlsx_of_the_same_responses_give_identical_rows(tmp_path):
    df = sample_survey.responses(40, seed=7, region_code="E12000008")
    tables = {}
    for fmt in ("csv", "xlsx"):
        raw = tmp_path / fmt / "raw"
        folder = raw / "survey" / "2024-25_W1"
        sample_survey.write_instrument(folder / "instrument.yaml", "2024-25_W1", "E12000008")
        (sample_survey.write_csv if fmt == "csv" else sample_survey.write_xlsx)(folder / f"responses.{fmt}", df)
        r = ingest_partition(
            SOURCE, "2024-25_W1", sorted(folder.iterdir()), raw_dir=raw, lake_dir=tmp_path / fmt / "lake", run_id="t"
        )
        assert r.problems() == []
        tables[fmt] = r.tables
    for table in ("respondents", "answers", "questions", "options"):
        a = tables["csv"][table].drop(columns=LINEAGE_ONLY).reset_index(drop=True)
        b = tables["xlsx"][table].drop(columns=LINEAGE_ONLY).reset_index(drop=True)
        pd.testing.assert_frame_equal(a, b, check_dtype=False)
    assert len(tables["csv"]["respondents"]) == 40


def test_us_timestamps():
    assert parse_timestamp("8/22/22 15:44") == pd.Timestamp("2022-08-22 15:44")
    assert parse_timestamp("05/14/2019 09:12:33 AM") == pd.Timestamp("2019-05-14 09:12:33")
    assert parse_timestamp("05/14/2019 09:12:33 PM") == pd.Timestamp("2019-05-14 21:12:33")
    assert parse_timestamp("") is None
    assert repr(parse_timestamp("yesterday")).startswith(
        "'yesterday' (the value must be"
    )  # never guessed by pandas: the contract rejects it


def test_pseudonyms_are_keyed(tmp_path, monkeypatch, caplog):
    monkeypatch.delenv(pseudonym.KEY_ENV, raising=False)
    monkeypatch.delenv(pseudonym.KEY_FILE_ENV, raising=False)
    monkeypatch.setattr(pseudonym, "_warned", [], raising=False)  # the warning comes once per process
    with caplog.at_level(logging.WARNING):
        dev = pseudonym.pseudonymise("118112199553")
    assert "development pseudonym key" in caplog.text
    assert len(dev) == 20 and "118112199553" not in dev
    monkeypatch.setenv(pseudonym.KEY_ENV, "a-secret")
    from_env = pseudonym.pseudonymise("118112199553")
    assert from_env != dev and from_env == pseudonym.pseudonymise("118112199553")
    monkeypatch.delenv(pseudonym.KEY_ENV)
    key_file = tmp_path / "key"
    key_file.write_text("a-secret\n")
    monkeypatch.setenv(pseudonym.KEY_FILE_ENV, str(key_file))
    assert pseudonym.pseudonymise("118112199553") == from_env


def test_sample_generation_is_deterministic_and_fast(tmp_path):
    import time

    spec = SampleSpec.sample()
    sample_survey.generate(tmp_path / "a", spec)
    sample_survey.generate(tmp_path / "b", spec)
    for f in ("instrument.yaml", "responses_online.csv"):
        assert (tmp_path / "a/survey/2024-25_W1" / f).read_bytes() == (
            tmp_path / "b/survey/2024-25_W1" / f
        ).read_bytes()
    start = time.perf_counter()
    big = sample_survey.responses(100_000, seed=1, region_code=None)
    assert len(big) == 100_000 and time.perf_counter() - start < 10


def test_malformed_exports_are_rejected_with_reasons_while_other_waves_load():
    b = B.build()
    bad = b["results"]["survey"][B.BAD_WAVE]
    ledger = bad.files.set_index("file_path")
    for name in ("one_header", "unknown_option", "no_respondent_id", "unknown_question"):
        assert ledger.loc[f"survey/{B.BAD_WAVE}/{name}.csv", "status"] == "quarantined", name
    problems = "\n".join(bad.problems())
    assert "one_header.csv: responses!A2: only one header row" in problems
    assert (
        "unknown_option.csv: responses!J4: column J: answer 'Delighted' on row 4 is not an option of question satisfaction"
        in problems
    )
    assert "no_respondent_id.csv: responses!A1: column 'Respondent ID' is missing" in problems
    assert (
        "unknown_question.csv: responses!S1: column S question 'What is your favourite colour?' is not in instrument.yaml (answers on rows 3, 4, 5, 6, 7, 8)"
        in problems
    )
    tiny = b["results"]["survey"][B.TINY_WAVE]
    assert tiny.problems() == [] and set(tiny.files["status"]) == {"loaded"}
    assert b["dbt_rc"] == 0, b["dbt_log"]
    con = duckdb.connect(str(b["warehouse"]), read_only=True)
    statuses = dict(con.execute("select file_path, status from audit.fct_files where source = 'survey'").fetchall())
    assert statuses[f"survey/{B.BAD_WAVE}/unknown_option.csv"] == "quarantined"
    assert statuses[f"survey/{B.TINY_WAVE}/tiny.csv"] == "loaded"


def test_distributions_match_hand_counts():
    b = B.build()
    assert b["dbt_rc"] == 0, b["dbt_log"]
    con = duckdb.connect(str(b["warehouse"]), read_only=True)
    pub = con.execute(
        "select question_id, coalesce(item_code, '') as item, option_code, n, base, percent, geographic_level "
        "from publish.pub_survey_distributions where wave = ?",
        [B.TINY_WAVE],
    ).df()
    shown = {(r.question_id, r.item, r.option_code): (r.n, r.base, r.percent) for r in pub.itertuples()}
    # the hand counts, before disclosure control (marts), formatted as published
    mart = con.execute(
        "select question_id, coalesce(item_code, '') as item, option_code, n, base, percent "
        "from marts.fct_survey_distributions where wave = ?",
        [B.TINY_WAVE],
    ).df()
    got = {
        (r.question_id, r.item, r.option_code): (str(r.n), str(r.base), "c" if r.base < 5 else f"{r.percent:.1f}")
        for r in mart.itertuples()
    }
    # satisfaction: answered by 1,2,3,4,6 (5 skipped it); Satisfied 1,3 (lower case),6
    assert got[("satisfaction", "", "satisfied")] == ("3", "5", "60.0")
    assert got[("satisfaction", "", "fairly_satisfied")] == ("1", "5", "20.0")
    assert got[("satisfaction", "", "ok")] == ("1", "5", "20.0")
    assert got[("satisfaction", "", "dissatisfied")] == ("0", "5", "0.0")
    assert got[("gender", "", "female")] == ("3", "5", "60.0")
    assert got[("gender", "", "male")] == ("2", "5", "40.0")
    # multi-select: answered by 1,2,3,5; a base under 5 suppresses the percentages
    assert got[("attractions", "", "influence")] == ("3", "4", "c")
    assert got[("attractions", "", "pay")] == ("2", "4", "c")
    assert got[("attractions", "", "other")] == ("1", "4", "c")
    # matrix: coaching answered by 1,2,3,5,6 (Very: 1,2,5,6); mentoring by 1,3,6
    assert got[("development", "coaching", "very")] == ("4", "5", "80.0")
    assert got[("development", "coaching", "not")] == ("1", "5", "20.0")
    assert got[("development", "mentoring", "very")] == ("2", "3", "c")
    # open text coded to themes by keyword: answered by 1,2,5
    assert got[("best", "", "Best/Making a difference")] == ("2", "3", "c")
    assert got[("best", "", "Challenges/Time")] == ("2", "3", "c")
    # as published (docs/DISCLOSURE.md): answers are counts of people. Satisfaction's 1s (fairly
    # satisfied, OK) have no cell above 3 to complement them: the question is withheld whole;
    # gender's 2 (male) is complemented by female's 3; coaching's 1 by 'very' (4); the
    # multi-select's 1 and 2 stand alone (3 stays), its percents on a base of 4 are 'small base'
    assert {
        k: shown[k]
        for k in [
            ("satisfaction", "", "satisfied"),
            ("satisfaction", "", "dissatisfied"),
            ("gender", "", "female"),
            ("gender", "", "male"),
        ]
    } == {
        ("satisfaction", "", "satisfied"): ("c", "5", "c"),
        ("satisfaction", "", "dissatisfied"): ("c", "5", "c"),
        ("gender", "", "female"): ("c", "5", "c"),
        ("gender", "", "male"): ("c", "5", "c"),
    }
    assert shown[("attractions", "", "influence")] == ("3", "4", "c") and shown[("attractions", "", "pay")] == (
        "c",
        "4",
        "c",
    )
    assert shown[("development", "coaching", "very")] == ("c", "5", "c")
    assert set(pub["geographic_level"]) == {"National"}  # the tiny wave names no region
    fig = con.execute(
        "select value_shown, unit, base, suppression, source_model, source_filter from audit.fct_figures where figure_id = ?",
        [f"survey.percent.{B.TINY_WAVE}.satisfaction.satisfied"],
    ).fetchone()
    assert fig == (
        "c",
        "percent",
        None,
        "consequential",
        "fct_survey_distributions",
        f"wave = '{B.TINY_WAVE}' and question_id = 'satisfaction' and item_code is null and option_code = 'satisfied'",
    )
    assert con.execute(
        "select value_shown from audit.fct_figures where figure_id = ?", [f"survey.respondents.{B.TINY_WAVE}"]
    ).fetchone() == ("6",)
    # the figure traces to the three answer cells behind it (column J, rows 3, 5, 8)
    cells = con.execute(
        "select r._cell from audit.fct_figure_sources s join audit.fct_raw_rows r using (_row_uid) "
        "where s.figure_id = ? order by r._row",
        [f"survey.n.{B.TINY_WAVE}.satisfaction.satisfied"],
    ).fetchall()
    assert [c for (c,) in cells] == ["J3", "J5", "J8"]
    # the sample wave is regional
    lvl = con.execute(
        "select distinct geographic_level, region_code from publish.pub_survey_distributions where wave = '2024-25_W1'"
    ).fetchall()
    assert lvl == [("Regional", "E12000008")]


def test_no_personal_data_in_lake_or_warehouse():
    b = B.build()
    assert b["dbt_rc"] == 0, b["dbt_log"]
    # every personal value of the sample exports and the tiny export
    raw_frames = []
    for path in sorted((b["raw"] / "survey").rglob("responses_*")):
        if path.suffix == ".csv":
            raw_frames.append(pd.read_csv(path, header=None, skiprows=2, dtype=str, encoding="utf-8-sig").iloc[:, :9])
        else:
            raw_frames.append(pd.read_excel(path, header=None, skiprows=2, dtype=str).iloc[:, :9])
    leading = pd.concat(raw_frames, ignore_index=True)
    ids = set(leading[0].dropna()) | set(B.TINY_PII["ids"])
    substrings = (
        set(leading[4].dropna())
        | set(leading[5].dropna())
        | set((leading[6] + " " + leading[7]).dropna())
        | set(B.TINY_PII["emails"])
        | set(B.TINY_PII["ips"])
        | set(B.TINY_PII["names"])
        | {"Priya Sharma", "Mark Ellis", "Flexible hours"}
    )  # free text naming people
    assert len(ids) > 70 and len(substrings) > 200
    text, cells = _lake_text(b["lake"])
    assert not ids & cells
    leaks = [s for s in substrings if s in text]
    assert leaks == []
    con = duckdb.connect(str(b["warehouse"]), read_only=True)
    tables = con.execute("select table_schema, table_name from information_schema.tables").fetchall()
    assert len(tables) > 30
    for schema, table in tables:
        df = con.execute(f'select * from "{schema}"."{table}"').df().astype(str)
        values = set(df.to_numpy().ravel())
        assert not ids & values, f"respondent id in {schema}.{table}"
        blob = "\n".join(values)
        assert [s for s in substrings if s in blob] == [], f"personal data in {schema}.{table}"


def test_survey_tables_show_only_registered_figures():
    import re

    from succession.reporting import Report, survey

    b = B.build()
    assert b["dbt_rc"] == 0, b["dbt_log"]
    rpt = Report("evaluation", "E12000008", "2024-25 Q4", warehouse=b["warehouse"])
    wave = survey.latest_wave(rpt)
    assert wave == "2024-25_W1"
    parts = [str(rpt.fig("survey.respondents." + wave))]
    for q in survey.questions(rpt, wave, ("single", "demographic", "multi", "matrix")).itertuples():
        provider = survey.matrix_table if q.question_type == "matrix" else survey.respondent_table
        parts.append(str(provider(rpt, wave, q.question_id)))
    parts += [str(survey.top_themes(rpt, wave, "survey", "Respondents")), str(survey.agreement_table(rpt, wave))]
    out = "\n".join(parts)
    assert "Cohen\\'s kappa" in out and "Challenges\\: Time" in out  # data text arrives escaped
    used = {u["figure_id"] for u in rpt.used}
    assert "survey.respondents.2024-25_W1" in used and any(f.startswith("agreement.kappa.") for f in used)
    assert any(f.startswith("survey.percent.2024-25_W1.satisfaction.") for f in used)
    # with the figure links taken out (and the escapes of data text), no number is left in the text
    bare = re.sub(r"\[[^\]]*\]\([^)]*\)\{#pub-[^}]*\}", "", out)
    bare = re.sub(r"\\(.)", r"\1", bare)
    bare = re.sub(r"^\|[-:|]+\|$", "", bare, flags=re.M)
    for label in ("1 - 2 years", "1 \u2013 2 years", "3 to 5 years", "6 to 10 years", "10 years plus"):  # option labels
        bare = bare.replace(label, "")
    assert re.findall(r"\d+(?:\.\d+)?", bare) == [], bare


# --- issue 7: the columnar reader gives exactly what the cell-by-cell reference gives ---------------


def _cells_as_rows(cells) -> list[list]:
    """`read_export`'s cells back as rows of text (None for blank), like `read_grid`'s after `cell_text`."""
    import numpy as np

    from succession.ingest.survey import cell_text

    n = cells.records - 2 if cells.records > 2 else 0
    cols = [cells.text(j, np.arange(n)).to_pylist() for j in range(cells.width)]
    body = [[cell_text(v) for v in row] for row in zip(*cols)] if cols else [[] for _ in range(n)]
    return [[cell_text(v) for v in cells.h1], [cell_text(v) for v in cells.h2]][: cells.records] + body


def _grid_as_rows(rows: list[list]) -> list[list]:
    from succession.ingest.survey import cell_text

    width = max((len(r) for r in rows), default=0)
    return [[cell_text(v) for v in list(r) + [None] * (width - len(r))] for r in rows]


CSV_CASES = [
    b'Respondent ID,Q\r\n,Response\r\n1,a\r\n2,"b, c"\r\n',
    b'\xef\xbb\xbfRespondent ID,Q\n,Response\n1,"multi\nline"\n\n2,x\n',  # BOM, quoted LF, a blank line
    b'Respondent ID,Q\r,Response\r1,"cr\rinside"\r2,y',  # CR only, a CR inside quotes, no final newline
    b"Respondent ID,Q,\n,Response,\n1,a\n2,b,extra\n3\n",  # ragged rows
    b'Respondent ID,Q\n,Response\n1,ab"c"d\n2,"x"y\n3, "q" \n',  # quotes mid-field and after a closing quote
    b"Respondent ID,Q\n,Response\n1,caf\xe9 \x96 ok\n",  # Windows-1252
    b"Respondent ID,Q\n,Response\n1,\x81\n",  # Latin-1 only
    b"Respondent ID\n\n1\n",  # one column
    b'Respondent ID,Q\n,Response\n1,"unclosed\n2,x\n',
    b"Respondent ID,Q\n,Response\n1,\x00nul\n",
    b"\xef\xbb\xbf\xef\xbb\xbfRespondent ID,Q\n,Response\n1,a\n",  # a second BOM is text
    b"\r\n\r\n\n",
    b"",
]


@pytest.mark.parametrize("data", CSV_CASES)
def test_columnar_csv_reader_matches_reference(tmp_path, data):
    from succession.ingest.survey import read_export, read_grid

    path = tmp_path / "x.csv"
    path.write_bytes(data)
    try:
        rows, sheet, notes = read_grid(path)
    except Exception as exc:  # noqa: BLE001 - the reference refuses it: so must the columnar reader
        with pytest.raises(type(exc)):
            read_export(path)
        return
    cells = read_export(path)
    assert (cells.sheet, cells.notes) == (sheet, notes)
    assert _cells_as_rows(cells) == _grid_as_rows(rows)


def test_columnar_csv_reader_fuzz(tmp_path):
    """Random CSV-ish bytes (quotes, separators, CR/LF/CRLF, blanks): the Arrow fast path and
    its fallback together read exactly what read_grid reads."""
    import random

    from succession.ingest.survey import read_export, read_grid

    rng = random.Random(7)
    pieces = ["a", "b", " ", "\u00e9", ",", ",", '"', '""', "\n", "\r\n", "\r", "\t", "x y"]
    path = tmp_path / "f.csv"
    for _ in range(400):
        lines = [
            ",".join("".join(rng.choice(pieces) for _ in range(rng.randint(0, 3))) for _ in range(3))
            for _ in range(rng.randint(1, 5))
        ]
        path.write_bytes(rng.choice(["\n", "\r\n", "\r"]).join(lines).encode("utf-8"))
        try:
            rows, _, _ = read_grid(path)
        except Exception:  # noqa: BLE001
            continue
        assert _cells_as_rows(read_export(path)) == _grid_as_rows(rows), path.read_bytes()


def test_blank_cells_match_is_blank():
    import pyarrow as pa

    from succession.ingest.cells import is_blank
    from succession.ingest.survey import blank_cells

    values = [
        "",
        " ",
        "\u00a0",
        "\u2003",
        "\x1c",
        "\x85",
        "\t\n",
        "x",
        " x",
        "\u00e9",
        "\u200b",
        "\x7f",
        None,
        "0",
        "-",
    ]
    column = pa.array(values * 3, pa.string()).slice(2)
    assert blank_cells(column).tolist() == [is_blank(v) for v in (values * 3)[2:]]
    chunked = pa.chunked_array([pa.array(values[:5], pa.string()), pa.array(values[5:], pa.string())])
    assert blank_cells(chunked).tolist() == [is_blank(v) for v in values]


def test_vectorised_timestamps_match_parse_timestamp():
    import numpy as np
    import pyarrow as pa

    from succession.ingest.cells import is_blank
    from succession.ingest.survey import ExportCells, timestamps

    texts = [
        "05/14/2019 09:12:33 AM",
        "05/14/2019 12:00:00 AM",
        "05/14/2019 12:59:59 PM",
        "02/29/2024 01:00:00 PM",
        "02/29/2023 01:00:00 PM",
        "04/31/2024 01:00:00 PM",
        "13/01/2024 01:00:00 PM",
        "05/14/2019 00:12:33 AM",
        "05/14/2019 09:12:60 AM",
        "05/14/2019 09:12:33 am",
        "5/14/2019 9:12:33 AM",
        "8/22/22 15:44",
        "01/01/1899 01:00:00 AM",
        "",
        "  ",
        "yesterday",
        "2024-05-01 10:00:00",
    ]
    cells = ExportCells(["Start Date"], [None], [pa.array(texts, pa.string())], {}, len(texts) + 2, "responses", {})
    blank = np.array([is_blank(t) for t in texts])
    got = timestamps(cells, 0, np.arange(len(texts)), blank)
    want = [parse_timestamp(t) for t in texts]
    assert got.dtype == object  # 'yesterday' and the impossible dates stay text for the contract to reject
    assert [None if v is None or v is pd.NaT else v for v in got] == want
    ok = [t for t, w in zip(texts, want) if w is None or (isinstance(w, pd.Timestamp) and w.year >= 1900)]
    cells = ExportCells(["Start Date"], [None], [pa.array(ok, pa.string())], {}, len(ok) + 2, "responses", {})
    got = timestamps(cells, 0, np.arange(len(ok)), np.array([is_blank(t) for t in ok]))
    assert got.dtype == "datetime64[ns]"
    assert [None if pd.isna(v) else pd.Timestamp(v) for v in got] == [parse_timestamp(t) for t in ok]


def test_batch_pseudonyms_equal_pseudonymise():
    from succession.ingest.survey import pseudonymise_ids

    ids = ["118112199553", " 42 ", "r\u00e9spondent", "", "0045", "x" * 100]
    for key in (b"k", b"a-secret", b"s" * 64, b"long" * 40, pseudonym.DEVELOPMENT_KEY):
        assert pseudonymise_ids(ids, key) == [pseudonym.pseudonymise(v, key) for v in ids]


def test_pseudonyms_are_the_stdlib_hmac_of_the_namespaced_id():
    """Pinned: HMAC-SHA256 (``hmac.new(key, b"respondent:" + id, sha256)``, first 20 hex digits),
    so a change to how pseudonyms are made (which would unlink every wave already loaded) fails here."""
    import hashlib
    import hmac

    from succession.ingest.survey import pseudonymise_ids

    ids = ["118112199553", "0045", " 42 ", "r\u00e9spondent"]
    pinned = {
        pseudonym.DEVELOPMENT_KEY: [
            "cf9a3b558189af1a754f",
            "d899f95f1eff80f8177b",
            "70a2a094a9e1420b41d1",
            "a84fe0a4e597962abaef",
        ],
        b"a-secret": ["60a4cdf54f8fe929cd54", "9548c853c51a4a2ab39d", "0cfbde0bd841d5d594e5", "68fa8921787f9f8c4832"],
    }
    for key, want in pinned.items():
        stdlib = [
            hmac.new(key, b"respondent:" + i.strip().encode("utf-8"), hashlib.sha256).hexdigest()[:20] for i in ids
        ]
        assert stdlib == want
        assert pseudonymise_ids(ids, key) == want
        assert [pseudonym.pseudonymise(i, key) for i in ids] == want
    long_key = b"long" * 40  # longer than SHA-256's block: HMAC hashes the key first
    assert pseudonymise_ids(["118112199553"], long_key) == ["c90f86249ed84e0c2608"]


def test_answers_are_compact_and_every_answer_names_a_respondent(tmp_path):
    from contracts import survey as C

    df = sample_survey.responses(60, seed=3, region_code="E12000008")
    folder = tmp_path / "raw" / "survey" / "2024-25_W1"
    sample_survey.write_instrument(folder / "instrument.yaml", "2024-25_W1", "E12000008")
    sample_survey.write_csv(folder / "a.csv", df.iloc[:30])
    sample_survey.write_xlsx(folder / "b.xlsx", df.iloc[30:])
    r = ingest_partition(
        SOURCE, "2024-25_W1", sorted(folder.iterdir()), raw_dir=tmp_path / "raw", lake_dir=tmp_path / "lake", run_id="t"
    )
    assert r.problems() == []
    answers, respondents = r.tables["answers"], r.tables["respondents"]
    assert str(answers["question_id"].dtype) == str(C.ARROW_CODES) and str(answers["text_chars"].dtype) == str(
        C.ARROW_INT
    )
    assert not C.answers_without_respondent(answers, respondents, by=L.SOURCE_FILE).any()
    # an answer whose respondent is in the other file is caught
    moved = answers.copy()
    first_b = respondents.loc[respondents[L.SOURCE_FILE].astype(str).str.endswith("b.xlsx"), "respondent_key"].iloc[0]
    keys = moved["respondent_key"].astype(object)
    keys.iloc[0] = first_b
    moved["respondent_key"] = keys.astype(C.ARROW_CODES)
    orphan = C.answers_without_respondent(moved, respondents, by=L.SOURCE_FILE)
    assert orphan.tolist() == [True] + [False] * (len(moved) - 1)
    # the lake holds plain text: dbt staging casts every column
    lake = pd.read_parquet(tmp_path / "lake" / "survey" / "2024-25_W1" / "answers.parquet")
    assert lake["respondent_key"].astype(str).str.fullmatch(r"[0-9a-f]{20}").all()
