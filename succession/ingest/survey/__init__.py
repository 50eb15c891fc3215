"""Ingest SurveyMonkey exports: ``raw/survey/<wave>/{instrument.yaml, *.csv, *.xlsx}``.

An export is read column by column (CSV: BOM stripped, any line endings, UTF-8 with a
documented Windows-1252 / Latin-1 fallback; XLSX: the first sheet, via python-calamine),
its two header rows are matched to the wave's instrument (`contracts/survey.md`), and
each non-blank answer cell becomes one row of ``answers`` (respondent pseudonym,
question, matrix item, option code). Respondent ids become keyed pseudonyms
(`succession.ingest.pseudonym`); IP address, e-mail, names and custom data are never
copied; free text is reduced to its length, a hash and the themes its keywords match.

A national wave has ~100,000 respondents and ~2 million answer cells, so the work is
done per column and per distinct value, never per cell in Python. One module per concern:

* `instrument`: ``instrument.yaml``, and how labels are matched to it;
* `export_cells`: an export's bytes to columns of cells (decoding, Arrow's CSV reader and
  the ``csv`` module it must agree with);
* `timestamps`: SurveyMonkey's start and end times, vectorised;
* `answers_table`: the ``answers`` table from index arrays, as Arrow-backed text columns;
* `memory`: handing freed memory back to the OS between exports;
* `source`: `SurveySource`, which puts them together and reports problems by cell.
"""

from succession.ingest.pseudonym import pseudonymise_ids
from succession.ingest.survey.export_cells import (
    CSV_SHEET,
    ExportCells,
    blank_cells,
    cell_text,
    decode_csv_bytes,
    read_export,
    read_grid,
)
from succession.ingest.survey.instrument import Instrument, Question, load_instrument
from succession.ingest.survey.source import SOURCE, SurveySource
from succession.ingest.survey.timestamps import parse_timestamp, timestamps

__all__ = [
    "CSV_SHEET",
    "SOURCE",
    "ExportCells",
    "Instrument",
    "Question",
    "SurveySource",
    "blank_cells",
    "cell_text",
    "decode_csv_bytes",
    "load_instrument",
    "parse_timestamp",
    "pseudonymise_ids",
    "read_export",
    "read_grid",
    "timestamps",
]
