"""What the attacker holds: every published figure as shown, its printed base, and the
ratings against targets.

Every CSV in ``build/figures/`` is a projection of ``audit.fct_figures`` (value as
shown, base as printed: the ``marts/publish`` models select them); the register
(``published_figures.csv``) is read from the published file itself, and the ratings from
``publish.pub_evaluation``, the model ``evaluation.csv`` is written from: the audit runs
before any CSV of the new build is written, so a failing audit publishes nothing. The
suppression label and the unsuppressed value are read too, but only to know which cells
the policy protects and to give the attacker the published rule (a primary cell is a
count of 1..k); the relations and bounds never use an unpublished value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from succession.publish import REGISTER

FIGURE_COLUMNS = [
    "figure_id",
    "table_id",
    "indicator",
    "unit",
    "period",
    "geographic_level",
    "region_code",
    "new_la_code",
    "breakdown",
    "value_shown",
    "base",
    "suppression",
    "value",
    "numerator",
]
RATING_COLUMNS = ["actual_figure_id", "rating", "target", "direction"]


@dataclass
class Publication:
    """figures: one row per figure (FIGURE_COLUMNS); ratings: the rating published for an
    actual figure against its target (RATING_COLUMNS); multi_select: survey question stems
    (``<wave>.<question>[.<item>]``) whose options need not add up to the base."""

    figures: pd.DataFrame
    ratings: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=RATING_COLUMNS))
    multi_select: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        missing = [c for c in FIGURE_COLUMNS if c not in self.figures.columns]
        if missing:
            raise ValueError(f"publication figures lack columns {missing}")
        text = [c for c in FIGURE_COLUMNS if c not in ("value", "numerator", "base")]
        figures = self.figures.copy()
        figures[text] = figures[text].astype(object).where(figures[text].notna(), None)  # one missing: None
        self.figures = figures.set_index("figure_id", drop=False)


def load_publication(warehouse: Path, figures_dir: Path) -> Publication:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        figures = con.execute(f"select {', '.join(FIGURE_COLUMNS)} from audit.fct_figures").df()
        multi = {
            r[0]
            for r in con.execute(
                "select distinct wave || '.' || question_id || coalesce('.' || item_code, '') "
                "from marts.fct_survey_distributions where question_type = 'multi'"
            ).fetchall()
        }
        ratings = con.execute(
            "select e.figure_id as actual_figure_id, e.rating, r.target, r.direction from publish.pub_evaluation as e "
            "inner join marts.fct_evaluation_ratings as r on r.actual_figure_id = e.figure_id"
        ).df()
    figures = _with_register(figures, Path(figures_dir) / REGISTER, Path(warehouse))
    return Publication(figures=figures, ratings=ratings[RATING_COLUMNS], multi_select=frozenset(multi))


def _with_register(figures: pd.DataFrame, register: Path, warehouse: Path) -> pd.DataFrame:
    """What the register shows wins: a number or a base it prints is known to the attacker
    even where the warehouse says the figure is suppressed (they agree by construction; if
    they ever did not, the audit would see the leak rather than trust the warehouse).
    A register older than the warehouse belongs to an earlier build (the documents write it
    after this audit) and is not read: its values may come from an earlier policy."""
    if not register.exists() or register.stat().st_mtime_ns < warehouse.stat().st_mtime_ns:
        return figures
    shown = pd.read_csv(register, dtype=str, keep_default_na=False, usecols=["figure_id", "value_shown", "base"])
    shown = shown.drop_duplicates("figure_id").set_index("figure_id")
    figures = figures.set_index("figure_id", drop=False)
    ids = figures.index.intersection(shown.index)
    printed = shown.loc[ids, "value_shown"]
    numbers = printed[~printed.isin(["c", "z", "x"])]
    figures.loc[numbers.index, "value_shown"] = numbers
    bases = shown.loc[ids, "base"]
    bases = bases[bases != ""]
    figures.loc[bases.index, "base"] = bases.astype(float)
    return figures.reset_index(drop=True)
