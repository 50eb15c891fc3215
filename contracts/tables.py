"""What a table in a raw file is: its columns and its key. One meta-model for every spreadsheet contract.

The HR return's record sheets (`contracts.hr_return`: Vacancies, Workforce) and the programme's
record files (`contracts.programme`: activities.csv, attendance.csv ...) are both a header row
then one record per row. They describe themselves with these two classes, and ingestion reads
both with one header matcher (`succession.ingest.frames.read_table`), so "which header is which
column" and the problems it reports are the same everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str  # snake_case name used in the lake and warehouse
    kind: str  # text | code | integer | number | date
    required: bool = True
    codes: tuple[str, ...] = ()  # a code column's allowed values (none: a DfE LA code, checked by the schema)
    help: str = ""
    header: str = ""  # the header as the file writes it; the name itself when not given

    def __post_init__(self) -> None:
        if not self.header:
            object.__setattr__(self, "header", self.name)


@dataclass(frozen=True)
class Table:
    """A header in row 1 (or a CSV's first line), then one record per row."""

    name: str  # the table in the lake (for the programme, also the file's stem)
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()  # unique within one file
    sheet: str = ""  # the sheet problems name; the table's name when not given

    def __post_init__(self) -> None:
        if not self.sheet:
            object.__setattr__(self, "sheet", self.name)

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]
