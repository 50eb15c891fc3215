"""Bounds every protected cell as an attacker holding everything published would.

For each protected cell (suppression 'primary' or 'withheld primary') the quantity at
risk is the count of people it rests on (a count's value, a rate's numerator). The
attacker knows:
* every shown value, to its printed precision (a percent shown as 28.6 is in [28.55, 28.65]);
* the relations among figures (``relations.Relations``);
* the published rule: counts are non-negative integers; zeros are always shown outside a
  withheld breakdown, so a cell suppressed as primary is 1..k and a complementary
  ('secondary') count is above k; cells of a withheld breakdown and consequential
  suppressions are only known to be >= 0 (conservatively, the audit tells the attacker
  which label each suppressed cell carries, which the published files do not);
* a published rating against a target (met / near / not met), as an interval on the value.

The bounds are the minimum and maximum of the quantity over every integer solution
(``scipy.optimize.linprog``, method "highs", with integrality), solved per connected
component of the relations, so each programme is small.

The protection interval the policy promises: the attacker's interval on a protected
quantity q is at least max(MIN_WIDTH, PROTECTION_SHARE * q) wide. For a small count
that means never telling 1 from 2; for a rate or mean (q its numerator: total days to
fill, sum of ratings, applicants) never narrowing it to within +-25% of its value (so a
'near' rating, within 10% of a target, fails it).
"""

from __future__ import annotations

import csv
import math
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from succession.disclosure.programme import IntegerProgramme
from succession.disclosure.publication import Publication, load_publication
from succession.disclosure.relations import COUNT_UNITS, HALF_WIDTH, Quantity, Relation, Relations
from succession.disclosure.solved import SolvedComponents, programme_key
from succession.parallel import map_on_cores, runs_within

UNBOUNDED = 1e7
SWEEPS = 4  # random sign patterns per component with many targets (SWEEP_FROM) ...
SWEEP_FROM = 20  # ... where they save more programmes than they cost
# ~1.5 ms a target (two small programmes): below this many, starting a worker (~2.5 s of imports)
# costs more than it saves; chunks of this many targets are a worker's share at a time
MIN_TARGETS_FOR_WORKERS = 3000
TARGETS_PER_CHUNK = 250
MIN_WIDTH = 1.0  # the protection interval: upper - lower >= 1 (at least two values) ...
PROTECTION_SHARE = 0.5  # ... and >= half the protected quantity itself
PROTECTED = ("primary", "withheld primary")
REPORT_COLUMNS = ["figure_id", "suppression", "quantity", "lower", "upper", "width", "required", "result", "reason"]
RATING_BANDS = {  # rating -> value interval as multiples of the target, by direction
    ("higher", "met"): (1.0, math.inf),
    ("higher", "near"): (0.9, 1.0),
    ("higher", "not met"): (-math.inf, 0.9),
    ("lower", "met"): (-math.inf, 1.0),
    ("lower", "near"): (1.0, 1.1),
    ("lower", "not met"): (1.1, math.inf),
}


@dataclass
class AuditResult:
    report: pd.DataFrame
    seconds: float
    components: int
    reused: int = 0  # components whose bounds came from the last audit's record

    @property
    def failures(self) -> pd.DataFrame:
        return self.report[self.report["result"] == "fail"]

    @property
    def passed(self) -> bool:
        return self.failures.empty

    def summary(self) -> str:
        n = len(self.report)
        if self.passed:
            narrowest = self.report["width"].min() if n else math.nan
            return (
                f"disclosure audit passed: {n} protected cells, narrowest interval width {narrowest:g} "
                f"(policy: >= max({MIN_WIDTH:g}, {PROTECTION_SHARE:g} x the value)), "
                f"{self.components} components in {self.seconds:.1f}s"
            )
        worst = "; ".join(f"{r.figure_id} in [{r.lower:g}, {r.upper:g}]" for r in self.failures.head(5).itertuples())
        return (
            f"disclosure audit FAILED: {len(self.failures)} of {n} protected cells can be narrowed below the "
            f"protection interval (width >= max({MIN_WIDTH:g}, {PROTECTION_SHARE:g} x the value)): {worst}"
        )


class _Model:
    """Variables, bounds and linear rows for the whole publication, before splitting."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.rows: list[Relation] = []

    def var(self, name: str) -> int:
        if name not in self.index:
            self.index[name] = len(self.lower)
            self.lower.append(0.0)  # everything counted is non-negative
            self.upper.append(math.inf)
        return self.index[name]

    def bound(self, name: str, lower: float = -math.inf, upper: float = math.inf) -> None:
        i = self.var(name)
        self.lower[i] = max(self.lower[i], lower)
        self.upper[i] = min(self.upper[i], upper)

    def add(self, relation: Relation) -> None:
        for v in relation.variables:
            self.var(v)
        self.rows.append(relation)

    def value_between(self, q: Quantity, lower: float, upper: float, source: str) -> None:
        """lower <= scale * numerator / base <= upper, written linearly in numerator (and base)."""
        if isinstance(q.base, str):
            for bound, sign in ((lower, 1.0), (upper, -1.0)):
                if math.isfinite(bound):
                    terms = ((q.numerator, sign), (q.base, -sign * bound / q.scale))
                    self.add(Relation(terms, 0.0, math.inf, source))
            self.var(q.numerator)
        elif q.base is not None and q.base > 0:
            self.bound(q.numerator, lower * q.base / q.scale, upper * q.base / q.scale)


def build_model(pub: Publication) -> tuple[_Model, dict[str, tuple[str, float]]]:
    """The attacker's knowledge as one model; returns it and, per protected figure, its
    quantity's variable and true value (the defender's, to size the protection interval)."""
    rel = Relations(pub.figures, pub.multi_select)
    model = _Model()
    for r in rel.relations:
        model.add(r)
    protected: dict[str, tuple[str, float]] = {}
    k = counts_up_to()
    for fig in pub.figures.itertuples():
        q = rel.quantity(fig)
        shown = fig.value_shown
        if shown == "z":  # not applicable: nothing to count (no campaign closed, nobody asked)
            model.bound(q.numerator, 0, 0)
            continue
        if shown == "x" or shown is None:  # not available: the attacker learns nothing
            continue
        if shown != "c":
            v = _number(fig.figure_id, shown)
            if fig.figure_id in rel.per_unit:
                _per_unit(model, rel, pub, fig, v)
            elif fig.unit in COUNT_UNITS:
                model.bound(q.numerator, v, v)
            else:
                h = HALF_WIDTH.get(fig.unit, 0.0)
                model.value_between(q, max(v - h, 0.0), v + h, "shown value")
            continue
        label = fig.suppression
        if fig.unit in COUNT_UNITS:
            if label == "primary":
                model.bound(q.numerator, 1, k)
            elif label == "secondary":
                model.bound(q.numerator, k + 1)
            else:
                model.var(q.numerator)
        else:
            model.var(q.numerator)
            if fig.unit == "percent":  # a share of its base
                model.value_between(q, 0.0, 100.0, "a percent is 0..100")
        if label in PROTECTED:
            truth = fig.value if fig.unit in COUNT_UNITS else fig.numerator
            protected[fig.figure_id] = (q.numerator, 0.0 if pd.isna(truth) else float(truth))
    _ratings(model, rel, pub)
    return model, protected


def _per_unit(model: _Model, rel: Relations, pub: Publication, fig, v: float) -> None:
    """A cost per participant shown beside the spend: spend / (v + h) <= participants <= spend / (v - h)."""
    money, count = rel.per_unit[fig.figure_id]
    shown = pub.figures.loc[money, "value_shown"]
    if shown in ("c", "z", "x", None):
        return
    spent, h = _number(money, shown), HALF_WIDTH.get(fig.unit, 0.0)
    spent_low, spent_high = spent - 0.5, spent + 0.5  # money prints whole
    model.bound(count, spent_low / (v + h), spent_high / (v - h) if v > h else math.inf)


def _number(figure_id: str, shown: str) -> float:
    try:
        return float(str(shown).replace("\u2212", "-"))
    except ValueError:
        raise ValueError(
            f"{figure_id}: shown as {shown!r}, which is neither c, z, x nor a number: "
            "the disclosure audit cannot tell what it publishes"
        ) from None


def _ratings(model: _Model, rel: Relations, pub: Publication) -> None:
    for r in pub.ratings.itertuples():
        band = RATING_BANDS.get((r.direction, r.rating))
        if band is None or r.actual_figure_id not in pub.figures.index or pd.isna(r.target):
            continue
        q = rel.quantity(pub.figures.loc[r.actual_figure_id])
        t = float(r.target)
        lo, hi = (b * t for b in band) if t >= 0 else (band[1] * t, band[0] * t)
        model.value_between(q, lo, hi, f"rating '{r.rating}' against target {t:g}")


def counts_up_to() -> int:
    """The published threshold: a primary count is 1..k, k = dbt's suppress_counts_up_to
    (dbt_project.yml), the one setting the mechanism and the audit share."""
    import yaml

    from succession.paths import DBT_PROJECT_DIR

    return int(yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())["vars"]["suppress_counts_up_to"])


def required_width(quantity: float) -> float:
    """The protection interval's width for a protected quantity (see the module docstring)."""
    return max(MIN_WIDTH, PROTECTION_SHARE * abs(quantity))


def _components(model: _Model) -> np.ndarray:
    n = len(model.lower)
    src, dst = [], []
    for row in model.rows:
        idx = [model.index[v] for v in row.variables]
        src += idx[:-1]
        dst += idx[1:]
    graph = coo_matrix((np.ones(len(src)), (src, dst)), shape=(n, n))
    return connected_components(graph, directed=False)[1]


@dataclass(frozen=True)
class _Programme:
    """One component's integer programme as plain data (a worker process takes it whole):
    rows as ``{column: coefficient}``, the variables' bounds, and the targets (model indices)
    with their columns."""

    rows_ub: list[dict[int, float]]
    b_ub: list[float]
    rows_eq: list[dict[int, float]]
    b_eq: list[float]
    bounds: list[tuple[float, float]]
    targets: list[int]
    columns: list[int]

    def key(self) -> str:
        """The same programme, to the last coefficient, has the same key (``solved``)."""
        return programme_key(self.rows_ub, self.b_ub, self.rows_eq, self.b_eq, self.bounds, self.columns)


def _programme(model: _Model, members: list[int], rows: list[Relation], targets: list[int]) -> _Programme:
    """The programme of one component: its relations over its variables."""
    local = {g: i for i, g in enumerate(members)}
    rows_ub: list[dict[int, float]] = []
    rows_eq: list[dict[int, float]] = []
    b_ub: list[float] = []
    b_eq: list[float] = []
    for r in rows:
        coef: dict[int, float] = {}
        for v, c in r.terms:
            col = local[model.index[v]]
            coef[col] = coef.get(col, 0.0) + c
        if r.lower == r.upper:
            rows_eq.append(coef), b_eq.append(r.upper)
            continue
        if math.isfinite(r.upper):
            rows_ub.append(coef), b_ub.append(r.upper)
        if math.isfinite(r.lower):
            rows_ub.append({col: -c for col, c in coef.items()}), b_ub.append(-r.lower)
    # every quantity is a whole number: bounds rounded inwards (HiGHS's MIP presolve can call a
    # problem with fractional bounds on integer variables infeasible); an unbounded variable is
    # capped far above any count, so 'unbounded' reads as a large upper bound
    bounds = [(math.ceil(model.lower[g] - 1e-9), math.floor(min(model.upper[g], UNBOUNDED) + 1e-9)) for g in members]
    return _Programme(rows_ub, b_ub, rows_eq, b_eq, bounds, targets, [local[g] for g in targets])


def _solve(programmes: list[_Programme]) -> list[dict[int, tuple[float, float, str]]]:
    """Min and max of each target over the integer points of each programme's component.

    Every solution found is a feasible point for all variables at once, so a target whose
    a priori bound (1..2 for a primary count, 0 for a withheld one) has been reached in some
    solution needs no programme of its own for that side: the bound is attained."""
    return [
        _bounds(IntegerProgramme(p.rows_ub, p.b_ub, p.rows_eq, p.b_eq, p.bounds), p.bounds, p.targets, p.columns)
        for p in programmes
    ]


def _bounds(
    programme: IntegerProgramme, bounds: list[tuple[float, float]], targets: list[int], columns: list[int]
) -> dict[int, tuple[float, float, str]]:
    members = len(bounds)
    seen_low = {g: math.inf for g in targets}
    seen_high = {g: -math.inf for g in targets}
    lower: dict[int, float] = {}
    upper: dict[int, float] = {}
    problem = ""

    def record(x) -> None:
        for g, col in zip(targets, columns):
            seen_low[g] = min(seen_low[g], round(x[col]))
            seen_high[g] = max(seen_high[g], round(x[col]))

    # sweeps first, where several targets share a component: all targets down, all up, and a
    # few random sign patterns with their negations (targets pulled opposite ways, as where
    # 1s and 2s under one total trade places); most targets reach their a priori bounds in
    # one of these solutions and need no programme of their own
    if len(targets) > SWEEP_FROM:
        rng = np.random.default_rng(0)  # deterministic: the same build gives the same report
        patterns = [np.ones(len(targets))] + [rng.choice([-1.0, 1.0], len(targets)) for _ in range(SWEEPS)]
        for pattern in patterns:
            for sign in (1.0, -1.0):
                sweep = np.zeros(members)
                sweep[columns] = sign * pattern
                res = programme.minimise(sweep)
                if res.success:
                    record(res.x)
    for g, col in zip(targets, columns):
        a_low, a_high = bounds[col]
        for side, sign in (("low", 1.0), ("high", -1.0)):
            if side == "low" and seen_low[g] <= a_low:
                lower[g] = a_low
                continue
            if side == "high" and seen_high[g] >= a_high:
                upper[g] = a_high
                continue
            c = np.zeros(members)
            c[col] = sign
            res = programme.minimise(c)
            if not res.success:
                problem = f"no solution ({res.message}); the relations contradict the published figures"
                break
            record(res.x)
            if side == "low":
                lower[g] = round(res.fun, 6)
            else:
                upper[g] = round(-res.fun, 6)
        if problem:
            break
    if problem:
        return {g: (math.nan, math.nan, problem) for g in targets}
    return {g: (lower[g], math.inf if upper[g] >= UNBOUNDED - 1 else upper[g], "") for g in targets}


def bound_targets(
    model: _Model, variables: list[str], solved: SolvedComponents | None = None, workers: int | None = None
) -> tuple[dict[int, tuple[float, float, str]], int]:
    """(lower, upper, problem) of each named variable (by its index), and how many connected
    components of the relations held them: each component is solved on its own, with every
    relation that touches it (a relation's variables are all in one component). A programme
    solved in the last audit (``solved``, the same programme to the last coefficient) is not
    solved again; the others are solved on every core (``workers``, default one per core)
    when there are enough targets to pay for starting them."""
    labels = _components(model) if model.lower else np.array([], dtype=int)
    by_component: dict[int, list[int]] = {}
    for g, comp in enumerate(labels):
        by_component.setdefault(int(comp), []).append(g)
    wanted: dict[int, list[int]] = {}
    for var in variables:
        g = model.index[var]
        wanted.setdefault(int(labels[g]), []).append(g)
    rows_of: dict[int, list[Relation]] = {}
    for r in model.rows:
        comp = int(labels[model.index[r.terms[0][0]]])
        if comp in wanted:
            rows_of.setdefault(comp, []).append(r)
    bounds: dict[int, tuple[float, float, str]] = {}
    todo: list[tuple[_Programme, str]] = []
    for comp, targets in wanted.items():
        programme = _programme(model, by_component[comp], rows_of.get(comp, []), sorted(set(targets)))
        key = programme.key() if solved is not None else ""
        if solved is not None and (known := solved.get(key)) is not None:
            bounds.update(zip(programme.targets, known))
        else:
            todo.append((programme, key))
    if sum(len(p.targets) for p, _ in todo) < MIN_TARGETS_FOR_WORKERS:
        workers = 1
    chunks = runs_within([p for p, _ in todo], lambda p: len(p.targets), TARGETS_PER_CHUNK)
    results = map_on_cores(_solve, chunks, workers)
    for (programme, key), result in zip(todo, (r for chunk in results for r in chunk)):
        bounds.update(result)
        if solved is not None:
            solved.put(key, [result[g] for g in programme.targets])
    return bounds, len(wanted)


def audit_publication(
    pub: Publication, solved: SolvedComponents | None = None, workers: int | None = None
) -> AuditResult:
    """The report on every protected cell; ``solved``: the last audit's components, reused
    where a component's programme is unchanged (and this audit's, recorded into it);
    ``workers``: processes to solve in (``bound_targets``)."""
    started = time.monotonic()
    model, protected = build_model(pub)
    bounds, components = bound_targets(model, [var for var, _ in protected.values()], solved, workers)
    rows = []
    for figure_id, (var, truth) in sorted(protected.items()):
        lower, upper, problem = bounds[model.index[var]]
        width = upper - lower
        required = required_width(truth)
        if problem:
            result, reason = "fail", problem
        elif width < required:
            result = "fail"
            reason = (
                f"pinned to {lower:g}" if width == 0 else f"narrowed to {lower:g}..{upper:g}"
            ) + f" (policy: an interval of width >= {required:g})"
        else:
            result, reason = "pass", f"the attacker can only bound it to {lower:g}..{upper:g}"
        rows.append(
            {
                "figure_id": figure_id,
                "suppression": pub.figures.at[figure_id, "suppression"],
                "quantity": "count" if var == figure_id else var.split(" of ")[0],
                "lower": lower,
                "upper": upper,
                "width": width,
                "required": required,
                "result": result,
                "reason": reason,
            }
        )
    report = pd.DataFrame(rows, columns=REPORT_COLUMNS)
    return AuditResult(report=report, seconds=time.monotonic() - started, components=components)


def report_path(build_dir: Path) -> Path:
    """Where a build's audit report lives (the interface fixed by the lead)."""
    return Path(build_dir) / "audit" / "disclosure.csv"


def solved_path(report: Path) -> Path:
    """The record of the components a report's audit solved (``solved.SolvedComponents``)."""
    return Path(report).with_name(Path(report).stem + ".components.json")


def run_audit(warehouse: Path, figures_dir: Path, report: Path) -> AuditResult:
    """Audit a build and write the report (<build>/audit/disclosure.csv), reusing the bounds of
    the components whose programmes are the same as in the last audit of this build folder."""
    solved = SolvedComponents.load(solved_path(report))
    result = audit_publication(load_publication(warehouse, figures_dir), solved)
    result.reused = solved.reused
    report.parent.mkdir(parents=True, exist_ok=True)
    solved.save(solved_path(report))
    tmp = report.with_suffix(".csv.tmp")
    result.report.to_csv(tmp, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    tmp.replace(report)
    return result
