"""One table of one file as typed columns, joined with the other files' into ONE frame.

A return's tables are a few rows each; making a pandas frame per file and table, then
concatenating a partition's frames, cost more than reading the cells (about 0.5 ms a
workbook). A reader instead hands the framework `Columns` (the arrays its frame would
hold), and `concat_tables` joins each column across the partition's files and builds
one frame: the frame ``pd.concat([c.frame() for c in parts], ignore_index=True)`` gives,
values and dtypes alike. Where the dtypes of a column differ between files in a way not
known here to join the same, it does exactly that concat.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

_INDEXES: dict[tuple[str, ...], pd.Index] = {}


def make_frame(names: list[str] | tuple[str, ...], arrays: list[np.ndarray], n: int) -> pd.DataFrame:
    """A frame of ready-made, equally long 1-D arrays, without pandas re-checking each one
    (``DataFrame(dict)`` costs ~150 us more per frame)."""
    from_arrays = getattr(pd.DataFrame, "_from_arrays", None)
    if from_arrays is None:  # a pandas without it: the public constructor, same frame
        return pd.DataFrame(dict(zip(names, arrays)))
    key = tuple(names)
    columns = _INDEXES.get(key)
    if columns is None:
        columns = _INDEXES.setdefault(key, pd.Index(list(names)))
    # each frame its own Index object (a shallow copy), so naming one frame's columns names no other
    return from_arrays(list(arrays), columns=columns.copy(), index=pd.RangeIndex(n), verify_integrity=False)


@dataclass
class Columns:
    """One file's rows of a table, not yet a frame: its column names and typed arrays."""

    names: tuple[str, ...]
    arrays: list[np.ndarray]
    n: int

    def __len__(self) -> int:
        return self.n

    @property
    def empty(self) -> bool:
        return self.n == 0

    @property
    def columns(self) -> pd.Index:
        return pd.Index(list(self.names))

    def frame(self) -> pd.DataFrame:
        return make_frame(self.names, self.arrays, self.n)


TablePart = pd.DataFrame | Columns


def as_frame(part: TablePart) -> pd.DataFrame:
    return part.frame() if isinstance(part, Columns) else part


def concat_tables(parts: list[TablePart]) -> pd.DataFrame:
    """The rows of ``parts`` (files in order) as one frame with a fresh RangeIndex."""
    if parts and all(isinstance(p, Columns) for p in parts):
        names = parts[0].names
        if all(p.names == names for p in parts):
            arrays = []
            for i in range(len(names)):
                joined = _join([p.arrays[i] for p in parts])
                if joined is None:
                    break
                arrays.append(joined)
            else:
                return make_frame(names, arrays, sum(p.n for p in parts))
    with warnings.catch_warnings():
        # all-blank optional columns in some files are expected; their dtype comes from the contract
        warnings.simplefilter("ignore", FutureWarning)
        return pd.concat([as_frame(p) for p in parts], ignore_index=True)


_F8, _I8, _M8 = np.dtype("float64"), np.dtype("int64"), np.dtype("M8[ns]")
_NA = {_F8: np.nan, _M8: np.datetime64("NaT", "ns")}


def _all_na(a: np.ndarray) -> bool:
    if not len(a):
        return False  # an empty part: how pandas joins it is not guessed here
    if a.dtype == object:
        return all(v is None for v in a)
    if a.dtype == _F8 or a.dtype == _M8:
        return bool(np.isnan(a).all())
    return False


def _join(arrays: list[np.ndarray]) -> np.ndarray | None:
    """One column of several files as pandas' concat joins it, or None when the dtypes
    mix in a way not handled here (the caller then concatenates frames)."""
    first = arrays[0].dtype
    if all(a.dtype == first for a in arrays):
        return np.concatenate(arrays)
    # pandas (2.x) leaves a file's all-blank column (None, NaN, NaT) out when it chooses
    # the joined dtype, if another file has values: dates stay dates, numbers numbers
    blank = [_all_na(a) for a in arrays]
    kinds = {a.dtype for a, b in zip(arrays, blank) if not b}
    if kinds == {_M8}:
        dtype = _M8
    elif kinds in ({_F8}, {_F8, _I8}):
        dtype = _F8
    else:
        return None  # e.g. whole numbers beside a blank column: object in pandas; not ours to guess
    if any(b and a.dtype not in (np.dtype(object), dtype) for a, b in zip(arrays, blank)):
        return None
    return np.concatenate(
        [
            a if a.dtype == dtype else np.full(len(a), _NA[dtype], dtype=dtype) if b else a.astype(dtype)
            for a, b in zip(arrays, blank)
        ]
    )
