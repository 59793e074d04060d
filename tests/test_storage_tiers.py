"""Rollup tiers (minute, hour, day) kept forever, raw days dropped after the retention, upkeep on a timer."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from structlog.testing import capture_logs

from lockpilot.clock import ManualClock
from lockpilot.samples import Quality, Sample
from storage import history
from storage.history_writer import HistoryWriter
from storage.maintenance import HistoryMaintenance
from storage.migrate import migrate
from storage.partitions import ensure_partitions, existing_partitions, partition_name
from storage.retention import drop_expired, partition_day
from storage.tiers import DAY, HOUR, MINUTE, segments, tier_for
from tests.conftest import TRUNCATE_HISTORY

T0 = datetime(2026, 3, 1, 22, 0, tzinfo=UTC)


def test_the_coarsest_tier_that_tiles_the_buckets_answers() -> None:
    assert tier_for(timedelta(days=1)) == DAY and tier_for(timedelta(days=7)) == DAY
    assert tier_for(timedelta(hours=6)) == HOUR and tier_for(timedelta(minutes=90)) == MINUTE
    assert tier_for(timedelta(seconds=90)) is None
    start, end = T0 - timedelta(days=2, seconds=90), T0 + timedelta(hours=3, minutes=2, seconds=5)
    parts = segments(start, end)
    assert [step for step, _, _ in parts] == [None, MINUTE, HOUR, DAY, HOUR, MINUTE, None]
    assert parts[0][1] == start and parts[-1][2] == end
    assert all(a[2] == b[1] for a, b in itertools.pairwise(parts))


@pytest.fixture(scope="module")
def db(pg_url: str) -> str:
    migrate(pg_url)
    return pg_url


@pytest.fixture
def conn(db: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(db, autocommit=True) as connection:
        connection.execute(TRUNCATE_HISTORY)
        yield connection


def _samples(hours: int) -> list[Sample]:
    """One sample every 10 s over `hours`, crossing midnight."""
    return [
        Sample(
            "t", T0 + timedelta(seconds=10 * i), float(i % 97), Quality.GOOD if i % 5 else Quality.BAD, "x"
        )
        for i in range(hours * 360)
    ]


def test_hour_and_day_tiers_are_exact_and_a_long_trend_needs_no_raw_row(
    db: str, conn: psycopg.Connection, tmp_path: Path
) -> None:
    samples = _samples(5)
    writer = HistoryWriter(db, spool_dir=tmp_path, batch_age_s=0.05)
    writer.start()
    for i in range(0, len(samples), 500):
        writer.publish(samples[i : i + 500])
    assert writer.wait_idle(timeout_s=30)
    writer.stop()
    conn.execute("TRUNCATE tag_history_rows")  # the raw days are gone: every answer below is from a tier
    for every in (timedelta(hours=1), timedelta(days=1)):
        buckets = history.aggregate(
            conn, "t", start=T0 - timedelta(days=365), end=T0 + timedelta(days=1), every=every
        )
        for b in buckets:
            inside = [s.value for s in samples if b.start <= s.time < b.start + every and s.value is not None]
            assert (b.count, b.min, b.max, b.first, b.last) == (
                len(inside),
                min(inside),
                max(inside),
                inside[0],
                inside[-1],
            )
            assert b.mean == pytest.approx(sum(inside) / len(inside))
        assert sum(b.count for b in buckets) == len(samples)
    stats = history.stats(conn, "t", start=T0 + timedelta(minutes=7), end=T0 + timedelta(hours=4, minutes=3))
    inside = [s for s in samples if T0 + timedelta(minutes=7) <= s.time < T0 + timedelta(hours=4, minutes=3)]
    assert stats.count == len(inside) and stats.last == inside[-1].value
    assert stats.good_share == pytest.approx(sum(s.quality is Quality.GOOD for s in inside) / len(inside))


def test_expired_raw_days_are_dropped_and_logged_never_today_or_later(
    db: str, conn: psycopg.Connection
) -> None:
    now = datetime(2027, 6, 10, 12, tzinfo=UTC)
    today = now.date()
    days = [today - timedelta(days=n) for n in (500, 401, 400, 399, 1, 0, -1)]
    ensure_partitions(conn, days)
    with capture_logs() as logs:
        dropped = drop_expired(conn, now=now, retention_days=400)
    mine = {partition_name(d) for d in days}
    assert [d for d in dropped if d in mine] == [
        partition_name(today - timedelta(days=n)) for n in (500, 401)
    ]
    cutoff = today - timedelta(days=400)
    assert all((day := partition_day(name)) is not None and day < cutoff for name in dropped)
    present = existing_partitions(conn)
    assert all(partition_name(d) in present for d in days if d >= today - timedelta(days=400))
    assert [e["partition"] for e in logs if e["event"] == "history_partition_dropped"] == dropped
    with pytest.raises(ValueError):
        drop_expired(conn, now=now, retention_days=0)


def test_the_running_part_creates_partitions_ahead_and_applies_the_retention(db: str) -> None:
    clock = ManualClock(datetime(2027, 9, 1, 8, tzinfo=UTC))
    with psycopg.connect(db, autocommit=True) as conn:
        ensure_partitions(conn, {date(2027, 7, 1)})
    upkeep = HistoryMaintenance(db, clock=clock, raw_retention_days=30, period_s=0.05)
    upkeep.start()
    try:
        deadline = time.monotonic() + 10
        while upkeep.runs < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        upkeep.stop()
        upkeep.stop()  # idempotent
    with psycopg.connect(db) as conn:
        present = existing_partitions(conn)
    assert {partition_name(date(2027, 9, d)) for d in (1, 2, 3)} <= present
    assert (
        partition_name(date(2027, 7, 1)) not in present and partition_name(date(2027, 7, 1)) in upkeep.dropped
    )
