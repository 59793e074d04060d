"""Historian benchmark: days of plant history through the real writer against today's full-rate rows.

The baseline is the layout before exception recording (0002: text tag and source, btree on (tag, time),
text-keyed minute rollup), written with a raw binary COPY of the same collected samples (the first hour)
in the same run: its bytes per sample and its COPY rate are the references. The simulated days are then
compacted into hourly rows (storage.compaction, as the nightly maintenance does once they are closed) and
measured again; the queries run on the compacted history.
"""

from __future__ import annotations

import math
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import structlog
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from bench.historian_store import measure_store, synthesise
from bench.plant_history import PlantHistory
from evals.incident import IncidentLibrary
from lockpilot.plant import Plant
from lockpilot.samples import Sample
from storage import history
from storage.compaction import compact_closed
from storage.history_writer import HistoryWriter, recording_ingester, to_rows
from storage.migrate import migrate
from storage.recording import RecordingPolicy

START = datetime(2026, 1, 1, tzinfo=UTC)
QUERY_TAG = "nivel_camara"
log = structlog.get_logger(__name__)
BATCH_ROWS = 10_000
COPY_REPEATS = 3
MAX_QUEUED = 4 * BATCH_ROWS  # samples waiting for the writer before the simulation waits for it
PROGRESS_EVERY_S = 86_400.0  # a log line per simulated day (a 30-day run takes a while)
_BASELINE_DDL = """
CREATE TABLE baseline_history (time timestamptz NOT NULL, tag text NOT NULL, value double precision,
                               quality smallint NOT NULL, source text NOT NULL DEFAULT '');
CREATE INDEX baseline_history_tag_time_idx ON baseline_history (tag, time);
"""
_BASELINE_ROLLUP = """
CREATE TABLE baseline_1m AS  -- the 0002 rollup's columns and key (first/last values stand in: size only)
SELECT tag, date_bin('1 minute', time, '1970-01-01+00') AS bucket, count(*)::int AS n_samples,
       count(value)::int AS n_values, (count(*) FILTER (WHERE quality = 0))::int AS good_count,
       sum(value) AS sum, min(value) AS min, max(value) AS max, min(time) AS first_time,
       min(value) AS first_value,
       max(time) AS last_time, max(value) AS last_value
FROM baseline_history GROUP BY 1, 2;
ALTER TABLE baseline_1m ADD PRIMARY KEY (tag, bucket);
"""


@dataclass
class Latency:
    """p50/p95 of one query, in milliseconds."""

    name: str
    p50_ms: float
    p95_ms: float


@dataclass
class HistorianReport:
    """Figures of one run (see README, Historian)."""

    days: float
    collected: int = 0
    stored_rows: int = 0
    bytes_on_disk: int = 0
    baseline_samples: int = 0
    baseline_bytes: int = 0
    copy_rows_per_s: float = 0.0
    writer_rows_per_s: float = 0.0
    rollup_samples: int = 0
    bytes_before_compaction: int = 0
    parts_before_compaction: dict[str, int] = field(default_factory=dict)
    compaction_s: float = 0.0
    hour_rows: int = 0
    latencies: list[Latency] = field(default_factory=list)  # after compaction
    latencies_before_compaction: list[Latency] = field(default_factory=list)
    baseline_latencies: list[Latency] = field(default_factory=list)
    synthesised: list[str] = field(default_factory=list)
    parts: dict[str, int] = field(default_factory=dict)  # bytes on disk by part

    @property
    def bytes_per_sample(self) -> float:
        return self.bytes_on_disk / self.collected

    @property
    def baseline_bytes_per_sample(self) -> float:
        return self.baseline_bytes / self.baseline_samples


@contextmanager
def scratch_database(database_url: str) -> Iterator[str]:
    """A database of its own for one run, dropped afterwards."""
    name = f"lockpilot_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(database_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_conninfo("", **{**conninfo_to_dict(database_url), "dbname": name})
    finally:
        with psycopg.connect(database_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _baseline(conn: psycopg.Connection, samples: Sequence[Sample], report: HistorianReport) -> None:
    """Today's layout, full rate: raw binary COPY of the samples (timed), btree, text-keyed minute rollup."""
    conn.execute(_BASELINE_DDL)
    rows = to_rows(samples)

    def copy() -> None:
        for i in range(0, len(rows), BATCH_ROWS):
            with (
                conn.transaction(),
                conn.cursor() as cur,
                cur.copy("COPY baseline_history FROM STDIN (FORMAT BINARY)") as cp,
            ):
                cp.set_types(["timestamptz", "text", "float8", "int2", "text"])
                for row in rows[i : i + BATCH_ROWS]:
                    cp.write_row(row)

    rates = []
    for _ in range(COPY_REPEATS):  # the median of a few: one COPY alone swings with the machine's load
        conn.execute("TRUNCATE baseline_history")
        rates.append(len(rows) / _timed(copy))
    report.copy_rows_per_s = statistics.median(rates)
    conn.execute(_BASELINE_ROLLUP)
    conn.execute("VACUUM ANALYZE baseline_history")
    conn.execute("VACUUM ANALYZE baseline_1m")
    size = "SELECT pg_total_relation_size('baseline_history') + pg_total_relation_size('baseline_1m')"
    report.baseline_bytes = int(conn.execute(size).fetchone()[0])  # type: ignore[index]
    report.baseline_samples = len(rows)
    end = samples[-1].time
    raw_q = (
        "SELECT time, value FROM baseline_history WHERE tag = %s AND time >= %s AND time < %s ORDER BY time"
    )
    report.baseline_latencies.append(
        _latency(
            "last 15 min raw", lambda: conn.execute(raw_q, (QUERY_TAG, end - timedelta(minutes=15), end))
        )
    )


def _latency(name: str, query: Callable[[], object], *, repeats: int = 40) -> Latency:
    query()  # warm
    times = sorted(_timed(query) * 1000 for _ in range(repeats))
    return Latency(name, statistics.median(times), times[int(0.95 * (len(times) - 1))])


def _writer(url: str, spool: Path, plant: Plant) -> HistoryWriter:
    policy = RecordingPolicy.for_plant(plant)
    writer = HistoryWriter(url, spool_dir=spool, batch_rows=BATCH_ROWS, ingester=recording_ingester(policy))
    writer.start()
    deadline = time.monotonic() + 30
    while not writer.connected and time.monotonic() < deadline:
        time.sleep(0.01)
    return writer


def _publish(writer: HistoryWriter, batches: Iterator[list[Sample]], *, chunk: int = 2_000) -> int:
    """Publish ticks in collector-sized chunks; return the samples published (a log line a day)."""
    count, pending = 0, []
    started, next_day = time.monotonic(), START + timedelta(seconds=PROGRESS_EVERY_S)
    for batch in batches:
        pending += batch
        if len(pending) >= chunk:
            writer.publish(pending)
            count, pending = count + len(pending), []
            while writer.queue_depth > MAX_QUEUED:  # a collector publishes in real time; this runs ahead
                time.sleep(0.005)
            if batch[0].time >= next_day:
                log.info(
                    "historian_bench_progress",
                    simulated_until=next_day.isoformat(),
                    collected=count,
                    elapsed_s=round(time.monotonic() - started),
                    writer_queue=writer.queue_depth,
                )
                next_day += timedelta(seconds=PROGRESS_EVERY_S)
    if pending:
        writer.publish(pending)
        count += len(pending)
    return count


def _queries(conn: psycopg.Connection, end: datetime) -> list[Latency]:
    day, tag = timedelta(days=1), QUERY_TAG
    return [
        _latency(
            "last 15 min raw", lambda: history.raw(conn, tag, start=end - timedelta(minutes=15), end=end)
        ),
        _latency(
            "1 day at 1 min",
            lambda: history.aggregate(conn, tag, start=end - day, end=end, every=timedelta(minutes=1)),
        ),
        _latency(
            "30 days at 1 h",
            lambda: history.aggregate(conn, tag, start=end - 30 * day, end=end, every=timedelta(hours=1)),
        ),
        _latency(
            "1 year at 1 day", lambda: history.aggregate(conn, tag, start=end - 365 * day, end=end, every=day)
        ),
    ]


def run_historian_bench(
    database_url: str, plant: Plant, library: IncidentLibrary, *, days: float, baseline_hours: float = 1.0
) -> HistorianReport:
    """Simulate `days` of the plant through the writer in a scratch database; measure it and the baseline."""
    report = HistorianReport(days=days)
    source = PlantHistory(plant, library)
    ticks = source.batches(START, seconds=days * 86_400)
    first = [s for _, batch in zip(range(int(baseline_hours * 3600 * 2)), ticks, strict=False) for s in batch]
    with scratch_database(database_url) as url, tempfile.TemporaryDirectory() as spool:
        migrate(url)
        with psycopg.connect(url, autocommit=True) as conn:
            _baseline(conn, first, report)
            writer = _writer(url, Path(spool), plant)
            try:

                def write_first() -> None:
                    writer.publish(first)
                    writer.wait_idle(timeout_s=600)

                report.writer_rows_per_s = len(first) / _timed(write_first)
                report.collected = len(first) + _publish(writer, ticks)
                if not writer.wait_idle(timeout_s=3600):
                    raise RuntimeError("the history writer did not finish")
            finally:
                writer.stop()
            end = START + timedelta(days=days)
            measure_store(conn, report)
            report.bytes_before_compaction = report.bytes_on_disk
            report.parts_before_compaction = report.parts
            report.latencies_before_compaction = _queries(conn, end)[:2]  # the trends read tiers only
            closed = START + timedelta(days=math.ceil(days))  # every simulated day has ended
            report.compaction_s = _timed(lambda: compact_closed(conn, now=closed, grace_s=0))
            measure_store(conn, report)
            whole_days = max(1, int(days))
            for table, wanted in (("tag_rollup_1h", 30), ("tag_rollup_1d", 365)):
                if synthesise(conn, table=table, start=START, simulated_days=whole_days, wanted_days=wanted):
                    report.synthesised.append(f"{table} back to {wanted} days")
            report.latencies = _queries(conn, end)
    return report


def report_rows(report: HistorianReport) -> list[tuple[str, str, str, str]]:
    """The printed figures: name, historian, baseline (today's full-rate rows), target."""
    copy, n = report.copy_rows_per_s, report.collected
    rows = [
        (
            "bytes on disk per collected sample, compacted",
            f"{report.bytes_per_sample:.2f}",
            f"{report.baseline_bytes_per_sample:.1f}",
            "≤ 4",
        ),
        ("  before compaction (rows)", f"{report.bytes_before_compaction / n:.2f}", "", ""),
        ("samples stored per collected sample", f"{report.stored_rows / n:.4f}", "1", ""),
        ("hourly rows / compaction s", f"{report.hour_rows:,} / {report.compaction_s:.1f}", "", ""),
        ("rollup samples / collected", f"{report.rollup_samples / report.collected:.4f}", "1", "1 (exact)"),
        ("ingest samples/s (first hour)", f"{report.writer_rows_per_s:,.0f}", f"{copy:,.0f} (raw COPY)", ""),
        ("ingest vs raw binary COPY", f"{report.writer_rows_per_s / copy:.2f}×", "1×", "≥ 0.5×"),
    ]
    for when, parts in (("compacted", report.parts), ("before compaction", report.parts_before_compaction)):
        rows += [(f"  {when}: {name}", f"{size / n:.2f}", "", "") for name, size in parts.items() if size]
    old = {lat.name: lat for lat in report.baseline_latencies}
    targets = {"30 days at 1 h": "p95 ≤ 50", "1 year at 1 day": "p95 ≤ 100"}
    named = [(f"{lat.name}, compacted", lat) for lat in report.latencies]
    named += [(f"{lat.name}, before compaction", lat) for lat in report.latencies_before_compaction]
    for name, lat in named:
        was = old.get(lat.name)
        rows.append(
            (
                f"{name} p50 / p95 ms",
                f"{lat.p50_ms:.2f} / {lat.p95_ms:.2f}",
                f"{was.p50_ms:.2f} / {was.p95_ms:.2f}" if was else "",
                targets.get(lat.name, ""),
            )
        )
    return rows
