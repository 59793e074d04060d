"""The historian's upkeep as a running part: partitions ahead, closed days compacted, expired ones dropped."""

from __future__ import annotations

import threading
from datetime import date

import psycopg
import structlog

from lockpilot.clock import Clock
from storage.backend import HistoryBackend, detect_backend
from storage.compaction import compact_closed
from storage.partitions import ensure_ahead
from storage.retention import drop_expired

log = structlog.get_logger(__name__)


class HistoryMaintenance:
    """Every `period_s` (and at start): partitions ahead, retention, then closed days compacted.

    A day is compacted `compaction_grace_s` after its UTC end (late batches land first).
    """

    def __init__(
        self,
        database_url: str,
        *,
        clock: Clock,
        raw_retention_days: int,
        period_s: float = 3600.0,
        days_ahead: int = 2,
        compaction_grace_s: float = 3600.0,
    ) -> None:
        self._url = database_url
        self._clock = clock
        self._retention_days = raw_retention_days
        self._period_s = period_s
        self._days_ahead = days_ahead
        self._grace_s = compaction_grace_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.runs = 0
        self.dropped: list[str] = []
        self.compacted: list[date] = []

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
        """Partitions ahead, expired days dropped, closed days compacted (plain path; not TimescaleDB)."""
        with psycopg.connect(self._url, autocommit=True, connect_timeout=5) as conn:
            if detect_backend(conn) is not HistoryBackend.PLAIN:
                return
            now = self._clock.now()
            ensure_ahead(conn, now=now, days_ahead=self._days_ahead)
            self.dropped += drop_expired(conn, now=now, retention_days=self._retention_days)
            compacted = compact_closed(conn, now=now, grace_s=self._grace_s)
            if compacted:
                log.info("history_compaction_done", days=[d.isoformat() for d in compacted])
            self.compacted += compacted
        self.runs += 1

    def _loop(self) -> None:
        while True:
            try:
                self.run_once()
            except (psycopg.Error, RuntimeError) as exc:  # PostgreSQL away or not migrated: next period
                log.warning("history_maintenance_failed", error=str(exc).strip())
            if self._stop.wait(self._period_s):
                return
