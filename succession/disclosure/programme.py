"""One component's integer programme, built once and minimised for many objectives.

The audit bounds every protected cell of a component by minimising and maximising it over
the same constraints: tens to hundreds of programmes that differ only in the objective.
``scipy.optimize.linprog(method="highs")`` rebuilds each from scratch: it validates the
arguments, converts the dense matrix to a sparse one, sets and checks every HiGHS option
one by one and computes marginals in a Python loop over the columns. At 153 LAs x 8
quarters that was three quarters of the audit's time, HiGHS itself the last quarter.

Here the sparse matrix, bounds and options are made once per component and handed to the
HiGHS that linprog itself calls (scipy's own binding, ``scipy.optimize._highspy``, so the
same HiGHS build as linprog's, pinned by uv.lock), with the options linprog sets. Each
``minimise`` loads the model afresh (``passModel`` clears the solver's state) with the new
objective and runs it: the programme HiGHS solves is exactly the one linprog would pass it.
A programme HiGHS cannot solve is handed to linprog itself, for linprog's own message.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog
from scipy.optimize._highspy import _core as highs  # the binding linprog(method="highs") calls
from scipy.sparse import csc_array, csr_array


@dataclass(frozen=True)
class Solution:
    x: np.ndarray | None  # the minimiser, None if there is none
    fun: float | None  # the minimum
    message: str  # linprog's message where there is no solution, else ""

    @property
    def success(self) -> bool:
        return self.x is not None


def _options():
    """linprog's options for method "highs" (scipy/optimize/_linprog_highs.py: those it does
    not leave to HiGHS's defaults)."""
    options = highs.HighsOptions()
    options.presolve = "on"
    options.highs_debug_level = highs.HighsDebugLevel.kHighsDebugLevelNone
    options.log_to_console = False
    options.output_flag = False
    options.simplex_strategy = highs.simplex_constants.SimplexStrategy.kSimplexStrategyDual
    return options


class IntegerProgramme:
    """min c.x subject to rows (each ``{column: coefficient}``) with lhs <= row.x <= rhs
    (lhs == rhs for an equality), lower <= x <= upper, x integer. Rows are laid out as
    linprog lays out A_ub above A_eq, zero coefficients dropped, so HiGHS sees the same model."""

    def __init__(
        self,
        rows_ub: list[dict[int, float]],
        b_ub: list[float],
        rows_eq: list[dict[int, float]],
        b_eq: list[float],
        bounds: list[tuple[float, float]],
    ) -> None:
        n = len(bounds)
        self._n = n
        self._ub = (_matrix(rows_ub, n), np.asarray(b_ub, dtype=float))
        self._eq = (_matrix(rows_eq, n), np.asarray(b_eq, dtype=float))
        self._bounds = bounds
        a = csc_array(_matrix(rows_ub + rows_eq, n))
        a.sort_indices()
        lp = highs.HighsLp()
        lp.num_col_ = n
        lp.num_row_ = len(rows_ub) + len(rows_eq)
        lp.a_matrix_.num_col_ = n
        lp.a_matrix_.num_row_ = lp.num_row_
        lp.a_matrix_.format_ = highs.MatrixFormat.kColwise
        lp.a_matrix_.start_ = a.indptr
        lp.a_matrix_.index_ = a.indices
        lp.a_matrix_.value_ = a.data
        lp.col_lower_ = np.array([b[0] for b in bounds], dtype=float)
        lp.col_upper_ = np.array([b[1] for b in bounds], dtype=float)
        lp.row_lower_ = np.concatenate((np.full(len(rows_ub), -math.inf), self._eq[1]))
        lp.row_upper_ = np.concatenate((self._ub[1], self._eq[1]))
        lp.integrality_ = [highs.HighsVarType.kInteger] * n
        self._lp = lp
        self._highs = highs._Highs()
        self._highs.passOptions(_options())

    def minimise(self, c: np.ndarray) -> Solution:
        self._lp.col_cost_ = np.asarray(c, dtype=float)
        self._highs.passModel(self._lp)
        self._highs.run()
        if self._highs.getModelStatus() != highs.HighsModelStatus.kOptimal:
            return Solution(None, None, self._linprog_message(c))
        x = np.array(self._highs.getSolution().col_value)
        return Solution(x, self._highs.getInfo().objective_function_value, "")

    def _linprog_message(self, c: np.ndarray) -> str:
        (a_ub, b_ub), (a_eq, b_eq) = self._ub, self._eq
        res = linprog(
            c,
            A_ub=a_ub if len(b_ub) else None,
            b_ub=b_ub if len(b_ub) else None,
            A_eq=a_eq if len(b_eq) else None,
            b_eq=b_eq if len(b_eq) else None,
            bounds=self._bounds,
            integrality=np.ones(self._n),
            method="highs",
        )
        return res.message


def _matrix(rows: list[dict[int, float]], n: int) -> csr_array:
    """Rows of {column: coefficient} as a sparse matrix, exact zeros left out (as linprog's
    dense-to-sparse conversion leaves them out)."""
    indptr, indices, data = [0], [], []
    for row in rows:
        for col in sorted(row):
            if row[col] != 0.0:
                indices.append(col)
                data.append(row[col])
        indptr.append(len(indices))
    return csr_array(
        (np.array(data, dtype=float), np.array(indices, dtype=np.int32), np.array(indptr, dtype=np.int32)),
        shape=(len(rows), n),
    )
