"""Write the quarterly HR return workbook (one per LA per quarter).

Everything about the layout (sheet names and order, headers, codes, About cells,
KPI rows and columns) comes from :mod:`contracts.hr_return`; this module only
decides how it looks and how Excel helps the person filling it in (drop-down
lists, number and date checks, input help, frozen headers, column widths).

``write_hr_return(path, la_code, quarter)`` with no data writes the empty
template an LA fills in; the sample-data generator passes data to write a
filled return. Files are byte-for-byte reproducible: the document properties
and the zip entry timestamps are derived from the quarter (or the date
submitted), never from the clock.
"""

from __future__ import annotations

import datetime as dt
import math
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.writer.excel import ExcelWriter

from contracts.hr_return import (
    ABOUT_FIELDS,
    ABOUT_SHEET,
    KPI_FIRST_ROW,
    KPI_INDICATORS,
    KPI_TIER_COLUMNS,
    KPIS_SHEET,
    TIER_LABELS,
    TIERS,
    VACANCIES,
    WORKFORCE,
    Column,
    Table,
)
from succession.periods import FinancialQuarter, return_deadline_days
from succession.reference import local_authorities

__all__ = ["VALIDATION_LAST_ROW", "return_filename", "submission_deadline", "write_hr_return"]

VALIDATION_LAST_ROW = 1000
"""Drop-downs and checks cover table rows 2 .. this row (more if more data is written)."""

DATE_FORMAT = "dd/mm/yyyy"
_EXCEL_MIN_DATE = dt.date(2000, 1, 1)
_EXCEL_MAX_DATE = dt.date(2100, 12, 31)
_EXCEL_EPOCH = dt.date(1899, 12, 30)

_TITLE_FONT = Font(bold=True, size=14)
_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
_WRAP = Alignment(wrap_text=True, vertical="top")


def submission_deadline(quarter: FinancialQuarter) -> dt.date:
    """The last day a return for ``quarter`` is on time."""
    return quarter.end + dt.timedelta(days=return_deadline_days())


def return_filename(la_code: str, quarter: FinancialQuarter, version: int = 1) -> str:
    """``867_2024-25_Q1.xlsx`` (``867_2024-25_Q1_v2.xlsx`` for a corrected return); matches FILE_PATTERN."""
    suffix = f"_v{version}" if version > 1 else ""
    return f"{la_code}_{quarter.key}{suffix}.xlsx"


# --- reproducible saving ------------------------------------------------------------------


class _FixedTimeZip(zipfile.ZipFile):
    """A ZipFile whose entries all carry one fixed timestamp (openpyxl uses the clock)."""

    def __init__(self, file: Any, date_time: tuple[int, int, int, int, int, int]):
        super().__init__(file, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
        self._fixed_date_time = date_time

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            zinfo = zipfile.ZipInfo(str(zinfo_or_arcname), date_time=self._fixed_date_time)
            zinfo.compress_type = self.compression
            zinfo.external_attr = 0o600 << 16
            zinfo_or_arcname = zinfo
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        with open(filename, "rb") as f:
            data = f.read()
        self.writestr(arcname or Path(filename).name, data, compress_type, compresslevel)


def _save(wb: Workbook, path: Path, stamp: dt.datetime) -> None:
    wb.properties.created = stamp
    wb.properties.modified = stamp
    wb.properties.creator = "succession: regional succession-planning pipeline"
    wb.properties.lastModifiedBy = None
    with open(path, "wb") as fh:
        archive = _FixedTimeZip(fh, stamp.timetuple()[:6])
        ExcelWriter(wb, archive).save()


# --- cell values -----------------------------------------------------------------------------


def _is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str) and not value.strip():
        return True
    return type(value).__name__ in ("NAType", "NaTType")  # pandas NA / NaT without importing pandas


def _as_date(value: Any, what: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp
        return value.to_pydatetime().date()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            pass
    raise ValueError(f"{what}: not a date: {value!r}")


def _cell_value(col: Column, value: Any, what: str) -> Any:
    if _is_blank(value):
        return None
    if col.kind == "date":
        return _as_date(value, what)
    if col.kind == "integer":
        if isinstance(value, bool) or not float(value).is_integer():
            raise ValueError(f"{what}: not a whole number: {value!r}")
        return int(float(value))
    if col.kind == "code":
        text = str(int(value)) if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)
        if col.codes and text not in col.codes:
            raise ValueError(f"{what}: {value!r} is not one of {', '.join(col.codes)}")
        return text
    return str(value)


# --- validations ---------------------------------------------------------------------------


def _serial(day: dt.date) -> str:
    return str((day - _EXCEL_EPOCH).days)


def _validation(col: Column, sqref: str) -> DataValidation | None:
    title = col.header[:32]
    if col.kind == "code":
        dv = DataValidation(type="list", formula1='"' + ",".join(col.codes) + '"', allow_blank=True)
        dv.error = f"Choose one of: {', '.join(col.codes)}"[:255]
        prompt = col.help or f"Choose one of: {', '.join(col.codes)}"
    elif col.kind == "integer":
        dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
        dv.error = "Enter a whole number of 0 or more."
        prompt = col.help or "A whole number of 0 or more."
    elif col.kind == "date":
        dv = DataValidation(
            type="date",
            operator="between",
            formula1=_serial(_EXCEL_MIN_DATE),
            formula2=_serial(_EXCEL_MAX_DATE),
            allow_blank=True,
        )
        dv.error = "Enter a date as dd/mm/yyyy."
        prompt = col.help or "A date, dd/mm/yyyy."
    elif col.help:
        dv = DataValidation(allow_blank=True)  # any value: input help only
        prompt = col.help
    else:
        return None
    if not col.required:
        prompt = f"{prompt} Leave blank if not known."
    dv.promptTitle = title
    dv.prompt = prompt[:255]
    dv.errorTitle = title
    dv.showInputMessage = True
    dv.showErrorMessage = True
    dv.add(sqref)
    return dv


def _width(col: Column) -> float:
    longest = max([len(col.header), *(len(c) for c in col.codes)])
    if col.kind == "date":
        longest = max(longest, 12)
    if col.kind == "text":
        longest = max(longest, 16)
    return min(max(longest + 3, 10), 40)


# --- sheets ----------------------------------------------------------------------------------


def _write_about(ws, la, quarter: FinancialQuarter, contact: Mapping[str, Any] | None, date_submitted: Any) -> None:
    ws["A1"] = "Quarterly HR return: senior leadership succession planning in children's services"
    ws["A1"].font = _TITLE_FONT
    contact = dict(contact or {})
    unknown = set(contact) - {"name", "email", "contact_name", "contact_email"}
    if unknown:
        raise ValueError(f"contact: unknown keys {sorted(unknown)}; use name and email")
    values = {
        "la_code": la.old_la_code,
        "la_name": la.la_name,
        "quarter": quarter.label,
        "contact_name": contact.get("name", contact.get("contact_name")),
        "contact_email": contact.get("email", contact.get("contact_email")),
        "date_submitted": None if _is_blank(date_submitted) else _as_date(date_submitted, "date_submitted"),
    }
    for fld in ABOUT_FIELDS:
        row = int(fld.cell[1:])
        label = ws.cell(row=row, column=1, value=fld.label)
        label.font = _BOLD
        cell = ws[fld.cell]
        value = values.get(fld.name)
        cell.value = None if _is_blank(value) else value
        if fld.kind == "date":
            cell.number_format = DATE_FORMAT
        if fld.name in ("contact_name", "contact_email", "date_submitted"):
            cell.fill = _INPUT_FILL
    submitted = next(f for f in ABOUT_FIELDS if f.name == "date_submitted")
    dv = DataValidation(
        type="date",
        operator="between",
        formula1=_serial(quarter.start),
        formula2=_serial(_EXCEL_MAX_DATE),
        allow_blank=True,
    )
    dv.promptTitle, dv.prompt = "Date submitted", "The date you send this return, dd/mm/yyyy."
    dv.errorTitle, dv.error = "Date submitted", f"Enter a date on or after {quarter.start:%d/%m/%Y}."
    dv.showInputMessage = dv.showErrorMessage = True
    dv.add(submitted.cell)
    ws.add_data_validation(dv)

    name = return_filename(la.old_la_code, quarter)
    name_v2 = return_filename(la.old_la_code, quarter, 2)
    notes = [
        "How to fill this in",
        "1. Check the LA code, name and quarter above; fill in the yellow cells (contact and date submitted).",
        f"2. KPIs: Table one for {quarter.label} ({quarter.start:%d/%m/%Y} to {quarter.end:%d/%m/%Y}), "
        "by tier. Counts are whole numbers; leave an average blank if no campaign closed in the quarter.",
        "3. Vacancies: one row per recruitment campaign for a first or second tier post that was vacant at any "
        "time in the quarter. Keep a campaign's reference the same on every return that lists it; outcome "
        "'in progress' until it is decided. Only dates up to the end of the quarter.",
        "4. Workforce: one row per current first, second and third tier post-holder at the end of the quarter, "
        "including interim and agency staff.",
        "5. Use the drop-down lists; select a cell to see help for its column. Do not add, rename or reorder "
        "sheets or columns.",
        f"6. Save the file as {name} (DfE LA code, underscore, quarter) and send it by "
        f"{submission_deadline(quarter):%d/%m/%Y} ({return_deadline_days()} days after the quarter ends).",
        f"7. To correct a return you have already sent, send the whole corrected workbook as {name_v2} "
        "(then _v3 and so on); the latest version replaces the earlier one.",
        "The contact name and e-mail are used only to query this return; they are not loaded into the warehouse.",
    ]
    for i, text in enumerate(notes):
        c = ws.cell(row=9 + i, column=1, value=text)
        if i == 0:
            c.font = _BOLD
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 44


def _write_kpis(ws, kpis: Mapping[str, Mapping[str, Any]] | None) -> None:
    ws["A1"] = "Table one: performance indicators for the quarter, by tier"
    ws["A1"].font = _TITLE_FONT
    headers = {"A": "Indicator code", "B": "Indicator"}
    headers.update({col: TIER_LABELS[tier] for tier, col in KPI_TIER_COLUMNS.items()})
    for col, text in headers.items():
        c = ws[f"{col}2"]
        c.value = text
        c.font = _BOLD
        c.fill = _HEADER_FILL
        c.alignment = _WRAP
    kpis = dict(kpis or {})
    known = {code for code, _ in KPI_INDICATORS}
    unknown = set(kpis) - known
    if unknown:
        raise ValueError(f"kpis: unknown indicators {sorted(unknown)}")
    for i, (code, label) in enumerate(KPI_INDICATORS):
        row = KPI_FIRST_ROW + i
        ws.cell(row=row, column=1, value=code)
        ws.cell(row=row, column=2, value=label)
        by_tier = dict(kpis.get(code) or {})
        bad = set(map(str, by_tier)) - set(TIERS)
        if bad:
            raise ValueError(f"kpis[{code!r}]: unknown tiers {sorted(bad)}")
        for tier, col in KPI_TIER_COLUMNS.items():
            value = by_tier.get(tier, by_tier.get(int(tier)))
            c = ws[f"{col}{row}"]
            if not _is_blank(value):
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    raise ValueError(f"kpis[{code!r}][{tier!r}]: not a number: {value!r}")
                if value < 0:
                    raise ValueError(f"kpis[{code!r}][{tier!r}]: negative: {value!r}")
                c.value = int(value) if float(value).is_integer() and not code.startswith("avg_") else value
            c.fill = _INPUT_FILL
            if code.startswith("avg_"):
                c.number_format = "0.0"
    first = min(KPI_TIER_COLUMNS.values(), key=column_index_from_string)
    last = max(KPI_TIER_COLUMNS.values(), key=column_index_from_string)
    end_row = KPI_FIRST_ROW + len(KPI_INDICATORS) - 1
    dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
    dv.promptTitle, dv.prompt = "Indicator value", "A number of 0 or more; averages to one decimal place."
    dv.errorTitle, dv.error = "Indicator value", "Enter a number of 0 or more."
    dv.showInputMessage = dv.showErrorMessage = True
    dv.add(f"{first}{KPI_FIRST_ROW}:{last}{end_row}")
    ws.add_data_validation(dv)
    ws.freeze_panes = f"{first}{KPI_FIRST_ROW}"
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 52
    for col in KPI_TIER_COLUMNS.values():
        ws.column_dimensions[col].width = 20
    ws.row_dimensions[2].height = 30


def _write_table(ws, sheet: Table, rows: Iterable[Mapping[str, Any]] | None) -> None:
    cols = sheet.columns
    names = {c.name for c in cols}
    for j, col in enumerate(cols, start=1):
        c = ws.cell(row=1, column=j, value=col.header)
        c.font = _BOLD
        c.fill = _HEADER_FILL
        ws.column_dimensions[get_column_letter(j)].width = _width(col)
    n = 0
    if rows is not None:
        if hasattr(rows, "to_dict"):  # a pandas DataFrame
            rows = rows.to_dict("records")
        date_cols = [j for j, c in enumerate(cols, start=1) if c.kind == "date"]
        for n, record in enumerate(rows, start=1):
            unknown = set(record) - names
            if unknown:
                raise ValueError(f"{sheet.sheet} row {n}: unknown columns {sorted(unknown)}")
            ws.append([_cell_value(c, record.get(c.name), f"{sheet.sheet} row {n} {c.name}") for c in cols])
            for j in date_cols:
                ws.cell(row=n + 1, column=j).number_format = DATE_FORMAT
    last_row = max(VALIDATION_LAST_ROW, n + 1)
    for j, col in enumerate(cols, start=1):
        letter = get_column_letter(j)
        dv = _validation(col, f"{letter}2:{letter}{last_row}")
        if dv is not None:
            ws.add_data_validation(dv)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{max(n + 1, 1)}"


def write_hr_return(
    path: str | Path,
    la_code: str,
    quarter: FinancialQuarter | str,
    *,
    contact: Mapping[str, Any] | None = None,
    date_submitted: dt.date | None = None,
    kpis: Mapping[str, Mapping[str, Any]] | None = None,
    vacancies: Iterable[Mapping[str, Any]] | None = None,
    workforce: Iterable[Mapping[str, Any]] | None = None,
) -> Path:
    """Write an HR return workbook for ``la_code`` and ``quarter`` to ``path``; return the path.

    With no data this is the empty template an LA fills in. Otherwise:

    * ``contact``: ``{"name": ..., "email": ...}`` (personal; only ever on the About sheet);
    * ``date_submitted``: a date;
    * ``kpis``: ``{indicator code: {tier: value}}``, e.g. ``{"vacancies": {"1": 0, "2": 3}}``;
      a missing or ``None`` value is left blank;
    * ``vacancies`` / ``workforce``: rows as mappings keyed by the contract's column names
      (or a DataFrame); missing or blank values are left blank. Codes are checked against
      the contract.

    Raises ``ValueError`` for an LA code that is not one of the 153 LAs, and for data
    that does not fit the contract's columns and codes.
    """
    la_code = str(la_code).strip()
    la = local_authorities().get(la_code)
    if la is None:
        raise ValueError(f"unknown DfE LA code {la_code!r}: not one of the 153 local authorities")
    if not isinstance(quarter, FinancialQuarter):
        quarter = FinancialQuarter.parse(str(quarter))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)

    wb = Workbook()
    about = wb.active
    about.title = ABOUT_SHEET
    _write_about(about, la, quarter, contact, date_submitted)
    _write_kpis(wb.create_sheet(KPIS_SHEET), kpis)
    _write_table(wb.create_sheet(VACANCIES.sheet), VACANCIES, vacancies)
    _write_table(wb.create_sheet(WORKFORCE.sheet), WORKFORCE, workforce)

    stamp_day = _as_date(date_submitted, "date_submitted") if not _is_blank(date_submitted) else quarter.end
    _save(wb, path, dt.datetime.combine(stamp_day, dt.time(9, 0)))
    return path
