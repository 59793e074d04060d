"""A serial line without hardware: two pseudo-terminals joined by a relay thread (no socat needed).

The meter side opens `device_port`, the collector opens `client_port`. The relay can cut the line (a
pulled RS-485 cable) and records when bytes crossed, so tests can check the inter-frame gap.
"""

from __future__ import annotations

import contextlib
import os
import pty
import select
import threading
import time
import tty
from dataclasses import dataclass
from enum import StrEnum


class Direction(StrEnum):
    """Which way bytes crossed the line."""

    TO_DEVICE = "to_device"
    TO_CLIENT = "to_client"


@dataclass(frozen=True, slots=True)
class Transfer:
    """Bytes that crossed the relay at one monotonic time."""

    direction: Direction
    time_s: float
    data: bytes


class PtyRelay:
    """Joins two pty pairs; `connected = False` drops every byte, like a cut cable."""

    def __init__(self, *, record: bool = False) -> None:
        self._device_master, self._device_slave = pty.openpty()
        self._client_master, self._client_slave = pty.openpty()
        for fd in (self._device_slave, self._client_slave):
            tty.setraw(fd)
        self.device_port = os.ttyname(self._device_slave)
        self.client_port = os.ttyname(self._client_slave)
        self.connected = True
        self.record = record
        self.transfers: list[Transfer] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pty-relay", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        for fd in (self._device_master, self._device_slave, self._client_master, self._client_slave):
            with contextlib.suppress(OSError):  # already closed
                os.close(fd)

    def _run(self) -> None:
        routes = {
            self._client_master: (self._device_master, Direction.TO_DEVICE),
            self._device_master: (self._client_master, Direction.TO_CLIENT),
        }
        while not self._stop.is_set():
            try:
                ready, _, _ = select.select(list(routes), [], [], 0.05)
            except (OSError, ValueError):
                return
            for fd in ready:
                try:
                    data = os.read(fd, 4096)
                except OSError:
                    continue
                target, direction = routes[fd]
                if not self.connected:
                    continue
                if self.record:
                    self.transfers.append(Transfer(direction, time.monotonic(), data))
                os.write(target, data)
