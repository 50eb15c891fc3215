"""Contract for the quarterly HR return workbook (one per LA per quarter).

This module is the single definition of the workbook: the template writer
(`succession.templates.hr_return`), the sample-data generator and ingestion
(`succession.ingest.hr_returns`) all read their sheet names, headers, codes and
rules from here. The human-readable version is `contracts/hr_return.md`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa

from contracts.rules import row_rule
from contracts.tables import Column, Table

FILE_PATTERN = r"^(?P<la>\d{3})_(?P<quarter>\d{4}-\d{2}_Q[1-4])(?:_v(?P<version>\d+))?\.xlsx$"
"""Returns are named ``<DfE LA code>_<quarter key>.xlsx``; a resubmission adds ``_v2``, ``_v3`` ..."""

SOURCE = "hr_returns"


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str
    cell: str  # the value cell on the About sheet
    personal: bool = False  # read for nothing, never leaves the workbook


TIERS = ("1", "2")
TIER_LABELS = {"1": "First tier (DCS)", "2": "Second tier (assistant director)", "3": "Third tier (head of service)"}
OUTCOMES = (
    "in progress",
    "filled permanently",
    "filled on an interim basis",
    "not filled",
    "readvertised",
    "withdrawn",
)
NOT_FILLED_PERMANENTLY = ("filled on an interim basis", "not filled", "readvertised", "withdrawn")
BACKGROUNDS = ("internal", "other LA", "health", "third sector", "other")
AGE_BANDS = ("under 35", "35-44", "45-54", "55-59", "60 and over", "prefer not to say")
GENDERS = ("female", "male", "other", "prefer not to say")
ETHNIC_GROUPS = ("White", "Mixed", "Asian", "Black", "Other", "prefer not to say")
YES_NO = ("yes", "no")

ABOUT_SHEET = "About"
ABOUT_FIELDS: tuple[Field, ...] = (
    Field("la_code", "DfE LA code", "code", "B2"),
    Field("la_name", "Local authority", "text", "B3"),
    Field("quarter", "Quarter", "text", "B4"),
    Field("contact_name", "Contact name", "text", "B5", personal=True),
    Field("contact_email", "Contact e-mail", "text", "B6", personal=True),
    Field("date_submitted", "Date submitted", "date", "B7"),
)

KPIS_SHEET = "KPIs"
KPI_FIRST_ROW = 3  # row 2 holds the tier headers
KPI_TIER_COLUMNS = {"1": "C", "2": "D"}
KPI_INDICATORS: tuple[tuple[str, str], ...] = (
    ("vacancies", "Number of vacancies"),
    ("posts_advertised", "Number of posts advertised"),
    ("avg_applicants", "Average number of applicants per post"),
    ("avg_shortlisted", "Average number of shortlisted candidates per post"),
    ("filled_permanent", "Number of posts filled on a permanent basis"),
    ("advertised_not_filled", "Number advertised but not filled on a permanent basis"),
    ("readvertised", "Number of posts readvertised"),
    ("active_contacts", "Number of active contacts re succession planning"),
)

VACANCIES = Table(
    name="vacancies",
    sheet="Vacancies",
    key=("campaign_ref",),
    columns=(
        Column(
            "campaign_ref",
            "text",
            header="Campaign reference",
            help="Your reference for this recruitment campaign; the same on every return that lists it.",
        ),
        Column(
            "post_ref",
            "text",
            header="Post reference",
            help="Your reference for the post; the same for every campaign to fill it.",
        ),
        Column("post_title", "text", header="Post title"),
        Column("tier", "code", header="Tier", codes=TIERS, help="1 = DCS, 2 = assistant director"),
        Column("vacancy_arose", "date", header="Date vacancy arose"),
        Column("advert_opened", "date", header="Advert opened", required=False),
        Column("advert_closed", "date", header="Closing date", required=False),
        Column("applicants", "integer", header="Applicants", required=False),
        Column("shortlisted", "integer", header="Shortlisted", required=False),
        Column("outcome", "code", header="Outcome", codes=OUTCOMES),
        Column("appointee_background", "code", header="Appointee background", required=False, codes=BACKGROUNDS),
        Column("date_filled", "date", header="Date filled", required=False),
    ),
)

WORKFORCE = Table(
    name="workforce",
    sheet="Workforce",
    key=("post_ref",),
    columns=(
        Column("post_ref", "text", header="Post reference"),
        Column("tier", "code", header="Tier", codes=("1", "2", "3")),
        Column("age_band", "code", header="Age band", codes=AGE_BANDS),
        Column("gender", "code", header="Gender", codes=GENDERS),
        Column("ethnic_group", "code", header="Ethnic group", codes=ETHNIC_GROUPS),
        Column("years_in_post", "integer", header="Years in post"),
        Column("interim_or_agency", "code", header="Interim or agency", codes=YES_NO),
        Column("retiring_within_two_years", "code", header="Expected to retire within two years", codes=YES_NO),
    ),
)

TABLE_SHEETS = (VACANCIES, WORKFORCE)
SHEETS = (ABOUT_SHEET, KPIS_SHEET, VACANCIES.sheet, WORKFORCE.sheet)


# --- pandera models: what a validated row is -------------------------------------------

_NULLABLE_INT = pd.Int64Dtype()


def _column_schema(col: Column) -> pa.Column:
    checks = []
    if col.kind == "code":
        checks.append(pa.Check.isin(list(col.codes), error=f"one of: {', '.join(col.codes)}"))
    if col.kind == "integer":
        checks.append(pa.Check.ge(0, error="a whole number of 0 or more"))
        return pa.Column(_NULLABLE_INT, checks, nullable=not col.required, coerce=True, required=True)
    if col.kind == "date":
        return pa.Column("datetime64[ns]", checks, nullable=not col.required, coerce=True)
    return pa.Column(str, checks, nullable=not col.required, coerce=True)


def _table_schema(sheet: Table, checks: list[pa.Check]) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {c.name: _column_schema(c) for c in sheet.columns},
        checks=checks,
        strict=False,  # lineage columns ride along
        name=sheet.name,
    )


VACANCIES_SCHEMA = _table_schema(
    VACANCIES,
    checks=[
        row_rule(
            "shortlisted_le_applicants",
            lambda df: df["shortlisted"].isna() | df["applicants"].isna() | (df["shortlisted"] <= df["applicants"]),
            "shortlisted ({shortlisted}) exceeds applicants ({applicants})",
            "shortlisted",
        ),
        row_rule(
            "closed_after_opened",
            lambda df: (
                df["advert_closed"].isna() | df["advert_opened"].isna() | (df["advert_closed"] >= df["advert_opened"])
            ),
            "closing date ({advert_closed}) is before the advert opened ({advert_opened})",
            "advert_closed",
        ),
        row_rule(
            "opened_after_arose",
            lambda df: (
                df["advert_opened"].isna() | (df["advert_opened"] >= df["vacancy_arose"] - pd.Timedelta(days=183))
            ),
            "advert opened ({advert_opened}) more than six months before the vacancy arose ({vacancy_arose})",
            "advert_opened",
        ),
        row_rule(
            "filled_after_arose",
            lambda df: df["date_filled"].isna() | (df["date_filled"] >= df["vacancy_arose"]),
            "date filled ({date_filled}) is before the vacancy arose ({vacancy_arose})",
            "date_filled",
        ),
        row_rule(
            "filled_has_date",
            lambda df: (
                ~df["outcome"].isin(["filled permanently", "filled on an interim basis"]) | df["date_filled"].notna()
            ),
            "outcome {outcome!s} needs the date filled",
            "date_filled",
        ),
        row_rule(
            "permanent_has_background",
            lambda df: (df["outcome"] != "filled permanently") | df["appointee_background"].notna(),
            "a permanent appointment needs the appointee's background",
            "appointee_background",
        ),
        row_rule(
            "plausible_dates",
            lambda df: df["vacancy_arose"] >= pd.Timestamp("2000-01-01"),
            "date vacancy arose ({vacancy_arose}) is before 2000",
            "vacancy_arose",
        ),
    ],
)

WORKFORCE_SCHEMA = _table_schema(
    WORKFORCE,
    checks=[
        row_rule(
            "years_plausible",
            lambda df: df["years_in_post"] <= 50,
            "years in post ({years_in_post}) over 50",
            "years_in_post",
        )
    ],
)

KPIS_SCHEMA = pa.DataFrameSchema(
    {
        "indicator": pa.Column(str, pa.Check.isin([k for k, _ in KPI_INDICATORS])),
        "tier": pa.Column(str, pa.Check.isin(list(TIERS))),
        "value": pa.Column(float, pa.Check.ge(0, error="a number of 0 or more"), nullable=True, coerce=True),
    },
    strict=False,
    name="kpis",
)


def _is_financial_quarter(labels: pd.Series) -> pd.Series:
    """``2024-25 Q1``: a financial year (the second year follows the first) and its quarter."""
    from succession.periods import FinancialQuarter

    def ok(label: object) -> bool:
        try:
            return isinstance(label, str) and FinancialQuarter.parse(label).label == label
        except ValueError:
            return False

    return labels.map(ok).astype(bool)


ABOUT_SCHEMA = pa.DataFrameSchema(
    {
        "la_code": pa.Column(str, pa.Check.str_matches(r"^\d{3}$", error="a three-digit DfE LA code")),
        "quarter": pa.Column(str, pa.Check(_is_financial_quarter, error="a quarter like 2024-25 Q1")),
        "date_submitted": pa.Column("datetime64[ns]", coerce=True),
    },
    strict=False,
    name="about",
)

SCHEMAS: dict[str, pa.DataFrameSchema] = {
    "about": ABOUT_SCHEMA,
    "kpis": KPIS_SCHEMA,
    "vacancies": VACANCIES_SCHEMA,
    "workforce": WORKFORCE_SCHEMA,
}
