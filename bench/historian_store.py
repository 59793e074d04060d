"""What the historian's tables hold after a bench run, and the tiers filled back for the trend queries."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import psycopg

if TYPE_CHECKING:
    from bench.historian import HistorianReport

_SIZES = """
SELECT COALESCE(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c
WHERE c.relkind IN ('r', 'p') AND (c.relname LIKE 'tag_history_p%%' OR c.relname = ANY(%s))
"""
_TABLES = [
    "tag_history_default",
    "tag_history_hours",
    "tag_rollup_1m",
    "tag_rollup_open",
    "tag_rollup_1h",
    "tag_rollup_1d",
    "tag_history_last",
    "tag_ids",
    "source_ids",
]


def measure_store(conn: psycopg.Connection, report: HistorianReport) -> None:
    """Bytes on disk of the historian's tables (vacuumed first), by part, and the samples stored."""
    conn.execute("VACUUM ANALYZE")
    report.bytes_on_disk = int(conn.execute(_SIZES, (_TABLES,)).fetchone()[0])  # type: ignore[index]
    raw = conn.execute(_SIZES, (["tag_history_default"],)).fetchone()
    report.parts = {"raw rows": int(raw[0])}  # type: ignore[index]
    for table in ("tag_history_hours", "tag_rollup_1m", "tag_rollup_open", "tag_rollup_1h", "tag_rollup_1d"):
        size = conn.execute("SELECT pg_total_relation_size(%s)", (table,)).fetchone()
        report.parts[table] = int(size[0])  # type: ignore[index]
    report.stored_rows = int(conn.execute("SELECT count(*) FROM tag_history").fetchone()[0])  # type: ignore[index]
    report.hour_rows = int(conn.execute("SELECT count(*) FROM tag_history_hours").fetchone()[0])  # type: ignore[index]
    report.rollup_samples = int(conn.execute("SELECT sum(n_samples) FROM tag_history_1m").fetchone()[0])  # type: ignore[index]


def synthesise(
    conn: psycopg.Connection, *, table: str, start: datetime, simulated_days: int, wanted_days: int
) -> bool:
    """Fill `table` back to `wanted_days` before the simulated ones by repeating them (older, shifted)."""
    if simulated_days >= wanted_days:
        return False
    for k in range(1, (wanted_days - 1) // simulated_days + 1):
        conn.execute(
            f"INSERT INTO {table} SELECT tag_id, bucket - %s, n_samples, n_values, good_count, sum, min, "
            f"max, first_time - %s, first_value, last_time - %s, last_value FROM {table} WHERE bucket >= %s",
            (*[timedelta(days=k * simulated_days)] * 3, start),
        )
    conn.execute(f"ANALYZE {table}")
    return True
