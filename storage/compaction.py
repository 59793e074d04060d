"""Nightly compaction: each closed day of raw rows becomes one row per tag, hour and source (0006)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import psycopg
import structlog
from psycopg import sql

from storage.partitions import PARTITION_LOCK_KEY, day_of, existing_partitions
from storage.retention import partition_day

log = structlog.get_logger(__name__)

# The day's rows (its partition's, and any the default partition caught) and the day's hours already
# compacted (a late batch re-created the partition) are packed again into one row per tag, hour and
# source. The aggregate reads every input before it emits a row, so the old hours are deleted before
# their replacements are inserted.
_PACK = """
WITH old AS (
    DELETE FROM tag_history_hours WHERE hour >= %(lo)s AND hour < %(hi)s RETURNING *
), strays AS (
    DELETE FROM tag_history_default WHERE time >= %(lo)s AND time < %(hi)s RETURNING *
), day AS (
    {partition_rows}SELECT tag_id, source_id, time, value, quality FROM strays
    UNION ALL
    SELECT o.tag_id, o.source_id, o.hour + u.off * interval '1 microsecond', u.value, u.quality
    FROM old o CROSS JOIN LATERAL unnest(o.offsets_us, o.vals, o.quals) AS u(off, value, quality)
), binned AS (
    SELECT *, date_bin('1 hour', time, '1970-01-01+00') AS hour FROM day
)
INSERT INTO tag_history_hours (tag_id, hour, source_id, offsets_us, vals, quals)
SELECT tag_id, hour, source_id,
       array_agg((extract(epoch FROM time - hour) * 1000000)::bigint ORDER BY time),
       array_agg(value ORDER BY time), array_agg(quality ORDER BY time)
FROM binned GROUP BY tag_id, hour, source_id
"""


def closed_before(now: datetime, *, grace_s: float) -> date:
    """The first day not yet closed: a day closes `grace_s` after its end (late batches land first)."""
    if grace_s < 0:
        raise ValueError("grace_s must not be negative")
    return day_of(now - timedelta(seconds=grace_s))


def _days_to_compact(conn: psycopg.Connection, cutoff: date) -> dict[date, str | None]:
    """Closed days with raw rows: day -> its partition (None: only strays in the default partition)."""
    days: dict[date, str | None] = {}
    strays = conn.execute(
        "SELECT DISTINCT (time AT TIME ZONE 'UTC')::date FROM tag_history_default WHERE time < %s",
        (datetime.combine(cutoff, time(), UTC),),
    ).fetchall()
    days.update({row[0]: None for row in strays})
    for name in existing_partitions(conn):
        day = partition_day(name)
        if day is not None and day < cutoff:
            days[day] = name
    return days


def compact_day(conn: psycopg.Connection, day: date, partition: str | None) -> int:
    """Pack one closed day into hourly rows and drop its partition, in one transaction; return the rows.

    The partition is locked against writes first, so no row lands in it unseen: a late batch for the day
    waits (the writer retries it) and then goes to the default partition, packed at the next run.
    """
    lo = datetime.combine(day, time(), UTC)
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (PARTITION_LOCK_KEY,))
        partition_rows: sql.Composable = sql.SQL("")
        if partition is not None:
            conn.execute(sql.SQL("LOCK TABLE {} IN SHARE MODE").format(sql.Identifier(partition)))
            partition_rows = sql.SQL(
                "SELECT tag_id, source_id, time, value, quality FROM {} UNION ALL\n    "
            ).format(sql.Identifier(partition))
        packed = conn.execute(
            sql.SQL(_PACK).format(partition_rows=partition_rows), {"lo": lo, "hi": lo + timedelta(days=1)}
        ).rowcount
        if partition is not None:
            conn.execute(
                sql.SQL("ALTER TABLE tag_history_rows DETACH PARTITION {}").format(sql.Identifier(partition))
            )
            conn.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(partition)))
    log.info("history_day_compacted", day=day.isoformat(), partition=partition, hour_rows=packed)
    return packed


def compact_closed(conn: psycopg.Connection, *, now: datetime, grace_s: float = 3600.0) -> list[date]:
    """Compact every closed day holding raw rows (never today's); safe to re-run, a crash loses nothing."""
    cutoff = closed_before(now, grace_s=grace_s)
    days = _days_to_compact(conn, cutoff)
    for day in sorted(days):
        compact_day(conn, day, days[day])
    return sorted(days)
