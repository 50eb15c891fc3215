"""A minimal .xlsx reader on the standard library (zipfile + ElementTree): the cell values
of every sheet, by sheet name. Dates come back as Excel serial numbers (the caller knows
which columns hold dates, from the contract). Several times faster than openpyxl for the
thousands of small workbooks of a national point."""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_REF = re.compile(r"([A-Z]+)(\d+)")
EXCEL_EPOCH = dt.date(1899, 12, 30)


def _column(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _text(node) -> str:
    return "".join(t.text or "" for t in node.iter(f"{MAIN}t"))


def _number(text: str):
    value = float(text)
    return int(value) if value.is_integer() else value


def serial_to_date(value) -> dt.date:
    return EXCEL_EPOCH + dt.timedelta(days=int(float(value)))


def read_sheets(path: Path, first_only: bool = False) -> dict[str, list[list]]:
    """Sheet name -> rows (lists of cell values, None where blank), in workbook order
    (only the first sheet with ``first_only``)."""
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        shared = []
        if "xl/sharedStrings.xml" in names:
            shared = [_text(si) for si in ET.fromstring(z.read("xl/sharedStrings.xml")).iter(f"{MAIN}si")]
        rels = {
            r.get("Id"): r.get("Target")
            for r in ET.fromstring(z.read("xl/_rels/workbook.xml.rels")).iter(f"{PKG}Relationship")
        }
        out = {}
        for sheet in ET.fromstring(z.read("xl/workbook.xml")).iter(f"{MAIN}sheet"):
            target = rels[sheet.get(f"{REL}id")]
            member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            rows: dict[int, dict[int, object]] = {}
            for c in ET.fromstring(z.read(member)).iter(f"{MAIN}c"):
                col, row = _REF.match(c.get("r")).groups()
                kind, v = c.get("t"), c.find(f"{MAIN}v")
                if kind == "inlineStr":
                    value = _text(c)
                elif v is None or v.text is None:
                    continue
                elif kind == "s":
                    value = shared[int(v.text)]
                elif kind in ("str", "e", "d"):
                    value = v.text
                elif kind == "b":
                    value = v.text == "1"
                else:
                    value = _number(v.text)
                rows.setdefault(int(row) - 1, {})[_column(col)] = value
            width = 1 + max((max(r) for r in rows.values() if r), default=-1)
            out[sheet.get("name")] = [
                [rows.get(i, {}).get(j) for j in range(width)] for i in range(1 + max(rows, default=-1))
            ]
            if first_only:
                break
    return out
