"""Energy per lock cycle and power per equipment, as pure functions over history rows."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class CycleKind(StrEnum):
    FILLING = "enchimento"
    EMPTYING = "esvaziamento"


@dataclass(frozen=True, slots=True)
class Row:
    """One history row: time, tag, value (None for a gap)."""

    time: datetime
    tag: str
    value: float | None


@dataclass(frozen=True, slots=True)
class Cycle:
    kind: CycleKind
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class CycleEnergy:
    """Energy of one cycle in kWh, and how it was obtained (counter difference or integrated power)."""

    cycle: Cycle
    energy_kwh: float
    method: str


@dataclass(frozen=True, slots=True)
class EquipmentPower:
    equipment: str
    mean_kw: float
    max_kw: float
    last_kw: float
    samples: int


def cycles(rows: Iterable[Row], *, filling_tag: str, emptying_tag: str) -> list[Cycle]:
    """Intervals where the filling or emptying indicator was true (e.g. valve open)."""
    kinds = {filling_tag: CycleKind.FILLING, emptying_tag: CycleKind.EMPTYING}
    open_since: dict[str, datetime] = {}
    found: list[Cycle] = []
    for row in sorted((r for r in rows if r.tag in kinds and r.value is not None), key=lambda r: r.time):
        active = bool(row.value)
        if active and row.tag not in open_since:
            open_since[row.tag] = row.time
        elif not active and row.tag in open_since:
            found.append(Cycle(kinds[row.tag], open_since.pop(row.tag), row.time))
    return sorted(found, key=lambda c: c.start)


def counter_increase(rows: Sequence[Row], start: datetime, end: datetime) -> float | None:
    """Rise of a cumulative counter over [start, end], summing only rises (a reset does not subtract)."""
    inside = [
        r.value for r in sorted(rows, key=lambda r: r.time) if start <= r.time <= end and r.value is not None
    ]
    if len(inside) < 2:
        return None
    return sum(max(0.0, b - a) for a, b in itertools.pairwise(inside))


def integrate_kwh(
    rows: Sequence[Row], start: datetime, end: datetime, *, power_unit_w: bool = False
) -> float:
    """Trapezoidal integral of a power series over [start, end] in kWh (power in kW, or W when told)."""
    points = [
        (r.time, r.value)
        for r in sorted(rows, key=lambda r: r.time)
        if start <= r.time <= end and r.value is not None
    ]
    total = 0.0
    for (t0, p0), (t1, p1) in itertools.pairwise(points):
        total += (p0 + p1) / 2 * (t1 - t0).total_seconds() / 3600.0
    return total / 1000.0 if power_unit_w else total


def energy_per_cycle(
    found: Sequence[Cycle],
    *,
    energy_rows: Sequence[Row] = (),
    power_rows: Sequence[Row] = (),
    energy_unit_wh: bool = False,
    power_unit_w: bool = False,
) -> list[CycleEnergy]:
    """kWh of each cycle from an energy counter when it has readings in the cycle, else from power."""
    result: list[CycleEnergy] = []
    for cycle in found:
        rise = counter_increase(energy_rows, cycle.start, cycle.end)
        if rise is not None:
            result.append(CycleEnergy(cycle, rise / 1000.0 if energy_unit_wh else rise, "counter"))
        else:
            result.append(
                CycleEnergy(
                    cycle,
                    integrate_kwh(power_rows, cycle.start, cycle.end, power_unit_w=power_unit_w),
                    "power",
                )
            )
    return result


def power_per_equipment(
    rows: Iterable[Row], equipment_of: Mapping[str, str], *, watts_tags: frozenset[str] = frozenset()
) -> list[EquipmentPower]:
    """Mean, max and last power of each equipment from its power tags (kW; tags in watts_tags are W)."""
    series: dict[str, list[tuple[datetime, float]]] = {}
    for row in rows:
        if row.tag in equipment_of and row.value is not None:
            kw = row.value / 1000.0 if row.tag in watts_tags else row.value
            series.setdefault(equipment_of[row.tag], []).append((row.time, kw))
    out = []
    for equipment, points in sorted(series.items()):
        points.sort()
        values = [v for _, v in points]
        out.append(EquipmentPower(equipment, sum(values) / len(values), max(values), values[-1], len(values)))
    return out
