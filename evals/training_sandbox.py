"""The copilot's world during a training session: tools over the sandbox twin, commands kept in memory.

Nothing here reaches the real plant: values, history and alarms come from the session's twin (through an
IncidentStore fed with the recording as it grows), commands are stored in memory and written to the twin.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from agent.service import Copilot
from collectors.s7 import WriteResult
from commands.desk import CommandDesk, CommandOutcome
from commands.identity import FixedRole
from commands.store import CommandRecord, CommandStatus, CommandStore
from evals.incident import Incident
from evals.store import IncidentStore, StoreHistory
from evals.training import TraineeEvent, TraineeEventKind, TrainingReport, TrainingSession, start
from lockpilot.clock import Clock
from lockpilot.roles import Role
from lockpilot.samples import Sample, Value
from rules.bundle import PlantBundle
from rules.lifecycle import AlarmOperationError
from tools.adapters import CurrentSequences
from tools.context import ToolContext
from tools.ports import KnowledgeDesk

SANDBOX_ROLE = Role.OPERATOR  # in the sandbox the trainee plays the operator: requests and approvals
WRITTEN = (CommandStatus.VERIFIED, CommandStatus.FAILED)


class MemoryCommandStore(CommandStore):
    """Command requests and their audit in memory: a training command never lands in the live table."""

    def __init__(self) -> None:
        super().__init__("")  # no connection is ever opened
        self.records: dict[str, CommandRecord] = {}
        self.trail: list[dict[str, Any]] = []
        self._mutex = threading.Lock()

    def close(self) -> None:
        """Nothing to close."""

    def insert(self, record: CommandRecord) -> None:
        """Keep a new pending request."""
        with self._mutex:
            self.records[record.id] = record

    def get(self, command_id: str) -> CommandRecord | None:
        """The request `command_id`, if any."""
        return self.records.get(command_id)

    def pending(self) -> list[CommandRecord]:
        """Pending requests, oldest first."""
        waiting = [r for r in self.records.values() if r.status is CommandStatus.PENDING]
        return sorted(waiting, key=lambda r: r.requested_at)

    def transition(self, command_id: str, *, from_: CommandStatus, to: CommandStatus, **fields: Any) -> bool:
        """Move a request from one state to the next; False when it was not in `from_`."""
        with self._mutex:
            record = self.records.get(command_id)
            if record is None or record.status is not from_:
                return False
            self.records[command_id] = replace(record, status=to, **fields)
            return True

    def audit(self, *, when: datetime, actor: str, action: str, target: str, details: dict[str, Any]) -> None:
        """Keep one audit line."""
        line = {"time": when, "actor": actor, "action": action, "target": target, "details": details}
        with self._mutex:
            self.trail.append(line)

    def audit_trail(self, command_id: str) -> list[dict[str, Any]]:
        """Audit lines of one command, oldest first."""
        return [line for line in self.trail if line["details"].get("command_id") == command_id]


@dataclass
class TrainingSandbox:
    """One training session with its own copilot; every call plays the scenario up to the clock first."""

    session: TrainingSession
    store: IncidentStore
    commands: MemoryCommandStore
    copilot: Copilot = field(init=False)
    lock: threading.RLock = field(default_factory=threading.RLock)
    _audit_seen: int = 0

    def sync(self) -> list[str]:
        """Play the scenario up to now and feed the new rows to the copilot's store; the alarms raised."""
        with self.lock:
            raised = self.session.advance()
            self.store.advance_to(self.session.sim_s)
            return raised

    @property
    def finished(self) -> bool:
        return self.session.finished

    def read(self, tags: Sequence[str]) -> dict[str, Sample]:
        """The sandbox's latest values (a PlantIO read)."""
        self.sync()
        return {t: self.store.latest[t] for t in tags if t in self.store.latest}

    def write(self, tag: str, value: Value) -> WriteResult:
        """Write to the sandbox twin, never the PLC (a PlantIO write)."""
        with self.lock:
            self.sync()
            self.session.recorder.twin.command(tag, value)
        return WriteResult(tag=tag, written=value, read_back=value, verified=True)

    def message(self, text: str) -> None:
        """Observe a trainee's message (naming the cause scores)."""
        with self.lock:
            self.session.answer(text)

    def log_refusals(self) -> list[str]:
        """Put the command requests refused since the last call (off the list, interlocks) in the log."""
        with self.lock:
            lines = self.commands.trail[self._audit_seen :]
            self._audit_seen += len(lines)
            refused = [
                f"{line['target']} ({line['details'].get('reason', '')})"
                for line in lines
                if line["action"] == "command_refused"
            ]
            self.session.log += [f"{self.session.sim_s:7.1f} s  pedido recusado {r}" for r in refused]
            return refused

    def acknowledge(self, *, user: str) -> list[str]:
        """Observe an acknowledgement; acknowledge the sandbox's active alarms too; their ids."""
        with self.lock:
            self.sync()
            self.session.observe(TraineeEvent(TraineeEventKind.ACKNOWLEDGE))
            rules, done = self.store.rules, []
            for alarm in rules.active():
                if alarm.acknowledged:
                    continue
                try:
                    with rules.lock:
                        rules.engine.acknowledge(alarm.id, user=user, comment="treino", now=rules.clock.now())
                except (KeyError, AlarmOperationError):
                    continue
                done.append(alarm.id)
            return done

    def approve(self, command_id: str, *, user: str) -> tuple[CommandOutcome, str]:
        """Approve a sandbox command: written to the twin and scored (right or forbidden action)."""
        outcome, text = self.copilot.approve(command_id, user=user)
        record = self.commands.get(command_id)
        if record is not None and record.status in WRITTEN:
            with self.lock:
                self.session.acted(record.command)
        return outcome, text

    def reject(self, command_id: str, *, user: str, reason: str) -> tuple[CommandOutcome, str]:
        """Reject a sandbox command; it is logged, not written."""
        outcome, text = self.copilot.reject(command_id, user=user, reason=reason)
        with self.lock:
            self.session.log.append(f"{self.session.sim_s:7.1f} s  rejeitado {outcome.command or command_id}")
        return outcome, text

    def report(self) -> TrainingReport:
        """The scored report, with the scenario played up to now."""
        with self.lock:
            self.sync()
            return self.session.report()


def _context(
    sandbox: TrainingSandbox,
    bundle: PlantBundle,
    *,
    knowledge: KnowledgeDesk | None,
    clock: Clock,
) -> ToolContext:
    store = sandbox.store
    return ToolContext(
        bundle=bundle,
        clock=store.clock,
        current=store.current,
        history=StoreHistory(store),
        alarms=store.rules,
        sequences=CurrentSequences(bundle, store.current, store.clock),
        knowledge=knowledge,
        commands=CommandDesk(  # the trainee plays the operator, on the sandbox twin only
            bundle.plant, bundle.commands, sandbox.commands, sandbox, clock, approvers=FixedRole(SANDBOX_ROLE)
        ),
    )


def open_sandbox(
    name: str,
    trainee: str,
    *,
    clock: Clock,
    bundle: PlantBundle,
    model: Any = None,
    knowledge: KnowledgeDesk | None = None,
) -> TrainingSandbox:
    """Start the training scenario `name` for `trainee`, with a copilot that only sees the sandbox."""
    from langgraph.checkpoint.memory import InMemorySaver

    session = start(name, trainee, clock, bundle=bundle)
    rec = session.recorder.recording
    live = Incident(  # shares the recording's lists: the store sees rows as the scenario plays
        scenario=rec.scenario,
        times_s=rec.times_s,
        rows=rec.rows,
        link_down=rec.link_down,
        events=rec.events,
        signatures=rec.signatures,
        start=session.started,
    )
    sandbox = TrainingSandbox(session, IncidentStore(live, bundle), MemoryCommandStore())
    tools = _context(sandbox, bundle, knowledge=knowledge, clock=clock)
    sandbox.copilot = Copilot(tools=tools, checkpointer=InMemorySaver(), model=model)
    sandbox.sync()
    return sandbox
