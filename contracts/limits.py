"""Resource limits for every raw file, checked BEFORE a file is parsed.

A file beyond a limit is quarantined with the limit it breaks, within seconds and in
bounded memory, instead of being handed to a parser that would allocate whatever the
file asks for. The human version, with the reasons for each number, is
`contracts/limits.md`; a test checks the two agree.

The numbers are ~10x the largest legitimate file of each kind the pipeline expects
(a national survey wave: ~100,000 respondents x ~120 columns, ~30 MB of CSV; an HR
return: a few hundred rows; a codebook or plan: a few KB of YAML), so no real file
comes near them and a hostile one is stopped long before it hurts.
"""

from __future__ import annotations

MIB = 1 << 20

MAX_FILE_BYTES = 512 * MIB
"""Any raw file (CSV, XLSX, QDPX, markdown): a national survey export is ~30 MB."""

MAX_FILE_BYTES_BY_SUFFIX = {".yaml": 1 * MIB, ".yml": 1 * MIB, ".md": 1 * MIB}
"""Text a person writes by hand (instrument, codebook, plan, narrative): a few KB each."""

MAX_ZIP_MEMBERS = 10_000
"""Entries in an .xlsx / .qdpx zip (a workbook has ~20; a REFI-QDA project one per source)."""

MAX_ZIP_MEMBER_BYTES = 1024 * MIB
"""Uncompressed size of one zip member (a national survey's sheet XML is ~300 MB)."""

MAX_ZIP_TOTAL_BYTES = 2048 * MIB
"""Uncompressed size of all members of one zip together."""

MAX_ZIP_RATIO = 200
"""Uncompressed / compressed size of a member. Sheet XML compresses 5-30x, so 200x is
only reached by padding built to inflate (a 1 MB sheet that inflates to 1 GiB is 1000x)."""

ZIP_RATIO_MIN_BYTES = 16 * MIB
"""The ratio is only judged for members inflating to more than this: a small member,
however compressible (an empty sheet, a repetitive styles part), costs nothing."""

MAX_SHEET_ROWS = 1_048_576
"""Rows of a sheet's used range (Excel's own maximum; a national export has ~100,000)."""

MAX_SHEET_COLUMNS = 2_000
"""Columns of a sheet's used range (a survey export has ~120; Excel allows 16,384)."""

MAX_SHEET_CELLS = 60_000_000
"""Rows x columns of a used range: the reader allocates the whole rectangle (~32 bytes a
cell), so a value alone in XFD1048576 would ask for 17 billion cells. 60 million is ~2 GB
and 4x a national survey export."""

MAX_YAML_NODES = 100_000
"""Nodes of a YAML document with every alias expanded (an instrument has ~2,000). Nested
aliases (``b: [*a, *a, ...]``, ``c: [*b, *b, ...]``) grow exponentially: counted on the
composed graph, before anything is built from it."""

MAX_PROBLEMS_PER_FILE = 100
"""Problems listed per file; the rest are counted in one closing line ("and N more")."""
