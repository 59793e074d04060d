"""ISA-18.2 alarm lifecycle: states, operator actions and timed shelving; every transition is an event."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from rules.alarms import AlarmDef

SYSTEM_USER = "system"
MAX_SHELVE_S = 7 * 86400.0


class AlarmState(StrEnum):
    NORMAL = "normal"
    UNACKNOWLEDGED = "unacknowledged"
    ACKNOWLEDGED = "acknowledged"
    RETURNED_UNACKNOWLEDGED = "returned_unacknowledged"
    SHELVED = "shelved"
    SUPPRESSED = "suppressed_by_design"
    OUT_OF_SERVICE = "out_of_service"


# The states of an alarm whose condition still holds (returned, shelved or suppressed ones aside).
STANDING_STATES = frozenset({AlarmState.UNACKNOWLEDGED, AlarmState.ACKNOWLEDGED})


class EventKind(StrEnum):
    ACTIVATED = "activated"
    CLEARED = "cleared"
    ACKNOWLEDGED = "acknowledged"
    SHELVED = "shelved"
    UNSHELVED = "unshelved"
    SHELVE_EXPIRED = "shelve_expired"
    SUPPRESSED = "suppressed"
    UNSUPPRESSED = "unsuppressed"
    REMOVED_FROM_SERVICE = "removed_from_service"
    RETURNED_TO_SERVICE = "returned_to_service"
    CHATTERING = "chattering"
    CHATTERING_ENDED = "chattering_ended"
    FLOOD_STARTED = "flood_started"
    FLOOD_ENDED = "flood_ended"


class AlarmOperationError(ValueError):
    """An operator action that the alarm's state does not allow (e.g. acknowledging a normal alarm)."""


@dataclass(frozen=True, slots=True)
class AlarmEvent:
    """One lifecycle event: what happened to which alarm, when, by whom, from which state to which."""

    time: datetime
    alarm_id: str
    kind: EventKind
    from_state: AlarmState
    to_state: AlarmState
    user: str = SYSTEM_USER
    comment: str = ""
    priority: str = ""
    severity: str = ""
    incident_id: str | None = None
    first_out: bool = False
    values: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready view (events_log context, Redis, CLI)."""
        return {
            "time": self.time.isoformat(),
            "alarm_id": self.alarm_id,
            "kind": self.kind.value,
            "from_state": self.from_state.value,
            "to_state": self.to_state.value,
            "user": self.user,
            "comment": self.comment,
            "priority": self.priority,
            "severity": self.severity,
            "incident_id": self.incident_id,
            "first_out": self.first_out,
            "values": self.values,
        }


@dataclass
class Alarm:
    """The live record of one alarm: process condition, operator flags and derived ISA-18.2 state."""

    defn: AlarmDef
    active: bool = False
    unacked: bool = False
    suppressed: bool = False
    shelved_until: datetime | None = None
    out_of_service: bool = False
    chattering: bool = False
    activated_at: datetime | None = None
    cleared_at: datetime | None = None
    acked_at: datetime | None = None
    acked_by: str | None = None
    incident_id: str | None = None
    first_out: bool = False
    activations: deque[datetime] = field(default_factory=deque)
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.defn.id

    @property
    def state(self) -> AlarmState:
        """The ISA-18.2 state, derived from the flags (so it can never be inconsistent)."""
        if self.out_of_service:
            return AlarmState.OUT_OF_SERVICE
        if self.shelved_until is not None:
            return AlarmState.SHELVED
        if self.suppressed:
            return AlarmState.SUPPRESSED
        if self.active:
            return AlarmState.UNACKNOWLEDGED if self.unacked else AlarmState.ACKNOWLEDGED
        return AlarmState.RETURNED_UNACKNOWLEDGED if self.unacked else AlarmState.NORMAL

    @property
    def annunciated(self) -> bool:
        return self.state not in (AlarmState.SHELVED, AlarmState.SUPPRESSED, AlarmState.OUT_OF_SERVICE)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready view of the alarm for Redis, PostgreSQL and the CLI."""
        return {
            "alarm_id": self.id,
            "kind": self.defn.kind.value,
            "state": self.state.value,
            "active": self.active,
            "priority": self.defn.priority.value,
            "severity": self.defn.severity.value,
            "name_pt": self.defn.name.pt,
            "name_en": self.defn.name.en,
            "equipment": self.defn.equipment,
            "activated_at": _iso(self.activated_at),
            "cleared_at": _iso(self.cleared_at),
            "acked_at": _iso(self.acked_at),
            "acked_by": self.acked_by,
            "shelved_until": _iso(self.shelved_until),
            "chattering": self.chattering,
            "incident_id": self.incident_id,
            "first_out": self.first_out,
            "values": self.values,
        }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


class Lifecycle:
    """Applies process changes and operator actions to alarms and reports each as an AlarmEvent."""

    def __init__(self) -> None:
        self.events: list[AlarmEvent] = []

    def _emit(
        self,
        alarm: Alarm,
        kind: EventKind,
        when: datetime,
        before: AlarmState,
        *,
        user: str = SYSTEM_USER,
        comment: str = "",
    ) -> AlarmEvent:
        event = AlarmEvent(
            when,
            alarm.id,
            kind,
            before,
            alarm.state,
            user,
            comment,
            alarm.defn.priority.value,
            alarm.defn.severity.value,
            alarm.incident_id,
            alarm.first_out,
            dict(alarm.values),
        )
        self.events.append(event)
        return event

    def activate(self, alarm: Alarm, when: datetime, values: dict[str, Any]) -> AlarmEvent:
        before = alarm.state
        alarm.active, alarm.activated_at, alarm.values = True, when, values
        alarm.acked_at = alarm.acked_by = None
        alarm.unacked = alarm.annunciated or alarm.unacked
        return self._emit(alarm, EventKind.ACTIVATED, when, before)

    def clear(self, alarm: Alarm, when: datetime, values: dict[str, Any]) -> AlarmEvent:
        before = alarm.state
        alarm.active, alarm.cleared_at, alarm.values = False, when, values
        if not alarm.annunciated:
            alarm.unacked = False
        return self._emit(alarm, EventKind.CLEARED, when, before)

    def acknowledge(self, alarm: Alarm, when: datetime, *, user: str, comment: str = "") -> AlarmEvent:
        before = alarm.state
        if before not in (AlarmState.UNACKNOWLEDGED, AlarmState.RETURNED_UNACKNOWLEDGED):
            raise AlarmOperationError(f"alarm '{alarm.id}' is {before.value}: nothing to acknowledge")
        alarm.unacked, alarm.acked_at, alarm.acked_by = False, when, user
        return self._emit(alarm, EventKind.ACKNOWLEDGED, when, before, user=user, comment=comment)

    def shelve(
        self, alarm: Alarm, when: datetime, *, for_s: float, user: str, comment: str = ""
    ) -> AlarmEvent:
        before = alarm.state
        if before is AlarmState.OUT_OF_SERVICE:
            raise AlarmOperationError(f"alarm '{alarm.id}' is out of service: it cannot be shelved")
        if not 0 < for_s <= MAX_SHELVE_S:
            raise AlarmOperationError(f"shelving lasts between 1 s and {MAX_SHELVE_S / 86400:g} days")
        alarm.shelved_until, alarm.unacked = when + timedelta(seconds=for_s), False
        return self._emit(alarm, EventKind.SHELVED, when, before, user=user, comment=comment)

    def unshelve(
        self,
        alarm: Alarm,
        when: datetime,
        *,
        user: str = SYSTEM_USER,
        comment: str = "",
        expired: bool = False,
    ) -> AlarmEvent:
        before = alarm.state
        if alarm.shelved_until is None:
            raise AlarmOperationError(f"alarm '{alarm.id}' is not shelved")
        alarm.shelved_until = None
        alarm.unacked = alarm.active and alarm.annunciated
        kind = EventKind.SHELVE_EXPIRED if expired else EventKind.UNSHELVED
        return self._emit(alarm, kind, when, before, user=user, comment=comment)

    def set_suppressed(self, alarm: Alarm, when: datetime, suppressed: bool) -> AlarmEvent | None:
        if alarm.suppressed == suppressed:
            return None
        before = alarm.state
        alarm.suppressed = suppressed
        alarm.unacked = alarm.active and alarm.annunciated and not suppressed
        return self._emit(alarm, EventKind.SUPPRESSED if suppressed else EventKind.UNSUPPRESSED, when, before)

    def set_in_service(
        self, alarm: Alarm, when: datetime, in_service: bool, *, user: str, comment: str = ""
    ) -> AlarmEvent:
        before = alarm.state
        if alarm.out_of_service != in_service:
            raise AlarmOperationError(
                f"alarm '{alarm.id}' is already {'in' if in_service else 'out of'} service"
            )
        alarm.out_of_service = not in_service
        alarm.shelved_until = None
        alarm.unacked = alarm.active and alarm.annunciated
        kind = EventKind.RETURNED_TO_SERVICE if in_service else EventKind.REMOVED_FROM_SERVICE
        return self._emit(alarm, kind, when, before, user=user, comment=comment)

    def note(self, alarm: Alarm, kind: EventKind, when: datetime) -> AlarmEvent:
        """Record a condition of the alarm that does not change its state (chattering)."""
        return self._emit(alarm, kind, when, alarm.state)
