"""Issue 3: interview coding (coding sheets, REFI-QDA .qdpx) -> lake -> agreement and themes."""

from __future__ import annotations

import hashlib
import importlib.util
import shutil
import zipfile
from pathlib import Path

import duckdb
import krippendorff
import numpy as np
import pandas as pd
import pytest
import yaml

from succession.ingest import lineage as L
from succession.ingest.framework import ingest_partition
from succession.ingest.interviews import SOURCE
from succession.paths import PROJECT_DIR
from succession.sample_data import SampleSpec
from succession.sample_data import interviews as sample
from tests import survey_build as B

# these tests ingest surveys and coding sheets of their own, not the bundled sample
pytestmark = pytest.mark.usefixtures("pseudonym_key_set")

QDA = B.FIXTURES / "refi-qda"
WAVE = "2024-25_W1"
LINEAGE_ONLY = [L.SOURCE_FILE, L.FILE_SHA256, L.SHEET, L.RUN_ID, L.LOADED_AT]


def _agreement_module():
    path = PROJECT_DIR / "dbt_project/models/intermediate/interviews/int_interviews__agreement.py"
    spec = importlib.util.spec_from_file_location("int_interviews__agreement", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _ingest(raw: Path, wave: str = WAVE):
    folder = raw / "interviews" / wave
    return ingest_partition(
        SOURCE, wave, sorted(folder.iterdir()), raw_dir=raw, lake_dir=raw.parent / "lake", run_id="t"
    )


def _wave_with_codebook(tmp_path: Path, wave: str = WAVE) -> Path:
    folder = tmp_path / "raw" / "interviews" / wave
    folder.mkdir(parents=True)
    (folder / "codebook.yaml").write_text(
        yaml.safe_dump(sample.codebook(wave, None), sort_keys=False), encoding="utf-8"
    )
    return folder


# --- agreement against worked examples ---------------------------------------------------------


def _two_coder_codings(pairs: list[tuple[int, int]]) -> pd.DataFrame:
    rows = []
    for i, (a, b) in enumerate(pairs):
        seg = f"S{i:03d}"
        for coder, applied in (("A", a), ("B", b)):
            rows.append(
                {
                    "wave": WAVE,
                    "interview_id": "INT001",
                    "coder": coder,
                    "segment_id": seg,
                    "theme_path": "Barriers/Time" if applied else "Other/Filler",
                }
            )
    return pd.DataFrame(rows)


def test_cohens_kappa_worked_example():
    """Wikipedia "Cohen's kappa", first example: 50 proposals, both yes 20, A yes B no 5,
    A no B yes 10, both no 15. p_o = 35/50 = 0.7; p_e = 0.5*0.6 + 0.5*0.4 = 0.5;
    kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4."""
    pairs = [(1, 1)] * 20 + [(1, 0)] * 5 + [(0, 1)] * 10 + [(0, 0)] * 15
    out = _agreement_module().agreement(_two_coder_codings(pairs)).set_index("theme_path")
    row = out.loc["Barriers/Time"]
    assert row["kappa"] == pytest.approx(0.4, abs=1e-12)
    assert row["observed_agreement"] == pytest.approx(0.7)
    assert row["units"] == 50 and row["coders"] == 2
    # Krippendorff's alpha, nominal, by hand: 100 pairable values, 55 yes and 45 no, 15 units
    # disagree so o(yes,no) = 15; alpha = 1 - (n - 1) o(yes,no) / (n_yes n_no) = 1 - 99*15/(55*45) = 0.4
    assert row["alpha"] == pytest.approx(0.4, abs=1e-12)
    # the parent code rolls up its child: same ratings, same kappa
    assert out.loc["Barriers", "kappa"] == pytest.approx(0.4)


def test_krippendorff_alpha_worked_example_and_three_coders():
    """Krippendorff (2011) 'Computing Krippendorff's alpha-reliability', nominal example:
    4 observers, 12 units, missing values; alpha = 0.743."""
    nan = np.nan
    data = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
        [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
    ]
    assert krippendorff.alpha(reliability_data=data, level_of_measurement="nominal") == pytest.approx(0.743, abs=5e-4)
    # three coders of one interview: no kappa (it needs exactly two), alpha as the package computes it
    ratings = {"A": [1, 1, 0, 0, 1, 0, 1, 0], "B": [1, 1, 0, 1, 1, 0, 0, 0], "C": [1, 0, 0, 0, 1, 0, 1, 0]}
    rows = [
        {
            "wave": WAVE,
            "interview_id": "INT001",
            "coder": c,
            "segment_id": f"S{u}",
            "theme_path": "Enablers/Coaching" if v else "Other/Filler",
        }
        for c, vs in ratings.items()
        for u, v in enumerate(vs)
    ]
    out = _agreement_module().agreement(pd.DataFrame(rows)).set_index("theme_path").loc["Enablers/Coaching"]
    expected = krippendorff.alpha(
        reliability_data=np.array(list(ratings.values()), dtype=float), level_of_measurement="nominal"
    )
    assert pd.isna(out["kappa"]) and out["coders"] == 3
    assert out["alpha"] == pytest.approx(expected)


def test_kappa_is_scikit_learns_to_the_last_bit():
    """The model computes kappa from the 2x2 counts with scikit-learn's float operations
    (no scikit-learn import in the warehouse build): the same float, not just close."""
    from sklearn.metrics import cohen_kappa_score

    kappa = _agreement_module().cohen_kappa
    g = np.random.default_rng(7)
    cases = [g.integers(0, 2, size=(2, n)) for n in (1, 2, 3, 5, 17, 50, 333, 4001) for _ in range(25)]
    cases += [np.array([[0, 0, 1], [1, 1, 0]]), np.array([[1, 1, 1], [0, 0, 0]]), np.array([[0, 1], [0, 1]])]
    for r1, r2 in cases:
        if len(set(r1) | set(r2)) < 2:
            continue  # undefined: the model does not ask
        counts = [int(np.sum((r1 == a) & (r2 == b))) for a, b in ((0, 0), (0, 1), (1, 0), (1, 1))]
        expected = cohen_kappa_score(r1.tolist(), r2.tolist(), labels=[0, 1])
        got = kappa(*counts)
        assert got == expected or (np.isnan(got) and np.isnan(expected)), (r1, r2, got, expected)


def _agreement_per_unit(codings: pd.DataFrame) -> pd.DataFrame:
    """The definition, unit by unit (the model before it was vectorised): the reference."""
    from sklearn.metrics import cohen_kappa_score

    rows = []
    for wave, wc in codings.groupby("wave"):
        per_interview = wc.groupby("interview_id")["coder"].nunique()
        double = per_interview[per_interview >= 2].index
        d = wc[wc["interview_id"].isin(double)]
        if d.empty:
            continue
        units = (
            d[["interview_id", "segment_id"]]
            .drop_duplicates()
            .sort_values(["interview_id", "segment_id"])
            .reset_index(drop=True)
        )
        coders = sorted(d["coder"].unique())
        themes = sorted({"/".join(p.split("/")[:k]) for p in d["theme_path"] for k in range(1, len(p.split("/")) + 1)})
        coded = set(zip(d["interview_id"], d["coder"]))
        for theme in themes:
            applied = {
                (i, s, c)
                for i, s, c, t in zip(d["interview_id"], d["segment_id"], d["coder"], d["theme_path"])
                if t == theme or t.startswith(theme + "/")
            }
            m = np.full((len(coders), len(units)), np.nan)
            for u, (i, s) in enumerate(zip(units["interview_id"], units["segment_id"])):
                for ci, c in enumerate(coders):
                    if (i, c) in coded:
                        m[ci, u] = 1.0 if (i, s, c) in applied else 0.0
            r1, r2 = [], []
            for u in range(len(units)):
                vals = m[~np.isnan(m[:, u]), u]
                if len(vals) == 2:
                    r1.append(int(vals[0]))
                    r2.append(int(vals[1]))
            kappa = None
            if r1 and len(set(r1) | set(r2)) > 1:
                k = cohen_kappa_score(r1, r2, labels=[0, 1])
                kappa = None if np.isnan(k) else float(k)
            with np.errstate(all="ignore"):
                try:
                    a = krippendorff.alpha(reliability_data=m, level_of_measurement="nominal")
                    alpha = None if np.isnan(a) else float(a)
                except (ValueError, ZeroDivisionError):
                    alpha = None
            rows.append(
                {
                    "wave": wave,
                    "theme_path": theme,
                    "coders": len(coders),
                    "units": len(units),
                    "interviews": len(double),
                    "units_coded": len({(i, s) for i, s, _ in applied}),
                    "observed_agreement": float(np.mean(np.array(r1) == np.array(r2))) if r1 else None,
                    "kappa": kappa,
                    "alpha": alpha,
                }
            )
    return pd.DataFrame(rows)


def test_vectorised_agreement_is_the_per_unit_definition():
    """Two and three coders, coders who did not code an interview, single-coded interviews,
    nested codes, repeated rows, shuffled input: the same numbers as unit by unit."""
    g = np.random.default_rng(11)
    themes = ["Barriers", "Barriers/Time", "Barriers/Time/Meetings", "Enablers/Coaching", "Other"]
    rows = []
    for wave in ("2024-25_W1", "2024-25_W2"):
        for i in range(9):
            coders = g.choice(["A", "B", "C", "D"], size=int(g.integers(1, 4)), replace=False)
            for c in coders:
                for s in range(int(g.integers(2, 9))):
                    for t in themes:
                        if g.random() < 0.35:
                            rows.append(
                                {
                                    "wave": wave,
                                    "interview_id": f"INT{i:03d}",
                                    "coder": c,
                                    "segment_id": f"S{s:02d}",
                                    "theme_path": t,
                                }
                            )
    codings = pd.DataFrame(rows + rows[:7]).sample(frac=1, random_state=3).reset_index(drop=True)
    got = _agreement_module().agreement(codings).reset_index(drop=True)
    want = _agreement_per_unit(codings)
    assert got["kappa"].notna().sum() > 5 and (got["coders"] >= 3).any()
    pd.testing.assert_frame_equal(got, want, check_exact=True, check_dtype=False)


# --- ingestion ------------------------------------------------------------------------------------


def test_sample_wave_loads_with_double_coding_and_no_excerpts(tmp_path):
    spec = SampleSpec.sample()
    sample.generate(tmp_path / "raw", spec)
    result = _ingest(tmp_path / "raw")
    assert result.problems() == [] and set(result.files["status"]) == {"loaded"}
    codings = result.tables["codings"]
    assert set(codings["source_format"]) == {"coding_sheet", "refi_qda"}
    assert codings["interview_id"].nunique() == spec.interviews
    coders = codings.groupby("interview_id")["coder"].nunique()
    assert (coders >= 2).sum() >= 3
    assert codings["excerpt_sha256"].notna().all() and (codings["excerpt_chars"] > 0).all()
    for p in (tmp_path / "lake").rglob("*.parquet"):
        blob = pd.read_parquet(p).astype(str).to_csv()
        assert "Susan Clarke" not in blob and "maternity leave" not in blob, p


def test_coding_sheet_csv_and_xlsx_and_qdpx_give_the_same_rows(tmp_path):
    rows = sample.codings(4, 6, seed=3).drop(columns="_interview")
    out = {}
    for fmt in ("csv", "xlsx", "qdpx"):
        folder = _wave_with_codebook(tmp_path / fmt)
        if fmt == "csv":
            rows.to_csv(folder / "coding.csv", index=False, encoding="utf-8-sig")
        elif fmt == "xlsx":
            rows.to_excel(folder / "coding.xlsx", index=False)
        else:
            sample.write_qdpx(folder / "coding.qdpx", rows, pd.Timestamp("2024-09-01").to_pydatetime())
        result = _ingest(tmp_path / fmt / "raw")
        assert result.problems() == [], fmt
        out[fmt] = result.tables["codings"]
    a = out["csv"].drop(columns=LINEAGE_ONLY).reset_index(drop=True)
    b = out["xlsx"].drop(columns=LINEAGE_ONLY).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_dtype=False)
    key = ["interview_id", "coder", "theme_path", "excerpt_chars", "excerpt_sha256"]
    sheet = out["csv"][key].sort_values(key).reset_index(drop=True)
    qdpx = out["qdpx"][key].sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(sheet, qdpx, check_dtype=False)
    assert list(out["qdpx"].columns) == list(out["csv"].columns)


def test_real_nvivo_project_loads_against_its_codebook(tmp_path):
    folder = tmp_path / "raw" / "interviews" / "2019-20_W1"
    folder.mkdir(parents=True)
    shutil.copy(QDA / "nvivo12_oltas0517.qdpx", folder)
    shutil.copy(QDA / "nvivo12_oltas0517_codebook.yaml", folder / "codebook.yaml")
    result = _ingest(tmp_path / "raw", "2019-20_W1")
    assert result.problems() == []
    codings = result.tables["codings"]
    assert len(codings) == 303
    # coders are people: only keyed pseudonyms pass ingestion
    assert not set(codings["coder"]) & {"Gergo", "floriansipos"}
    assert all(len(c) == 20 and int(c, 16) >= 0 for c in codings["coder"])
    assert set(codings["interview_id"]) <= {"videos_selection", "videos_10_selected"}
    assert len(result.tables["codebook"]) == 152


def test_code_not_in_codebook_is_rejected(tmp_path):
    # coding sheet
    folder = _wave_with_codebook(tmp_path / "a")
    rows = sample.codings(2, 3, seed=1).drop(columns="_interview")
    rows.loc[2, "Code"] = "Challenges/Parking"
    rows.to_csv(folder / "coding.csv", index=False)
    result = _ingest(tmp_path / "a" / "raw")
    assert result.quarantined["file_path"].tolist() == [f"interviews/{WAVE}/coding.csv"]
    assert (
        f"interviews/{WAVE}/coding.csv: responses!E4: code 'Challenges/Parking' on row 4 is not in codebook.yaml"
        in result.problems()
    )
    # REFI-QDA: the NVivo project against a codebook missing one of its codes
    folder = tmp_path / "b" / "raw" / "interviews" / "2019-20_W1"
    folder.mkdir(parents=True)
    shutil.copy(QDA / "nvivo12_oltas0517.qdpx", folder)
    book = yaml.safe_load((QDA / "nvivo12_oltas0517_codebook.yaml").read_text(encoding="utf-8"))
    # drop a leaf code the coders used: "2. Attitűd szint az oltáshoz/piros" (red: strongly sceptical)
    top = next(t for t in book["themes"] if t["name"].startswith("2. Attit"))
    top["children"] = [c for c in top["children"] if c["name"] != "piros"]
    (folder / "codebook.yaml").write_text(yaml.safe_dump(book, allow_unicode=True), encoding="utf-8")
    result = _ingest(tmp_path / "b" / "raw", "2019-20_W1")
    assert (
        (result.files.set_index("file_path").loc["interviews/2019-20_W1/nvivo12_oltas0517.qdpx", "status"])
        == "quarantined"
    )
    assert any(f"code '{top['name']}/piros'" in p and "is not in codebook.yaml" in p for p in result.problems())


def test_broken_qdpx_is_rejected(tmp_path):
    folder = _wave_with_codebook(tmp_path)
    with zipfile.ZipFile(QDA / "nvivo12_oltas0517.qdpx") as src:
        xml = src.read("project.qde")
    with zipfile.ZipFile(folder / "broken.qdpx", "w") as zf:
        zf.writestr("project.qde", xml[: len(xml) // 2])  # cut off mid-document
    (folder / "notazip.qdpx").write_bytes(b"this is not a zip")
    with zipfile.ZipFile(folder / "wrongns.qdpx", "w") as zf:
        zf.writestr("project.qde", '<?xml version="1.0"?><Project xmlns="urn:example"/>')
    result = _ingest(tmp_path / "raw")
    problems = "\n".join(result.problems())
    assert set(result.quarantined["file_path"]) == {
        f"interviews/{WAVE}/{n}" for n in ("broken.qdpx", "notazip.qdpx", "wrongns.qdpx")
    }
    assert "broken.qdpx: project.qde: project.qde is not well-formed XML" in problems
    assert "notazip.qdpx: not a REFI-QDA project: a .qdpx must be a zip" in problems
    assert "not a Project in namespace urn:QDA-XML:project:1.0" in problems
    assert result.files.set_index("file_path").loc[f"interviews/{WAVE}/codebook.yaml", "status"] == "loaded"


def test_generation_scales(tmp_path):
    import time

    start = time.perf_counter()
    rows = sample.codings(1000, 50, seed=5)
    assert rows["Interview"].nunique() == 1000 and len(rows) > 50_000
    assert time.perf_counter() - start < 10


def test_cells_are_cleaned_once_per_distinct_value_without_mixing_types():
    from succession.ingest import interviews as I
    from succession.ingest.cells import normalise_text

    # True == 1 == 1.0 in Python: spreadsheet cells of different types must not share a result
    assert I._by_value([True, 1, 1.0, "1", None, " 1 ", 2.5], I._text) == ["True", "1", "1", "1", None, "1", "2.5"]
    calls = []
    assert I._by_value(["a", "b", "a", "a"], lambda v: calls.append(v) or v.upper()) == ["A", "B", "A", "A"]
    assert sorted(calls) == ["a", "b"]
    for text in [
        "plain",
        "  two  spaces ",
        "tab\there",
        "\x1cfile sep\x1f",
        "caf\u00e9",
        "e\u0301",
        "\u201cq\u201d\u00a0x",
        "a\u2003b",
        "",
    ]:
        assert I._norm(text) == normalise_text(text), repr(text)


def test_sheet_rows_keep_their_numbers_and_coders_one_pseudonym(tmp_path):
    from succession.ingest.pseudonym import pseudonym_key, pseudonymise

    folder = _wave_with_codebook(tmp_path)
    (folder / "coding.csv").write_text(
        "Interview,Coder,Segment,Code,Excerpt\n"
        "INT001,Ann Smith,S1,Challenges/Time,It takes time.\n"
        "\n"  # blank line: row 3, skipped
        "INT001, Ann  Smith ,S2,Challenges / Budgets\n"  # short row, spacing: the same coder
        ",,,,\n"  # all blank: row 5, skipped
        "INT002,Bob,S1,Challenges\\Time,\u201cQuoted\u201d  text\n",
        encoding="utf-8",
    )
    result = _ingest(tmp_path / "raw")
    assert result.problems() == []
    codings = result.tables["codings"]
    assert codings[L.ROW].tolist() == [2, 4, 6]
    key = pseudonym_key()
    assert codings["coder"].tolist() == [pseudonymise("Ann Smith", key, namespace="coder")] * 2 + [
        pseudonymise("Bob", key, namespace="coder")
    ]
    assert codings["theme_path"].tolist() == ["Challenges/Time", "Challenges/Budgets", "Challenges/Time"]
    assert codings["excerpt_chars"].tolist()[0::2] == [14, 13] and pd.isna(codings["excerpt_chars"].iloc[1])
    assert codings["excerpt_sha256"].iloc[2] == hashlib.sha256(b'"Quoted" text').hexdigest()


def test_duplicate_rows_and_wave_mismatch_are_found_per_file(tmp_path):
    folder = _wave_with_codebook(tmp_path)
    rows = sample.codings(2, 4, seed=2).drop(columns="_interview")
    rows.to_csv(folder / "a_clean.csv", index=False)
    pd.concat([rows, rows.iloc[[3]]]).to_csv(folder / "b_dups.csv", index=False)
    rows.to_excel(folder / "c_clean.xlsx", index=False)  # the same rows as a_clean, in another file: not a duplicate
    result = _ingest(tmp_path / "raw")
    status = result.files.set_index("file_path")["status"]
    assert status[f"interviews/{WAVE}/b_dups.csv"] == "quarantined"
    assert status[f"interviews/{WAVE}/a_clean.csv"] == status[f"interviews/{WAVE}/c_clean.xlsx"] == "loaded"
    assert result.problems() == [
        f"interviews/{WAVE}/b_dups.csv: responses: row {len(rows) + 2}: the same interview, coder, "
        f"segment and code appear on rows 5, {len(rows) + 2}"
    ]
    other = _wave_with_codebook(tmp_path / "other", "2024-25_W2")
    (other / "codebook.yaml").write_text(yaml.safe_dump(sample.codebook(WAVE, None), sort_keys=False), encoding="utf-8")
    result = _ingest(tmp_path / "other" / "raw", "2024-25_W2")
    assert result.problems() == [
        "interviews/2024-25_W2/codebook.yaml: codebook: codebook wave 2024-25_W1 disagrees with its folder (2024-25_W2)"
    ]


def test_arrow_csv_reads_what_the_csv_module_reads(tmp_path):
    """Coding-sheet CSVs are parsed by Arrow; Python's csv module (`read_grid`) is the reference.
    Differential fuzz over quoting (well-formed and not), CR/CRLF/LF, blank lines, NUL and
    non-ASCII: where Arrow reads a file, it reads the same cells (a blank line: empty cells
    there, none here; skipped either way); where it could differ, it declines."""
    import random

    from succession.ingest import interviews as I
    from succession.ingest.survey import read_grid

    pieces = ["a", "b", " ", ",", '"', "\n", "\r", '""', '"a"', ',"', '",', "é", "\t", "\\", "\u2028", "\x00", "'"]
    rnd = random.Random(5)
    compared = 0
    for case in range(1500):
        width = rnd.randint(2, 4)
        lines = []
        for _ in range(rnd.randint(1, 5)):
            fields = [
                "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 4))) if rnd.random() < 0.6 else ""
                for _ in range(width)
            ]
            lines.append(",".join('"' + f.replace('"', '""') + '"' if rnd.random() < 0.3 else f for f in fields))
        text = rnd.choice(["\n", "\r\n", "\r"]).join(lines) + rnd.choice(["", "\n", "\r\n"])
        path = tmp_path / f"{case}.csv"
        path.write_bytes(text.encode(rnd.choice(["utf-8", "utf-8-sig"])))
        parsed = I._csv_columns(path)
        if parsed is None:
            continue
        columns, notes = parsed
        rows, _, want_notes = read_grid(path)
        got = [list(r) for r in zip(*(c.to_pylist() for c in columns))]
        assert got == [r if r else [""] * len(columns) for r in rows], repr(text)
        assert notes == want_notes
        compared += 1
    assert compared > 300
    # declined: rows of unequal length, one column, a field over csv's size limit; cp1252 is read alike
    (tmp_path / "ragged.csv").write_text("a,b\n1,2,3\n")
    (tmp_path / "one.csv").write_text("a\n\nb\n")
    (tmp_path / "long.csv").write_text("a,b\n" + "x" * 200_000 + ",y\n")
    assert all(I._csv_columns(tmp_path / f) is None for f in ("ragged.csv", "one.csv", "long.csv"))
    (tmp_path / "cp1252.csv").write_bytes("Coder,Code\nZo\xeb,\x93x\x94\r\n".encode("latin-1"))
    columns, notes = I._csv_columns(tmp_path / "cp1252.csv")
    rows, _, want_notes = read_grid(tmp_path / "cp1252.csv")
    assert [list(r) for r in zip(*(c.to_pylist() for c in columns))] == rows and notes == want_notes


# --- warehouse ------------------------------------------------------------------------------------


def test_agreement_and_theme_figures_in_the_warehouse():
    b = B.build()
    assert b["dbt_rc"] == 0, b["dbt_log"]
    con = duckdb.connect(str(b["warehouse"]), read_only=True)
    agreement = con.execute(
        "select theme_path, coders, interviews, units, kappa, alpha from publish.pub_agreement where wave = ?", [WAVE]
    ).df()
    assert len(agreement) > 20 and set(agreement["coders"]) == {2} and set(agreement["interviews"]) == {4}
    assert agreement["kappa"].str.match(r"^-?\d\.\d\d$").all()
    prevalence = con.execute(
        "select source, group_type, group_value, theme_path, n, base, percent from publish.pub_theme_prevalence where wave = ?",
        [WAVE],
    ).df()
    interviews_all = prevalence[(prevalence["source"] == "interviews") & (prevalence["group_type"] == "all")]
    assert set(interviews_all["base"]) == {"13"}
    assert {"interviews", "survey"} == set(prevalence["source"])
    assert {"all", "gender", "tier"} <= set(prevalence["group_type"])
    # a theme's figure rests on the codings behind it, each traceable to its file
    n, rows = con.execute(
        "select f.value, count(distinct r._row_uid) from audit.fct_figures f join audit.fct_figure_sources s using (figure_id) "
        "join audit.fct_raw_rows r using (_row_uid) where f.figure_id = ? group by f.value",
        [f"themes.n.interviews.{WAVE}.all.all.challenges_time"],
    ).fetchone()
    assert rows >= n > 0
