"""The bounds of the last audit, per component, keyed by the component's programme.

An incremental build changes few of the published cells (a new quarter's), so most of the
attacker's components are the same programmes as in the last audit: the same relations,
bounds and protected cells, in the same order. Their bounds are taken from this record
instead of being solved again; a component that differs in anything, however small, has
another key and is solved. The key is the SHA-256 of the whole programme as HiGHS
receives it (every coefficient, right-hand side, bound and which columns are protected),
and the record is only read when the solver and the code that solves are the same as when
it was written (scipy's version, which fixes its HiGHS, and the digest of the audit's
modules), so a reused bound is the bound this audit would compute. The record sits beside
the report (``<build>/audit/disclosure.components.json``) and keeps only the last audit's
components.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import scipy

Bounds = tuple[float, float, str]  # lower, upper, problem


def _stamp() -> str:
    digest = hashlib.sha256()
    for module in ("audit.py", "programme.py", "solved.py"):  # what sets up, solves and records a programme
        digest.update((Path(__file__).parent / module).read_bytes())
    return f"scipy {scipy.__version__}; code {digest.hexdigest()}"


def programme_key(
    rows_ub: list[dict[int, float]],
    b_ub: list[float],
    rows_eq: list[dict[int, float]],
    b_eq: list[float],
    bounds: list[tuple[float, float]],
    columns: list[int],
) -> str:
    text = json.dumps(
        [
            [sorted(row.items()) for row in rows_ub],
            b_ub,
            [sorted(row.items()) for row in rows_eq],
            b_eq,
            bounds,
            columns,
        ],
        separators=(",", ":"),
    )
    return hashlib.sha256(text.encode()).hexdigest()


class SolvedComponents:
    """Bounds of the protected columns of programmes solved before (``known``) and in this
    audit (``now``, what ``save`` writes)."""

    def __init__(self, known: dict[str, list[Bounds]] | None = None) -> None:
        self.known = known or {}
        self.now: dict[str, list[Bounds]] = {}
        self.reused = 0

    def get(self, key: str) -> list[Bounds] | None:
        found = self.known.get(key)
        if found is not None:
            self.reused += 1
            self.now[key] = found
        return found

    def put(self, key: str, bounds: list[Bounds]) -> None:
        self.now[key] = bounds

    @classmethod
    def load(cls, path: Path) -> SolvedComponents:
        try:
            record = json.loads(Path(path).read_text())
        except (OSError, ValueError):
            return cls()
        if record.get("stamp") != _stamp():
            return cls()
        return cls({k: [tuple(b) for b in v] for k, v in record["components"].items()})

    def save(self, path: Path) -> None:
        path = Path(path)
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps({"stamp": _stamp(), "components": self.now}, separators=(",", ":")))
        tmp.replace(path)
