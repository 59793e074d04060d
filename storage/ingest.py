"""One history batch into PostgreSQL: binary COPY, rollup merge and batch id in one transaction."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from typing import Any

import psycopg

from storage.backend import HistoryBackend
from storage.last_stored import newest_per_tag, read_stored, write_last
from storage.name_ids import NameIds
from storage.partitions import day_of, ensure_partitions, partition_name
from storage.recording import ExceptionFilter, RecordingPolicy, Selection, StoredState
from storage.rollup import Row, aggregate, merge_rollup

COPY_SQL = "COPY tag_history (time, tag, value, quality, source) FROM STDIN (FORMAT BINARY)"
COPY_TYPES = ["timestamptz", "text", "float8", "int2", "text"]
COMPACT_COPY_SQL = (
    "COPY tag_history_rows (time, value, tag_id, quality, source_id) FROM STDIN (FORMAT BINARY)"
)
VACUUM_OPEN_EVERY = 20  # batches between two vacuums of the open minutes (a few ms on a few pages)
COMPACT_COPY_TYPES = ["timestamptz", "float8", "int2", "int2", "int2"]


def copy_rows(
    cur: psycopg.Cursor, rows: Sequence[Row], *, meanwhile: Callable[[], object] | None = None
) -> None:
    """Stream named rows into tag_history (on plain PostgreSQL its view's trigger maps names to ids)."""
    with cur.copy(COPY_SQL) as copy:
        copy.set_types(COPY_TYPES)
        write = copy.write_row
        for row in rows:
            write(row)
        if meanwhile is not None:
            meanwhile()


def copy_compact(
    cur: psycopg.Cursor,
    rows: Sequence[Row],
    *,
    tag_ids: Mapping[str, int],
    source_ids: Mapping[str, int],
    meanwhile: Callable[[], object] | None = None,
) -> None:
    """Stream rows into tag_history_rows as ids (binary COPY); run `meanwhile` while the server finishes."""
    with cur.copy(COMPACT_COPY_SQL) as copy:
        copy.set_types(COMPACT_COPY_TYPES)
        write = copy.write_row
        for when, tag, value, quality, source in rows:
            write((when, value, tag_ids[tag], quality, source_ids[source]))
        if meanwhile is not None:
            meanwhile()


def _store_all(rows: Sequence[Row]) -> Selection:
    """Full-rate recording: every row is stored, the newest of each tag is its reference."""
    newest = newest_per_tag(rows)
    return Selection(list(rows), {tag: StoredState(r[0], r[2], r[3]) for tag, r in newest.items()})


class BatchIngester:
    """Writes batches on one connection, creating day partitions it has not seen yet (plain path).

    With a recording policy only the samples that say something new are stored (exception recording,
    the filter seeded from tag_history_last so a restart stores no duplicate); the 1-minute rollup is
    still computed from every sample of the batch.
    """

    def __init__(
        self, conn: psycopg.Connection, backend: HistoryBackend, *, recording: RecordingPolicy | None = None
    ) -> None:
        self._conn = conn
        self._backend = backend
        self._partitions: set[str] = set()
        self._filter = None if recording is None else ExceptionFilter(recording, state=read_stored(conn))
        self._tag_ids = NameIds(conn, "tag_ids")
        self._source_ids = NameIds(conn, "source_ids")
        self._writes = 0

    def _ensure_partitions(self, rows: Sequence[Row]) -> None:
        first, last = day_of(min(row[0] for row in rows)), day_of(max(row[0] for row in rows))
        days = {first + timedelta(days=n) for n in range((last - first).days + 1)}
        missing = {d for d in days if partition_name(d) not in self._partitions}
        if missing:
            self._partitions = ensure_partitions(self._conn, missing)

    def write(self, batch_id: uuid.UUID, rows: Sequence[Row]) -> bool:
        """Commit the batch once; return False when its id was already committed (a replay)."""
        selection = _store_all(rows) if self._filter is None else self._filter.select(rows)
        stored = selection.kept
        plain = self._backend is HistoryBackend.PLAIN
        if plain and stored:
            self._ensure_partitions(stored)
        tag_ids = self._tag_ids.resolve(r[1] for r in rows) if plain else {}
        source_ids = self._source_ids.resolve(r[4] for r in stored) if plain else {}
        with self._conn.transaction(), self._conn.cursor() as cur:
            cur.execute(
                "INSERT INTO ingest_batches (batch_id, rows) VALUES (%s, %s) "
                "ON CONFLICT DO NOTHING RETURNING batch_id",
                (batch_id, len(rows)),
            )
            if cur.fetchone() is None:
                return False
            if not plain:
                copy_rows(cur, stored)
            else:
                acc: dict[tuple[str, int], list[Any]] = {}
                copy_compact(
                    cur,
                    stored,
                    tag_ids=tag_ids,
                    source_ids=source_ids,
                    meanwhile=lambda: acc.update(aggregate(rows)),
                )
                merge_rollup(cur, acc, tag_ids)
            write_last(cur, selection.state, newest_per_tag(rows))
        if self._filter is not None:
            self._filter.commit()
        self._writes += 1
        if plain and self._writes % VACUUM_OPEN_EVERY == 0 and self._conn.autocommit:
            # dead row versions of the open minutes and of the hours and days still filling, before they
            # spread (the visibility map keeps this to the few pages that changed)
            self._conn.execute("VACUUM tag_rollup_open, tag_rollup_1h, tag_rollup_1d")
        return True
