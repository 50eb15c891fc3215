"""CSV files parsed column by column by Arrow's C++ reader, with Python's ``csv`` module
(``survey.read_grid``) as the reference: where the two could split a file differently,
Arrow declines and the caller reads the file with ``csv``. Shared by the survey exports
and the interview coding sheets (both differentially fuzzed against ``csv.reader``).
"""

from __future__ import annotations

import csv
import re

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv


def arrow_columns(data: bytes, start: int = 0) -> list[pa.Array] | None:
    """The columns (header rows included) of ``data[start:]`` (UTF-8 without BOM, ``\n`` line
    ends) as text arrays, or None where Python's ``csv`` module must read it.

    Arrow and ``csv.reader`` (excel dialect, non-strict) split well-formed and malformed
    quoting alike; they differ on rows of unequal length and blank lines (Arrow refuses
    them), a single column, and fields over ``csv.field_size_limit()`` (``csv`` refuses
    them): all of those go to ``csv.reader``."""
    if len(data) <= start:
        return None
    n = _header_fields(data, start)
    if n is None:
        return None
    try:
        table = pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(data).slice(start)),
            read_options=pacsv.ReadOptions(autogenerate_column_names=True),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types={f"f{i}": pa.string() for i in range(n + 1)},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowException, ValueError):
        return None
    if table.num_columns < 2 or any(t != pa.string() for t in table.schema.types):
        return None
    columns = [col.chunk(0) if col.num_chunks == 1 else col.combine_chunks() for col in table.columns]
    limit = csv.field_size_limit()
    if any((pc.max(pc.binary_length(c)).as_py() or 0) >= limit for c in columns):
        return None  # bytes >= characters: csv.reader may refuse a field this long
    return columns


_LINE_END = re.compile(rb"[\r\n]")


def _header_fields(data: bytes, start: int, limit: int = 1 << 20) -> int | None:
    """How many fields (at most) the first record has: commas up to its end, the first line
    end outside quotes. None when it runs past ``limit`` bytes (left to ``csv.reader``)."""
    quotes, pos = 0, start
    while True:
        m = _LINE_END.search(data, pos)
        end = len(data) if m is None else m.start()
        quotes += data.count(b'"', pos, end)
        if end - start > limit:
            return None
        if m is None or quotes % 2 == 0:
            return data.count(b",", start, end) + 1
        pos = end + 1
