"""Checks that run before a raw file is parsed: what it is, how big it is, what it would cost.

Parsers allocate what a file asks for: python-calamine builds the whole rectangle of a
sheet's used range, a zip member inflates to whatever it says, YAML aliases expand. So
the limits of `contracts.limits` are checked here first, from the file's size, its zip
directory and a streaming scan of its sheet XML, and a file beyond one is quarantined
with the limit it breaks. The same scan finds the cells a workbook reader cannot see:
python-calamine reads an Excel error value (``#N/A``) and a formula saved without its
result as an empty cell, and a boolean as 1.
"""

from __future__ import annotations

import codecs
import html
import math
import posixpath
import re
import stat
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from contracts import limits as LIM
from succession.ingest.problems import Problem, column_letter

_CHUNK = 1 << 20


# --- entries of raw/ -------------------------------------------------------------------------


def control_characters(name: str) -> bool:
    """A name holding a control character (newline, tab, NUL, DEL, C1 ...) or a lone surrogate."""
    if name.isascii() and name.isprintable():
        return False  # space to tilde: the usual name, told without a lookup per character
    return any(unicodedata.category(ch) in ("Cc", "Cs") for ch in name)


def entry_problem(
    path: Path, rel: str, raw_dir: Path | None, resolve: Callable[[Path], Path] = Path.resolve
) -> Problem | None:
    """Why ``path`` is not a raw file this pipeline reads, or None when it is one: a symlink
    (never followed: its target is read, or not, on its own), not a regular file (a folder
    named like a workbook, a FIFO), outside ``raw_dir``, or a name with control characters.
    ``resolve`` resolves a folder (`FolderResolver`: each folder once for a partition's files)."""
    path = Path(path)
    if control_characters(str(path)) and any(control_characters(part) for part in path.parts):
        return Problem(
            rel, "file_name", f"the path {str(path.name)!r} contains control characters (e.g. a newline): not read"
        )
    try:
        st = path.lstat()
    except OSError as exc:
        return Problem(rel, "unreadable", f"cannot be opened ({exc.strerror or exc})")
    if stat.S_ISLNK(st.st_mode):
        return Problem(rel, "symlink", "a symbolic link: links are not followed (put the file itself in raw/)")
    if stat.S_ISDIR(st.st_mode):
        return Problem(rel, "not_a_file", "a folder where a file is expected: not read")
    if not stat.S_ISREG(st.st_mode):
        return Problem(rel, "not_a_file", "not a regular file: not read")
    if raw_dir is not None:
        try:
            # a regular file, not a link: where it resolves to is where its folder does
            (resolve(path.parent) / path.name).relative_to(resolve(Path(raw_dir)))
        except ValueError:
            return Problem(rel, "outside_raw", "resolves to a place outside the raw folder: not read")
    return None


class FolderResolver:
    """``Path.resolve`` of folders, each resolved once: a partition's files share one folder
    and raw/ (resolving walks every component of the path with a system call each)."""

    def __init__(self) -> None:
        self._memo: dict[Path, Path] = {}

    def __call__(self, folder: Path) -> Path:
        found = self._memo.get(folder)
        if found is None:
            found = self._memo[folder] = Path(folder).resolve()
        return found


def size_problem(path: Path, rel: str) -> Problem | None:
    size = Path(path).stat().st_size
    limit = LIM.MAX_FILE_BYTES_BY_SUFFIX.get(Path(path).suffix.lower(), LIM.MAX_FILE_BYTES)
    if size > limit:
        return Problem(
            rel, "limit_file_size", f"the file is {_size(size)}, over the limit of {_size(limit)} for this kind of file"
        )
    return None


def _size(n: int) -> str:
    for unit, factor in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= factor:
            return f"{n / factor:.1f} {unit}"
    return f"{n} bytes"


# --- zip containers (.xlsx, .qdpx) -------------------------------------------------------------


def zip_problems(zf: zipfile.ZipFile, rel: str) -> list[Problem]:
    """The zip directory against the limits: members, each member's inflated size and ratio,
    the total. From the directory only (nothing inflated); `read_member` enforces the same
    sizes on the bytes actually inflated, so a directory that lies gains nothing."""
    infos = zf.infolist()
    if len(infos) > LIM.MAX_ZIP_MEMBERS:
        return [
            Problem(
                rel, "limit_zip", f"the zip holds {len(infos):,} members, over the limit of {LIM.MAX_ZIP_MEMBERS:,}"
            )
        ]
    out, total = [], 0
    for info in infos:
        total += info.file_size
        if info.file_size > LIM.MAX_ZIP_MEMBER_BYTES:
            out.append(
                Problem(
                    rel,
                    "limit_zip",
                    f"member {info.filename!r} inflates to {_size(info.file_size)}, over the limit of {_size(LIM.MAX_ZIP_MEMBER_BYTES)}",
                    sheet=info.filename,
                )
            )
        elif info.file_size > LIM.ZIP_RATIO_MIN_BYTES and info.file_size > LIM.MAX_ZIP_RATIO * max(
            info.compress_size, 1
        ):
            ratio = info.file_size / max(info.compress_size, 1)
            out.append(
                Problem(
                    rel,
                    "limit_zip",
                    f"member {info.filename!r} inflates {ratio:,.0f}x ({_size(info.compress_size)} to {_size(info.file_size)}), "
                    f"over the limit of {LIM.MAX_ZIP_RATIO}x",
                    sheet=info.filename,
                )
            )
    if not out and total > LIM.MAX_ZIP_TOTAL_BYTES:
        out.append(
            Problem(
                rel,
                "limit_zip",
                f"the zip's members inflate to {_size(total)} together, over the limit of {_size(LIM.MAX_ZIP_TOTAL_BYTES)}",
            )
        )
    return out


class LimitExceeded(Exception):
    def __init__(self, problem: Problem):
        self.problem = problem
        super().__init__(str(problem))


def iter_member(zf: zipfile.ZipFile, name: str, rel: str):
    """A member's bytes in chunks, stopping (LimitExceeded) once more than its directory
    entry declared, or than the member limit, has been inflated."""
    info = zf.getinfo(name)
    cap = min(info.file_size, LIM.MAX_ZIP_MEMBER_BYTES)
    if cap <= _CHUNK:
        data = zf.read(info)  # zipfile itself never inflates past the declared size
        if len(data) > cap:
            raise LimitExceeded(
                Problem(
                    rel,
                    "limit_zip",
                    f"member {name!r} inflates beyond the {_size(cap)} its zip entry or the limit allows",
                    sheet=name,
                )
            )
        yield data
        return
    seen = 0
    with zf.open(info) as f:
        while chunk := f.read(_CHUNK):
            seen += len(chunk)
            if seen > cap:
                raise LimitExceeded(
                    Problem(
                        rel,
                        "limit_zip",
                        f"member {name!r} inflates beyond the {_size(cap)} its zip entry or the limit allows",
                        sheet=name,
                    )
                )
            yield chunk


def read_member(zf: zipfile.ZipFile, name: str, rel: str) -> bytes:
    return b"".join(iter_member(zf, name, rel))


# --- workbooks ---------------------------------------------------------------------------------

_ERRORS = ("#N/A", "#DIV/0!", "#REF!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!", "#GETTING_DATA", "#SPILL!", "#CALC!")
_ROW = re.compile(rb'<row\b[^>]*?\br="(\d+)"')
_ROW_FIRST = re.compile(rb'<row r="(\d+)"')  # how Excel and openpyxl write it: the fast path
# a cell reference past column ZZ; the pattern starts with a literal, which re finds fast
# (``\br=`` was tried at every byte), and the byte before is checked for the word boundary
_WIDE_CELL = re.compile(rb'r="([A-Z]{3,})\d+"')
_WORD_BYTES = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_TYPED_CELL = re.compile(rb'<c\b[^>]*?\bt="(e|b)"[^>]*>')
_FORMULA = re.compile(rb"<f\b")
_HUGE_NUMBER = re.compile(rb"<v>\s*([-+]?(?:[Ii][Nn][Ff]|[Nn][Aa][Nn]|\d*\.?\d+[eE]\+?\d{3,}))\s*</v>")
_REF = re.compile(rb'\br="([A-Z]+\d+)"')
_VALUE = re.compile(rb"<v>([^<]*)</v>")
_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "p": "http://schemas.openxmlformats.org/package/2006/relationships",
}


def _column_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


@dataclass
class SheetScan:
    rows: int = 0  # last row holding a <row>
    columns: int = 0  # last column seen wider than ZZ, else at most 702
    problems: list[Problem] = field(default_factory=list)


_SHEET = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')


def _attributes(tag: bytes) -> dict[str, str]:
    return {k.decode().split(":")[-1]: v.decode("utf-8", "replace") for k, v in _ATTR.findall(tag)}


def _sheet_members(zf: zipfile.ZipFile, rel: str) -> dict[str, str]:
    """Sheet name -> its XML member, from the workbook part and its relationships."""
    try:
        book = read_member(zf, "xl/workbook.xml", rel)
        rels = read_member(zf, "xl/_rels/workbook.xml.rels", rel)
    except KeyError:
        return {}  # not a workbook: the reader says so
    targets = {}
    for tag in re.findall(rb"<(?:\w+:)?Relationship\b[^>]*>", rels):
        a = _attributes(tag)
        targets[a.get("Id")] = a.get("Target", "")
    out = {}
    for tag in _SHEET.findall(book):
        a = _attributes(tag)
        target = targets.get(a.get("id"), "")
        if not target:
            continue
        member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        out[html.unescape(a.get("name", member))] = member
    return out


def _cell_at(data: bytes, pos: int) -> tuple[str | None, bytes]:
    """The A1 reference and XML of the cell holding position ``pos``."""
    start = data.rfind(b"<c", 0, pos)
    while start >= 0 and data[start + 2 : start + 3] not in (b" ", b">", b"\t", b"\n", b"\r"):
        start = data.rfind(b"<c", 0, start)
    end = data.find(b"</c>", pos)
    cell = data[max(start, 0) : end + 4 if end >= 0 else pos + 200]
    ref = _REF.search(cell)
    return (ref.group(1).decode() if ref else None), cell


def _scan_piece(data: bytes, rel: str, sheet: str, scan: SheetScan) -> None:
    rows = _ROW_FIRST.findall(data)
    if len(rows) != data.count(b"<row"):
        rows = _ROW.findall(data)  # attributes in another order
    if rows:
        scan.rows = max(scan.rows, max(map(int, rows)))
    for m in _WIDE_CELL.finditer(data):
        if not m.start() or data[m.start() - 1] not in _WORD_BYTES:
            scan.columns = max(scan.columns, _column_index(m.group(1)))
    if b't="e"' not in data and b't="b"' not in data and b"<f" not in data and b"</v>" not in data:
        return  # nothing below can match (substring tests cost far less than the patterns)
    for m in _TYPED_CELL.finditer(data) if b't="e"' in data or b't="b"' in data else ():
        ref, cell = _cell_at(data, m.end())
        value = _VALUE.search(cell)
        found = value.group(1).decode("utf-8", "replace") if value else ""
        if m.group(1) == b"e":
            scan.problems.append(
                Problem(
                    rel,
                    "error_value",
                    f"an Excel error value ({found or 'error'}) where a value is expected",
                    sheet=sheet,
                    cell=ref,
                )
            )
        else:
            shown = {"1": "TRUE", "0": "FALSE"}.get(found.strip(), found)
            scan.problems.append(
                Problem(
                    rel,
                    "boolean_value",
                    f"a boolean ({shown}) where a number or text is expected",
                    sheet=sheet,
                    cell=ref,
                )
            )
    for m in _FORMULA.finditer(data) if b"<f" in data else ():
        ref, cell = _cell_at(data, m.start())
        value = _VALUE.search(cell)
        if value is None or not value.group(1).strip():
            scan.problems.append(
                Problem(
                    rel,
                    "formula_without_value",
                    "a formula saved without its calculated value (open and save the file in Excel)",
                    sheet=sheet,
                    cell=ref,
                )
            )
    for m in _HUGE_NUMBER.finditer(data):
        try:
            finite = math.isfinite(float(m.group(1)))
        except ValueError:
            finite = False
        if not finite:
            ref, cell = _cell_at(data, m.start())
            if b't="s"' in cell or b't="str"' in cell or b't="inlineStr"' in cell:
                continue  # text (a shared-string index, a formula's text result)
            scan.problems.append(
                Problem(
                    rel, "non_finite", f"a number that is not finite ({m.group(1).decode()})", sheet=sheet, cell=ref
                )
            )


def scan_sheet(zf: zipfile.ZipFile, member: str, rel: str, sheet: str) -> SheetScan:
    """Stream one sheet's XML once, whole rows at a time: its used range and unreadable cells."""
    scan = SheetScan()
    carry = b""
    for chunk in iter_member(zf, member, rel):
        data = carry + chunk
        cut = data.rfind(b"</row>")
        if cut < 0:
            cut = data.rfind(b"</c>")
        if cut < 0:
            carry = data if len(data) < 64 * _CHUNK else b""
            continue
        cut = data.find(b">", cut) + 1
        _scan_piece(data[:cut], rel, sheet, scan)
        carry = data[cut:]
    if carry:
        _scan_piece(carry, rel, sheet, scan)
    return scan


def workbook_problems(path: Path, rel: str, sheets: tuple[str, ...] | None = None) -> list[Problem]:
    """Everything wrong with an .xlsx before python-calamine reads it: the zip limits, then
    each sheet read (``sheets``; None = every sheet) scanned for its used range (rows,
    columns, cells against the limits) and for cells the reader cannot see: error values,
    formulas without a stored value, booleans, numbers that are not finite. An unreadable
    zip gives no problem here: the reader reports it."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return []
    with zf:
        found = zip_problems(zf, rel)
        if found:
            return found
        try:
            members = _sheet_members(zf, rel)
            for sheet, member in members.items():
                if sheets is not None and sheet not in sheets:
                    continue
                try:
                    scan = scan_sheet(zf, member, rel, sheet)
                except KeyError:
                    continue  # a sheet without its part: the reader reports it
                found.extend(scan.problems)
                columns = max(scan.columns, 1)
                if (
                    scan.rows > LIM.MAX_SHEET_ROWS
                    or scan.columns > LIM.MAX_SHEET_COLUMNS
                    or scan.rows * columns > LIM.MAX_SHEET_CELLS
                ):
                    found.append(
                        Problem(
                            rel,
                            "limit_sheet",
                            f"the used range reaches row {scan.rows:,}"
                            + (f" and column {column_letter(scan.columns - 1)}" if scan.columns > 702 else "")
                            + f": over the limits of {LIM.MAX_SHEET_ROWS:,} rows, {LIM.MAX_SHEET_COLUMNS:,} columns,"
                            f" {LIM.MAX_SHEET_CELLS:,} cells per sheet",
                            sheet=sheet,
                        )
                    )
        except LimitExceeded as exc:
            found.append(exc.problem)
        except zipfile.BadZipFile:
            return found  # corrupt members: the reader reports it
    return found


# --- text encodings --------------------------------------------------------------------------------

_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def wide_encoding(data: bytes) -> str | None:
    """``utf-16`` / ``utf-32`` when ``data`` starts with that byte-order mark (Excel's
    "Unicode text" and some SurveyMonkey exports are UTF-16), else None."""
    for bom, encoding in _WIDE_BOMS:  # UTF-32 LE starts with the UTF-16 LE mark: test it first
        if data.startswith(bom):
            return encoding
    return None


class EncodingProblem(ValueError):
    """Text that is not in an encoding the contract accepts (the message says what it is)."""


def to_utf8(data: bytes) -> tuple[bytes, str | None]:
    """A CSV's bytes as UTF-8 and the wide encoding they were in (None: not wide).

    UTF-16/32 with a byte-order mark is decoded; text that is mostly NUL bytes without one
    (UTF-16 without a BOM) is an `EncodingProblem` that says so, rather than columns
    of garbage that then miss their headers."""
    encoding = wide_encoding(data)
    if encoding is not None:
        try:
            return data.decode(encoding).encode("utf-8"), encoding
        except UnicodeDecodeError as exc:
            raise EncodingProblem(
                f"starts with a {encoding.upper()} byte-order mark but is not valid {encoding.upper()} ({exc.reason})"
            ) from None
    head = data[:4096]
    if len(head) >= 16 and max(head[0::2].count(0), head[1::2].count(0)) * 10 >= len(head) // 2 * 9:
        # NUL in (nearly) every other byte: ASCII text as UTF-16 (a stray NUL is just a character)
        raise EncodingProblem(
            "looks like UTF-16 text without a byte-order mark (every other byte is NUL); save it as UTF-8 CSV"
        )
    return data, None


# --- YAML ----------------------------------------------------------------------------------------


def _expanded_size(root: yaml.Node) -> int:
    """Nodes of the document with every alias expanded, counted on the composed graph (an
    aliased node is one object there), stopping as soon as the limit is passed."""
    memo: dict[int, int] = {}
    limit = LIM.MAX_YAML_NODES

    def size(node: yaml.Node, depth: int = 0) -> int:
        key = id(node)
        if key in memo:
            return memo[key]
        if depth > 200:
            return limit + 1
        memo[key] = limit + 1  # a cycle (recursive alias) counts as over the limit
        total = 1
        if isinstance(node, yaml.SequenceNode):
            children = node.value
        elif isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        else:
            children = []
        for child in children:
            total += size(child, depth + 1)
            if total > limit:
                break
        memo[key] = total
        return total

    return size(root)


class YamlLimit(ValueError):
    """A YAML document beyond the limits (its message says which)."""


def compose_yaml(text: str, what: str) -> yaml.Node | None:
    """Compose a YAML document (the safe loader's rules) after checking its expanded size."""
    if len(text.encode("utf-8")) > LIM.MAX_FILE_BYTES_BY_SUFFIX[".yaml"]:
        raise YamlLimit(f"{what} is over the limit of {_size(LIM.MAX_FILE_BYTES_BY_SUFFIX['.yaml'])}")
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if root is not None and _expanded_size(root) > LIM.MAX_YAML_NODES:
        raise YamlLimit(
            f"{what} expands to more than {LIM.MAX_YAML_NODES:,} YAML nodes (aliases nested too deep): not read"
        )
    return root


def safe_load_yaml(text: str, what: str) -> object:
    """`yaml.safe_load`, refusing documents over the size and alias-expansion limits."""
    root = compose_yaml(text, what)
    return None if root is None else yaml.constructor.SafeConstructor().construct_document(root)


# --- problems per file -----------------------------------------------------------------------------


def more_line(file: str, count: int, limit: int = LIM.MAX_PROBLEMS_PER_FILE) -> Problem:
    return Problem(file, MORE, f"and {count:,} more problem(s) not listed (limit {limit} per file)")


def more_count(p: Problem) -> int:
    """How many problems an "and N more" line stands for (0 for any other problem)."""
    if p.rule != MORE:
        return 0
    m = re.search(r"and ([\d,]+) more", p.message)
    return int(m.group(1).replace(",", "")) if m else 1


def capped(problems: list[Problem], limit: int = LIM.MAX_PROBLEMS_PER_FILE) -> list[Problem]:
    """The first ``limit`` problems, then one line counting the rest (any "and N more" line
    a reader already wrote is folded into it)."""
    listed = [p for p in problems if p.rule != MORE]
    rest = sum(map(more_count, problems)) + max(len(listed) - limit, 0)
    if not rest:
        return listed
    return [*listed[:limit], more_line(problems[0].file, rest, limit)]


def total_count(problems: list[Problem]) -> int:
    return sum(1 for p in problems if p.rule != MORE) + sum(map(more_count, problems))


MORE = "more_problems"
