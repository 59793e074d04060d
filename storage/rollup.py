"""Partial aggregates of a batch per minute, merged into the open minutes, closed into the tiers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg import sql

from storage.quality import GOOD_CODE

Row = tuple[datetime, str, float | None, int, str]  # time, tag, value, quality code, source

# Accumulator slots: n_samples, n_values, good_count, sum, min, max,
# first_time, first_value, last_time, last_value (parameters go binary: %b halves the upsert time)
_N, _NV, _GOOD, _SUM, _MIN, _MAX, _FT, _FV, _LT, _LV = range(10)

# The tiers, kept forever: tag_rollup_1m, _1h, _1d (views tag_history_1m/_1h/_1d name the tags and add
# the minutes still open, kept apart in OPEN_TABLE until a batch moves past them).
OPEN_TABLE = "tag_rollup_open"

UPSERT_SQL = """
INSERT INTO {table} AS r (tag_id, bucket, n_samples, n_values, good_count, sum, min, max,
                                first_time, first_value, last_time, last_value)
SELECT * FROM unnest(%b::int2[], %b::timestamptz[], %b::int[], %b::int[], %b::int[], %b::float8[],
                     %b::float8[], %b::float8[], %b::timestamptz[], %b::float8[], %b::timestamptz[],
                     %b::float8[])
ON CONFLICT (tag_id, bucket) DO UPDATE SET
    n_samples = r.n_samples + EXCLUDED.n_samples,
    n_values = r.n_values + EXCLUDED.n_values,
    good_count = r.good_count + EXCLUDED.good_count,
    sum = COALESCE(r.sum + EXCLUDED.sum, r.sum, EXCLUDED.sum),
    min = LEAST(r.min, EXCLUDED.min),
    max = GREATEST(r.max, EXCLUDED.max),
    first_value = CASE WHEN r.first_time IS NULL OR EXCLUDED.first_time < r.first_time
                       THEN EXCLUDED.first_value ELSE r.first_value END,
    first_time = LEAST(r.first_time, EXCLUDED.first_time),
    last_value = CASE WHEN r.last_time IS NULL OR EXCLUDED.last_time >= r.last_time
                      THEN EXCLUDED.last_value ELSE r.last_value END,
    last_time = GREATEST(r.last_time, EXCLUDED.last_time)
"""


def aggregate(rows: Iterable[Row]) -> dict[tuple[str, int], list[Any]]:
    """Fold rows into one accumulator per (tag, minute as epoch seconds)."""
    acc: dict[tuple[str, int], list[Any]] = {}
    last_when, minute = None, 0
    for when, tag, value, quality, _source in rows:
        if when is not last_when:  # a poll's samples share one time: convert it once
            last_when, minute = when, int(when.timestamp()) // 60 * 60
        key = (tag, minute)
        a = acc.get(key)
        if a is None:
            a = acc[key] = [0, 0, 0, None, None, None, None, None, None, None]
        a[_N] += 1
        if quality == GOOD_CODE:
            a[_GOOD] += 1
        if value is None:
            continue
        if a[_NV] == 0:
            a[_NV], a[_SUM], a[_MIN], a[_MAX] = 1, value, value, value
            a[_FT], a[_FV], a[_LT], a[_LV] = when, value, when, value
            continue
        a[_NV] += 1
        a[_SUM] += value
        if value < a[_MIN]:
            a[_MIN] = value
        elif value > a[_MAX]:
            a[_MAX] = value
        if when < a[_FT]:
            a[_FT], a[_FV] = when, value
        if when >= a[_LT]:
            a[_LT], a[_LV] = when, value
    return acc


def upsert_params(acc: dict[tuple[str, int], list[Any]], tag_ids: Mapping[str, int]) -> list[list[Any]]:
    """Column arrays for UPSERT_SQL, sorted by (tag id, bucket) so concurrent writers lock in one order."""
    columns: list[list[Any]] = [[] for _ in range(12)]
    for (tag_id, bucket), a in sorted(((tag_ids[tag], bucket), a) for (tag, bucket), a in acc.items()):
        values = (tag_id, datetime.fromtimestamp(bucket, UTC), *a)
        for column, value in zip(columns, values, strict=True):
            column.append(value)
    return columns


_MERGE = """
    n_samples = r.n_samples + EXCLUDED.n_samples, n_values = r.n_values + EXCLUDED.n_values,
    good_count = r.good_count + EXCLUDED.good_count,
    sum = COALESCE(r.sum + EXCLUDED.sum, r.sum, EXCLUDED.sum),
    min = LEAST(r.min, EXCLUDED.min), max = GREATEST(r.max, EXCLUDED.max),
    first_value = CASE WHEN r.first_time IS NULL OR EXCLUDED.first_time < r.first_time
                       THEN EXCLUDED.first_value ELSE r.first_value END,
    first_time = LEAST(r.first_time, EXCLUDED.first_time),
    last_value = CASE WHEN r.last_time IS NULL OR EXCLUDED.last_time >= r.last_time
                      THEN EXCLUDED.last_value ELSE r.last_value END,
    last_time = GREATEST(r.last_time, EXCLUDED.last_time)"""
_FOLD = """SELECT tag_id, date_bin(interval '{width}', bucket, '1970-01-01+00'), sum(n_samples),
       sum(n_values), sum(good_count), sum(sum), min(min), max(max), min(first_time),
       (array_agg(first_value ORDER BY first_time) FILTER (WHERE first_time IS NOT NULL))[1], max(last_time),
       (array_agg(last_value ORDER BY last_time DESC) FILTER (WHERE last_time IS NOT NULL))[1]
FROM moved GROUP BY 1, 2 ORDER BY 1, 2"""
_COLUMNS = """(tag_id, bucket, n_samples, n_values, good_count, sum, min, max, first_time, first_value,
                       last_time, last_value)"""
# Minutes older than the newest open one (whatever order batches come in) leave tag_rollup_open for the
# minute tier, each written there once (an upsert per batch would leave a dead row version a batch), and
# fold into the hour and day tiers.
CLOSE_SQL = f"""
WITH moved AS (
    DELETE FROM tag_rollup_open WHERE bucket < (SELECT max(bucket) FROM tag_rollup_open) RETURNING *
),
minute AS (
    INSERT INTO tag_rollup_1m AS r {_COLUMNS} SELECT {_COLUMNS.strip("()")} FROM moved ORDER BY tag_id, bucket
    ON CONFLICT (tag_id, bucket) DO UPDATE SET {_MERGE}
),
hour AS (
    INSERT INTO tag_rollup_1h AS r {_COLUMNS} {_FOLD.format(width="1 hour")}
    ON CONFLICT (tag_id, bucket) DO UPDATE SET {_MERGE}
)
INSERT INTO tag_rollup_1d AS r {_COLUMNS} {_FOLD.format(width="1 day")}
ON CONFLICT (tag_id, bucket) DO UPDATE SET {_MERGE}
"""


def merge_rollup(
    cur: psycopg.Cursor, acc: dict[tuple[str, int], list[Any]], tag_ids: Mapping[str, int]
) -> int:
    """Merge the batch's minute aggregates into the open minutes, then close all but the newest minute."""
    if not acc:
        return 0
    cur.execute(sql.SQL(UPSERT_SQL).format(table=sql.Identifier(OPEN_TABLE)), upsert_params(acc, tag_ids))
    cur.execute(CLOSE_SQL)
    return len(acc)
