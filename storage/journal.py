"""Write-ahead journal of published samples: nothing the PLC produced is lost when the process dies.

`publish` appends each batch to the journal before it is queued (a plain write: the page cache survives a
`kill -9`; only a power cut needs an fsync, which the spool does). The writer acknowledges the number of
samples it has durably handled (committed or spooled); segments wholly below that number are deleted. On
start the segments left by a dead process are replayed: rows already in PostgreSQL are skipped, the rest
written, and a gap marker closes each tag's data before the death.
"""

from __future__ import annotations

import struct
import threading
import time
import uuid
import zlib
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import structlog

from lockpilot.samples import Quality
from storage.batch_codec import decode_batch, encode_batch
from storage.last_stored import read_seen
from storage.quality import QUALITY_CODE
from storage.rollup import Row

log = structlog.get_logger(__name__)

_HEADER = struct.Struct("<II")
SEGMENT_MAX_BYTES = 8 * 1024 * 1024
SEGMENT_MAX_AGE_S = 5.0
_NO_ID = uuid.UUID(int=0)
GAP_SOURCE = "gap:process_restart"  # marks where a tag's data stops before the process died


def _read(path: Path) -> list[Row]:
    """The complete records of a segment; a torn tail (death mid-write) ends it."""
    data, offset, rows = path.read_bytes(), 0, []
    while offset + _HEADER.size <= len(data):
        length, crc = _HEADER.unpack_from(data, offset)
        payload = data[offset + _HEADER.size : offset + _HEADER.size + length]
        if len(payload) < length or zlib.crc32(payload) != crc:
            log.warning("journal_torn_record", segment=path.name, offset=offset)
            break
        rows += decode_batch(payload).rows
        offset += _HEADER.size + length
    return rows


class SampleJournal:
    """Segments `jrn-N.log` under `directory`; thread-safe append, ack by cumulative sample count."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.left_over = sorted(directory.glob("jrn-*.log"))  # from a process that died
        self._number = max((int(p.stem.removeprefix("jrn-")) for p in self.left_over), default=0)
        self._closed: list[tuple[Path, int]] = []  # segment, cumulative count at its end
        self._active: Path | None = None
        self._opened_at = 0.0
        self._lock = threading.Lock()
        self.appended = 0

    def recovered_rows(self) -> list[Row]:
        """Rows of the segments a dead process left (to replay once PostgreSQL answers)."""
        return [row for path in self.left_over for row in _read(path)]

    def forget_left_over(self) -> None:
        """Delete the replayed segments."""
        for path in self.left_over:
            path.unlink(missing_ok=True)
        self.left_over = []

    def append(self, rows: Sequence[Row]) -> None:
        """Journal one published batch (call in publish order, under the caller's queue order)."""
        if not rows:
            return
        payload = encode_batch(_NO_ID, rows)
        with self._lock:
            now = time.monotonic()
            if (
                self._active is None
                or now - self._opened_at > SEGMENT_MAX_AGE_S
                or (self._active.stat().st_size > SEGMENT_MAX_BYTES)
            ):
                self._rotate(now)
            assert self._active is not None
            with self._active.open("ab") as fh:
                fh.write(_HEADER.pack(len(payload), zlib.crc32(payload)) + payload)
            self.appended += len(rows)

    def _rotate(self, now: float) -> None:
        if self._active is not None:
            self._closed.append((self._active, self.appended))
        self._number += 1
        self._active = self.directory / f"jrn-{self._number:012d}.log"
        self._active.touch()
        self._opened_at = now

    def ack(self, handled: int) -> None:
        """`handled` samples (from the first published) are committed or spooled: drop their segments."""
        with self._lock:
            if self._active is not None and handled >= self.appended:
                self._closed.append((self._active, self.appended))
                self._active = None
            while self._closed and self._closed[0][1] <= handled:
                path, _ = self._closed.pop(0)
                path.unlink(missing_ok=True)


def rows_to_replay(conn: psycopg.Connection[Any], rows: Sequence[Row]) -> list[Row]:
    """Journaled rows not yet in tag_history, plus a gap marker after each tag's last one."""
    tags = sorted({r[1] for r in rows})
    present = set(
        conn.execute(
            "SELECT tag, time FROM tag_history_between(%s, %s) WHERE tag = ANY(%s)",
            (min(r[0] for r in rows), max(r[0] for r in rows) + timedelta(microseconds=1), tags),
        ).fetchall()
    )
    seen = read_seen(
        conn, tags
    )  # filtered samples of committed batches are not rows: they are older than this
    missing = [r for r in rows if (r[1], r[0]) not in present and (r[1] not in seen or r[0] > seen[r[1]])]
    last: dict[str, datetime] = {}
    for r in rows:
        last[r[1]] = max(r[0], last.get(r[1], r[0]))
    code = QUALITY_CODE[Quality.COMM_ERROR]
    gaps: list[Row] = [
        (t + timedelta(microseconds=1), tag, None, code, GAP_SOURCE) for tag, t in last.items()
    ]
    return missing + gaps
