"""Durable spool of ingest batches while PostgreSQL is away: one fsynced JSON line per batch.

Measurement keys are deterministic (client, device, metric, time), so a batch replayed after it was in
fact committed is skipped by the store: nothing is lost, nothing counted twice.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import structlog

from metering.models import IngestBatch

log = structlog.get_logger(__name__)


class BatchSpool:
    """Append-only pending file; drained oldest first; a torn last line (crash) is dropped with a log."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / "pending.jsonl"
        self.batches = len(self._lines())

    def _lines(self) -> list[str]:
        if not self.path.exists():
            return []
        lines = self.path.read_text(encoding="utf-8").splitlines()
        good = []
        for line in lines:
            try:
                json.loads(line)
            except json.JSONDecodeError:
                log.warning("metering_spool_torn_line", path=str(self.path))
                continue
            good.append(line)
        return good

    def append(self, batch: IngestBatch) -> None:
        """Keep one batch durably (write + fsync) before returning."""
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(batch.model_dump_json() + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        self.batches += 1

    def drain(self, ingest: Callable[[IngestBatch], object]) -> bool:
        """Ingest spooled batches in order; True when the spool is empty afterwards."""
        lines = self._lines()
        done = 0
        try:
            for line in lines:
                ingest(IngestBatch.model_validate_json(line))
                done += 1
        finally:
            rest = lines[done:]
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text("".join(f"{line}\n" for line in rest), encoding="utf-8")
            os.replace(tmp, self.path)
            self.batches = len(rest)
            if done:
                log.info("metering_spool_drained", batches=done, left=len(rest))
        return not rest
