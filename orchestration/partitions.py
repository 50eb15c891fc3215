"""Partitions: financial quarters (``2024-25 Q1``) and survey/interview waves.

Both are dynamic: a quarter or wave exists once a file for it has arrived (the raw
folder sensor and ``succession run`` add them), so the UI never lists empty ones.
"""

from __future__ import annotations

import dagster as dg

from succession.periods import sort_keys  # noqa: F401  (partition keys in order, by kind)

quarter_partitions = dg.DynamicPartitionsDefinition(name="quarter")
wave_partitions = dg.DynamicPartitionsDefinition(name="wave")

BY_KIND: dict[str, dg.PartitionsDefinition | None] = {
    "quarter": quarter_partitions,
    "wave": wave_partitions,
    "none": None,
}
