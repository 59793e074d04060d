"""Limit OpenBLAS threads for small products: a one-query embedding is faster and steadier on one core."""

from __future__ import annotations

import ctypes
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import numpy as np

# (library file pattern, setter, getter) of the OpenBLAS builds numpy wheels ship.
_BUILDS = (
    ("libscipy_openblas64_*.so*", "scipy_openblas_set_num_threads64_", "scipy_openblas_get_num_threads64_"),
    ("libscipy_openblas*.so*", "scipy_openblas_set_num_threads", "scipy_openblas_get_num_threads"),
    ("libopenblas*.so*", "openblas_set_num_threads", "openblas_get_num_threads"),
)


@cache
def _functions() -> tuple[Callable[[int], None], Callable[[], int]] | None:
    """Find numpy's bundled OpenBLAS and its thread-count functions, if there are any."""
    libs = Path(np.__file__).resolve().parent.parent / "numpy.libs"
    for pattern, setter, getter in _BUILDS:
        for path in sorted(libs.glob(pattern)):
            lib = ctypes.CDLL(str(path))
            if hasattr(lib, setter) and hasattr(lib, getter):
                return getattr(lib, setter), getattr(lib, getter)
    return None


@contextmanager
def blas_threads(count: int) -> Iterator[None]:
    """Run the block with at most `count` BLAS threads (a no-op when the BLAS is not a known OpenBLAS)."""
    functions = _functions()
    if functions is None:
        yield
        return
    set_threads, get_threads = functions
    before = int(get_threads())
    set_threads(min(count, before))
    try:
        yield
    finally:
        set_threads(before)
