"""The historian's upkeep as a running part: partitions created ahead, expired raw days dropped."""

from __future__ import annotations

import threading

import psycopg
import structlog

from lockpilot.clock import Clock
from storage.backend import HistoryBackend, detect_backend
from storage.partitions import ensure_ahead
from storage.retention import drop_expired

log = structlog.get_logger(__name__)


class HistoryMaintenance:
    """Every `period_s` (and at start): today's and the next `days_ahead` partitions, and retention."""

    def __init__(
        self,
        database_url: str,
        *,
        clock: Clock,
        raw_retention_days: int,
        period_s: float = 3600.0,
        days_ahead: int = 2,
    ) -> None:
        self._url = database_url
        self._clock = clock
        self._retention_days = raw_retention_days
        self._period_s = period_s
        self._days_ahead = days_ahead
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.runs = 0
        self.dropped: list[str] = []

    def start(self) -> None:
        """Run once now, then on the schedule, on a thread of its own."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="history-maintenance", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the schedule (a run in progress finishes)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30.0)
            self._thread = None

    def run_once(self) -> None:
        """Create the partitions ahead and drop the expired ones (plain path; TimescaleDB has its own)."""
        with psycopg.connect(self._url, autocommit=True, connect_timeout=5) as conn:
            if detect_backend(conn) is not HistoryBackend.PLAIN:
                return
            now = self._clock.now()
            ensure_ahead(conn, now=now, days_ahead=self._days_ahead)
            self.dropped += drop_expired(conn, now=now, retention_days=self._retention_days)
        self.runs += 1

    def _loop(self) -> None:
        while True:
            try:
                self.run_once()
            except (psycopg.Error, RuntimeError) as exc:  # PostgreSQL away or not migrated: next period
                log.warning("history_maintenance_failed", error=str(exc).strip())
            if self._stop.wait(self._period_s):
                return
