"""Metering tools (read-only): energy per lock cycle and power per equipment, over stored history."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from pydantic import BaseModel, Field

from lockpilot.samples import Quality
from tools.context import ToolContext
from tools.energy import CycleEnergy, CycleKind, Row, cycles, energy_per_cycle, power_per_equipment
from tools.models import Citation, CitationKind, ToolResult

CYCLE_TAG = "sequencia_ativa"  # code of the running sequence (0 none; sequences.yaml codes)
ENERGY_TAG = "energia_ativa_total"  # cumulative counter of the lock's feeder
POWER_TAG = "potencia_ativa_total"  # the feeder's active power, used when the counter has no readings
POWER_UNITS = {"kW": False, "W": True}  # unit -> values in watts
MAX_ROWS_PER_TAG = 50_000
NO_HISTORY = "the history store is not available"


class CycleEnergyOut(BaseModel):
    """Energy of one lock cycle and how it was measured (counter difference or integrated power)."""

    kind: CycleKind
    start: datetime
    end: datetime
    duration_s: float
    energy_kwh: float
    method: str


class EnergyPerCycleResult(ToolResult):
    start: datetime | None = None
    end: datetime | None = None
    cycles: list[CycleEnergyOut] = Field(default_factory=list)


class EquipmentPowerOut(BaseModel):
    equipment: str
    name_pt: str = ""  # the equipment's name, as the command book gives it
    name_en: str = ""
    mean_kw: float
    max_kw: float
    last_kw: float
    samples: int


class PowerPerEquipmentResult(ToolResult):
    start: datetime | None = None
    end: datetime | None = None
    equipment: list[EquipmentPowerOut] = Field(default_factory=list)


def _rows(ctx: ToolContext, tags: Iterable[str], *, start: datetime, end: datetime) -> list[Row]:
    """Stored rows of the tags; values of bad quality count as gaps."""
    assert ctx.history is not None
    return [
        Row(p.time, tag, p.value if p.quality is Quality.GOOD else None)
        for tag in tags
        for p in ctx.history.raw(tag, start=start, end=end, limit=MAX_ROWS_PER_TAG)
    ]


def _indicators(rows: Sequence[Row], codes: dict[CycleKind, int]) -> list[Row]:
    """Turn the running-sequence code into one true/false row per cycle kind."""
    return [
        Row(r.time, kind.value, float(r.value == code))
        for r in rows
        if r.value is not None
        for kind, code in codes.items()
    ]


def _cycle_out(measured: Sequence[CycleEnergy]) -> list[CycleEnergyOut]:
    return [
        CycleEnergyOut(
            kind=m.cycle.kind,
            start=m.cycle.start,
            end=m.cycle.end,
            duration_s=(m.cycle.end - m.cycle.start).total_seconds(),
            energy_kwh=round(m.energy_kwh, 3),
            method=m.method,
        )
        for m in measured
    ]


def energy_per_lock_cycle(ctx: ToolContext, *, window_s: float = 7200.0) -> EnergyPerCycleResult:
    """Energy (kWh) of each filling and emptying that ended in the last window, oldest first."""
    if ctx.history is None or ctx.sequences is None:
        return EnergyPerCycleResult(error=NO_HISTORY)
    missing = [t for t in (CYCLE_TAG, ENERGY_TAG, POWER_TAG) if t not in ctx.plant.tags]
    if missing:
        return EnergyPerCycleResult(error=f"the plant has no {', '.join(missing)}")
    end = ctx.clock.now()
    start = end - timedelta(seconds=window_s)
    known = {s.id: s.code for s in ctx.sequences.sequences()}
    codes = {kind: known[kind.value] for kind in CycleKind if kind.value in known}
    found = cycles(
        _indicators(_rows(ctx, [CYCLE_TAG], start=start, end=end), codes),
        filling_tag=CycleKind.FILLING.value,
        emptying_tag=CycleKind.EMPTYING.value,
    )
    measured = energy_per_cycle(
        found,
        energy_rows=_rows(ctx, [ENERGY_TAG], start=start, end=end),
        power_rows=_rows(ctx, [POWER_TAG], start=start, end=end),
        energy_unit_wh=ctx.plant.tag(ENERGY_TAG).unit == "Wh",
        power_unit_w=ctx.plant.tag(POWER_TAG).unit == "W",
    )
    out = _cycle_out(measured)
    cites = [Citation(kind=CitationKind.TAG, id=t) for t in (CYCLE_TAG, ENERGY_TAG, POWER_TAG)]
    cites += [Citation(kind=CitationKind.SEQUENCE, id=k.value) for k in dict.fromkeys(c.kind for c in out)]
    return EnergyPerCycleResult(start=start, end=end, cycles=out, citations=cites)


def power_by_equipment(ctx: ToolContext, *, window_s: float = 3600.0) -> PowerPerEquipmentResult:
    """Mean, maximum and last power (kW) of each equipment with a power tag, over the last window."""
    if ctx.history is None:
        return PowerPerEquipmentResult(error=NO_HISTORY)
    end = ctx.clock.now()
    start = end - timedelta(seconds=window_s)
    tags = [t for t in ctx.plant.tags.values() if t.unit in POWER_UNITS and t.equipment]
    found = power_per_equipment(
        _rows(ctx, [t.name for t in tags], start=start, end=end),
        {t.name: t.equipment or "" for t in tags},
        watts_tags=frozenset(t.name for t in tags if POWER_UNITS[t.unit]),
    )
    names = ctx.bundle.commands.equipment
    out = [
        EquipmentPowerOut(
            equipment=p.equipment,
            name_pt=names[p.equipment].pt if p.equipment in names else p.equipment,
            name_en=names[p.equipment].en if p.equipment in names else p.equipment,
            mean_kw=round(p.mean_kw, 3),
            max_kw=round(p.max_kw, 3),
            last_kw=round(p.last_kw, 3),
            samples=p.samples,
        )
        for p in found
    ]
    cites = [Citation(kind=CitationKind.TAG, id=t.name) for t in tags]
    return PowerPerEquipmentResult(start=start, end=end, equipment=out, citations=cites)
