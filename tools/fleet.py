"""Fleet tools of the central copilot: the site tools (read_tag, list_active_alarms, energy_per_cycle) run
on each site's stored data, with an optional `site` (a Sparkplug edge node id; None means every site)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from fleet.central.store import SiteStatus
from lockpilot.language import Language
from tools.alarms import list_active_alarms
from tools.context import ToolContext
from tools.fleet_desk import FleetDesk
from tools.live import read_tag
from tools.metering import CYCLE_TAG, energy_per_lock_cycle
from tools.models import Citation, CitationKind, TagReading, ToolResult
from tools.ports import AlarmView

NO_FLEET = "this copilot is not a fleet central"
PRIORITIES = ("critical", "high", "medium", "low")


class FleetToolName(StrEnum):
    FLEET_STATUS = "fleet_status"
    FLEET_ALARMS = "fleet_alarms"
    FLEET_READ_TAG = "fleet_read_tag"
    FLEET_ENERGY_PER_CYCLE = "fleet_energy_per_cycle"


class SiteSummary(BaseModel):
    site: str
    online: bool
    since: datetime | None = None
    last_update: datetime | None = None
    sequence: str | None = None  # the running sequence's id, None when idle or unknown
    alarms_by_priority: dict[str, int] = Field(default_factory=dict)
    first_out: str = ""


class SiteAlarmsOut(BaseModel):
    site: str
    online: bool
    alarms: list[AlarmView] = Field(default_factory=list)


class SiteReadings(BaseModel):
    site: str
    online: bool
    readings: list[TagReading] = Field(default_factory=list)
    error: str | None = None


class SiteEnergy(BaseModel):
    site: str
    cycles: int = 0
    total_kwh: float = 0.0
    mean_kwh: float | None = None
    mean_kwh_by_kind: dict[str, float] = Field(default_factory=dict)
    error: str | None = None


class FleetStatusResult(ToolResult):
    sites: list[SiteSummary] = Field(default_factory=list)


class FleetAlarmsResult(ToolResult):
    sites: list[SiteAlarmsOut] = Field(default_factory=list)


class FleetReadResult(ToolResult):
    sites: list[SiteReadings] = Field(default_factory=list)


class FleetEnergyResult(ToolResult):
    start: datetime | None = None
    end: datetime | None = None
    sites: list[SiteEnergy] = Field(default_factory=list)


def _epoch(seconds: float | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


def _chosen(desk: FleetDesk, site: str | None) -> list[SiteStatus] | str:
    statuses = desk.statuses()
    if site is None:
        return statuses
    chosen = [s for s in statuses if s.site == site]
    return chosen or f"unknown site '{site}' (known: {', '.join(s.site for s in statuses) or 'none'})"


def _sequence(desk: FleetDesk, ctx: ToolContext) -> str | None:
    value = ctx.current([CYCLE_TAG]).get(CYCLE_TAG)
    code = None if value is None or value.value is None else int(value.value)
    return next((s.id for s in desk.sequences() if code and s.code == code), None)


def fleet_status(ctx: ToolContext, *, site: str | None = None) -> FleetStatusResult:
    """Every lock: online or not since when, last update, running sequence, alarms by priority, first-out."""
    if ctx.fleet is None:
        return FleetStatusResult(error=NO_FLEET)
    chosen = _chosen(ctx.fleet, site)
    if isinstance(chosen, str):
        return FleetStatusResult(error=chosen)
    out = []
    for status in chosen:
        site_ctx = ctx.fleet.context(status)
        counts = {p: 0 for p in PRIORITIES}
        for alarm in site_ctx.alarms.active() if site_ctx.alarms else []:
            counts[alarm.priority] = counts.get(alarm.priority, 0) + 1
        out.append(
            SiteSummary(
                site=status.site,
                online=status.online,
                since=_epoch(status.since),
                last_update=_epoch(status.last_seen),
                sequence=_sequence(ctx.fleet, site_ctx),
                alarms_by_priority={p: n for p, n in counts.items() if n},
                first_out=status.first_out,
            )
        )
    return FleetStatusResult(sites=out)


def fleet_alarms(ctx: ToolContext, *, site: str | None = None) -> FleetAlarmsResult:
    """The active alarms of each lock (or one), most urgent first."""
    if ctx.fleet is None:
        return FleetAlarmsResult(error=NO_FLEET)
    chosen = _chosen(ctx.fleet, site)
    if isinstance(chosen, str):
        return FleetAlarmsResult(error=chosen)
    out, cites = [], []
    for status in chosen:
        result = list_active_alarms(ctx.fleet.context(status))
        out.append(SiteAlarmsOut(site=status.site, online=status.online, alarms=result.alarms))
        cites += result.citations
    return FleetAlarmsResult(sites=out, citations=list(dict.fromkeys(cites)))


def fleet_read_tag(
    ctx: ToolContext, tags: list[str], *, site: str | None = None, language: Language = Language.PT
) -> FleetReadResult:
    """Current values of tags at one lock (or every lock)."""
    if ctx.fleet is None:
        return FleetReadResult(error=NO_FLEET)
    chosen = _chosen(ctx.fleet, site)
    if isinstance(chosen, str):
        return FleetReadResult(error=chosen)
    out = []
    for status in chosen:
        result = read_tag(ctx.fleet.context(status), tags, language=language)
        out.append(
            SiteReadings(site=status.site, online=status.online, readings=result.readings, error=result.error)
        )
    return FleetReadResult(sites=out, citations=[Citation(kind=CitationKind.TAG, id=t) for t in tags])


def fleet_energy_per_cycle(
    ctx: ToolContext, *, site: str | None = None, window_s: float
) -> FleetEnergyResult:
    """Energy per lock cycle of each lock over the window: cycles, total, mean per cycle and per kind."""
    if ctx.fleet is None:
        return FleetEnergyResult(error=NO_FLEET)
    chosen = _chosen(ctx.fleet, site)
    if isinstance(chosen, str):
        return FleetEnergyResult(error=chosen)
    end = ctx.clock.now()
    out, cites = [], []
    for status in chosen:
        result = energy_per_lock_cycle(ctx.fleet.context(status), window_s=window_s)
        cites += result.citations
        kinds: dict[str, list[float]] = {}
        for cycle in result.cycles:
            kinds.setdefault(cycle.kind.value, []).append(cycle.energy_kwh)
        total = sum(c.energy_kwh for c in result.cycles)
        out.append(
            SiteEnergy(
                site=status.site,
                cycles=len(result.cycles),
                total_kwh=round(total, 3),
                mean_kwh=round(total / len(result.cycles), 3) if result.cycles else None,
                mean_kwh_by_kind={k: round(sum(v) / len(v), 3) for k, v in kinds.items()},
                error=result.error,
            )
        )
    start = end - timedelta(seconds=window_s)
    return FleetEnergyResult(start=start, end=end, sites=out, citations=list(dict.fromkeys(cites)))


class FleetStatusArgs(BaseModel):
    """Every lock of the waterway: online since when, last update, sequence, alarms by priority, first-out."""

    site: str | None = Field(default=None, description="a site id such as eclusa-3; none for every lock")


class FleetAlarmsArgs(BaseModel):
    """Active alarms of every lock, or of one site, most urgent first."""

    site: str | None = None


class FleetReadTagArgs(BaseModel):
    """Current values of up to 20 tags (exact names) at one site, or at every lock."""

    tags: list[str] = Field(min_length=1, max_length=20)
    site: str | None = None


class FleetEnergyArgs(BaseModel):
    """Energy per lock cycle (kWh) of every lock, or one site, over the last window_s seconds."""

    site: str | None = None
    window_s: float = Field(default=86400.0, gt=0, le=7 * 86400)


FleetRunner = Callable[[ToolContext, Any, Language], ToolResult]
FLEET_TOOLS: dict[FleetToolName, tuple[type[BaseModel], FleetRunner]] = {
    FleetToolName.FLEET_STATUS: (FleetStatusArgs, lambda c, a, lang: fleet_status(c, site=a.site)),
    FleetToolName.FLEET_ALARMS: (FleetAlarmsArgs, lambda c, a, lang: fleet_alarms(c, site=a.site)),
    FleetToolName.FLEET_READ_TAG: (
        FleetReadTagArgs,
        lambda c, a, lang: fleet_read_tag(c, a.tags, site=a.site, language=lang),
    ),
    FleetToolName.FLEET_ENERGY_PER_CYCLE: (
        FleetEnergyArgs,
        lambda c, a, lang: fleet_energy_per_cycle(c, site=a.site, window_s=a.window_s),
    ),
}
