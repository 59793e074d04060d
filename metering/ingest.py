"""Ingest: measurements stored once by key, rules evaluated, outbox row written, all in one transaction."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from psycopg.types.json import Jsonb

from lockpilot.roles import Role
from metering.meter_rules import DeviceRule, Reading, evaluate
from metering.models import (
    Client,
    ClientCreate,
    Device,
    DeviceCreate,
    IngestBatch,
    IngestResult,
    Measurement,
    User,
)
from metering.store import MeteringStore
from storage.audit_chain import AuditKind
from storage.pg_guard import deadline

INSERT_MEASUREMENTS = """
INSERT INTO measurements (device_id, time, metric, value, source, idempotency_key)
SELECT %(device)s, t, m, v, s, k
FROM unnest(%(times)s::timestamptz[], %(metrics)s::text[], %(values)s::float8[], %(sources)s::text[],
            %(keys)s::uuid[]) AS x(t, m, v, s, k)
ON CONFLICT (idempotency_key) DO NOTHING
RETURNING idempotency_key"""

INGEST_ROLES = frozenset({Role.OPERATOR, Role.DATA_USER})


class IngestRefused(PermissionError):
    """The caller may not ingest into this client or create this device."""


def _resolve(store: MeteringStore, batch: IngestBatch, user: User) -> Device:
    """Find the batch's device by client and device name, creating them for an operator."""
    if user.role not in INGEST_ROLES:
        raise IngestRefused(f"role {user.role.value} cannot ingest")
    client: Client | None = store.client_by_name(batch.client)
    if client is None:
        if user.role is not Role.OPERATOR:
            raise IngestRefused(f"client '{batch.client}' not found or not yours")
        client = store.create_client(ClientCreate(name=batch.client), actor=user.username)
    if not user.sees_all_clients and client.id != user.client_id:
        raise IngestRefused(f"client '{batch.client}' not found or not yours")
    device = store.device_by_name(client.id, batch.device)
    if device is None:
        device = store.create_device(
            DeviceCreate(client_id=client.id, name=batch.device, device_type=batch.device_type),
            actor=user.username,
        )
    return device


def _rules(store: MeteringStore, client_id: int) -> list[DeviceRule]:
    return [
        DeviceRule(r.id, r.client_id, r.device_id, r.name, r.metric, r.operator, r.threshold, r.enabled)
        for r in store.rules(client_id=client_id)
        if r.enabled
    ]


def ingest(store: MeteringStore, batch: IngestBatch, *, user: User, forward: bool) -> IngestResult:
    """Store new measurements (known keys are skipped), raise alarm events, queue them for the slave."""
    device = _resolve(store, batch, user)
    ms = batch.measurements
    params = {
        "device": device.id,
        "times": [m.time for m in ms],
        "metrics": [m.metric for m in ms],
        "values": [m.value for m in ms],
        "sources": [m.source for m in ms],
        "keys": [m.key for m in ms],
    }
    rules = _rules(store, device.client_id)
    with (
        store.pool.connection(timeout=store.timeout_s) as conn,
        deadline(conn, store.timeout_s + 1.0),
        conn.transaction(),
    ):
        new_keys = {row["idempotency_key"] for row in conn.execute(INSERT_MEASUREMENTS, params).fetchall()}  # type: ignore[call-overload]
        fresh = [m for m in ms if m.key in new_keys]
        hits = evaluate(
            rules, [Reading(device.id, m.time, m.metric, m.value) for m in fresh], client_id=device.client_id
        )
        for hit in hits:
            conn.execute(
                "INSERT INTO alarm_events (rule_id, device_id, time, metric, value, details) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                (
                    hit.rule.id,
                    device.id,
                    hit.reading.time,
                    hit.reading.metric,
                    hit.reading.value,
                    hit.details,
                ),
            )
        if forward and fresh:
            payload = batch.model_copy(update={"measurements": fresh}).model_dump(mode="json")
            conn.execute(
                "INSERT INTO forward_outbox (idempotency_key, payload) VALUES (%s, %s)",
                (uuid.uuid4(), Jsonb(payload)),
            )
    if fresh:
        store.audit.append_many(
            AuditKind.READING,
            actor=user.username,
            items=[
                {
                    "time": m.time.isoformat(),
                    "client": batch.client,
                    "device": batch.device,
                    "device_id": device.id,
                    "driver": batch.device_type.value,
                    "metric": m.metric,
                    "value": m.value,
                    "source": m.source,
                    "key": str(m.key),
                }
                for m in fresh
            ],
        )
    return IngestResult(
        device_id=device.id, accepted=len(fresh), duplicates=len(ms) - len(fresh), alarms=len(hits)
    )


def measurements(
    store: MeteringStore,
    *,
    device_id: int,
    metric: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int = 1000,
) -> list[Measurement]:
    """A device's measurements, newest first, filtered by metric and time range."""
    rows = _series_rows(
        store, device_id=device_id, metric=metric, start=start, end=end, limit=limit, newest_first=True
    )
    return [
        Measurement(
            device_id=device_id,
            time=r["time"],
            metric=r["metric"],
            value=r["value"],
            source=r["source"],
            key=r["idempotency_key"],
        )
        for r in rows
    ]


def _series_rows(
    store: MeteringStore,
    *,
    device_id: int,
    metric: str | None,
    start: datetime | None,
    end: datetime | None,
    limit: int,
    newest_first: bool,
) -> list[dict[str, Any]]:
    order = "DESC" if newest_first else "ASC"
    return store.fetch_all(
        "SELECT time, metric, value, source, idempotency_key FROM measurements WHERE device_id = %(d)s "
        "AND (%(m)s::text IS NULL OR metric = %(m)s) AND (%(s)s::timestamptz IS NULL OR time >= %(s)s) "
        f"AND (%(e)s::timestamptz IS NULL OR time < %(e)s) ORDER BY time {order}, id {order} LIMIT %(n)s",
        {"d": device_id, "m": metric, "s": start, "e": end, "n": limit},
    )


def series(
    store: MeteringStore,
    *,
    device_id: int,
    metric: str,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int = 100_000,
) -> list[tuple[datetime, float]]:
    """(time, value) of one metric in time order (analytics input)."""
    rows = _series_rows(
        store, device_id=device_id, metric=metric, start=start, end=end, limit=limit, newest_first=False
    )
    return [(r["time"], float(r["value"])) for r in rows]
