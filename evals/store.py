"""An incident loaded into an in-memory store at a moment: current values, history, alarms, plant I/O.

The tools read through their ports (CurrentReader, HistoryReader, AlarmDesk, SequenceDesk), so an eval
needs no Redis or tag_history: the same rows the collector would have stored are served from memory.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from functools import cached_property

from collectors.s7 import WriteResult
from commands.plantio import PlantUnreachable
from evals.incident import Incident
from evals.replay import Cursor
from lockpilot.clock import ManualClock
from lockpilot.samples import Quality, Sample, Value
from rules.bundle import PlantBundle
from rules.engine import RulesEngine
from storage.current import CurrentValue
from storage.history import EPOCH, Bucket, HistoryPoint, TagStats
from tools.adapters import CurrentSequences, LiveRules


class IncidentStore:
    """One incident replayed forward: `advance_to(at_s)` feeds the rows up to `at_s` to the rules engine."""

    def __init__(self, incident: Incident, bundle: PlantBundle) -> None:
        self.incident, self.bundle, self.plant = incident, bundle, bundle.plant
        self.clock = ManualClock(incident.when(0.0))
        self.rules = LiveRules(bundle.plant, RulesEngine.for_bundle(bundle), self.clock)
        self.latest: dict[str, Sample] = {}
        self._cursor = Cursor(incident)
        self.at_s = 0.0

    def advance_to(self, at_s: float) -> None:
        """Feed every row up to `at_s` (the store only moves forward) and set the clock to `at_s`."""
        if at_s < self.at_s:
            raise ValueError(f"the store is at {self.at_s} s; it cannot go back to {at_s} s")
        for when, batch in self._cursor.advance_to(at_s):
            self.clock.set(when)
            self.rules.publish(batch)
            for s in batch:
                kept = self.latest.get(s.tag)
                value = s.value if s.value is not None or kept is None else kept.value
                self.latest[s.tag] = Sample(s.tag, when, value, s.quality, s.source)
        self.at_s = at_s
        self.clock.set(self.incident.when(at_s))

    def current(self, tags: Sequence[str]) -> Mapping[str, CurrentValue | None]:
        """Latest stored value of each tag, aged against the clock (a CurrentReader)."""
        now = self.clock.now()
        out: dict[str, CurrentValue | None] = {}
        for tag in tags:
            s = self.latest.get(tag)
            out[tag] = (
                None
                if s is None
                else CurrentValue(
                    tag, s.value, s.time, s.quality, self.plant.tag(tag).unit, (now - s.time).total_seconds()
                )
            )
        return out

    @cached_property
    def sequence_desk(self) -> CurrentSequences:
        """Sequence checks on this store's current values (built once per store)."""
        return CurrentSequences(self.bundle, self.current, self.clock)

    def history(self) -> IncidentHistory:
        """A HistoryReader over the rows stored so far."""
        return IncidentHistory(self.incident, upto_index=self._cursor.last_index)


class IncidentHistory:
    """tag_history of an incident up to a row, with the storage layer's result types."""

    def __init__(self, incident: Incident, *, upto_index: int) -> None:
        self.incident, self.upto = incident, upto_index

    def _points(self, tag: str, start: datetime, end: datetime) -> list[HistoryPoint]:
        inc = self.incident
        lo = bisect.bisect_left(inc.times_s, (start - inc.start).total_seconds() - 1e-9)
        hi = min(self.upto + 1, bisect.bisect_left(inc.times_s, (end - inc.start).total_seconds() - 1e-9))
        out = []
        for i in range(lo, hi):
            down = inc.link_down[i]
            value = None if down or tag not in inc.rows[i] else float(inc.rows[i][tag])
            out.append(
                HistoryPoint(
                    inc.when(inc.times_s[i]), value, Quality.COMM_ERROR if down else Quality.GOOD, "incident"
                )
            )
        return out

    def raw(self, tag: str, *, start: datetime, end: datetime, limit: int) -> list[HistoryPoint]:
        return self._points(tag, start, end)[:limit]

    def aggregate(self, tag: str, *, start: datetime, end: datetime, every_s: float) -> list[Bucket]:
        step = timedelta(seconds=every_s)
        groups: dict[datetime, list[HistoryPoint]] = {}
        for p in self._points(tag, start, end):
            groups.setdefault(EPOCH + (p.time - EPOCH) // step * step, []).append(p)
        return [_bucket(b, pts) for b, pts in sorted(groups.items())]

    def stats(self, tag: str, *, start: datetime, end: datetime) -> TagStats:
        pts = self._points(tag, start, end)
        vals = [p.value for p in pts if p.value is not None]
        last = next((p for p in reversed(pts) if p.value is not None), None)
        return TagStats(
            tag=tag,
            start=start,
            end=end,
            count=len(pts),
            n_values=len(vals),
            min=min(vals, default=None),
            max=max(vals, default=None),
            mean=sum(vals) / len(vals) if vals else None,
            last=last.value if last else None,
            last_time=last.time if last else None,
            good_share=sum(p.quality is Quality.GOOD for p in pts) / len(pts) if pts else None,
        )


def _bucket(start: datetime, pts: list[HistoryPoint]) -> Bucket:
    vals = [p.value for p in pts if p.value is not None]
    return Bucket(
        start=start,
        count=len(pts),
        n_values=len(vals),
        mean=sum(vals) / len(vals) if vals else None,
        min=min(vals, default=None),
        max=max(vals, default=None),
        first=vals[0] if vals else None,
        last=vals[-1] if vals else None,
        good_share=sum(p.quality is Quality.GOOD for p in pts) / len(pts),
    )


DEFAULT_STALE_AFTER_S = 5.0


class SandboxPlantIO:
    """The command path's plant link during an eval: reads the store; a write is recorded, never sent."""

    def __init__(self, store: IncidentStore) -> None:
        self.store = store
        self.writes: list[tuple[str, Value]] = []

    def read(self, tags: Sequence[str]) -> dict[str, Sample]:
        """What a read of the PLC returns at the store's moment: a link that has not answered for longer
        than its device's staleness limit is unreachable, as a real read would be."""
        now = self.store.clock.now()
        out = {t: self.store.latest[t] for t in tags if t in self.store.latest}
        for tag, sample in out.items():
            device = self.store.plant.devices.get(self.store.plant.tag(tag).source.device)
            limit_s = device.stale_after_s if device is not None else DEFAULT_STALE_AFTER_S
            if (now - sample.time).total_seconds() > limit_s:
                raise PlantUnreachable(f"no reading of {tag} for {(now - sample.time).total_seconds():.0f} s")
        return out

    def write(self, tag: str, value: Value) -> WriteResult:
        self.writes.append((tag, value))
        return WriteResult(tag=tag, written=value, read_back=value, verified=True)


class StoreHistory:
    """The history of a store as it is at each call: a conversation's store, or a training sandbox's,
    moves on between turns."""

    def __init__(self, store: IncidentStore) -> None:
        self.store = store

    def raw(self, tag: str, *, start: datetime, end: datetime, limit: int) -> list[HistoryPoint]:
        return self.store.history().raw(tag, start=start, end=end, limit=limit)

    def aggregate(self, tag: str, *, start: datetime, end: datetime, every_s: float) -> list[Bucket]:
        return self.store.history().aggregate(tag, start=start, end=end, every_s=every_s)

    def stats(self, tag: str, *, start: datetime, end: datetime) -> TagStats:
        return self.store.history().stats(tag, start=start, end=end)
