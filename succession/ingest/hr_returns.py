"""Ingest quarterly HR returns: ``raw/hr_returns/<quarter key>/<la>_<quarter key>[_vN].xlsx``.

Reads workbooks with python-calamine (fast), shapes each sheet to the contract in
`contracts.hr_return`, and leaves validation to the shared framework. Contact name
and e-mail on the About sheet are personal data: they are never read.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
from python_calamine import CalamineWorkbook

from contracts import hr_return as C
from succession.ingest import lineage as L
from succession.ingest.cells import clean, header_key, is_blank
from succession.ingest.framework import FileRead, empty_frame, partition_folders
from succession.ingest.problems import Problem, column_letter
from succession.periods import FinancialQuarter
from succession.reference import local_authorities

_FILE = re.compile(C.FILE_PATTERN)


def _cell_index(ref: str) -> tuple[int, int]:
    m = re.fullmatch(r"([A-Z]+)(\d+)", ref)
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)) - 1, col - 1


def _at(rows: list[list], ref: str) -> object:
    r, c = _cell_index(ref)
    return rows[r][c] if r < len(rows) and c < len(rows[r]) else None


class HrReturnsSource:
    name = C.SOURCE
    partition_kind = "quarter"
    schemas = C.SCHEMAS

    # -- discovery ---------------------------------------------------------------------
    def discover(self, raw_dir: Path) -> dict[str, list[Path]]:
        return partition_folders(Path(raw_dir) / C.SOURCE, key=lambda name: FinancialQuarter.parse(name).label)

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
            read.problems.append(Problem(rel, "file_name", "file name must be <DfE LA code>_<quarter>.xlsx, e.g. 867_2024-25_Q1.xlsx (a resubmission adds _v2)"))
        else:
            read.meta.update(file_la_code=name_match.group("la"), file_quarter=name_match.group("quarter"),
                             version=int(name_match.group("version") or 1))
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
            read.problems.append(Problem(rel, "missing_sheet", f"sheet {s!r} is missing (found: {', '.join(wb.sheet_names)})", sheet=s))
        if missing:
            return read
        sheets = {s: wb.get_sheet_by_name(s).to_python(skip_empty_area=False) for s in C.SHEETS}
        self._read_about(read, sheets[C.ABOUT_SHEET])
        self._read_kpis(read, sheets[C.KPIS_SHEET])
        for spec in C.TABLE_SHEETS:
            self._read_table(read, spec, sheets[spec.sheet])
        for table, df in read.tables.items():
            read.tables[table] = L.stamp(df, source_file=rel, sha256=sha256, sheet=_SHEET_OF[table])
        return read

    def _read_about(self, read: FileRead, rows: list[list]) -> None:
        record: dict[str, object] = {L.ROW: pd.NA, L.CELL: "B2:B7"}
        letters: dict[str, str] = {}
        for f in C.ABOUT_FIELDS:
            if f.personal:
                continue  # personal data is never read
            record[f.name] = clean(_at(rows, f.cell), "text" if f.kind == "code" else f.kind)
            letters[f.name] = f.cell
        read.tables["about"] = pd.DataFrame([record])
        read.column_letters["about"] = letters
        read.meta.update(la_code=record.get("la_code"), quarter=record.get("quarter"),
                         date_submitted=record.get("date_submitted"))

    def _read_kpis(self, read: FileRead, rows: list[list]) -> None:
        out = []
        for i, (code, label) in enumerate(C.KPI_INDICATORS):
            r = C.KPI_FIRST_ROW + i
            found = rows[r - 1][0] if r - 1 < len(rows) and rows[r - 1] else None
            if header_key(found or "") != code:
                read.problems.append(Problem(read.rel, "kpi_row", f"expected indicator {code!r} ({label}) in A{r}, found {found!r}", sheet=C.KPIS_SHEET, row=r, cell=f"A{r}"))
                continue
            for tier, col in C.KPI_TIER_COLUMNS.items():
                cell = f"{col}{r}"
                out.append({"indicator": code, "tier": tier, "value": clean(_at(rows, cell), "number"), L.ROW: r, L.CELL: cell})
        read.tables["kpis"] = pd.DataFrame(out, columns=["indicator", "tier", "value", L.ROW, L.CELL])

    def _read_table(self, read: FileRead, spec: C.TableSheet, rows: list[list]) -> None:
        header = rows[0] if rows else []
        wanted = {header_key(c.header): c for c in spec.columns}
        positions: dict[str, int] = {}
        for j, h in enumerate(header):
            if is_blank(h):
                continue
            col = wanted.get(header_key(h))
            if col is None:
                read.problems.append(Problem(read.rel, "unexpected_column", f"unexpected column {str(h)!r} (headers must match the template)", sheet=spec.sheet, row=1, column=str(h), cell=f"{column_letter(j)}1"))
            else:
                positions[col.name] = j
        for col in spec.columns:
            if col.name not in positions:
                read.problems.append(Problem(read.rel, "missing_column", f"column {col.header!r} is missing", sheet=spec.sheet, row=1, column=col.header))
        records = []
        for i, row in enumerate(rows[1:], start=2):
            values = [row[j] if j < len(row) else None for j in positions.values()]
            if all(is_blank(v) for v in values):
                continue  # blank lines between or after records
            rec = {c.name: clean(row[positions[c.name]] if positions.get(c.name, 10**6) < len(row) else None, c.kind, c.codes)
                   for c in spec.columns}
            rec[L.ROW] = i
            records.append(rec)
        read.tables[spec.table] = pd.DataFrame(records, columns=[c.name for c in spec.columns] + [L.ROW])
        read.column_letters[spec.table] = {name: column_letter(j) for name, j in positions.items()}

    # -- rules spanning one file ---------------------------------------------------------
    def file_checks(self, read: FileRead, partition: str, validated: dict[str, pd.DataFrame]) -> list[Problem]:
        problems: list[Problem] = []
        rel = read.rel
        about = validated["about"].iloc[0]
        la_code, quarter_label = str(about["la_code"]), str(about["quarter"])
        if la_code not in local_authorities():
            problems.append(Problem(rel, "unknown_la", f"LA code {la_code} is not one of the 153 DfE LA codes", sheet=C.ABOUT_SHEET, cell="B2"))
        if read.meta.get("file_la_code") and read.meta["file_la_code"] != la_code:
            problems.append(Problem(rel, "la_mismatch", f"LA code {la_code} disagrees with the file name ({read.meta['file_la_code']})", sheet=C.ABOUT_SHEET, cell="B2"))
        quarter = FinancialQuarter.parse(quarter_label)
        if quarter.label != partition:
            problems.append(Problem(rel, "quarter_mismatch", f"quarter {quarter.label} disagrees with the folder/partition ({partition})", sheet=C.ABOUT_SHEET, cell="B4"))
        if read.meta.get("file_quarter") and FinancialQuarter.parse(read.meta["file_quarter"]) != quarter:
            problems.append(Problem(rel, "quarter_mismatch", f"quarter {quarter.label} disagrees with the file name ({read.meta['file_quarter']})", sheet=C.ABOUT_SHEET, cell="B4"))
        today = dt.date.today()
        if quarter.start > today:
            problems.append(Problem(rel, "future_quarter", f"quarter {quarter.label} has not started yet", sheet=C.ABOUT_SHEET, cell="B4"))
        submitted = about["date_submitted"]
        if pd.notna(submitted) and submitted.date() > today:
            problems.append(Problem(rel, "future_date", f"date submitted {submitted:%d/%m/%Y} is in the future", sheet=C.ABOUT_SHEET, cell="B7"))

        letters = read.column_letters
        vac = validated["vacancies"]
        end = pd.Timestamp(quarter.end)
        for col in ("vacancy_arose", "advert_opened", "date_filled", "advert_closed"):
            after = vac[col] > end
            if not after.any():
                continue  # the usual case: nothing dated after the quarter end
            late = vac[after]
            if col == "advert_closed":
                late = late[late["outcome"] != "in progress"]  # a live campaign may close next quarter
            for r in late.to_dict("records"):
                row = int(r[L.ROW])
                problems.append(Problem(rel, "date_after_quarter", f"{col} {r[col]:%d/%m/%Y} is after the end of {quarter.label} ({quarter.end:%d/%m/%Y})",
                                        sheet=C.VACANCIES.sheet, row=row, column=col, cell=f"{letters['vacancies'][col]}{row}"))
        for spec in C.TABLE_SHEETS:
            df = validated[spec.table]
            for key in spec.key:
                mask = df[key].duplicated(keep=False)
                if not mask.any():
                    continue  # the usual case: skip the frame copy and the groupby
                dup = df[mask]
                for value, group in dup.groupby(key):
                    rows = sorted(int(x) for x in group[L.ROW])
                    problems.append(Problem(rel, "duplicate_row", f"{key} {value!r} appears on rows {', '.join(map(str, rows))}",
                                            sheet=spec.sheet, row=rows[1], column=key, cell=f"{letters[spec.table][key]}{rows[1]}"))
        k = validated["kpis"]
        keys = list(zip(k["indicator"], k["tier"]))
        # a plain dict when (indicator, tier) is unique (always, for a template return), else
        # the indexed Series as before: the lookups below behave the same either way
        kpis = dict(zip(keys, k["value"])) if len(set(keys)) == len(keys) else k.set_index(["indicator", "tier"])["value"]
        for tier in C.TIERS:
            filled, vacancies = kpis.get(("filled_permanent", tier)), kpis.get(("vacancies", tier))
            if pd.notna(filled) and pd.notna(vacancies) and filled > vacancies:
                r = C.KPI_FIRST_ROW + [k for k, _ in C.KPI_INDICATORS].index("filled_permanent")
                problems.append(Problem(rel, "filled_exceeds_vacancies", f"posts filled permanently ({filled:g}) exceeds vacancies ({vacancies:g}) for tier {tier}",
                                        sheet=C.KPIS_SHEET, row=r, cell=f"{C.KPI_TIER_COLUMNS[tier]}{r}"))
        return problems

    def empty_tables(self) -> dict[str, pd.DataFrame]:
        return {name: empty_frame(schema, extra=_EXTRA.get(name)) for name, schema in self.schemas.items()}


_SHEET_OF = {"about": C.ABOUT_SHEET, "kpis": C.KPIS_SHEET, "vacancies": C.VACANCIES.sheet, "workforce": C.WORKFORCE.sheet}
_EXTRA = {"about": {"la_name": object}}

SOURCE = HrReturnsSource()
