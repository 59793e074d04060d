"""The audit chain's head in PostgreSQL (`audit_heads`): last sequence number and hash of each file."""

from __future__ import annotations

import threading
from typing import Any

import psycopg

from storage.pg_guard import connect, deadline

TIMEOUT_S = 2.0


class PgAuditHead:
    """Stores and loads heads on one short-timeout connection, reconnecting after a failure."""

    def __init__(self, database_url: str, *, timeout_s: float = TIMEOUT_S) -> None:
        self._url, self._timeout_s = database_url, timeout_s
        self._conn: psycopg.Connection[Any] | None = None
        self._lock = threading.Lock()

    def _db(self) -> psycopg.Connection[Any]:
        if self._conn is None or self._conn.closed or self._conn.broken:
            self._conn = connect(
                self._url,
                autocommit=True,
                connect_timeout_s=self._timeout_s,
                statement_timeout_s=self._timeout_s,
            )
        return self._conn

    def _run(self, sql: str, params: tuple[Any, ...]) -> tuple[Any, ...] | None:
        with self._lock:
            conn = self._db()
            try:
                with deadline(conn, self._timeout_s + 1.0):
                    return conn.execute(sql, params).fetchone()
            except psycopg.Error:
                conn.close()
                raise

    def store(self, chain: str, seq: int, digest: str) -> None:
        """Move the head forward (never back: another process may already have stored a later one)."""
        self._run(
            "INSERT INTO audit_heads (chain, seq, hash) VALUES (%s, %s, %s) ON CONFLICT (chain) DO UPDATE "
            "SET seq = EXCLUDED.seq, hash = EXCLUDED.hash, updated_at = now() "
            "WHERE audit_heads.seq <= EXCLUDED.seq RETURNING seq",
            (chain, seq, digest),
        )

    def load(self, chain: str) -> tuple[int, str] | None:
        """The stored head of a chain, or None."""
        row = self._run("SELECT seq, hash FROM audit_heads WHERE chain = %s", (chain,))
        return None if row is None else (int(row[0]), str(row[1]))

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
