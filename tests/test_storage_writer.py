"""History writer against real PostgreSQL: round trip, rollup exactness, queries, spool and replays."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from lockpilot.samples import Quality, Sample
from storage import history
from storage.backend import HistoryBackend
from storage.history_writer import HistoryWriter, to_rows
from storage.ingest import BatchIngester
from storage.migrate import migrate
from storage.spool import DiskSpool
from tests.conftest import TRUNCATE_HISTORY

T0 = datetime(2026, 3, 1, 23, 58, 0, 250_000, tzinfo=UTC)  # the window crosses midnight: two partitions
QUALITIES = [Quality.GOOD, Quality.GOOD, Quality.GOOD, Quality.BAD, Quality.STALE]


def make(count: int, *, start: datetime = T0, step_ms: int = 100, tags: int = 3) -> list[Sample]:
    """Samples over `tags` tags, some bad or without value, times unique per tag."""
    out = []
    for i in range(count):
        value = None if i % 17 == 0 else round((i * 7.3) % 50 - 10, 3)
        out.append(
            Sample(
                f"t{i % tags}",
                start + timedelta(milliseconds=step_ms * i),
                value,
                QUALITIES[i % len(QUALITIES)],
                "test",
            )
        )
    return out


@pytest.fixture(scope="module")
def db(pg_url: str) -> str:
    migrate(pg_url)
    return pg_url


@pytest.fixture
def conn(db: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(db, autocommit=True) as connection:
        connection.execute(TRUNCATE_HISTORY)
        yield connection


def write_all(db: str, samples: list[Sample], spool: Path, *, chunk: int = 250) -> HistoryWriter:
    writer = HistoryWriter(db, spool_dir=spool, batch_rows=1_000, batch_age_s=0.1)
    writer.start()
    try:
        for i in range(0, len(samples), chunk):
            writer.publish(samples[i : i + chunk])
        assert writer.wait_idle(timeout_s=30)
    finally:
        writer.stop()
    return writer


ROLLUP_FROM_RAW = """
SELECT tag, date_bin('1 minute', time, '1970-01-01+00') AS bucket, count(*)::int, count(value)::int,
       (count(*) FILTER (WHERE quality = 0))::int, sum(value), min(value), max(value),
       min(time) FILTER (WHERE value IS NOT NULL),
       (array_agg(value ORDER BY time) FILTER (WHERE value IS NOT NULL))[1],
       max(time) FILTER (WHERE value IS NOT NULL),
       (array_agg(value ORDER BY time DESC) FILTER (WHERE value IS NOT NULL))[1]
FROM tag_history GROUP BY 1, 2 ORDER BY 1, 2
"""
ROLLUP = """SELECT tag, bucket, n_samples, n_values, good_count, sum, min, max, first_time, first_value,
                   last_time, last_value FROM tag_history_1m ORDER BY 1, 2"""


def test_round_trip_and_rollup_equals_raw_aggregates(
    db: str, conn: psycopg.Connection, tmp_path: Path
) -> None:
    samples = make(6_000)
    shuffled = samples[3_000:] + samples[:3_000]  # out of order across batches: merging must still be exact
    writer = write_all(db, shuffled, tmp_path)
    assert writer.samples_written == 6_000
    assert conn.execute("SELECT count(*) FROM tag_history").fetchone() == (6_000,)
    assert conn.execute("SELECT count(*) FROM tag_history_default").fetchone() == (0,)
    expected, got = conn.execute(ROLLUP_FROM_RAW).fetchall(), conn.execute(ROLLUP).fetchall()
    assert len(got) == len(expected) > 10
    for want, have in zip(expected, got, strict=True):
        assert have[:5] == want[:5] and have[6:] == want[6:]
        assert have[5] == pytest.approx(want[5], rel=1e-12, abs=1e-9)


def test_raw_and_aggregated_queries(db: str, conn: psycopg.Connection, tmp_path: Path) -> None:
    samples = make(3_000)  # 300 s of t0/t1/t2, one sample per tag every 0.3 s
    write_all(db, samples, tmp_path)
    start, end = T0 + timedelta(seconds=10), T0 + timedelta(seconds=250)
    points = history.raw(conn, "t1", start=start + timedelta(seconds=0.05), end=end)
    want = [s for s in samples if s.tag == "t1" and start + timedelta(seconds=0.05) <= s.time < end]
    start_between = start + timedelta(seconds=0.05)  # between two samples
    in_force = [s for s in samples if s.tag == "t1" and s.time < start_between][-1]  # carried to the start
    assert (points[0].time, points[0].value, points[0].carried) == (start_between, in_force.value, True)
    assert [(p.time, p.value, p.quality) for p in points[1:]] == [(s.time, s.value, s.quality) for s in want]

    from_rollup = history.aggregate(conn, "t1", start=start, end=end, every=timedelta(minutes=2))
    assert history.uses_rollup(timedelta(minutes=2)) and not history.uses_rollup(timedelta(seconds=90))
    bin_90s = history.aggregate(conn, "t1", start=start, end=end, every=timedelta(seconds=90))
    lo, hi = history.floor_time(start, timedelta(seconds=90)), history.ceil_time(end, timedelta(seconds=90))
    assert sum(b.count for b in bin_90s) == sum(1 for s in samples if s.tag == "t1" and lo <= s.time < hi)
    for bucket in from_rollup:
        bucket_end = bucket.start + timedelta(minutes=2)
        inside = [s for s in samples if s.tag == "t1" and bucket.start <= s.time < bucket_end]
        values = [s.value for s in inside if s.value is not None]
        assert bucket.count == len(inside) and bucket.n_values == len(values)
        assert bucket.min == min(values) and bucket.max == max(values)
        assert bucket.mean == pytest.approx(sum(values) / len(values))
        assert (bucket.first, bucket.last) == (values[0], values[-1])
        good = sum(s.quality is Quality.GOOD for s in inside)
        assert bucket.good_share == pytest.approx(good / len(inside))


def test_stats_are_exact_with_unaligned_edges(db: str, conn: psycopg.Connection, tmp_path: Path) -> None:
    samples = make(3_000)
    write_all(db, samples, tmp_path)
    start, end = T0 + timedelta(seconds=7.05), T0 + timedelta(seconds=233.3)
    stats = history.stats(conn, "t2", start=start, end=end)
    inside = [s for s in samples if s.tag == "t2" and start <= s.time < end]
    values = [s.value for s in inside if s.value is not None]
    assert (stats.count, stats.n_values) == (len(inside), len(values))
    assert (stats.min, stats.max, stats.last) == (min(values), max(values), values[-1])
    assert stats.mean == pytest.approx(sum(values) / len(values))
    assert stats.good_share == pytest.approx(sum(s.quality is Quality.GOOD for s in inside) / len(inside))
    empty = history.stats(conn, "t2", start=T0 - timedelta(days=2), end=T0 - timedelta(days=1))
    assert (empty.count, empty.mean, empty.good_share) == (0, None, None)


def test_replayed_batch_id_is_skipped(db: str, conn: psycopg.Connection) -> None:
    rows = to_rows(make(500))
    batch_id = uuid.uuid4()
    ingester = BatchIngester(conn, HistoryBackend.PLAIN)
    assert ingester.write(batch_id, rows) is True
    assert ingester.write(batch_id, rows) is False
    assert conn.execute("SELECT count(*) FROM tag_history").fetchone() == (500,)
    assert conn.execute("SELECT sum(n_samples) FROM tag_history_1m").fetchone() == (500,)


def test_rows_caught_by_the_default_partition_move_to_a_new_day(db: str, conn: psycopg.Connection) -> None:
    far = datetime(2031, 5, 5, 12, tzinfo=UTC)
    conn.execute("INSERT INTO tag_history VALUES (%s, 'x', 1.0, 0, 'manual')", (far,))
    assert conn.execute("SELECT count(*) FROM tag_history_default").fetchone() == (1,)
    BatchIngester(conn, HistoryBackend.PLAIN).write(uuid.uuid4(), to_rows(make(10, start=far)))
    assert conn.execute("SELECT count(*) FROM tag_history_default").fetchone() == (0,)
    assert conn.execute("SELECT count(*) FROM tag_history_p20310505").fetchone() == (11,)


def test_spool_survives_a_writer_restart(db: str, conn: psycopg.Connection, tmp_path: Path) -> None:
    dead = "postgresql://postgres@127.0.0.1:1/none"  # nothing listens on port 1: every connect fails
    samples = make(2_500, tags=5)
    writer = HistoryWriter(dead, spool_dir=tmp_path, batch_rows=1_000, batch_age_s=0.05, connect_timeout_s=1)
    writer.start()
    writer.publish(samples)
    writer.stop()
    spooled = DiskSpool(tmp_path).batches
    assert spooled >= 1 and writer.samples_written == 0
    with (tmp_path / "seg-999999999999.spool").open("wb") as torn:  # a crash mid-append leaves a torn tail
        torn.write(b"\x10\x00\x00\x00garbage")

    restarted = HistoryWriter(db, spool_dir=tmp_path)
    restarted.start()
    try:
        assert restarted.wait_idle(timeout_s=30)
    finally:
        restarted.stop()
    counts = conn.execute("SELECT count(*), count(DISTINCT (tag, time)) FROM tag_history").fetchone()
    assert counts == (2_500, 2_500)
    assert conn.execute("SELECT sum(n_samples) FROM tag_history_1m").fetchone() == (2_500,)
    assert list(tmp_path.glob("seg-*.spool")) == []
