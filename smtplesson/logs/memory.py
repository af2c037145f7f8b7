"""Memory between the stages of a big read: one allocator for Arrow and numpy, freed pages handed back.

A million-line log is read in chunks, and each chunk leaves freed memory behind. Left alone, the C
library keeps it (and Arrow's own pool keeps its share apart from numpy's), so the process grows
well past what the frame holds; bench/bench_logs.py measures the peak.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from contextlib import contextmanager
from typing import Iterator

import pyarrow as pa


@contextmanager
def system_memory() -> Iterator[None]:
    """Arrow allocates with the C library's malloc, as numpy and pandas do, inside the block.

    Arrow's default pool (mimalloc or jemalloc) keeps what it frees for Arrow alone; numpy and
    pandas cannot reuse it. The default comes back afterwards.
    """
    previous = pa.default_memory_pool()
    pa.set_memory_pool(pa.system_memory_pool())
    try:
        yield
    finally:
        pa.set_memory_pool(previous)


def _load_trim():
    """glibc's ``malloc_trim``, or None where the C library has none (macOS, Windows, musl)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError, TypeError):
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


_TRIM = _load_trim()


def give_back() -> None:
    """Hand the pages malloc holds free back to the system (glibc only; elsewhere nothing)."""
    if _TRIM is not None:
        _TRIM(0)
