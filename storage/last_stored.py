"""tag_history_last: each tag's last stored sample and newest committed sample, kept with every batch."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import psycopg

from storage.recording import StoredState
from storage.rollup import Row

_UPSERT = """
INSERT INTO tag_history_last AS l (tag, stored_time, stored_value, stored_quality, seen_time)
SELECT * FROM unnest(%s::text[], %s::timestamptz[], %s::float8[], %s::int2[], %s::timestamptz[])
ON CONFLICT (tag) DO UPDATE SET
    stored_value = CASE WHEN EXCLUDED.stored_time > l.stored_time OR l.stored_time IS NULL
                        THEN EXCLUDED.stored_value ELSE l.stored_value END,
    stored_quality = CASE WHEN EXCLUDED.stored_time > l.stored_time OR l.stored_time IS NULL
                          THEN EXCLUDED.stored_quality ELSE l.stored_quality END,
    stored_time = GREATEST(l.stored_time, EXCLUDED.stored_time),
    seen_time = GREATEST(l.seen_time, EXCLUDED.seen_time)
"""


def read_stored(conn: psycopg.Connection) -> dict[str, StoredState]:
    """Every tag's last stored sample (the exception filter's references after a restart)."""
    rows = conn.execute(
        "SELECT tag, stored_time, stored_value, stored_quality FROM tag_history_last "
        "WHERE stored_time IS NOT NULL"
    ).fetchall()
    return {tag: StoredState(t, v, q) for tag, t, v, q in rows}


def read_seen(conn: psycopg.Connection[Any], tags: Sequence[str]) -> dict[str, datetime]:
    """The newest committed collected sample of each tag (none before the first batch or the migration)."""
    if conn.execute("SELECT to_regclass('tag_history_last')").fetchone() == (None,):
        return {}
    rows = conn.execute("SELECT tag, seen_time FROM tag_history_last WHERE tag = ANY(%s)", (list(tags),))
    return dict(rows.fetchall())


def newest_per_tag(rows: Sequence[Row]) -> dict[str, Row]:
    """The newest row of each tag in `rows`."""
    newest: dict[str, Row] = {}
    for row in rows:
        had = newest.get(row[1])
        if had is None or row[0] >= had[0]:
            newest[row[1]] = row
    return newest


def write_last(cur: psycopg.Cursor, stored: Mapping[str, StoredState], seen: Mapping[str, Row]) -> None:
    """Record the batch's last stored and newest seen sample of each tag it holds."""
    if not seen:
        return
    tags = sorted(seen)  # one lock order for concurrent writers
    kept = [stored.get(tag) for tag in tags]
    cur.execute(
        _UPSERT,
        (
            tags,
            [k.time if k else None for k in kept],
            [k.value if k else None for k in kept],
            [k.quality if k else None for k in kept],
            [seen[tag][0] for tag in tags],
        ),
    )
