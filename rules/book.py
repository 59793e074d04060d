"""The alarm book: every alarm's live record, fed by rule changes and operator actions, with
chattering, flood and first-out detection."""

from __future__ import annotations

from collections import deque
from datetime import UTC, datetime
from typing import Any

from rules.alarms import AlarmCatalog, AlarmDef, AlarmKind
from rules.correlation import Correlator, causal_depth
from rules.lifecycle import SYSTEM_USER, Alarm, AlarmEvent, AlarmState, EventKind, Lifecycle
from rules.model import CorrelationConfig
from rules.network import ChangeKind, RuleChange

FLOOD_ID = "alarm_flood"


def _dt(t_s: float) -> datetime:
    return datetime.fromtimestamp(t_s, UTC)


class AlarmBook:
    """Live alarms of the plant; `apply` takes rule changes, the operator methods take actions."""

    def __init__(self, catalog: AlarmCatalog, config: CorrelationConfig) -> None:
        self.catalog = catalog
        self.config = config
        self.alarms: dict[str, Alarm] = {}
        self.lifecycle = Lifecycle()
        self.correlator = Correlator(catalog.causes, window_s=config.window_s)
        self.depth = causal_depth(catalog.causes)
        self.flooding = False
        self._recent: deque[datetime] = deque()

    def alarm(self, alarm_id: str) -> Alarm:
        """The record of an alarm (made in normal state on first use)."""
        if alarm_id not in self.alarms:
            defn = self.catalog.get(alarm_id)
            alarm = Alarm(defn)
            alarm.suppressed = self._suppressed_by_others(defn)
            self.alarms[alarm_id] = alarm
        return self.alarms[alarm_id]

    def _suppressed_by_others(self, defn: AlarmDef) -> bool:
        return any(self.alarms[a].active for a in defn.suppressed_by if a in self.alarms)

    def take_events(self) -> list[AlarmEvent]:
        events, self.lifecycle.events = self.lifecycle.events, []
        return events

    def apply(self, changes: list[RuleChange]) -> None:
        """Apply a time-ordered list of rule changes; simultaneous activations go causes first."""
        for change in sorted(changes, key=self._order):
            when = _dt(change.time_s)
            if change.kind in (ChangeKind.DATA_BAD, ChangeKind.DATA_GOOD):
                alarm = self.alarm(self.catalog.data_quality(change.subject, change.values["quality"]).id)
                self._set_active(alarm, change.kind is ChangeKind.DATA_BAD, when, change.values)
            elif change.kind in (ChangeKind.SUPPRESS, ChangeKind.UNSUPPRESS):
                alarm = self.alarm(change.subject)
                suppress = change.kind is ChangeKind.SUPPRESS
                if not suppress and alarm.active and alarm.incident_id is None:
                    self._file(alarm, when, lead=True)  # annunciated from now on: it may lead an incident
                self.lifecycle.set_suppressed(alarm, when, suppress)
            else:
                self._set_active(
                    self.alarm(change.subject), change.kind is ChangeKind.ACTIVATE, when, change.values
                )

    def _order(self, change: RuleChange) -> tuple[Any, ...]:
        """Sort by time, suppressions before activations, causes before effects, most urgent first."""
        activation = change.kind in (ChangeKind.ACTIVATE, ChangeKind.SUPPRESS)
        defn = self.catalog.defs.get(change.subject)
        rank = (defn.priority.rank, defn.order) if defn else (9, 0)
        not_suppression = change.kind is not ChangeKind.SUPPRESS
        return (change.time_s, not activation, not_suppression, self.depth.get(change.subject, 0), *rank)

    def _file(self, alarm: Alarm, when: datetime, *, lead: bool) -> None:
        """File a rule alarm's activation; leave it unfiled when it may not lead and no incident is open."""
        found = self.correlator.activate(alarm.id, when, lead=lead)
        alarm.incident_id, alarm.first_out = (found[0].id, found[1]) if found else (None, False)
        if found is None:
            return
        unfiled = [
            a
            for a in self.alarms.values()
            if a.active and a.incident_id is None and a.defn.kind is AlarmKind.RULE and a is not alarm
        ]
        for other in unfiled:  # suppressed effects left unfiled join their cause's incident
            if other.incident_id is None and self.correlator.linked(alarm.id, other.id):
                self._file(other, when, lead=False)

    def _set_active(self, alarm: Alarm, active: bool, when: datetime, values: dict[str, Any]) -> None:
        if alarm.active == active:
            return
        if active and alarm.defn.kind is AlarmKind.RULE:  # advisories never open or lead an incident
            self._file(alarm, when, lead=not alarm.suppressed)  # suppressed by design: never the first-out
        if active:
            self.lifecycle.activate(alarm, when, values)
            self._count(alarm, when)
        else:
            self.correlator.clear(alarm.id)
            self.lifecycle.clear(alarm, when, values)
        for other in list(self.alarms.values()):
            if alarm.id in other.defn.suppressed_by:
                self.lifecycle.set_suppressed(other, when, self._suppressed_by_others(other.defn))

    def _count(self, alarm: Alarm, when: datetime) -> None:
        """Chattering per alarm (N activations in a window) and flood over all alarms."""
        window = alarm.activations
        window.append(when)
        while (when - window[0]).total_seconds() > self.config.chatter_window_s:
            window.popleft()
        if len(window) >= self.config.chatter_count and not alarm.chattering:
            alarm.chattering = True
            self.lifecycle.note(alarm, EventKind.CHATTERING, when)
        if alarm.defn.kind is AlarmKind.RULE:
            self._recent.append(when)
            self._flood_check(when)

    def _flood_check(self, now: datetime) -> None:
        while self._recent and (now - self._recent[0]).total_seconds() > self.config.flood_window_s:
            self._recent.popleft()
        flooding = len(self._recent) > self.config.flood_count
        if flooding != self.flooding:
            self.flooding = flooding
            kind = EventKind.FLOOD_STARTED if flooding else EventKind.FLOOD_ENDED
            self.lifecycle.events.append(
                AlarmEvent(
                    now,
                    FLOOD_ID,
                    kind,
                    AlarmState.NORMAL,
                    AlarmState.NORMAL,
                    values={"alarms_in_window": len(self._recent)},
                )
            )

    def tick(self, now: datetime) -> None:
        """Let time act: shelving expires, chattering ends, floods end, quiet incidents close."""
        for alarm in self.alarms.values():
            if alarm.shelved_until is not None and alarm.shelved_until <= now:
                self.lifecycle.unshelve(alarm, alarm.shelved_until, expired=True)
            if alarm.chattering and (
                not alarm.activations
                or (now - alarm.activations[-1]).total_seconds() > self.config.chatter_window_s
            ):
                alarm.chattering = False
                alarm.activations.clear()
                self.lifecycle.note(alarm, EventKind.CHATTERING_ENDED, now)
        if self.flooding:
            self._flood_check(now)
        self.correlator.tick(now)

    def acknowledge(self, alarm_id: str, *, user: str, comment: str = "", now: datetime) -> AlarmEvent:
        return self.lifecycle.acknowledge(self._known(alarm_id), now, user=user, comment=comment)

    def shelve(
        self, alarm_id: str, *, for_s: float, user: str, comment: str = "", now: datetime
    ) -> AlarmEvent:
        return self.lifecycle.shelve(self._known(alarm_id), now, for_s=for_s, user=user, comment=comment)

    def unshelve(self, alarm_id: str, *, user: str, comment: str = "", now: datetime) -> AlarmEvent:
        return self.lifecycle.unshelve(self._known(alarm_id), now, user=user, comment=comment)

    def remove_from_service(
        self, alarm_id: str, *, user: str, comment: str = "", now: datetime
    ) -> AlarmEvent:
        return self.lifecycle.set_in_service(self._known(alarm_id), now, False, user=user, comment=comment)

    def return_to_service(
        self, alarm_id: str, *, user: str = SYSTEM_USER, comment: str = "", now: datetime
    ) -> AlarmEvent:
        return self.lifecycle.set_in_service(self._known(alarm_id), now, True, user=user, comment=comment)

    def _known(self, alarm_id: str) -> Alarm:
        try:
            return self.alarm(alarm_id)
        except KeyError:
            from rules.lifecycle import AlarmOperationError

            raise AlarmOperationError(f"unknown alarm '{alarm_id}'") from None

    def active(self) -> list[Alarm]:
        """Alarms not in normal state, most urgent first."""
        out = [a for a in self.alarms.values() if a.state is not AlarmState.NORMAL or a.active]
        return sorted(
            out, key=lambda a: (a.defn.priority.rank, a.activated_at or datetime.min.replace(tzinfo=UTC))
        )
