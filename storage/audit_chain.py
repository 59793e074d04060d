"""Tamper-evident audit trail: JSON lines, each hashed together with the previous line's hash."""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from lockpilot.clock import Clock, SystemClock

GENESIS = "0" * 64


class AuditKind(StrEnum):
    """What a line records."""

    READING = "reading"
    CONFIG = "config"
    COMMAND = "command"


def _digest(prev: str, body: dict[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256((prev + canonical).encode()).hexdigest()


def _last_line(path: Path) -> tuple[int, str]:
    """Sequence number and hash of the last line of an existing log (0, GENESIS when empty)."""
    if not path.exists() or path.stat().st_size == 0:
        return 0, GENESIS
    with path.open("rb") as fh:
        fh.seek(max(0, path.stat().st_size - 65536))
        tail = fh.read().splitlines()
    last = json.loads(tail[-1])
    return int(last["seq"]), str(last["hash"])


class AuditChain:
    """Appends hash-chained lines to one file; one writer per file (a lock serialises threads)."""

    def __init__(self, path: Path, *, clock: Clock | None = None) -> None:
        self.path = path
        self.clock = clock or SystemClock()
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._seq, self._prev = _last_line(path)

    def append(self, kind: AuditKind, *, actor: str, data: dict[str, Any]) -> str:
        """Write one line and return its hash."""
        return self.append_many(kind, actor=actor, items=[data])[-1]

    def append_many(self, kind: AuditKind, *, actor: str, items: list[dict[str, Any]]) -> list[str]:
        """Write several lines in one file write (readings arrive in batches)."""
        now = self.clock.now().isoformat()
        lines, hashes = [], []
        with self._lock:
            for data in items:
                self._seq += 1
                body = {"seq": self._seq, "time": now, "kind": kind.value, "actor": actor, "data": data}
                self._prev = _digest(self._prev, body)
                hashes.append(self._prev)
                lines.append(json.dumps({**body, "hash": self._prev}, ensure_ascii=False, default=str))
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write("\n".join(lines) + "\n")
        return hashes


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """Outcome of a verification: lines checked and, when broken, the first bad line and why."""

    ok: bool
    lines: int
    bad_line: int | None = None
    reason: str = ""


def verify(path: Path) -> VerifyResult:
    """Recompute the chain; report the first line whose content, order or hash does not match."""
    prev, count = GENESIS, 0
    with path.open(encoding="utf-8") as fh:
        for number, text in enumerate(fh, start=1):
            count = number
            try:
                entry = json.loads(text)
                stored = entry.pop("hash")
            except (json.JSONDecodeError, KeyError, AttributeError):
                return VerifyResult(False, number, number, "not a valid audit line")
            if entry.get("seq") != number:
                return VerifyResult(
                    False, number, number, f"sequence {entry.get('seq')} where {number} was expected"
                )
            if _digest(prev, entry) != stored:
                return VerifyResult(False, number, number, "hash does not match the line's content")
            prev = stored
    return VerifyResult(True, count)
