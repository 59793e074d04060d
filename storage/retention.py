"""Raw history retention: day partitions and compacted hours older than the retention are dropped.

The rollups stay forever.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import psycopg
import structlog
from psycopg import sql

from storage.partitions import PARTITION_LOCK_KEY, day_of, existing_partitions

log = structlog.get_logger(__name__)
_DAY = re.compile(r"^tag_history_p(\d{8})$")


def partition_day(name: str) -> date | None:
    """The UTC day a partition name holds (None for the default partition or another table)."""
    match = _DAY.match(name)
    return None if match is None else datetime.strptime(match[1], "%Y%m%d").date()


def drop_expired(conn: psycopg.Connection, *, now: datetime, retention_days: int) -> list[str]:
    """Drop the raw partitions and hours wholly older than `retention_days` before today; never today's."""
    if retention_days < 1:
        raise ValueError("retention_days must be at least 1: today's partition is never dropped")
    cutoff = day_of(now) - timedelta(days=retention_days)
    dropped: list[str] = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (PARTITION_LOCK_KEY,))
        for name in sorted(existing_partitions(conn)):
            day = partition_day(name)
            if day is None or day >= cutoff:
                continue
            conn.execute(
                sql.SQL("ALTER TABLE tag_history_rows DETACH PARTITION {}").format(sql.Identifier(name))
            )
            conn.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(name)))
            log.info(
                "history_partition_dropped",
                partition=name,
                day=day.isoformat(),
                retention_days=retention_days,
            )
            dropped.append(name)
        before = datetime.combine(cutoff, datetime.min.time(), UTC)
        strays = conn.execute("DELETE FROM tag_history_default WHERE time < %s", (before,)).rowcount
        if strays:
            log.info("history_default_rows_dropped", rows=strays, before=cutoff.isoformat())
        hours = conn.execute("DELETE FROM tag_history_hours WHERE hour < %s", (before,)).rowcount
        if hours:
            log.info("history_hours_dropped", hour_rows=hours, before=cutoff.isoformat())
    return dropped
