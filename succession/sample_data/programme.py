"""Sample programme records kept by a regional lead (contracts/programme.md).

``generate(raw_dir, spec)`` writes, for each region in ``spec.regions``:

* ``programme/<region>/plan_<financial year>.yaml`` for each financial year touched by
  ``spec.quarters``: a grant of £150,000, six budget lines with planned spend per
  quarter, five milestones (one completed late, one not yet started) and targets;
* ``programme/<region>/<quarter key>/`` for each quarter (a record with no rows that quarter,
  such as the skills audit in Q2 and Q3, has no file): 3-8 activities, a cohort of
  10-40 participants (``P-0001`` ...) from the region's LAs attending them, feedback on
  most attendances (ratings 1-5), a skills and talent audit before (first quarter of the
  year) and after (last quarter) for most of the year's cohort, a few career events, the
  grant ledger (the grant received in Q1 and Q3; spend roughly tracking plan, with the
  coaching and mentoring line overspent), and a two- or three-paragraph narrative;
* the records the framework's partnership agreement asks for (``_framework_records``, from
  their own random stream so the records above do not change): the Aspirant DCS programme
  steps of some of the cohort, each new participant's enrolment profile (career background,
  gender, ethnic group, first generation), the lead's support to LAs, and the quarter's
  sign-off (the last quarter not yet signed off). Plans carry the lead, sponsor and the
  stakeholders' part in setting targets.

Deterministic from ``spec.rng("programme")``. No names of people anywhere.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

import yaml

from contracts import programme as C
from succession.periods import FinancialQuarter
from succession.reference import las_in_region, regions

GRANT = 150_000
# share of the annual grant per budget line
BUDGET_SHARES = {
    "action_learning": 0.22,
    "coaching_mentoring": 0.20,
    "shadowing_secondments": 0.18,
    "events": 0.15,
    "evaluation": 0.08,
    "programme_management": 0.17,
}
QUARTER_SHARES = (0.2, 0.25, 0.25, 0.3)
OVERSPENT_LINE = "coaching_mentoring"
LINE_OF_TYPE = {
    "action learning set": "action_learning",
    "coaching": "coaching_mentoring",
    "mentoring": "coaching_mentoring",
    "shadowing": "shadowing_secondments",
    "secondment": "shadowing_secondments",
    "placement": "shadowing_secondments",
    "workshop": "events",
    "event": "events",
}
PROVIDERS = (
    "Regional leadership centre",
    "National College associate",
    "Local Government Association",
    "University leadership school",
    "Regional improvement partnership",
    "Independent coaching collective",
)
TITLES = {
    "action learning set": "Action learning set: {}",
    "coaching": "Executive coaching: {}",
    "mentoring": "DCS mentoring: {}",
    "shadowing": "Shadowing a DCS: {}",
    "secondment": "Cross-authority secondment: {}",
    "placement": "Health placement: {}",
    "workshop": "Workshop: {}",
    "event": "Regional event: {}",
}
THEMES = (
    "working with elected members",
    "leading through inspection",
    "commissioning for outcomes",
    "budget pressures",
    "partnership with health",
    "managing risk",
    "the aspiring DCS",
    "safeguarding leadership",
)
TARGETS = [
    ("mean_rating", 3.6, 4.0, "higher"),
    ("response_rate", 70, 80, "higher"),
    ("skill_gain", 0.3, 0.5, "higher"),
    ("audit_coverage", 60, 75, "higher"),
    ("applied", 8, 12, "higher"),
    ("appointed", 2, 4, "higher"),
    ("permanent_fill_rate", 55, 65, "higher"),
    ("readvertisement_rate", 25, 15, "lower"),
    ("time_to_fill", 150, 120, "lower"),
    ("interim_cover_rate", 20, 15, "lower"),
]


def _d(day: dt.date) -> str:
    return day.isoformat()


def _write_csv(path: Path, table: C.Table, rows: list[dict]) -> None:
    """Write a record file; a quarter with no rows of a kind has no file (as a lead would keep it,
    and so header-only files of two regions in one quarter are never the same content)."""
    if not rows:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=table.headers)
        w.writeheader()
        for r in rows:
            w.writerow({k: ("" if r.get(k) is None else r.get(k)) for k in table.headers})


def _day(rng, q: FinancialQuarter, lo: int = 0, hi: int | None = None) -> dt.date:
    span = (q.end - q.start).days
    return q.start + dt.timedelta(days=rng.randint(lo, min(span, hi if hi is not None else span)))


def plan_for(region: str, year: int) -> dict:
    fy = FinancialQuarter(year, 1)
    label = fy.financial_year
    lines = []
    for line, share in BUDGET_SHARES.items():
        total = GRANT * share
        lines.append(
            {
                "line": line,
                "label": C.BUDGET_LINES[line],
                "planned_gbp": {f"Q{i + 1}": round(total * s) for i, s in enumerate(QUARTER_SHARES)},
            }
        )
    q = lambda n: FinancialQuarter(year, n)  # noqa: E731
    milestones = [
        {
            "id": "M1",
            "milestone": "Regional plan agreed with the DCS group",
            "due": _d(q(1).start + dt.timedelta(days=44)),
            "status": "complete",
            "completed": _d(q(1).start + dt.timedelta(days=40)),
        },
        {
            "id": "M2",
            "milestone": "Skills and talent audit (before) completed",
            "due": _d(q(1).end),
            "status": "complete",
            "completed": _d(q(1).end - dt.timedelta(days=5)),
        },
        {
            "id": "M3",
            "milestone": "Coaching and mentoring pool in place",
            "due": _d(q(2).start + dt.timedelta(days=45)),
            "status": "late",
            "completed": _d(q(3).start + dt.timedelta(days=20)),
        },
        {
            "id": "M4",
            "milestone": "Secondment exchange between authorities launched",
            "due": _d(q(3).end),
            "status": "on track",
            "completed": _d(q(3).end - dt.timedelta(days=10)),
        },
        {
            "id": "M5",
            "milestone": "Skills and talent audit (after) and evaluation report",
            "due": _d(q(4).end),
            "status": "not started",
            "completed": None,
        },
    ]
    return {
        "region_code": region,
        "region_name": regions()[region],
        "financial_year": label,
        "grant_gbp": GRANT,
        "budget_lines": lines,
        "milestones": milestones,
        "targets": [{"indicator": i, "baseline": b, "target": t, "direction": d} for i, b, t, d in TARGETS],
        **_governance(region, year),
    }


def _governance(region: str, year: int) -> dict:
    """Lead and sponsor (posts and host LAs, never names) and who set the targets, and when."""
    las = las_in_region(region)
    start = FinancialQuarter(year, 1).start
    return {
        "governance": {
            "lead_post": "Regional lead for succession planning (seconded head of service)",
            "lead_la": las[0].old_la_code,
            "sponsor_post": "Director of Children's Services, DCS sponsor for succession planning",
            "sponsor_la": las[min(1, len(las) - 1)].old_la_code,
            "agreed": _d(start + dt.timedelta(days=40)),
        },
        "target_setting": [
            {"stakeholder": "la_hr_leads", "part": "proposed measures", "date": _d(start - dt.timedelta(days=30))},
            {"stakeholder": "participants", "part": "commented on targets", "date": _d(start - dt.timedelta(days=20))},
            {"stakeholder": "dcs_group", "part": "agreed targets", "date": _d(start + dt.timedelta(days=40))},
            {"stakeholder": "national_college", "part": "agreed targets", "date": _d(start + dt.timedelta(days=40))},
            {"stakeholder": "dcs_group", "part": "reviews progress", "date": _d(start + dt.timedelta(days=200))},
        ],
    }


def generate(raw_dir: Path, spec) -> list[Path]:
    rng = spec.rng("programme")
    written: list[Path] = []
    root = Path(raw_dir) / C.SOURCE
    quarters = sorted(spec.quarters)
    frng = spec.rng("programme_framework")  # the framework records' own stream
    for region in spec.regions:
        las = las_in_region(region)
        years = sorted({q.year for q in quarters})
        for year in years:
            path = root / region / f"plan_{FinancialQuarter(year, 1).financial_year}.yaml"
            path.parent.mkdir(parents=True, exist_ok=True)
            plan = plan_for(region, year)
            path.write_text(
                "# Regional succession planning plan, agreed with the National College\n"
                + yaml.safe_dump(plan, sort_keys=False, allow_unicode=True),
                encoding="utf-8",
            )
            written.append(path)
        next_pid, next_act, next_gl = 1, 1, 1
        cohort: dict[int, list[tuple[str, str, str]]] = {}  # year -> participants (id, la, tier)
        for q in quarters:
            folder = root / region / q.key
            plan = plan_for(region, q.year)
            if q.year not in cohort or q.q == 1:
                size = rng.randint(10, 40)
                cohort[q.year] = []
                for _ in range(size):
                    la = rng.choice(las)
                    cohort[q.year].append((f"P-{next_pid:04d}", la.old_la_code, rng.choice(("2", "3", "3", "3"))))
                    next_pid += 1
            people = cohort[q.year]
            # activities, attendance, feedback
            activities, attendance, feedback = [], [], []
            for _ in range(rng.randint(3, 8)):
                kind = rng.choice(C.ACTIVITY_TYPES)
                start = _day(rng, q, 0, 60)
                end = start + dt.timedelta(days=rng.choice((0, 0, 14, 28)))
                end = min(end, q.end)
                aid = f"A-{next_act:04d}"
                next_act += 1
                group = rng.sample(
                    people,
                    k=min(
                        len(people),
                        rng.randint(2, 6)
                        if kind in ("coaching", "mentoring", "shadowing", "secondment", "placement")
                        else rng.randint(6, 18),
                    ),
                )
                cost = round(rng.uniform(400, 2500) * (1 + len(group) / 6), 2)
                activities.append(
                    {
                        "activity_id": aid,
                        "activity_type": kind,
                        "title": TITLES[kind].format(rng.choice(THEMES)),
                        "start_date": _d(start),
                        "end_date": _d(end),
                        "provider": rng.choice(PROVIDERS),
                        "budget_line": LINE_OF_TYPE[kind],
                        "cost_gbp": f"{cost:.2f}",
                    }
                )
                for pid, la, tier in group:
                    attendance.append(
                        {
                            "activity_id": aid,
                            "participant_id": pid,
                            "la_code": la,
                            "tier": tier,
                            "attended_date": _d(start),
                        }
                    )
                    if rng.random() < 0.8:
                        rating = rng.choices((1, 2, 3, 4, 5), weights=(2, 5, 20, 45, 28))[0]
                        feedback.append(
                            {
                                "activity_id": aid,
                                "participant_id": pid,
                                "feedback_date": _d(min(end + dt.timedelta(days=rng.randint(0, 10)), q.end)),
                                "rating": rating,
                            }
                        )
            _write_csv(folder / "activities.csv", C.ACTIVITIES, activities)
            _write_csv(folder / "attendance.csv", C.ATTENDANCE, attendance)
            _write_csv(folder / "feedback.csv", C.FEEDBACK, feedback)
            # skills audit: before in Q1, after in Q4
            audits = []
            if q.q in (1, 4):
                kind = "before" if q.q == 1 else "after"
                for pid, _la, _tier in people:
                    if rng.random() < (0.9 if kind == "before" else 0.75):
                        rng_p = random.Random(f"{spec.seed}:{pid}")  # same person, same starting point
                        base = {c: rng_p.randint(1, 4) for c in C.COMPETENCIES}
                        row = {"participant_id": pid, "audit": kind, "audit_date": _d(_day(rng, q, 20, 80))}
                        for c, v in base.items():
                            if kind == "after":
                                v = max(1, min(5, v + rng.choices((-1, 0, 1, 2), weights=(1, 4, 5, 1))[0]))
                            row[c] = v if rng.random() > 0.03 else None
                        audits.append(row)
            _write_csv(folder / "skills_audit.csv", C.SKILLS_AUDIT, audits)
            # career events
            events = []
            for _ in range(rng.randint(2, 6)):
                pid, la, tier = rng.choice(people)
                kind = rng.choices(C.CAREER_EVENTS, weights=(5, 3, 2, 2, 1, 1))[0]
                other = rng.choice(las).old_la_code
                events.append(
                    {
                        "participant_id": pid,
                        "event_date": _d(_day(rng, q)),
                        "event_type": kind,
                        "tier": str(max(1, int(tier) - 1))
                        if kind in ("applied", "shortlisted", "appointed", "acting up")
                        else tier,
                        "la_from": la if kind in ("moved authority", "secondment", "appointed") else None,
                        "la_to": other
                        if kind in ("moved authority", "secondment", "applied", "shortlisted", "appointed")
                        else None,
                    }
                )
            _write_csv(folder / "career_events.csv", C.CAREER_EVENTS_TABLE, events)
            # grant ledger
            ledger = []
            fy = plan["financial_year"]

            def entry(kind, line, amount, desc, day, ledger=ledger, fy=fy):  # this quarter's ledger and year
                nonlocal next_gl
                ledger.append(
                    {
                        "entry_ref": f"GL-{fy}-{next_gl:03d}",
                        "entry_date": _d(day),
                        "entry_type": kind,
                        "budget_line": line,
                        "amount_gbp": f"{amount:.2f}",
                        "description": desc,
                    }
                )
                next_gl += 1

            if q.q == 1:
                next_gl = 1
                entry(
                    "received",
                    None,
                    60_000,
                    "Initial grant on signing the partnership agreement",
                    q.start + dt.timedelta(days=20),
                )
            if q.q == 3:
                entry(
                    "received",
                    None,
                    GRANT - 60_000,
                    "Balance of grant on receipt of the regional plan",
                    q.start + dt.timedelta(days=15),
                )
            for bl in plan["budget_lines"]:
                planned = bl["planned_gbp"][f"Q{q.q}"]
                factor = rng.uniform(1.15, 1.35) if bl["line"] == OVERSPENT_LINE else rng.uniform(0.8, 1.02)
                total = round(planned * factor, 2)
                parts = rng.randint(1, 3)
                for k in range(parts):
                    amount = round(total / parts, 2)
                    entry("spent", bl["line"], amount, f"{bl['label']}: invoice {k + 1}", _day(rng, q, 5, 88))
            _write_csv(folder / "grant_ledger.csv", C.GRANT_LEDGER, ledger)
            # narrative
            counts = {}
            for a in activities:
                counts[a["activity_type"]] = counts.get(a["activity_type"], 0) + 1
            kinds = ", ".join(sorted(counts))
            paragraphs = [
                f"# {regions()[region]}: programme narrative, {q.label}",
                f"This quarter the programme ran {kinds} for aspiring and serving senior leaders across the region's "
                f"authorities. Participants valued the chance to work on live issues with peers from other authorities.",
                "Spend on coaching and mentoring ran ahead of plan because demand from second-tier leaders was higher than "
                "expected; the regional sponsor agreed to fund this from the events line later in the year.",
            ]
            if q.q in (1, 4):
                paragraphs.append(
                    "The skills and talent audit was completed this quarter; the results feed the learning level "
                    "of the evaluation."
                )
            (folder / C.NARRATIVE_FILE).write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
            _framework_records(
                folder, q, people, las, frng, new_people=(q.q == 1 or q == quarters[0]), last=(q == quarters[-1])
            )
            written.extend(sorted(folder.iterdir()))
    return written


def _framework_records(
    folder: Path, q: FinancialQuarter, people: list[tuple[str, str, str]], las, rng, new_people: bool, last: bool
) -> None:
    """Aspirant DCS steps, enrolment profiles, LA support and the sign-off for one quarter."""
    if new_people:  # profiles are taken at enrolment, the year's first quarter
        profiles = []
        for pid, _la, _tier in people:
            if rng.random() < 0.9:  # voluntary: some do not complete the form
                profiles.append(
                    {
                        "participant_id": pid,
                        "profile_date": _d(_day(rng, q, 0, 30)),
                        "career_background": rng.choices(C.CAREER_BACKGROUNDS, weights=(60, 12, 8, 6, 8, 4, 2))[0],
                        "gender": rng.choices(C.GENDERS, weights=(64, 33, 1, 2))[0],
                        "ethnic_group": rng.choices(C.ETHNIC_GROUPS, weights=(80, 4, 7, 6, 1, 2))[0],
                        "first_generation": rng.choices(C.FIRST_GENERATION, weights=(40, 55, 5))[0],
                    }
                )
        _write_csv(folder / "participant_profiles.csv", C.PARTICIPANT_PROFILES, profiles)
    # Aspirant DCS: the year's second-tier participants (and a few third-tier) move one step a quarter
    steps = {1: ("nominated",), 2: ("applied", "accepted"), 3: ("started",), 4: ("completed",)}[q.q]
    aspirants = [p for p in people if p[2] == "2" or int(p[0][2:]) % 7 == 0]
    rows = []
    for pid, la, tier in aspirants:
        if int(pid[2:]) % 5 == 0 and q.q >= 3:
            if q.q == 3:
                rows.append(
                    {
                        "participant_id": pid,
                        "la_code": la,
                        "tier": tier,
                        "event_date": _d(_day(rng, q)),
                        "status": "withdrew",
                        "route": "dcs nomination",
                    }
                )
            continue
        route = C.ASPIRANT_ROUTES[int(pid[2:]) % len(C.ASPIRANT_ROUTES)]
        day = _day(rng, q, 0, 60)
        for k, status in enumerate(steps):  # steps in order, a fortnight apart
            rows.append(
                {
                    "participant_id": pid,
                    "la_code": la,
                    "tier": tier,
                    "event_date": _d(min(day + dt.timedelta(days=14 * k), q.end)),
                    "status": status,
                    "route": route,
                }
            )
    _write_csv(folder / "aspirant_dcs.csv", C.ASPIRANT_DCS, rows)
    support = []
    for _ in range(rng.randint(2, 6)):
        kind = rng.choice(C.LA_SUPPORT_TYPES)
        support.append(
            {
                "la_code": rng.choice(las).old_la_code,
                "support_date": _d(_day(rng, q)),
                "support_type": kind,
                "opportunities_created": rng.randint(1, 4) if kind == "development opportunity" else 0,
            }
        )
    _write_csv(folder / "la_support.csv", C.LA_SUPPORT, support)
    as_at = q.end + dt.timedelta(days=14)
    _write_csv(
        folder / "sign_off.csv",
        C.SIGN_OFF,
        [
            {
                "data_as_at": _d(as_at),
                "produced": _d(as_at + dt.timedelta(days=7)),
                "signed_off_by": "Regional DCS sponsor",
                "signed_off_date": None if last else _d(as_at + dt.timedelta(days=21)),
            }
        ],
    )
