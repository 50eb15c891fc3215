"""UK financial-year quarters (Q1 Apr-Jun ... Q4 Jan-Mar), labelled like ``2024-25 Q1``.

The one place the quarter calendar is defined in Python. dbt builds the same
calendar in ``dim_quarters``; ``tests/test_periods.py`` checks that they agree.

A period has three spellings, converted only here (and, in SQL, only by the
``quarter_key`` / ``quarter_label`` macros in ``dbt_project/macros/figure_ids.sql``):

* the quarter's label ``2024-25 Q3``: in the data, the documents and the partitions;
* the quarter's key ``2024-25_Q3``: folder names, file names and figure ids;
* a survey or interview wave ``2024-25_W1``: one spelling, used everywhere.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import total_ordering

_LABEL = re.compile(r"^\s*(\d{4})[-/](\d{2})\s*[ _-]?\s*Q([1-4])\s*$", re.IGNORECASE)


@total_ordering
@dataclass(frozen=True)
class FinancialQuarter:
    """Quarter ``q`` (1-4) of the financial year starting in April of ``year``."""

    year: int
    q: int

    def __post_init__(self) -> None:
        if self.q not in (1, 2, 3, 4):
            raise ValueError(f"quarter must be 1-4, got {self.q}")

    @classmethod
    def parse(cls, text: str) -> FinancialQuarter:
        """Parse ``2024-25 Q1`` (also ``2024-25_Q1``, ``2024/25 Q1``)."""
        m = _LABEL.match(str(text))
        if not m:
            raise ValueError(f"not a financial quarter label like '2024-25 Q1': {text!r}")
        start, end2, q = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if (start + 1) % 100 != end2:
            raise ValueError(f"financial year {m.group(1)}-{m.group(2)} does not run over consecutive years: {text!r}")
        return cls(start, q)

    @classmethod
    def containing(cls, day: dt.date) -> FinancialQuarter:
        if day.month >= 4:
            return cls(day.year, (day.month - 4) // 3 + 1)
        return cls(day.year - 1, 4)

    @property
    def label(self) -> str:
        return f"{self.financial_year} Q{self.q}"

    @property
    def financial_year(self) -> str:
        """The financial year's label, ``2024-25`` (as survey waves and plans name it)."""
        return f"{self.year}-{(self.year + 1) % 100:02d}"

    @property
    def key(self) -> str:
        """Folder, file-name and figure-id form: ``2024-25_Q1``."""
        return f"{self.financial_year}_Q{self.q}"

    @property
    def start(self) -> dt.date:
        month = 4 + 3 * (self.q - 1)
        return dt.date(self.year + (month > 12), (month - 1) % 12 + 1, 1)

    @property
    def end(self) -> dt.date:
        return self.next().start - dt.timedelta(days=1)

    @property
    def time_period(self) -> str:
        """DfE open-data ``time_period`` for a financial year: ``202425``."""
        return f"{self.year}{(self.year + 1) % 100:02d}"

    @property
    def time_identifier(self) -> str:
        """DfE open-data ``time_identifier``: ``Financial year Q1``."""
        return f"Financial year Q{self.q}"

    def next(self) -> FinancialQuarter:
        return FinancialQuarter(self.year + (self.q == 4), self.q % 4 + 1)

    def previous(self) -> FinancialQuarter:
        return FinancialQuarter(self.year - (self.q == 1), (self.q - 2) % 4 + 1)

    def year_before(self) -> FinancialQuarter:
        return FinancialQuarter(self.year - 1, self.q)

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def __lt__(self, other: FinancialQuarter) -> bool:
        return (self.year, self.q) < (other.year, other.q)

    def __str__(self) -> str:
        return self.label


def period_key(period: str | FinancialQuarter) -> str:
    """A period as folders and figure ids write it: a quarter (label or key) becomes its key
    ``2024-25_Q1``; a wave ``2024-25_W1`` (or a region's partition) is already its own key."""
    if isinstance(period, FinancialQuarter):
        return period.key
    try:
        return FinancialQuarter.parse(period).key
    except ValueError:
        return str(period)


def period_label(period: str | FinancialQuarter) -> str:
    """A period as the data and partitions write it: a quarter (key or label) becomes its label
    ``2024-25 Q1``; a wave or a region is unchanged. The inverse of :func:`period_key`."""
    if isinstance(period, FinancialQuarter):
        return period.label
    try:
        return FinancialQuarter.parse(period).label
    except ValueError:
        return str(period)


_WAVE = re.compile(r"^(\d{4})-(\d{2})_W\d+$")


def wave_financial_year(wave: str) -> str:
    """The financial year a wave ``2024-25_W1`` belongs to: ``2024-25`` (the ``wave_financial_year`` macro)."""
    if not _WAVE.match(str(wave)):
        raise ValueError(f"not a wave id like '2024-25_W1': {wave!r}")
    return str(wave)[:7]


def financial_year_time_period(financial_year: str) -> str:
    """DfE open-data ``time_period`` of a financial year ``2024-25``: ``202425`` (the macro of that name)."""
    return financial_year.replace("-", "")


def quarter_range(first: FinancialQuarter, last: FinancialQuarter) -> list[FinancialQuarter]:
    out, q = [], first
    while q <= last:
        out.append(q)
        q = q.next()
    return out


def current_quarter(today: dt.date | None = None) -> FinancialQuarter:
    return FinancialQuarter.containing(today or dt.date.today())


def return_deadline_days(settings=None) -> int:
    """Days after quarter end by which an LA's return is due: the settings'
    (``SUCCESSION_RETURN_DEADLINE_DAYS``, else dbt's ``return_deadline_days`` var in
    dbt_project.yml). The warehouse (late/missing, as a dbt --vars), the template's
    instructions and the schedules all read this one setting."""
    from succession.settings import Settings

    return (settings or Settings()).return_deadline_days


def sort_keys(kind: str, keys) -> list[str]:
    """Partition keys in order: quarters by time (``quarter``), waves and others by name."""
    if kind == "quarter":
        return sorted(set(keys), key=FinancialQuarter.parse)
    return sorted(set(keys))
