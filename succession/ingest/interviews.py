"""Ingest interview coding: ``raw/interviews/<wave>/{codebook.yaml, *.csv, *.xlsx, *.qdpx}``.

Coding sheets and REFI-QDA projects (`contracts/interviews.md`) become the same
``codings`` rows: interview, coder, section, segment, theme path. A theme path not in
the wave's codebook is a problem naming the row (or the QDA code). Excerpt text is
dropped here; only its length and SHA-256 are kept.
"""
from __future__ import annotations

import hashlib
import zipfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import yaml

from contracts import interviews as C
from succession.ingest import lineage as L
from succession.ingest.pseudonym import pseudonym_key, pseudonymise
from succession.ingest.cells import header_key, is_blank, normalise_text
from succession.ingest.framework import FileRead, empty_frame, WaveFolderSource
from succession.ingest.problems import Problem, column_letter
from succession.ingest.survey import _rows_text, read_grid

NS = {"q": C.QDA_NAMESPACE}


def _text(value: object) -> str | None:
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return normalise_text(str(value))


def _hash(text: str | None) -> str | None:
    return None if text is None else hashlib.sha256(text.encode("utf-8")).hexdigest()


def normalise_path(path: str) -> str:
    """``Challenges / Time`` and ``Challenges\\Time`` (Taguette) -> ``Challenges/Time``."""
    parts = [normalise_text(p) for p in str(path).replace("\\", C.PATH_SEPARATOR).split(C.PATH_SEPARATOR)]
    return C.PATH_SEPARATOR.join(p for p in parts if p)


def load_codebook(path: Path) -> tuple[str, list[dict]]:  # noqa: C901
    """(wave, rows) of the theme hierarchy in ``codebook.yaml``; ValueError when malformed."""
    doc = yaml.safe_load(Path(path).read_text(encoding="utf-8-sig"))
    if not isinstance(doc, dict) or not isinstance(doc.get("themes"), list):
        raise ValueError("codebook.yaml must be a mapping with a 'themes' list")
    rows: list[dict] = []

    def walk(nodes, parent: str | None, level: int) -> None:
        for node in nodes:
            if isinstance(node, str):
                node = {"name": node}
            if not isinstance(node, dict) or "name" not in node:
                raise ValueError(f"every theme needs a name (under {parent or 'the top level'})")
            name = normalise_text(node["name"])
            if C.PATH_SEPARATOR in name:
                raise ValueError(f"theme name {name!r} must not contain {C.PATH_SEPARATOR!r}")
            path = f"{parent}{C.PATH_SEPARATOR}{name}" if parent else name
            rows.append({"theme_path": path, "parent_path": parent, "theme_name": name, "theme_level": level,
                         "theme_order": len(rows) + 1, "description": node.get("description"),
                         "region_code": doc.get("region_code")})
            walk(node.get("children") or [], path, level + 1)

    walk(doc["themes"], None, 1)
    return str(doc.get("wave", "")), rows


def _pseudonymous_coders(df: pd.DataFrame) -> pd.DataFrame:
    """Coders are named people (NVivo user names, initials): only a keyed pseudonym passes
    ingestion. Agreement needs to know which codings share a coder, not who they are."""
    df = df.copy()
    key = pseudonym_key()  # once per file, not once per row
    df["coder"] = [pseudonymise(c, key, namespace="coder") if isinstance(c, str) and c else c for c in df["coder"]]
    return df


class InterviewsSource(WaveFolderSource):
    name = C.SOURCE
    partition_kind = "wave"
    schemas = C.SCHEMAS
    wave_pattern = C.WAVE_RE

    def read(self, path: Path, rel: str, sha256: str) -> FileRead:
        path = Path(path)
        read = FileRead(rel, sha256)
        wave = path.parent.name
        if (problem := self.wave_problem(path, rel)) is not None:
            read.problems.append(problem)
            return read
        codebook_path = path.parent / C.CODEBOOK_FILE
        if not codebook_path.exists():
            read.problems.append(Problem(rel, "codebook", f"the wave folder has no {C.CODEBOOK_FILE}"))
            return read
        try:
            book_wave, book = load_codebook(codebook_path)
        except (ValueError, yaml.YAMLError, TypeError) as exc:
            read.problems.append(Problem(rel, "codebook", f"{C.CODEBOOK_FILE} is not valid: {exc}"))
            return read
        if path.name == C.CODEBOOK_FILE:
            df = pd.DataFrame(book)
            df.insert(0, "wave", book_wave)
            df[L.ROW] = pd.NA
            df[L.CELL] = [f"themes[{r}]" for r in df["theme_order"]]
            read.tables["codebook"] = L.stamp(df, source_file=rel, sha256=sha256, sheet="codebook")
            read.meta.update(themes=len(df))
            return read
        paths = {r["theme_path"] for r in book}
        suffix = path.suffix.lower()
        if suffix in C.SHEET_SUFFIXES:
            self._read_sheet(read, path, wave, paths)
        elif suffix == C.QDPX_SUFFIX:
            self._read_qdpx(read, path, wave, paths)
        else:
            read.problems.append(Problem(rel, "unexpected_file", "not a coding sheet (.csv, .xlsx), a REFI-QDA project (.qdpx) nor codebook.yaml"))
        return read

    # -- coding sheets -----------------------------------------------------------------------
    def _read_sheet(self, read: FileRead, path: Path, wave: str, paths: set[str]) -> None:
        rel = read.rel
        try:
            rows, sheet, notes = read_grid(path)
        except Exception as exc:  # noqa: BLE001
            read.problems.append(Problem(rel, "unreadable", f"not a readable coding sheet ({type(exc).__name__}: {exc})"))
            return
        read.meta.update(notes)
        if not rows:
            read.problems.append(Problem(rel, "empty_file", "the coding sheet is empty"))
            return
        positions: dict[str, int] = {}
        for j, h in enumerate(rows[0]):
            if is_blank(h):
                continue
            name = C.SHEET_COLUMNS.get(header_key(h))
            if name is None:
                read.problems.append(Problem(rel, "unexpected_column", f"unexpected column {str(h)!r}", sheet=sheet, row=1, column=str(h), cell=f"{column_letter(j)}1"))
            else:
                positions.setdefault(name, j)
        for name in C.REQUIRED_SHEET_COLUMNS:
            if name not in positions:
                read.problems.append(Problem(rel, "missing_column", f"column {name.replace('_id', '').replace('_', ' ')!r} is missing", sheet=sheet, row=1))
        if read.problems:
            return
        records = []
        unknown: dict[str, list[int]] = {}
        for i, row in enumerate(rows[1:], start=2):
            get = lambda name: row[positions[name]] if name in positions and positions[name] < len(row) else None  # noqa: E731
            if all(is_blank(get(n)) for n in positions):
                continue
            excerpt = _text(get("excerpt"))
            theme = _text(get("theme_path"))
            theme = normalise_path(theme) if theme else None
            if theme and theme not in paths:
                unknown.setdefault(theme, []).append(i)
            records.append({
                "wave": wave, "interview_id": _text(get("interview_id")), "coder": _text(get("coder")),
                "section": _text(get("section")), "segment_id": _text(get("segment_id")), "theme_path": theme,
                "excerpt_chars": len(excerpt) if excerpt else None, "excerpt_sha256": _hash(excerpt),
                "participant_gender": _text(get("participant_gender")), "participant_tier": _text(get("participant_tier")),
                "source_format": "coding_sheet", L.ROW: i,
            })
        letter = column_letter(positions["theme_path"])
        for theme, lines in sorted(unknown.items()):
            read.problems.append(Problem(rel, "unknown_code", f"code {theme!r} on {_rows_text(lines)} is not in {C.CODEBOOK_FILE}",
                                         sheet=sheet, row=lines[0], column="theme_path", cell=f"{letter}{lines[0]}"))
        df = pd.DataFrame(records, columns=[*C.CODINGS_SCHEMA.columns, L.ROW])
        read.tables["codings"] = L.stamp(_pseudonymous_coders(df), source_file=rel, sha256=read.sha256, sheet=sheet)
        read.column_letters["codings"] = {name: column_letter(j) for name, j in positions.items() if name != "excerpt"}
        read.meta.update(codings=len(df))

    # -- REFI-QDA ------------------------------------------------------------------------------
    def _read_qdpx(self, read: FileRead, path: Path, wave: str, paths: set[str]) -> None:
        rel = read.rel
        try:
            zf = zipfile.ZipFile(path)
        except zipfile.BadZipFile as exc:
            read.problems.append(Problem(rel, "not_qdpx", f"not a REFI-QDA project: a .qdpx must be a zip ({exc})"))
            return
        with zf:
            names = zf.namelist()
            qde = [n for n in names if n.lower().endswith(".qde") and "/" not in n.strip("/")]
            if not qde:
                read.problems.append(Problem(rel, "not_qdpx", "no project .qde XML at the top of the .qdpx zip"))
                return
            try:
                root = ET.fromstring(zf.read(qde[0]))
            except ET.ParseError as exc:
                read.problems.append(Problem(rel, "bad_xml", f"{qde[0]} is not well-formed XML: {exc}", sheet=qde[0]))
                return
            if root.tag != f"{{{C.QDA_NAMESPACE}}}Project":
                read.problems.append(Problem(rel, "bad_xml", f"{qde[0]} root is {root.tag}, not a Project in namespace {C.QDA_NAMESPACE}", sheet=qde[0]))
                return
            by_lower = {n.lower(): n for n in names}
            users = {u.get("guid", "").lower(): u.get("name") or u.get("guid") for u in root.iterfind("q:Users/q:User", NS)}
            codes: dict[str, str] = {}

            def walk(node, parent: str | None) -> None:
                for code in node.iterfind("q:Code", NS):
                    name = normalise_text(code.get("name", "")).replace(C.PATH_SEPARATOR, "-")
                    full = f"{parent}{C.PATH_SEPARATOR}{name}" if parent else name
                    codes[code.get("guid", "").lower()] = full
                    walk(code, full)

            book = root.find("q:CodeBook/q:Codes", NS)
            if book is not None:
                walk(book, None)
            records = []
            unknown: dict[str, list[str]] = {}
            for source in root.iterfind("q:Sources/q:TextSource", NS):
                interview = normalise_text(source.get("name") or source.get("guid"))
                text = None
                plain = source.get("plainTextPath") or ""
                if plain.startswith("internal://"):
                    member = by_lower.get(("sources/" + plain[len("internal://"):]).lower())
                    if member:
                        text = zf.read(member).decode("utf-8-sig", errors="replace")
                for sel in source.iterfind("q:PlainTextSelection", NS):
                    start, end = int(sel.get("startPosition", 0)), int(sel.get("endPosition", 0))
                    excerpt = text[start:end] if text is not None else None
                    for coding in sel.iterfind("q:Coding", NS):
                        ref = coding.find("q:CodeRef", NS)
                        target = (ref.get("targetGUID", "") if ref is not None else "").lower()
                        theme = codes.get(target)
                        cid = coding.get("guid") or f"{sel.get('guid')}:{target}"
                        if theme is None:
                            unknown.setdefault(f"(no code with GUID {target})", []).append(cid)
                        elif theme not in paths:
                            unknown.setdefault(theme, []).append(cid)
                        user = (coding.get("creatingUser") or sel.get("creatingUser") or "").lower()
                        records.append({
                            "wave": wave, "interview_id": interview, "coder": users.get(user, user or None),
                            "section": None, "segment_id": f"{start}-{end}", "theme_path": theme,
                            "excerpt_chars": end - start, "excerpt_sha256": _hash(normalise_text(excerpt)) if excerpt is not None else None,
                            "participant_gender": None, "participant_tier": None, "source_format": "refi_qda",
                            L.ROW: pd.NA, L.CELL: f"Coding[{cid}]",
                        })
        for theme, ids in sorted(unknown.items()):
            read.problems.append(Problem(rel, "unknown_code", f"code {theme!r} ({len(ids)} coding(s), first {ids[0]}) is not in {C.CODEBOOK_FILE}",
                                         sheet=qde[0], column="theme_path", cell=f"Coding[{ids[0]}]"))
        df = pd.DataFrame(records, columns=[*C.CODINGS_SCHEMA.columns, L.ROW, L.CELL])
        read.tables["codings"] = L.stamp(_pseudonymous_coders(df), source_file=rel, sha256=read.sha256, sheet=qde[0])
        read.meta.update(codings=len(df), format="qdpx")

    # -- rules spanning one file ---------------------------------------------------------
    def file_checks(self, read: FileRead, partition: str, validated: dict[str, pd.DataFrame]) -> list[Problem]:
        problems = []
        book = validated.get("codebook")
        if book is not None and len(book) and book.iloc[0]["wave"] != partition:
            problems.append(Problem(read.rel, "wave_mismatch", f"codebook wave {book.iloc[0]['wave']} disagrees with its folder ({partition})", sheet="codebook"))
        codings = validated.get("codings")
        if codings is not None and len(codings):
            dup = codings[codings.duplicated(["interview_id", "coder", "segment_id", "theme_path"], keep=False)]
            if len(dup) and dup[L.ROW].notna().all():
                rows = sorted(int(r) for r in dup[L.ROW])
                problems.append(Problem(read.rel, "duplicate_row", f"the same interview, coder, segment and code appear on {_rows_text(rows)}",
                                        sheet=str(dup.iloc[0][L.SHEET]), row=rows[1]))
        return problems

    def empty_tables(self) -> dict[str, pd.DataFrame]:
        return {name: empty_frame(schema) for name, schema in self.schemas.items()}


SOURCE = InterviewsSource()
