"""A non-blocking hand-off of sample batches from publishers to one consumer thread."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Sequence
from typing import Generic, TypeVar

Item = TypeVar("Item")  # a Sample (current values) or a COPY row (history)


class SampleQueue(Generic[Item]):
    """Publishers append without blocking; the consumer takes up to `max_rows` once full or old enough."""

    def __init__(self, *, max_rows: int, max_age_s: float) -> None:
        self._max_rows = max_rows
        self._max_age_s = max_age_s
        self._chunks: deque[Sequence[Item]] = deque()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._size = 0
        self._first_at = 0.0  # monotonic time the oldest queued sample arrived

    def __len__(self) -> int:
        return self._size

    def put(self, batch: Sequence[Item]) -> None:
        """Queue a batch; wake the consumer when the queue starts filling or a batch is full."""
        if not batch:
            return
        with self._lock:
            if self._size == 0:
                self._first_at = time.monotonic()
            self._chunks.append(batch)
            self._size += len(batch)
            wake = self._size == len(batch) or self._size >= self._max_rows
        if wake:
            self._wake.set()

    def wake(self) -> None:
        """Make a waiting `take` return now (used when stopping)."""
        self._wake.set()

    def _ready_in(self) -> float | None:
        """Seconds until a batch is due (0 = now), None when the queue is empty."""
        with self._lock:
            if self._size == 0:
                return None
            if self._size >= self._max_rows:
                return 0.0
            return max(0.0, self._first_at + self._max_age_s - time.monotonic())

    def take(self, *, idle_s: float, force: bool = False) -> list[Item]:
        """Wait up to `idle_s` for a due batch (or take what is there when `force`); [] if none."""
        deadline = time.monotonic() + idle_s
        while True:
            self._wake.clear()
            due = self._ready_in()
            if due is not None and (due == 0.0 or force):
                return self._pop()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return []
            self._wake.wait(min(remaining, due) if due is not None else remaining)

    def _pop(self) -> list[Item]:
        out: list[Item] = []
        with self._lock:
            while self._chunks and len(out) < self._max_rows:
                chunk = self._chunks.popleft()
                room = self._max_rows - len(out)
                if len(chunk) > room:
                    self._chunks.appendleft(chunk[room:])
                    chunk = chunk[:room]
                out.extend(chunk)
            self._size -= len(out)
            if self._size:
                self._first_at = time.monotonic()
        return out
