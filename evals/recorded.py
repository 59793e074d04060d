"""An incident as its exception-recorded history reads back: every row holds the values in force.

The writer stores a sample only when it leaves its deadband around the last stored value, changes
quality or reaches its maximum interval (storage.recording); a reader holds each stored value until the
next one (storage.history.raw). Replaying rules over these rows shows whether history stored that way
tells the same story as the full-rate rows.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, replace

from evals.incident import Incident
from evals.replay import batch_at
from lockpilot.plant import DataType, Plant
from lockpilot.samples import Value
from storage.history_writer import to_rows
from storage.recording import ExceptionFilter, RecordingPolicy


@dataclass(frozen=True, slots=True)
class Recorded:
    """The incident read back from exception-recorded history, and how many samples were stored."""

    incident: Incident
    collected: int
    stored: int


def _typed(value: float, dtype: DataType) -> Value:
    if dtype is DataType.BOOL:
        return value != 0.0
    if dtype in (DataType.INT, DataType.DINT):
        return int(value)
    return value


def read_back(points: list[tuple[float, float | None]], at_s: float, dtype: DataType) -> float | None:
    """A tag's value at `at_s` from its stored points: a line between analog samples, else a step."""
    i = bisect.bisect_right(points, at_s, key=lambda p: p[0]) - 1
    if i < 0:
        return None
    t0, v0 = points[i]
    if dtype is not DataType.REAL or i + 1 == len(points) or v0 is None:
        return v0
    t1, v1 = points[i + 1]
    return v0 if v1 is None else v0 + (v1 - v0) * (at_s - t0) / (t1 - t0)


def _stored(
    incident: Incident, policy: RecordingPolicy
) -> tuple[dict[str, list[tuple[float, float | None]]], int]:
    """Each tag's exception-recorded points (seconds, value) and the count of collected samples."""
    recording = ExceptionFilter(policy)
    points: dict[str, list[tuple[float, float | None]]] = {}
    collected = 0
    for i in range(len(incident.times_s)):
        batch = to_rows(batch_at(incident, i))
        collected += len(batch)
        for when, tag, value, _, _ in recording.select(batch).kept:
            points.setdefault(tag, []).append(((when - incident.start).total_seconds(), value))
        recording.commit()
    return points, collected


def exception_recorded(incident: Incident, plant: Plant, policy: RecordingPolicy) -> Recorded:
    """Record the incident's samples by exception and read them back at every row's time."""
    points, collected = _stored(incident, policy)
    rows: list[dict[str, Value]] = []
    known: dict[str, Value] = {}  # a gap keeps the last known value (its quality says it is not current)
    for at_s, original in zip(incident.times_s, incident.rows, strict=True):
        for tag in original:
            dtype = plant.tags[tag].type
            value = read_back(points.get(tag, []), at_s, dtype)
            if value is not None:
                known[tag] = _typed(value, dtype)
        rows.append(dict(known))
    stored = sum(len(p) for p in points.values())
    return Recorded(replace(incident, rows=rows), collected, stored)
