"""Reference data shared by ingestion, the template and the sample generator.

Read from the dbt seeds so Python and the warehouse accept exactly the same codes.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache

from succession.paths import DBT_PROJECT_DIR

SEEDS_DIR = DBT_PROJECT_DIR / "seeds"


@dataclass(frozen=True)
class LocalAuthority:
    old_la_code: str  # DfE three-digit code, e.g. 867
    new_la_code: str  # ONS GSS code, e.g. E06000036
    la_name: str
    region_code: str
    region_name: str


@cache
def local_authorities() -> dict[str, LocalAuthority]:
    """The 153 upper-tier LAs keyed by DfE three-digit code."""
    with open(SEEDS_DIR / "ref_local_authorities.csv", newline="", encoding="utf-8") as f:
        return {
            r["old_la_code"]: LocalAuthority(
                r["old_la_code"], r["new_la_code"], r["la_name"], r["region_code"], r["region_name"]
            )
            for r in csv.DictReader(f)
        }


@cache
def regions() -> dict[str, str]:
    with open(SEEDS_DIR / "ref_regions.csv", newline="", encoding="utf-8") as f:
        return {r["region_code"]: r["region_name"] for r in csv.DictReader(f)}


def las_in_region(region_code: str) -> list[LocalAuthority]:
    return sorted(
        (la for la in local_authorities().values() if la.region_code == region_code),
        key=lambda la: la.la_name,
    )
