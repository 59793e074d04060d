"""The rules engine: samples and the time in, alarm events out. Deterministic, no I/O, no wall clock."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from lockpilot.plant import Plant
from lockpilot.samples import Sample
from rules.alarms import AlarmCatalog, AlarmKind
from rules.anomalies import AnomalyDetector
from rules.book import AlarmBook
from rules.bundle import PlantBundle
from rules.lifecycle import Alarm, AlarmEvent
from rules.loader import RuleSet
from rules.model import SequenceDef
from rules.network import ChangeKind, Network, RuleChange
from rules.sequences import SequenceStatus, SequenceTracker


class RulesEngine:
    """Evaluates every rule incrementally and keeps the ISA-18.2 alarm book; same code live and replayed."""

    def __init__(
        self,
        plant: Plant,
        rules: RuleSet,
        sequences: Mapping[str, SequenceDef] | None = None,
        *,
        anomalies: bool = True,
    ) -> None:
        self.plant = plant
        self.rules = rules
        self.network = Network(plant, rules)
        self.catalog = AlarmCatalog(plant, rules)
        self.book = AlarmBook(self.catalog, rules.config.correlation)
        self.sequences: Mapping[str, SequenceDef] = sequences or {}
        self.tracker = SequenceTracker(self.sequences)
        ctx = self.network.ctx
        ctx.step_overdue = lambda: self.tracker.overdue(ctx.values, ctx.t_s)
        config = rules.config.anomalies
        self.anomalies = AnomalyDetector(plant, config) if anomalies and config is not None else None

    @classmethod
    def for_bundle(cls, bundle: PlantBundle, *, anomalies: bool = True) -> RulesEngine:
        """An engine with the bundle's rules and sequences."""
        return cls(bundle.plant, bundle.rules, bundle.sequences, anomalies=anomalies)

    def evaluate(self, samples: Iterable[Sample], now: datetime) -> list[AlarmEvent]:
        """Take a batch of samples (time-ordered) and the current time; return the alarm events caused."""
        now_s = now.timestamp()
        changes = self.network.apply(samples)
        changes += self.network.advance(now_s)
        if self.anomalies is not None:
            changes += self.anomalies.update(self.network.ctx.values, self.network.ctx.trusted, now_s)
        if changes:
            self.book.apply(changes)
        self.book.tick(now)
        return self.book.take_events()

    def report(self, alarm_id: str, *, values: dict[str, Any], now: datetime) -> list[AlarmEvent]:
        """An event alarm another part reports (rules.yaml `events`): raised with `values` and returned at
        once, so it waits for an operator's acknowledgement (ISA-18.2 returned-unacknowledged)."""
        if self.book.catalog.get(alarm_id).kind is not AlarmKind.EVENT:
            raise KeyError(f"'{alarm_id}' is not an event alarm of rules.yaml")
        t_s = now.timestamp()
        self.book.apply(
            [
                RuleChange(ChangeKind.ACTIVATE, alarm_id, t_s, dict(values)),
                RuleChange(ChangeKind.CLEAR, alarm_id, t_s, dict(values)),
            ]
        )
        return self.book.take_events()

    def acknowledge(self, alarm_id: str, *, user: str, comment: str = "", now: datetime) -> AlarmEvent:
        """Acknowledge an alarm (unacknowledged or returned-unacknowledged)."""
        return self.book.acknowledge(alarm_id, user=user, comment=comment, now=now)

    def shelve(
        self, alarm_id: str, *, for_s: float, user: str, comment: str = "", now: datetime
    ) -> AlarmEvent:
        """Shelve an alarm for `for_s` seconds; it comes back by itself when the time is up."""
        return self.book.shelve(alarm_id, for_s=for_s, user=user, comment=comment, now=now)

    def unshelve(self, alarm_id: str, *, user: str, comment: str = "", now: datetime) -> AlarmEvent:
        return self.book.unshelve(alarm_id, user=user, comment=comment, now=now)

    def remove_from_service(
        self, alarm_id: str, *, user: str, comment: str = "", now: datetime
    ) -> AlarmEvent:
        return self.book.remove_from_service(alarm_id, user=user, comment=comment, now=now)

    def return_to_service(self, alarm_id: str, *, user: str, comment: str = "", now: datetime) -> AlarmEvent:
        return self.book.return_to_service(alarm_id, user=user, comment=comment, now=now)

    def active_alarms(self) -> list[Alarm]:
        """Alarms not in normal state, most urgent first."""
        return self.book.active()

    def alarm(self, alarm_id: str) -> Alarm:
        return self.book.alarm(alarm_id)

    def sequence_status(self) -> SequenceStatus:
        ctx = self.network.ctx
        return self.tracker.status(ctx.values, ctx.t_s)

    def values(self) -> dict[str, Any]:
        """The last trusted value of every tag the engine has seen."""
        return dict(self.network.ctx.values)
