"""The linear relations an attacker can write among published figures.

Each figure is modelled by the count it rests on: a count is its own variable (named by
its figure id); a rate or mean is ``value = scale * numerator / base``, with the
numerator a variable (a count figure where one is published, e.g. a survey percent's n)
and the base either a published number or another figure's variable. Relations are
``lower <= sum(coef * var) <= upper``; an equality has ``lower == upper``.

Families (the working definitions in ref_indicators.csv, fct_table_one, fig_programme):
* Table one: LA cells add up to their region, regions to England (counts, and the
  numerators of the averages);
* level 4: the region's counts are tier 1 + tier 2 of Table one; the permanent-fill and
  readvertisement rates rest on those counts;
* level 1: responses and attendances by activity type add up; rating counts add up to all
  responses and give the mean rating (sum of k * count), which is also the sum over types;
* level 3: a quarter's events add up to the financial year to date and to date;
* survey: options answered once add up to the base; a percent rests on its n and base;
* themes and level 2: a percent rests on its n and base; n never exceeds its base; the
  survey's free-text respondents of a gender or tier are at most that group's survey count;
* programme: participants and responses are at most attendances, by type and in all;
* framework (fig_programme_framework): an Aspirant DCS status's routes add up to the status,
  each quarter to the year to date and the total to date; leaders' diversity categories add up
  to the dimension's base; a cost per participant or outcome is the spend over that count;
* survey section (fig_survey_framework, fig_national): online + other respondents = all; the
  response rate rests on respondents and the workforce; a headline's percent rests on its base;
  by gender or tier the bases and the n's add up to at most the overall ones; the regions'
  overall headlines add up to England's; a breakdown's options add up to its base (at most, for
  a question answered more than once), its bases to at most the question's base and its n's
  to at most the option's n; a theme's percent rests on its n and base, n at most the base.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

import pandas as pd

from succession.figures import survey_by_id, survey_id

COUNT_UNITS = {"count", "people", "organisations"}
# value = SCALE * numerator / base, printed to HALF_WIDTH either side (macros/disclosure.sql format_value)
SCALE = {"percent": 100.0, "ratio": 1.0, "score": 1.0, "days": 1.0, "rate": 1.0}
HALF_WIDTH = {"percent": 0.05, "ratio": 0.05, "score": 0.05, "rate": 0.05, "days": 0.5}
RATING_SCALE = (1, 5)  # activity ratings are 1 (poor) .. 5 (excellent)
# the survey headlines' published definitions (marts/survey/fct_survey_headlines.sql): a
# headline's n is the sum of these options' n, overall and within a gender or tier
HEADLINE_OPTIONS = {
    "likely_or_planning": ("intent_to_apply", ("likely", "planning")),
    "satisfied": ("satisfaction", ("fairly_satisfied", "satisfied")),
}
TABLE_ONE_TO_LEVEL4 = ("vacancies", "posts_advertised", "filled_permanent", "advertised_not_filled", "readvertised")


@dataclass(frozen=True)
class Relation:
    terms: tuple[tuple[str, float], ...]
    lower: float
    upper: float
    source: str

    @property
    def variables(self) -> list[str]:
        return [v for v, _ in self.terms]


@dataclass(frozen=True)
class Quantity:
    """How a figure's value is made: value = scale * numerator / base."""

    numerator: str
    base: str | float | None  # a variable, a published number, or unknown
    scale: float = 1.0


def numerator_var(figure_id: str) -> str:
    return f"numerator of {figure_id}"


def equal(total: str, parts: list[str], source: str) -> Relation:
    """total = sum(parts)"""
    terms: dict[str, float] = defaultdict(float)
    terms[total] += 1.0
    for p in parts:
        terms[p] -= 1.0
    return Relation(tuple(terms.items()), 0.0, 0.0, source)


def at_most(small: str, large: str, source: str) -> Relation:
    return Relation(((small, 1.0), (large, -1.0)), float("-inf"), 0.0, source)


class Relations:
    """Every relation among a publication's figures, and each figure's Quantity."""

    def __init__(self, figures: pd.DataFrame, multi_select: frozenset[str] = frozenset()):
        self.figures = figures
        self.multi_select = multi_select
        self.relations: list[Relation] = []
        self.numerators: dict[str, str] = {}  # rate figure -> the count figure it rests on
        self.bases: dict[str, str] = {}  # rate figure -> the figure holding its base
        # money per unit (cost per participant) -> (the money figure, the count it is divided by):
        # shown beside the money, it gives back the count
        self.per_unit: dict[str, tuple[str, str]] = {}
        self._by_key = {self._key(r): r.figure_id for r in figures.itertuples()}
        for family in (
            self._table_one,
            self._level4,
            self._level1,
            self._level2,
            self._level3,
            self._survey,
            self._themes,
            self._aspirants,
            self._diversity,
            self._value_for_money,
            self._survey_response,
            self._headlines,
            self._survey_breakdowns,
            self._survey_themes,
        ):
            family()

    # -- lookups ---------------------------------------------------------------------------
    @staticmethod
    def _key(r) -> tuple:
        return (r.table_id, r.indicator, r.period, r.geographic_level, r.region_code, r.new_la_code, r.breakdown)

    def _find(self, table_id, indicator, period, level, region=None, la=None, breakdown=None) -> str | None:
        return self._by_key.get((table_id, indicator, period, level, region, la, breakdown))

    def _rows(self, table_id: str, indicators=None) -> pd.DataFrame:
        f = self.figures[self.figures["table_id"] == table_id]
        return f if indicators is None else f[f["indicator"].isin(indicators)]

    def quantity(self, fig) -> Quantity:
        if fig.unit in COUNT_UNITS:
            return Quantity(fig.figure_id, 1.0)
        numerator = self.numerators.get(fig.figure_id, numerator_var(fig.figure_id))
        base = self.bases.get(fig.figure_id)
        if base is None and pd.notna(fig.base):
            base = float(fig.base)
        return Quantity(numerator, base, SCALE.get(fig.unit, 1.0))

    # -- families --------------------------------------------------------------------------
    def _table_one(self) -> None:
        t1 = self._rows("table_one").copy()
        t1["var"] = [fid if u in COUNT_UNITS else numerator_var(fid) for fid, u in zip(t1["figure_id"], t1["unit"])]
        key = ["indicator", "period", "breakdown"]
        regions = t1[t1["geographic_level"] == "Regional"].set_index([*key, "region_code"])["var"]
        las = t1[t1["geographic_level"] == "Local authority"].groupby([*key, "region_code"])["var"].apply(list)
        for idx, parts in las.items():
            if idx in regions.index:
                self.relations.append(equal(regions[idx], parts, "LA cells add up to the region"))
        national = t1[t1["geographic_level"] == "National"].set_index(key)["var"]
        for idx, parts in t1[t1["geographic_level"] == "Regional"].groupby(key)["var"].apply(list).items():
            if idx in national.index:
                self.relations.append(equal(national[idx], parts, "regions add up to England"))

    def _level4(self) -> None:
        for r in self._rows("evaluation_level4").itertuples():
            if r.indicator in TABLE_ONE_TO_LEVEL4:
                tiers = [
                    self._find("table_one", r.indicator, r.period, "Regional", r.region_code, None, f"tier_{t}")
                    for t in (1, 2)
                ]
                if all(tiers):
                    self.relations.append(equal(r.figure_id, tiers, "level 4 count = Table one tier 1 + tier 2"))
        for rate, numerator, base in (
            ("permanent_fill_rate", "filled_permanent", None),
            ("readvertisement_rate", "readvertised", "posts_advertised"),
        ):
            for r in self._rows("evaluation_level4", [rate]).itertuples():
                if n := self._find("evaluation_level4", numerator, r.period, r.geographic_level, r.region_code):
                    self.numerators[r.figure_id] = n
                if base and (b := self._find("evaluation_level4", base, r.period, r.geographic_level, r.region_code)):
                    self.bases[r.figure_id] = b

    def _level1(self) -> None:
        l1 = self._rows("evaluation_level1")
        for (period, region), g in l1.groupby(["period", "region_code"]):

            def fid(indicator, breakdown=None, table="evaluation_level1"):
                return self._find(table, indicator, period, "Regional", region, None, breakdown)  # noqa: B023 - used in this iteration only

            by_type = g[g["breakdown"].fillna("").str.startswith("type_")]
            types = sorted(by_type["breakdown"].unique())
            responses_all, mean_all = fid("responses"), fid("mean_rating")
            for indicator, table in (("responses", "evaluation_level1"), ("attendances", "programme_activities")):
                total, parts = fid(indicator, None, table), [fid(indicator, t, table) for t in types]
                if total and parts and all(parts):
                    self.relations.append(equal(total, parts, f"{indicator} by activity type add up"))
            all_participants = fid("participants", None, "programme_activities")
            for t in [None, *types]:
                # a participant attended at least once; a response comes from an attendance
                attendances = fid("attendances", t, "programme_activities")
                for fewer, what in (
                    (fid("participants", t, "programme_activities"), "participants"),
                    (fid("responses", t), "responses"),
                ):
                    if fewer and attendances:
                        self.relations.append(at_most(fewer, attendances, f"{what} are at most attendances"))
                if t and all_participants and (p := fid("participants", t, "programme_activities")):
                    self.relations.append(
                        at_most(p, all_participants, "participants of a type are at most all participants")
                    )
            for t in [None, *types]:
                if (rate := fid("response_rate", t)) and (n := fid("responses", t)):
                    self.numerators[rate] = n
                    if a := fid("attendances", t, "programme_activities"):
                        self.bases[rate] = a
                if (mean := fid("mean_rating", t)) and (n := fid("responses", t)):
                    self.bases[mean] = n
                    lo, hi = RATING_SCALE
                    num = numerator_var(mean)
                    self.relations.append(Relation(((num, 1.0), (n, -lo)), 0.0, float("inf"), "ratings are at least 1"))
                    self.relations.append(Relation(((num, 1.0), (n, -hi)), float("-inf"), 0.0, "ratings are at most 5"))
            shares = [fid("rating_share", f"rating_{k}") for k in range(RATING_SCALE[0], RATING_SCALE[1] + 1)]
            if responses_all and all(shares):
                for s in shares:
                    self.bases[s] = responses_all
                counts = [numerator_var(s) for s in shares]
                self.relations.append(equal(responses_all, counts, "rating counts add up to all responses"))
                if mean_all:
                    terms = (
                        (numerator_var(mean_all), 1.0),
                        *((c, -float(k)) for k, c in enumerate(counts, start=RATING_SCALE[0])),
                    )
                    self.relations.append(
                        Relation(terms, 0.0, 0.0, "mean rating = sum of k x rating counts / responses")
                    )
            type_means = [fid("mean_rating", t) for t in types]
            if mean_all and type_means and all(type_means):
                self.relations.append(
                    equal(
                        numerator_var(mean_all),
                        [numerator_var(m) for m in type_means],
                        "rating sums by activity type add up",
                    )
                )

    def _level2(self) -> None:
        for r in self._rows("evaluation_level2").itertuples():
            paired = self._find(
                "evaluation_level2",
                "paired_participants",
                r.period,
                r.geographic_level,
                r.region_code,
                None,
                r.breakdown,
            )
            if r.indicator == "audit_coverage" and paired:
                self.numerators[r.figure_id] = paired
            elif r.indicator.startswith("skill_") and paired:
                self.bases[r.figure_id] = paired

    def _level3(self) -> None:
        self._cumulative_series(self._rows("evaluation_level3"), "events", "events_fytd", "events_to_date")

    def _cumulative_series(self, rows: pd.DataFrame, quarter: str, fytd: str, to_date: str) -> None:
        """A quarter's count, its financial year to date and its total to date, per region and breakdown."""
        for _, g in rows.groupby(["region_code", "breakdown"]):
            ids = {(r.indicator, r.period): r.figure_id for r in g.itertuples()}
            previous = None
            for period in sorted(g["period"].unique()):
                events = ids.get((quarter, period))
                if events is None:
                    continue
                same_year = previous is not None and previous[:7] == period[:7]
                for cumulative, restarts in ((fytd, True), (to_date, False)):
                    if (total := ids.get((cumulative, period))) is None:
                        continue
                    before = ids.get((cumulative, previous)) if previous and (same_year or not restarts) else None
                    self.relations.append(
                        equal(
                            total,
                            [events, *([before] if before else [])],
                            f"{cumulative}: previous quarter + this quarter's events",
                        )
                    )
                previous = period

    def _survey(self) -> None:
        survey = self._rows("survey")
        for r in survey[survey["indicator"] == "percent"].itertuples():
            self.numerators[r.figure_id] = r.figure_id.replace("survey.percent.", "survey.n.", 1)
            self.bases[r.figure_id] = _stem_id(r.figure_id, "survey.percent.", "survey.base.")
        n = survey[survey["indicator"] == "n"]
        stems = n["figure_id"].map(lambda f: _stem_id(f, "survey.n.", "survey.base."))
        for base, parts in n.groupby(stems)["figure_id"].apply(list).items():
            if base not in self.figures.index:
                continue
            if base.removeprefix("survey.base.") in self.multi_select:
                self.relations.extend(at_most(p, base, "an option's n is at most its base") for p in parts)
            else:
                self.relations.append(equal(base, parts, "options answered once add up to the base"))

    def _themes(self) -> None:
        themes = self._rows("theme_prevalence")
        # survey free text by gender or tier: at most the respondents who gave that answer
        for r in themes[themes["indicator"] == "base"].itertuples():
            source, wave, group_type, group_value = r.figure_id.removeprefix("themes.base.").split(".", 3)
            answered = survey_id("n", wave, group_type, None, group_value)  # the group's option of its question
            if source == "survey" and group_type != "all" and answered in self.figures.index:
                self.relations.append(
                    at_most(r.figure_id, answered, "free-text respondents of a group are at most the group")
                )
        for r in themes[themes["indicator"] == "percent"].itertuples():
            n = r.figure_id.replace("themes.percent.", "themes.n.", 1)
            base = _stem_id(r.figure_id, "themes.percent.", "themes.base.")
            self.numerators[r.figure_id] = n
            self.bases[r.figure_id] = base
            if n in self.figures.index and base in self.figures.index:
                self.relations.append(at_most(n, base, "a theme's n is at most its base"))

    # -- issue 13's families ------------------------------------------------------------------
    def _aspirants(self) -> None:
        aspirants = self._rows("aspirant_dcs")
        self._cumulative_series(aspirants, "people_quarter", "people_fytd", "people_to_date")
        routes = aspirants[aspirants["breakdown"].str.contains(".", regex=False)]
        status = routes["breakdown"].str.split(".").str[0]
        for (indicator, period, region, s), parts in routes.groupby(["indicator", "period", "region_code", status])[
            "figure_id"
        ]:
            if total := self._find("aspirant_dcs", indicator, period, "Regional", region, None, s):
                self.relations.append(equal(total, list(parts), "an Aspirant DCS status's routes add up to it"))

    def _diversity(self) -> None:
        n = self._rows("diversity", ["n"])
        for (period, region, dimension), parts in n.groupby(
            ["period", "region_code", n["breakdown"].str.split(".").str[0]]
        )["figure_id"]:
            if base := self._find("diversity", "base", period, "Regional", region, None, dimension):
                self.relations.append(equal(base, list(parts), "diversity categories add up to the base"))

    def _value_for_money(self) -> None:
        for rate, count in (
            ("cost_per_participant", "participants_fytd"),
            ("cost_per_activity", "activities_fytd"),
            ("cost_per_outcome", "outcomes_fytd"),
        ):
            for r in self._rows("value_for_money", [rate]).itertuples():
                spent = self._find("value_for_money", "spent_fytd", r.period, r.geographic_level, r.region_code)
                divisor = self._find("value_for_money", count, r.period, r.geographic_level, r.region_code)
                if spent and divisor:
                    self.per_unit[r.figure_id] = (spent, divisor)

    def _survey_response(self) -> None:
        for r in self._rows("survey_response", ["respondents"]).itertuples():
            parts = [
                self._find("survey_response", f"respondents_{how}", r.period, r.geographic_level, r.region_code)
                for how in ("online", "other")
            ]
            if all(parts):
                self.relations.append(equal(r.figure_id, parts, "online and other respondents add up"))
            if rate := self._find("survey_response", "response_rate", r.period, r.geographic_level, r.region_code):
                self.numerators[rate] = r.figure_id
                if workforce := self._find("survey_response", "workforce", r.period, r.geographic_level, r.region_code):
                    self.bases[rate] = workforce

    def _headlines(self) -> None:
        """Headline percents (regional waves, by group, and England's year) and their bases."""
        rows = self._rows("survey_headlines")
        for r in rows[rows["unit"] == "percent"].itertuples():
            self.bases[r.figure_id] = r.figure_id.replace(".percent.", ".base.", 1)
        var = {
            r.figure_id: r.figure_id if r.unit in COUNT_UNITS else numerator_var(r.figure_id) for r in rows.itertuples()
        }
        regional = rows[rows["geographic_level"] == "Regional"]
        overall = regional[regional["breakdown"].isna()]
        by_group = regional[regional["breakdown"].notna()]
        group_type = by_group["breakdown"].str.split("_").str[0]
        for (indicator, period, unit, _), parts in by_group.groupby(["indicator", "period", "unit", group_type])[
            "figure_id"
        ]:
            total = overall[
                (overall["indicator"] == indicator) & (overall["period"] == period) & (overall["unit"] == unit)
            ]
            for t in total["figure_id"]:
                self.relations.append(
                    _sum_at_most([var[p] for p in parts], var[t], "a grouping's people are at most all")
                )
        for r in regional[regional["unit"] == "percent"].itertuples():
            if r.indicator not in HEADLINE_OPTIONS:
                continue
            question, options = HEADLINE_OPTIONS[r.indicator]
            if pd.isna(r.breakdown):
                parts = [survey_id("n", r.period, question, None, o) for o in options]
            else:
                parts = [numerator_var(survey_by_id("percent", r.period, question, r.breakdown, o)) for o in options]
            if all(
                p in self.figures.index
                or (p.startswith("numerator of ") and p.removeprefix("numerator of ") in self.figures.index)
                for p in parts
            ):
                self.relations.append(equal(var[r.figure_id], parts, "a headline is the sum of its options"))
        national = rows[rows["geographic_level"] == "National"]
        for r in national.itertuples():
            parts = overall[
                (overall["indicator"] == r.indicator)
                & (overall["unit"] == r.unit)
                & (overall["period"].str[:7] == r.period)
            ]["figure_id"]
            if len(parts):
                self.relations.append(equal(var[r.figure_id], [var[p] for p in parts], "regions add up to England"))

    def _survey_breakdowns(self) -> None:
        rows = self._rows("survey_breakdowns")
        percents = rows[rows["indicator"] == "percent"]
        for r in percents.itertuples():
            self.bases[r.figure_id] = _stem_id(r.figure_id, "survey.by.percent.", "survey.by.base.")
        for base, parts in percents.groupby(
            percents["figure_id"].map(lambda f: _stem_id(f, "survey.by.percent.", "survey.by.base."))
        )["figure_id"]:
            if base not in self.figures.index:
                continue
            numerators = [numerator_var(p) for p in parts]
            wave, question = base.removeprefix("survey.by.base.").split(".")[:2]
            if f"{wave}.{question}" in self.multi_select:
                self.relations.extend(at_most(n, base, "an option's n is at most its base") for n in numerators)
            else:
                self.relations.append(equal(base, numerators, "options answered once add up to the base"))
        # a grouping (gender, tier) covers at most everyone who answered, and everyone choosing an option
        bases = rows[rows["indicator"] == "base"]
        wave_question = bases["figure_id"].str.split(".").str[3:5].str.join(".")
        for (wq, _group_type), parts in bases.groupby([wave_question, bases["breakdown"].str.split("_").str[0]])[
            "figure_id"
        ]:
            if (total := f"survey.base.{wq}") in self.figures.index:
                self.relations.append(_sum_at_most(list(parts), total, "a grouping's respondents are at most all"))
        ids = percents["figure_id"].str.removeprefix("survey.by.percent.").str.split(".")
        key = ids.str[0] + "." + ids.str[1] + "|" + ids.str[2].str.split("_").str[0] + "|" + ids.str[3]
        for k, parts in percents.groupby(key)["figure_id"]:
            wq, _, option = k.split("|")
            if (total := f"survey.n.{wq}.{option}") in self.figures.index:
                self.relations.append(
                    _sum_at_most([numerator_var(p) for p in parts], total, "an option's n by group is at most its n")
                )

    def _survey_themes(self) -> None:
        rows = self._rows("survey_open_themes")
        for r in rows[rows["indicator"] == "percent"].itertuples():
            n = r.figure_id.replace("survey.theme.percent.", "survey.theme.n.", 1)
            base = _stem_id(r.figure_id, "survey.theme.percent.", "survey.theme.base.")
            self.numerators[r.figure_id], self.bases[r.figure_id] = n, base
            if n in self.figures.index and base in self.figures.index:
                self.relations.append(at_most(n, base, "a theme's n is at most its base"))


def _sum_at_most(parts: list[str], total: str, source: str) -> Relation:
    """sum(parts) <= total"""
    terms: dict[str, float] = defaultdict(float)
    for p in parts:
        terms[p] += 1.0
    terms[total] -= 1.0
    return Relation(tuple(terms.items()), float("-inf"), 0.0, source)


def _stem_id(figure_id: str, prefix: str, new_prefix: str) -> str:
    """survey.percent.<stem>.<option> -> survey.base.<stem> (the last id segment is the option)."""
    return new_prefix + re.sub(r"\.[^.]*$", "", figure_id.removeprefix(prefix))
