"""Partial 1-minute aggregates of a batch, merged into tag_history_1m by one upsert."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import psycopg

from storage.quality import GOOD_CODE

Row = tuple[datetime, str, float | None, int, str]  # time, tag, value, quality code, source

# Accumulator slots: n_samples, n_values, good_count, sum, min, max,
# first_time, first_value, last_time, last_value (parameters go binary: %b halves the upsert time)
_N, _NV, _GOOD, _SUM, _MIN, _MAX, _FT, _FV, _LT, _LV = range(10)

UPSERT_SQL = """
INSERT INTO tag_history_1m AS r (tag, bucket, n_samples, n_values, good_count, sum, min, max,
                                 first_time, first_value, last_time, last_value)
SELECT * FROM unnest(%b::text[], %b::timestamptz[], %b::int[], %b::int[], %b::int[], %b::float8[],
                     %b::float8[], %b::float8[], %b::timestamptz[], %b::float8[], %b::timestamptz[],
                     %b::float8[])
ON CONFLICT (tag, bucket) DO UPDATE SET
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
    for when, tag, value, quality, _source in rows:
        key = (tag, int(when.timestamp()) // 60 * 60)
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


def upsert_params(acc: dict[tuple[str, int], list[Any]]) -> list[list[Any]]:
    """Column arrays for UPSERT_SQL, sorted by (tag, bucket) so concurrent writers lock in one order."""
    columns: list[list[Any]] = [[] for _ in range(12)]
    for (tag, minute), a in sorted(acc.items()):
        values = (tag, datetime.fromtimestamp(minute, UTC), *a)
        for column, value in zip(columns, values, strict=True):
            column.append(value)
    return columns


def merge_rollup(cur: psycopg.Cursor, acc: dict[tuple[str, int], list[Any]]) -> int:
    """Merge 1-minute partial aggregates into tag_history_1m; return the buckets touched."""
    if acc:
        cur.execute(UPSERT_SQL, upsert_params(acc))
    return len(acc)
