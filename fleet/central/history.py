"""The fleet's history in PostgreSQL: a `fleet_history` table with a site column, written through the same
HistoryWriter as a site's own (batching, spool while PostgreSQL is away, batch ids) with its own ingester,
and read per site with the queries the tools expect of a history reader."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

import psycopg

from storage.backend import detect_backend
from storage.history import EPOCH, Bucket, HistoryPoint, TagStats, ceil_time, floor_time
from storage.ingest import BatchIngester
from storage.quality import CODE_QUALITY, GOOD_CODE
from storage.rollup import Row

COPY_SQL = "COPY fleet_history (site, time, tag, value, quality, source) FROM STDIN (FORMAT BINARY)"
COPY_TYPES = ["text", "timestamptz", "text", "float8", "int2", "text"]
Committed = Callable[[Sequence[Row]], None]


def site_source(site: str, device: str) -> str:
    """The source a central's sample carries: `site/device` (the ingester splits the site off)."""
    return f"{site}/{device}"


class FleetIngester(BatchIngester):
    """COPYs batches into fleet_history; `committed` hears every batch once it is in."""

    def __init__(self, conn: psycopg.Connection, *, committed: Committed | None = None) -> None:
        super().__init__(conn, detect_backend(conn))
        self._committed = committed

    def write(self, batch_id: uuid.UUID, rows: Sequence[Row]) -> bool:
        """Commit the batch once; False when its id was already committed (a spool replay)."""
        with self._conn.transaction(), self._conn.cursor() as cur:
            cur.execute(
                "INSERT INTO ingest_batches (batch_id, rows) VALUES (%s, %s) "
                "ON CONFLICT DO NOTHING RETURNING batch_id",
                (batch_id, len(rows)),
            )
            if cur.fetchone() is None:
                return False
            with cur.copy(COPY_SQL) as copy:
                copy.set_types(COPY_TYPES)
                for time_, tag, value, quality, source in rows:
                    site, _, device = source.partition("/")
                    copy.write_row((site, time_, tag, value, quality, device))
        if self._committed is not None:
            self._committed(rows)
        return True


def fleet_ingester(committed: Committed | None = None) -> Callable[[psycopg.Connection], BatchIngester]:
    """The HistoryWriter option that sends its batches to fleet_history."""
    return lambda conn: FleetIngester(conn, committed=committed)


_RAW = (
    "SELECT time, value, quality, source FROM fleet_history WHERE site = %s AND tag = %s "
    "AND time >= %s AND time < %s ORDER BY time LIMIT %s"
)
_BUCKETS = """
SELECT date_bin(%(every)s, time, %(origin)s) AS b, count(*), count(value),
       count(*) FILTER (WHERE quality = %(good)s), sum(value), min(value), max(value),
       (array_agg(value ORDER BY time) FILTER (WHERE value IS NOT NULL))[1],
       (array_agg(value ORDER BY time DESC) FILTER (WHERE value IS NOT NULL))[1]
FROM fleet_history WHERE site = %(site)s AND tag = %(tag)s AND time >= %(lo)s AND time < %(hi)s
GROUP BY b ORDER BY b
"""
_STATS = """
SELECT count(*), count(value), count(*) FILTER (WHERE quality = %(good)s), sum(value), min(value), max(value),
       max(time) FILTER (WHERE value IS NOT NULL),
       (array_agg(value ORDER BY time DESC) FILTER (WHERE value IS NOT NULL))[1]
FROM fleet_history WHERE site = %(site)s AND tag = %(tag)s AND time >= %(lo)s AND time < %(hi)s
"""


class FleetHistory:
    """One site's stored history (the tools' HistoryReader), over one shared autocommit connection."""

    def __init__(self, conn: psycopg.Connection, lock: threading.Lock, site: str) -> None:
        self._conn, self._lock, self.site = conn, lock, site

    def raw(self, tag: str, *, start: datetime, end: datetime, limit: int) -> list[HistoryPoint]:
        with self._lock:
            rows = self._conn.execute(_RAW, (self.site, tag, start, end, limit)).fetchall()
        return [HistoryPoint(t, v, CODE_QUALITY[q], s) for t, v, q, s in rows]

    def aggregate(self, tag: str, *, start: datetime, end: datetime, every_s: float) -> list[Bucket]:
        every = timedelta(seconds=every_s)
        params = {
            "every": every,
            "origin": EPOCH,
            "good": GOOD_CODE,
            "site": self.site,
            "tag": tag,
            "lo": floor_time(start, every),
            "hi": ceil_time(end, every),
        }
        with self._lock:
            rows = self._conn.execute(_BUCKETS, params).fetchall()
        return [
            Bucket(b, int(n), int(nv), None if not nv else s / nv, lo, hi, first, last, int(g) / int(n))
            for b, n, nv, g, s, lo, hi, first, last in rows
        ]

    def stats(self, tag: str, *, start: datetime, end: datetime) -> TagStats:
        params = {"good": GOOD_CODE, "site": self.site, "tag": tag, "lo": start, "hi": end}
        with self._lock:
            row = self._conn.execute(_STATS, params).fetchone()
        assert row is not None
        n, nv, good, total, lo, hi, last_t, last_v = row
        return TagStats(
            tag=tag,
            start=start,
            end=end,
            count=int(n),
            n_values=int(nv),
            min=lo,
            max=hi,
            mean=total / nv if nv else None,
            last=last_v,
            last_time=last_t,
            good_share=int(good) / int(n) if n else None,
        )
