"""Feed collector samples into the metering store: one measurement per good sample, keyed, audited."""

from __future__ import annotations

import math
import queue
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import psycopg
import structlog
from psycopg_pool import PoolTimeout

from lockpilot.samples import Sample
from metering.ingest import ingest
from metering.models import DeviceType, IngestBatch, MeasurementIn, User
from metering.spool import BatchSpool
from metering.store import MeteringStore

STORE_DOWN = (psycopg.OperationalError, PoolTimeout)

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
    """A SampleSink: queues batches and ingests them on its own thread, so collectors never wait.

    While PostgreSQL is down or hung (a timeout), batches go to a durable spool (`spool_dir`) and are
    ingested, in order, once it answers again.
    """

    RETRY_S = 1.0

    def __init__(
        self,
        store: MeteringStore,
        tags: Mapping[str, MeterTag],
        *,
        user: User,
        forward: bool,
        spool_dir: Path | None = None,
    ) -> None:
        self.store, self.tags, self.user, self.forward = store, dict(tags), user, forward
        self._queue: queue.Queue[Sequence[Sample] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="metering-sink", daemon=True)
        self.spool = BatchSpool(spool_dir) if spool_dir is not None else None
        self.ingested = 0

    def start(self) -> None:
        self._thread.start()

    def publish(self, batch: Sequence[Sample]) -> None:
        self._queue.put(list(batch))

    def stop(self, *, timeout_s: float = 10.0) -> None:
        self._queue.put(None)
        self._thread.join(timeout_s)

    @property
    def spool_depth(self) -> int:
        return self.spool.batches if self.spool is not None else 0

    def _ingest(self, batch: IngestBatch) -> None:
        self.ingested += ingest(self.store, batch, user=self.user, forward=self.forward).accepted

    def _drain(self) -> bool:
        """Ingest what the spool holds; False while PostgreSQL still fails."""
        if self.spool is None or not self.spool.batches:
            return True
        try:
            return self.spool.drain(self._ingest)
        except STORE_DOWN:
            return False

    def _run(self) -> None:
        while True:
            try:
                samples = self._queue.get(timeout=self.RETRY_S)
            except queue.Empty:
                self._drain()
                continue
            if samples is None:
                return
            drained = self._drain()
            for batch in to_batches(samples, self.tags):
                if not drained and self.spool is not None:
                    self.spool.append(batch)
                    continue
                try:
                    self._ingest(batch)
                except STORE_DOWN as exc:
                    if self.spool is None:
                        log.error("metering_ingest_failed", device=batch.device, error=str(exc).strip())
                        continue
                    log.warning("metering_spooled", device=batch.device, error=str(exc).strip()[:200])
                    self.spool.append(batch)
                    drained = False
                except Exception:
                    log.exception("metering_ingest_failed", device=batch.device)
