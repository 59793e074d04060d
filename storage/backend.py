"""Which history schema a database has: plain partitions + rollup, or TimescaleDB."""

from __future__ import annotations

from enum import StrEnum

import psycopg

HISTORY_MIGRATION = "0002_history"


class HistoryBackend(StrEnum):
    """The two physical layouts of tag_history (same columns, same 1-minute rollup columns)."""

    PLAIN = "plain"  # native day partitions, writer-maintained tag_history_1m table
    TIMESCALE = "timescale"  # hypertable, tag_history_1m continuous aggregate


def detect_backend(conn: psycopg.Connection) -> HistoryBackend:
    """Read the variant recorded when the history migration ran."""
    query = "SELECT variant FROM schema_migrations WHERE name = %s"
    row = conn.execute(query, (HISTORY_MIGRATION,)).fetchone()
    if row is None:
        raise RuntimeError("tag_history is not migrated: run `lockpilot db migrate`")
    return HistoryBackend.TIMESCALE if row[0] == "with-timescaledb" else HistoryBackend.PLAIN
