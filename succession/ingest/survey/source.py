"""The survey source: a wave folder's instrument and exports, read into the contract's tables.

``raw/survey/<wave>/`` holds ``instrument.yaml`` and the wave's SurveyMonkey exports. The
instrument becomes the ``waves``, ``questions`` and ``options`` tables; each export's two header
rows are matched to the instrument's questions and options, and each non-blank answer cell
becomes one row of ``answers`` (respondent pseudonym, question, matrix item, option code), each
respondent one row of ``respondents``. IP address, e-mail, names and custom data are never
read. Whatever does not match is a `Problem` naming the file, sheet, row and cell.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import yaml

from contracts import survey as C
from succession.ingest import lineage as L
from succession.ingest.cells import is_blank, normalise_text
from succession.ingest.frames import duplicate_header
from succession.ingest.framework import FileRead, WaveFolderSource, empty_frame
from succession.ingest.guards import EncodingProblem
from succession.ingest.problems import Problem, column_letter, rows_text
from succession.ingest.pseudonym import NoPseudonymKey, key_for_file, pseudonymise_ids
from succession.ingest.survey.answers_table import AnswerColumns, arrow_text, compact_lineage, distinct
from succession.ingest.survey.export_cells import ExportCells, read_export
from succession.ingest.survey.instrument import Instrument, Question, la_options, label_key, load_instrument
from succession.ingest.survey.memory import give_back_memory
from succession.ingest.survey.timestamps import timestamps
from succession.reference import local_authorities


class SurveySource(WaveFolderSource):
    name = C.SOURCE
    partition_kind = "wave"
    schemas = C.SCHEMAS
    wave_pattern = C.WAVE_RE

    # -- reading -------------------------------------------------------------------------------
    def read_wave_file(self, read: FileRead, path: Path, wave: str) -> FileRead:
        rel = read.rel
        if path.name == C.INSTRUMENT_FILE:
            try:
                instrument = load_instrument(path)
            except (ValueError, yaml.YAMLError, KeyError, TypeError) as exc:
                read.problems.append(Problem(rel, "instrument", f"instrument is not valid: {exc}"))
                return read
            self._read_instrument(read, instrument, wave)
            return read
        if path.suffix.lower() not in C.EXPORT_SUFFIXES:
            read.problems.append(
                Problem(rel, "unexpected_file", f"not a SurveyMonkey export (.csv or .xlsx) nor {C.INSTRUMENT_FILE}")
            )
            return read
        instrument_path = path.parent / C.INSTRUMENT_FILE
        if not instrument_path.exists():
            read.problems.append(
                Problem(rel, "instrument", f"the wave folder has no {C.INSTRUMENT_FILE} to read this export with")
            )
            return read
        try:
            instrument = load_instrument(instrument_path)
        except (ValueError, yaml.YAMLError, KeyError, TypeError) as exc:
            read.problems.append(
                Problem(rel, "instrument", f"cannot be read because {C.INSTRUMENT_FILE} is not valid: {exc}")
            )
            return read
        if path.stat().st_size == 0:
            read.problems.append(Problem(rel, "empty_file", "the file is empty"))
            return read
        try:
            cells = read_export(path)
        except EncodingProblem as exc:
            read.problems.append(Problem(rel, "encoding", f"the export {exc}"))
            return read
        except Exception as exc:  # noqa: BLE001 - a corrupt workbook or CSV is a problem, not a crash
            read.problems.append(
                Problem(rel, "unreadable", f"not a readable SurveyMonkey export ({type(exc).__name__}: {exc})")
            )
            return read
        read.meta.update(cells.notes)
        self._read_export(read, cells, instrument, wave)
        del cells
        give_back_memory()
        return read

    def _read_instrument(self, read: FileRead, ins: Instrument, wave: str) -> None:
        sheet = "instrument"
        read.tables["waves"] = L.stamp(
            pd.DataFrame(
                [
                    {
                        "wave": ins.wave,
                        "title": ins.title,
                        "region_code": ins.region_code,
                        "fieldwork_start": pd.Timestamp(ins.fieldwork_start) if ins.fieldwork_start else None,
                        "fieldwork_end": pd.Timestamp(ins.fieldwork_end) if ins.fieldwork_end else None,
                        L.ROW: pd.NA,
                        L.CELL: "wave",
                    }
                ]
            ),
            source_file=read.rel,
            sha256=read.sha256,
            sheet=sheet,
        )
        qrows, orows = [], []
        for q in ins.questions:
            qrows.append(
                {
                    "wave": wave,
                    "question_id": q.id,
                    "question_order": q.order,
                    "question_text": q.text,
                    "question_type": q.type,
                    "is_likert": q.likert,
                    L.ROW: q.order,
                    L.CELL: f"questions[{q.order}]",
                }
            )
            options = list(q.options)
            if q.type == "la":
                options = la_options(ins.region_code)
            if q.other and all(c != "other" for c, _ in options):
                options.append(("other", "Other"))
            if q.type == "open":
                options = [(t, t) for t, _ in q.themes]
            items = q.items if q.type == "matrix" else [(None, None)]
            for ii, (icode, ilabel) in enumerate(items, start=1):
                for oi, (code, label) in enumerate(options, start=1):
                    orows.append(
                        {
                            "wave": wave,
                            "question_id": q.id,
                            "item_code": icode,
                            "item_label": ilabel,
                            "item_order": ii if icode else None,
                            "option_code": code,
                            "option_label": label,
                            "option_order": oi,
                            "likert_score": float(oi) if q.likert and code != "other" else None,
                            L.ROW: q.order,
                            L.CELL: f"questions[{q.order}].{icode + '.' if icode else ''}{code}",
                        }
                    )
        read.tables["questions"] = L.stamp(pd.DataFrame(qrows), source_file=read.rel, sha256=read.sha256, sheet=sheet)
        read.tables["options"] = L.stamp(
            pd.DataFrame(orows, columns=[*C.OPTIONS_SCHEMA.columns, L.ROW, L.CELL]),
            source_file=read.rel,
            sha256=read.sha256,
            sheet=sheet,
        )
        read.meta.update(instrument_wave=ins.wave, questions=len(ins.questions))

    def _read_export(self, read: FileRead, cells: ExportCells, ins: Instrument, wave: str) -> None:
        rel, sheet = read.rel, cells.sheet
        width = cells.width
        if cells.records < 2 or width == 0:
            read.problems.append(
                Problem(
                    rel,
                    "header_rows",
                    "an export needs two header rows (question text, then Response / option labels)",
                    sheet=sheet,
                )
            )
            return
        h1, h2 = cells.h1, cells.h2
        # the leading block
        leading: dict[str, int] = {}
        j = 0
        while j < width and not is_blank(h1[j]) and label_key(h1[j]).replace(" ", "") in C.LEADING:
            name = C.LEADING[label_key(h1[j]).replace(" ", "")]
            if name in leading:
                read.problems.append(duplicate_header(read, sheet, normalise_text(h1[j]), leading[name], j))
            leading.setdefault(name, j)
            j += 1
        first_question = j
        if "respondent_id" not in leading:
            read.problems.append(
                Problem(
                    rel,
                    "missing_column",
                    "column 'Respondent ID' is missing: the first header cell must be Respondent ID (or RespondentID)",
                    sheet=sheet,
                    row=1,
                    column="Respondent ID",
                    cell="A1",
                )
            )
            return
        rid = leading["respondent_id"]
        if not is_blank(h2[rid]) or all(is_blank(v) for v in h2[first_question:]):
            read.problems.append(
                Problem(
                    rel,
                    "header_rows",
                    "only one header row: row 2 must hold Response / Open-Ended Response / option labels "
                    "under each question and be blank under Respondent ID (SurveyMonkey expanded export)",
                    sheet=sheet,
                    row=2,
                    cell=f"{column_letter(rid)}2",
                )
            )
            return

        # blank cells, then the rows that are not wholly blank (spreadsheet rows start at 3)
        blank_all = np.stack([cells.blank(j) for j in range(width)])
        kept = np.flatnonzero(~blank_all.all(axis=0))
        if not len(kept):
            read.problems.append(Problem(rel, "no_responses", "the export holds no responses", sheet=sheet))
            return
        blank = blank_all[:, kept]
        del blank_all
        row_number = kept + 3
        missing_id = row_number[blank[rid]].tolist()
        if missing_id:
            read.problems.append(
                Problem(
                    rel,
                    "required",
                    f"Respondent ID is blank on {rows_text(missing_id)}",
                    sheet=sheet,
                    column="Respondent ID",
                    row=missing_id[0],
                    cell=f"{column_letter(rid)}{missing_id[0]}",
                )
            )
            return
        try:
            key = key_for_file(read.sha256)
        except NoPseudonymKey as exc:
            read.problems.append(
                Problem(rel, "pseudonym_key", f"respondent ids cannot be pseudonymised: {exc}", sheet=sheet)
            )
            return
        resp_key = pseudonymise_ids(cells.text(rid, kept).to_pylist(), key)

        # group question columns: row 1 starts a question, blank row 1 continues it
        groups: list[tuple[int, list[int]]] = []
        for j in range(first_question, width):
            if is_blank(h1[j]) and is_blank(h2[j]) and blank[j].all():
                continue  # trailing or padding column
            if not is_blank(h1[j]) or not groups:
                groups.append((j, [j]))
            else:
                groups[-1][1].append(j)

        self._duplicate_headers(read, sheet, h1, h2, groups)
        by_text = ins.by_text()
        gathered = AnswerColumns()
        answered: dict[str, np.ndarray] = {}
        la_codes = {la.old_la_code: la.old_la_code for la in local_authorities().values()}
        la_codes.update({label_key(la.la_name): la.old_la_code for la in local_authorities().values()})
        for start, cols in groups:
            text = h1[start]
            q = by_text.get(label_key(text)) if not is_blank(text) else None
            if q is None:
                rows_with = row_number[~blank[cols].all(axis=0)].tolist()
                letters = f"{column_letter(cols[0])}" + (f"-{column_letter(cols[-1])}" if len(cols) > 1 else "")
                where = f"answers on {rows_text(rows_with)}" if rows_with else "no answers"
                read.problems.append(
                    Problem(
                        rel,
                        "unknown_question",
                        f"column {letters} question {normalise_text(text or '(blank)')[:80]!r} is not in {C.INSTRUMENT_FILE} ({where})",
                        sheet=sheet,
                        row=1,
                        column=normalise_text(text or "")[:80],
                        cell=f"{column_letter(start)}1",
                    )
                )
                continue
            if q.type == "personal":
                continue  # contact details: never read
            options = q.option_by_label()
            if q.type == "la":
                options = la_codes
            items = {label_key(label): code for code, label in q.items} | {label_key(code): code for code, _ in q.items}
            for j in cols:
                sub = label_key(h2[j]) if not is_blank(h2[j]) else C.SUBHEADER_RESPONSE
                mask = ~blank[j]
                if not mask.any():
                    continue
                at = np.flatnonzero(mask)
                letter = column_letter(j)
                is_other_col = (
                    sub in C.SUBHEADER_OTHER and sub not in options and not (q.type == "matrix" and sub in items)
                )
                if q.type == "open" or is_other_col:
                    values, index = distinct(cells.text(j, kept[at]))
                    gathered.add_text(at, letter, q, values, index, open_=q.type == "open")
                elif q.type == "matrix":
                    item = items.get(sub)
                    if item is None:
                        read.problems.append(
                            Problem(
                                rel,
                                "unknown_item",
                                f"column {letter} ({normalise_text(h2[j])!r}) is not an item of matrix question {q.id}",
                                sheet=sheet,
                                row=2,
                                column=normalise_text(h2[j]),
                                cell=f"{letter}2",
                            )
                        )
                        continue
                    gathered.add_codes(
                        at,
                        letter,
                        q,
                        *self._codes(read, cells, j, kept[at], row_number[at], options, q, letter, sheet),
                        item=item,
                    )
                elif sub == C.SUBHEADER_RESPONSE or q.type == "la":
                    # the cell holds the option label (or code)
                    gathered.add_codes(
                        at, letter, q, *self._codes(read, cells, j, kept[at], row_number[at], options, q, letter, sheet)
                    )
                else:
                    code = options.get(sub)
                    if code is None:
                        read.problems.append(
                            Problem(
                                rel,
                                "unknown_option",
                                f"column {letter} option {normalise_text(h2[j])!r} is not an option of question {q.id}",
                                sheet=sheet,
                                row=2,
                                column=normalise_text(h2[j]),
                                cell=f"{letter}2",
                            )
                        )
                        continue
                    gathered.add_codes(at, letter, q, [code])
                answered[q.id] = answered[q.id] | mask if q.id in answered else mask

        answers = gathered.frame(wave, resp_key, row_number)
        n = len(answers)
        read.tables["answers"] = L.stamp(answers, source_file=rel, sha256=read.sha256, sheet=sheet)
        if n:
            compact_lineage(answers, rel, read.sha256, sheet)
        read.column_letters["answers"] = {}

        def col(name: str) -> pd.arrays.ArrowExtensionArray:
            if name not in leading:
                return arrow_text(pa.nulls(len(kept), pa.string()))
            return arrow_text(
                pc.if_else(
                    pa.array(blank[leading[name]]), pa.scalar(None, pa.string()), cells.text(leading[name], kept)
                )
            )

        def when(name: str) -> np.ndarray | None:
            return timestamps(cells, leading[name], kept, blank[leading[name]]) if name in leading else None

        respondents = pd.DataFrame(
            {
                "wave": arrow_text(pa.array([wave] * len(kept), pa.string())),
                "respondent_key": arrow_text(pa.array(resp_key, pa.string())),
                "collector_id": col("collector_id"),
                "started_at": when("start_date"),
                "ended_at": when("end_date"),
                "questions_answered": np.sum(list(answered.values()), axis=0).astype(int) if answered else 0,
                L.ROW: row_number,
            }
        )
        read.tables["respondents"] = L.stamp(respondents, source_file=rel, sha256=read.sha256, sheet=sheet)
        compact_lineage(respondents, rel, read.sha256, sheet)
        respondents[L.CELL] = arrow_text(pa.nulls(len(respondents), pa.string()))  # a respondent is a row, not a cell
        read.column_letters["respondents"] = {
            out: column_letter(leading[src])
            for out, src in (
                ("collector_id", "collector_id"),
                ("started_at", "start_date"),
                ("ended_at", "end_date"),
                ("respondent_key", "respondent_id"),
            )
            if src in leading
        }
        read.meta.update(respondents=len(respondents), answers=n)

    @staticmethod
    def _duplicate_headers(read: FileRead, sheet: str, h1: list, h2: list, groups: list[tuple[int, list[int]]]) -> None:
        """A question heading two column groups, or a sub-heading twice under one question:
        which column holds the answers is not for the reader to guess."""
        first: dict[str, int] = {}
        for start, cols in groups:
            if is_blank(h1[start]):
                continue
            key = label_key(h1[start])
            if key in first:
                read.problems.append(duplicate_header(read, sheet, normalise_text(h1[start])[:80], first[key], start))
            first.setdefault(key, start)
            subs: dict[str, int] = {}
            for j in cols:
                if is_blank(h2[j]):
                    continue
                sub = label_key(h2[j])
                if sub in subs:
                    read.problems.append(duplicate_header(read, sheet, normalise_text(h2[j])[:80], subs[sub], j, row=2))
                subs.setdefault(sub, j)

    def _codes(
        self,
        read: FileRead,
        cells: ExportCells,
        j: int,
        at: np.ndarray,
        rows: np.ndarray,
        options: dict[str, str],
        q: Question,
        letter: str,
        sheet: str,
    ) -> tuple[list, np.ndarray]:
        """Answer labels to option codes, once per distinct label: (codes, each cell's index into
        them; None for an unknown answer). Unknown answers are problems naming the column and rows."""
        values, index = distinct(cells.text(j, at))
        keys = [label_key(v) for v in values]  # cells are text already (`cell_text`)
        codes = [options.get(k) for k in keys]
        unknown: dict[str, list[int]] = {}
        for i, (k, code) in enumerate(zip(keys, codes)):
            if code is None:
                unknown.setdefault(k, []).append(i)
        for which in unknown.values():
            where = np.flatnonzero(np.isin(index, which))
            bad = rows[where].tolist()
            shown = normalise_text(values[index[where[0]]])
            what = (
                "a DfE LA code or name"
                if q.type == "la"
                else f"an option of question {q.id} ({', '.join(label for _, label in q.options)})"
            )
            read.problems.append(
                Problem(
                    read.rel,
                    "unknown_option",
                    f"column {letter}: answer {shown!r} on {rows_text(bad)} is not {what}",
                    sheet=sheet,
                    row=bad[0],
                    column=q.id,
                    cell=f"{letter}{bad[0]}",
                )
            )
        return codes, index

    # -- rules spanning one file -----------------------------------------------------------
    def batch_checks(self, reads: list[FileRead], partition: str, validated: dict[str, pd.DataFrame]) -> list[Problem]:
        """The rules spanning one file's tables, run once over the validated rows of all clean files."""
        problems: list[Problem] = []
        waves = validated.get("waves")
        if waves is not None and len(waves):
            from succession.reference import regions

            known = regions()
            for _, w in waves.drop_duplicates(L.SOURCE_FILE).iterrows():  # an instrument is one row
                if w["wave"] != partition:
                    problems.append(
                        Problem(
                            w[L.SOURCE_FILE],
                            "wave_mismatch",
                            f"instrument wave {w['wave']} disagrees with its folder ({partition})",
                            sheet="instrument",
                        )
                    )
                if isinstance(w["region_code"], str) and w["region_code"] not in known:
                    problems.append(
                        Problem(
                            w[L.SOURCE_FILE],
                            "unknown_region",
                            f"region code {w['region_code']} is not an ONS region",
                            sheet="instrument",
                        )
                    )
        resp = validated.get("respondents")
        if resp is not None and len(resp):
            dup = resp[resp.duplicated([L.SOURCE_FILE, "respondent_key"], keep=False)]
            for rel, rows_of in dup.groupby(
                dup[L.SOURCE_FILE].astype(str), sort=False
            ):  # not on the Arrow dictionary: pandas lists unseen files
                rows = sorted(int(r) for r in rows_of[L.ROW])
                problems.append(
                    Problem(
                        rel,
                        "duplicate_respondent",
                        f"the same Respondent ID appears on {rows_text(rows)}",
                        sheet=str(rows_of.iloc[0][L.SHEET]),
                        row=rows[1],
                        column="Respondent ID",
                    )
                )
        answers = validated.get("answers")
        if answers is not None and len(answers) and resp is not None:
            orphan = C.answers_without_respondent(answers, resp, by=L.SOURCE_FILE)
            if orphan.any():
                bad = answers[orphan]
                for rel, rows_of in bad.groupby(bad[L.SOURCE_FILE].astype(str), sort=False):
                    rows = sorted({int(r) for r in rows_of[L.ROW]})
                    first = rows_of.iloc[0]
                    problems.append(
                        Problem(
                            rel,
                            "answer_respondent",
                            f"answers on {rows_text(rows)} name a respondent who is not among the export's respondents",
                            sheet=str(first[L.SHEET]),
                            row=rows[0],
                            column="respondent_key",
                            cell=str(first[L.CELL]),
                        )
                    )
        return problems

    def file_checks(self, read: FileRead, partition: str, validated: dict[str, pd.DataFrame]) -> list[Problem]:
        """`batch_checks` for one file (the framework calls `batch_checks` when a source has it)."""
        return self.batch_checks([read], partition, validated)

    def empty_tables(self) -> dict[str, pd.DataFrame]:
        return {name: empty_frame(schema) for name, schema in self.schemas.items()}


SOURCE = SurveySource()
