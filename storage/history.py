"""History queries; the one place that picks a rollup tier (day, hour, minute) or raw rows for an answer.

Raw samples come from tag_history_between (0006): the raw rows and the compacted hours, the same answers
before and after a day is compacted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import psycopg

from lockpilot.plant.model import MAX_INTERVAL_LIMIT_S
from lockpilot.samples import Quality
from storage.quality import CODE_QUALITY, GOOD_CODE
from storage.tiers import EPOCH, MINUTE, TIER_VIEWS, ceil_time, floor_time, segments, tier_for

__all__ = [
    "EPOCH",
    "Bucket",
    "HistoryPoint",
    "TagStats",
    "aggregate",
    "ceil_time",
    "floor_time",
    "raw",
    "stats",
]

ROLLUP_STEP = MINUTE
# How far back a raw window looks for the value in force at its start: the writer stores every tag at
# least every max_interval_s (at most MAX_INTERVAL_LIMIT_S), so a BRIN range scan stays short.
CARRY_LOOKBACK = timedelta(seconds=MAX_INTERVAL_LIMIT_S)


@dataclass(frozen=True, slots=True)
class HistoryPoint:
    """One stored sample (or, `carried`, the one in force at a window's start, stamped at that start)."""

    time: datetime
    value: float | None
    quality: Quality
    source: str
    carried: bool = False


@dataclass(frozen=True, slots=True)
class Bucket:
    """Aggregates of one tag over [start, start + every)."""

    start: datetime
    count: int  # samples, whatever their value or quality
    n_values: int  # samples with a value: mean/min/max/first/last are over these
    mean: float | None
    min: float | None
    max: float | None
    first: float | None
    last: float | None
    good_share: float


@dataclass(frozen=True, slots=True)
class TagStats:
    """Statistics of one tag over [start, end)."""

    tag: str
    start: datetime
    end: datetime
    count: int
    n_values: int
    min: float | None
    max: float | None
    mean: float | None
    last: float | None
    last_time: datetime | None
    good_share: float | None


def uses_rollup(every: timedelta) -> bool:
    """Whether buckets of `every` can be built from a rollup tier (whole minutes, hours or days)."""
    return tier_for(every) is not None


def raw(
    conn: psycopg.Connection, tag: str, *, start: datetime, end: datetime, limit: int = 100_000
) -> list[HistoryPoint]:
    """Stored samples of a tag with start <= time < end, oldest first, after the value in force at start.

    History is stored by exception: a window that starts between two stored samples begins with the
    earlier one (the value in force then), stamped at `start` and marked `carried`.
    """
    rows = conn.execute(
        "SELECT time, value, quality, source FROM tag_history_between(%s, %s) WHERE tag = %s "
        "ORDER BY time LIMIT %s",
        (start, end, tag, limit),
    ).fetchall()
    points = [HistoryPoint(t, v, CODE_QUALITY[q], s) for t, v, q, s in rows]
    if (points and points[0].time == start) or start >= end or limit <= 0:
        return points
    before = conn.execute(
        "SELECT value, quality, source FROM tag_history_between(%s, %s) WHERE tag = %s "
        "ORDER BY time DESC LIMIT 1",
        (start - CARRY_LOOKBACK, start, tag),
    ).fetchone()
    if before is None:
        return points
    carried = HistoryPoint(start, before[0], CODE_QUALITY[before[1]], before[2], carried=True)
    return [carried, *points][:limit]


_FROM_ROLLUP = """
SELECT date_bin(%(every)s, bucket, %(origin)s) AS b, sum(n_samples), sum(n_values), sum(good_count), sum(sum),
       min(min), max(max),
       (array_agg(first_value ORDER BY first_time) FILTER (WHERE first_time IS NOT NULL))[1],
       (array_agg(last_value ORDER BY last_time DESC) FILTER (WHERE last_time IS NOT NULL))[1]
FROM {tier} WHERE tag = %(tag)s AND bucket >= %(lo)s AND bucket < %(hi)s GROUP BY b ORDER BY b
"""
_FROM_RAW = """
SELECT date_bin(%(every)s, time, %(origin)s) AS b, count(*), count(value),
       count(*) FILTER (WHERE quality = %(good)s), sum(value), min(value), max(value),
       (array_agg(value ORDER BY time) FILTER (WHERE value IS NOT NULL))[1],
       (array_agg(value ORDER BY time DESC) FILTER (WHERE value IS NOT NULL))[1]
FROM tag_history_between(%(lo)s, %(hi)s) WHERE tag = %(tag)s GROUP BY b ORDER BY b
"""


def aggregate(
    conn: psycopg.Connection, tag: str, *, start: datetime, end: datetime, every: timedelta
) -> list[Bucket]:
    """Whole `every` buckets covering [start, end): from the coarsest tier that tiles them, else raw rows."""
    if every <= timedelta(0):
        raise ValueError("every must be positive")
    params = {
        "every": every,
        "origin": EPOCH,
        "tag": tag,
        "good": GOOD_CODE,
        "lo": floor_time(start, every),
        "hi": ceil_time(end, every),
    }
    tier = tier_for(every)
    query = _FROM_RAW if tier is None else _FROM_ROLLUP.format(tier=TIER_VIEWS[tier])
    return [_bucket(row) for row in conn.execute(query, params).fetchall()]


def _bucket(row: tuple[Any, ...]) -> Bucket:
    start, n, nv, good, total, lo, hi, first, last = row
    return Bucket(
        start=start,
        count=int(n),
        n_values=int(nv),
        mean=None if not nv else total / nv,
        min=lo,
        max=hi,
        first=first,
        last=last,
        good_share=int(good) / int(n) if n else 0.0,
    )


_PART_RAW = """
SELECT count(*), count(value), count(*) FILTER (WHERE quality = %(good)s), sum(value), min(value), max(value),
       max(time) FILTER (WHERE value IS NOT NULL),
       (array_agg(value ORDER BY time DESC) FILTER (WHERE value IS NOT NULL))[1]
FROM tag_history_between(%(lo)s, %(hi)s) WHERE tag = %(tag)s
"""
_PART_ROLLUP = """
SELECT COALESCE(sum(n_samples), 0), COALESCE(sum(n_values), 0), COALESCE(sum(good_count), 0), sum(sum),
       min(min), max(max), max(last_time),
       (array_agg(last_value ORDER BY last_time DESC) FILTER (WHERE last_time IS NOT NULL))[1]
FROM {tier} WHERE tag = %(tag)s AND bucket >= %(lo)s AND bucket < %(hi)s
"""


def _parts(start: datetime, end: datetime) -> list[tuple[str, datetime, datetime]]:
    """Split [start, end) into whole days, hours and minutes of their tiers and raw edges under a minute."""
    return [
        (_PART_RAW if step is None else _PART_ROLLUP.format(tier=TIER_VIEWS[step]), lo, hi)
        for step, lo, hi in segments(start, end)
    ]


def stats(conn: psycopg.Connection, tag: str, *, start: datetime, end: datetime) -> TagStats:
    """Min/max/mean/last/count/good share: whole days, hours, minutes from their tiers, edges from raw rows.

    The tiers count every collected sample; the raw edges (under a minute each) only the stored ones.
    """
    n = nv = good = 0
    total: float = 0.0
    lows: list[float] = []
    highs: list[float] = []
    lasts: list[tuple[datetime, float]] = []
    for query, lo, hi in _parts(start, end):
        row = conn.execute(query, {"tag": tag, "lo": lo, "hi": hi, "good": GOOD_CODE}).fetchone()
        assert row is not None
        pn, pnv, pgood, psum, pmin, pmax, plast_t, plast_v = row
        n, nv, good, total = n + int(pn), nv + int(pnv), good + int(pgood), total + (psum or 0.0)
        lows += [pmin] if pmin is not None else []
        highs += [pmax] if pmax is not None else []
        lasts += [(plast_t, plast_v)] if plast_t is not None else []
    last = max(lasts, key=lambda item: item[0]) if lasts else None
    return TagStats(
        tag=tag,
        start=start,
        end=end,
        count=n,
        n_values=nv,
        min=min(lows, default=None),
        max=max(highs, default=None),
        mean=total / nv if nv else None,
        last=last[1] if last else None,
        last_time=last[0] if last else None,
        good_share=good / n if n else None,
    )
