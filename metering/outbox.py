"""Master -> slave forwarding from the durable outbox: in order, with idempotency keys and backoff."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import timedelta

import httpx
import structlog
from psycopg.rows import dict_row

from lockpilot.clock import Clock, SystemClock
from lockpilot.health import FailureLog
from metering.store import MeteringStore

log = structlog.get_logger(__name__)

CLAIM_SQL = """
SELECT id, idempotency_key, payload, attempts FROM forward_outbox
WHERE sent_at IS NULL ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED"""


@dataclass(frozen=True, slots=True)
class OutboxStats:
    """Pending and sent rows of the outbox."""

    pending: int
    sent: int


def outbox_stats(store: MeteringStore) -> OutboxStats:
    row = store.fetch_one(
        "SELECT count(*) FILTER (WHERE sent_at IS NULL) AS pending, "
        "count(*) FILTER (WHERE sent_at IS NOT NULL) AS sent FROM forward_outbox"
    )
    assert row is not None
    return OutboxStats(int(row["pending"]), int(row["sent"]))


class Forwarder:
    """Posts outbox rows to the slave's /api/ingest; a row is marked sent only after a 2xx answer."""

    def __init__(
        self,
        store: MeteringStore,
        *,
        target_url: str,
        token: str,
        batch_rows: int = 50,
        period_s: float = 0.5,
        first_retry_s: float = 0.5,
        max_retry_s: float = 8.0,
        timeout_s: float = 5.0,
        clock: Clock | None = None,
    ) -> None:
        self.store = store
        self.batch_rows, self.period_s = batch_rows, period_s
        self.first_retry_s, self.max_retry_s = first_retry_s, max_retry_s
        self.clock = clock or SystemClock()
        self._http = httpx.Client(
            base_url=target_url, timeout=timeout_s, headers={"Authorization": f"Bearer {token}"}
        )
        self._failures = FailureLog(log, target=target_url)
        self._retry_s = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="forwarder", daemon=True)
        self.sent = 0

    def start(self) -> None:
        self._thread.start()

    def stop(self, *, timeout_s: float = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout_s)
        self._http.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                moved = self.forward_once()
            except Exception as exc:  # the slave or our database is down: back off, keep rows
                self._failures.failed("forward_failed", exc)
                self._retry_s = (
                    self.first_retry_s if self._retry_s == 0 else min(self._retry_s * 2, self.max_retry_s)
                )
                self._stop.wait(self._retry_s)
                continue
            self._retry_s = 0.0
            if moved == 0:
                self._stop.wait(self.period_s)

    def forward_once(self) -> int:
        """Send pending rows in id order until one fails (then raise) or none is left; return rows sent."""
        error: httpx.HTTPError | None = None
        sent = 0
        with self.store.pool.connection() as conn, conn.transaction():
            rows = conn.cursor(row_factory=dict_row).execute(CLAIM_SQL, (self.batch_rows,)).fetchall()
            for row in rows:
                try:
                    answer = self._http.post(
                        "/api/ingest",
                        json=row["payload"],
                        headers={"Idempotency-Key": str(row["idempotency_key"])},
                    )
                    answer.raise_for_status()
                except httpx.HTTPError as exc:
                    conn.execute(
                        "UPDATE forward_outbox SET attempts = attempts + 1, last_error = %s, "
                        "next_attempt_at = %s WHERE id = %s",
                        (str(exc)[:500], self.clock.now() + timedelta(seconds=self.first_retry_s), row["id"]),
                    )
                    error = exc
                    break
                conn.execute(
                    "UPDATE forward_outbox SET sent_at = %s, attempts = attempts + 1 WHERE id = %s",
                    (self.clock.now(), row["id"]),
                )
                sent += 1
        self.sent += sent
        if error is not None:
            raise error
        self._failures.recovered("forward_recovered")
        return sent
