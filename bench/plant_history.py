"""Days of plant history for the historian benchmark: recorded incidents replayed in operating cycles.

A day is lock cycles (filling and upstream opening, gate closing, emptying and downstream opening, gate
closing, two idle stretches: about 45 min a cycle) from the recorded quiet incidents, with one recorded
fault incident a day. Each incident is read at 2 Hz (rows held between records) and every analog reading
gets transmitter noise of a fifth of its deadband, so no two readings of a live transmitter are equal.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from evals.incident import Incident, IncidentLibrary
from lockpilot.plant import DataType, Plant
from lockpilot.samples import Quality, Sample

RATE_HZ = 2.0
CYCLE = (
    "quiet_filling_and_upstream_opening",
    "quiet_gate_closing",
    "quiet_emptying_and_downstream_opening",
    "quiet_gate_closing",
    "quiet_idle",
    "quiet_idle",
)
SOURCE = "s7:clp_eclusa"
NOISE_SHARE = 0.2  # transmitter noise as a share of the deadband (one sigma)


@dataclass(frozen=True, slots=True)
class _Tag:
    name: str
    analog: bool
    noise: float
    boolean: bool


def _tags(plant: Plant, incident: Incident) -> list[_Tag]:
    out = []
    for name in incident.rows[0]:
        tag = plant.tags[name]
        analog = tag.type is DataType.REAL
        out.append(_Tag(name, analog, NOISE_SHARE * (tag.deadband or 0.0), tag.type is DataType.BOOL))
    return out


class PlantHistory:
    """Collected samples of a plant day after day, as the S7 collector would have published them."""

    def __init__(
        self, plant: Plant, library: IncidentLibrary, *, rate_hz: float = RATE_HZ, seed: int = 7
    ) -> None:
        self._plant = plant
        self._library = library
        self._step = timedelta(seconds=1.0 / rate_hz)
        self._rng = random.Random(seed)
        self._noise = [self._rng.gauss(0.0, 1.0) for _ in range(1 << 16)]
        self._faults = [i for i in library.ids() if not i.startswith("quiet_")]

    def day_plan(self, day: int) -> list[str]:
        """The incidents of one day, in order: cycles, and one fault incident after the first cycle."""
        cycle_s = sum(self._library.get(i).duration_s for i in CYCLE)
        plan = [*CYCLE, self._faults[day % len(self._faults)]]
        plan += list(CYCLE) * int(
            (86_400 - sum(self._library.get(i).duration_s for i in plan)) // cycle_s + 1
        )
        return plan

    def batches(self, start: datetime, *, seconds: float) -> Iterator[list[Sample]]:
        """One batch of samples (every tag) per tick from `start` for `seconds`."""
        when, end, day = start, start + timedelta(seconds=seconds), 0
        k = 0
        while when < end:
            for incident_id in self.day_plan(day):
                incident = self._library.get(incident_id)
                tags = _tags(self._plant, incident)
                for t_s in _ticks(incident.duration_s, self._step.total_seconds()):
                    if when >= end:
                        return
                    i = bisect.bisect_right(incident.times_s, t_s) - 1
                    row, down = incident.rows[max(i, 0)], incident.link_down[max(i, 0)]
                    if down:
                        yield [Sample(t.name, when, None, Quality.COMM_ERROR, SOURCE) for t in tags]
                    else:
                        batch = []
                        for t in tags:
                            value = float(row[t.name])
                            if t.analog:
                                k = (k + 1) & 0xFFFF
                                value += t.noise * self._noise[k]
                            batch.append(Sample(t.name, when, value, Quality.GOOD, SOURCE))
                        yield batch
                    when += self._step
            day += 1


def _ticks(duration_s: float, step_s: float) -> Iterator[float]:
    n = 0
    while n * step_s < duration_s:
        yield n * step_s
        n += 1
