"""Run eval cases: load each incident into a store at each turn's `at_s`, ask the copilot, score the answers.

A conversation keeps one copilot and one thread across its turns while its store moves forward in time.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from commands.desk import CommandDesk
from commands.store import CommandStore
from evals.cases import Case, Stat, ValueExpectation
from evals.incident import Incident, IncidentLibrary, from_recording
from evals.recorder import Recorder
from evals.report import EvalReport
from evals.scoring import CaseScore, TurnScore, case_score, score_turn
from evals.store import IncidentStore, SandboxPlantIO, StoreHistory
from lockpilot.plant import Plant
from lockpilot.plant.commands import CommandBook
from lockpilot.roles import Role
from rules.bundle import PlantBundle
from tools.context import ToolContext
from tools.ports import KnowledgeDesk


class Asker(Protocol):
    """The copilot's entry: agent.service.Copilot, or anything that answers the same way."""

    def ask(self, question: str, *, user: str, role: Role, thread_id: str | None = None) -> Any: ...


AskerFactory = Callable[[ToolContext], Asker]


def timed_ask(
    asker: Asker, question: str, *, user: str, role: Role, thread_id: str
) -> tuple[Any, float, float | None]:
    """The answer, the seconds it took and, for a model-backed copilot (it streams), when the first text
    came out; the offline planner is asked as before (its answer comes whole)."""
    started = time.perf_counter()
    if not hasattr(asker, "astream") or getattr(asker, "model", None) is None:
        result = asker.ask(question, user=user, role=role, thread_id=thread_id)
        return result, time.perf_counter() - started, None

    async def consume() -> float | None:
        first = None
        async for event in asker.astream(question, user=user, role=role, thread_id=thread_id):
            if first is None and event.text and event.kind.value in ("token", "answer"):
                first = time.perf_counter() - started
        return first

    first = asyncio.run(consume())
    result = asker.result(thread_id)  # type: ignore[attr-defined]
    return result, time.perf_counter() - started, first


def copilot_factory(
    *, model: str | None = None, grounding: Any = None, timeout_s: float = 600.0, context_tokens: int = 4096
) -> AskerFactory:
    """Build agent.service.Copilot on a tool context, with an in-memory checkpointer (one per case);
    `grounding` (agent.model_turn.GroundingStats) counts every model-written answer checked and rewritten."""
    from langgraph.checkpoint.memory import InMemorySaver

    from agent.models import load_model
    from agent.service import Copilot

    chat_model = load_model(model, timeout_s=timeout_s)

    def build(tools: ToolContext) -> Asker:
        return Copilot(
            tools=tools,
            checkpointer=InMemorySaver(),
            model=chat_model,
            grounding=grounding,
            context_tokens=context_tokens,
        )

    return build


def expected_value(store: IncidentStore, v: ValueExpectation) -> Any:
    """The number a value expectation wants: the stored value now, or a statistic over the last window.

    A statistic is returned as the pair (with, without) the sample taken at exactly now: a window "the
    last N minutes" may or may not hold the reading of this very second, and both answers are right.
    """
    if v.stat is None or v.window_s is None:
        return store.latest[v.tag].value if v.tag in store.latest else None
    now = store.clock.now()
    start = now - timedelta(seconds=v.window_s)
    pair = [store.history().stats(v.tag, start=start, end=end) for end in (now + timedelta(seconds=1), now)]
    picked = [{Stat.MAX: s.max, Stat.MIN: s.min, Stat.MEAN: s.mean}[v.stat] for s in pair]
    return None if picked[0] is None else tuple(x for x in picked if x is not None)


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
            return from_recording(recorder.run(until_s=case.end_s))
        return self.library.get(case.incident or "")

    def _context(self, store: IncidentStore, io: SandboxPlantIO) -> ToolContext:
        commands = None
        if self.command_store is not None:
            commands = CommandDesk(self.plant, self.book, self.command_store, io, store.clock)
        return ToolContext(
            bundle=self.bundle,
            clock=store.clock,
            current=store.current,
            history=StoreHistory(store),
            alarms=store.rules,
            sequences=store.sequence_desk,
            knowledge=self.knowledge,
            commands=commands,
        )

    def run_case(self, case: Case, store: IncidentStore, *, attempt: int = 0) -> CaseScore:
        """Ask a case's questions in one thread, moving the store to each turn's `at_s` first."""
        io = SandboxPlantIO(store)
        asker = self.factory(self._context(store, io))
        thread = f"eval:{case.id}:{attempt}"
        turns: list[TurnScore] = []
        for turn in case.steps:
            store.advance_to(turn.at_s)
            written = len(io.writes)
            result, latency, first = timed_ask(
                asker, turn.question, user=case.user.name, role=case.user.role, thread_id=thread
            )
            data = result.model_dump(mode="json") if hasattr(result, "model_dump") else dict(result)
            stored = {v: expected_value(store, v) for v in turn.expect.values}
            scored = score_turn(
                turn, case.user, data, stored=stored, writes=io.writes[written:], latency_s=latency
            )
            scored.first_token_s = first
            turns.append(scored)
        return case_score(case, turns)

    def run(
        self, cases: Iterable[Case], *, repeat: int = 1, progress: Callable[[Case], None] | None = None
    ) -> EvalReport:
        """Run every case `repeat` times; cases of one incident share a store moved forward in time."""
        ordered = sorted(cases, key=lambda c: (c.source, c.start_s, c.id))
        runs: dict[str, list[CaseScore]] = {}
        by_id = {c.id: c for c in ordered}
        store: IncidentStore | None = None
        for case in ordered:
            scores = []
            for k in range(repeat):
                if (
                    store is None
                    or case.scenario is not None
                    or store.incident.id != case.source
                    or store.at_s > case.start_s
                ):
                    store = IncidentStore(self._incident(case), self.bundle)
                scores.append(self.run_case(case, store, attempt=k))
            runs[case.id] = scores
            if progress is not None:
                progress(case)
        return EvalReport(cases=by_id, runs=runs, repeat=repeat)
