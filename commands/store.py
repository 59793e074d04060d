"""Command requests in PostgreSQL, moved between states only by guarded UPDATEs, and the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from storage.audit_chain import AuditChain, AuditKind, plain
from storage.pg_guard import connect, deadline

TIMEOUT_S = 4.0


class CommandStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"
    EXECUTING = "executing"
    ABORTED = "aborted"  # interlocks changed between request and approval: not written
    VERIFIED = "verified"
    FAILED = "failed"  # written, but read-back or feedback did not confirm it

    @property
    def final(self) -> bool:
        return self not in (CommandStatus.PENDING, CommandStatus.APPROVED, CommandStatus.EXECUTING)


@dataclass(frozen=True, slots=True)
class CommandRecord:
    """One stored request."""

    id: str
    command: str
    tag: str
    value: Any
    status: CommandStatus
    thread_id: str
    requested_by: str
    requested_role: str
    requested_at: datetime
    expires_at: datetime
    summary: dict[str, Any]
    snapshot: dict[str, Any]
    decided_by: str | None
    decided_at: datetime | None
    reason: str | None
    finished_at: datetime | None
    result: dict[str, Any] | None


class CommandStore:
    """Rows of copilot_commands and audit_log on one autocommit connection, every step also in the chain.

    Every call has a deadline (`timeout_s`): a hung database fails the step instead of hanging it.
    """

    def __init__(
        self, database_url: str, *, chain: AuditChain | None = None, timeout_s: float = TIMEOUT_S
    ) -> None:
        self._url, self.chain, self._timeout_s = database_url, chain, timeout_s
        self._conn: psycopg.Connection[dict[str, Any]] | None = None

    def _db(self) -> psycopg.Connection[dict[str, Any]]:
        if self._conn is None or self._conn.closed or self._conn.broken:
            self._conn = connect(
                self._url,
                autocommit=True,
                row_factory=dict_row,
                connect_timeout_s=self._timeout_s,
                statement_timeout_s=self._timeout_s,
            )
        return self._conn

    def _execute(self, sql: str, params: Any = None) -> psycopg.Cursor[dict[str, Any]]:
        conn = self._db()
        try:
            with deadline(conn, self._timeout_s + 1.0):
                return conn.execute(sql, params)
        except psycopg.OperationalError:
            conn.close()
            raise

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()

    def insert(self, record: CommandRecord) -> None:
        """Store a new pending request."""
        self._execute(
            "INSERT INTO copilot_commands (id, command, tag, value, status, thread_id, requested_by,"
            " requested_role,"
            " requested_at, expires_at, summary, snapshot) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
            (
                record.id,
                record.command,
                record.tag,
                Jsonb(record.value),
                record.status.value,
                record.thread_id,
                record.requested_by,
                record.requested_role,
                record.requested_at,
                record.expires_at,
                Jsonb(record.summary),
                Jsonb(record.snapshot),
            ),
        )

    def get(self, command_id: str) -> CommandRecord | None:
        row = self._execute("SELECT * FROM copilot_commands WHERE id = %s", (command_id,)).fetchone()
        return None if row is None else _record(row)

    def pending(self) -> list[CommandRecord]:
        rows = self._execute("SELECT * FROM copilot_commands WHERE status = 'pending' ORDER BY requested_at")
        return [_record(r) for r in rows.fetchall()]

    def transition(self, command_id: str, *, from_: CommandStatus, to: CommandStatus, **fields: Any) -> bool:
        """Move a request from one state to the next; False when it was not in `from_` (someone else won)."""
        sets = ["status = %(to)s"] + [f"{name} = %({name})s" for name in fields]
        params = {
            "to": to.value,
            "from_": from_.value,
            "id": command_id,
            **{k: Jsonb(v) if isinstance(v, dict) else v for k, v in fields.items()},
        }
        cur = self._execute(
            f"UPDATE copilot_commands SET {', '.join(sets)} WHERE id = %(id)s AND status = %(from_)s",
            params,
        )
        return cur.rowcount == 1

    def audit(self, *, when: datetime, actor: str, action: str, target: str, details: dict[str, Any]) -> None:
        """Append one line to the hash-chained file, then to the append-only audit_log table."""
        details = plain(details)
        if self.chain is not None:
            self.chain.append(
                AuditKind.COMMAND,
                actor=actor,
                data={"action": action, "target": target, "time": when.isoformat(), "details": details},
            )
        self._execute(
            "INSERT INTO audit_log (time, actor, action, target, details) VALUES (%s,%s,%s,%s,%s)",
            (when, actor, action, target, Jsonb(details)),
        )

    def audit_trail(self, command_id: str) -> list[dict[str, Any]]:
        """Audit lines of one command, oldest first."""
        rows = self._execute(
            "SELECT time, actor, action, target, details FROM audit_log "
            "WHERE details->>'command_id' = %s ORDER BY id",
            (command_id,),
        )
        return list(rows.fetchall())


def _record(row: dict[str, Any]) -> CommandRecord:
    return CommandRecord(**{**row, "status": CommandStatus(row["status"])})
