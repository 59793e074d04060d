"""The tools' alarm desk over the rules part's persisted store: the live runner of `lockpilot up` writes alarm
states to a Redis hash and the `alarms` table and lifecycle events to events_log; every other process
(ask, chat, approve, the API, the bots) reads them here instead of running a second engine."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

import psycopg
import redis

from lockpilot.clock import Clock
from lockpilot.language import Bilingual
from rules.alarms import ANOMALY_PREFIX, AlarmCatalog
from rules.bundle import PlantBundle
from rules.kpi import Activation, kpi_report
from rules.lifecycle import AlarmEvent, AlarmState
from rules.store import alarm_rows, operator_action
from storage.keys import RedisKeys
from tools.ports import AlarmView, RuleView
from tools.rule_views import rule_view
from tools.store_guard import STORE_TIMEOUT_S, PgReader

_ACTIVATIONS = (
    "SELECT time, context->>'alarm_id', context->>'priority' FROM events_log WHERE event_type = 'alarm' "
    "AND context->>'kind' = 'activated' AND context->>'alarm_id' NOT LIKE %s AND time >= %s AND time < %s"
)
_FLOODS = (
    "SELECT count(*) FROM events_log WHERE event_type = 'alarm' AND context->>'kind' = 'flood_started' "
    "AND time >= %s AND time < %s"
)
_ACTIVE_SINCE = "SELECT alarm_id, activated_at FROM alarms WHERE active AND activated_at IS NOT NULL"
_ACTIVATIONS_OF = (
    "SELECT time FROM events_log WHERE event_type = 'alarm' AND context->>'kind' = 'activated' "
    "AND context->>'alarm_id' = %s AND time >= %s AND time < %s ORDER BY time DESC LIMIT 50"
)


class AlarmAction(StrEnum):
    """Operator actions on a stored alarm (the names rules.store.operator_action takes)."""

    ACK = "ack"
    SHELVE = "shelve"
    UNSHELVE = "unshelve"


def is_standing(doc: Mapping[str, Any]) -> bool:
    """Whether a stored alarm is shown as active: not normal, or its condition still true."""
    return doc.get("state") != AlarmState.NORMAL.value or bool(doc.get("active"))


def doc_view(doc: Mapping[str, Any]) -> AlarmView:
    """A stored alarm document (Alarm.as_dict) as the tools show it."""
    return AlarmView(
        id=doc["alarm_id"],
        rule_id=doc["alarm_id"],
        name=Bilingual(pt=doc.get("name_pt") or doc["alarm_id"], en=doc.get("name_en") or doc["alarm_id"]),
        state=doc["state"],
        priority=doc["priority"],
        severity=doc["severity"],
        equipment=doc.get("equipment") or "",
        since=doc.get("activated_at"),
        acknowledged=doc["state"] not in (AlarmState.UNACKNOWLEDGED, AlarmState.RETURNED_UNACKNOWLEDGED),
        first_out=bool(doc.get("first_out")),
        values=dict(doc.get("values") or {}),
    )


def with_related(views: list[AlarmView], incidents: Mapping[str, str | None]) -> list[AlarmView]:
    """Fill each alarm's related alarms: the others of its incident."""
    members: dict[str, list[str]] = {}
    for view in views:
        incident = incidents.get(view.id)
        if incident:
            members.setdefault(incident, []).append(view.id)
    for view in views:
        view.related = [i for i in members.get(incidents.get(view.id) or "", []) if i != view.id]
    return views


def kpi_figures(
    activations: Sequence[Activation],
    active_since: dict[str, datetime],
    *,
    floods: int,
    start: datetime,
    end: datetime,
) -> dict[str, Any]:
    """ISA-18.2 KPIs of rules.kpi plus the copilot's summary figures (rate per hour, floods, standing)."""
    report = kpi_report(activations, active_since, start=start, end=end)
    hours = max((end - start).total_seconds() / 3600.0, 1e-9)
    return {
        **report.as_dict(),
        "per_hour": round(report.activations / hours, 2),
        "floods": floods,
        "standing_now": len(active_since),
    }


class StoredAlarms:
    """Active alarms, rule views, KPIs and operator actions over the rules part's Redis hash and tables."""

    def __init__(self, bundle: PlantBundle, *, database_url: str, redis_url: str, clock: Clock) -> None:
        plant, ruleset = bundle.plant, bundle.rules
        self.plant, self.clock, self.database_url, self.redis_url = plant, clock, database_url, redis_url
        self.catalog = AlarmCatalog(plant, ruleset)
        self._views = [rule_view(r, plant) for r in ruleset.rules]
        self._redis = redis.Redis.from_url(
            redis_url, socket_timeout=STORE_TIMEOUT_S, socket_connect_timeout=STORE_TIMEOUT_S
        )
        self._key = RedisKeys(plant.name).alarms
        self._pg = PgReader(database_url)

    def rules(self) -> list[RuleView]:
        return list(self._views)

    def rule(self, rule_id: str) -> RuleView | None:
        return next((r for r in self._views if r.id == rule_id), None)

    def documents(self) -> list[dict[str, Any]]:
        """Every stored alarm document: the Redis hash, or the `alarms` table when Redis holds none."""
        try:
            stored = self._redis.hgetall(self._key)
        except redis.RedisError:  # Redis down: the table still answers
            stored = {}
        if stored:
            return [json.loads(raw) for raw in stored.values()]
        return self._pg.run(alarm_rows)

    def active(self) -> list[AlarmView]:
        """The standing alarms with state, first-out and the other alarms of their incident."""
        docs = [d for d in self.documents() if is_standing(d)]
        return with_related([doc_view(d) for d in docs], {d["alarm_id"]: d.get("incident_id") for d in docs})

    def kpis(self, *, start: datetime, end: datetime) -> dict[str, Any]:
        """KPIs over [start, end) from the lifecycle events in events_log (every process sees the same)."""

        def figures(conn: psycopg.Connection[Any]) -> tuple[Any, Any, Any]:
            acts = conn.execute(_ACTIVATIONS, (f"{ANOMALY_PREFIX}%", start, end)).fetchall()
            floods = conn.execute(_FLOODS, (start, end)).fetchone()
            return acts, floods, conn.execute(_ACTIVE_SINCE).fetchall()

        acts, floods, since = self._pg.run(figures)
        return kpi_figures(
            [Activation(t, a, p) for t, a, p in acts],
            dict(since),
            floods=int(floods[0]) if floods else 0,
            start=start,
            end=end,
        )

    def activations(self, alarm_id: str, *, start: datetime, end: datetime) -> list[datetime]:
        """When `alarm_id` was raised in [start, end), newest first (at most 50)."""
        rows = self._pg.run(lambda c: c.execute(_ACTIVATIONS_OF, (alarm_id, start, end)).fetchall())
        return [r[0] for r in rows]

    def act(
        self, alarm_id: str, action: AlarmAction, *, user: str, comment: str = "", for_s: float | None = None
    ) -> AlarmEvent:
        """Acknowledge, shelve or unshelve through the rules part, which the live runner then mirrors."""
        options: dict[str, Any] = {"user": user, "comment": comment}
        if action is AlarmAction.SHELVE:
            options["for_s"] = for_s
        return operator_action(
            self.database_url,
            self.catalog,
            alarm_id,
            action.value,
            now=self.clock.now(),
            redis_url=self.redis_url,
            plant=self.plant.name,
            **options,
        )

    def close(self) -> None:
        """Close the connections."""
        self._pg.close()
        self._redis.close()
