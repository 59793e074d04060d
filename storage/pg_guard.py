"""Time limits on every PostgreSQL path: connect and statement timeouts, and a client-side deadline.

A statement timeout only helps while the server runs; a frozen server (SIGSTOP, a hung host) answers
nothing, so `deadline` shuts the connection's socket from a timer thread when a call outlives it: the
blocked call then fails with `psycopg.OperationalError` and the caller spools, retries or says so.
"""

from __future__ import annotations

import math
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

import psycopg

CONNECT_TIMEOUT_S = 3.0
STATEMENT_TIMEOUT_S = 5.0


def connect_kwargs(
    *, connect_timeout_s: float = CONNECT_TIMEOUT_S, statement_timeout_s: float = STATEMENT_TIMEOUT_S
) -> dict[str, Any]:
    """Keyword arguments of psycopg.connect (and of a pool's `kwargs`) with both timeouts and keepalives."""
    return {
        "connect_timeout": max(1, math.ceil(connect_timeout_s)),
        "options": f"-c statement_timeout={max(1, round(statement_timeout_s * 1000))}",
        "keepalives": 1,
        "keepalives_idle": 5,
        "keepalives_interval": 2,
        "keepalives_count": 3,
    }


def connect(
    url: str,
    *,
    connect_timeout_s: float = CONNECT_TIMEOUT_S,
    statement_timeout_s: float = STATEMENT_TIMEOUT_S,
    **kwargs: Any,
) -> psycopg.Connection[Any]:
    """psycopg.connect with the timeouts of `connect_kwargs` (other keywords pass through)."""
    options = connect_kwargs(connect_timeout_s=connect_timeout_s, statement_timeout_s=statement_timeout_s)
    return psycopg.connect(url, **{**options, **kwargs})


def _shut(conn: psycopg.Connection[Any]) -> None:
    """Shut the connection's socket down so a call blocked on it returns with an error."""
    with suppress(Exception):
        fd = conn.pgconn.socket
        dup = socket.socket(fileno=os.dup(fd))
        try:
            dup.shutdown(socket.SHUT_RDWR)
        finally:
            dup.close()


class _Watchdog:
    """One thread for every deadline of the process: cuts connections whose call outlived its limit."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._due: dict[int, tuple[float, psycopg.Connection[Any]]] = {}
        self._next_id = 0
        self._thread: threading.Thread | None = None

    def add(self, conn: psycopg.Connection[Any], timeout_s: float) -> int:
        with self._cond:
            self._next_id += 1
            self._due[self._next_id] = (time.monotonic() + timeout_s, conn)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="pg-deadlines", daemon=True)
                self._thread.start()
            self._cond.notify()
            return self._next_id

    def remove(self, key: int) -> None:
        with self._cond:
            self._due.pop(key, None)

    def _run(self) -> None:
        while True:
            with self._cond:
                now = time.monotonic()
                late = [k for k, (at, _) in self._due.items() if at <= now]
                conns = [self._due.pop(k)[1] for k in late]
                soonest = min((at for at, _ in self._due.values()), default=now + 60.0)
                if not conns:
                    self._cond.wait(max(0.01, soonest - now))
            for conn in conns:
                _shut(conn)


_WATCHDOG = _Watchdog()


@contextmanager
def deadline(conn: psycopg.Connection[Any], timeout_s: float) -> Iterator[None]:
    """Run the block's calls on `conn` for at most `timeout_s`; past it the connection is cut."""
    key = _WATCHDOG.add(conn, timeout_s)
    try:
        yield
    finally:
        _WATCHDOG.remove(key)
