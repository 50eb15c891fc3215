"""Disclosure control (docs/DISCLOSURE.md) proved by the attacker's audit.

The sample build passes the audit. The issue's leaks are crafted as small tables: each
is published once as the old rule published it (the audit must fail it) and once through
the policy's own SQL (the compiled ``fct_figures`` of the session build run on the crafted
figures; the audit must pass it)."""

from __future__ import annotations

import re

import duckdb
import pandas as pd
import pytest

from succession.disclosure import Publication, audit_publication, load_publication, report_path
from succession.disclosure.publication import FIGURE_COLUMNS, RATING_COLUMNS

FIG_COLUMNS = {  # the contract of the fig_* models (marts/figures/_figures__models.yml)
    "figure_id": "varchar",
    "table_id": "varchar",
    "indicator": "varchar",
    "unit": "varchar",
    "period": "varchar",
    "time_period": "varchar",
    "time_identifier": "varchar",
    "geographic_level": "varchar",
    "country_code": "varchar",
    "region_code": "varchar",
    "region_name": "varchar",
    "new_la_code": "varchar",
    "old_la_code": "varchar",
    "la_name": "varchar",
    "breakdown": "varchar",
    "value": "double",
    "base": "double",
    "numerator": "double",
    "denominator": "double",
    "disclosure_class": "varchar",
    "disclosure_total_id": "varchar",
    "disclosure_group": "varchar",
    "disclosure_count_id": "varchar",
    "disclosure_base_id": "varchar",
    "disclosure_lower": "double",
    "disclosure_upper": "double",
    "source_model": "varchar",
    "source_filter": "varchar",
}
Q = "2024-25 Q4"
R, E = "E12000008", "E92000001"


def table_one(
    indicator: str, unit: str, cls: str, level: str, la: str | None, value, base=None, numerator=None
) -> dict:
    """A Table one figure as fig_table_one makes it (tier 1)."""
    key = la or (R if level == "Regional" else E)
    total = None if level == "National" else f"table_one.{indicator}.{Q}.{R if la else E}.tier_1"
    return {
        "figure_id": f"table_one.{indicator}.{Q}.{key}.tier_1",
        "table_id": "table_one",
        "indicator": indicator,
        "unit": unit,
        "period": Q,
        "geographic_level": level,
        "region_code": None if level == "National" else R,
        "new_la_code": la,
        "breakdown": "tier_1",
        "value": value,
        "base": base,
        "numerator": numerator,
        "denominator": base,
        "disclosure_class": cls,
        "disclosure_total_id": total,
        "disclosure_group": total,
    }


def level4(indicator: str, unit: str, cls: str, value, base=None, numerator=None) -> dict:
    return {
        "figure_id": f"evaluation.level4.{indicator}.2024-25_Q4.{R}",
        "table_id": "evaluation_level4",
        "indicator": indicator,
        "unit": unit,
        "period": Q,
        "geographic_level": "Regional",
        "region_code": R,
        "value": value,
        "base": base,
        "numerator": numerator,
        "denominator": base,
        "disclosure_class": cls,
    }


def column(indicator: str, cls: str, las: dict[str, float]) -> list[dict]:
    """One Table one count column: LA cells, the region total and England."""
    total = sum(las.values())
    return [
        table_one(indicator, "count", cls, "National", None, total),
        table_one(indicator, "count", cls, "Regional", None, total),
        *(table_one(indicator, "count", cls, "Local authority", la, v) for la, v in las.items()),
    ]


@pytest.fixture(scope="module")
def policy(sample_build):
    """Publish crafted fig_* rows through the policy's compiled SQL (marts/audit/fct_figures.sql)."""
    compiled = next(sample_build.dbt_target_dir.rglob("compiled/**/marts/audit/fct_figures.sql")).read_text()

    def publish(rows: list[dict]) -> pd.DataFrame:
        con = duckdb.connect()
        con.execute("attach ':memory:' as warehouse")
        con.execute("create schema warehouse.figures")
        cols = ", ".join(f"{c} {t}" for c, t in FIG_COLUMNS.items())
        for name in sorted(set(re.findall(r'"figures"\."(fig_\w+)"', compiled))):  # every family fct_figures unions
            con.execute(f"create table warehouse.figures.{name} ({cols})")
        frame = pd.DataFrame(rows).reindex(columns=list(FIG_COLUMNS))
        con.register("crafted", frame)
        con.execute(f"insert into warehouse.figures.fig_table_one select {', '.join(FIG_COLUMNS)} from crafted")
        return con.execute(compiled).df()

    return publish


def as_published(figures: pd.DataFrame, ratings: list[dict] | None = None) -> Publication:
    return Publication(
        figures=figures.reindex(columns=FIGURE_COLUMNS), ratings=pd.DataFrame(ratings or [], columns=RATING_COLUMNS)
    )


def old_rule(rows: list[dict], suppressed: dict[str, str], base_printed: bool = True) -> Publication:
    """The crafted rows as the old rule published them: `suppressed` figure -> label; bases printed."""
    df = pd.DataFrame(rows)
    df["suppression"] = df["figure_id"].map(suppressed)
    df["value_shown"] = [
        "c" if isinstance(s, str) else ("z" if pd.isna(v) else (f"{v:.0f}" if u == "count" else f"{v:.1f}"))
        for s, v, u in zip(df["suppression"], df["value"], df["unit"])
    ]
    return as_published(df)


def test_sample_build_passes_the_audit(sample_build):
    report = pd.read_csv(report_path(sample_build.build_dir))
    assert len(report) > 0 and (report["result"] == "pass").all(), report[report["result"] != "pass"].head()
    assert (report["width"] >= report["required"]).all()
    # every protected cell of the register is audited, none forgotten
    pub = load_publication(sample_build.warehouse, sample_build.figures_dir)
    protected = pub.figures[pub.figures["suppression"].isin(["primary", "withheld primary"])]
    assert set(report["figure_id"]) == set(protected["figure_id"])


def test_the_audit_on_two_processes_is_the_audit_on_one(sample_build, monkeypatch):
    """Issue 15: the components' programmes are solved on every core at national scale
    (``succession.parallel``); the report is the one a single process writes."""
    from succession.disclosure import audit

    monkeypatch.setattr(audit, "MIN_TARGETS_FOR_WORKERS", 0)  # the sample is below the threshold
    monkeypatch.setattr(audit, "TARGETS_PER_CHUNK", 3)  # many chunks: this process and the worker share them
    pub = load_publication(sample_build.warehouse, sample_build.figures_dir)
    one, two = audit_publication(pub, workers=1), audit_publication(pub, workers=2)
    assert len(one.report) > 10
    pd.testing.assert_frame_equal(one.report, two.report)


def test_five_cells_of_one_under_a_total_of_five(policy):
    """Issue: tier 1 vacancies total 5, five LAs `c`, the rest 0 -> every `c` is 1."""
    las = {
        "E06000001": 1,
        "E06000002": 1,
        "E06000003": 1,
        "E06000004": 1,
        "E06000005": 1,
        "E06000006": 0,
        "E06000007": 0,
    }
    rows = column("vacancies", "posts", las)
    old = audit_publication(old_rule(rows, {f"table_one.vacancies.{Q}.{la}.tier_1": "primary" for la in list(las)[:5]}))
    assert len(old.failures) == 5 and set(old.failures["upper"]) == {1.0}
    # the policy: vacancies are public adverts, published in full
    assert (policy(rows)["value_shown"] != "c").all()
    # the same column of people (contacts): no cell is large enough to complement, so the
    # LA breakdown is withheld and each contact count can be anything from 0 to 5
    people = policy(column("active_contacts", "people", las))
    result = audit_publication(as_published(people))
    assert result.passed and len(result.report) == 5, result.report
    assert set(result.report["upper"]) == {5.0}


def test_rate_times_base_gives_back_the_count(policy):
    """Issue: a permanent-fill rate of 28.6% with 5 not filled gives filled = 2."""
    rows = [
        level4("filled_permanent", "count", "posts", 2),
        level4("advertised_not_filled", "count", "posts", 5),
        level4("permanent_fill_rate", "percent", "posts", 200 / 7, base=7, numerator=2),
    ]
    fill_rate = rows[2]["figure_id"]
    old = audit_publication(old_rule(rows, {rows[0]["figure_id"]: "primary"}))
    assert list(old.failures["figure_id"]) == [rows[0]["figure_id"]] and old.failures["upper"].iloc[0] == 2
    assert (policy(rows)["value_shown"] != "c").all()  # posts: published in full
    # a rate about people (appointees from outside the LA, 2 of 7) is suppressed with its base
    people = [level4("external_appointee_rate", "percent", "people", 200 / 7, base=7, numerator=2)]
    published = policy(people)
    assert published["value_shown"].tolist() == ["c"] and published["base"].isna().all()
    assert audit_publication(as_published(published)).passed
    assert fill_rate not in set(old.report["figure_id"])


def test_a_rating_must_not_locate_a_suppressed_value(policy, sample_build):
    """Issue: a 'near' rating on a suppressed mean time to fill puts it within 10% of 120 days."""
    rows = [level4("time_to_fill", "days", "posts", 130.0, base=3, numerator=390)]
    near = [{"actual_figure_id": rows[0]["figure_id"], "rating": "near", "target": 120.0, "direction": "lower"}]
    leaked = audit_publication(as_published(old_rule(rows, {rows[0]["figure_id"]: "primary"}).figures, near))
    assert not leaked.passed and (leaked.report["lower"].iloc[0], leaked.report["upper"].iloc[0]) == (360, 396)
    assert policy(rows)["value_shown"].tolist() == ["130"]  # days to fill a public post: published
    # a mean about people: 3 participants' ratings (sum 13), 'near' a target of 4.5
    mean = {
        **level4("mean_rating", "score", "people", 13 / 3, base=3, numerator=13),
        "figure_id": f"evaluation.level1.mean_rating.2024-25_Q4.{R}",
        "table_id": "evaluation_level1",
    }
    near = [{"actual_figure_id": mean["figure_id"], "rating": "near", "target": 4.5, "direction": "higher"}]
    leaked = audit_publication(as_published(old_rule([mean], {mean["figure_id"]: "primary"}).figures, near))
    assert list(leaked.failures["upper"]) == [13]
    published = policy([mean])
    assert published["value_shown"].tolist() == ["c"]
    # the policy publishes no rating for a suppressed value, so the attacker has no rating
    assert audit_publication(as_published(published)).passed
    evaluation = pd.read_csv(sample_build.figures_dir / "evaluation.csv", dtype=str, keep_default_na=False)
    suppressed = evaluation[evaluation["value"] == "c"]
    assert len(suppressed) and not suppressed["rating"].isin(["met", "near", "not met"]).any()
    assert (suppressed["base"] == "c").all()


def test_only_the_total_and_one_suppressed_cell_are_non_zero(policy):
    """Average applicants: the region's 3.0 on 10 campaigns, LA A's 7.5 on 4 (suppressed: base
    under 5), LA B's 0.0 on 6: the total less B gives A's 30 applicants exactly."""
    rows = [
        table_one("avg_applicants", "ratio", "people", "National", None, 3.0, base=10, numerator=30),
        table_one("avg_applicants", "ratio", "people", "Regional", None, 3.0, base=10, numerator=30),
        table_one("avg_applicants", "ratio", "people", "Local authority", "E06000001", 7.5, base=4, numerator=30),
        table_one("avg_applicants", "ratio", "people", "Local authority", "E06000002", 0.0, base=6, numerator=0),
    ]
    a = rows[2]["figure_id"]
    old = audit_publication(old_rule(rows, {a: "primary"}))
    assert list(old.failures["figure_id"]) == [a] and old.failures["width"].iloc[0] < 1
    published = policy(rows)
    shown = dict(zip(published["figure_id"], published["value_shown"]))
    assert shown[a] == "c" and shown[rows[3]["figure_id"]] == "c"  # B has no applicants to spare: withheld
    result = audit_publication(as_published(published))
    assert result.passed and result.report["upper"].iloc[0] == 30


def level1_region(region: str, types: dict[str, tuple[int, int, int]]) -> list[dict]:
    """A region's level-1 evaluation by activity type as fig_programme makes it: type ->
    (attendances, responses, sum of ratings); responses and attendances add up to all types,
    each type's mean rating is its sum of ratings over its responses, as is the all-types mean."""
    q = Q.replace(" ", "_")
    totals = [sum(v[i] for v in types.values()) for i in range(3)]

    def fid(head, t=None):
        return f"{head}.{q}.{region}" + (f".{t}" if t else "")

    rows = []
    for t, (attendances, responses, ratings) in [(None, totals), *types.items()]:
        common = {
            "period": Q,
            "geographic_level": "Regional",
            "region_code": region,
            "breakdown": f"type_{t}" if t else None,
            "disclosure_class": "people",
        }
        head = "evaluation.level1.mean_rating"
        rows += [
            {
                **common,
                "figure_id": fid("programme.attendances", t),
                "table_id": "programme_activities",
                "indicator": "attendances",
                "unit": "count",
                "value": attendances,
                "disclosure_total_id": fid("programme.attendances") if t else None,
                "disclosure_group": fid("programme.attendances") if t else None,
            },
            {
                **common,
                "figure_id": fid("evaluation.level1.responses", t),
                "table_id": "evaluation_level1",
                "indicator": "responses",
                "unit": "count",
                "value": responses,
                "disclosure_total_id": fid("evaluation.level1.responses") if t else None,
                "disclosure_group": fid("evaluation.level1.responses") if t else None,
                "disclosure_upper": attendances,
            },
            {
                **common,
                "figure_id": fid(head, t),
                "table_id": "evaluation_level1",
                "indicator": "mean_rating",
                "unit": "score",
                "value": ratings / responses,
                "base": responses,
                "numerator": ratings,
                "denominator": responses,
                "disclosure_total_id": fid(head) if t else None,
                "disclosure_group": fid(head) if t else None,
                "disclosure_base_id": fid("evaluation.level1.responses", t),
                "disclosure_lower": responses,
                "disclosure_upper": 5 * responses,
            },
        ]
    return rows


def test_activity_types_of_the_level1_evaluation(policy):
    """The national benchmark's leaks (153 LAs x 8 quarters). In one region, 2 responses from
    placements were complemented by mentoring's 3, but mentoring had 3 attendances: its
    responses cannot rise, so 29 - 24 - 3 pins the placements' 2. In another, the mean ratings
    of coaching and shadowing (3 responses each) covered each other, but the all-types mean
    and the other types' means fix their sum of ratings to 25..27, and 3..15 each (ratings are
    1..5) leaves coaching's 14 only 10..15, where half of 14 is promised."""
    a, b = "E12000001", "E12000002"
    rows = level1_region(a, {"action_learning_set": (30, 24, 97), "mentoring": (3, 3, 12), "placement": (3, 2, 8)})
    rows += level1_region(
        b,
        {
            "action_learning_set": (11, 10, 36),
            "coaching": (4, 3, 14),
            "secondment": (9, 5, 22),
            "shadowing": (3, 3, 12),
        },
    )
    q = Q.replace(" ", "_")
    placement, mentoring = (f"evaluation.level1.responses.{q}.{a}.{t}" for t in ("placement", "mentoring"))
    old = {
        placement: "primary",
        mentoring: "secondary",
        **{f"evaluation.level1.mean_rating.{q}.{a}.{t}": "primary" for t in ("mentoring", "placement")},
        **{f"evaluation.level1.mean_rating.{q}.{b}.{t}": "primary" for t in ("coaching", "shadowing")},
    }
    leaked = audit_publication(old_rule(rows, old))
    failures = dict(zip(leaked.failures["figure_id"], leaked.failures["width"]))
    assert failures.get(placement) == 0, leaked.report
    assert f"evaluation.level1.mean_rating.{q}.{b}.coaching" in failures
    published = policy(rows)
    shown = dict(zip(published["figure_id"], published["suppression"]))
    assert shown[placement] == "primary" and shown[mentoring] is None  # mentoring has no room to rise
    assert shown[f"evaluation.level1.responses.{q}.{a}.action_learning_set"] == "secondary"
    assert shown[f"evaluation.level1.mean_rating.{q}.{b}.secondment"] == "secondary"
    assert shown[f"evaluation.level1.mean_rating.{q}.{b}"] is None  # the all-types mean stays
    result = audit_publication(as_published(published))
    assert result.passed, result.failures


def test_a_failing_audit_fails_the_build_step(tmp_path):
    """The Dagster asset fails with the audit's summary (so `succession run` stops before any
    document is rendered) and still writes the report."""
    import dagster as dg

    from orchestration.disclosure import disclosure_audit
    from orchestration.resources import ProjectPathsResource

    las = {"E06000001": 1, "E06000002": 1, "E06000003": 0}
    leaky = old_rule(
        column("active_contacts", "people", las),
        {f"table_one.active_contacts.{Q}.{la}.tier_1": "primary" for la in list(las)[:2]},
    )
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        con.execute("create schema audit; create schema marts")
        con.register("leaky", leaky.figures.reset_index(drop=True).astype(str).replace({"None": None, "nan": None}))
        con.execute(
            "create table audit.fct_figures as select * replace (value::double as value, base::double as base, "
            "numerator::double as numerator) from leaky"
        )
        con.execute(
            "create table marts.fct_survey_distributions (wave varchar, question_id varchar, item_code varchar, question_type varchar)"
        )
        con.execute(
            "create table marts.fct_evaluation_ratings (actual_figure_id varchar, target double, direction varchar)"
        )
        con.execute("create schema publish; create table publish.pub_evaluation (figure_id varchar, rating varchar)")
    project = ProjectPathsResource(raw_dir=str(tmp_path), build_dir=str(tmp_path))
    result = dg.materialize([disclosure_audit], resources={"project": project}, raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    assert "disclosure audit FAILED: 2 of 2 protected cells" in failure.event_specific_data.error.message
    report = pd.read_csv(report_path(tmp_path))
    assert list(report["result"]) == ["fail", "fail"] and list(report["upper"]) == [1.0, 1.0]


@pytest.mark.parametrize("seed", [1, 4, 10])  # withheld breakdowns; regions complementing regions
def test_a_multi_region_table_passes_the_audit(policy, seed):
    """England over several regions (the sample has one): random small counts of contacts and
    averages of applicants on few campaigns, through the policy, survive the audit; a region
    total complementing another region withholds its own LA breakdown."""
    import numpy as np

    rng = np.random.default_rng(seed)
    rows = []

    def fig(indicator, unit, level, region, la, value, base=None, numerator=None):
        parent = {"Local authority": region, "Regional": E}.get(level)
        total = f"t.{indicator}.{parent}" if parent else None
        return {
            "figure_id": f"t.{indicator}.{la or region or E}",
            "table_id": "table_one",
            "indicator": indicator,
            "unit": unit,
            "period": Q,
            "geographic_level": level,
            "region_code": region,
            "new_la_code": la,
            "breakdown": "tier_1",
            "value": value,
            "base": base,
            "numerator": numerator,
            "denominator": base,
            "disclosure_class": "people",
            "disclosure_total_id": total,
            "disclosure_group": total,
        }

    england = np.zeros(3)
    for r in range(4):
        region, sums = f"E1200000{r + 1}", np.zeros(3)
        for j in range(6):
            la = f"{region}-{j}"
            contacts, campaigns = rng.poisson(1.5), rng.binomial(3, 0.4)
            applicants = rng.poisson(5 * campaigns)
            rows += [
                fig("active_contacts", "count", "Local authority", region, la, float(contacts)),
                fig(
                    "avg_applicants",
                    "ratio",
                    "Local authority",
                    region,
                    la,
                    applicants / campaigns if campaigns else None,
                    campaigns or None,
                    float(applicants),
                ),
            ]
            sums += (contacts, applicants, campaigns)
        rows += [
            fig("active_contacts", "count", "Regional", region, None, sums[0]),
            fig(
                "avg_applicants",
                "ratio",
                "Regional",
                region,
                None,
                sums[1] / sums[2] if sums[2] else None,
                sums[2] or None,
                sums[1],
            ),
        ]
        england += sums
    rows += [
        fig("active_contacts", "count", "National", None, None, england[0]),
        fig("avg_applicants", "ratio", "National", None, None, england[1] / england[2], england[2], england[1]),
    ]
    published = policy(rows)
    assert (published["suppression"] == "primary").any()
    for r in published[
        (published["geographic_level"] == "Regional") & (published["suppression"] == "secondary")
    ].itertuples():
        below = published[(published["disclosure_total_id"] == r.figure_id) & published["value"].notna()]
        assert (below["value_shown"] == "c").all(), below  # its LA cells would add back up to it
    result = audit_publication(as_published(published))
    assert result.passed, result.failures


def test_an_unreadable_published_value_is_an_error_not_a_blind_spot():
    rows = column("active_contacts", "people", {"E06000001": 4})
    pub = old_rule(rows, {})
    pub.figures.loc[rows[2]["figure_id"], "value_shown"] = "four"
    with pytest.raises(ValueError, match=r"E06000001.*'four'.*neither c, z, x nor a number"):
        audit_publication(pub)


# -- issue 13's families (fig_programme_framework, fig_survey_framework, fig_national) ----------
PEOPLE_TABLES = (
    "aspirant_dcs",
    "diversity",
    "supply_demand",
    "survey_response",
    "survey_headlines",
    "survey_breakdowns",
    "survey_open_themes",
)


def test_no_small_count_of_people_is_shown_in_the_new_families(warehouse):
    shown = warehouse.execute(f"""
        select figure_id, value, numerator from audit.fct_figures
        where not suppressed and (table_id in {PEOPLE_TABLES}
                                  or indicator in ('participants_fytd', 'outcomes_fytd', 'cost_per_participant', 'cost_per_outcome'))
          and ((unit in ('count', 'people') and value between 1 and 2) or (unit = 'percent' and numerator between 1 and 2))
    """).df()
    assert shown.empty, shown.head()
    protected = warehouse.execute(f"""
        select count(*) from audit.fct_figures
        where table_id in {PEOPLE_TABLES} and suppression in ('primary', 'withheld primary')""").fetchone()[0]
    assert protected > 0  # the sample has small counts there: the families are protected, not empty


def framework_rows(warehouse, pattern: str) -> list[dict]:
    """The sample's own rows of fig_programme_framework, disclosure fields as the model sets them."""
    rows = warehouse.execute(
        "select * from figures.fig_programme_framework where figure_id like ? order by figure_id", [pattern]
    ).df()
    assert len(rows), pattern
    return rows.astype(object).where(rows.notna(), None).to_dict("records")


def without_disclosure_fields(rows: list[dict]) -> list[dict]:
    """As the family was first written: no disclosure fields, so fct_figures sees no people."""
    fields = (
        "disclosure_class",
        "disclosure_total_id",
        "disclosure_group",
        "disclosure_count_id",
        "disclosure_base_id",
    )
    return [{**r, **dict.fromkeys(fields)} for r in rows]


def test_diversity_categories_of_one_under_their_base(policy, warehouse):
    """Three leaders of 31 are Asian, Black, other (1 each), 28 White: suppressing the 1s alone
    leaves base - White = 3, so each is 1; the policy suppresses White too."""
    rows = framework_rows(warehouse, f"diversity.%.2024-25_Q4.{R}.ethnic_group%")
    values = {"base": 31, "asian": 1, "black": 1, "mixed": 0, "other": 1, "white": 28}
    for r in rows:
        r["value"] = float(values[r["figure_id"].rsplit(".", 1)[-1].replace("ethnic_group", "base")])
    ones = [r["figure_id"] for r in rows if r["value"] == 1]
    assert (policy(without_disclosure_fields(rows))["value_shown"] == "1").sum() == 3  # NULL fields: shown
    old = audit_publication(old_rule(rows, dict.fromkeys(ones, "primary")))
    assert set(old.failures["figure_id"]) == set(ones) and set(old.failures["upper"]) == {1.0}
    published = policy(rows)
    shown = dict(zip(published["figure_id"], published["value_shown"]))
    assert all(shown[o] == "c" for o in ones) and shown[f"diversity.n.2024-25_Q4.{R}.ethnic_group.white"] == "c"
    result = audit_publication(as_published(published))
    assert result.passed and len(result.report) == 3, result.report


def test_a_cost_per_participant_gives_back_the_participants(policy, warehouse):
    """Spend 30,000 and 15,000 per participant: 2 participants, whatever the count shows."""
    rows = framework_rows(warehouse, f"vfm.%.2024-25_Q4.{R}")
    by_id = {r["figure_id"].split(".")[1]: r for r in rows}
    by_id["spent_fytd"]["value"], by_id["participants_fytd"]["value"] = 30000.0, 2.0
    cost = by_id["cost_per_participant"]
    cost.update(value=15000.0, base=2.0, numerator=30000.0, denominator=2.0)
    participants = by_id["participants_fytd"]["figure_id"]
    assert policy(without_disclosure_fields(rows)).set_index("figure_id").loc[participants, "value_shown"] == "2"
    old = audit_publication(old_rule(rows, {participants: "primary"}))
    assert list(old.failures["figure_id"]) == [participants] and old.failures["width"].iloc[0] < 1
    published = policy(rows).set_index("figure_id", drop=False)
    assert published.loc[participants, "suppression"] == "primary"
    assert published.loc[cost["figure_id"], "suppression"] == "consequential"
    assert published.loc[by_id["spent_fytd"]["figure_id"], "value_shown"] == "30000"  # money: public
    assert audit_publication(as_published(published)).passed


def test_a_survey_headline_goes_with_the_options_it_sums(sample_build, warehouse):
    """'Likely or planning' is two options' n: shown beside a suppressed option and its shown
    neighbour it gives the option back; its change and England's headline would too."""
    pub = load_publication(sample_build.warehouse, sample_build.figures_dir)
    figures = pub.figures
    options = warehouse.execute("""
        select distinct 'survey.headline.percent.' || wave || '.' || measure as headline,
               'survey.n.' || wave || '.' || question_id || '.' as options
        from marts.fct_survey_headlines where group_type = 'all'""").df()
    hidden = []
    for r in options.itertuples():
        suppressed = figures["figure_id"].str.startswith(r.options) & (figures["value_shown"] == "c")
        if suppressed.any():
            assert figures.loc[r.headline, "value_shown"] == "c", r.headline
            hidden.append(r.headline)
    assert hidden  # the sample has such a headline (2023-24 intent to apply)
    for headline in hidden:  # its change since the previous wave, England's of the year
        wave, measure = headline.split(".")[3:5]
        for other in (f"survey.change.change_pp.{wave}.{measure}", f"survey.national.percent.{wave[:7]}.{measure}"):
            if other in figures.index:
                assert figures.loc[other, "value_shown"] == "c", other
    # published as the model first did (the headline shown), the audit pins the suppressed option
    leaked = figures.copy()
    leaked.loc[hidden, "value_shown"] = [f"{v:.1f}" for v in leaked.loc[hidden, "value"]]
    leaked.loc[hidden, "base"] = leaked.loc[[h.replace(".percent.", ".base.") for h in hidden], "value"].to_numpy()
    result = audit_publication(
        Publication(figures=leaked.reset_index(drop=True), ratings=pub.ratings, multi_select=pub.multi_select)
    )
    assert not result.passed and result.failures["figure_id"].str.startswith("survey.").all()
