"""The history writer stores by exception: fewer rows, values within their deadband, exact rollups."""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from lockpilot.samples import Quality, Sample
from storage import history
from storage.history_writer import HistoryWriter, recording_ingester, to_rows
from storage.journal import GAP_SOURCE, rows_to_replay
from storage.migrate import migrate
from storage.recording import RecordingPolicy, TagPolicy
from tests.conftest import TRUNCATE_HISTORY

T0 = datetime(2026, 3, 1, 23, 50, tzinfo=UTC)  # crosses midnight: two partitions
POLICY = RecordingPolicy(
    {"level": TagPolicy(deadband=0.01, max_interval_s=60.0), "pump": TagPolicy(0.0, 60.0)},
    default=TagPolicy(0.0, 60.0),
)
DEADBAND = {"level": 0.01, "pump": 0.0}


def collected(seconds: int, *, start: datetime = T0, seed: int = 3) -> list[Sample]:
    """2 Hz of a slowly moving level with sensor noise, and a pump that starts and stops."""
    rng = random.Random(seed)
    out = []
    for i in range(seconds * 2):
        at = start + timedelta(milliseconds=500 * i)
        level = round(12.0 + 0.5 * math.sin(i / 1200) + rng.gauss(0, 0.002), 4)
        quality = Quality.BAD if 800 <= i < 810 else Quality.GOOD
        out.append(Sample("level", at, level, quality, "s7"))
        out.append(Sample("pump", at, float((i // 700) % 2), Quality.GOOD, "s7"))
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


def write(db: str, samples: list[Sample], spool: Path) -> None:
    writer = HistoryWriter(db, spool_dir=spool, batch_age_s=0.05, ingester=recording_ingester(POLICY))
    writer.start()
    try:
        for i in range(0, len(samples), 40):
            writer.publish(samples[i : i + 40])
        assert writer.wait_idle(timeout_s=30)
    finally:
        writer.stop()


def stored(conn: psycopg.Connection) -> list[tuple[datetime, str, float | None, int]]:
    return conn.execute("SELECT time, tag, value, quality FROM tag_history ORDER BY tag, time").fetchall()


def test_few_rows_are_stored_and_every_collected_value_is_within_its_deadband(
    db: str, conn: psycopg.Connection, tmp_path: Path
) -> None:
    samples = collected(1_200)
    write(db, samples, tmp_path)
    rows = stored(conn)
    assert len(rows) < 0.2 * len(samples)
    held: dict[str, list[tuple[datetime, float | None, int]]] = {}
    for t, tag, v, q in rows:
        held.setdefault(tag, []).append((t, v, q))
    for s in samples:
        in_force = [h for h in held[s.tag] if h[0] <= s.time][-1]
        assert s.value is not None and in_force[1] is not None
        assert abs(s.value - in_force[1]) <= DEADBAND[s.tag] + 1e-12, s
        assert in_force[2] == (1 if s.quality is Quality.BAD else 0)
    pump = [(t, v) for t, tag, v, _ in rows if tag == "pump"]
    changes = [v for (_, u), (_, v) in zip([(None, None), *pump], pump, strict=False) if u != v]
    assert changes == [0.0, 1.0, 0.0, 1.0] and len(pump) <= 4 + 1_200 // 60  # and a heartbeat a minute
    assert max(b[0] - a[0] for a, b in itertools.pairwise(pump)) == timedelta(seconds=60)


def test_the_rollup_is_exact_over_every_collected_sample(
    db: str, conn: psycopg.Connection, tmp_path: Path
) -> None:
    samples = collected(600)
    write(db, samples, tmp_path)
    got = conn.execute(
        "SELECT bucket, n_samples, good_count, sum, min, max, first_value, last_value FROM tag_history_1m "
        "WHERE tag = 'level' ORDER BY bucket"
    ).fetchall()
    minutes: dict[datetime, list[Sample]] = {}
    for s in samples:
        if s.tag == "level":
            minutes.setdefault(s.time.replace(second=0, microsecond=0), []).append(s)
    assert len(got) == len(minutes) == 10
    for (bucket, n, good, total, lo, hi, first, last), (minute, inside) in zip(
        got, sorted(minutes.items()), strict=True
    ):
        values = [s.value for s in inside if s.value is not None]
        assert bucket == minute and n == len(inside) == 120
        assert good == sum(s.quality is Quality.GOOD for s in inside)
        assert (lo, hi, first, last) == (min(values), max(values), values[0], values[-1])
        assert total == pytest.approx(sum(values), rel=1e-12)


def test_a_restart_stores_no_duplicate_and_keeps_the_deadband_reference(
    db: str, conn: psycopg.Connection, tmp_path: Path
) -> None:
    samples = collected(300)
    write(db, samples[:200], tmp_path / "a")
    before = stored(conn)
    write(db, samples[:200], tmp_path / "b")  # the same samples again (a replay after a restart)
    assert stored(conn) == before
    write(db, samples[200:], tmp_path / "c")  # continuing: compared with the last stored, not stored afresh
    after = stored(conn)
    assert len(after) == len(set((t, tag) for t, tag, _, _ in after))
    continuing = [r for r in after if r not in before]
    first_level = next(r for r in continuing if r[1] == "level")
    assert first_level[0] > samples[200].time  # the first sample after the restart was within the band


def test_a_journal_replay_skips_samples_the_filter_dropped(
    db: str, conn: psycopg.Connection, tmp_path: Path
) -> None:
    samples = collected(120)
    write(db, samples, tmp_path)
    replay = rows_to_replay(conn, to_rows(samples))
    assert {r[4] for r in replay} == {GAP_SOURCE}  # only the gap markers: nothing is rolled up twice


def test_a_raw_window_starts_with_the_value_in_force(
    db: str, conn: psycopg.Connection, tmp_path: Path
) -> None:
    samples = collected(300)
    write(db, samples, tmp_path)
    pump = [(t, v) for t, tag, v, _ in stored(conn) if tag == "pump"]
    (t1, v1), (t2, _) = pump[0], pump[1]
    start = t1 + (t2 - t1) / 2  # between two stored samples
    points = history.raw(conn, "pump", start=start, end=t2 + timedelta(seconds=1))
    assert [(p.time, p.value) for p in points] == [(start, v1), (t2, pump[1][1])]
    assert points[0].carried and not points[1].carried
    exact = history.raw(conn, "pump", start=t2, end=t2 + timedelta(seconds=1))
    assert [p.time for p in exact] == [t2]  # a window starting on a stored sample needs nothing carried
    assert history.raw(conn, "pump", start=T0 - timedelta(hours=1), end=T0) == []
