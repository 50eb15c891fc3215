"""Sample quarterly HR returns: one workbook per LA per quarter, written with the template.

``generate(raw_dir, spec)`` writes ``raw_dir/hr_returns/<quarter key>/<la>_<quarter key>.xlsx``
for every LA and quarter in ``spec`` and returns the paths written.

How the data are made
---------------------
Each LA has a stable establishment: one first-tier post (DCS, ``867-DCS-01``), 2-6
second-tier posts (assistant directors, ``867-AD-03``; county councils, E10, have the
most) and 5-15 third-tier posts (heads of service, ``867-HOS-07``). The generator
simulates each LA from a burn-in period before the first quarter onwards, quarter by
quarter: post-holders leave (each quarter about 3.5 % for a DCS, 5.5 % for an AD, plus
retirement at an age drawn for each person), and a first or second tier departure opens a
vacancy: interim cover (always for a DCS, usually for an AD), then recruitment campaigns
(advert a few weeks after the vacancy arose, closing 3-5 weeks later, applicants 0-15,
fewer for DCS posts, shortlist, decision 1-6 weeks after closing). A campaign ends filled
permanently, filled on an interim basis, not filled, readvertised or withdrawn; any outcome
but a permanent appointment leads to a further campaign (new campaign reference, same post
reference) until the post is filled permanently. Third-tier posts are refilled without
campaigns (they appear only on the Workforce sheet).

Each return lists every campaign of every vacancy that was open at some time in its
quarter (so a campaign appears on several returns, ``in progress`` until decided), showing
only what was known at the quarter end: no date after the quarter end appears on a return.
The KPIs sheet is computed from the return's own Vacancies rows by
:func:`kpis_from_vacancies` (plus a made-up number of active contacts), except in the
deliberate mismatches below. The Workforce sheet lists every current tier 1-3 post-holder
at the quarter end, interim cover included. Contact names and e-mails are fake
(``Jordan Example``, ``jordan.example@bracknell-forest.example.gov.uk``) so the pipeline's
personal-data scan has something to drop.

Deliberate oddities (with ``spec.oddities``; LA code and quarter key)
---------------------------------------------------------------------
* :data:`MISSING_RETURN`: no file at all for that LA and quarter;
* :data:`LATE_RETURN`: submitted well after the deadline (quarter end + 30 days); all
  other returns are submitted 10-28 days after the quarter end;
* :data:`RESUBMITTED_RETURN`: ``<la>_<q>.xlsx`` and a corrected ``<la>_<q>_v2.xlsx``
  submitted later (both by the deadline, so only :data:`LATE_RETURN` is late); the first version overstates the applicants on one Vacancies row
  (:data:`RESUBMISSION_CORRECTION`), the second has the right value;
* :data:`KPI_MISMATCHES`: KPIs-sheet values that disagree by one with the return's own
  Vacancies rows;
* blank optional cells: applicants left blank on some campaigns whose advert was still
  open at the quarter end, and the appointee's background left blank for interim
  appointments.

These are the bundled sample's choices (South East, 2023-24 Q1 to 2024-25 Q4). For another
spec that lacks one of those LAs or quarters, :func:`oddity_plan` picks a stand-in by
position so a national run has the same kinds of oddity.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from contracts.hr_return import FILE_PATTERN, NOT_FILLED_PERMANENTLY, SOURCE, TIERS
from succession.periods import FinancialQuarter, return_deadline_days
from succession.reference import LocalAuthority
from succession.templates.hr_return import return_filename, write_hr_return

__all__ = [
    "KPI_MISMATCHES",
    "LATE_RETURN",
    "MISSING_RETURN",
    "RESUBMISSION_CORRECTION",
    "RESUBMITTED_RETURN",
    "OddityPlan",
    "generate",
    "kpis_from_vacancies",
    "oddity_plan",
]

# --- the bundled sample's oddities (LA code, quarter key) -----------------------------------

MISSING_RETURN: tuple[str, str] = ("921", "2024-25_Q2")
"""Isle of Wight sent no return for 2024-25 Q2."""

LATE_RETURN: tuple[str, str] = ("871", "2023-24_Q3")
"""Slough's 2023-24 Q3 return was submitted after the deadline (:data:`LATE_DAYS` after quarter end)."""

RESUBMITTED_RETURN: tuple[str, str] = ("931", "2024-25_Q1")
"""Oxfordshire sent ``931_2024-25_Q1.xlsx`` and then a corrected ``931_2024-25_Q1_v2.xlsx``."""

RESUBMISSION_CORRECTION = ("Vacancies", "applicants")
"""The sheet and column corrected in the resubmission: the first version overstates the value
by :data:`RESUBMISSION_ERROR` on one row (the first listed campaign with applicants whose advert
did not close in the quarter, so the KPIs sheet is the same in both versions). If a stand-in
return has no such row, the first Workforce row's years in post is overstated instead."""
RESUBMISSION_ERROR = 10

KPI_MISMATCHES: tuple[tuple[str, str, str, str, int], ...] = (
    ("850", "2023-24_Q4", "vacancies", "2", +1),
    ("869", "2024-25_Q3", "posts_advertised", "2", +1),
    ("936", "2024-25_Q2", "readvertised", "2", +1),
)
"""(LA, quarter key, indicator, tier, amount): the KPIs sheet reports the value computed
from the return's own Vacancies rows plus ``amount``."""

LATE_DAYS = (50, 80)  # a late return arrives this many days after the quarter end
ON_TIME_DAYS = (10, 28)
RESUBMIT_AFTER_DAYS = (7, 21)  # the correction follows the first version, still by the deadline
SUBMISSION_DEADLINE_DAYS = return_deadline_days()
assert ON_TIME_DAYS[1] <= SUBMISSION_DEADLINE_DAYS < LATE_DAYS[0]

BURN_IN_QUARTERS = 12  # simulate this long before the first quarter so returns start mid-story
MAX_CAMPAIGNS = 4  # the last allowed campaign always fills the post

# --- people and posts -------------------------------------------------------------------------

FIRST_NAMES = (
    "Jordan",
    "Alex",
    "Sam",
    "Charlie",
    "Jamie",
    "Morgan",
    "Robin",
    "Taylor",
    "Casey",
    "Avery",
    "Riley",
    "Quinn",
    "Frankie",
    "Jesse",
    "Rowan",
    "Sasha",
    "Kit",
    "Drew",
    "Hayden",
    "Ellis",
)
SURNAMES = ("Example", "Sample", "Testing", "Placeholder", "Specimen")

AD_TITLES = (
    "Assistant Director, Children's Social Care",
    "Assistant Director, Education and Inclusion",
    "Assistant Director, Safeguarding and Quality Assurance",
    "Assistant Director, Early Help and Prevention",
    "Assistant Director, Commissioning and Partnerships",
    "Assistant Director, SEND",
    "Assistant Director, Corporate Parenting",
    "Assistant Director, Youth Justice and Adolescent Services",
)
HOS_TITLES = (
    "Head of Children in Care",
    "Head of Safeguarding",
    "Head of Early Help",
    "Head of Fostering and Adoption",
    "Head of SEND",
    "Head of Front Door and MASH",
    "Head of Children with Disabilities",
    "Head of Leaving Care",
    "Head of Quality Assurance",
    "Head of Youth Justice",
    "Head of School Improvement",
    "Head of Admissions",
    "Head of Commissioning",
    "Head of Principal Social Work",
    "Head of Family Support",
    "Head of Virtual School",
    "Head of Education Welfare",
    "Head of Workforce Development",
)

GENDER_WEIGHTS = {"female": 0.70, "male": 0.285, "other": 0.005, "prefer not to say": 0.01}
ETHNIC_WEIGHTS = {
    "White": 0.87,
    "Asian": 0.04,
    "Black": 0.04,
    "Mixed": 0.025,
    "Other": 0.01,
    "prefer not to say": 0.015,
}
BACKGROUND_WEIGHTS = {"internal": 0.35, "other LA": 0.45, "health": 0.05, "third sector": 0.05, "other": 0.10}
OUTCOME_WEIGHTS = {
    "1": {
        "filled permanently": 0.60,
        "filled on an interim basis": 0.12,
        "not filled": 0.10,
        "readvertised": 0.13,
        "withdrawn": 0.05,
    },
    "2": {
        "filled permanently": 0.66,
        "filled on an interim basis": 0.09,
        "not filled": 0.08,
        "readvertised": 0.12,
        "withdrawn": 0.05,
    },
}
LEAVE_HAZARD = {"1": 0.035, "2": 0.055, "3": 0.045}  # per quarter, besides retirement
NEXT_CAMPAIGN_WEEKS = {  # weeks from one campaign's decision to the next advert
    "filled on an interim basis": (8, 26),
    "not filled": (4, 12),
    "readvertised": (1, 4),
    "withdrawn": (6, 20),
}


def _weighted(rng, weights: Mapping[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _age_band(age: int) -> str:
    if age < 35:
        return "under 35"
    if age < 45:
        return "35-44"
    if age < 55:
        return "45-54"
    if age < 60:
        return "55-59"
    return "60 and over"


@dataclass
class _Person:
    birth: dt.date
    gender: str
    ethnic_group: str
    retire_age: int
    hides_age: bool
    background: str

    @property
    def retire_day(self) -> dt.date:
        return _add_years(self.birth, self.retire_age)


@dataclass
class _Spell:
    person: _Person
    start: dt.date
    end: dt.date | None = None  # first day no longer in post

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


@dataclass
class _Post:
    ref: str
    title: str
    tier: str
    permanent: list[_Spell] = field(default_factory=list)
    interim: list[_Spell] = field(default_factory=list)

    def holder_on(self, day: dt.date) -> _Spell | None:
        for spell in reversed(self.permanent):
            if spell.covers(day):
                return spell
        return None

    def interim_on(self, day: dt.date) -> _Spell | None:
        for spell in reversed(self.interim):
            if spell.covers(day):
                return spell
        return None


@dataclass
class _Campaign:
    ref: str
    listed_from: dt.date
    opened: dt.date
    closed: dt.date
    applicants: int
    shortlisted: int
    decided: dt.date
    outcome: str
    background: str | None


@dataclass
class _Vacancy:
    post: _Post
    arose: dt.date
    filled: dt.date | None = None
    campaigns: list[_Campaign] = field(default_factory=list)


# --- KPIs from Vacancies rows -----------------------------------------------------------------


def _date(value: Any) -> dt.date | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if type(value).__name__ in ("NAType", "NaTType"):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if hasattr(value, "to_pydatetime"):
        return value.to_pydatetime().date()
    return dt.date.fromisoformat(str(value)[:10])


def _number(value: Any) -> int | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if type(value).__name__ in ("NAType", "NaTType"):
        return None
    if isinstance(value, str) and not value.strip():
        return None
    return int(float(value))


def _tier(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(int(value))
    return str(value).strip()


def _average(total: int, n: int) -> float | None:
    if n == 0:
        return None
    return float((Decimal(total) / Decimal(n)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def kpis_from_vacancies(rows: Iterable[Mapping[str, Any]], quarter: FinancialQuarter) -> dict[str, dict[str, Any]]:
    """Table one for ``quarter`` by tier, from one return's Vacancies rows (DESIGN.md's working definitions).

    ``rows`` are mappings keyed by the contract's column names (dates as dates, datetimes
    or ISO strings; blanks as ``None``/NaN). Returns ``{indicator: {tier: value}}`` for
    ``vacancies``, ``posts_advertised``, ``avg_applicants``, ``avg_shortlisted``,
    ``filled_permanent``, ``advertised_not_filled`` and ``readvertised`` for tiers
    ``"1"`` and ``"2"`` (``active_contacts`` has no detail rows, so it is not here):

    * vacancies: distinct posts whose vacancy arose on or before the quarter end and that
      were not filled permanently before the quarter started (a post filled permanently
      during the quarter was vacant for part of it; interim cover still counts as vacant);
    * posts_advertised: campaigns whose advert opened in the quarter;
    * avg_applicants / avg_shortlisted: the sum over campaigns whose advert closed in the
      quarter and that report the number, divided by the number of those campaigns; one
      decimal place rounded half up; ``None`` when there are none;
    * filled_permanent: campaigns with outcome ``filled permanently`` and date filled in the quarter;
    * advertised_not_filled: campaigns whose advert closed in the quarter with an outcome in
      ``NOT_FILLED_PERMANENTLY`` (so a campaign still ``in progress`` at the quarter end is not counted);
    * readvertised: campaigns whose advert opened in the quarter for a post with another
      campaign on the return whose advert opened earlier.
    """
    rows = [dict(r) for r in rows]
    for r in rows:
        r["_tier"] = _tier(r.get("tier"))
        for name in ("vacancy_arose", "advert_opened", "advert_closed", "date_filled"):
            r["_" + name] = _date(r.get(name))
        r["_outcome"] = (r.get("outcome") or "").strip() if isinstance(r.get("outcome"), str) else ""

    def inq(day: dt.date | None) -> bool:
        return day is not None and quarter.start <= day <= quarter.end

    filled_before = {
        (r["_tier"], r.get("post_ref"))
        for r in rows
        if r["_outcome"] == "filled permanently" and r["_date_filled"] is not None and r["_date_filled"] < quarter.start
    }
    first_advert: dict[Any, list[dt.date]] = {}
    for r in rows:
        if r["_advert_opened"] is not None:
            first_advert.setdefault(r.get("post_ref"), []).append(r["_advert_opened"])

    out: dict[str, dict[str, Any]] = {}
    for tier in TIERS:
        mine = [r for r in rows if r["_tier"] == tier]
        vacant_posts = {
            r.get("post_ref")
            for r in mine
            if r["_vacancy_arose"] is not None
            and r["_vacancy_arose"] <= quarter.end
            and (tier, r.get("post_ref")) not in filled_before
        }
        closed = [r for r in mine if inq(r["_advert_closed"])]
        applicants = [n for n in (_number(r.get("applicants")) for r in closed) if n is not None]
        shortlisted = [n for n in (_number(r.get("shortlisted")) for r in closed) if n is not None]
        opened = [r for r in mine if inq(r["_advert_opened"])]
        values = {
            "vacancies": len(vacant_posts),
            "posts_advertised": len(opened),
            "avg_applicants": _average(sum(applicants), len(applicants)),
            "avg_shortlisted": _average(sum(shortlisted), len(shortlisted)),
            "filled_permanent": sum(
                1 for r in mine if r["_outcome"] == "filled permanently" and inq(r["_date_filled"])
            ),
            "advertised_not_filled": sum(1 for r in closed if r["_outcome"] in NOT_FILLED_PERMANENTLY),
            "readvertised": sum(
                1 for r in opened if any(d < r["_advert_opened"] for d in first_advert.get(r.get("post_ref"), ()))
            ),
        }
        for name, value in values.items():
            out.setdefault(name, {})[tier] = value
    return out


# --- oddities for a spec ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OddityPlan:
    missing: tuple[str, str] | None = None
    late: tuple[str, str] | None = None
    resubmitted: tuple[str, str] | None = None
    kpi_mismatches: tuple[tuple[str, str, str, str, int], ...] = ()


def oddity_plan(spec) -> OddityPlan:
    """Which LA-quarters carry the deliberate oddities for ``spec`` (none without ``spec.oddities``).

    The module constants where the spec has that LA and quarter; otherwise a stand-in
    picked by position in the spec, never two oddities on one LA-quarter.
    """
    if not spec.oddities or not spec.las or not spec.quarters:
        return OddityPlan()
    las = [la.old_la_code for la in spec.las]
    keys = [q.key for q in spec.quarters]
    taken: set[tuple[str, str]] = set()

    def pick(wanted: tuple[str, str], la_pos: float, q_pos: float) -> tuple[str, str] | None:
        if wanted[0] in las and wanted[1] in keys and wanted not in taken:
            taken.add(wanted)
            return wanted
        i0, j0 = int(la_pos * (len(las) - 1)), int(q_pos * (len(keys) - 1))
        for k in range(len(las) * len(keys)):  # walk forward from the preferred slot to a free one
            slot = (las[(i0 + k) % len(las)], keys[(j0 + k // len(las)) % len(keys)])
            if slot not in taken:
                taken.add(slot)
                return slot
        return None

    missing = pick(MISSING_RETURN, 0.85, 0.75) if len(las) * len(keys) > 1 else None  # never an empty folder
    late = pick(LATE_RETURN, 0.55, 0.3)
    resubmitted = pick(RESUBMITTED_RETURN, 0.7, 0.6)
    mismatches = []
    for (la, q, indicator, tier, amount), (a, b) in zip(KPI_MISMATCHES, ((0.25, 0.4), (0.4, 0.9), (0.9, 0.8))):
        slot = pick((la, q), a, b)
        if slot is not None:
            mismatches.append((slot[0], slot[1], indicator, tier, amount))
    return OddityPlan(missing, late, resubmitted, tuple(mismatches))


# --- simulation -------------------------------------------------------------------------------------


def _random_day(rng, quarter: FinancialQuarter) -> dt.date:
    return quarter.start + dt.timedelta(days=rng.randint(0, (quarter.end - quarter.start).days))


def _new_person(rng, on: dt.date, age_range: tuple[int, int]) -> _Person:
    age = rng.randint(*age_range)
    birth = on - dt.timedelta(days=int(age * 365.25) + rng.randint(0, 364))
    retire_age = rng.randint(58, 67)
    current = _age(birth, on)
    if retire_age <= current:
        retire_age = current + rng.randint(1, 5)
    return _Person(
        birth=birth,
        gender=_weighted(rng, GENDER_WEIGHTS),
        ethnic_group=_weighted(rng, ETHNIC_WEIGHTS),
        retire_age=retire_age,
        hides_age=rng.random() < 0.02,
        background=_weighted(rng, BACKGROUND_WEIGHTS),
    )


_APPOINTMENT_AGES = {"1": (42, 58), "2": (37, 56), "3": (31, 55)}
_INITIAL_AGES = {"1": (44, 62), "2": (39, 61), "3": (32, 60)}
_INTERIM_AGES = (48, 64)


def _establishment(la: LocalAuthority, rng) -> list[_Post]:
    code = la.old_la_code
    kind = la.new_la_code[:3]
    n_ad = rng.randint(4, 6) if kind == "E10" else rng.randint(3, 5) if kind == "E08" else rng.randint(2, 4)
    n_hos = rng.randint(10, 15) if kind == "E10" else rng.randint(7, 12) if kind == "E08" else rng.randint(5, 10)
    posts = [_Post(f"{code}-DCS-01", "Director of Children's Services", "1")]
    posts += [_Post(f"{code}-AD-{i:02d}", t, "2") for i, t in enumerate(rng.sample(AD_TITLES, n_ad), start=1)]
    posts += [_Post(f"{code}-HOS-{i:02d}", t, "3") for i, t in enumerate(rng.sample(HOS_TITLES, n_hos), start=1)]
    return posts


class _LASimulation:
    def __init__(self, la: LocalAuthority, rng, first: FinancialQuarter, last: FinancialQuarter):
        self.la = la
        self.rng = rng
        self.posts = _establishment(la, rng)
        self.vacancies: list[_Vacancy] = []
        self.n_campaigns = 0
        start = first
        for _ in range(BURN_IN_QUARTERS):
            start = start.previous()
        for post in self.posts:
            years = rng.uniform(0, 9 if post.tier != "3" else 14)
            began = start.start - dt.timedelta(days=int(years * 365.25))
            person = _new_person(rng, start.start, _INITIAL_AGES[post.tier])
            post.permanent.append(_Spell(person, began))
        q = start
        while q <= last:
            self._quarter(q)
            q = q.next()

    def _campaign_ref(self, day: dt.date) -> str:
        self.n_campaigns += 1
        return f"{self.la.old_la_code}-REC-{day.year}-{self.n_campaigns:03d}"

    def _quarter(self, q: FinancialQuarter) -> None:
        rng = self.rng
        for post in self.posts:
            spell = post.holder_on(q.start)
            if spell is None or spell.end is not None:
                continue
            leave = None
            if rng.random() < LEAVE_HAZARD[post.tier]:
                leave = _random_day(rng, q)
            retire = spell.person.retire_day
            if q.start <= retire <= q.end and (leave is None or retire < leave):
                leave = retire
            if leave is None or (leave - spell.start).days < 180:
                continue
            spell.end = leave
            if post.tier == "3":
                start = leave + dt.timedelta(days=rng.randint(20, 120))
                post.permanent.append(_Spell(_new_person(rng, start, _APPOINTMENT_AGES["3"]), start))
            else:
                self._vacancy(post, leave)

    def _vacancy(self, post: _Post, arose: dt.date) -> None:
        rng = self.rng
        vac = _Vacancy(post, arose)
        self.vacancies.append(vac)
        interim: _Spell | None = None
        if post.tier == "1" or rng.random() < 0.7:
            day = arose + dt.timedelta(days=rng.randint(0, 14 if post.tier == "1" else 42))
            interim = _Spell(_new_person(rng, day, _INTERIM_AGES), day)
            post.interim.append(interim)
        listed_from = arose
        opened = arose + dt.timedelta(weeks=rng.randint(2, 10))
        for k in range(MAX_CAMPAIGNS):
            closed = opened + dt.timedelta(weeks=rng.randint(3, 5))
            applicants = max(0, round(rng.triangular(0, 9, 4) if post.tier == "1" else rng.triangular(0, 15, 6)))
            if k == MAX_CAMPAIGNS - 1:
                applicants = max(applicants, 2)
            shortlisted = min(applicants, max(0, round(applicants * rng.uniform(0.25, 0.6))))
            if applicants and not shortlisted:
                shortlisted = 1
            decided = closed + dt.timedelta(days=rng.randint(7, 42))
            outcome = "filled permanently" if k == MAX_CAMPAIGNS - 1 else _weighted(rng, OUTCOME_WEIGHTS[post.tier])
            if shortlisted == 0 and outcome in ("filled permanently", "filled on an interim basis"):
                outcome = "readvertised" if rng.random() < 0.6 else "not filled"
            background = None
            if outcome == "filled permanently":
                person = _new_person(rng, decided, _APPOINTMENT_AGES[post.tier])
                background = person.background
            elif outcome == "filled on an interim basis":
                background = _weighted(rng, BACKGROUND_WEIGHTS)
            vac.campaigns.append(
                _Campaign(
                    self._campaign_ref(opened),
                    listed_from,
                    opened,
                    closed,
                    applicants,
                    shortlisted,
                    decided,
                    outcome,
                    background,
                )
            )
            if outcome == "filled permanently":
                vac.filled = decided
                post.permanent.append(_Spell(person, decided))
                if interim is not None and (interim.end is None or interim.end > decided):
                    interim.end = decided
                return
            if outcome == "filled on an interim basis" and (interim is None or interim.end is not None):
                interim = _Spell(_new_person(rng, decided, _INTERIM_AGES), decided)
                post.interim.append(interim)
            lo, hi = NEXT_CAMPAIGN_WEEKS[outcome]
            opened = decided + dt.timedelta(weeks=rng.randint(lo, hi))
            listed_from = opened

    # --- what one return shows ---------------------------------------------------------------

    def vacancy_rows(self, q: FinancialQuarter, rng, blanks: bool) -> list[dict[str, Any]]:
        rows = []
        for vac in self.vacancies:
            if vac.arose > q.end or (vac.filled is not None and vac.filled < q.start):
                continue
            for c in vac.campaigns:
                if c.listed_from > q.end:
                    continue
                opened = c.opened if c.opened <= q.end else None
                closed = c.closed if c.closed <= q.end else None
                decided = c.decided <= q.end
                outcome = c.outcome if decided else "in progress"
                if closed is not None:
                    applicants, shortlisted = c.applicants, c.shortlisted
                elif opened is not None:  # advert still open: applicants so far
                    share = (q.end - c.opened).days / max(1, (c.closed - c.opened).days)
                    applicants = None if blanks and rng.random() < 0.5 else int(c.applicants * share)
                    shortlisted = None
                else:
                    applicants = shortlisted = None
                background = None
                if outcome == "filled permanently" or (outcome == "filled on an interim basis" and not blanks):
                    background = c.background
                rows.append(
                    {
                        "campaign_ref": c.ref,
                        "post_ref": vac.post.ref,
                        "post_title": vac.post.title,
                        "tier": vac.post.tier,
                        "vacancy_arose": vac.arose,
                        "advert_opened": opened,
                        "advert_closed": closed,
                        "applicants": applicants,
                        "shortlisted": shortlisted,
                        "outcome": outcome,
                        "appointee_background": background,
                        "date_filled": c.decided
                        if outcome in ("filled permanently", "filled on an interim basis")
                        else None,
                    }
                )
        rows.sort(key=lambda r: (r["vacancy_arose"], r["post_ref"], r["campaign_ref"]))
        return rows

    def workforce_rows(self, q: FinancialQuarter) -> list[dict[str, Any]]:
        rows = []
        day = q.end
        for post in self.posts:
            spell = post.holder_on(day)
            interim = False
            if spell is None:
                spell = post.interim_on(day)
                interim = True
            if spell is None:
                continue
            person = spell.person
            age = _age(person.birth, day)
            rows.append(
                {
                    "post_ref": post.ref,
                    "tier": post.tier,
                    "age_band": "prefer not to say" if person.hides_age else _age_band(age),
                    "gender": person.gender,
                    "ethnic_group": person.ethnic_group,
                    "years_in_post": int((day - spell.start).days // 365.25),
                    "interim_or_agency": "yes" if interim else "no",
                    "retiring_within_two_years": "yes" if person.retire_age - age <= 2 else "no",
                }
            )
        return rows


# --- writing -------------------------------------------------------------------------------------


def _contact(la: LocalAuthority, rng) -> dict[str, str]:
    first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
    return {"name": f"{first} {last}", "email": f"{first.lower()}.{last.lower()}@{_slug(la.la_name)}.example.gov.uk"}


def _inflate_one(rows: list[dict[str, Any]], q: FinancialQuarter) -> list[dict[str, Any]] | None:
    """A copy of ``rows`` with the resubmission error in one row, or None if no row has applicants."""
    with_applicants = [i for i, r in enumerate(rows) if r["applicants"] is not None]
    if not with_applicants:
        return None
    quiet = [i for i in with_applicants if not (rows[i]["advert_closed"] and q.contains(rows[i]["advert_closed"]))]
    i = (quiet or with_applicants)[0]
    out = [dict(r) for r in rows]
    out[i]["applicants"] += RESUBMISSION_ERROR
    return out


def _kpis(rows, q: FinancialQuarter, contacts: dict[str, int], shifts) -> dict[str, dict[str, Any]]:
    kpis = kpis_from_vacancies(rows, q)
    kpis["active_contacts"] = dict(contacts)
    for indicator, tier, amount in shifts:
        kpis[indicator][tier] = (kpis[indicator][tier] or 0) + amount
    return kpis


def generate(raw_dir: Path, spec) -> list[Path]:
    """Write the HR returns for every LA and quarter in ``spec``; return the paths written, sorted.

    Files already under ``raw_dir/hr_returns`` that are named like returns but were not
    written by this run are removed, so the folder always matches the spec.
    """
    out_dir = Path(raw_dir) / SOURCE
    quarters = sorted(spec.quarters)
    if not quarters or not spec.las:
        return []
    plan = oddity_plan(spec)
    shifts: dict[tuple[str, str], list[tuple[str, str, int]]] = {}
    for la_code, qkey, indicator, tier, amount in plan.kpi_mismatches:
        shifts.setdefault((la_code, qkey), []).append((indicator, tier, amount))

    written: list[Path] = []
    for q in quarters:
        (out_dir / q.key).mkdir(parents=True, exist_ok=True)
    for la in spec.las:
        code = la.old_la_code
        sim = _LASimulation(la, spec.rng(f"{SOURCE}:{code}"), quarters[0], quarters[-1])
        contact = _contact(la, spec.rng(f"{SOURCE}:{code}:contact"))
        for q in quarters:
            slot = (code, q.key)
            if slot == plan.missing:
                continue
            rng = spec.rng(f"{SOURCE}:{code}:{q.key}")
            late = slot == plan.late
            days = rng.randint(*(LATE_DAYS if late else ON_TIME_DAYS))
            if slot == plan.resubmitted:  # early enough that the correction is on time too
                days = rng.randint(ON_TIME_DAYS[0], ON_TIME_DAYS[0] + 8)
            submitted = q.end + dt.timedelta(days=days)
            contacts = {"1": rng.randint(0, 3), "2": rng.randint(0, 9)}
            vac_rows = sim.vacancy_rows(q, rng, blanks=spec.oddities)
            wf_rows = sim.workforce_rows(q)
            kpis = _kpis(vac_rows, q, contacts, shifts.get(slot, ()))
            path = out_dir / q.key / return_filename(code, q)
            if slot == plan.resubmitted:
                wrong = _inflate_one(vac_rows, q)
                wrong_wf = None
                if wrong is None:  # nothing to overstate on Vacancies: overstate years in post instead
                    wrong = vac_rows
                    wrong_wf = [dict(r) for r in wf_rows]
                    if wrong_wf:
                        wrong_wf[0]["years_in_post"] += RESUBMISSION_ERROR
                write_hr_return(
                    path,
                    code,
                    q,
                    contact=contact,
                    date_submitted=submitted,
                    kpis=_kpis(wrong, q, contacts, shifts.get(slot, ())),
                    vacancies=wrong,
                    workforce=wrong_wf or wf_rows,
                )
                written.append(path)
                after = min(rng.randint(*RESUBMIT_AFTER_DAYS), SUBMISSION_DEADLINE_DAYS - days)
                submitted = submitted + dt.timedelta(days=after)
                path = out_dir / q.key / return_filename(code, q, 2)
            write_hr_return(
                path,
                code,
                q,
                contact=contact,
                date_submitted=submitted,
                kpis=kpis,
                vacancies=vac_rows,
                workforce=wf_rows,
            )
            written.append(path)

    keep = set(written)
    pattern = re.compile(FILE_PATTERN)
    for old in out_dir.glob("*/*.xlsx"):
        if old not in keep and pattern.match(old.name):
            old.unlink()
    return sorted(written)
