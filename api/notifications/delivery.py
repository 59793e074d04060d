"""Deliver alarm activations to one chat channel: bursts coalesced, rate-limited, retried with backoff."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from api.notifications.sources import AlarmActivation

log = logging.getLogger(__name__)


class AlarmSender(Protocol):
    """Posts one message announcing a burst of activations; raises when the channel refuses it."""

    name: str

    def send(self, burst: Sequence[AlarmActivation]) -> None: ...


@dataclass(frozen=True, slots=True)
class Pacing:
    """How bursts are grouped and how often a channel may be written to."""

    coalesce_s: float = 3.0
    min_interval_s: float = 30.0
    retry_initial_s: float = 2.0
    retry_max_s: float = 300.0
    max_queue: int = 1000


class AlarmNotifier:
    """One thread per channel: `offer` never blocks, the thread groups, paces and retries the sends."""

    def __init__(self, sender: AlarmSender, *, pacing: Pacing) -> None:
        self.sender, self.pacing = sender, pacing
        self._inbox: queue.Queue[AlarmActivation] = queue.Queue(maxsize=pacing.max_queue)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"alarm-notify-{sender.name}", daemon=True)
        self._next_send = 0.0  # monotonic time before which nothing is sent
        self.sent = 0
        self.dropped = 0

    def start(self) -> None:
        """Start the delivery thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop delivering (a burst still being retried is abandoned)."""
        self._stop.set()
        self._thread.join(timeout=5.0)

    def offer(self, found: Sequence[AlarmActivation]) -> None:
        """Queue activations for the next message; when the queue is full they are dropped and counted."""
        for activation in found:
            try:
                self._inbox.put_nowait(activation)
            except queue.Full:
                self.dropped += 1

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                first = self._inbox.get(timeout=0.2)
            except queue.Empty:
                continue
            burst = {first.alarm_id: first}
            deadline = max(time.monotonic() + self.pacing.coalesce_s, self._next_send)
            self._gather(burst, until=deadline)
            self._deliver(burst)

    def _gather(self, burst: dict[str, AlarmActivation], *, until: float) -> None:
        """Add what arrives before `until` (monotonic) to the burst, one entry per alarm."""
        while not self._stop.is_set():
            left = until - time.monotonic()
            if left <= 0:
                return
            try:
                activation = self._inbox.get(timeout=min(left, 0.2))
            except queue.Empty:
                continue
            burst.setdefault(activation.alarm_id, activation)

    def _deliver(self, burst: dict[str, AlarmActivation]) -> None:
        """Send the burst; on failure log once, wait with backoff (gathering more) and try again."""
        wait_s, failing = self.pacing.retry_initial_s, False
        while not self._stop.is_set():
            try:
                self.sender.send(ordered(burst.values()))
            except Exception as exc:
                if not failing:
                    log.warning("alarm notification to %s failed (retrying): %s", self.sender.name, exc)
                failing = True
                self._gather(burst, until=time.monotonic() + wait_s)
                wait_s = min(wait_s * 2, self.pacing.retry_max_s)
                continue
            if failing:
                log.info("alarm notification to %s delivered again", self.sender.name)
            self.sent += 1
            self._next_send = time.monotonic() + self.pacing.min_interval_s
            return


def ordered(found: Iterable[AlarmActivation]) -> list[AlarmActivation]:
    """The burst with the first-out alarm first, then by time and priority."""
    return sorted(found, key=lambda a: (not a.first_out, a.since, a.priority.rank))


def first_out(burst: Sequence[AlarmActivation]) -> AlarmActivation:
    """The alarm that started the burst: flagged first-out by the engine, else the earliest."""
    return ordered(burst)[0]
