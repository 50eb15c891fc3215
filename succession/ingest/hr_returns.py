"""Ingest quarterly HR returns: ``raw/hr_returns/<quarter key>/<la>_<quarter key>[_vN].xlsx``.

Reads workbooks with python-calamine (fast), shapes each sheet to the contract in
`contracts.hr_return`, and leaves validation to the shared framework. Contact name
and e-mail on the About sheet are personal data: they are never read.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pandas as pd
from python_calamine import CalamineWorkbook

from contracts import hr_return as C
from succession.ingest import lineage as L
from succession.ingest.cells import Unreadable
from succession.ingest.frames import (
    cached_empty_tables,
    cached_header_key,
    cleaner,
    column_kind,
    read_table,
    table_columns,
    unreadable_problem,
)
from succession.ingest.framework import FileRead, empty_frame, folder_strays, partition_folders
from succession.ingest.problems import Problem
from succession.periods import FinancialQuarter
from succession.reference import local_authorities

_FILE = re.compile(C.FILE_PATTERN)


def _quarter_of_folder(name: str) -> str:
    """The quarter a folder stands for: ``2024-25_Q1`` -> ``2024-25 Q1`` (ValueError otherwise)."""
    return FinancialQuarter.parse(name).label


def _cell_index(ref: str) -> tuple[int, int]:
    m = re.fullmatch(r"([A-Z]+)(\d+)", ref)
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)) - 1, col - 1


class HrReturnsSource:
    name = C.SOURCE
    partition_kind = "quarter"
    schemas = C.SCHEMAS

    # -- discovery ---------------------------------------------------------------------
    def discover(self, raw_dir: Path) -> dict[str, list[Path]]:
        return partition_folders(Path(raw_dir) / C.SOURCE, key=_quarter_of_folder)

    def strays(self, raw_dir: Path) -> list[tuple[Path, str]]:
        """Entries of ``raw/hr_returns/`` that are not quarter folders (see `folder_strays`)."""
        return folder_strays(Path(raw_dir) / C.SOURCE, key=_quarter_of_folder)

    def partition_of(self, path: Path) -> str:
        m = _FILE.match(Path(path).name)
        if m:
            return FinancialQuarter.parse(m.group("quarter")).label
        try:
            return FinancialQuarter.parse(Path(path).parent.name).label
        except ValueError:
            return "unknown"

    # -- reading -----------------------------------------------------------------------
    def read(self, path: Path, rel: str, sha256: str) -> FileRead:
        read = FileRead(rel, sha256)
        name_match = _FILE.match(Path(path).name)
        if not name_match:
            read.problems.append(
                Problem(
                    rel,
                    "file_name",
                    "file name must be <DfE LA code>_<quarter>.xlsx, e.g. 867_2024-25_Q1.xlsx (a resubmission adds _v2)",
                )
            )
        else:
            read.meta.update(
                file_la_code=name_match.group("la"),
                file_quarter=name_match.group("quarter"),
                version=int(name_match.group("version") or 1),
            )
        if Path(path).stat().st_size == 0:
            read.problems.append(Problem(rel, "not_a_workbook", "the file is empty"))
            return read
        try:
            wb = CalamineWorkbook.from_path(str(path))
        except Exception as exc:  # noqa: BLE001 - calamine raises several types for bad zips
            read.problems.append(Problem(rel, "not_a_workbook", f"not a readable .xlsx workbook ({exc})"))
            return read
        missing = [s for s in C.SHEETS if s not in wb.sheet_names]
        for s in missing:
            read.problems.append(
                Problem(rel, "missing_sheet", f"sheet {s!r} is missing (found: {', '.join(wb.sheet_names)})", sheet=s)
            )
        if missing:
            return read
        sheets = {s: wb.get_sheet_by_name(s).to_python(skip_empty_area=False) for s in C.SHEETS}
        self._read_about(read, sheets[C.ABOUT_SHEET])
        self._read_kpis(read, sheets[C.KPIS_SHEET])
        for spec in C.TABLE_SHEETS:
            read.tables[spec.name] = read_table(
                read, spec, sheets[spec.sheet], expected="headers must match the template"
            )
        return read

    def _read_about(self, read: FileRead, rows: list[list]) -> None:
        record: dict[str, object] = {L.ROW: pd.NA, L.CELL: "B2:B7"}
        letters: dict[str, str] = {}
        for f, cell, clean_value in _ABOUT_READERS:
            r, c = _ABOUT_INDEX[cell]
            value = clean_value(rows[r][c] if r < len(rows) and c < len(rows[r]) else None)
            if value.__class__ is Unreadable:
                read.problems.append(unreadable_problem(read, C.ABOUT_SHEET, f.name, value, r + 1, cell))
                value = None
            record[f.name] = value
            letters[f.name] = cell
        read.tables["about"] = table_columns(
            list(record), [[v] for v in record.values()], _ABOUT_KINDS, 1, read, C.ABOUT_SHEET
        )
        read.column_letters["about"] = letters
        read.meta.update(
            la_code=record.get("la_code"), quarter=record.get("quarter"), date_submitted=record.get("date_submitted")
        )

    def _read_kpis(self, read: FileRead, rows: list[list]) -> None:
        indicator: list = []
        tier: list = []
        value: list = []
        rownum: list = []
        cell_ref: list = []
        number = cleaner("number")
        for i, (code, label) in enumerate(C.KPI_INDICATORS):
            r = C.KPI_FIRST_ROW + i
            found = rows[r - 1][0] if r - 1 < len(rows) and rows[r - 1] else None
            if cached_header_key(found or "") != code:
                read.problems.append(
                    Problem(
                        read.rel,
                        "kpi_row",
                        f"expected indicator {code!r} ({label}) in A{r}, found {found!r}",
                        sheet=C.KPIS_SHEET,
                        row=r,
                        cell=f"A{r}",
                    )
                )
                continue
            row = rows[r - 1]
            for t, col in C.KPI_TIER_COLUMNS.items():
                j = _KPI_COLUMN_INDEX[t]
                indicator.append(code)
                tier.append(t)
                found = number(row[j] if j < len(row) else None)
                if found.__class__ is Unreadable:
                    read.problems.append(
                        unreadable_problem(read, C.KPIS_SHEET, f"{code} (tier {t})", found, r, f"{col}{r}")
                    )
                    found = None
                value.append(found)
                rownum.append(r)
                cell_ref.append(f"{col}{r}")
        read.tables["kpis"] = table_columns(
            _KPI_COLUMNS, [indicator, tier, value, rownum, cell_ref], _KPI_KINDS, len(rownum), read, C.KPIS_SHEET
        )

    # -- rules spanning one file ---------------------------------------------------------
    def file_checks(self, read: FileRead, partition: str, validated: dict[str, pd.DataFrame]) -> list[Problem]:
        """The rules for one file (the framework calls `batch_checks` for a whole partition)."""
        return self.batch_checks([read], partition, validated)

    def batch_checks(self, reads: list[FileRead], partition: str, validated: dict[str, pd.DataFrame]) -> list[Problem]:
        """Rules spanning the sheets of each file, over the validated rows of all ``reads`` at once.

        Vectorised over the batch; Python runs per file only for the About row and where a
        rule fires. Each file's problems come in the same order as when checked alone.
        """
        if not reads:
            return []
        by_rel = {r.rel: r for r in reads}
        found: dict[str, list[Problem]] = {r.rel: [] for r in reads}
        today = dt.date.today()
        las = local_authorities()
        parsed: dict[str, FinancialQuarter] = {}

        def parse(label: str) -> FinancialQuarter:
            if label not in parsed:
                parsed[label] = FinancialQuarter.parse(label)
            return parsed[label]

        quarter_of: dict[str, FinancialQuarter] = {}
        about = validated["about"]
        for rel, la, label, submitted in zip(
            about[L.SOURCE_FILE], about["la_code"], about["quarter"], about["date_submitted"]
        ):
            if rel in quarter_of:
                continue  # one About row per file: the first, as ``iloc[0]``
            out, meta = found[rel], by_rel[rel].meta
            la_code, quarter_label = str(la), str(label)
            if la_code not in las:
                out.append(
                    Problem(
                        rel,
                        "unknown_la",
                        f"LA code {la_code} is not one of the 153 DfE LA codes",
                        sheet=C.ABOUT_SHEET,
                        cell="B2",
                    )
                )
            if meta.get("file_la_code") and meta["file_la_code"] != la_code:
                out.append(
                    Problem(
                        rel,
                        "la_mismatch",
                        f"LA code {la_code} disagrees with the file name ({meta['file_la_code']})",
                        sheet=C.ABOUT_SHEET,
                        cell="B2",
                    )
                )
            quarter = parse(quarter_label)
            quarter_of[rel] = quarter
            if quarter.label != partition:
                out.append(
                    Problem(
                        rel,
                        "quarter_mismatch",
                        f"quarter {quarter.label} disagrees with the folder/partition ({partition})",
                        sheet=C.ABOUT_SHEET,
                        cell="B4",
                    )
                )
            if meta.get("file_quarter") and parse(meta["file_quarter"]) != quarter:
                out.append(
                    Problem(
                        rel,
                        "quarter_mismatch",
                        f"quarter {quarter.label} disagrees with the file name ({meta['file_quarter']})",
                        sheet=C.ABOUT_SHEET,
                        cell="B4",
                    )
                )
            if quarter.start > today:
                out.append(
                    Problem(
                        rel,
                        "future_quarter",
                        f"quarter {quarter.label} has not started yet",
                        sheet=C.ABOUT_SHEET,
                        cell="B4",
                    )
                )
            if pd.notna(submitted) and submitted.date() > today:
                out.append(
                    Problem(
                        rel,
                        "future_date",
                        f"date submitted {submitted:%d/%m/%Y} is in the future",
                        sheet=C.ABOUT_SHEET,
                        cell="B7",
                    )
                )

        # dates after the end of the file's quarter
        vac = validated["vacancies"]
        if len(vac):
            ends = {q.end for q in quarter_of.values()}
            if len(ends) == 1:  # the usual case: every file of the partition is for one quarter
                end = np.datetime64(next(iter(ends)), "ns")
            else:
                end = (
                    vac[L.SOURCE_FILE]
                    .map({rel: pd.Timestamp(q.end) for rel, q in quarter_of.items()})
                    .to_numpy("datetime64[ns]")
                )
            files, rownums = None, None
            for col in ("vacancy_arose", "advert_opened", "date_filled", "advert_closed"):
                after = vac[col].to_numpy("datetime64[ns]") > end  # NaT compares False
                if col == "advert_closed":
                    after &= vac["outcome"].to_numpy() != "in progress"  # a live campaign may close next quarter
                if not after.any():
                    continue  # the usual case: nothing dated after the quarter end
                if files is None:
                    files, rownums = vac[L.SOURCE_FILE].to_numpy(), vac[L.ROW].to_numpy()
                values = vac[col]
                for i in np.flatnonzero(after):
                    rel, row, quarter = files[i], int(rownums[i]), quarter_of[files[i]]
                    found[rel].append(
                        Problem(
                            rel,
                            "date_after_quarter",
                            f"{col} {values.iloc[i]:%d/%m/%Y} is after the end of {quarter.label} ({quarter.end:%d/%m/%Y})",
                            sheet=C.VACANCIES.sheet,
                            row=row,
                            column=col,
                            cell=f"{by_rel[rel].column_letters['vacancies'][col]}{row}",
                        )
                    )

        # a record's key twice in one file
        for spec in C.TABLE_SHEETS:
            df = validated[spec.name]
            if not len(df):
                continue
            for key in spec.key:
                mask = df.duplicated([L.SOURCE_FILE, key], keep=False)
                if not mask.any():
                    continue  # the usual case: skip the frame copy and the groupby
                for (rel, value), group in df[mask].groupby([L.SOURCE_FILE, key]):
                    rows = sorted(int(x) for x in group[L.ROW])
                    found[rel].append(
                        Problem(
                            rel,
                            "duplicate_row",
                            f"{key} {value!r} appears on rows {', '.join(map(str, rows))}",
                            sheet=spec.sheet,
                            row=rows[1],
                            column=key,
                            cell=f"{by_rel[rel].column_letters[spec.name][key]}{rows[1]}",
                        )
                    )

        # posts filled permanently cannot exceed the vacancies, per tier
        k = validated["kpis"]
        indicators = k["indicator"].to_numpy()
        pick = (indicators == "filled_permanent") | (indicators == "vacancies")
        values: dict[tuple[str, str, str], object] = {}
        for rel, indicator, tier, value in zip(
            k[L.SOURCE_FILE].to_numpy()[pick], indicators[pick], k["tier"].to_numpy()[pick], k["value"][pick]
        ):
            values[(rel, indicator, tier)] = value
        r = C.KPI_FIRST_ROW + [code for code, _ in C.KPI_INDICATORS].index("filled_permanent")
        for rel in found:
            for tier in C.TIERS:
                filled, vacancies = values.get((rel, "filled_permanent", tier)), values.get((rel, "vacancies", tier))
                if pd.notna(filled) and pd.notna(vacancies) and filled > vacancies:
                    found[rel].append(
                        Problem(
                            rel,
                            "filled_exceeds_vacancies",
                            f"posts filled permanently ({filled:g}) exceeds vacancies ({vacancies:g}) for tier {tier}",
                            sheet=C.KPIS_SHEET,
                            row=r,
                            cell=f"{C.KPI_TIER_COLUMNS[tier]}{r}",
                        )
                    )
        return [p for problems in found.values() for p in problems]

    def empty_tables(self) -> dict[str, pd.DataFrame]:
        return cached_empty_tables(
            self, lambda: {name: empty_frame(schema, extra=_EXTRA.get(name)) for name, schema in self.schemas.items()}
        )


_EXTRA = {"about": {"la_name": object}}
# About: the fields read (personal data never), each with its cell and cleaner
_ABOUT_READERS = tuple(
    (f, f.cell, cleaner("text" if f.kind == "code" else f.kind)) for f in C.ABOUT_FIELDS if not f.personal
)
_ABOUT_KINDS = ["na", "object", *(column_kind("text" if f.kind == "code" else f.kind) for f, _, _ in _ABOUT_READERS)]
_KPI_COLUMNS = ["indicator", "tier", "value", L.ROW, L.CELL]
_KPI_KINDS = ["object", "object", "number", "int", "object"]
_ABOUT_INDEX = {cell: _cell_index(cell) for _, cell, _ in _ABOUT_READERS}
_KPI_COLUMN_INDEX = {tier: _cell_index(f"{col}1")[1] for tier, col in C.KPI_TIER_COLUMNS.items()}

SOURCE = HrReturnsSource()
