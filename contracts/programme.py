"""Contract for the regional programme's own records (kept by the regional lead).

One definition of every record: ingestion (`succession.ingest.programme`), the sample
generator (`succession.sample_data.programme`) and the dbt staging models use these names.
The human-readable version is `contracts/programme.md`.

Layout under ``raw/programme/``::

    <region code>/<quarter key>/activities.csv      (or .xlsx, first sheet)
    <region code>/<quarter key>/attendance.csv
    <region code>/<quarter key>/feedback.csv
    <region code>/<quarter key>/skills_audit.csv
    <region code>/<quarter key>/career_events.csv
    <region code>/<quarter key>/grant_ledger.csv
    <region code>/<quarter key>/narrative.md
    <region code>/<quarter key>/aspirant_dcs.csv          (framework: promote the Aspirant DCS programme)
    <region code>/<quarter key>/participant_profiles.csv  (framework: promote leadership diversity)
    <region code>/<quarter key>/la_support.csv            (framework: support LAs' talent-management culture)
    <region code>/<quarter key>/sign_off.csv              (the quarterly return's data date and sign-off)
    <region code>/plan_<financial year>.yaml      e.g. plan_2024-25.yaml

Rows of a quarter's files are dated within that quarter. No names of people anywhere:
participants are pseudonymous ids (``P-0012``) assigned by the lead.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from contracts.programme_codes import (
    ACTIVITY_TYPES,
    ASPIRANT_ROUTES,
    ASPIRANT_STATUSES,
    AUDITS,
    BUDGET_LINES,
    CAREER_BACKGROUNDS,
    CAREER_EVENTS,
    COMPETENCIES,
    ETHNIC_GROUPS,
    FIRST_GENERATION,
    GENDERS,
    LA_SUPPORT_TYPES,
    LEDGER_ENTRIES,
    MILESTONE_STATUSES,
    QUARTERS,
    STAKEHOLDER_PARTS,
    STAKEHOLDERS,
    TARGET_DIRECTIONS,
    TIERS,
)
from contracts.rules import row_rule
from contracts.tables import Column, Table
from succession.reference import local_authorities, regions

SOURCE = "programme"
PLAN_SOURCE = "programme_plan"

QUARTER_FOLDER = r"^\d{4}-\d{2}_Q[1-4]$"
PLAN_FILE = r"^plan_(?P<year>\d{4}-\d{2})\.yaml$"
PARTICIPANT_ID = r"^P-\d{4}$"

# indicators a plan may set targets for, with their evaluation level and unit
INDICATORS = {
    "mean_rating": (1, "score"),
    "response_rate": (1, "percent"),
    "skill_gain": (2, "score"),
    "audit_coverage": (2, "percent"),
    "applied": (3, "count"),
    "appointed": (3, "count"),
    "acting_up": (3, "count"),
    "permanent_fill_rate": (4, "percent"),
    "readvertisement_rate": (4, "percent"),
    "time_to_fill": (4, "days"),
    "interim_cover_rate": (4, "percent"),
    "filled_permanent": (4, "count"),
    "readvertised": (4, "count"),
}


def _la_codes() -> tuple[str, ...]:
    return tuple(sorted(local_authorities()))


ACTIVITIES = Table(
    "activities",
    key=("activity_id",),
    columns=(
        Column("activity_id", "text", help="the lead's reference, unique in the region, e.g. A-2024-25-Q1-03"),
        Column("activity_type", "code", codes=ACTIVITY_TYPES),
        Column("title", "text", help="what it was (no names of people)"),
        Column("start_date", "date"),
        Column("end_date", "date"),
        Column("provider", "text", help="organisation delivering it"),
        Column("budget_line", "code", codes=tuple(BUDGET_LINES)),
        Column("cost_gbp", "number", help="cost charged to the grant in the quarter, pounds"),
    ),
)
ATTENDANCE = Table(
    "attendance",
    key=("activity_id", "participant_id"),
    columns=(
        Column("activity_id", "text"),
        Column("participant_id", "text", help="pseudonymous id, P-0012"),
        Column("la_code", "code", help="participant's employing LA, DfE three-digit code"),
        Column("tier", "code", codes=TIERS, help="participant's current tier: 1 DCS, 2 AD, 3 head of service"),
        Column("attended_date", "date"),
    ),
)
FEEDBACK = Table(
    "feedback",
    key=("activity_id", "participant_id"),
    columns=(
        Column("activity_id", "text"),
        Column("participant_id", "text"),
        Column("feedback_date", "date"),
        Column("rating", "integer", help="overall rating 1 (poor) to 5 (excellent)"),
    ),
)
SKILLS_AUDIT = Table(
    "skills_audit",
    key=("participant_id", "audit"),
    columns=(
        Column("participant_id", "text"),
        Column("audit", "code", codes=AUDITS),
        Column("audit_date", "date"),
        *(
            Column(c, "integer", required=False, help=f"self-assessed {label.lower()}, 1-5 (blank: not answered)")
            for c, label in COMPETENCIES.items()
        ),
    ),
)
CAREER_EVENTS_TABLE = Table(
    "career_events",
    columns=(
        Column("participant_id", "text"),
        Column("event_date", "date"),
        Column("event_type", "code", codes=CAREER_EVENTS),
        Column("tier", "code", codes=TIERS, help="tier of the post concerned"),
        Column("la_from", "code", required=False, help="LA before (DfE code)"),
        Column("la_to", "code", required=False, help="LA of the post applied for / moved to (DfE code)"),
    ),
)
GRANT_LEDGER = Table(
    "grant_ledger",
    key=("entry_ref",),
    columns=(
        Column("entry_ref", "text", help="ledger reference, e.g. GL-2024-25-017"),
        Column("entry_date", "date"),
        Column("entry_type", "code", codes=LEDGER_ENTRIES),
        Column("budget_line", "code", required=False, codes=tuple(BUDGET_LINES), help="blank for grant received"),
        Column("amount_gbp", "number"),
        Column("description", "text", required=False),
    ),
)

ASPIRANT_DCS = Table(
    "aspirant_dcs",
    key=("participant_id", "status"),
    columns=(
        Column(
            "participant_id", "text", help="pseudonymous id, P-0012 (the same id as in attendance when a participant)"
        ),
        Column("la_code", "code", help="employing LA, DfE three-digit code"),
        Column("tier", "code", codes=TIERS, help="current tier: 2 AD or 3 head of service"),
        Column("event_date", "date"),
        Column("status", "code", codes=ASPIRANT_STATUSES, help="the step reached on that date"),
        Column("route", "code", codes=ASPIRANT_ROUTES, help="how the region brought the person to the programme"),
    ),
)
PARTICIPANT_PROFILES = Table(
    "participant_profiles",
    key=("participant_id",),
    columns=(
        Column("participant_id", "text"),
        Column("profile_date", "date", help="date the enrolment form was completed"),
        Column("career_background", "code", codes=CAREER_BACKGROUNDS, help="main professional background"),
        Column("gender", "code", codes=GENDERS),
        Column("ethnic_group", "code", codes=ETHNIC_GROUPS, help="ONS 2021 high-level groups"),
        Column("first_generation", "code", codes=FIRST_GENERATION, help="first in the family to go to university"),
    ),
)
LA_SUPPORT = Table(
    "la_support",
    columns=(
        Column("la_code", "code", help="the LA supported, DfE three-digit code"),
        Column("support_date", "date"),
        Column("support_type", "code", codes=LA_SUPPORT_TYPES),
        Column(
            "opportunities_created", "integer", help="development opportunities created for the LA's staff (0 or more)"
        ),
    ),
)
SIGN_OFF = Table(
    "sign_off",
    key=("data_as_at",),
    columns=(
        Column("data_as_at", "date", help="the date the quarter's data were taken (the return is 'as at' this date)"),
        Column("produced", "date", help="the date the lead produced the quarterly return"),
        Column(
            "signed_off_by", "text", help="the post that signed the return off, e.g. Regional DCS sponsor (no names)"
        ),
        Column("signed_off_date", "date", required=False, help="blank until signed off"),
    ),
)

QUARTER_TABLES = (
    ACTIVITIES,
    ATTENDANCE,
    FEEDBACK,
    SKILLS_AUDIT,
    CAREER_EVENTS_TABLE,
    GRANT_LEDGER,
    ASPIRANT_DCS,
    PARTICIPANT_PROFILES,
    LA_SUPPORT,
    SIGN_OFF,
)
TABLE_OF_FILE = {t.name: t for t in QUARTER_TABLES}
NARRATIVE_FILE = "narrative.md"
# the date column of each table that must fall within the folder's quarter (the sign-off is
# made after the quarter ends: its own rules below)
DATE_IN_QUARTER = {
    "activities": "start_date",
    "attendance": "attended_date",
    "feedback": "feedback_date",
    "skills_audit": "audit_date",
    "career_events": "event_date",
    "grant_ledger": "entry_date",
    "aspirant_dcs": "event_date",
    "participant_profiles": "profile_date",
    "la_support": "support_date",
}


# --- pandera ----------------------------------------------------------------------------


def _col(c: Column, extra: list[pa.Check] | None = None) -> pa.Column:
    checks: list[pa.Check] = list(extra or [])
    if c.kind == "code":
        codes = c.codes or _la_codes()
        msg = "one of the 153 DfE LA codes" if not c.codes else f"one of: {', '.join(codes)}"
        checks.append(pa.Check.isin(list(codes), error=msg))
        return pa.Column(str, checks, nullable=not c.required, coerce=True)
    if c.kind == "integer":
        return pa.Column(pd.Int64Dtype(), checks, nullable=not c.required, coerce=True)
    if c.kind == "number":
        return pa.Column(float, checks, nullable=not c.required, coerce=True)
    if c.kind == "date":
        return pa.Column("datetime64[ns]", checks, nullable=not c.required, coerce=True)
    return pa.Column(str, checks, nullable=not c.required, coerce=True)


def _place_columns() -> dict[str, pa.Column]:
    return {
        "region_code": pa.Column(str, pa.Check.isin(list(regions()), error="an ONS region code (E12...)")),
        "quarter": pa.Column(str, pa.Check.str_matches(r"^\d{4}-\d{2} Q[1-4]$", error="a quarter like 2024-25 Q1")),
    }


def _in_quarter(table: str) -> pa.Check:
    col = DATE_IN_QUARTER[table]
    return row_rule(
        f"{table}_{col}_in_quarter",
        lambda df: df[col].isna() | ((df[col] >= df["quarter_start"]) & (df[col] <= df["quarter_end"])),
        f"{col} ({{{col}}}) is outside the folder's quarter {{quarter}} ({{quarter_start}} to {{quarter_end}})",
        col,
    )


def _schema(
    t: Table, checks: list[pa.Check], column_checks: dict[str, list[pa.Check]] | None = None
) -> pa.DataFrameSchema:
    cols = {c.name: _col(c, (column_checks or {}).get(c.name)) for c in t.columns}
    return pa.DataFrameSchema({**cols, **_place_columns()}, checks=checks, strict=False, name=t.name)


_PID = [pa.Check.str_matches(PARTICIPANT_ID, error="a pseudonymous id like P-0012")]
_NON_NEG = [pa.Check.ge(0, error="0 or more")]
_POSITIVE = [pa.Check.gt(0, error="more than 0")]
_RATING = [pa.Check.in_range(1, 5, error="a whole number from 1 to 5")]

SCHEMAS: dict[str, pa.DataFrameSchema] = {
    "activities": _schema(
        ACTIVITIES,
        [
            _in_quarter("activities"),
            row_rule(
                "activity_end_after_start",
                lambda df: df["end_date"] >= df["start_date"],
                "end date ({end_date}) is before the start date ({start_date})",
                "end_date",
            ),
        ],
        {"cost_gbp": _NON_NEG},
    ),
    "attendance": _schema(ATTENDANCE, [_in_quarter("attendance")], {"participant_id": _PID}),
    "feedback": _schema(FEEDBACK, [_in_quarter("feedback")], {"participant_id": _PID, "rating": _RATING}),
    "skills_audit": _schema(
        SKILLS_AUDIT, [_in_quarter("skills_audit")], {"participant_id": _PID, **{c: _RATING for c in COMPETENCIES}}
    ),
    "career_events": _schema(
        CAREER_EVENTS_TABLE,
        [
            _in_quarter("career_events"),
            row_rule(
                "move_names_both_las",
                lambda df: (
                    ~df["event_type"].isin(["moved authority", "secondment"])
                    | (df["la_from"].notna() & df["la_to"].notna())
                ),
                "a {event_type} needs both the LA moved from and the LA moved to",
                "la_to",
            ),
        ],
        {"participant_id": _PID},
    ),
    "grant_ledger": _schema(
        GRANT_LEDGER,
        [
            _in_quarter("grant_ledger"),
            row_rule(
                "spend_has_budget_line",
                lambda df: (df["entry_type"] != "spent") | df["budget_line"].notna(),
                "money spent needs a budget line",
                "budget_line",
            ),
        ],
        {"amount_gbp": _POSITIVE},
    ),
    "aspirant_dcs": _schema(ASPIRANT_DCS, [_in_quarter("aspirant_dcs")], {"participant_id": _PID}),
    "participant_profiles": _schema(
        PARTICIPANT_PROFILES, [_in_quarter("participant_profiles")], {"participant_id": _PID}
    ),
    "la_support": _schema(LA_SUPPORT, [_in_quarter("la_support")], {"opportunities_created": _NON_NEG}),
    "sign_off": _schema(
        SIGN_OFF,
        [
            row_rule(
                "as_at_not_before_quarter",
                lambda df: df["data_as_at"] >= df["quarter_end"],
                "data_as_at ({data_as_at}) is before the end of the quarter {quarter} ({quarter_end}): a return covers the whole quarter",
                "data_as_at",
            ),
            row_rule(
                "produced_after_as_at",
                lambda df: df["produced"] >= df["data_as_at"],
                "produced ({produced}) is before the data's as-at date ({data_as_at})",
                "produced",
            ),
            row_rule(
                "signed_off_after_produced",
                lambda df: df["signed_off_date"].isna() | (df["signed_off_date"] >= df["produced"]),
                "signed_off_date ({signed_off_date}) is before the return was produced ({produced})",
                "signed_off_date",
            ),
        ],
    ),
    "narrative": pa.DataFrameSchema(
        {
            "paragraph": pa.Column(pd.Int64Dtype(), coerce=True),
            "kind": pa.Column(str, pa.Check.isin(["heading", "paragraph"])),
            "text": pa.Column(str, coerce=True),
            **_place_columns(),
        },
        strict=False,
        name="narrative",
    ),
}

# --- the plan (YAML) ------------------------------------------------------------------------

_FY = pa.Check.str_matches(r"^\d{4}-\d{2}$", error="a financial year like 2024-25")
PLAN_SCHEMAS: dict[str, pa.DataFrameSchema] = {
    "plan": pa.DataFrameSchema(
        {
            "region_code": pa.Column(str, pa.Check.isin(list(regions()), error="an ONS region code (E12...)")),
            "financial_year": pa.Column(str, _FY),
            "grant_gbp": pa.Column(float, pa.Check.gt(0, error="more than 0"), coerce=True),
        },
        strict=False,
        name="plan",
    ),
    "plan_budget": pa.DataFrameSchema(
        {
            "region_code": pa.Column(str),
            "financial_year": pa.Column(str, _FY),
            "budget_line": pa.Column(
                str, pa.Check.isin(list(BUDGET_LINES), error=f"one of: {', '.join(BUDGET_LINES)}")
            ),
            "label": pa.Column(str, nullable=True, coerce=True),
            "quarter_number": pa.Column(str, pa.Check.isin(list(QUARTERS))),
            "planned_gbp": pa.Column(float, pa.Check.ge(0, error="0 or more"), coerce=True),
        },
        strict=False,
        name="plan_budget",
    ),
    "plan_milestones": pa.DataFrameSchema(
        {
            "region_code": pa.Column(str),
            "financial_year": pa.Column(str, _FY),
            "milestone_id": pa.Column(str, coerce=True),
            "milestone": pa.Column(str, coerce=True),
            "due_date": pa.Column("datetime64[ns]", coerce=True),
            "status": pa.Column(
                str, pa.Check.isin(list(MILESTONE_STATUSES), error=f"one of: {', '.join(MILESTONE_STATUSES)}")
            ),
            "completed_date": pa.Column("datetime64[ns]", nullable=True, coerce=True),
        },
        checks=[
            row_rule(
                "complete_has_date",
                lambda df: (df["status"] != "complete") | df["completed_date"].notna(),
                "milestone {milestone_id} is complete but has no completed date",
                "completed_date",
            ),
        ],
        strict=False,
        name="plan_milestones",
    ),
    "plan_targets": pa.DataFrameSchema(
        {
            "region_code": pa.Column(str),
            "financial_year": pa.Column(str, _FY),
            "indicator": pa.Column(str, pa.Check.isin(list(INDICATORS), error=f"one of: {', '.join(INDICATORS)}")),
            "baseline": pa.Column(float, nullable=True, coerce=True),
            "target": pa.Column(float, coerce=True),
            "direction": pa.Column(str, pa.Check.isin(list(TARGET_DIRECTIONS), error="higher or lower")),
        },
        strict=False,
        name="plan_targets",
    ),
    # who leads and sponsors the plan (posts and employing LAs, never names) and when it was agreed
    "plan_governance": pa.DataFrameSchema(
        {
            "region_code": pa.Column(str),
            "financial_year": pa.Column(str, _FY),
            "lead_post": pa.Column(
                str, pa.Check.str_length(3, 200, error="the lead's post, 3 to 200 characters"), coerce=True
            ),
            "lead_la": pa.Column(
                str, pa.Check.isin(list(_la_codes()), error="one of the 153 DfE LA codes"), coerce=True
            ),
            "sponsor_post": pa.Column(
                str, pa.Check.str_length(3, 200, error="the sponsor's post, 3 to 200 characters"), coerce=True
            ),
            "sponsor_la": pa.Column(
                str, pa.Check.isin(list(_la_codes()), error="one of the 153 DfE LA codes"), coerce=True
            ),
            "agreed_date": pa.Column("datetime64[ns]", coerce=True),
        },
        strict=False,
        name="plan_governance",
    ),
    # stakeholders' part in setting the plan's targets
    "plan_target_setting": pa.DataFrameSchema(
        {
            "region_code": pa.Column(str),
            "financial_year": pa.Column(str, _FY),
            "stakeholder": pa.Column(
                str, pa.Check.isin(list(STAKEHOLDERS), error=f"one of: {', '.join(STAKEHOLDERS)}")
            ),
            "part": pa.Column(
                str, pa.Check.isin(list(STAKEHOLDER_PARTS), error=f"one of: {', '.join(STAKEHOLDER_PARTS)}")
            ),
            "meeting_date": pa.Column("datetime64[ns]", coerce=True),
        },
        strict=False,
        name="plan_target_setting",
    ),
}
