"""Disk spool for history batches while PostgreSQL is away: append-only, fsynced segment files."""

from __future__ import annotations

import os
import struct
import uuid
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path

import structlog

from storage.batch_codec import DecodedBatch, decode_batch, encode_batch
from storage.rollup import Row

log = structlog.get_logger(__name__)

_HEADER = struct.Struct("<II")  # payload length, crc32 of payload


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_segment(path: Path) -> Iterator[DecodedBatch]:
    """Yield the complete records of one segment; a torn record at the tail (crash mid-write) ends it."""
    data = path.read_bytes()
    offset = 0
    while offset + _HEADER.size <= len(data):
        length, crc = _HEADER.unpack_from(data, offset)
        payload = data[offset + _HEADER.size : offset + _HEADER.size + length]
        if len(payload) < length or zlib.crc32(payload) != crc:
            log.warning("spool_torn_record", segment=path.name, offset=offset)
            return
        yield decode_batch(payload)
        offset += _HEADER.size + length


class DiskSpool:
    """Batches appended to numbered segments; read back oldest first; a segment is deleted once flushed."""

    def __init__(self, directory: Path, *, segment_max_bytes: int = 64 * 1024 * 1024) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self._segment_max_bytes = segment_max_bytes
        self._active: Path | None = None
        self.batches = sum(1 for seg in self.segments() for _ in read_segment(seg))

    def segments(self) -> list[Path]:
        """Segment files, oldest first."""
        return sorted(self.directory.glob("seg-*.spool"))

    def _next_segment(self) -> Path:
        existing = self.segments()
        number = int(existing[-1].stem.removeprefix("seg-")) + 1 if existing else 1
        path = self.directory / f"seg-{number:012d}.spool"
        path.touch()
        _fsync_dir(self.directory)
        return path

    def append(self, batch_id: uuid.UUID, rows: Sequence[Row]) -> None:
        """Append one batch durably (write + fsync) before returning."""
        if self._active is None or self._active.stat().st_size >= self._segment_max_bytes:
            self._active = self._next_segment()
        payload = encode_batch(batch_id, rows)
        with self._active.open("ab") as fh:
            fh.write(_HEADER.pack(len(payload), zlib.crc32(payload)) + payload)
            fh.flush()
            os.fsync(fh.fileno())
        self.batches += 1

    def seal(self) -> None:
        """Close the active segment so the next append starts a new one (before a flush reads it)."""
        self._active = None

    def remove(self, segment: Path, *, batches: int) -> None:
        """Delete a fully flushed segment."""
        segment.unlink()
        _fsync_dir(self.directory)
        self.batches = max(0, self.batches - batches)

    @property
    def empty(self) -> bool:
        return self.batches == 0 and not self.segments()
