"""ISA-18.2 / EEMUA 191 alarm KPIs from activation events and current alarm states."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

PERIOD = timedelta(minutes=10)
FLOOD_PER_PERIOD = 10
STALE_AFTER = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class Activation:
    time: datetime
    alarm_id: str
    priority: str


@dataclass
class KpiReport:
    """The figures an alarm-management review asks for."""

    start: datetime
    end: datetime
    activations: int
    per_10min_avg: float
    flood_periods_pct: float
    peak_per_10min: int
    bad_actors: list[tuple[str, int]]
    chattering: list[str]
    stale: list[str]
    priority_mix_pct: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "activations": self.activations,
            "alarms_per_10min_avg": round(self.per_10min_avg, 3),
            "flood_periods_pct": round(self.flood_periods_pct, 2),
            "peak_per_10min": self.peak_per_10min,
            "top10_bad_actors": [{"alarm_id": a, "count": n} for a, n in self.bad_actors],
            "chattering": self.chattering,
            "stale_over_24h": self.stale,
            "priority_mix_pct": {k: round(v, 1) for k, v in self.priority_mix_pct.items()},
        }


def _chattering(
    activations: Sequence[Activation], *, count: int = 3, window: timedelta = timedelta(seconds=60)
) -> list[str]:
    times: dict[str, list[datetime]] = {}
    for a in activations:
        times.setdefault(a.alarm_id, []).append(a.time)
    out = []
    for alarm_id, ts in times.items():
        ts.sort()
        if any(ts[i + count - 1] - ts[i] <= window for i in range(len(ts) - count + 1)):
            out.append(alarm_id)
    return sorted(out)


def kpi_report(
    activations: Sequence[Activation], active_since: dict[str, datetime], *, start: datetime, end: datetime
) -> KpiReport:
    """Compute the KPIs over [start, end) from activations and the activation time of alarms still active."""
    periods = max(1, int((end - start) / PERIOD) + (1 if (end - start) % PERIOD else 0))
    buckets = Counter(int((a.time - start) / PERIOD) for a in activations if start <= a.time < end)
    inside = [a for a in activations if start <= a.time < end]
    priorities = Counter(a.priority for a in inside)
    total = len(inside)
    return KpiReport(
        start=start,
        end=end,
        activations=total,
        per_10min_avg=total / periods,
        flood_periods_pct=100.0 * sum(1 for n in buckets.values() if n > FLOOD_PER_PERIOD) / periods,
        peak_per_10min=max(buckets.values(), default=0),
        bad_actors=Counter(a.alarm_id for a in inside).most_common(10),
        chattering=_chattering(inside),
        stale=sorted(a for a, since in active_since.items() if end - since > STALE_AFTER),
        priority_mix_pct={p: 100.0 * n / total for p, n in priorities.items()} if total else {},
    )
