"""The copilot's reads never hang: deadlines on Redis and PostgreSQL, and a structured error naming the
store that did not answer and what still works."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from enum import StrEnum
from typing import Any, TypeVar

import psycopg
import redis

from storage.pg_guard import connect as pg_connect
from storage.pg_guard import deadline

T = TypeVar("T")
STORE_TIMEOUT_S = 1.5  # each store read: the copilot answers within 5 s even when a store hangs
FAILED_REST_S = 3.0  # after a failure, reads fail at once for this long (one answer waits once)


class Store(StrEnum):
    REDIS = "redis"
    POSTGRESQL = "postgresql"


SENTENCES = {
    Store.REDIS: (
        "o Redis (valores atuais) está indisponível; ainda respondo histórico e alarmes registrados no "
        "PostgreSQL / Redis (current values) is unavailable; history and stored alarms from PostgreSQL "
        "still answer"
    ),
    Store.POSTGRESQL: (
        "o PostgreSQL (histórico, alarmes registrados, documentos, comandos) está indisponível; ainda "
        "respondo os valores atuais do Redis / PostgreSQL (history, stored alarms, documents, commands) "
        "is unavailable; current values from Redis still answer"
    ),
}


class StoreUnavailable(RuntimeError):
    """Raised by an adapter when its store does not answer in time; run_tool turns it into the error."""

    def __init__(self, store: Store) -> None:
        self.store = store
        super().__init__(SENTENCES[store])


def store_of(exc: BaseException) -> Store | None:
    """The store an exception comes from (None: not a store's)."""
    if isinstance(exc, StoreUnavailable):
        return exc.store
    if isinstance(exc, psycopg.Error):
        return Store.POSTGRESQL
    if isinstance(exc, redis.RedisError):
        return Store.REDIS
    return None


def redis_client(redis_url: str, *, timeout_s: float = STORE_TIMEOUT_S) -> redis.Redis:
    """A Redis client whose calls fail after `timeout_s` instead of hanging."""
    return redis.Redis.from_url(redis_url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s)


class PgReader:
    """One lazily (re)connected PostgreSQL connection, every call under a deadline."""

    def __init__(
        self, database_url: str, *, timeout_s: float = STORE_TIMEOUT_S, rest_s: float = FAILED_REST_S
    ) -> None:
        self._url, self._timeout_s, self._rest_s = database_url, timeout_s, rest_s
        self._conn: psycopg.Connection[Any] | None = None
        self._lock = threading.Lock()
        self._failed_at = -1e9

    def run(self, query: Callable[[psycopg.Connection[Any]], T]) -> T:
        """query(conn), or StoreUnavailable when PostgreSQL is down, hung or slower than the deadline."""
        with self._lock:
            if time.monotonic() - self._failed_at < self._rest_s:  # just failed: do not wait again
                raise StoreUnavailable(Store.POSTGRESQL)
            try:
                if self._conn is None or self._conn.closed or self._conn.broken:
                    self._conn = pg_connect(
                        self._url,
                        autocommit=True,
                        connect_timeout_s=self._timeout_s,
                        statement_timeout_s=self._timeout_s,
                    )
                with deadline(self._conn, self._timeout_s + 0.5):
                    return query(self._conn)
            except psycopg.OperationalError:
                self._failed_at = time.monotonic()
                if self._conn is not None:
                    self._conn.close()
                raise StoreUnavailable(Store.POSTGRESQL) from None

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
