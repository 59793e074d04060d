"""Adapters from the other parts to the tools' ports: current store, history, rules engine, knowledge base."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import psycopg
import redis

from lockpilot.clock import Clock
from lockpilot.plant import Plant
from lockpilot.samples import Sample
from rules.bundle import PlantBundle
from rules.engine import RulesEngine
from rules.kpi import Activation
from rules.lifecycle import Alarm, AlarmEvent, EventKind
from rules.sequences import LiveValue, SequenceChecker
from storage import history
from storage.current import CurrentValue, read_current
from tools.alarm_store import kpi_figures
from tools.conditions import condition_reads
from tools.ports import AlarmView, KnowledgeHit, PreconditionView, RuleView, SequenceCheckView, SequenceInfo
from tools.rule_views import rule_view
from tools.store_guard import STORE_TIMEOUT_S, PgReader, Store, StoreUnavailable, redis_client

__all__ = ["rule_view"]  # re-exported: callers take it from here


class RedisCurrent:
    """Current values from storage's Redis hash; StoreUnavailable when Redis does not answer in time."""

    def __init__(self, redis_url: str, plant: Plant, clock: Clock) -> None:
        self._client = redis_client(redis_url)
        self._plant, self._clock = plant.name, clock

    def __call__(self, tags: Sequence[str]) -> Mapping[str, CurrentValue | None]:
        try:
            return read_current(self._client, self._plant, tags, clock=self._clock)
        except redis.RedisError:
            raise StoreUnavailable(Store.REDIS) from None


class PgHistory:
    """History queries of storage on one connection (one query at a time), each under a deadline."""

    def __init__(self, database_url: str) -> None:
        self._reader = PgReader(database_url)

    def raw(self, tag: str, *, start: datetime, end: datetime, limit: int) -> list[history.HistoryPoint]:
        return self._reader.run(lambda c: history.raw(c, tag, start=start, end=end, limit=limit))

    def aggregate(self, tag: str, *, start: datetime, end: datetime, every_s: float) -> list[history.Bucket]:
        every = timedelta(seconds=every_s)
        return self._reader.run(lambda c: history.aggregate(c, tag, start=start, end=end, every=every))

    def stats(self, tag: str, *, start: datetime, end: datetime) -> history.TagStats:
        return self._reader.run(lambda c: history.stats(c, tag, start=start, end=end))

    def close(self) -> None:
        """Close the connection."""
        self._reader.close()


def alarm_view(alarm: Alarm) -> AlarmView:
    """An alarm of the engine's book as the tools show it."""
    d = alarm.defn
    return AlarmView(
        id=d.id,
        rule_id=d.id,
        name=d.name,
        state=alarm.state.value,
        priority=d.priority.value,
        severity=d.severity.value,
        equipment=d.equipment,
        since=alarm.activated_at,
        acknowledged=not alarm.unacked,
        first_out=alarm.first_out,
        related=[],
        values=dict(alarm.values),
    )


class LiveRules:
    """A rules engine fed in-process (a SampleSink: replays, evals); separate processes use StoredAlarms."""

    def __init__(
        self,
        plant: Plant,
        engine: RulesEngine,
        clock: Clock,
        *,
        keep_events: int = 50_000,
        current: Any = None,
        refresh_after_s: float = 1.0,
    ) -> None:
        self.plant, self.engine, self.clock = plant, engine, clock
        self._current, self._refresh_after_s = current, refresh_after_s
        self._refreshed: datetime | None = None
        self._views = [rule_view(r, plant) for r in engine.rules.rules]
        self._checker = SequenceChecker(plant, engine.sequences, engine.rules.params)
        self._latest: dict[str, Sample] = {}
        self._events: deque[AlarmEvent] = deque(maxlen=keep_events)
        self._lock = threading.Lock()

    @property
    def lock(self) -> threading.Lock:
        """Held while the engine evaluates: operator actions on the engine must take it too."""
        return self._lock

    def publish(self, batch: Sequence[Sample]) -> None:
        """Evaluate a batch of samples now (the engine is fast and pure)."""
        with self._lock:
            for s in batch:
                self._latest[s.tag] = s
            self._events.extend(self.engine.evaluate(batch, self.clock.now()))

    def refresh(self) -> None:
        """In a process without collectors, evaluate the current store's snapshot (at most once a second)."""
        now = self.clock.now()
        if self._current is None or (
            self._refreshed and (now - self._refreshed).total_seconds() < self._refresh_after_s
        ):
            return
        self._refreshed = now
        stored = self._current(list(self.plant.tags))
        batch = sorted(
            (Sample(t, c.time, c.value, c.quality, "current") for t, c in stored.items() if c is not None),
            key=lambda s: s.time,
        )
        self.publish(batch)

    def rules(self) -> list[RuleView]:
        return list(self._views)

    def rule(self, rule_id: str) -> RuleView | None:
        return next((r for r in self._views if r.id == rule_id), None)

    def active(self) -> list[AlarmView]:
        self.refresh()
        with self._lock:
            alarms = self.engine.active_alarms()
            views = [alarm_view(a) for a in alarms]
        incidents: dict[str, list[str]] = {}
        for a in alarms:
            if a.incident_id:
                incidents.setdefault(a.incident_id, []).append(a.id)
        for view, a in zip(views, alarms, strict=True):
            view.related = [i for i in incidents.get(a.incident_id or "", []) if i != a.id]
        return views

    def kpis(self, *, start: datetime, end: datetime) -> dict[str, Any]:
        """The same KPIs as the stored alarms, over the events this engine produced in [start, end)."""
        with self._lock:
            events = [e for e in self._events if start <= e.time < end]
            since = {a.id: a.activated_at for a in self.engine.active_alarms() if a.active and a.activated_at}
        activations = [
            Activation(e.time, e.alarm_id, e.priority) for e in events if e.kind is EventKind.ACTIVATED
        ]
        floods = sum(1 for e in events if e.kind is EventKind.FLOOD_STARTED)
        return kpi_figures(activations, since, floods=floods, start=start, end=end)

    def activations(self, alarm_id: str, *, start: datetime, end: datetime) -> list[datetime]:
        """When `alarm_id` was raised in [start, end) among the events this engine produced, newest first."""
        with self._lock:
            times = [
                e.time
                for e in self._events
                if e.alarm_id == alarm_id and e.kind is EventKind.ACTIVATED and start <= e.time < end
            ]
        return sorted(times, reverse=True)[:50]

    def sequences(self) -> list[SequenceInfo]:
        return [SequenceInfo(id=s.id, code=s.code, name=s.name) for s in self._checker.sequences.values()]

    def check(self, sequence_id: str) -> SequenceCheckView:
        """Check a sequence on the latest samples the engine received."""
        self.refresh()
        with self._lock:
            values = {t: LiveValue(s.value, s.time, s.quality) for t, s in self._latest.items()}
        result = self._checker.check(sequence_id, values, self.clock.now())
        return sequence_view(self.plant, result)


def sequence_view(plant: Plant, result: Any) -> SequenceCheckView:
    """The rules part's SequenceCheck as the tools show it: what each condition reads, its limit."""
    pre = []
    for p in result.preconditions:
        tag = p.tags[0] if p.tags else None
        reads, op = condition_reads(p.condition, p.tags)
        meta = plant.tags.get(tag) if tag else None
        states = {code: name.pt for code, name in meta.states.items()} if meta and len(p.tags) == 1 else {}
        pre.append(
            PreconditionView(
                id=p.id,
                sentence=p.sentence,
                passed=p.passed,
                tag=tag,
                value=p.live,
                threshold=p.threshold,
                unit=meta.unit if meta else "",
                data_age_s=p.age_s,
                reads=reads,
                operator=op,
                states=states,
            )
        )
    return SequenceCheckView(
        sequence_id=result.sequence_id,
        name=result.name,
        permitted=result.permitted,
        preconditions=pre,
    )


class CurrentSequences:
    """Sequence checks on the current store's values (when no live engine runs in this process)."""

    def __init__(self, bundle: PlantBundle, current: Any, clock: Clock) -> None:
        self.plant, self.current, self.clock = bundle.plant, current, clock
        self._checker = SequenceChecker(bundle.plant, bundle.sequences, bundle.parameters)

    def sequences(self) -> list[SequenceInfo]:
        return [SequenceInfo(id=s.id, code=s.code, name=s.name) for s in self._checker.sequences.values()]

    def check(self, sequence_id: str) -> SequenceCheckView:
        tags = sorted(
            {t for (seq, _), leaf in self._checker.leaves.items() if seq == sequence_id for t in leaf.tags}
        )
        stored = self.current(tags)
        values = {t: LiveValue(c.value, c.time, c.quality) for t, c in stored.items() if c is not None}
        return sequence_view(self.plant, self._checker.check(sequence_id, values, self.clock.now()))


FIRST_INDEX_GUESS_S = 105.0  # the first full index of the lock's corpus on 2 cores (issue 17)
_INDEXING: dict[str, tuple[float, float]] = {}  # plant -> (started, expected seconds), while an index runs
_INDEXING_LOCK = threading.Lock()


def mark_indexing(plant: str, *, expected_s: float = FIRST_INDEX_GUESS_S) -> None:
    """The background indexer started a run (the copilot then says "still indexing" instead of nothing)."""
    with _INDEXING_LOCK:
        _INDEXING[plant] = (time.monotonic(), expected_s)


def mark_indexed(plant: str) -> None:
    """The run ended (done or failed)."""
    with _INDEXING_LOCK:
        _INDEXING.pop(plant, None)


def indexing_seconds_left(plant: str) -> float | None:
    """About how long the running index still needs; None when no index runs in this process."""
    with _INDEXING_LOCK:
        found = _INDEXING.get(plant)
    if found is None:
        return None
    started, expected = found
    return max(5.0, expected - (time.monotonic() - started))


class KnowledgeAdapter:
    """The knowledge part's hybrid search."""

    def __init__(self, database_url: str, plant: Plant) -> None:
        from psycopg.conninfo import make_conninfo

        timeout_s = round(STORE_TIMEOUT_S * 1000)
        self._url = make_conninfo(
            database_url, connect_timeout=2, options=f"-c statement_timeout={timeout_s}"
        )
        self._plant = plant.name

    def indexing(self) -> float | None:
        """Seconds the first index still needs, or None when it is not running."""
        return indexing_seconds_left(self._plant)

    def search(self, query: str, *, limit: int) -> list[KnowledgeHit]:
        from knowledge.service import search_knowledge

        try:
            hits = search_knowledge(query, limit=limit, database_url=self._url, plant=self._plant)
        except psycopg.OperationalError:
            raise StoreUnavailable(Store.POSTGRESQL) from None
        return [
            KnowledgeHit(id=h.id, document=h.document, heading=h.heading, text=h.text, score=h.score)
            for h in hits
        ]
