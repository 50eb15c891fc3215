"""The disclosure audit's solving, against plain linprog on the whole model.

The audit splits the attacker's model into connected components, solves each component's
programmes on one prepared HiGHS model (``succession.disclosure.programme``) and skips a
programme where a sweep has already reached a cell's a priori bound. None of that may
change a bound: here every bound is recomputed with ``scipy.optimize.linprog`` on the
whole, unsplit model, one programme per cell and side, and must come out the same.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy.optimize import linprog

from succession.disclosure.audit import SWEEP_FROM, _Model, bound_targets
from succession.disclosure.programme import IntegerProgramme
from succession.disclosure.relations import Relation
from succession.disclosure.solved import SolvedComponents


def whole_model_bounds(model: _Model, names: list[str]) -> dict[str, tuple[float, float]]:
    """Min and max of each named variable over the whole model, one linprog each, no split."""
    n = len(model.lower)
    a_ub, b_ub, a_eq, b_eq = [], [], [], []
    for r in model.rows:
        coef = np.zeros(n)
        for v, c in r.terms:
            coef[model.index[v]] += c
        if r.lower == r.upper:
            a_eq.append(coef), b_eq.append(r.upper)
            continue
        if math.isfinite(r.upper):
            a_ub.append(coef), b_ub.append(r.upper)
        if math.isfinite(r.lower):
            a_ub.append(-coef), b_ub.append(-r.lower)
    bounds = [(math.ceil(lo - 1e-9), math.floor(hi + 1e-9)) for lo, hi in zip(model.lower, model.upper)]
    out = {}
    for name in names:
        ends = []
        for sign in (1.0, -1.0):
            c = np.zeros(n)
            c[model.index[name]] = sign
            res = linprog(
                c,
                A_ub=np.array(a_ub) if a_ub else None,
                b_ub=b_ub or None,
                A_eq=np.array(a_eq) if a_eq else None,
                b_eq=b_eq or None,
                bounds=bounds,
                integrality=np.ones(n),
                method="highs",
            )
            assert res.success, res.message
            ends.append(sign * res.fun)
        out[name] = (ends[0], ends[1])
    return out


def audited(model: _Model, names: list[str]) -> dict[str, tuple[float, float]]:
    bounds, _ = bound_targets(model, names)
    found = {name: bounds[model.index[name]] for name in names}
    assert not any(problem for _, _, problem in found.values()), found
    return {name: (lo, hi) for name, (lo, hi, _) in found.items()}


def test_a_cell_is_pinned_through_a_chain_of_published_totals():
    """A + B = 5 and B + C = 3 are published, and C = 1: A is 3, though no relation holds A
    and C together. A split that kept A's relation but lost the one linking B to C (or put
    B and C in another component) would leave A anywhere in 0..5."""
    model = _Model()
    model.add(Relation((("T", 1.0), ("A", -1.0), ("B", -1.0)), 0.0, 0.0, "T = A + B"))
    model.add(Relation((("C", 1.0), ("B", 1.0), ("U", -1.0)), 0.0, 0.0, "U = B + C"))
    model.bound("T", 5, 5)
    model.bound("U", 3, 3)
    model.bound("C", 1, 1)
    model.bound("D", 1, 2)  # a cell of its own component
    model.add(Relation((("D", 1.0), ("E", 1.0)), 0.0, 4.0, "D + E <= 4"))
    bounds, components = bound_targets(model, ["A", "D"])
    assert components == 2
    assert bounds[model.index["A"]] == (3.0, 3.0, "")
    assert bounds[model.index["D"]] == (1.0, 2.0, "")


def random_model(rng: np.random.Generator, groups: int) -> tuple[_Model, list[str]]:
    """Groups of cells under published totals, groups chained by shared cells, some cells
    shown, single-cell relations and inequalities; every relation holds at a hidden integer
    point, so the model is feasible. One group has more than SWEEP_FROM protected cells."""
    model = _Model()
    truth: dict[str, int] = {}
    protected: list[str] = []
    previous: list[str] = []
    for g in range(groups):
        size = SWEEP_FROM + 5 if g == 0 else int(rng.integers(2, 8))
        cells = [f"g{g}.c{i}" for i in range(size)]
        for c in cells:
            truth[c] = int(rng.integers(0, 6))
            model.bound(c, 0, 9)
        if previous and rng.random() < 0.5:  # chain to the group before through a shared cell
            cells.append(previous[int(rng.integers(len(previous)))])
        total = f"g{g}.total"
        truth[total] = sum(truth[c] for c in cells)
        model.add(Relation(((total, 1.0), *((c, -1.0) for c in cells)), 0.0, 0.0, "total"))
        model.bound(total, truth[total], truth[total])
        for c in cells[:size]:
            draw = rng.random()
            if draw < 0.25:
                model.bound(c, truth[c], truth[c])  # shown
            elif draw < 0.45:
                model.add(Relation(((c, 1.0),), 0.0, float(truth[c] + 1), "at most"))  # a single-cell relation
            else:
                protected.append(c)
        if rng.random() < 0.5:  # an inequality between two cells of the group
            a, b = cells[0], cells[-1]
            model.add(Relation(((a, 1.0), (b, -1.0)), float(truth[a] - truth[b] - 1), math.inf, "a - b >= ..."))
        previous = cells[:size]
    return model, protected


@pytest.mark.parametrize("seed", range(6))
def test_split_and_shortcuts_give_the_whole_models_bounds(seed):
    model, protected = random_model(np.random.default_rng(seed), groups=6)
    assert len(protected) > SWEEP_FROM
    assert audited(model, protected) == whole_model_bounds(model, protected)


def test_the_prepared_programme_solves_as_linprog_does():
    """Same optimum, a solution that attains it, and linprog's message where there is none;
    rows with coefficients that cancel, and a row left with none, are laid out as linprog
    lays them out."""
    rng = np.random.default_rng(7)
    for trial in range(20):
        n = int(rng.integers(2, 7))
        x0 = rng.integers(0, 5, n)
        rows_ub, b_ub, rows_eq, b_eq = [], [], [], []
        for _ in range(int(rng.integers(1, 5))):
            row = {
                int(j): float(rng.integers(-2, 3)) for j in rng.choice(n, int(rng.integers(1, n + 1)), replace=False)
            }
            value = sum(c * x0[j] for j, c in row.items())
            if rng.random() < 0.5:
                rows_eq.append(row), b_eq.append(value)
            else:
                rows_ub.append(row), b_ub.append(value + float(rng.integers(0, 3)))
        rows_ub.append({0: 1.0}), b_ub.append(float(x0[0]))
        rows_ub.append({1: 0.0}), b_ub.append(1.0)  # a row of zeros
        if trial % 5 == 4:  # infeasible: x0 <= -1
            rows_ub.append({0: 1.0}), b_ub.append(-1.0)
        bounds = [(0, 9)] * n
        programme = IntegerProgramme(rows_ub, b_ub, rows_eq, b_eq, bounds)
        dense = (
            [[row.get(j, 0.0) for j in range(n)] for row in rows_ub],
            [[row.get(j, 0.0) for j in range(n)] for row in rows_eq],
        )
        for _ in range(3):
            c = rng.integers(-3, 4, n).astype(float)
            ours = programme.minimise(c)
            theirs = linprog(
                c,
                A_ub=dense[0],
                b_ub=b_ub,
                A_eq=dense[1] or None,
                b_eq=b_eq or None,
                bounds=bounds,
                integrality=np.ones(n),
                method="highs",
            )
            assert ours.success == theirs.success
            if theirs.success:
                assert ours.fun == theirs.fun and float(c @ ours.x) == pytest.approx(theirs.fun)
            else:
                assert ours.message == theirs.message


def two_columns(total_a: int) -> _Model:
    """Two independent columns: A1 + A2 = total_a (A1 shown as 1 when total_a is 3, so A2 is
    pinned); B1 + B2 = 4, B1 in 1..2."""
    model = _Model()
    model.add(Relation((("A", 1.0), ("A1", -1.0), ("A2", -1.0)), 0.0, 0.0, "A = A1 + A2"))
    model.add(Relation((("B", 1.0), ("B1", -1.0), ("B2", -1.0)), 0.0, 0.0, "B = B1 + B2"))
    model.bound("A", total_a, total_a)
    model.bound("A1", 1, 1 if total_a == 3 else 2)
    model.bound("B", 4, 4)
    model.bound("B1", 1, 2)
    return model


def test_the_last_audits_bounds_are_reused_only_for_the_same_programme(tmp_path):
    first = SolvedComponents()
    before, _ = bound_targets(two_columns(6), ["A2", "B2"], first)
    assert first.reused == 0 and len(first.now) == 2
    first.save(tmp_path / "solved.json")
    again = SolvedComponents.load(tmp_path / "solved.json")
    assert bound_targets(two_columns(6), ["A2", "B2"], again)[0] == before and again.reused == 2
    # column A changes (its total and what is shown): it is solved again, column B is reused
    changed = SolvedComponents.load(tmp_path / "solved.json")
    after, _ = bound_targets(two_columns(3), ["A2", "B2"], changed)
    assert changed.reused == 1
    assert after == bound_targets(two_columns(3), ["A2", "B2"])[0]  # as an audit with no record
    model = two_columns(3)
    assert after[model.index["A2"]] == (2.0, 2.0, "") and before[model.index["A2"]] == (4.0, 5.0, "")
    # a record written by other code or another scipy is not read
    record = json.loads((tmp_path / "solved.json").read_text())
    record["stamp"] = "scipy 0.0; code 0"
    (tmp_path / "solved.json").write_text(json.dumps(record))
    assert SolvedComponents.load(tmp_path / "solved.json").known == {}


def test_an_unbounded_or_contradicted_component_survives_the_record(tmp_path):
    model = _Model()
    model.add(Relation((("A", 1.0), ("B", -1.0)), 0.0, math.inf, "A >= B"))  # A has no upper bound
    model.bound("B", 1, 2)
    model.add(Relation((("C", 1.0), ("D", 1.0)), 5.0, 5.0, "C + D = 5"))
    model.bound("C", 0, 1)
    model.bound("D", 0, 1)  # C + D <= 2: no solution
    solved = SolvedComponents()
    fresh, _ = bound_targets(model, ["A", "C"], solved)
    assert fresh[model.index["A"]] == (1.0, math.inf, "") and "no solution" in fresh[model.index["C"]][2]
    solved.save(tmp_path / "solved.json")
    reused = SolvedComponents.load(tmp_path / "solved.json")
    again, _ = bound_targets(model, ["A", "C"], reused)
    assert reused.reused == 2 and again[model.index["A"]] == fresh[model.index["A"]]
    low, high, problem = again[model.index["C"]]
    assert math.isnan(low) and math.isnan(high) and problem == fresh[model.index["C"]][2]
