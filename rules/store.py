"""Persistence of rules/: definitions, alarm states and lifecycle events in PostgreSQL, alarm states in
Redis, operator actions from another process, and replay over stored history."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

import psycopg
import redis
from psycopg.types.json import Jsonb

from lockpilot.output import to_json
from lockpilot.plant import DataType
from lockpilot.samples import Sample
from rules.alarms import AlarmCatalog
from rules.engine import RulesEngine
from rules.lifecycle import Alarm, AlarmEvent, AlarmState, Lifecycle
from rules.loader import RuleSet
from rules.model import SequenceDef
from storage.keys import RedisKeys
from storage.quality import CODE_QUALITY

_UPSERT_ALARM = """
INSERT INTO alarms (alarm_id, kind, state, active, priority, severity, activated_at, cleared_at, acked_at,
                    acked_by, shelved_until, chattering, incident_id, first_out, doc, updated_at)
VALUES (%(alarm_id)s, %(kind)s, %(state)s, %(active)s, %(priority)s, %(severity)s, %(activated_at)s,
        %(cleared_at)s, %(acked_at)s, %(acked_by)s, %(shelved_until)s, %(chattering)s, %(incident_id)s,
        %(first_out)s, %(doc)s, now())
ON CONFLICT (alarm_id) DO UPDATE SET kind = EXCLUDED.kind, state = EXCLUDED.state, active = EXCLUDED.active,
    priority = EXCLUDED.priority, severity = EXCLUDED.severity, activated_at = EXCLUDED.activated_at,
    cleared_at = EXCLUDED.cleared_at, acked_at = EXCLUDED.acked_at, acked_by = EXCLUDED.acked_by,
    shelved_until = EXCLUDED.shelved_until, chattering = EXCLUDED.chattering,
    incident_id = EXCLUDED.incident_id, first_out = EXCLUDED.first_out, doc = EXCLUDED.doc, updated_at = now()
"""
_EVENT = (
    "INSERT INTO events_log (time, event_type, severity, description, context) "
    "VALUES (%s, 'alarm', %s, %s, %s)"
)


def _row(alarm: Alarm) -> dict[str, Any]:
    doc = json.loads(to_json(alarm.as_dict()))
    return {
        **{
            k: getattr(alarm, k, None)
            for k in (
                "activated_at",
                "cleared_at",
                "acked_at",
                "acked_by",
                "shelved_until",
                "chattering",
                "incident_id",
                "first_out",
                "active",
            )
        },
        "alarm_id": alarm.id,
        "kind": alarm.defn.kind.value,
        "state": alarm.state.value,
        "priority": alarm.defn.priority.value,
        "severity": alarm.defn.severity.value,
        "doc": Jsonb(doc),
    }


def write_to_pg(conn: psycopg.Connection, events: Sequence[AlarmEvent], alarms: Sequence[Alarm]) -> None:
    """Insert the events into events_log and upsert the alarm rows, in the caller's transaction."""
    with conn.cursor() as cur:
        cur.executemany(
            _EVENT,
            [
                (
                    e.time,
                    e.severity or "info",
                    f"{e.alarm_id}: {e.kind.value} ({e.from_state.value} -> {e.to_state.value})",
                    Jsonb(json.loads(to_json(e.as_dict()))),
                )
                for e in events
            ],
        )
        if alarms:
            cur.executemany(_UPSERT_ALARM, [_row(a) for a in alarms])


class PgAlarmWriter:
    """Writes alarm events and states to PostgreSQL (one transaction per batch, reconnects on failure)."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self._conn: psycopg.Connection | None = None

    def write(self, events: Sequence[AlarmEvent], alarms: Sequence[Alarm]) -> None:
        if self._conn is None or self._conn.closed:
            self._conn = psycopg.connect(self.database_url)
        try:
            with self._conn.transaction():
                write_to_pg(self._conn, events, alarms)
        except psycopg.OperationalError:
            self._conn.close()
            raise


class RedisAlarmWriter:
    """Keeps one hash of alarm states (field = alarm id, value = JSON) for readers of live alarms."""

    def __init__(self, redis_url: str, plant: str) -> None:
        self.client = redis.Redis.from_url(redis_url)
        self.key = RedisKeys(plant).alarms

    def write(self, events: Sequence[AlarmEvent], alarms: Sequence[Alarm]) -> None:
        if alarms:
            self.client.hset(self.key, mapping={a.id: to_json(a.as_dict()) for a in alarms})


def sync_definitions(conn: psycopg.Connection, rules: RuleSet, sequences: Mapping[str, SequenceDef]) -> None:
    """Upsert fault_rules and operation_sequences from the loaded YAML."""
    for rule in rules.rules:
        d = rule.defn.model_dump(mode="json")
        conn.execute(
            "INSERT INTO fault_rules (id, name, description, conditions, actions, severity, priority, "
            "definition) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (id) DO UPDATE SET "
            "name = EXCLUDED.name, description = EXCLUDED.description, conditions = EXCLUDED.conditions,"
            " actions = EXCLUDED.actions, severity = EXCLUDED.severity, priority = EXCLUDED.priority, "
            "definition = EXCLUDED.definition, updated_at = now()",
            (
                d["id"],
                Jsonb(d["name"]),
                Jsonb(d["description"]),
                Jsonb(d["condition"]),
                Jsonb(d["plc_actions"]),
                d["severity"],
                d["priority"],
                Jsonb(d),
            ),
        )
    for seq in sequences.values():
        s = seq.model_dump(mode="json")
        conn.execute(
            "INSERT INTO operation_sequences (sequence_id, code, name, description, steps, preconditions, "
            "postconditions, timeout_values, safety_checks) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (sequence_id) DO UPDATE SET steps = EXCLUDED.steps, preconditions = "
            "EXCLUDED.preconditions, postconditions = EXCLUDED.postconditions, timeout_values = "
            "EXCLUDED.timeout_values, safety_checks = EXCLUDED.safety_checks, updated_at = now()",
            (
                s["id"],
                s["code"],
                Jsonb(s["name"]),
                Jsonb(s["description"]),
                Jsonb(s["steps"]),
                Jsonb(s["preconditions"]),
                Jsonb(s["postconditions"]),
                Jsonb({str(st["step"]): st["timeout_s"] for st in s["steps"]}),
                Jsonb(s["safety_checks"]),
            ),
        )


def alarm_rows(conn: psycopg.Connection, *, active_only: bool = False) -> list[dict[str, Any]]:
    """Stored alarm documents, most urgent first."""
    where = "WHERE state <> 'normal' OR active" if active_only else ""
    rows = conn.execute(
        f"SELECT doc FROM alarms {where} ORDER BY priority, activated_at DESC NULLS LAST"
    ).fetchall()
    return [r[0] for r in rows]


def _parse(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def restore(alarm: Alarm, doc: Mapping[str, Any]) -> Alarm:
    """Put a stored alarm document back into a live record."""
    state = AlarmState(doc["state"])
    alarm.active = bool(doc["active"])
    alarm.unacked = state in (AlarmState.UNACKNOWLEDGED, AlarmState.RETURNED_UNACKNOWLEDGED)
    alarm.shelved_until = _parse(doc.get("shelved_until"))
    alarm.out_of_service = state is AlarmState.OUT_OF_SERVICE
    alarm.suppressed = state is AlarmState.SUPPRESSED
    alarm.activated_at, alarm.cleared_at = _parse(doc.get("activated_at")), _parse(doc.get("cleared_at"))
    alarm.acked_at, alarm.acked_by = _parse(doc.get("acked_at")), doc.get("acked_by")
    alarm.incident_id, alarm.first_out = doc.get("incident_id"), bool(doc.get("first_out"))
    return alarm


def actions_key(plant: str) -> str:
    """Redis list of operator actions taken outside the live runner, for it to mirror."""
    return f"{RedisKeys(plant).base}:alarm_actions"


class RedisActionSource:
    """Drains the operator actions other processes (the CLI) stored, for the live runner to mirror."""

    def __init__(self, redis_url: str, plant: str) -> None:
        self.client = redis.Redis.from_url(redis_url)
        self.key = actions_key(plant)

    def drain(self) -> list[dict[str, Any]]:
        with self.client.pipeline() as pipe:
            pipe.lrange(self.key, 0, -1)
            pipe.delete(self.key)
            items, _ = pipe.execute()
        return [json.loads(item) for item in items]


def restore_engine(engine: RulesEngine, database_url: str) -> int:
    """Load stored alarm states into a fresh engine's book (start-up after a restart); return how many."""
    with psycopg.connect(database_url) as conn:
        docs = alarm_rows(conn)
    for doc in docs:
        try:
            restore(engine.book.alarm(doc["alarm_id"]), doc)
        except KeyError:
            continue
    return len(docs)


def operator_action(
    database_url: str,
    catalog: AlarmCatalog,
    alarm_id: str,
    action: str,
    *,
    now: datetime,
    redis_url: str | None = None,
    plant: str = "lock",
    **options: Any,
) -> AlarmEvent:
    """Apply ack/shelve/unshelve to the stored alarm under a row lock; write the row and its event."""
    lifecycle = Lifecycle()
    with psycopg.connect(database_url) as conn, conn.transaction():
        row = conn.execute("SELECT doc FROM alarms WHERE alarm_id = %s FOR UPDATE", (alarm_id,)).fetchone()
        alarm = restore(Alarm(catalog.get(alarm_id)), row[0]) if row else Alarm(catalog.get(alarm_id))
        methods: dict[str, Callable[..., AlarmEvent]] = {
            "ack": lifecycle.acknowledge,
            "shelve": lifecycle.shelve,
            "unshelve": lifecycle.unshelve,
        }
        method = methods[action]
        event = method(alarm, now, **options)
        write_to_pg(conn, [event], [alarm])
    if redis_url is not None:
        with redis.Redis.from_url(redis_url) as client:
            client.hset(RedisKeys(plant).alarms, alarm.id, to_json(alarm.as_dict()))
            doc = {"alarm_id": alarm_id, "action": action, "time": now.isoformat(), "options": options}
            client.rpush(actions_key(plant), to_json(doc))
    return event


REPORT_ACTION = "report"


def report_event(redis_url: str, plant: str, alarm_id: str, *, values: dict[str, Any], now: datetime) -> None:
    """Queue an event alarm (rules.yaml `events`) for the live runner, from any process: the runner raises
    it on its next turn and writes it like every other alarm change."""
    doc = {
        "alarm_id": alarm_id,
        "action": REPORT_ACTION,
        "time": now.isoformat(),
        "options": {"values": values},
    }
    with redis.Redis.from_url(redis_url) as client:
        client.rpush(actions_key(plant), to_json(doc))


def history_batches(
    conn: psycopg.Connection, engine: RulesEngine, *, start: datetime, end: datetime
) -> Iterator[list[Sample]]:
    """Stored samples between start and end grouped by time, typed as the tags declare."""
    types = {t.name: t.type for t in engine.plant.tags.values()}
    cast = {DataType.BOOL: bool, DataType.INT: int, DataType.DINT: int, DataType.REAL: float}
    batch: list[Sample] = []
    with conn.cursor(name="rules_replay") as cur:
        cur.itersize = 20_000
        cur.execute(
            "SELECT time, tag, value, quality, source FROM tag_history_between(%s, %s) ORDER BY time, tag",
            (start, end),
        )
        for when, tag, value, quality, source in cur:
            if batch and batch[0].time != when:
                yield batch
                batch = []
            typed = None if value is None or tag not in types else cast[types[tag]](value)
            batch.append(Sample(tag, when, typed, CODE_QUALITY[quality], source))
    if batch:
        yield batch


def replay(database_url: str, engine: RulesEngine, *, start: datetime, end: datetime) -> list[AlarmEvent]:
    """Run the engine over stored history (now = each batch's time): the same events as live."""
    events: list[AlarmEvent] = []
    with psycopg.connect(database_url) as conn:
        for batch in history_batches(conn, engine, start=start, end=end):
            events.extend(engine.evaluate(batch, batch[0].time))
    return events
