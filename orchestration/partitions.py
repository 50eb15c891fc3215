"""Partitions: financial quarters (``2024-25 Q1``) and survey/interview waves.

Both are dynamic: a quarter or wave exists once a file for it has arrived (the raw
folder sensor and ``succession run`` add them), so the UI never lists empty ones.
"""

from __future__ import annotations

import dagster as dg

from succession.periods import FinancialQuarter

quarter_partitions = dg.DynamicPartitionsDefinition(name="quarter")
wave_partitions = dg.DynamicPartitionsDefinition(name="wave")

BY_KIND: dict[str, dg.PartitionsDefinition | None] = {
    "quarter": quarter_partitions,
    "wave": wave_partitions,
    "none": None,
}


def sort_keys(kind: str, keys) -> list[str]:
    if kind == "quarter":
        return sorted(set(keys), key=FinancialQuarter.parse)
    return sorted(set(keys))
