"""The unit every collector produces and every consumer reads: one tag value at one time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Quality(StrEnum):
    """How far a value can be trusted (OPC-like, reduced to what the plant needs)."""

    GOOD = "good"
    BAD = "bad"  # device answered but the value is invalid (out of range, NaN)
    STALE = "stale"  # value not refreshed for longer than its allowed age
    COMM_ERROR = "comm_error"  # device unreachable: the value is the last known, or none

    @property
    def trusted(self) -> bool:
        return self is Quality.GOOD


Value = float | int | bool


@dataclass(frozen=True, slots=True)
class Sample:
    """One reading: tag, time (UTC), value (None when nothing could be read), quality, source id."""

    tag: str
    time: datetime
    value: Value | None
    quality: Quality
    source: str

    def as_float(self) -> float | None:
        return None if self.value is None else float(self.value)
