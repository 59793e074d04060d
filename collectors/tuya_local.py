"""Tuya devices on the local network (tinytuya, persistent socket): data points mapped to tags with scale."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import tinytuya

from collectors.polling import PollingCollector
from lockpilot.bus import SampleSink
from lockpilot.clock import Clock
from lockpilot.plant.meter_points import TuyaPoint
from lockpilot.samples import Quality, Sample, Value


def map_points(
    points: Sequence[TuyaPoint], values: Mapping[str, object], *, now: object, source: str
) -> list[Sample]:
    """Turn a device's data points into samples; a point the device did not report is BAD."""
    batch: list[Sample] = []
    for point in points:
        raw = values.get(point.key)
        value: Value | None
        if isinstance(raw, bool):
            value, quality = raw, Quality.GOOD
        elif isinstance(raw, int | float):
            value, quality = float(raw) * point.scale, Quality.GOOD
        else:
            value, quality = None, Quality.BAD
        batch.append(Sample(point.tag, now, value, quality, source))  # type: ignore[arg-type]
    return batch


class TuyaLocalCollector(PollingCollector):
    """Polls one Tuya device over its local protocol, keeping the socket open between polls."""

    def __init__(
        self,
        device_id: str,
        address: str,
        local_key: str,
        points: Sequence[TuyaPoint],
        sink: SampleSink,
        *,
        tuya_id: str,
        version: float = 3.3,
        port: int = 6668,
        period_s: float = 5.0,
        timeout_s: float = 2.0,
        source: str = "",
        clock: Clock | None = None,
    ) -> None:
        super().__init__(
            device_id=device_id, tags=[p.tag for p in points], sink=sink, period_s=period_s, clock=clock
        )
        self.tuya_id, self.address, self.local_key, self.version, self.port = (
            tuya_id,
            address,
            local_key,
            version,
            port,
        )
        self.timeout_s = timeout_s
        self.points = list(points)
        self.source = source or device_id
        self._device: tinytuya.Device | None = None

    def connect(self) -> None:
        device = tinytuya.Device(
            self.tuya_id,
            self.address,
            self.local_key,
            version=self.version,
            persist=True,
            port=self.port,
            connection_timeout=self.timeout_s,
            connection_retry_limit=1,
            connection_retry_delay=0,
        )
        device.set_socketTimeout(self.timeout_s)
        self._device = device

    def disconnect(self) -> None:
        device, self._device = self._device, None
        if device is not None:
            device.close()

    def read_cycle(self) -> list[Sample]:
        if self._device is None:
            raise ConnectionError(f"Tuya device {self.tuya_id} is not connected")
        answer = self._device.status()
        if not isinstance(answer, dict) or "dps" not in answer:
            error = answer.get("Error", answer) if isinstance(answer, dict) else answer
            raise ConnectionError(f"Tuya device {self.tuya_id} did not answer: {error}")
        self.stats.requests_last_cycle = 1
        return map_points(self.points, answer["dps"], now=self.clock.now(), source=self.source)
