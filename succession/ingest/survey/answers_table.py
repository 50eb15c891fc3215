"""The ``answers`` table built from index arrays as Arrow-backed columns, not row by row.

A national wave has ~2 million answers. Each export column adds which rows answered and, per
answer, an index into that column's distinct codes or texts (`AnswerColumns`); the table is
then made in one go, its repeated text dictionary-encoded (`coded`, `contracts.survey.ARROW_CODES`)
so each distinct value is stored once. Free text is reduced here to its length, a hash and
the themes its keywords match: the text itself never reaches the table.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from contracts import survey as C
from succession.ingest import lineage as L
from succession.ingest.cells import normalise_text
from succession.ingest.survey.export_cells import cell_text
from succession.ingest.survey.instrument import Question


def distinct(values: pa.Array) -> tuple[list, np.ndarray]:
    """Distinct values (as Python objects) and each cell's index into them."""
    enc = values.dictionary_encode()
    return enc.dictionary.to_pylist(), enc.indices.to_numpy(zero_copy_only=False)


def arrow_text(values: pa.Array | pa.ChunkedArray) -> pd.arrays.ArrowExtensionArray:
    """Arrow text as a pandas column, without copying it into Python objects."""
    return pd.arrays.ArrowExtensionArray(values)


_INT32 = pa.int32()


def coded(
    vocabulary: list,
    index: np.ndarray | None = None,
    index_type: pa.DataType = _INT32,
    repeat: np.ndarray | None = None,
) -> pd.arrays.ArrowExtensionArray:
    """Dictionary-encoded text (`contracts.survey.ARROW_CODES`): ``vocabulary[index]``, null
    where the index is -1 or the entry None; each distinct value is stored once. With
    ``repeat`` instead of ``index``: entry i repeated ``repeat[i]`` times."""
    enc = pa.array(vocabulary, pa.string()).dictionary_encode()
    remap = np.append(enc.indices.fill_null(-1).to_numpy(zero_copy_only=False), -1).astype(index_type.to_pandas_dtype())
    if repeat is not None:
        codes = np.repeat(remap[:-1], repeat)
    elif (
        len(remap) - 1 == len(enc.dictionary)
        and not enc.indices.null_count
        and (remap[:-1] == np.arange(len(remap) - 1)).all()
        and index.min(initial=0) >= 0
    ):
        codes = index.astype(remap.dtype, copy=False)  # distinct vocabulary, every index valid: as it is
    else:
        codes = remap[index]
    null = codes < 0
    indices = pa.array(codes, mask=null) if null.any() else pa.array(codes)
    return pd.arrays.ArrowExtensionArray(pa.DictionaryArray.from_arrays(indices, enc.dictionary))


def compact_lineage(df: pd.DataFrame, rel: str, sha256: str, sheet: str) -> None:
    """The per-file lineage constants `lineage.stamp` set, dictionary-encoded (one byte a row)
    rather than an object pointer per row, which pandas copies and checks cell by cell."""
    for name, value in ((L.SOURCE_FILE, rel), (L.FILE_SHA256, sha256), (L.SHEET, sheet)):
        df[name] = coded([value], np.zeros(len(df), dtype=np.int64), pa.int8())


class AnswerColumns:
    """The long ``answers`` table gathered export column by export column as index arrays
    (which rows answered, which code, which distinct text), built in one go by `frame`."""

    def __init__(self) -> None:
        self.at: list[np.ndarray] = []  # per export column: its answers' positions among the kept rows
        self.letter: list[str] = []
        self.question: list[str] = []
        self.item: list[str | None] = []
        self.kind: list[str] = []
        self.option: list[np.ndarray] = []  # per export column: each answer's index into `codes` (-1: none)
        self.codes: dict[str, int] = {}
        self.text: list[np.ndarray] = []  # per export column: each answer's index into the distinct texts (-1: none)
        self.chars: list[int] = []  # per distinct text (of a column)
        self.sha: list[str] = []
        self.themes: list[str | None] = []

    def _add(
        self,
        at: np.ndarray,
        letter: str,
        q: Question,
        item: str | None,
        kind: str,
        option: np.ndarray,
        text: np.ndarray,
    ) -> None:
        self.at.append(at)
        self.letter.append(letter)
        self.question.append(q.id)
        self.item.append(item)
        self.kind.append(kind)
        self.option.append(option)
        self.text.append(text)

    def add_codes(
        self,
        at: np.ndarray,
        letter: str,
        q: Question,
        codes: list,
        index: np.ndarray | None = None,
        item: str | None = None,
    ) -> None:
        """Option answers: the cell at ``at[i]`` has code ``codes[index[i]]`` (one code for all without index)."""
        vocab = np.array(
            [-1 if c is None else self.codes.setdefault(c, len(self.codes)) for c in codes], dtype=np.int32
        )
        option = np.full(len(at), vocab[0], dtype=np.int32) if index is None else vocab[index]
        self._add(at, letter, q, item, "option", option, np.full(len(at), -1, dtype=np.int32))

    def add_text(self, at: np.ndarray, letter: str, q: Question, values: list, index: np.ndarray, open_: bool) -> None:
        """Free text (an open question, or an Other column): length, hash and themes, never the text."""
        base = len(self.chars)
        for v in values:
            t = normalise_text(cell_text(v))
            self.chars.append(len(t))
            self.sha.append(hashlib.sha256(t.encode("utf-8")).hexdigest())
            if open_:
                folded = t.casefold()
                self.themes.append("|".join(th for th, kws in q.themes if any(k in folded for k in kws)) or None)
            else:
                self.themes.append(None)
        other = -1 if open_ else self.codes.setdefault("other", len(self.codes))
        self._add(
            at,
            letter,
            q,
            None,
            "open" if open_ else "other",
            np.full(len(at), other, dtype=np.int32),
            (base + index).astype(np.int32),
        )

    def frame(self, wave: str, resp_key: list[str], row_number: np.ndarray) -> pd.DataFrame:
        if not self.at:
            return pd.DataFrame(columns=[*C.ANSWERS_SCHEMA.columns, L.ROW, L.CELL])
        sizes = np.array([len(a) for a in self.at])
        at = np.concatenate(self.at).astype(np.int32)
        text = np.concatenate(self.text)
        has_text = text >= 0
        chars = (
            np.asarray(self.chars, dtype=np.int64)[np.where(has_text, text, 0)]
            if self.chars
            else np.zeros(len(at), np.int64)
        )
        rows = row_number[at]
        return pd.DataFrame(
            {
                "wave": coded([wave] * len(self.at), repeat=sizes),
                "respondent_key": coded(resp_key, at),
                "question_id": coded(self.question, repeat=sizes),
                "item_code": coded(self.item, repeat=sizes),
                "answer_kind": coded(self.kind, repeat=sizes),
                "option_code": coded(list(self.codes), np.concatenate(self.option)),
                "themes": coded(self.themes, text),
                "text_chars": pd.arrays.ArrowExtensionArray(pa.array(chars, mask=~has_text)),
                "text_sha256": coded(self.sha, text),
                L.ROW: pd.arrays.ArrowExtensionArray(pa.array(rows)),
                L.CELL: arrow_text(
                    pc.binary_join_element_wise(  # column letter + row number, e.g. J5
                        pa.array(self.letter, pa.string()).take(
                            pa.array(np.repeat(np.arange(len(sizes), dtype=np.int32), sizes))
                        ),
                        pc.cast(pa.array(row_number), pa.string()).take(pa.array(at)),
                        "",
                    )
                ),
            }
        )
