"""The command path's link to the plant: fresh reads and writes through the collector's write path."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Protocol

from collectors.s7 import S7Collector, WriteResult
from lockpilot.plant import Plant
from lockpilot.samples import Sample, Value
from lockpilot.settings import Settings


class PlantUnreachable(ConnectionError):
    """The PLC did not answer: nothing was read, nothing was written."""


class PlantIO(Protocol):
    """Read tags straight from the device and write one tag with read-back."""

    def read(self, tags: Sequence[str]) -> dict[str, Sample]: ...

    def write(self, tag: str, value: Value) -> WriteResult: ...


class _NoSink:
    """The command link publishes nothing: the collector's own polling feeds the stores."""

    def publish(self, batch: Sequence[Sample]) -> None:
        return None


class S7PlantIO:
    """Its own S7 connection to the PLC, separate from the polling collector (one lock, lazy connect)."""

    def __init__(
        self, plant: Plant, *, host: str, port: int, device_id: str = "clp_eclusa", timeout_s: float = 2.0
    ) -> None:
        device = plant.devices[device_id]
        self._collector = S7Collector(
            host,
            plant.tags_of(device_id),
            _NoSink(),
            device_id=device_id,
            port=port,
            rack=device.rack,
            slot=device.slot,
            timeout_s=timeout_s,
        )
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, plant: Plant, settings: Settings, *, device_id: str = "clp_eclusa") -> S7PlantIO:
        """Point at the PLC: LOCKPILOT_PLC_HOST/PORT, else the running stack's, else devices.yaml's."""
        from storage.embedded import read_endpoints

        device = plant.devices[device_id]
        running = read_endpoints(settings.data_dir)
        stack_host, stack_port = (running.plc_host, running.plc_port) if running else (None, None)
        host = settings.plc_host or stack_host or device.host or "127.0.0.1"
        port = settings.plc_port or stack_port or device.port or settings.twin_port
        return cls(plant, host=host, port=port, device_id=device_id, timeout_s=device.timeout_s)

    def read(self, tags: Sequence[str]) -> dict[str, Sample]:
        """Read the whole tag map in one cycle and return the asked tags."""
        wanted = set(tags)
        with self._lock, self._collector.lock:
            try:
                batch = self._collector.read_cycle()
            except Exception:  # not connected yet, or the link dropped: one fresh attempt
                self._collector.disconnect()
                try:
                    self._collector.connect()
                    batch = self._collector.read_cycle()
                except Exception as exc:
                    self._collector.disconnect()
                    where = f"{self._collector.host}:{self._collector.port}"
                    raise PlantUnreachable(f"PLC {where} did not answer: {exc}") from exc
        return {s.tag: s for s in batch if s.tag in wanted}

    def write(self, tag: str, value: Value) -> WriteResult:
        """Write through the collector's write path (single-bit writes for bits), with read-back."""
        with self._lock:
            try:
                return self._collector.write(tag, value)
            except (ConnectionError, OSError, RuntimeError) as exc:
                self._collector.disconnect()
                where = f"{self._collector.host}:{self._collector.port}"
                raise PlantUnreachable(f"PLC {where} did not confirm the write: {exc}") from exc

    def close(self) -> None:
        self._collector.disconnect()
