"""Electrical readings derived from the twin: motor currents drive power, power integrates into energy."""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from lockpilot.clock import Clock

SIM_SOURCE_PREFIX = "sim:"  # every reading from a simulated peer carries this in its source


class ValuesSource(Protocol):
    """Anything that tells current plant values by tag name (LockTwin does)."""

    def values(self) -> Mapping[str, object]: ...


class ManualValues:
    """Plant values set by hand (a bench or a demo without the twin); thread-safe."""

    def __init__(self, initial: Mapping[str, object] | None = None) -> None:
        self._values = dict(initial or {})
        self._lock = threading.Lock()

    def set(self, **values: object) -> None:
        with self._lock:
            self._values.update(values)

    def values(self) -> Mapping[str, object]:
        with self._lock:
            return dict(self._values)


@dataclass(frozen=True, slots=True)
class Channel:
    """One metered circuit: which twin tag gives its current, its voltage, phases and power factor."""

    current_tag: str
    voltage_v: float = 220.0
    phases: int = 1
    power_factor: float = 0.85
    frequency_hz: float = 60.0


@dataclass(frozen=True, slots=True)
class Reading:
    """What a meter on a channel shows at one moment."""

    voltage_v: float
    current_a: float
    power_w: float
    energy_wh: float
    frequency_hz: float
    power_factor: float


class MeterFeed:
    """Integrates each channel's power over clock time into energy; reset on command like a real meter."""

    def __init__(self, source: ValuesSource, channels: Mapping[str, Channel], *, clock: Clock) -> None:
        self.source = source
        self.channels = dict(channels)
        self.clock = clock
        self._energy_wh = dict.fromkeys(channels, 0.0)
        self._power_w = dict.fromkeys(channels, 0.0)
        self._last: datetime | None = None
        self._lock = threading.Lock()

    def _advance(self) -> None:
        now = self.clock.now()
        values = self.source.values()
        dt_h = 0.0 if self._last is None else max(0.0, (now - self._last).total_seconds()) / 3600.0
        self._last = now
        for name, ch in self.channels.items():
            self._energy_wh[name] += self._power_w[name] * dt_h
            current = float(values.get(ch.current_tag, 0.0) or 0.0)  # type: ignore[arg-type]
            factor = math.sqrt(3) if ch.phases == 3 else 1.0
            self._power_w[name] = factor * ch.voltage_v * current * ch.power_factor if current > 0 else 0.0

    def reading(self, name: str) -> Reading:
        """The channel's reading now (advances the integration first)."""
        with self._lock:
            self._advance()
            ch = self.channels[name]
            values = self.source.values()
            current = max(0.0, float(values.get(ch.current_tag, 0.0) or 0.0))  # type: ignore[arg-type]
            return Reading(
                ch.voltage_v,
                current,
                self._power_w[name],
                self._energy_wh[name],
                ch.frequency_hz,
                ch.power_factor if current > 0 else 1.0,
            )

    def total(self) -> Reading:
        """The sum over every channel, as a feeder analyser sees it."""
        readings = [self.reading(n) for n in self.channels]
        power = sum(r.power_w for r in readings)
        apparent = sum(r.power_w / r.power_factor for r in readings if r.power_factor > 0)
        voltage = max((r.voltage_v for r in readings), default=0.0)
        return Reading(
            voltage,
            sum(r.current_a for r in readings),
            power,
            sum(r.energy_wh for r in readings),
            readings[0].frequency_hz if readings else 60.0,
            power / apparent if apparent else 1.0,
        )

    def reset_energy(self, name: str) -> None:
        with self._lock:
            self._advance()
            self._energy_wh[name] = 0.0
