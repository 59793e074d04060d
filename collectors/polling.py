"""A fixed-rate polling loop shared by every collector: connect, poll, mark gaps, reconnect with backoff."""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass

import structlog

from lockpilot.bus import SampleSink
from lockpilot.clock import Clock, SystemClock
from lockpilot.health import Backoff, FailureLog
from lockpilot.samples import Quality, Sample

log = structlog.get_logger(__name__)


@dataclass
class PollStats:
    """Counters a collector exposes (Prometheus reads these)."""

    cycles: int = 0
    failed_cycles: int = 0
    samples: int = 0
    requests_last_cycle: int = 0
    cycle_time_s: float = 0.0
    connected: bool = False
    reconnects: int = 0
    gaps: int = 0


class PollingCollector(ABC):
    """Polls a device every `period_s` in its own thread; never lets one bad read stop the loop."""

    def __init__(
        self,
        *,
        device_id: str,
        tags: Sequence[str],
        sink: SampleSink,
        period_s: float,
        clock: Clock | None = None,
        backoff: Backoff | None = None,
    ) -> None:
        self.device_id = device_id
        self.tag_names = list(tags)
        self.sink = sink
        self.period_s = period_s
        self.clock = clock or SystemClock()
        self.backoff = backoff or Backoff()
        self.stats = PollStats()
        self.lock = threading.Lock()  # one poll or write at a time on the connection
        self._failures = FailureLog(log, device=device_id)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._in_gap = False

    @abstractmethod
    def connect(self) -> None:
        """Open the connection (raise on failure)."""

    @abstractmethod
    def disconnect(self) -> None:
        """Close the connection; never raises."""

    @abstractmethod
    def read_cycle(self) -> list[Sample]:
        """Read every tag once and return the samples (raise on a communication failure)."""

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"collector-{self.device_id}", daemon=True)
        self._thread.start()

    def stop(self, *, timeout_s: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=timeout_s)
        with self.lock:
            self.disconnect()
        self.stats.connected = False

    def poll_once(self) -> list[Sample]:
        """Run one cycle (connect if needed); on failure publish a gap marker and re-raise."""
        with self.lock:
            try:
                if not self.stats.connected:
                    self.connect()
                    self.stats.connected = True
                    self.stats.reconnects += 1
                started = time.perf_counter()
                batch = self.read_cycle()
                self.stats.cycle_time_s = time.perf_counter() - started
            except Exception as exc:
                self.stats.failed_cycles += 1
                self.stats.connected = False
                self.disconnect()
                self._failures.failed("device_unreachable", exc)
                self._mark_gap()
                raise
        self._in_gap = False
        self._failures.recovered("device_recovered")
        self.backoff.reset()
        self.stats.cycles += 1
        self.stats.samples += len(batch)
        self.sink.publish(batch)
        return batch

    def _mark_gap(self) -> None:
        """Publish one COMM_ERROR sample per tag at the start of an outage: the gap shows in history."""
        if self._in_gap:
            return
        self._in_gap = True
        self.stats.gaps += 1
        now = self.clock.now()
        self.sink.publish(
            [Sample(name, now, None, Quality.COMM_ERROR, self.device_id) for name in self.tag_names]
        )

    def _run(self) -> None:
        next_at = time.monotonic()
        while not self._stop.is_set():
            try:
                self.poll_once()
            except Exception:
                if self._stop.wait(self.backoff.next_delay_s()):
                    break
                next_at = time.monotonic()
                continue
            next_at += self.period_s
            delay = next_at - time.monotonic()
            if delay < 0:  # overran: skip missed cycles rather than bursting
                next_at = time.monotonic()
                delay = 0
            self._stop.wait(delay)
