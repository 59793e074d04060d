"""In-process fan-out of sample batches from collectors to the stores and the rules engine."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Protocol

import structlog

from lockpilot.samples import Sample

log = structlog.get_logger(__name__)


class SampleSink(Protocol):
    """A consumer of sample batches. `publish` must not block: queue the work and return."""

    def publish(self, batch: Sequence[Sample]) -> None: ...


class SampleBus:
    """Hands every batch to every subscriber; one failing sink never stops the others."""

    def __init__(self) -> None:
        self._sinks: list[SampleSink] = []
        self._lock = threading.Lock()

    def subscribe(self, sink: SampleSink) -> None:
        with self._lock:
            self._sinks.append(sink)

    def publish(self, batch: Sequence[Sample]) -> None:
        with self._lock:
            sinks = list(self._sinks)
        for sink in sinks:
            try:
                sink.publish(batch)
            except Exception:
                log.exception("sink_failed", sink=type(sink).__name__)
