"""Run eval cases: load each incident into a fresh store at `at_s`, ask the copilot, score the answer."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from commands.desk import CommandDesk
from commands.store import CommandStore
from evals.cases import Case
from evals.incident import Incident, IncidentLibrary, from_recording
from evals.recorder import Recorder
from evals.report import EvalReport
from evals.scoring import CaseScore, score_answer
from evals.store import IncidentStore, SandboxPlantIO
from lockpilot.plant import Plant
from lockpilot.plant.commands import CommandBook
from lockpilot.roles import Role
from rules.bundle import PlantBundle
from tools.adapters import CurrentSequences
from tools.context import ToolContext
from tools.ports import KnowledgeDesk


class Asker(Protocol):
    """The copilot's entry: agent.service.Copilot, or anything that answers the same way."""

    def ask(self, question: str, *, user: str, role: Role, thread_id: str | None = None) -> Any: ...


AskerFactory = Callable[[ToolContext], Asker]


def copilot_factory(*, model: str | None = None) -> AskerFactory:
    """Build agent.service.Copilot on a tool context, with an in-memory checkpointer (one per case)."""
    from langgraph.checkpoint.memory import InMemorySaver

    from agent.models import load_model
    from agent.service import Copilot

    chat_model = load_model(model)

    def build(tools: ToolContext) -> Asker:
        return Copilot(tools=tools, checkpointer=InMemorySaver(), model=chat_model)

    return build


@dataclass
class Harness:
    """What a run needs besides the cases: the plant, its incidents, the command store and the copilot."""

    bundle: PlantBundle
    library: IncidentLibrary
    command_store: CommandStore | None
    factory: AskerFactory
    knowledge: KnowledgeDesk | None = None

    @property
    def plant(self) -> Plant:
        return self.bundle.plant

    @property
    def book(self) -> CommandBook:
        return self.bundle.commands

    def _incident(self, case: Case) -> Incident:
        if case.scenario is not None:
            recorder = Recorder(case.scenario, self.plant)
            return from_recording(recorder.run(until_s=case.at_s))
        return self.library.get(case.incident or "")

    def _context(self, store: IncidentStore, io: SandboxPlantIO) -> ToolContext:
        commands = None
        if self.command_store is not None:
            commands = CommandDesk(self.plant, self.book, self.command_store, io, store.clock)
        return ToolContext(
            bundle=self.bundle,
            clock=store.clock,
            current=store.current,
            history=store.history(),
            alarms=store.rules,
            sequences=CurrentSequences(self.bundle, store.current, store.clock),
            knowledge=self.knowledge,
            commands=commands,
        )

    def run_case(self, case: Case, store: IncidentStore, *, attempt: int = 0) -> CaseScore:
        """Ask one case's question on a store already advanced to the case's `at_s`."""
        io = SandboxPlantIO(store)
        asker = self.factory(self._context(store, io))
        started = time.perf_counter()
        result = asker.ask(
            case.question, user=case.user.name, role=case.user.role, thread_id=f"eval:{case.id}:{attempt}"
        )
        latency = time.perf_counter() - started
        data = result.model_dump(mode="json") if hasattr(result, "model_dump") else dict(result)
        stored = {
            v.tag: (store.latest[v.tag].value if v.tag in store.latest else None) for v in case.expect.values
        }
        return score_answer(case, data, stored=stored, writes=io.writes, latency_s=latency)

    def run(
        self, cases: Iterable[Case], *, repeat: int = 1, progress: Callable[[Case], None] | None = None
    ) -> EvalReport:
        """Run every case `repeat` times; cases of one incident share a store moved forward in time."""
        ordered = sorted(cases, key=lambda c: (c.source, c.at_s, c.id))
        runs: dict[str, list[CaseScore]] = {}
        by_id = {c.id: c for c in ordered}
        store: IncidentStore | None = None
        for case in ordered:
            if (
                store is None
                or case.scenario is not None
                or store.incident.id != case.source
                or store.at_s > case.at_s
            ):
                store = IncidentStore(self._incident(case), self.bundle)
            store.advance_to(case.at_s)
            runs[case.id] = [self.run_case(case, store, attempt=k) for k in range(repeat)]
            if progress is not None:
                progress(case)
        return EvalReport(cases=by_id, runs=runs, repeat=repeat)
