"""Clients, devices, alarm rules and events, API tokens in PostgreSQL; every change audited with its user."""

from __future__ import annotations

import hashlib
import secrets
import time
from datetime import datetime
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool, PoolTimeout

from lockpilot.clock import Clock, SystemClock
from lockpilot.roles import Role
from metering.models import (
    Client,
    ClientCreate,
    Device,
    DeviceCreate,
    DeviceUpdate,
    MeterAlarmEvent,
    MeterAlarmRule,
    MeterAlarmRuleCreate,
    MeterAlarmRuleUpdate,
    User,
)
from storage.audit_chain import AuditChain, AuditKind
from storage.pg_guard import connect_kwargs, deadline

TOKEN_CACHE_S = 600.0

CLIENT_COLS = "id, name, external_id, created_at"
DEVICE_COLS = "id, client_id, name, device_type, active, config, created_at"
RULE_COLS = "id, client_id, device_id, name, metric, operator, threshold, enabled, created_at"
EVENT_COLS = (
    "id, rule_id, device_id, time, metric, value, details, acknowledged, acknowledged_by, acknowledged_at"
)


TOKEN_USER_SQL = (
    "SELECT username, role, client_id FROM api_tokens WHERE token_sha256 = %s AND revoked_at IS NULL"
)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_user(database_url: str, token: str) -> User | None:
    """The user of an API token, on a short connection (the CLI proves who it is with one)."""
    from storage.pg_guard import connect

    with connect(database_url, row_factory=dict_row) as conn:
        row = conn.execute(TOKEN_USER_SQL, (token_digest(token),)).fetchone()
    return None if row is None else User.model_validate(row)


class MeteringStore:
    """CRUD over the metering tables through one connection pool."""

    def __init__(
        self,
        database_url: str,
        *,
        audit: AuditChain,
        clock: Clock | None = None,
        max_connections: int = 8,
        timeout_s: float = 4.0,
    ) -> None:
        self.timeout_s = timeout_s
        self.pool = ConnectionPool(
            database_url,
            min_size=1,
            max_size=max_connections,
            open=True,
            timeout=timeout_s,
            kwargs={
                "row_factory": dict_row,
                "autocommit": True,
                **connect_kwargs(connect_timeout_s=timeout_s, statement_timeout_s=timeout_s),
            },
        )
        self.audit = audit
        self.clock = clock or SystemClock()
        self._token_cache: dict[str, tuple[float, User | None]] = {}

    def close(self) -> None:
        self.pool.close()

    def fetch_one(
        self, sql: str, params: tuple[Any, ...] | dict[str, Any] = (), *, timeout_s: float | None = None
    ) -> dict[str, Any] | None:
        """The first row of a query of the metering tables, as a dict (None when there is none)."""
        limit = timeout_s or self.timeout_s
        with self.pool.connection(timeout=limit) as conn, deadline(conn, limit + 0.5):
            return conn.execute(sql, params).fetchone()  # type: ignore[return-value]

    def fetch_all(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        """Every row of a query of the metering tables, as dicts."""
        with self.pool.connection(timeout=self.timeout_s) as conn, deadline(conn, self.timeout_s + 1.0):
            return conn.execute(sql, params).fetchall()  # type: ignore[return-value]

    def _changed(self, actor: str, action: str, data: dict[str, Any]) -> None:
        self.audit.append(AuditKind.CONFIG, actor=actor, data={"action": action, **data})

    # clients
    def create_client(self, new: ClientCreate, *, actor: str) -> Client:
        row = self.fetch_one(
            f"INSERT INTO metering_clients (name, external_id) VALUES (%s, %s) RETURNING {CLIENT_COLS}",
            (new.name, new.external_id),
        )
        self._changed(actor, "client.create", new.model_dump())
        return Client.model_validate(row)

    def clients(self, *, only_id: int | None = None) -> list[Client]:
        where = "WHERE id = %s" if only_id is not None else ""
        rows = self.fetch_all(
            f"SELECT {CLIENT_COLS} FROM metering_clients {where} ORDER BY id",
            (only_id,) if only_id is not None else (),
        )
        return [Client.model_validate(r) for r in rows]

    def client_by_name(self, name: str) -> Client | None:
        row = self.fetch_one(f"SELECT {CLIENT_COLS} FROM metering_clients WHERE name = %s", (name,))
        return None if row is None else Client.model_validate(row)

    def delete_client(self, client_id: int, *, actor: str) -> bool:
        row = self.fetch_one("DELETE FROM metering_clients WHERE id = %s RETURNING id", (client_id,))
        deleted = row is not None
        if deleted:
            self._changed(actor, "client.delete", {"client_id": client_id})
        return deleted

    # devices
    def create_device(self, new: DeviceCreate, *, actor: str) -> Device:
        row = self.fetch_one(
            f"INSERT INTO metering_devices (client_id, name, device_type, active, config) "
            f"VALUES (%s, %s, %s, %s, %s) RETURNING {DEVICE_COLS}",
            (new.client_id, new.name, new.device_type.value, new.active, Jsonb(new.config)),
        )
        self._changed(actor, "device.create", new.model_dump(mode="json"))
        return Device.model_validate(row)

    def devices(self, *, client_id: int | None = None) -> list[Device]:
        where = "WHERE client_id = %s" if client_id is not None else ""
        rows = self.fetch_all(
            f"SELECT {DEVICE_COLS} FROM metering_devices {where} ORDER BY id",
            (client_id,) if client_id is not None else (),
        )
        return [Device.model_validate(r) for r in rows]

    def device(self, device_id: int) -> Device | None:
        row = self.fetch_one(f"SELECT {DEVICE_COLS} FROM metering_devices WHERE id = %s", (device_id,))
        return None if row is None else Device.model_validate(row)

    def device_by_name(self, client_id: int, name: str) -> Device | None:
        row = self.fetch_one(
            f"SELECT {DEVICE_COLS} FROM metering_devices WHERE client_id = %s AND name = %s",
            (client_id, name),
        )
        return None if row is None else Device.model_validate(row)

    def update_device(self, device_id: int, change: DeviceUpdate, *, actor: str) -> Device | None:
        fields = change.model_dump(exclude_none=True)
        if not fields:
            return self.device(device_id)
        sets = ", ".join(f"{k} = %s" for k in fields)
        values = tuple(Jsonb(v) if k == "config" else v for k, v in fields.items())
        row = self.fetch_one(
            f"UPDATE metering_devices SET {sets} WHERE id = %s RETURNING {DEVICE_COLS}", (*values, device_id)
        )
        if row is not None:
            self._changed(actor, "device.update", {"device_id": device_id, **fields})
        return None if row is None else Device.model_validate(row)

    def delete_device(self, device_id: int, *, actor: str) -> bool:
        row = self.fetch_one("DELETE FROM metering_devices WHERE id = %s RETURNING id", (device_id,))
        deleted = row is not None
        if deleted:
            self._changed(actor, "device.delete", {"device_id": device_id})
        return deleted

    # alarm rules and events
    def create_rule(self, new: MeterAlarmRuleCreate, *, actor: str) -> MeterAlarmRule:
        row = self.fetch_one(
            f"INSERT INTO alarm_rules (client_id, device_id, name, metric, operator, threshold, enabled) "
            f"VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING {RULE_COLS}",
            (
                new.client_id,
                new.device_id,
                new.name,
                new.metric,
                new.operator.value,
                new.threshold,
                new.enabled,
            ),
        )
        self._changed(actor, "alarm_rule.create", new.model_dump(mode="json"))
        return MeterAlarmRule.model_validate(row)

    def rules(self, *, client_id: int | None = None) -> list[MeterAlarmRule]:
        where = "WHERE client_id = %s" if client_id is not None else ""
        rows = self.fetch_all(
            f"SELECT {RULE_COLS} FROM alarm_rules {where} ORDER BY id",
            (client_id,) if client_id is not None else (),
        )
        return [MeterAlarmRule.model_validate(r) for r in rows]

    def rule(self, rule_id: int) -> MeterAlarmRule | None:
        row = self.fetch_one(f"SELECT {RULE_COLS} FROM alarm_rules WHERE id = %s", (rule_id,))
        return None if row is None else MeterAlarmRule.model_validate(row)

    def update_rule(self, rule_id: int, change: MeterAlarmRuleUpdate, *, actor: str) -> MeterAlarmRule | None:
        fields = change.model_dump(exclude_none=True, mode="json")
        if not fields:
            return self.rule(rule_id)
        sets = ", ".join(f"{k} = %s" for k in fields)
        row = self.fetch_one(
            f"UPDATE alarm_rules SET {sets} WHERE id = %s RETURNING {RULE_COLS}", (*fields.values(), rule_id)
        )
        if row is not None:
            self._changed(actor, "alarm_rule.update", {"rule_id": rule_id, **fields})
        return None if row is None else MeterAlarmRule.model_validate(row)

    def delete_rule(self, rule_id: int, *, actor: str) -> bool:
        deleted = self.fetch_one("DELETE FROM alarm_rules WHERE id = %s RETURNING id", (rule_id,)) is not None
        if deleted:
            self._changed(actor, "alarm_rule.delete", {"rule_id": rule_id})
        return deleted

    def events(
        self, *, client_id: int | None = None, device_id: int | None = None, limit: int = 100
    ) -> list[MeterAlarmEvent]:
        rows = self.fetch_all(
            f"SELECT {', '.join('e.' + c.strip() for c in EVENT_COLS.split(','))} FROM alarm_events e "
            "JOIN metering_devices d ON d.id = e.device_id "
            "WHERE (%(c)s::bigint IS NULL OR d.client_id = %(c)s) "
            "AND (%(d)s::bigint IS NULL OR e.device_id = %(d)s) ORDER BY e.time DESC, e.id DESC "
            "LIMIT %(n)s",
            {"c": client_id, "d": device_id, "n": limit},
        )
        return [MeterAlarmEvent.model_validate(r) for r in rows]

    def acknowledge_event(self, event_id: int, *, actor: str) -> MeterAlarmEvent | None:
        row = self.fetch_one(
            f"UPDATE alarm_events SET acknowledged = true, acknowledged_by = %s, acknowledged_at = %s "
            f"WHERE id = %s RETURNING {EVENT_COLS}",
            (actor, self.clock.now(), event_id),
        )
        if row is not None:
            self._changed(actor, "alarm_event.acknowledge", {"event_id": event_id})
        return None if row is None else MeterAlarmEvent.model_validate(row)

    def delete_event(self, event_id: int, *, actor: str) -> bool:
        row = self.fetch_one("DELETE FROM alarm_events WHERE id = %s RETURNING id", (event_id,))
        deleted = row is not None
        if deleted:
            self._changed(actor, "alarm_event.delete", {"event_id": event_id})
        return deleted

    # API tokens
    def create_token(self, *, username: str, role: Role, client_id: int | None = None, actor: str) -> str:
        """Issue a bearer token (only its SHA-256 is stored) and return it once."""
        token = secrets.token_urlsafe(32)
        self.fetch_one(
            "INSERT INTO api_tokens (token_sha256, username, role, client_id) VALUES (%s, %s, %s, %s) "
            "RETURNING username",
            (token_digest(token), username, role.value, client_id),
        )
        self._changed(
            actor, "token.create", {"username": username, "role": role.value, "client_id": client_id}
        )
        return token

    def list_tokens(self) -> list[dict[str, Any]]:
        """Every token issued, newest first: its id (12 hex of the hash), who, role, client, times."""
        return self.fetch_all(
            "SELECT left(token_sha256, 12) AS id, username, role, client_id, created_at, revoked_at "
            "FROM api_tokens ORDER BY created_at DESC",
            {},
        )

    def revoke_token(self, token_id: str, *, actor: str) -> bool:
        """Revoke the active token whose hash starts with `token_id` (at least 8 hex); True when one was."""
        if len(token_id) < 8:
            return False
        row = self.fetch_one(
            "UPDATE api_tokens SET revoked_at = %s WHERE token_sha256 LIKE %s AND revoked_at IS NULL "
            "RETURNING username",
            (self.clock.now(), token_id.lower() + "%"),
        )
        if row is not None:
            self._changed(actor, "token.revoke", {"id": token_id})
        return row is not None

    def user_of(self, token: str) -> User | None:
        """The token's user; while PostgreSQL is down, a token seen in the last 10 minutes still counts."""
        digest = token_digest(token)
        cached = self._token_cache.get(digest)
        fresh = cached is not None and time.monotonic() - cached[0] < TOKEN_CACHE_S
        try:  # a token seen recently does not wait long for a hung database
            row = self.fetch_one(TOKEN_USER_SQL, (digest,), timeout_s=0.5 if fresh else None)
        except (psycopg.OperationalError, PoolTimeout):
            if cached is not None and fresh:
                return cached[1]
            raise
        user = None if row is None else User.model_validate(row)
        if len(self._token_cache) > 10_000:
            self._token_cache.clear()
        self._token_cache[digest] = (time.monotonic(), user)
        return user

    def now(self) -> datetime:
        return self.clock.now()
