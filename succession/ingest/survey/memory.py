"""Giving memory back to the OS between exports.

Reading one national export allocates millions of small objects (python-calamine cells,
pandas and Arrow buffers). Freed, they stay with the process: Arrow's allocator keeps its
blocks and glibc keeps the heap holes. Returning them after each export keeps a batch of
exports, then its validation, within the memory budget.
"""

from __future__ import annotations

import ctypes

import pyarrow as pa


def give_back_memory() -> None:
    """Return the memory an export's reading freed to the OS before the batch is validated and
    written: Arrow's allocator keeps freed blocks, and glibc keeps the heap holes left by the
    millions of small cells python-calamine and pandas allocate (~100 MiB each at national scale)."""
    pa.default_memory_pool().release_unused()
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def _load_libc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return None
    return libc if hasattr(libc, "malloc_trim") else None  # glibc only


_LIBC = _load_libc()
