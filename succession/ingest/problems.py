"""A validation problem: where it is and which rule it breaks.

Every rejection the pipeline makes is one of these, printed as one line that names
the file and the place in it, e.g.
``867_2024-25_Q1.xlsx: Vacancies!F12: shortlisted (7) exceeds applicants (5)``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    file: str  # path relative to the raw folder (or as given on the command line)
    rule: str  # short, stable name of the rule broken
    message: str  # what is wrong, in the reader's words
    sheet: str | None = None
    row: int | None = None  # spreadsheet row (1-based, header is row 1) or CSV line
    column: str | None = None  # header / column name
    cell: str | None = None  # A1 reference where one cell is at fault

    @property
    def location(self) -> str:
        if self.cell:
            place = self.cell
        elif self.row is not None and self.column:
            place = f"row {self.row}, column {self.column!r}"
        elif self.row is not None:
            place = f"row {self.row}"
        elif self.column:
            place = f"column {self.column!r}"
        else:
            place = ""
        if self.sheet and place:
            return f"{self.sheet}!{place}" if self.cell else f"{self.sheet}: {place}"
        return self.sheet or place

    def __str__(self) -> str:
        where = self.location
        return f"{self.file}: {where}: {self.message}" if where else f"{self.file}: {self.message}"


_MAX_ROWS_NAMED = 12


def rows_text(rows: list[int]) -> str:
    """Row numbers for a message: ``row 5``, ``rows 3, 7, 9``, or the first twelve ``and 40 more``."""
    shown = ", ".join(map(str, rows[:_MAX_ROWS_NAMED]))
    more = f" and {len(rows) - _MAX_ROWS_NAMED} more" if len(rows) > _MAX_ROWS_NAMED else ""
    return f"row {shown}" if len(rows) == 1 else f"rows {shown}{more}"


def column_letter(index: int) -> str:
    """0-based column index to spreadsheet letters: 0 -> A, 27 -> AB."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
