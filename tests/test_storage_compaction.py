"""Closed days compacted into hourly rows: every raw reader answers the same before and after."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from structlog.testing import capture_logs

from lockpilot.clock import ManualClock
from lockpilot.samples import Quality, Sample
from storage import history
from storage.compaction import closed_before, compact_closed, compact_day
from storage.history_writer import HistoryWriter
from storage.maintenance import HistoryMaintenance
from storage.migrate import migrate
from storage.partitions import existing_partitions, partition_name
from storage.retention import drop_expired
from tests.conftest import TRUNCATE_HISTORY

TODAY = date(2026, 5, 12)
NOW = datetime(2026, 5, 12, 9, 30, tzinfo=UTC)
START = datetime(2026, 5, 10, 22, 0, tzinfo=UTC)  # two closed days and the start of today
END = datetime(2026, 5, 12, 3, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def db(pg_url: str) -> str:
    migrate(pg_url)
    return pg_url


@pytest.fixture
def conn(db: str, tmp_path: Path) -> Iterator[psycopg.Connection]:
    with psycopg.connect(db, autocommit=True) as connection:
        connection.execute(TRUNCATE_HISTORY)
        connection.execute("TRUNCATE tag_history_default")
        _write(db, tmp_path, _samples())
        yield connection


def _samples() -> list[Sample]:
    """An analog every 7.3 s (microsecond times), a boolean that changes, a gap with its own source."""
    out: list[Sample] = []
    moment, i = START, 0
    while moment < END:
        quality = Quality.BAD if i % 11 == 0 else Quality.GOOD
        out.append(Sample("level", moment + timedelta(microseconds=i % 997), 1.0 + i * 0.013, quality, "s7"))
        if i % 53 == 0:
            out.append(Sample("gate", moment, bool(i % 2), Quality.GOOD, "s7"))
        if i == 3000:
            out.append(Sample("level", moment + timedelta(seconds=1), None, Quality.COMM_ERROR, "gap:test"))
        moment, i = moment + timedelta(seconds=7.3), i + 1
    return out


def _write(db: str, spool: Path, samples: list[Sample]) -> None:
    writer = HistoryWriter(db, spool_dir=spool, batch_age_s=0.05)
    writer.start()
    for k in range(0, len(samples), 500):
        writer.publish(samples[k : k + 500])
    assert writer.wait_idle(timeout_s=30)
    writer.stop()


def _answers(conn: psycopg.Connection) -> dict[str, Any]:
    """Every raw reader over windows inside, across and between the days and hours."""
    windows = [
        (START, END),
        (START + timedelta(minutes=37, seconds=1.234567), START + timedelta(hours=3, minutes=1)),
        (datetime(2026, 5, 11, 23, 59, 58, tzinfo=UTC), datetime(2026, 5, 12, 0, 0, 9, tzinfo=UTC)),
        (datetime(2026, 5, 11, 6, 0, 0, 1, tzinfo=UTC), datetime(2026, 5, 11, 6, 0, 30, tzinfo=UTC)),
    ]
    out: dict[str, Any] = {}
    for n, (lo, hi) in enumerate(windows):
        for tag in ("level", "gate"):
            out[f"raw {tag} {n}"] = history.raw(conn, tag, start=lo, end=hi)
            out[f"stats {tag} {n}"] = history.stats(conn, tag, start=lo, end=hi)
            for every in (timedelta(seconds=10), timedelta(minutes=1), timedelta(hours=1)):
                out[f"agg {tag} {n} {every}"] = history.aggregate(conn, tag, start=lo, end=hi, every=every)
        out[f"between {n}"] = conn.execute(
            "SELECT * FROM tag_history_between(%s, %s) ORDER BY time, tag, source", (lo, hi)
        ).fetchall()
    out["view"] = conn.execute("SELECT * FROM tag_history ORDER BY time, tag, source").fetchall()
    return out


def _hour_rows(conn: psycopg.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM tag_history_hours").fetchone()[0])  # type: ignore[index]


def test_compaction_changes_no_answer_and_rerunning_it_changes_nothing(conn: psycopg.Connection) -> None:
    before = _answers(conn)
    assert any(p.carried for p in before["raw level 1"]) and len(before["view"]) > 14_000
    with capture_logs() as logs:
        assert compact_closed(conn, now=NOW, grace_s=3600) == [date(2026, 5, 10), date(2026, 5, 11)]
    assert [e["day"] for e in logs if e["event"] == "history_day_compacted"] == ["2026-05-10", "2026-05-11"]
    present = existing_partitions(conn)
    assert partition_name(date(2026, 5, 11)) not in present and partition_name(TODAY) in present
    rows_today = conn.execute("SELECT count(*) FROM tag_history_rows").fetchone()
    assert rows_today is not None and 0 < rows_today[0] < 3 * 3600 / 7.3 + 100  # only today's stay rows
    hours = _hour_rows(conn)
    assert 0 < hours <= 26 * 3  # a row per tag, hour and source
    assert _answers(conn) == before
    assert compact_closed(conn, now=NOW, grace_s=3600) == []
    assert _hour_rows(conn) == hours and _answers(conn) == before


def test_a_late_row_for_a_compacted_day_is_merged_once(conn: psycopg.Connection) -> None:
    compact_closed(conn, now=NOW)
    late = datetime(2026, 5, 11, 12, 0, 0, 5, tzinfo=UTC)
    conn.execute("INSERT INTO tag_history VALUES (%s, 'level', 99.5, 0, 's7')", (late,))
    before = _answers(conn)
    assert compact_closed(conn, now=NOW) == [date(2026, 5, 11)]  # from the default partition
    assert compact_closed(conn, now=NOW) == []
    assert _answers(conn) == before
    window = history.raw(conn, "level", start=late, end=late + timedelta(microseconds=1))
    assert [(p.time, p.value) for p in window] == [(late, 99.5)]


def test_today_and_a_day_inside_its_grace_are_never_compacted(conn: psycopg.Connection) -> None:
    just_after_midnight = datetime(2026, 5, 12, 0, 30, tzinfo=UTC)
    assert closed_before(just_after_midnight, grace_s=3600) == date(2026, 5, 11)
    assert compact_closed(conn, now=just_after_midnight, grace_s=3600) == [date(2026, 5, 10)]
    assert partition_name(date(2026, 5, 11)) in existing_partitions(conn)
    assert compact_closed(conn, now=datetime(2026, 5, 12, 23, 59, tzinfo=UTC), grace_s=0) == [
        date(2026, 5, 11)
    ]
    assert partition_name(TODAY) in existing_partitions(conn)


def test_a_compaction_that_fails_midway_leaves_the_day_as_it_was(conn: psycopg.Connection) -> None:
    before = _answers(conn)
    name = partition_name(date(2026, 5, 11))
    with pytest.raises(RuntimeError), conn.transaction():
        compact_day(conn, date(2026, 5, 11), name)
        raise RuntimeError("the server went away before the commit")
    assert name in existing_partitions(conn) and _hour_rows(conn) == 0
    assert _answers(conn) == before


def test_retention_drops_compacted_hours_older_than_it(conn: psycopg.Connection) -> None:
    compact_closed(conn, now=NOW)
    with capture_logs() as logs:
        drop_expired(conn, now=datetime(2026, 6, 10, 12, tzinfo=UTC), retention_days=30)  # keeps 11 May on
    assert [e["event"] for e in logs].count("history_hours_dropped") == 1
    first = conn.execute("SELECT min(hour) FROM tag_history_hours").fetchone()
    assert first is not None and first[0] == datetime(2026, 5, 11, tzinfo=UTC)
    assert history.raw(conn, "level", start=START, end=START + timedelta(hours=2)) == []


def test_the_running_part_compacts_closed_days(db: str, conn: psycopg.Connection) -> None:
    upkeep = HistoryMaintenance(db, clock=ManualClock(NOW), raw_retention_days=400)
    upkeep.run_once()
    assert upkeep.compacted == [date(2026, 5, 10), date(2026, 5, 11)] and _hour_rows(conn) > 0
