"""Partial aggregates of a batch per minute, hour and day, merged into the rollup tiers by one upsert each."""

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

# The tiers, kept forever: bucket width in seconds -> table (views tag_history_1m/_1h/_1d name the tags)
TIERS = {60: "tag_rollup_1m", 3600: "tag_rollup_1h", 86400: "tag_rollup_1d"}

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


def fold(acc: dict[tuple[str, int], list[Any]], step_s: int) -> dict[tuple[str, int], list[Any]]:
    """Minute accumulators folded into `step_s` buckets (an hour, a day): the same merge as the upsert."""
    out: dict[tuple[str, int], list[Any]] = {}
    for (tag, minute), a in acc.items():
        key = (tag, minute // step_s * step_s)
        b = out.get(key)
        if b is None:
            out[key] = list(a)
            continue
        b[_N], b[_GOOD] = b[_N] + a[_N], b[_GOOD] + a[_GOOD]
        if not a[_NV]:
            continue
        if not b[_NV]:
            b[_NV:] = a[_NV:]
            continue
        b[_NV], b[_SUM] = b[_NV] + a[_NV], b[_SUM] + a[_SUM]
        b[_MIN], b[_MAX] = min(b[_MIN], a[_MIN]), max(b[_MAX], a[_MAX])
        if a[_FT] < b[_FT]:
            b[_FT], b[_FV] = a[_FT], a[_FV]
        if a[_LT] >= b[_LT]:
            b[_LT], b[_LV] = a[_LT], a[_LV]
    return out


def upsert_params(acc: dict[tuple[str, int], list[Any]], tag_ids: Mapping[str, int]) -> list[list[Any]]:
    """Column arrays for UPSERT_SQL, sorted by (tag id, bucket) so concurrent writers lock in one order."""
    columns: list[list[Any]] = [[] for _ in range(12)]
    for (tag_id, bucket), a in sorted(((tag_ids[tag], bucket), a) for (tag, bucket), a in acc.items()):
        values = (tag_id, datetime.fromtimestamp(bucket, UTC), *a)
        for column, value in zip(columns, values, strict=True):
            column.append(value)
    return columns


def merge_rollup(
    cur: psycopg.Cursor, acc: dict[tuple[str, int], list[Any]], tag_ids: Mapping[str, int]
) -> int:
    """Merge the minute accumulators into every tier (by tag id); return the minute buckets touched."""
    if not acc:
        return 0
    for step_s, table in TIERS.items():
        tier = acc if step_s == 60 else fold(acc, step_s)
        cur.execute(sql.SQL(UPSERT_SQL).format(table=sql.Identifier(table)), upsert_params(tier, tag_ids))
    return len(acc)
