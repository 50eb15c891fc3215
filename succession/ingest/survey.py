"""Ingest SurveyMonkey exports: ``raw/survey/<wave>/{instrument.yaml, *.csv, *.xlsx}``.

An export is read as a grid of cells (CSV: BOM stripped, any line endings, UTF-8 with a
documented Windows-1252 / Latin-1 fallback; XLSX: the first sheet, via python-calamine),
its two header rows are matched to the wave's instrument (`contracts/survey.md`), and
each non-blank answer cell becomes one row of ``answers`` (respondent pseudonym,
question, matrix item, option code). Respondent ids become keyed pseudonyms
(`succession.ingest.pseudonym`); IP address, e-mail, names and custom data are never
copied; free text is reduced to its length, a hash and the themes its keywords match.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml
from python_calamine import CalamineWorkbook

from contracts import survey as C
from succession.ingest import lineage as L
from succession.ingest.cells import header_key, is_blank, normalise_text
from succession.ingest.framework import FileRead, empty_frame, WaveFolderSource
from succession.ingest.problems import Problem, column_letter
from succession.ingest.pseudonym import pseudonym_key, pseudonymise
from succession.reference import las_in_region, local_authorities

CSV_SHEET = "responses"
_MAX_ROWS_NAMED = 12


def _slug(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", normalise_text(label).casefold()).strip("_") or "blank"


def _key(value: object) -> str:
    """How labels and question texts are matched: curly quotes, dashes, spaces and case folded."""
    return header_key(value)


def _rows_text(rows: list[int]) -> str:
    shown = ", ".join(map(str, rows[:_MAX_ROWS_NAMED]))
    return f"row {shown}" if len(rows) == 1 else f"rows {shown}" + (f" and {len(rows) - _MAX_ROWS_NAMED} more" if len(rows) > _MAX_ROWS_NAMED else "")


# --- the instrument -------------------------------------------------------------------------

@dataclass
class Question:
    id: str
    text: str
    type: str
    order: int
    likert: bool = False
    options: list[tuple[str, str]] = field(default_factory=list)  # (code, label) in order
    items: list[tuple[str, str]] = field(default_factory=list)  # matrix rows
    other: bool = False
    themes: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)  # (theme path, keywords)

    def option_by_label(self) -> dict[str, str]:
        out = {_key(label): code for code, label in self.options}
        out.update({_key(code): code for code, _ in self.options})
        return out


@dataclass
class Instrument:
    wave: str
    title: str | None
    region_code: str | None
    fieldwork_start: object
    fieldwork_end: object
    questions: list[Question]

    def by_text(self) -> dict[str, Question]:
        return {_key(q.text): q for q in self.questions}


def _pairs(entries, what: str, qid: str) -> list[tuple[str, str]]:
    out = []
    for e in entries or []:
        if isinstance(e, dict):
            label = str(e.get("label", e.get("code")))
            out.append((str(e.get("code", _slug(label))), label))
        else:
            out.append((_slug(str(e)), str(e)))
    codes = [c for c, _ in out]
    if len(set(codes)) != len(codes):
        raise ValueError(f"question {qid}: {what} codes repeat: {codes}")
    return out


def load_instrument(path: Path) -> Instrument:
    """Parse ``instrument.yaml``; a malformed instrument raises ValueError with the reason."""
    doc = yaml.safe_load(Path(path).read_text(encoding="utf-8-sig"))
    if not isinstance(doc, dict) or not isinstance(doc.get("questions"), list):
        raise ValueError("instrument.yaml must be a mapping with a 'questions' list")
    fieldwork = doc.get("fieldwork") or {}
    questions = []
    seen: set[str] = set()
    for i, q in enumerate(doc["questions"], start=1):
        if not isinstance(q, dict) or "id" not in q or "text" not in q:
            raise ValueError(f"question {i} needs an id and its text")
        qid, qtype = str(q["id"]), str(q.get("type", "single"))
        if qid in seen:
            raise ValueError(f"question id {qid} appears twice")
        seen.add(qid)
        if qtype not in C.QUESTION_TYPES:
            raise ValueError(f"question {qid}: type {qtype!r} is not one of {', '.join(C.QUESTION_TYPES)}")
        options = _pairs(q.get("options"), "option", qid)
        if qtype in C.OPTION_TYPES and not options:
            raise ValueError(f"question {qid}: a {qtype} question needs its options")
        themes = [(str(t["theme"]), tuple(str(k).casefold() for k in t.get("keywords", []))) for t in q.get("themes") or []]
        questions.append(Question(qid, normalise_text(q["text"]), qtype, i, bool(q.get("likert", False)), options,
                                  _pairs(q.get("items"), "item", qid), bool(q.get("other", False)), themes))
    return Instrument(str(doc.get("wave", "")), doc.get("title"), doc.get("region_code"),
                      fieldwork.get("start"), fieldwork.get("end"), questions)


def _la_options(region_code: str | None) -> list[tuple[str, str]]:
    las = las_in_region(region_code) if region_code else sorted(local_authorities().values(), key=lambda la: la.la_name)
    return [(la.old_la_code, la.la_name) for la in las]


# --- reading cells ----------------------------------------------------------------------------

def decode_csv_bytes(data: bytes) -> tuple[str, str]:
    """Text and the encoding used: UTF-8 (BOM stripped), else Windows-1252, else Latin-1."""
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes any bytes")


def read_grid(path: Path) -> tuple[list[list], str, dict]:
    """The cells of an export as rows of values, the sheet name, and reading notes."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        wb = CalamineWorkbook.from_path(str(path))
        sheet = wb.sheet_names[0]
        return wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False), sheet, {"format": "xlsx"}
    text, encoding = decode_csv_bytes(path.read_bytes())
    notes = {"format": "csv", "encoding": encoding}
    if encoding != "utf-8-sig":
        notes["encoding_fallback"] = f"not valid UTF-8: read as {encoding}"
    if "\r" in text and "\n" not in text:
        notes["line_endings"] = "CR only"
    rows = list(csv.reader(io.StringIO(text.replace("\r\n", "\n").replace("\r", "\n"), newline="")))
    return rows, CSV_SHEET, notes


def parse_timestamp(value: object) -> object:
    """US SurveyMonkey timestamps to a Timestamp; unknown text passes through to fail the contract."""
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return pd.Timestamp(value)
    if isinstance(value, dt.date):
        return pd.Timestamp(value)
    text = normalise_text(value)
    for fmt in C.TIMESTAMP_FORMATS:
        try:
            return pd.Timestamp(dt.datetime.strptime(text, fmt))
        except ValueError:
            continue
    return text


def _cell_text(value: object) -> str | None:
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value)


# --- the source -------------------------------------------------------------------------------

class SurveySource(WaveFolderSource):
    name = C.SOURCE
    partition_kind = "wave"
    schemas = C.SCHEMAS
    wave_pattern = C.WAVE_RE

    # -- reading -------------------------------------------------------------------------------
    def read(self, path: Path, rel: str, sha256: str) -> FileRead:
        path = Path(path)
        read = FileRead(rel, sha256)
        wave = path.parent.name
        if (problem := self.wave_problem(path, rel)) is not None:
            read.problems.append(problem)
            return read
        if path.name == C.INSTRUMENT_FILE:
            try:
                instrument = load_instrument(path)
            except (ValueError, yaml.YAMLError, KeyError, TypeError) as exc:
                read.problems.append(Problem(rel, "instrument", f"instrument is not valid: {exc}"))
                return read
            self._read_instrument(read, instrument, wave)
            return read
        if path.suffix.lower() not in C.EXPORT_SUFFIXES:
            read.problems.append(Problem(rel, "unexpected_file", f"not a SurveyMonkey export (.csv or .xlsx) nor {C.INSTRUMENT_FILE}"))
            return read
        instrument_path = path.parent / C.INSTRUMENT_FILE
        if not instrument_path.exists():
            read.problems.append(Problem(rel, "instrument", f"the wave folder has no {C.INSTRUMENT_FILE} to read this export with"))
            return read
        try:
            instrument = load_instrument(instrument_path)
        except (ValueError, yaml.YAMLError, KeyError, TypeError) as exc:
            read.problems.append(Problem(rel, "instrument", f"cannot be read because {C.INSTRUMENT_FILE} is not valid: {exc}"))
            return read
        if path.stat().st_size == 0:
            read.problems.append(Problem(rel, "empty_file", "the file is empty"))
            return read
        try:
            rows, sheet, notes = read_grid(path)
        except Exception as exc:  # noqa: BLE001 - a corrupt workbook or CSV is a problem, not a crash
            read.problems.append(Problem(rel, "unreadable", f"not a readable SurveyMonkey export ({type(exc).__name__}: {exc})"))
            return read
        read.meta.update(notes)
        self._read_export(read, rows, sheet, instrument, wave)
        return read

    def _read_instrument(self, read: FileRead, ins: Instrument, wave: str) -> None:
        sheet = "instrument"
        read.tables["waves"] = L.stamp(pd.DataFrame([{
            "wave": ins.wave, "title": ins.title, "region_code": ins.region_code,
            "fieldwork_start": pd.Timestamp(ins.fieldwork_start) if ins.fieldwork_start else None,
            "fieldwork_end": pd.Timestamp(ins.fieldwork_end) if ins.fieldwork_end else None,
            L.ROW: pd.NA, L.CELL: "wave",
        }]), source_file=read.rel, sha256=read.sha256, sheet=sheet)
        qrows, orows = [], []
        for q in ins.questions:
            qrows.append({"wave": wave, "question_id": q.id, "question_order": q.order, "question_text": q.text,
                          "question_type": q.type, "is_likert": q.likert, L.ROW: q.order, L.CELL: f"questions[{q.order}]"})
            options = list(q.options)
            if q.type == "la":
                options = _la_options(ins.region_code)
            if q.other and all(c != "other" for c, _ in options):
                options.append(("other", "Other"))
            if q.type == "open":
                options = [(t, t) for t, _ in q.themes]
            items = q.items if q.type == "matrix" else [(None, None)]
            for ii, (icode, ilabel) in enumerate(items, start=1):
                for oi, (code, label) in enumerate(options, start=1):
                    orows.append({"wave": wave, "question_id": q.id, "item_code": icode, "item_label": ilabel,
                                  "item_order": ii if icode else None, "option_code": code, "option_label": label,
                                  "option_order": oi,
                                  "likert_score": float(oi) if q.likert and code != "other" else None,
                                  L.ROW: q.order, L.CELL: f"questions[{q.order}].{icode + '.' if icode else ''}{code}"})
        read.tables["questions"] = L.stamp(pd.DataFrame(qrows), source_file=read.rel, sha256=read.sha256, sheet=sheet)
        read.tables["options"] = L.stamp(pd.DataFrame(orows, columns=[*C.OPTIONS_SCHEMA.columns, L.ROW, L.CELL]),
                                         source_file=read.rel, sha256=read.sha256, sheet=sheet)
        read.meta.update(instrument_wave=ins.wave, questions=len(ins.questions))

    def _read_export(self, read: FileRead, rows: list[list], sheet: str, ins: Instrument, wave: str) -> None:
        rel = read.rel
        width = max((len(r) for r in rows), default=0)
        if len(rows) < 2 or width == 0:
            read.problems.append(Problem(rel, "header_rows", "an export needs two header rows (question text, then Response / option labels)", sheet=sheet))
            return
        h1 = [rows[0][j] if j < len(rows[0]) else None for j in range(width)]
        h2 = [rows[1][j] if j < len(rows[1]) else None for j in range(width)]
        # the leading block
        leading: dict[str, int] = {}
        j = 0
        while j < width and not is_blank(h1[j]) and _key(h1[j]).replace(" ", "") in C.LEADING:
            leading.setdefault(C.LEADING[_key(h1[j]).replace(" ", "")], j)
            j += 1
        first_question = j
        if "respondent_id" not in leading:
            read.problems.append(Problem(rel, "missing_column", "column 'Respondent ID' is missing: the first header cell must be Respondent ID (or RespondentID)",
                                         sheet=sheet, row=1, column="Respondent ID", cell="A1"))
            return
        rid = leading["respondent_id"]
        if not is_blank(h2[rid]) or all(is_blank(v) for v in h2[first_question:]):
            read.problems.append(Problem(rel, "header_rows", "only one header row: row 2 must hold Response / Open-Ended Response / option labels "
                                         "under each question and be blank under Respondent ID (SurveyMonkey expanded export)",
                                         sheet=sheet, row=2, cell=f"{column_letter(rid)}2"))
            return

        data = pd.DataFrame([list(r) + [None] * (width - len(r)) for r in rows[2:]], columns=range(width), dtype=object)
        data.index = range(3, 3 + len(data))  # spreadsheet row numbers
        blank = data.map(is_blank)
        data = data[~blank.all(axis=1)]
        blank = blank.loc[data.index]
        if data.empty:
            read.problems.append(Problem(rel, "no_responses", "the export holds no responses", sheet=sheet))
            return
        ids = data[rid].map(_cell_text)
        missing_id = ids[ids.isna()].index.tolist()
        if missing_id:
            read.problems.append(Problem(rel, "required", f"Respondent ID is blank on {_rows_text(missing_id)}", sheet=sheet, column="Respondent ID",
                                         row=missing_id[0], cell=f"{column_letter(rid)}{missing_id[0]}"))
            return
        key = pseudonym_key()
        resp_key = ids.map(lambda v: pseudonymise(v, key))

        # group question columns: row 1 starts a question, blank row 1 continues it
        groups: list[tuple[int, list[int]]] = []
        for j in range(first_question, width):
            if is_blank(h1[j]) and is_blank(h2[j]) and blank[j].all():
                continue  # trailing or padding column
            if not is_blank(h1[j]) or not groups:
                groups.append((j, [j]))
            else:
                groups[-1][1].append(j)

        by_text = ins.by_text()
        frames: list[pd.DataFrame] = []
        answered = pd.DataFrame(False, index=data.index, columns=[])
        la_codes = {la.old_la_code: la.old_la_code for la in local_authorities().values()}
        la_codes.update({_key(la.la_name): la.old_la_code for la in local_authorities().values()})
        for start, cols in groups:
            text = h1[start]
            q = by_text.get(_key(text)) if not is_blank(text) else None
            if q is None:
                rows_with = sorted(set(data.index[~blank[cols].all(axis=1)]))
                letters = f"{column_letter(cols[0])}" + (f"-{column_letter(cols[-1])}" if len(cols) > 1 else "")
                where = f"answers on {_rows_text(rows_with)}" if rows_with else "no answers"
                read.problems.append(Problem(rel, "unknown_question",
                                             f"column {letters} question {normalise_text(text or '(blank)')[:80]!r} is not in {C.INSTRUMENT_FILE} ({where})",
                                             sheet=sheet, row=1, column=normalise_text(text or "")[:80], cell=f"{column_letter(start)}1"))
                continue
            if q.type == "personal":
                continue  # contact details: never read
            options = q.option_by_label()
            if q.type == "la":
                options = la_codes
            items = {_key(label): code for code, label in q.items} | {_key(code): code for code, _ in q.items}
            for j in cols:
                sub = _key(h2[j]) if not is_blank(h2[j]) else C.SUBHEADER_RESPONSE
                mask = ~blank[j]
                if not mask.any():
                    continue
                values = data.loc[mask, j]
                letter = column_letter(j)
                frame = pd.DataFrame({
                    "wave": wave, "respondent_key": resp_key[mask].values, "question_id": q.id, "item_code": None,
                    "answer_kind": "option", "option_code": None, "themes": None, "text_chars": pd.NA, "text_sha256": None,
                    L.ROW: values.index.values, L.CELL: [f"{letter}{r}" for r in values.index],
                })
                is_other_col = sub in C.SUBHEADER_OTHER and sub not in options and not (q.type == "matrix" and sub in items)
                if q.type == "open" or is_other_col:
                    texts = [normalise_text(_cell_text(v)) for v in values]
                    frame["answer_kind"] = "open" if q.type == "open" else "other"
                    frame["option_code"] = None if q.type == "open" else "other"
                    frame["text_chars"] = [len(t) for t in texts]
                    frame["text_sha256"] = [hashlib.sha256(t.encode("utf-8")).hexdigest() for t in texts]
                    if q.type == "open":
                        folded = [t.casefold() for t in texts]
                        frame["themes"] = ["|".join(th for th, kws in q.themes if any(k in t for k in kws)) or None for t in folded]
                elif q.type == "matrix":
                    item = items.get(sub)
                    if item is None:
                        read.problems.append(Problem(rel, "unknown_item", f"column {letter} ({normalise_text(h2[j])!r}) is not an item of matrix question {q.id}",
                                                     sheet=sheet, row=2, column=normalise_text(h2[j]), cell=f"{letter}2"))
                        continue
                    frame["item_code"] = item
                    frame["option_code"] = self._codes(read, values, options, q, letter, sheet)
                elif sub == C.SUBHEADER_RESPONSE or q.type == "la":
                    # the cell holds the option label (or code)
                    frame["option_code"] = self._codes(read, values, options, q, letter, sheet)
                else:
                    code = options.get(sub)
                    if code is None:
                        read.problems.append(Problem(rel, "unknown_option", f"column {letter} option {normalise_text(h2[j])!r} is not an option of question {q.id}",
                                                     sheet=sheet, row=2, column=normalise_text(h2[j]), cell=f"{letter}2"))
                        continue
                    frame["option_code"] = code
                frames.append(frame)
                answered[q.id] = answered.get(q.id, pd.Series(False, index=data.index)) | mask

        answers = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=[*C.ANSWERS_SCHEMA.columns, L.ROW, L.CELL])
        read.tables["answers"] = L.stamp(answers, source_file=rel, sha256=read.sha256, sheet=sheet)
        read.column_letters["answers"] = {}

        def col(name, fn=_cell_text):
            return data[leading[name]].map(fn).values if name in leading else None

        respondents = pd.DataFrame({
            "wave": wave, "respondent_key": resp_key.values, "collector_id": col("collector_id"),
            "started_at": col("start_date", parse_timestamp), "ended_at": col("end_date", parse_timestamp),
            "questions_answered": answered.sum(axis=1).astype(int).values if len(answered.columns) else 0,
            L.ROW: data.index.values,
        })
        read.tables["respondents"] = L.stamp(respondents, source_file=rel, sha256=read.sha256, sheet=sheet)
        read.column_letters["respondents"] = {
            out: column_letter(leading[src]) for out, src in
            (("collector_id", "collector_id"), ("started_at", "start_date"), ("ended_at", "end_date"), ("respondent_key", "respondent_id"))
            if src in leading
        }
        read.meta.update(respondents=len(respondents), answers=len(answers))

    def _codes(self, read: FileRead, values: pd.Series, options: dict[str, str], q: Question, letter: str, sheet: str) -> list:
        """Map answer labels to option codes; unknown answers are problems naming the column and rows."""
        keys = values.map(lambda v: _key(_cell_text(v)))
        codes = keys.map(options)
        unknown = codes.isna()
        if unknown.any():
            for value, rows in values[unknown].groupby(keys[unknown]).groups.items():
                rows = sorted(rows)
                shown = normalise_text(_cell_text(values.loc[rows[0]]))
                what = "a DfE LA code or name" if q.type == "la" else f"an option of question {q.id} ({', '.join(l for _, l in q.options)})"
                read.problems.append(Problem(read.rel, "unknown_option",
                                             f"column {letter}: answer {shown!r} on {_rows_text(rows)} is not {what}",
                                             sheet=sheet, row=rows[0], column=q.id, cell=f"{letter}{rows[0]}"))
        return codes.tolist()

    # -- rules spanning one file -----------------------------------------------------------
    def file_checks(self, read: FileRead, partition: str, validated: dict[str, pd.DataFrame]) -> list[Problem]:
        problems: list[Problem] = []
        waves = validated.get("waves")
        if waves is not None and len(waves):
            w = waves.iloc[0]["wave"]
            if w != partition:
                problems.append(Problem(read.rel, "wave_mismatch", f"instrument wave {w} disagrees with its folder ({partition})", sheet="instrument"))
            region = waves.iloc[0]["region_code"]
            from succession.reference import regions
            if isinstance(region, str) and region not in regions():
                problems.append(Problem(read.rel, "unknown_region", f"region code {region} is not an ONS region", sheet="instrument"))
        resp = validated.get("respondents")
        if resp is not None and len(resp):
            dup = resp[resp.duplicated("respondent_key", keep=False)]
            if len(dup):
                rows = sorted(int(r) for r in dup[L.ROW])
                problems.append(Problem(read.rel, "duplicate_respondent", f"the same Respondent ID appears on {_rows_text(rows)}",
                                        sheet=str(dup.iloc[0][L.SHEET]), row=rows[1], column="Respondent ID"))
        return problems

    def empty_tables(self) -> dict[str, pd.DataFrame]:
        return {name: empty_frame(schema) for name, schema in self.schemas.items()}


SOURCE = SurveySource()
