"""How far the knowledge index is: what the copilot reads to say "still indexing (about N s)".

An index run writes every passage's text first (full-text search answers from then on) and then embeds
them in batches; the tracker counts the batches and estimates the time left from the rate so far (before
the first batch ends, from a rate measured on this corpus). One tracker per plant in the process.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

SECONDS_PER_PASSAGE_GUESS = 0.25  # 202 passages embedded in 49 s on a busy 2-core machine, one thread


class IndexState(StrEnum):
    """Where the plant's index stands in this process."""

    IDLE = "idle"  # no index run in this process yet
    INDEXING = "indexing"  # texts are searchable, vectors are being computed
    READY = "ready"  # the last run finished: every passage has its vector
    FAILED = "failed"  # the last run stopped on an error (the next one resumes where it stopped)


@dataclass(frozen=True)
class IndexProgress:
    """One reading of the tracker."""

    plant: str
    state: IndexState
    done: int  # passages embedded in this run
    total: int  # passages this run embeds
    seconds_left: float | None  # estimate while indexing, else None
    error: str = ""

    @property
    def indexing(self) -> bool:
        """Tell whether vectors are still being computed (search works on full text meanwhile)."""
        return self.state is IndexState.INDEXING


class IndexTracker:
    """Thread-safe progress of index runs for one plant; `monotonic` is the clock (seconds)."""

    def __init__(self, plant: str, *, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.plant = plant
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._state = IndexState.IDLE
        self._done = 0
        self._total = 0
        self._started = 0.0
        self._error = ""

    def start(self, total: int) -> None:
        """Begin a run that embeds `total` passages."""
        with self._lock:
            self._state = IndexState.INDEXING if total else IndexState.READY
            self._done, self._total, self._error = 0, total, ""
            self._started = self._monotonic()

    def advance(self, done: int) -> None:
        """Record that `done` passages of this run have their vectors."""
        with self._lock:
            self._done = min(done, self._total)

    def finish(self) -> None:
        """End the run successfully."""
        with self._lock:
            self._state, self._done = IndexState.READY, self._total

    def fail(self, error: str) -> None:
        """End the run on an error."""
        with self._lock:
            self._state, self._error = IndexState.FAILED, error

    def progress(self) -> IndexProgress:
        """Return the current reading, with the estimated seconds left while indexing."""
        with self._lock:
            left = None
            if self._state is IndexState.INDEXING:
                remaining = self._total - self._done
                elapsed = self._monotonic() - self._started
                per_passage = elapsed / self._done if self._done else SECONDS_PER_PASSAGE_GUESS
                left = max(0.0, remaining * per_passage - (0.0 if self._done else elapsed))
            return IndexProgress(self.plant, self._state, self._done, self._total, left, self._error)


_TRACKERS: dict[str, IndexTracker] = {}
_TRACKERS_LOCK = threading.Lock()


def tracker(plant: str) -> IndexTracker:
    """Return the process-wide tracker of a plant's index."""
    with _TRACKERS_LOCK:
        return _TRACKERS.setdefault(plant, IndexTracker(plant))


def index_progress(plant: str) -> IndexProgress:
    """Return how far the plant's knowledge index is in this process (IDLE if no run happened here)."""
    return tracker(plant).progress()
