"""The raw files, read plainly: workbooks with a standard-library xlsx reader (xlsx.py), CSV with
pandas or the csv module, plans and instruments with PyYAML.

Nothing here validates beyond what recomputing needs; it reads the layout the contracts
(``contracts/*.md``) describe and nothing of the pipeline's own readers."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import pandas as pd
import yaml

from . import xlsx

PROJECT_DIR = Path(__file__).resolve().parents[2]
SEEDS = PROJECT_DIR / "dbt_project" / "seeds"
RETURN_NAME = re.compile(r"^(?P<la>\d{3})_(?P<quarter>\d{4}-\d{2}_Q[1-4])(?:_v(?P<version>\d+))?\.xlsx$")
VACANCY_COLUMNS = [
    "campaign_ref",
    "post_ref",
    "post_title",
    "tier",
    "vacancy_arose",
    "advert_opened",
    "advert_closed",
    "applicants",
    "shortlisted",
    "outcome",
    "appointee_background",
    "date_filled",
]
WORKFORCE_COLUMNS = [
    "post_ref",
    "tier",
    "age_band",
    "gender",
    "ethnic_group",
    "years_in_post",
    "interim_or_agency",
    "retiring_within_two_years",
]
DATE_COLUMNS = ["vacancy_arose", "advert_opened", "advert_closed", "date_filled"]


def local_authorities() -> pd.DataFrame:
    """The reference list of the 153 LAs (DfE code, GSS code, name, region)."""
    return pd.read_csv(SEEDS / "ref_local_authorities.csv", dtype=str)


def regions() -> dict[str, str]:
    return dict(pd.read_csv(SEEDS / "ref_regions.csv", dtype=str).itertuples(index=False))


# --- HR returns -------------------------------------------------------------------------------


@dataclass
class HrReturns:
    returns: pd.DataFrame  # one row per workbook: file, la_code, quarter, version, date_submitted
    kpis: pd.DataFrame  # file, indicator, tier, value
    vacancies: pd.DataFrame  # file + VACANCY_COLUMNS
    workforce: pd.DataFrame  # file + WORKFORCE_COLUMNS


def _as_date(value):
    if value is None or value == "" or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, (int, float)):  # an Excel date serial number
        return xlsx.serial_to_date(value)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _text(value):
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _cells(rows: list[list], first_row: int, width: int) -> list[list]:
    """Rows from ``first_row`` (1-based), padded or cut to ``width`` columns, blank rows left out."""
    out = []
    for r in rows[first_row - 1 :]:
        r = (list(r) + [None] * width)[:width]
        if any(c is not None and c != "" for c in r):
            out.append(r)
    return out


def read_hr_return(path: Path) -> tuple[dict, list, list, list]:
    """About (label -> value), KPIs (code, tier, value), Vacancies and Workforce rows, by the
    layout of contracts/hr_return.md (indicator codes in A from row 3, tier 1 in C, tier 2 in D)."""
    sheets = xlsx.read_sheets(path)
    about = {row[0]: row[1] for row in _cells(sheets["About"], 2, 2) if row[0]}
    kpis = []
    for code, _, first, second in _cells(sheets["KPIs"], 3, 4):
        if code is None:
            continue
        for tier, value in (("1", first), ("2", second)):
            kpis.append((str(code).strip(), tier, None if value in (None, "") else float(value)))
    return about, kpis, _cells(sheets["Vacancies"], 2, 12), _cells(sheets["Workforce"], 2, 8)


def read_hr_returns(raw: Path) -> HrReturns:
    returns, kpis, vacancies, workforce = [], [], [], []
    for path in sorted((raw / "hr_returns").glob("*/*.xlsx")):
        m = RETURN_NAME.match(path.name)
        if not m:
            continue
        about, k, v, w = read_hr_return(path)
        file = str(path.relative_to(raw))
        returns.append(
            {
                "file": file,
                "la_code": _text(about.get("DfE LA code")),
                "quarter": _text(about.get("Quarter")),
                "name_la": m["la"],
                "name_quarter": m["quarter"].replace("_", " "),
                "version": int(m["version"] or 1),
                "date_submitted": _as_date(about.get("Date submitted")),
            }
        )
        kpis += [(file, *row) for row in k]
        vacancies += [[file, *row] for row in v]
        workforce += [[file, *row] for row in w]
    vac = pd.DataFrame(vacancies, columns=["file", *VACANCY_COLUMNS])
    for col in DATE_COLUMNS:
        vac[col] = vac[col].map(_as_date)
    for col in ("campaign_ref", "post_ref", "tier", "outcome", "appointee_background"):
        vac[col] = vac[col].map(_text)
    for col in ("applicants", "shortlisted"):
        vac[col] = pd.to_numeric(vac[col], errors="raise").astype("Float64")
    wf = pd.DataFrame(workforce, columns=["file", *WORKFORCE_COLUMNS])
    for col in WORKFORCE_COLUMNS:
        if col != "years_in_post":
            wf[col] = wf[col].map(_text)
    return HrReturns(pd.DataFrame(returns), pd.DataFrame(kpis, columns=["file", "indicator", "tier", "value"]), vac, wf)


# --- programme records ------------------------------------------------------------------------

PROGRAMME_TABLES = ["activities", "attendance", "feedback", "skills_audit", "career_events", "grant_ledger"]


def _read_table(folder: Path, stem: str) -> pd.DataFrame | None:
    csv_path, xlsx_path = folder / f"{stem}.csv", folder / f"{stem}.xlsx"
    if csv_path.exists():
        return pd.read_csv(csv_path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    if xlsx_path.exists():
        return pd.read_excel(xlsx_path, dtype=str, keep_default_na=False)
    return None


def read_programme(raw: Path) -> dict[str, pd.DataFrame]:
    """Every programme table over all regions and quarters, with region_code and quarter."""
    frames: dict[str, list[pd.DataFrame]] = {t: [] for t in PROGRAMME_TABLES}
    for folder in sorted((raw / "programme").glob("E12*/*_Q?")):
        region, quarter = folder.parent.name, folder.name.replace("_", " ")
        for table in PROGRAMME_TABLES:
            df = _read_table(folder, table)
            if df is not None and len(df):
                frames[table].append(df.assign(region_code=region, quarter=quarter))
    # the lead's narrative is a record too: a quarter with only a narrative is a programme quarter
    narratives = [
        (f.parent.name, f.name.replace("_", " "))
        for f in sorted((raw / "programme").glob("E12*/*_Q?"))
        if (f / "narrative.md").exists() and (f / "narrative.md").read_text(encoding="utf-8-sig").strip()
    ]
    frames["narrative"] = [pd.DataFrame(narratives, columns=["region_code", "quarter"])]
    out = {}
    for table, dfs in frames.items():
        df = pd.concat(dfs, ignore_index=True) if dfs else pd.DataFrame(columns=["region_code", "quarter"])
        out[table] = df.apply(lambda s: s.str.strip() if s.dtype == object else s)
    return out


def money(text: str) -> Fraction:
    """Pounds as written ('2,937.38'), exactly."""
    return Fraction(str(text).replace(",", "").strip())


def load_yaml(path: Path):
    """Safe YAML (the C loader when PyYAML has it: a national point has hundreds of plans)."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def read_plans(raw: Path) -> list[dict]:
    return [load_yaml(p) for p in sorted((raw / "programme").glob("E12*/plan_*.yaml"))]


# --- survey exports ---------------------------------------------------------------------------

_FOLD = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-", "\u00a0": " "}
)


def fold(text) -> str:
    """Compare labels as the contract says: curly quotes, dashes and odd spaces folded, any case."""
    text = unicodedata.normalize("NFC", str(text)).translate(_FOLD)
    return re.sub(r"\s+", " ", text).strip().casefold()


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value)) or str(value).strip() == ""


def read_survey_export(path: Path) -> tuple[list, list, list[list]]:
    """Row 1 (question headers), row 2 (sub-headers) and the responses, as cell values."""
    if path.suffix == ".csv":
        data = path.read_bytes()
        for enc in ("utf-8-sig", "cp1252", "latin-1"):
            try:
                text = data.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        rows = [r for r in csv.reader(io.StringIO(text, newline=""))]
    else:
        rows = next(iter(xlsx.read_sheets(path, first_only=True).values()), [])
    rows = [r for r in rows if any(not _blank(c) for c in r)] if rows else rows
    width = max(len(r) for r in rows)
    rows = [list(r) + [None] * (width - len(r)) for r in rows]
    return rows[0], rows[1], rows[2:]


def read_survey_waves(raw: Path) -> list[tuple[dict, list[Path]]]:
    waves = []
    for folder in sorted((raw / "survey").glob("*_W*")):
        instrument = load_yaml(folder / "instrument.yaml")
        exports = sorted(p for p in folder.iterdir() if p.suffix in (".csv", ".xlsx"))
        waves.append((instrument, exports))
    return waves
