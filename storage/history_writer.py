"""The history writer: a SampleSink that COPYs batches into tag_history and spools them during outages."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

import psycopg
import structlog
from tenacity import RetryCallState, Retrying, retry_if_exception_type, wait_exponential_jitter

from lockpilot.clock import Clock, SystemClock
from lockpilot.samples import Sample
from storage.backend import detect_backend
from storage.ingest import BatchIngester
from storage.journal import SampleJournal, rows_to_replay
from storage.outage import OutageLog
from storage.pg_guard import connect as pg_connect
from storage.pg_guard import deadline
from storage.quality import QUALITY_CODE
from storage.recording import RecordingPolicy
from storage.rollup import Row
from storage.sample_queue import SampleQueue
from storage.spool import DiskSpool, read_segment

log = structlog.get_logger(__name__)

_CONNECT_ERRORS = (psycopg.Error, RuntimeError)  # unreachable, or reachable but not migrated yet
IngesterFactory = Callable[[psycopg.Connection], BatchIngester]


def tag_history_ingester(conn: psycopg.Connection) -> BatchIngester:
    """The default: batches into tag_history (and its rollup on plain PostgreSQL), every sample stored."""
    return BatchIngester(conn, detect_backend(conn))


def recording_ingester(policy: RecordingPolicy) -> IngesterFactory:
    """Batches into tag_history storing by exception under `policy` (the rollup still sees every sample)."""

    def make(conn: psycopg.Connection) -> BatchIngester:
        return BatchIngester(conn, detect_backend(conn), recording=policy)

    return make


def to_rows(samples: Sequence[Sample]) -> list[Row]:
    """Sample objects as COPY rows (value as float, quality as its code)."""
    code = QUALITY_CODE
    return [
        (s.time, s.tag, None if s.value is None else float(s.value), code[s.quality], s.source)
        for s in samples
    ]


class HistoryWriter:
    """Batches by size or age on its own thread; metrics are plain attributes for a Prometheus collector."""

    DEFAULT_BATCH_AGE_S = 0.5

    def __init__(
        self,
        database_url: str,
        *,
        spool_dir: Path,
        clock: Clock | None = None,
        batch_rows: int = 10_000,
        batch_age_s: float = DEFAULT_BATCH_AGE_S,
        connect_timeout_s: float = 3.0,
        statement_timeout_s: float = 5.0,
        max_backoff_s: float = 5.0,
        ingester: IngesterFactory = tag_history_ingester,  # another table (the fleet's) takes its own
    ) -> None:
        self._url = database_url
        self._make_ingester = ingester
        self._clock = clock or SystemClock()
        self._queue = SampleQueue[Row](max_rows=batch_rows, max_age_s=batch_age_s)
        self._spool = DiskSpool(spool_dir)
        self._rejected = DiskSpool(spool_dir / "rejected")
        self._journal = SampleJournal(spool_dir / "journal")  # survives a kill -9 of the process
        self._publish_lock = threading.Lock()
        self._handled = 0  # samples taken from the queue and committed or spooled (the journal's ack)
        self._connect_timeout_s = connect_timeout_s
        self._statement_timeout_s = statement_timeout_s
        self._wait = wait_exponential_jitter(multiplier=0.2, max=max_backoff_s)
        self._outage = OutageLog("postgresql")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="history-writer", daemon=True)
        self._conn: psycopg.Connection | None = None
        self._ingester: BatchIngester | None = None
        self._busy = False
        self.samples_written = 0
        self.batches_written = 0
        self.batches_skipped = 0  # replays of batches already committed
        self.batches_rejected = 0
        self.newest_written: datetime | None = None

    # -- public API -------------------------------------------------------------------------------
    def start(self) -> None:
        """Start the writer thread."""
        self._thread.start()

    def publish(self, batch: Sequence[Sample]) -> None:
        """Journal and queue samples for writing; never waits for PostgreSQL."""
        rows = to_rows(batch)
        with self._publish_lock:  # the journal and the queue keep one order
            self._journal.append(rows)
            self._queue.put(rows)

    @property
    def queue_depth(self) -> int:
        return len(self._queue)

    @property
    def spool_depth(self) -> int:
        """Batches waiting in the disk spool."""
        return self._spool.batches

    @property
    def connected(self) -> bool:
        return self._conn is not None and not self._conn.closed

    @property
    def lag_s(self) -> float | None:
        """Age of the newest sample committed to PostgreSQL (None before the first batch)."""
        newest = self.newest_written
        return None if newest is None else (self._clock.now() - newest).total_seconds()

    def wait_idle(self, *, timeout_s: float) -> bool:
        """Wait until everything published is committed (queue and spool empty); False on timeout."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if not len(self._queue) and not self._busy and self._spool.empty and self.connected:
                return True
            time.sleep(0.02)
        return False

    def stop(self, *, timeout_s: float = 30.0) -> None:
        """Write (or spool) what is queued, then stop the thread and close the connection."""
        self._stop.set()
        self._queue.wake()
        self._thread.join(timeout_s)
        self._disconnect()

    # -- thread -----------------------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            stopping = self._stop.is_set()
            rows = self._queue.take(idle_s=0.5, force=stopping)
            if stopping and not rows:
                return
            try:
                self._busy = True
                self._step(rows)
            except Exception:
                log.exception("history_writer_step_failed")
                time.sleep(0.1)
            finally:
                self._busy = False

    def _step(self, rows: list[Row]) -> None:
        if self._journal.left_over and self._ensure_connected():
            self._recover()
        if not rows:  # idle: (re)connect now, so health is true and the first batch waits for nothing
            if self._ensure_connected() and not self._spool.empty:
                self._flush_spool()
            return
        self._handle(uuid.uuid4(), rows)
        self._handled_more(len(rows))

    def _handled_more(self, count: int) -> None:
        """`count` more samples are committed or spooled: the journal forgets them."""
        self._handled += count
        self._journal.ack(self._handled)

    def _recover(self) -> None:
        """Write what a dead process had journaled but not committed, and a gap marker per tag after it."""
        if not (self._spool.empty or self._flush_spool()):
            return
        rows = self._journal.recovered_rows()
        if rows:
            assert self._conn is not None
            try:
                with deadline(self._conn, self._statement_timeout_s + 1.0):
                    replay = rows_to_replay(self._conn, rows)
            except psycopg.Error as exc:
                self._outage.failed(exc)
                self._disconnect()
                return
            if not self._write(uuid.uuid4(), replay):
                return
            log.info("journal_recovered", journaled=len(rows), written=len(replay))
        self._journal.forget_left_over()

    def _handle(self, batch_id: uuid.UUID, rows: list[Row]) -> None:
        """Write the batch after the spool drains, or spool it when PostgreSQL is unreachable."""
        ready = self._ensure_connected() and (self._spool.empty or self._flush_spool())
        if ready and self._write(batch_id, rows):
            return
        self._spool.append(batch_id, rows)  # the in-flight batch too, when its COPY failed

    def _write(self, batch_id: uuid.UUID, rows: list[Row]) -> bool:
        """Commit one batch; False (and disconnected) when the connection failed."""
        assert self._ingester is not None and self._conn is not None
        try:
            with deadline(self._conn, self._statement_timeout_s + 1.0):  # a frozen server is cut
                written = self._ingester.write(batch_id, rows)
            if written:
                self.samples_written += len(rows)
                self.batches_written += 1
                newest = max(row[0] for row in rows)
                self.newest_written = max(newest, self.newest_written or newest)
            else:
                self.batches_skipped += 1
            return True
        except psycopg.OperationalError as exc:
            self._outage.failed(exc)
            self._disconnect()
            return False
        except psycopg.Error as exc:
            return self._reject(batch_id, rows, exc)
        except Exception as exc:  # anything else mid-COPY: keep the batch (spooled) and reconnect
            log.warning("history_write_failed", error=type(exc).__name__)
            self._disconnect()
            return False

    def _reject(self, batch_id: uuid.UUID, rows: list[Row], exc: psycopg.Error) -> bool:
        """Keep a batch PostgreSQL refuses (bad data) aside instead of retrying it forever."""
        if self._conn is None or self._conn.closed or self._conn.broken:
            self._outage.failed(exc)
            self._disconnect()
            return False
        log.error("history_batch_rejected", batch_id=str(batch_id), rows=len(rows), error=str(exc).strip())
        self._rejected.append(batch_id, rows)
        self.batches_rejected += 1
        return True

    def _flush_spool(self) -> bool:
        """Write spooled batches oldest first, deleting each segment once done; False if interrupted."""
        self._spool.seal()
        for segment in self._spool.segments():
            count = 0
            for batch in read_segment(segment):
                if not self._write(batch.batch_id, batch.rows):
                    return False
                count += 1
            self._spool.remove(segment, batches=count)
            log.info("spool_segment_flushed", segment=segment.name, batches=count)
        return True

    # -- connection -------------------------------------------------------------------------------
    def _ensure_connected(self) -> bool:
        """Connect (with backoff between attempts, spooling meanwhile); False only when stopping."""
        if self.connected:
            return True
        retrying = Retrying(
            retry=retry_if_exception_type(_CONNECT_ERRORS),
            wait=self._wait,
            stop=self._stop_retrying,
            sleep=self._sleep_spooling,
            reraise=True,
        )
        try:
            retrying(self._connect)
        except _CONNECT_ERRORS:
            return False
        return True

    def _stop_retrying(self, state: RetryCallState) -> bool:
        return self._stop.is_set()

    def _connect(self) -> None:
        try:
            conn = pg_connect(
                self._url,
                autocommit=True,
                connect_timeout_s=self._connect_timeout_s,
                statement_timeout_s=self._statement_timeout_s,
            )
            self._ingester = self._make_ingester(conn)
        except _CONNECT_ERRORS as exc:
            self._outage.failed(exc)
            raise
        self._conn = conn
        self._outage.recovered(spooled_batches=self._spool.batches)

    def _sleep_spooling(self, seconds: float) -> None:
        """Between connection attempts keep taking samples, straight into the spool."""
        deadline = time.monotonic() + seconds
        while not self._stop.is_set() and (remaining := deadline - time.monotonic()) > 0:
            rows = self._queue.take(idle_s=remaining)
            if rows:
                self._spool.append(uuid.uuid4(), rows)
                self._handled_more(len(rows))

    def _disconnect(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except psycopg.Error:
                log.debug("close_failed")
