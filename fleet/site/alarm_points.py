"""The lock's alarms as node metrics: each alarm's ISA-18.2 state and the standing incident's first-out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fleet.sparkplug.topics import FIRST_OUT, alarm_metric
from rules.lifecycle import AlarmEvent, AlarmState, EventKind

Entry = tuple[str, int, Any, int]
GOOD_CODE = 192
_ACTIVE_STATES = (AlarmState.UNACKNOWLEDGED.value, AlarmState.ACKNOWLEDGED.value)


@dataclass
class AlarmStatus:
    state: str = AlarmState.NORMAL.value
    active: bool = False
    first_out: bool = False
    since_ms: int | None = None


def _ms(moment: datetime | None) -> int | None:
    return None if moment is None else int(moment.timestamp() * 1000)


class AlarmPoints:
    """Keeps every alarm's state from the runner's snapshot and events; turns changes into journal entries."""

    def __init__(self) -> None:
        self.status: dict[str, AlarmStatus] = {}
        self.first_out = ""
        self._first_out_since = 0

    def load(self, docs: Iterable[Mapping[str, Any]]) -> None:
        """Start from stored alarm documents (Alarm.as_dict) of the runner's book."""
        for doc in docs:
            since = doc.get("activated_at")
            self.status[doc["alarm_id"]] = AlarmStatus(
                state=doc["state"],
                active=bool(doc.get("active")),
                first_out=bool(doc.get("first_out")),
                since_ms=_ms(datetime.fromisoformat(since)) if since else None,
            )
        self.first_out = self._standing_first_out()

    def _standing_first_out(self) -> str:
        standing = [
            (s.since_ms or 0, alarm_id)
            for alarm_id, s in self.status.items()
            if s.first_out and s.state != AlarmState.NORMAL.value
        ]
        return max(standing)[1] if standing else ""

    def apply(self, events: Iterable[AlarmEvent]) -> list[Entry]:
        """Entries for the state metrics the events changed, and for the first-out when it changed."""
        entries: list[Entry] = []
        for event in events:
            s = self.status.setdefault(event.alarm_id, AlarmStatus())
            if event.kind is EventKind.ACTIVATED:
                s.active, s.since_ms, s.first_out = True, _ms(event.time), event.first_out
            elif event.kind is EventKind.CLEARED:
                s.active = False
            s.state = event.to_state.value
            if s.state == AlarmState.NORMAL.value:
                s.first_out = False
            t_ms = _ms(event.time) or 0
            entries.append((alarm_metric(event.alarm_id), t_ms, self.value(event.alarm_id), GOOD_CODE))
            first_out = self._standing_first_out()
            if first_out != self.first_out:
                self.first_out = first_out
                entries.append((FIRST_OUT, t_ms, first_out, GOOD_CODE))
        return entries

    def value(self, alarm_id: str) -> list[Any]:
        """The journal form of an alarm's state: [state, active, first-out, activation time in ms]."""
        s = self.status.get(alarm_id, AlarmStatus())
        return [s.state, s.active or s.state in _ACTIVE_STATES, s.first_out, s.since_ms]


def split_alarm_value(value: Any) -> tuple[str, dict[str, bool | int]]:
    """The state metric's value and its properties (active, firstOut, since) from the journal form."""
    state, active, first_out, since_ms = value
    props: dict[str, bool | int] = {"active": bool(active), "firstOut": bool(first_out)}
    if since_ms is not None:
        props["since"] = int(since_ms)
    return str(state), props
