"""Tamper-evident audit trail: JSON lines, each hashed together with the previous line's hash.

One file, one chain: every writer of a process shares one `AuditChain`, and writers of other processes
(`lockpilot approve` beside `lockpilot up`) take the same file lock, re-reading the tail before they append.
The head (last sequence number and hash) is also kept apart from the file (`AuditHead`, in PostgreSQL), so
`verify` tells a truncated file from an intact one. A torn final line (a crash mid-write) is moved aside to
`<file>.torn` when the chain opens, and logged.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import math
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

import structlog

from lockpilot.clock import Clock, SystemClock

log = structlog.get_logger(__name__)

GENESIS = "0" * 64
TAIL_BYTES = 1 << 20


class AuditKind(StrEnum):
    """What a line records."""

    READING = "reading"
    CONFIG = "config"
    COMMAND = "command"
    SECURITY = "security"  # logins refused and throttled, sessions ended


class AuditHead(Protocol):
    """Where the chain's head is kept apart from the file (PostgreSQL: storage.audit_head.PgAuditHead)."""

    def store(self, chain: str, seq: int, digest: str) -> None: ...

    def load(self, chain: str) -> tuple[int, str] | None: ...


def _digest(prev: str, body: dict[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256((prev + canonical).encode()).hexdigest()


def plain(value: Any) -> Any:
    """The value with non-finite floats as strings (JSON and jsonb hold no NaN or infinity)."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def chain_name(path: Path) -> str:
    """The key of a file's head: its resolved path."""
    return str(path.resolve())


def _parse(line: bytes) -> tuple[int, str] | None:
    try:
        entry = json.loads(line)
        return int(entry["seq"]), str(entry["hash"])
    except (ValueError, KeyError, TypeError):
        return None


class AuditChain:
    """Appends hash-chained lines to one file; threads share one lock, processes a file lock."""

    def __init__(self, path: Path, *, clock: Clock | None = None, head: AuditHead | None = None) -> None:
        self.path = path
        self.clock = clock or SystemClock()
        self.head = head
        self.chain = chain_name(path)
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(exist_ok=True)
        self._seq, self._prev, self._size = 0, GENESIS, -1
        with self._locked() as fh:
            self.torn = self._repair(fh)
            self._read_tail(fh)

    @contextmanager
    def _locked(self) -> Iterator[Any]:
        """The file open for append and read, under an exclusive lock (threads, then processes)."""
        with self._lock, self.path.open("a+b") as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                yield fh
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

    def _repair(self, fh: Any) -> int:
        """Move an unreadable final line (a write torn by a crash) to `<file>.torn`; bytes moved."""
        size = os.fstat(fh.fileno()).st_size
        if size == 0:
            return 0
        fh.seek(max(0, size - TAIL_BYTES))
        tail = fh.read()
        complete = tail.endswith(b"\n")
        start = (tail[:-1] if complete else tail).rfind(b"\n") + 1
        if complete and _parse(tail[start:]) is not None:
            return 0
        keep, moved = size - len(tail) + start, tail[start:]
        with self.path.with_name(self.path.name + ".torn").open("ab") as torn:
            torn.write(moved if moved.endswith(b"\n") else moved + b"\n")
        os.truncate(self.path, keep)
        log.warning("audit_torn_line_repaired", path=str(self.path), bytes=len(moved), kept_bytes=keep)
        return len(moved)

    def _read_tail(self, fh: Any) -> None:
        """Sequence number and hash of the file's last line, re-read when another process appended."""
        size = os.fstat(fh.fileno()).st_size
        if size == self._size:
            return
        self._seq, self._prev = 0, GENESIS
        if size:
            fh.seek(max(0, size - TAIL_BYTES))
            lines = fh.read().splitlines()
            found = _parse(lines[-1]) if lines else None
            if found is None:
                raise ValueError(f"{self.path}: the last line is not an audit line")
            self._seq, self._prev = found
        self._size = size

    def append(self, kind: AuditKind, *, actor: str, data: dict[str, Any]) -> str:
        """Write one line and return its hash."""
        return self.append_many(kind, actor=actor, items=[data])[-1]

    def append_many(self, kind: AuditKind, *, actor: str, items: list[dict[str, Any]]) -> list[str]:
        """Write several lines in one file write (readings arrive in batches)."""
        now = self.clock.now().isoformat()
        with self._locked() as fh:
            self._read_tail(fh)
            lines, hashes = [], []
            seq, prev = self._seq, self._prev
            for data in items:
                seq += 1
                body = {"seq": seq, "time": now, "kind": kind.value, "actor": actor, "data": plain(data)}
                prev = _digest(prev, body)
                hashes.append(prev)
                lines.append(json.dumps({**body, "hash": prev}, ensure_ascii=False, default=str))
            payload = ("\n".join(lines) + "\n").encode()
            fh.seek(0, os.SEEK_END)
            fh.write(payload)
            fh.flush()
            self._seq, self._prev = seq, prev
            self._size = os.fstat(fh.fileno()).st_size
            self._store_head()
        return hashes

    def _store_head(self) -> None:
        if self.head is None:
            return
        try:
            self.head.store(self.chain, self._seq, self._prev)
        except Exception as exc:  # the file is the record; a later append stores the head again
            log.warning("audit_head_not_stored", chain=self.chain, seq=self._seq, error=str(exc).strip())


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """Outcome of a verification: lines checked and, when broken, the first bad line and why."""

    ok: bool
    lines: int
    bad_line: int | None = None
    reason: str = ""
    head_checked: bool = False


def verify(path: Path, *, head: tuple[int, str] | None = None) -> VerifyResult:
    """Recompute the chain; report the first line whose content, order or hash does not match.

    With `head` (the last sequence number and hash stored apart), a file that ends before the head, or
    whose line at the head's number differs from it, is reported as truncated.
    """
    prev, count, at_head = GENESIS, 0, None
    with path.open(encoding="utf-8") as fh:
        for number, text in enumerate(fh, start=1):
            count = number
            try:
                entry = json.loads(text)
                stored = entry.pop("hash")
            except (json.JSONDecodeError, KeyError, AttributeError, TypeError):
                return VerifyResult(False, number, number, "not a valid audit line")
            if entry.get("seq") != number:
                return VerifyResult(
                    False, number, number, f"sequence {entry.get('seq')} where {number} was expected"
                )
            if _digest(prev, entry) != stored:
                return VerifyResult(False, number, number, "hash does not match the line's content")
            prev = stored
            if head is not None and number == head[0]:
                at_head = stored
    if head is None:
        return VerifyResult(True, count)
    if count < head[0]:
        return VerifyResult(
            False,
            count,
            count + 1,
            f"truncated: the file ends at line {count}, the stored head is line {head[0]}",
            head_checked=True,
        )
    if at_head != head[1]:
        return VerifyResult(
            False, count, head[0], "line at the stored head differs from the head's hash", head_checked=True
        )
    return VerifyResult(True, count, head_checked=True)
