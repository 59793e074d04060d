"""Day partitions of the history rows on plain PostgreSQL, created ahead and on demand."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

import psycopg
import structlog
from psycopg import sql

log = structlog.get_logger(__name__)

PARTITION_LOCK_KEY = 0x10C4_0002


def partition_name(day: date) -> str:
    """Name of the partition holding one UTC day."""
    return f"tag_history_p{day:%Y%m%d}"


def day_of(moment: datetime) -> date:
    """UTC day of a timezone-aware time."""
    return moment.astimezone(UTC).date()


def existing_partitions(conn: psycopg.Connection) -> set[str]:
    """Names of the partitions attached to tag_history_rows (the compact rows behind the tag_history view)."""
    rows = conn.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = 'tag_history_rows'::regclass"
    ).fetchall()
    return {row[0] for row in rows}


def _create(conn: psycopg.Connection, day: date) -> None:
    """Create one day's partition, moving any rows the default partition caught for that day."""
    lo = datetime.combine(day, time(), UTC)
    hi = lo + timedelta(days=1)
    name = sql.Identifier(partition_name(day))
    conn.execute(sql.SQL("CREATE TABLE {} (LIKE tag_history_rows INCLUDING DEFAULTS)").format(name))
    moved = conn.execute(
        sql.SQL(
            "WITH moved AS (DELETE FROM tag_history_default WHERE time >= %s AND time < %s RETURNING *) "
            "INSERT INTO {} SELECT * FROM moved"
        ).format(name),
        (lo, hi),
    ).rowcount
    conn.execute(
        sql.SQL("ALTER TABLE tag_history_rows ATTACH PARTITION {} FOR VALUES FROM ({}) TO ({})").format(
            name, sql.Literal(lo), sql.Literal(hi)
        )
    )
    log.info("partition_created", partition=partition_name(day), moved_from_default=moved)


def ensure_partitions(conn: psycopg.Connection, days: Iterable[date]) -> set[str]:
    """Create the missing partitions for `days` in one locked transaction; return the names now present."""
    wanted = {partition_name(d): d for d in days}
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (PARTITION_LOCK_KEY,))
        present = existing_partitions(conn)
        for name, day in sorted(wanted.items()):
            if name not in present:
                _create(conn, day)
                present.add(name)
    return present


def ensure_ahead(conn: psycopg.Connection, *, now: datetime, days_ahead: int = 2) -> set[str]:
    """Create today's partition and the next `days_ahead` ones (maintenance at start-up and daily)."""
    today = day_of(now)
    return ensure_partitions(conn, (today + timedelta(days=n) for n in range(days_ahead + 1)))
