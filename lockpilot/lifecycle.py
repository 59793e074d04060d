"""One lifecycle for every long-running part: `start() -> None`, `stop() -> None`, both idempotent."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import structlog

log = structlog.get_logger(__name__)


class Part(Protocol):
    """A long-running part (a thread, a server, a connection pool) the composition root starts and stops."""

    def start(self) -> None: ...

    def stop(self) -> None: ...


class PartStack:
    """Started parts and other closers, stopped newest first; a failing stop never blocks the others."""

    def __init__(self) -> None:
        self._stops: list[tuple[str, Callable[[], object]]] = []

    def start(self, part: Part) -> None:
        """Start `part` and remember to stop it."""
        part.start()
        self._stops.append((type(part).__name__, part.stop))

    def closing(self, close: Callable[[], object]) -> None:
        """Remember a resource's close() (a connection, a store) to run in the same order."""
        self._stops.append((getattr(close, "__qualname__", "close"), close))

    def stop_all(self) -> None:
        """Stop everything, newest first."""
        while self._stops:
            name, stop = self._stops.pop()
            try:
                stop()
            except Exception:
                log.exception("stop_failed", part=name)
