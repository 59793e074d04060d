"""Where proactive notifications come from: the live runner's events (`up`) or events_log (`serve`)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg

from rules.alarms import AlarmCatalog, AlarmKind
from rules.lifecycle import AlarmEvent, AlarmState, EventKind
from rules.model import Priority

log = logging.getLogger(__name__)

EVENTS_BATCH = 500
_NEW_EVENTS = "SELECT id, context FROM events_log WHERE event_type = 'alarm' AND id > %s ORDER BY id LIMIT %s"


@dataclass(frozen=True, slots=True)
class AlarmActivation:
    """A newly raised alarm as a message reader sees it."""

    alarm_id: str
    name_pt: str
    priority: Priority
    since: datetime
    first_out: bool
    action_pt: str
    incident_id: str | None = None


def activations(
    events: Iterable[AlarmEvent], catalog: AlarmCatalog, *, min_priority: Priority
) -> list[AlarmActivation]:
    """The annunciated activations at or above `min_priority` (no acks, advisories, shelved, suppressed)."""
    found = []
    for event in events:
        if event.kind is not EventKind.ACTIVATED or event.to_state is not AlarmState.UNACKNOWLEDGED:
            continue
        try:
            defn = catalog.get(event.alarm_id)
        except KeyError:
            continue
        if defn.kind is AlarmKind.ANOMALY or defn.priority.rank > min_priority.rank:
            continue
        found.append(
            AlarmActivation(
                alarm_id=defn.id,
                name_pt=defn.name.pt,
                priority=defn.priority,
                since=event.time,
                first_out=event.first_out,
                action_pt=defn.explanation.action.pt,
                incident_id=event.incident_id,
            )
        )
    return found


Offer = Callable[[Sequence[AlarmActivation]], None]


def runner_listener(
    offer: Offer, catalog: AlarmCatalog, *, min_priority: Priority
) -> Callable[[list[AlarmEvent]], None]:
    """A RulesRunner listener: hands activations to `offer`; never raises into the rules thread."""

    def listen(events: list[AlarmEvent]) -> None:
        try:
            found = activations(events, catalog, min_priority=min_priority)
            if found:
                offer(found)
        except Exception:
            log.exception("alarm notification listener failed")

    return listen


def event_from_context(context: dict[str, Any]) -> AlarmEvent:
    """Rebuild an AlarmEvent from its events_log context (AlarmEvent.as_dict)."""
    return AlarmEvent(
        time=datetime.fromisoformat(context["time"]),
        alarm_id=context["alarm_id"],
        kind=EventKind(context["kind"]),
        from_state=AlarmState(context["from_state"]),
        to_state=AlarmState(context["to_state"]),
        priority=context.get("priority", ""),
        severity=context.get("severity", ""),
        incident_id=context.get("incident_id"),
        first_out=bool(context.get("first_out")),
    )


class EventsLogFollower:
    """Follow events_log from its current end (cursor = last id) and hand activations to `offer`."""

    def __init__(
        self,
        database_url: str,
        offer: Offer,
        catalog: AlarmCatalog,
        *,
        min_priority: Priority,
        poll_s: float,
    ) -> None:
        self.database_url, self.offer, self.catalog = database_url, offer, catalog
        self.min_priority, self.poll_s = min_priority, poll_s
        self.cursor: int | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="alarm-events-follower", daemon=True)
        self._failing = False

    def start(self) -> None:
        """Place the cursor at the end of events_log now (when reachable), then follow in a thread."""
        try:
            self.poll()
        except Exception as exc:
            log.warning("alarm events unreadable (will retry): %s", exc)
            self._failing = True
        self._thread.start()

    def stop(self) -> None:
        """Stop following."""
        self._stop.set()
        self._thread.join(timeout=5.0)

    def poll(self) -> list[AlarmActivation]:
        """Read the events after the cursor, offer their activations and return them."""
        with psycopg.connect(self.database_url, connect_timeout=5) as conn:
            if self.cursor is None:
                row = conn.execute("SELECT coalesce(max(id), 0) FROM events_log").fetchone()
                self.cursor = int(row[0]) if row else 0
                return []
            rows = conn.execute(_NEW_EVENTS, (self.cursor, EVENTS_BATCH)).fetchall()
        if not rows:
            return []
        self.cursor = int(rows[-1][0])
        events = [event_from_context(ctx) for _, ctx in rows if ctx.get("kind") == EventKind.ACTIVATED]
        found = activations(events, self.catalog, min_priority=self.min_priority)
        if found:
            self.offer(found)
        return found

    def _run(self) -> None:
        while True:
            try:
                self.poll()
                self._failing = False
            except Exception as exc:  # the database may be restarting: keep the cursor, try again
                if not self._failing:
                    log.warning("alarm events unreadable (will retry): %s", exc)
                self._failing = True
            if self._stop.wait(self.poll_s):
                return
