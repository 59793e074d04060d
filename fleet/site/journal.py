"""Store and forward: every change an edge node will send, numbered and appended to disk before it is sent.

Segments are JSON-lines files named by their first record number. A record is one device's changes of one
batch: `[n, device, [[metric, time_ms, value, quality_code], ...]]` (device "" for the node's own metrics).
Records are read back in order from any number on, so a replay after an outage sends each exactly in turn;
a segment is deleted only once every record in it was sent and none is within the resend window.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import structlog

log = structlog.get_logger(__name__)

Entry = tuple[str, int, Any, int]  # metric name, sample time (ms), value, quality code


@dataclass(frozen=True, slots=True)
class Record:
    n: int
    device: str
    entries: Sequence[Entry]


class Journal:
    """Numbered records in append-only segments; `read_from(n)` replays, `release(n)` frees what is done."""

    def __init__(self, directory: Path, *, segment_records: int = 2_000) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self._segment_records = segment_records
        self._starts = sorted(int(p.stem) for p in self.directory.glob("*.jsonl") if p.stem.isdigit())
        self.first_n = self._starts[0] if self._starts else 1
        self.next_n = self._scan_next()
        self._file: IO[str] | None = None
        self._in_segment = 0

    def _scan_next(self) -> int:
        """One past the last record on disk (a torn last line from a crash is dropped)."""
        if not self._starts:
            return 1
        last = self.first_n - 1
        for record in self._read_segment(self._starts[-1]):
            last = record.n
        return max(last + 1, self._starts[-1])

    def _path(self, start: int) -> Path:
        return self.directory / f"{start:020d}.jsonl"

    def append(self, device: str, entries: Sequence[Entry]) -> Record:
        """Number the record, write it (flushed to the OS, so a killed process keeps it) and return it."""
        record = Record(self.next_n, device, entries)
        if self._file is None or self._in_segment >= self._segment_records:
            self._roll()
        assert self._file is not None
        self._file.write(json.dumps([record.n, device, list(entries)], separators=(",", ":")) + "\n")
        self._file.flush()
        self._in_segment += 1
        self.next_n += 1
        return record

    def _roll(self) -> None:
        self.seal()
        start = self.next_n
        self._file = self._path(start).open("a", encoding="utf-8")
        if not self._starts or self._starts[-1] != start:
            self._starts.append(start)
        self._in_segment = 0

    def seal(self) -> None:
        """Close the open segment (fsynced); the next append starts a new one."""
        if self._file is not None:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            self._file = None

    def read_from(self, n: int) -> Iterator[Record]:
        """Every record numbered n or more, in order."""
        starts = list(self._starts)
        for i, start in enumerate(starts):
            end = starts[i + 1] if i + 1 < len(starts) else self.next_n
            if end <= n:
                continue
            if self._file is not None:
                self._file.flush()
            for record in self._read_segment(start):
                if record.n >= n:
                    yield record

    def _read_segment(self, start: int) -> Iterator[Record]:
        path = self._path(start)
        if not path.exists():
            return
        with path.open(encoding="utf-8") as f:
            for line in f:
                try:
                    n, device, entries = json.loads(line)
                except ValueError:
                    log.warning("journal_torn_line", segment=path.name)
                    return
                yield Record(n, device, [(e[0], e[1], e[2], e[3]) for e in entries])

    def release(self, below: int) -> None:
        """Delete whole closed segments whose records are all numbered below `below`."""
        while len(self._starts) > 1 and self._starts[1] <= below:
            start = self._starts.pop(0)
            self._path(start).unlink(missing_ok=True)
        self.first_n = self._starts[0] if self._starts else self.next_n

    @property
    def backlog(self) -> int:
        """Records on disk (sent or not)."""
        return self.next_n - self.first_n

    def close(self) -> None:
        self.seal()
