"""Work done once for each loaded object of the process (a plant, a bundle): what the planner reads off
the plant's own data."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import TypeVar

K = TypeVar("K")
T = TypeVar("T")


def once_each(compute: Callable[[K], T]) -> Callable[[K], T]:
    """`compute(obj)` once for each object, kept by its id together with the object itself (an id can be
    reused once an object is gone); built under a lock, so two threads never build it twice."""
    held: dict[int, tuple[K, T]] = {}
    lock = threading.RLock()

    @functools.wraps(compute)
    def cached(obj: K) -> T:
        with lock:
            known = held.get(id(obj))
            if known is None or known[0] is not obj:
                known = (obj, compute(obj))
                held[id(obj)] = known
            return known[1]

    return cached
