"""Ingest benchmark: the history writer against executemany and a raw binary COPY of the same rows."""

from __future__ import annotations

import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from lockpilot.samples import Quality, Sample
from storage.history_writer import HistoryWriter, to_rows
from storage.ingest import copy_rows
from storage.migrate import migrate
from storage.partitions import day_of, ensure_partitions
from storage.rollup import Row

BATCH_ROWS = 10_000
_INSERT = "INSERT INTO tag_history (time, tag, value, quality, source) VALUES (%s, %s, %s, %s, %s)"


@dataclass(frozen=True, slots=True)
class BenchResult:
    """Throughput of one method over the same rows."""

    method: str
    rows: int
    seconds: float

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds


def make_samples(count: int, *, tags: int = 155, start: datetime | None = None) -> list[Sample]:
    """Samples cycling over `tags` tags every 10 ms of simulated time, in one UTC day."""
    origin = start or datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    names = [f"bench_tag_{i:03d}" for i in range(tags)]
    step = timedelta(milliseconds=10)
    return [
        Sample(names[i % tags], origin + step * i, float(i % 997) * 0.5, Quality.GOOD, "bench")
        for i in range(count)
    ]


def _timed(method: str, rows: int, action: Callable[[], None]) -> BenchResult:
    started = time.perf_counter()
    action()
    return BenchResult(method, rows, time.perf_counter() - started)


def _batches(rows: Sequence[Row]) -> list[Sequence[Row]]:
    return [rows[i : i + BATCH_ROWS] for i in range(0, len(rows), BATCH_ROWS)]


def _executemany(conn: psycopg.Connection, rows: Sequence[Row]) -> None:
    for batch in _batches(rows):
        with conn.transaction(), conn.cursor() as cur:
            cur.executemany(_INSERT, batch)


def _raw_copy(conn: psycopg.Connection, rows: Sequence[Row]) -> None:
    for batch in _batches(rows):
        with conn.transaction(), conn.cursor() as cur:
            copy_rows(cur, batch)


def _connected_writer(database_url: str, *, spool_dir: Path) -> HistoryWriter:
    """A started writer with its connection open: the baselines too are timed on an open connection."""
    writer = HistoryWriter(database_url, spool_dir=spool_dir, batch_rows=BATCH_ROWS)
    writer.start()
    deadline = time.monotonic() + 30
    while not writer.connected:
        if time.monotonic() > deadline:
            raise RuntimeError("writer did not connect")
        time.sleep(0.01)
    return writer


def _publish_all(writer: HistoryWriter, samples: Sequence[Sample]) -> None:
    """Publish in collector-sized chunks and wait until every sample is committed."""
    for i in range(0, len(samples), 1_000):
        writer.publish(samples[i : i + 1_000])
    if not writer.wait_idle(timeout_s=600):
        raise RuntimeError("writer did not finish")


def _reset(conn: psycopg.Connection) -> None:
    conn.execute(
        "TRUNCATE tag_history_rows, tag_rollup_1m, tag_rollup_1h, tag_rollup_1d, tag_rollup_open,"
        " ingest_batches"
    )
    conn.execute("CHECKPOINT")


def run_ingest_bench(database_url: str, *, rows: int) -> list[BenchResult]:
    """Measure the three methods on the same rows in a scratch database; return their figures."""
    samples = make_samples(rows)
    scratch = f"lockpilot_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(database_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{scratch}"')
    url = make_conninfo("", **{**conninfo_to_dict(database_url), "dbname": scratch})
    try:
        migrate(url)
        with psycopg.connect(url, autocommit=True) as conn:
            ensure_partitions(conn, {day_of(samples[0].time), day_of(samples[-1].time)})
            results = []
            for method, action in (
                ("executemany", lambda: _executemany(conn, to_rows(samples))),
                ("raw binary COPY", lambda: _raw_copy(conn, to_rows(samples))),
            ):
                _reset(conn)
                results.append(_timed(method, rows, action))
            _reset(conn)
            with tempfile.TemporaryDirectory() as spool:
                writer = _connected_writer(url, spool_dir=Path(spool))
                try:
                    results.append(
                        _timed("history writer (COPY + rollup)", rows, lambda: _publish_all(writer, samples))
                    )
                finally:
                    writer.stop()
        return results
    finally:
        with psycopg.connect(database_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
