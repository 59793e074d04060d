"""The live rules runner: a SampleSink that evaluates collector batches in its own thread and hands
alarm events to writers (PostgreSQL, Redis) on another, so neither the bus nor the engine waits on I/O."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from datetime import datetime
from typing import Any, Protocol

import structlog

from lockpilot.clock import Clock
from lockpilot.samples import Sample
from rules.engine import RulesEngine
from rules.lifecycle import Alarm, AlarmEvent, AlarmOperationError

log = structlog.get_logger(__name__)


class ActionSource(Protocol):
    """Operator actions already persisted by another process (the CLI), to mirror in the live book."""

    def drain(self) -> list[dict[str, Any]]: ...


class AlarmWriter(Protocol):
    """Where alarm events and the states of the alarms they touched are written."""

    def write(self, events: Sequence[AlarmEvent], alarms: Sequence[Alarm]) -> None: ...


_STOP = object()


class RulesRunner:
    """Consumes sample batches (`publish` never blocks), evaluates, and writes alarm changes."""

    def __init__(
        self,
        engine: RulesEngine,
        *,
        clock: Clock,
        writers: Sequence[AlarmWriter] = (),
        tick_s: float = 0.5,
        max_queue: int = 2000,
        actions: ActionSource | None = None,
    ) -> None:
        self.engine = engine
        self.actions = actions
        self.clock = clock
        self.writers = list(writers)
        self.tick_s = tick_s
        self.listeners: list[Callable[[list[AlarmEvent]], None]] = []
        self._inbox: queue.Queue[Any] = queue.Queue(maxsize=max_queue)
        self._outbox: queue.Queue[Any] = queue.Queue(maxsize=max_queue)
        self._threads: list[threading.Thread] = []
        self.dropped_batches = 0

    def publish(self, batch: Sequence[Sample]) -> None:
        """Queue a batch for evaluation; when the queue is full the batch is dropped and counted."""
        try:
            self._inbox.put_nowait(list(batch))
        except queue.Full:
            self.dropped_batches += 1
            log.warning("rules_queue_full", dropped=self.dropped_batches)

    def submit(self, action: Callable[[RulesEngine], Any]) -> Future[Any]:
        """Run an operator action (ack, shelve...) on the engine's thread; the future holds its result."""
        future: Future[Any] = Future()
        self._inbox.put((action, future))
        return future

    def report(self, alarm_id: str, values: dict[str, Any]) -> Future[Any]:
        """Raise an event alarm of rules.yaml (`events`) on the engine's thread, written like any other."""
        return self.submit(lambda engine: engine.report(alarm_id, values=values, now=self.clock.now()))

    def start(self) -> None:
        """Start the evaluation and writer threads."""
        if self._threads:
            return
        self._threads = [
            threading.Thread(target=self._evaluate_loop, name="rules-eval", daemon=True),
            threading.Thread(target=self._write_loop, name="rules-write", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def stop(self, *, timeout_s: float = 5.0) -> None:
        """Finish the queued work and stop both threads."""
        if not self._threads:
            return
        self._inbox.put(_STOP)
        self._threads[0].join(timeout_s)
        self._outbox.put(_STOP)
        self._threads[1].join(timeout_s)
        self._threads = []

    def _evaluate_loop(self) -> None:
        while True:
            try:
                item = self._inbox.get(timeout=self.tick_s)
            except queue.Empty:
                item = []
            if item is _STOP:
                return
            self._mirror_actions()
            try:
                if isinstance(item, tuple):
                    self._run_action(*item)
                    continue
                self._emit(self.engine.evaluate(item, self.clock.now()))
            except Exception:
                log.exception("rules_evaluation_failed")

    def _mirror_actions(self) -> None:
        """Apply actions the CLI already wrote, without writing them again."""
        if self.actions is None:
            return
        try:
            pending = self.actions.drain()
        except Exception:
            log.exception("alarm_actions_unreadable")
            return
        engine = self.engine
        methods: dict[str, Callable[..., AlarmEvent]] = {
            "ack": engine.acknowledge,
            "shelve": engine.shelve,
            "unshelve": engine.unshelve,
        }
        reported: list[AlarmEvent] = []
        for doc in pending:
            try:
                when = datetime.fromisoformat(doc["time"])
                if doc["action"] == "report":  # an event alarm nobody wrote yet: raise and write it
                    engine.book.take_events()
                    reported += engine.report(doc["alarm_id"], values=doc["options"]["values"], now=when)
                    continue
                methods[doc["action"]](doc["alarm_id"], now=when, **doc["options"])
            except (AlarmOperationError, KeyError, ValueError, TypeError) as exc:
                log.info("alarm_action_not_mirrored", alarm_id=doc.get("alarm_id"), reason=str(exc))
            engine.book.take_events()
        self._emit(reported)

    def _run_action(self, action: Callable[[RulesEngine], Any], future: Future[Any]) -> None:
        try:
            result = action(self.engine)
        except Exception as exc:
            future.set_exception(exc)
            return
        future.set_result(result)
        if isinstance(result, AlarmEvent):
            self._emit([result])
        elif isinstance(result, list) and all(isinstance(e, AlarmEvent) for e in result):
            self._emit(result)

    def _emit(self, events: list[AlarmEvent]) -> None:
        if not events:
            return
        for listener in self.listeners:
            listener(events)
        alarms = [
            self.engine.book.alarms[e.alarm_id] for e in events if e.alarm_id in self.engine.book.alarms
        ]
        try:
            self._outbox.put_nowait((events, list({a.id: a for a in alarms}.values())))
        except queue.Full:
            log.error("alarm_writer_queue_full", events=len(events))

    def _write_loop(self) -> None:
        while True:
            item = self._outbox.get()
            if item is _STOP:
                return
            events, alarms = item
            for writer in self.writers:
                try:
                    writer.write(events, alarms)
                except Exception:
                    log.exception("alarm_write_failed", writer=type(writer).__name__)
