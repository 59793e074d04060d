"""Feed collector samples into the metering store: one measurement per good sample, keyed, audited."""

from __future__ import annotations

import math
import queue
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import structlog

from lockpilot.samples import Sample
from metering.ingest import ingest
from metering.models import DeviceType, IngestBatch, MeasurementIn, User
from metering.store import MeteringStore

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class MeterTag:
    """Where a tag's samples go: client, device name and type, metric name."""

    client: str
    device: str
    device_type: DeviceType
    metric: str


def to_batches(samples: Sequence[Sample], tags: Mapping[str, MeterTag]) -> list[IngestBatch]:
    """Group valued samples of known tags by device (gap markers carry no value and are not measurements)."""
    grouped: dict[tuple[str, str, DeviceType], list[MeasurementIn]] = {}
    for s in samples:
        target = tags.get(s.tag)
        if target is None or s.value is None or not math.isfinite(float(s.value)):
            continue
        grouped.setdefault((target.client, target.device, target.device_type), []).append(
            MeasurementIn(time=s.time, metric=target.metric, value=float(s.value), source=s.source)
        )
    return [
        IngestBatch(client=c, device=d, device_type=t, measurements=m) for (c, d, t), m in grouped.items()
    ]


class MeteringSink:
    """A SampleSink: queues batches and ingests them on its own thread, so collectors never wait."""

    def __init__(
        self, store: MeteringStore, tags: Mapping[str, MeterTag], *, user: User, forward: bool
    ) -> None:
        self.store, self.tags, self.user, self.forward = store, dict(tags), user, forward
        self._queue: queue.Queue[Sequence[Sample] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="metering-sink", daemon=True)
        self.ingested = 0

    def start(self) -> None:
        self._thread.start()

    def publish(self, batch: Sequence[Sample]) -> None:
        self._queue.put(list(batch))

    def stop(self, *, timeout_s: float = 10.0) -> None:
        self._queue.put(None)
        self._thread.join(timeout_s)

    def _run(self) -> None:
        while (samples := self._queue.get()) is not None:
            for batch in to_batches(samples, self.tags):
                try:
                    self.ingested += ingest(self.store, batch, user=self.user, forward=self.forward).accepted
                except Exception:
                    log.exception("metering_ingest_failed", device=batch.device)
