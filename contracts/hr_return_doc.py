"""Writes contracts/hr_return.md from contracts/hr_return.py, so the two cannot drift.

python -m contracts.hr_return_doc
"""

from __future__ import annotations

from pathlib import Path

from contracts import hr_return as C

DOC = Path(__file__).with_name("hr_return.md")


def render() -> str:
    lines = [
        "# Contract: the quarterly HR return",
        "",
        "One workbook per local authority per quarter, on the template the project generates",
        '(`succession template hr-return --la 867 --quarter "2024-25 Q1" -o 867_2024-25_Q1.xlsx`).',
        "The machine-readable contract is `contracts/hr_return.py`; this page is generated from it",
        "(`python -m contracts.hr_return_doc`) and a test checks they agree.",
        "",
        "## File",
        "",
        f"* Name: `<DfE LA code>_<quarter key>.xlsx`, e.g. `867_2024-25_Q1.xlsx` (pattern `{C.FILE_PATTERN}`).",
        "* A corrected return is sent as `_v2`, `_v3` …; the latest date submitted (then version) supersedes earlier ones, which are kept.",
        "* Location: `raw/hr_returns/<quarter key>/`.",
        "* Sheets, in this order: " + ", ".join(f"`{s}`" for s in C.SHEETS) + ".",
        "",
        "## About",
        "",
        "| cell | field | notes |",
        "|---|---|---|",
    ]
    for f in C.ABOUT_FIELDS:
        lines.append(
            f"| {f.cell} | {f.label} | {'personal data: never read by the pipeline' if f.personal else f.kind} |"
        )
    lines += [
        "",
        "## KPIs",
        "",
        f"Indicator codes in column A from row {C.KPI_FIRST_ROW}, first tier (DCS) in column {C.KPI_TIER_COLUMNS['1']}, "
        f"second tier (assistant directors) in column {C.KPI_TIER_COLUMNS['2']}.",
        "",
        "| row | code | indicator |",
        "|---|---|---|",
    ]
    for i, (code, label) in enumerate(C.KPI_INDICATORS):
        lines.append(f"| {C.KPI_FIRST_ROW + i} | `{code}` | {label} |")
    for sheet in C.TABLE_SHEETS:
        lines += [
            "",
            f"## {sheet.sheet}",
            "",
            f"Headers in row 1, one record per row from row 2; unique key: {', '.join(sheet.key)}.",
            "",
            "| header | column | type | required | allowed values / notes |",
            "|---|---|---|---|---|",
        ]
        for c in sheet.columns:
            allowed = ", ".join(f"`{x}`" for x in c.codes) if c.codes else c.help
            lines.append(f"| {c.header} | `{c.name}` | {c.kind} | {'yes' if c.required else 'no'} | {allowed} |")
    lines += [
        "",
        "## Rules across columns and sheets",
        "",
        "* shortlisted ≤ applicants; closing date ≥ advert opened; date filled ≥ date the vacancy arose;",
        "  a filled post needs the date filled; a permanent appointment needs the appointee's background.",
        "* No date after the quarter end (a campaign still in progress may close next quarter).",
        "* The LA code on `About` is one of the 153 DfE codes and matches the file name; the quarter",
        "  matches the file name and folder and has started; the date submitted is not in the future.",
        "* Posts filled permanently ≤ vacancies on the `KPIs` sheet, for each tier.",
        "* No duplicate campaign references (Vacancies) or post references (Workforce).",
        "",
        "A file that breaks any rule is quarantined whole, with one line per problem naming the file,",
        "sheet and cell, e.g. `867_2024-25_Q1.xlsx: Vacancies!I12: shortlisted (7) exceeds applicants (5)`.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    DOC.write_text(render(), encoding="utf-8")
    print(f"wrote {DOC}")
