"""Ingest the regional programme's records: two sources.

* ``SOURCE`` (``programme``, partitioned by financial quarter): the files under
  ``raw/programme/<region code>/<quarter key>/`` (activities, attendance, feedback,
  skills audit, career events, grant ledger as CSV or XLSX; the narrative as markdown).
  A partition (``2024-25 Q1``) holds every region's folder for that quarter.
* ``PLAN_SOURCE`` (``programme_plan``, one partition ``all``): the regional plans
  ``raw/programme/<region code>/plan_<financial year>.yaml``.

Each CSV line (or XLSX row) becomes a row with ``_row`` = its line number (header = 1),
so a problem names the file, the line and the spreadsheet column letter. The narrative
is stored one row per paragraph (``_row`` = the paragraph's first line). A plan's rows
carry ``_row`` = the YAML line and ``_cell`` = the YAML path (``budget_lines[2].planned_gbp.Q3``).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd
import yaml
from python_calamine import CalamineWorkbook

from contracts import programme as C
from succession.ingest import lineage as L
from succession.ingest.cells import clean
from succession.ingest.frames import cached_empty_tables, read_table, table_columns
from succession.ingest.framework import FileRead, empty_frame, folder_strays, is_real_folder, listed_entries
from succession.ingest.guards import YamlLimit, compose_yaml, control_characters, to_utf8
from succession.ingest.problems import Problem
from succession.periods import FinancialQuarter
from succession.reference import regions

_PLAN = re.compile(C.PLAN_FILE)
_TABLE_SUFFIXES = (".csv", ".xlsx")


def _place(path: Path) -> tuple[str, str | None]:
    """(region code, quarter label or None) from ``.../programme/<region>/<quarter key>/<file>``."""
    path = Path(path)
    try:
        quarter = FinancialQuarter.parse(path.parent.name).label
        return path.parent.parent.name, quarter
    except ValueError:
        return path.parent.name, None


def _region_folders(raw_dir: Path) -> list[Path]:
    return [
        p
        for p in listed_entries(Path(raw_dir) / C.SOURCE)
        if is_real_folder(p) and not p.name.startswith("_") and not control_characters(p.name)
    ]


def _quarter_folders(raw_dir: Path) -> list[Path]:
    return [
        p
        for region in _region_folders(raw_dir)
        for p in listed_entries(region)
        if is_real_folder(p) and re.match(C.QUARTER_FOLDER, p.name) and not control_characters(p.name)
    ]


def _read_rows(path: Path) -> list[list]:
    if path.suffix.lower() == ".xlsx":
        wb = CalamineWorkbook.from_path(str(path))
        return wb.get_sheet_by_index(0).to_python(skip_empty_area=False)
    data, _ = to_utf8(path.read_bytes())  # UTF-16 with its byte-order mark is read; NULs say what they are
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


class ProgrammeSource:
    name = C.SOURCE
    raw_folder = C.SOURCE
    partition_kind = "quarter"
    schemas = C.SCHEMAS
    place_from_folder = True  # a record's region is its folder, not a column

    def discover(self, raw_dir: Path) -> dict[str, list[Path]]:
        """Quarter -> the entries of every region's quarter folder (files, and anything else
        there, which ingestion quarantines with its reason)."""
        found: dict[str, list[Path]] = {}
        for folder in _quarter_folders(raw_dir):
            entries = [f for f in listed_entries(folder)]
            found.setdefault(FinancialQuarter.parse(folder.name).label, []).extend(entries)
        return found

    def strays(self, raw_dir: Path) -> list[tuple[Path, str]]:
        """Entries of ``raw/programme/`` that neither source reads: files and links beside the
        region folders, and in a region folder anything but its quarter folders and plans."""
        root = Path(raw_dir) / C.SOURCE
        out = [(p, why) for p, why in folder_strays(root) if not is_real_folder(p)]
        for region in _region_folders(raw_dir):
            for entry in listed_entries(region):
                if (
                    is_real_folder(entry)
                    and re.match(C.QUARTER_FOLDER, entry.name)
                    and not control_characters(entry.name)
                ):
                    continue
                if PLAN_SOURCE.claims(entry):
                    continue  # the plan source reads (or quarantines) it
                out.append(
                    (
                        entry,
                        "not a quarter folder (like 2024-25_Q1) nor a plan_<year>.yaml: not read"
                        if not entry.is_symlink()
                        else "a symbolic link: links are not followed",
                    )
                )
        return out

    def partition_of(self, path: Path) -> str:
        return _place(path)[1] or "unknown"

    def read(self, path: Path, rel: str, sha256: str) -> FileRead:
        path = Path(path)
        read = FileRead(rel, sha256)
        region, quarter = _place(path)
        if region not in regions():
            read.problems.append(
                Problem(rel, "unknown_region", f"folder {region!r} is not an ONS region code (E12000001 ... E12000009)")
            )
        if quarter is None:
            read.problems.append(
                Problem(
                    rel, "quarter_folder", "programme files go in a quarter folder like programme/E12000008/2024-25_Q1/"
                )
            )
        stem, suffix = path.stem.lower(), path.suffix.lower()
        if path.name.lower() == C.NARRATIVE_FILE:
            table = "narrative"
        elif stem in C.TABLE_OF_FILE and suffix in _TABLE_SUFFIXES:
            table = stem
        else:
            expected = ", ".join([f"{t}.csv" for t in C.TABLE_OF_FILE] + [C.NARRATIVE_FILE])
            read.problems.append(
                Problem(rel, "file_name", f"unexpected file {path.name!r}: expected one of {expected} (or .xlsx)")
            )
            return read
        if read.problems:
            return read
        read.meta.update(region_code=region, quarter=quarter, table=table)
        q = FinancialQuarter.parse(quarter)
        if table == "narrative":
            df = self._read_narrative(read, path, constants=(("region_code", region), ("quarter", quarter)))
        else:
            constants = (
                ("quarter_start", pd.Timestamp(q.start)),
                ("quarter_end", pd.Timestamp(q.end)),
                ("region_code", region),
                ("quarter", quarter),
            )
            spec = C.TABLE_OF_FILE[table]
            df = read_table(
                read,
                spec,
                _read_rows(path),
                expected=f"expected: {', '.join(spec.headers)}",
                constants=constants,
                whole_header=True,
            )
            if df is None:
                return read
        read.tables[table] = df  # lineage-stamped by `table_columns`
        return read

    @staticmethod
    def _read_narrative(read: FileRead, path: Path, constants=()):
        """One row per paragraph or heading; ``_row`` is its first line. Text kept as written."""
        lines = path.read_bytes().decode("utf-8-sig").splitlines()
        kinds, texts, rows, block, start = [], [], [], [], None
        for n, line in enumerate(lines + [""], start=1):
            if line.strip():
                if line.lstrip().startswith("#") and not block:
                    kinds.append("heading")
                    texts.append(line.strip().lstrip("#").strip())
                    rows.append(n)
                    continue
                if not block:
                    start = n
                block.append(line.strip())
            elif block:
                kinds.append("paragraph")
                texts.append(" ".join(block))
                rows.append(start)
                block = []
        return table_columns(
            ["paragraph", "kind", "text", L.ROW],
            [list(range(1, len(rows) + 1)), kinds, texts, rows],
            ["int", "object", "object", "int"],
            len(rows),
            read,
            "narrative",
            constants,
        )

    def file_checks(self, read: FileRead, partition: str, validated: dict[str, pd.DataFrame]) -> list[Problem]:
        """The rules for one file (the framework calls `batch_checks` for a whole partition)."""
        return self.batch_checks([read], partition, validated)

    def batch_checks(self, reads: list[FileRead], partition: str, validated: dict[str, pd.DataFrame]) -> list[Problem]:
        """Rules on each file's validated rows, for all ``reads`` at once (vectorised per table;
        Python runs per file only where a rule fires). Each file's problems come in the same
        order as when checked alone."""
        by_rel = {r.rel: r for r in reads}
        found: dict[str, list[Problem]] = {r.rel: [] for r in reads}
        for read in reads:
            quarter = read.meta.get("quarter")
            if quarter and quarter != partition:
                found[read.rel].append(
                    Problem(
                        read.rel,
                        "quarter_mismatch",
                        f"folder quarter {quarter} disagrees with the partition ({partition})",
                    )
                )
        tables = {read.meta.get("table") for read in reads}
        for table, spec in C.TABLE_OF_FILE.items():
            if table not in tables or not spec.key:
                continue
            df = validated[table]
            if not len(df):
                continue
            key = list(spec.key)
            mask = df.duplicated([L.SOURCE_FILE, *key], keep=False)
            if not mask.any():
                continue  # the usual case: every key once in its file
            for (rel, *value), group in df[mask].groupby([L.SOURCE_FILE, *key]):
                if rel not in found:
                    continue  # rows of a file not being checked
                letters = by_rel[rel].column_letters.get(table, {})
                rows = sorted(int(x) for x in group[L.ROW])
                shown = ", ".join(map(str, value))
                found[rel].append(
                    Problem(
                        rel,
                        "duplicate_row",
                        f"{' + '.join(key)} {shown!r} appears on lines {', '.join(map(str, rows))}",
                        sheet=table,
                        row=rows[1],
                        column=key[-1],
                        cell=f"{letters.get(key[-1], '')}{rows[1]}" if letters.get(key[-1]) else None,
                    )
                )
        return [p for problems in found.values() for p in problems]

    def empty_tables(self) -> dict[str, pd.DataFrame]:
        return cached_empty_tables(self, lambda: {name: empty_frame(schema) for name, schema in self.schemas.items()})


# --- the plan ---------------------------------------------------------------------------------


def _node_value(node: yaml.Node):
    """Plain Python value of a composed YAML node (scalars resolved by the safe loader's rules).

    Built by the safe constructor straight from the node, as ``safe_load(serialize(node))``
    would build it (~50x faster); anything it cannot build goes the long way, so the
    error (and its message) is the one that way raises.
    """
    if node is None:
        return None
    try:
        return yaml.constructor.SafeConstructor().construct_document(node)
    except Exception:  # noqa: BLE001 - re-raised, as before, by the round trip below
        return yaml.safe_load(yaml.serialize(node))


def _mapping(node: yaml.Node) -> dict[str, yaml.Node]:
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {k.value: v for k, v in node.value}


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


class ProgrammePlanSource:
    name = C.PLAN_SOURCE
    raw_folder = C.SOURCE
    partition_kind = "none"
    schemas = C.PLAN_SCHEMAS
    PARTITION = "all"

    def discover(self, raw_dir: Path) -> dict[str, list[Path]]:
        files = [p for region in _region_folders(raw_dir) for p in listed_entries(region) if self.claims(p)]
        return {self.PARTITION: files} if files else {}

    def partition_of(self, path: Path) -> str:
        return self.PARTITION

    def claims(self, path: Path) -> bool:
        """Plans sit beside the quarter folders: ``programme/<region>/plan_<year>.yaml``."""
        return Path(path).name.startswith("plan_") and Path(path).suffix in (".yaml", ".yml")

    def read(self, path: Path, rel: str, sha256: str) -> FileRead:
        path = Path(path)
        read = FileRead(rel, sha256)
        m = _PLAN.match(path.name)
        if not m:
            read.problems.append(
                Problem(rel, "file_name", "a plan is named plan_<financial year>.yaml, e.g. plan_2024-25.yaml")
            )
            return read
        folder_region = path.parent.name
        try:
            root = compose_yaml(path.read_bytes().decode("utf-8-sig"), path.name)
        except YamlLimit as exc:
            read.problems.append(Problem(rel, "limit_yaml", str(exc)))
            return read
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            read.problems.append(Problem(rel, "not_yaml", f"not readable YAML: {exc}"))
            return read
        top = _mapping(root)
        for key in ("region_code", "financial_year", "grant_gbp", "budget_lines", "milestones", "targets"):
            if key not in top:
                read.problems.append(Problem(rel, "missing_key", f"the plan needs a top-level {key!r}", column=key))
        if read.problems:
            return read
        region = str(_node_value(top["region_code"]))
        year = str(_node_value(top["financial_year"]))
        read.meta.update(
            region_code=region, financial_year=year, folder_region=folder_region, file_year=m.group("year")
        )
        common = {"region_code": region, "financial_year": year}
        read.tables["plan"] = pd.DataFrame(
            [
                {
                    **common,
                    "grant_gbp": _node_value(top["grant_gbp"]),
                    L.ROW: _line(top["grant_gbp"]),
                    L.CELL: "grant_gbp",
                }
            ]
        )

        budget = []
        for i, item in enumerate(
            top["budget_lines"].value if isinstance(top["budget_lines"], yaml.SequenceNode) else []
        ):
            fields = _mapping(item)
            planned = _mapping(fields.get("planned_gbp"))
            for qn in C.QUARTERS:
                node = planned.get(qn)
                budget.append(
                    {
                        **common,
                        "budget_line": _node_value(fields.get("line")),
                        "label": _node_value(fields.get("label")),
                        "quarter_number": qn,
                        "planned_gbp": _node_value(node) if node is not None else None,
                        L.ROW: _line(node if node is not None else (fields.get("planned_gbp") or item)),
                        L.CELL: f"budget_lines[{i + 1}].planned_gbp.{qn}",
                    }
                )
        read.tables["plan_budget"] = pd.DataFrame(
            budget, columns=[*common, "budget_line", "label", "quarter_number", "planned_gbp", L.ROW, L.CELL]
        )

        milestones = []
        for i, item in enumerate(top["milestones"].value if isinstance(top["milestones"], yaml.SequenceNode) else []):
            f = _mapping(item)
            milestones.append(
                {
                    **common,
                    "milestone_id": _node_value(f.get("id")),
                    "milestone": _node_value(f.get("milestone")),
                    "due_date": clean(_node_value(f.get("due")), "date"),
                    "status": _node_value(f.get("status")),
                    "completed_date": clean(_node_value(f.get("completed")), "date"),
                    L.ROW: _line(item),
                    L.CELL: f"milestones[{i + 1}]",
                }
            )
        read.tables["plan_milestones"] = pd.DataFrame(
            milestones,
            columns=[*common, "milestone_id", "milestone", "due_date", "status", "completed_date", L.ROW, L.CELL],
        )

        targets = []
        for i, item in enumerate(top["targets"].value if isinstance(top["targets"], yaml.SequenceNode) else []):
            f = _mapping(item)
            targets.append(
                {
                    **common,
                    "indicator": _node_value(f.get("indicator")),
                    "baseline": _node_value(f.get("baseline")),
                    "target": _node_value(f.get("target")),
                    "direction": _node_value(f.get("direction")),
                    L.ROW: _line(item),
                    L.CELL: f"targets[{i + 1}]",
                }
            )
        read.tables["plan_targets"] = pd.DataFrame(
            targets, columns=[*common, "indicator", "baseline", "target", "direction", L.ROW, L.CELL]
        )
        self._read_governance(read, top, common)
        for table, df in read.tables.items():
            read.tables[table] = L.stamp(df, source_file=rel, sha256=sha256, sheet=table)
        return read

    @staticmethod
    def _read_governance(read: FileRead, top: dict[str, yaml.Node], common: dict) -> None:
        """The plan's optional ``governance`` mapping (lead, sponsor, date agreed) and
        ``target_setting`` list (stakeholders' part in setting the targets). Plans written
        before these keys existed have neither: the tables are then empty, and the
        documents say the plan does not record them."""
        gov = _mapping(top.get("governance"))
        rows = []
        if gov:
            node = top["governance"]
            rows.append(
                {
                    **common,
                    **{k: _node_value(gov.get(k)) for k in ("lead_post", "lead_la", "sponsor_post", "sponsor_la")},
                    "agreed_date": clean(_node_value(gov.get("agreed")), "date"),
                    L.ROW: _line(node),
                    L.CELL: "governance",
                }
            )
        read.tables["plan_governance"] = pd.DataFrame(
            rows, columns=[*common, "lead_post", "lead_la", "sponsor_post", "sponsor_la", "agreed_date", L.ROW, L.CELL]
        )
        setting = top.get("target_setting")
        rows = []
        for i, item in enumerate(setting.value if isinstance(setting, yaml.SequenceNode) else []):
            f = _mapping(item)
            rows.append(
                {
                    **common,
                    "stakeholder": _node_value(f.get("stakeholder")),
                    "part": _node_value(f.get("part")),
                    "meeting_date": clean(_node_value(f.get("date")), "date"),
                    L.ROW: _line(item),
                    L.CELL: f"target_setting[{i + 1}]",
                }
            )
        read.tables["plan_target_setting"] = pd.DataFrame(
            rows, columns=[*common, "stakeholder", "part", "meeting_date", L.ROW, L.CELL]
        )

    def file_checks(self, read: FileRead, partition: str, validated: dict[str, pd.DataFrame]) -> list[Problem]:
        problems: list[Problem] = []
        rel, meta = read.rel, read.meta
        if meta.get("region_code") != meta.get("folder_region"):
            problems.append(
                Problem(
                    rel,
                    "region_mismatch",
                    f"region_code {meta.get('region_code')} disagrees with the folder ({meta.get('folder_region')})",
                    column="region_code",
                )
            )
        if meta.get("financial_year") != meta.get("file_year"):
            problems.append(
                Problem(
                    rel,
                    "year_mismatch",
                    f"financial_year {meta.get('financial_year')} disagrees with the file name ({meta.get('file_year')})",
                    column="financial_year",
                )
            )
        budget = validated["plan_budget"]
        if budget.empty:
            problems.append(Problem(rel, "no_budget", "the plan has no budget lines", column="budget_lines"))
        for line, group in budget.groupby("budget_line"):
            if len(group) != len(C.QUARTERS):
                problems.append(
                    Problem(rel, "duplicate_row", f"budget line {line!r} appears more than once", column="budget_lines")
                )
        for key, table in (("milestone_id", "plan_milestones"), ("indicator", "plan_targets")):
            df = validated[table]
            for value in df[df.duplicated(key)][key]:
                problems.append(Problem(rel, "duplicate_row", f"{key} {value!r} appears more than once", column=key))
        return problems

    def empty_tables(self) -> dict[str, pd.DataFrame]:
        return cached_empty_tables(self, lambda: {name: empty_frame(schema) for name, schema in self.schemas.items()})


SOURCE = ProgrammeSource()
PLAN_SOURCE = ProgrammePlanSource()
