"""Row rules: pandera checks across columns whose failures read well.

``row_rule`` builds a DataFrame-level pandera check and remembers which column a
failure points at and how to word it with the row's own values, e.g.
``shortlisted ({shortlisted}) exceeds applicants ({applicants})``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa


@dataclass(frozen=True)
class RowRule:
    name: str
    message: str  # str.format template over the row's columns
    column: str  # the column a failure points at (its cell is named)


ROW_RULES: dict[str, RowRule] = {}


def row_rule(name: str, passes: Callable[[pd.DataFrame], pd.Series], message: str, column: str) -> pa.Check:
    """A check that ``passes(df)`` is true for every row; failures name ``column``'s cell."""
    ROW_RULES[name] = RowRule(name, message, column)
    return pa.Check(passes, name=name, error=name)
