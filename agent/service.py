"""The copilot's Python entry for the CLI, chat UI, REST API and bots: ask, approve, reject, stream."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING, Any

import structlog
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command
from pydantic import BaseModel, Field

from agent.context import AgentContext
from agent.graph import build_graph, turn_messages
from agent.guard import asked_by_user
from agent.model_turn import DEFAULT_CONTEXT_TOKENS, GroundingStats
from agent.outcome import outcome_text
from agent.state import State
from agent.streaming import EventKind, TurnEvent, turn_events
from commands.desk import CommandOutcome, Outcome
from commands.execute import execute
from commands.summary import summary_text
from lockpilot.language import Language
from lockpilot.roles import Role
from tools.context import ToolContext
from tools.store_guard import SENTENCES, store_of

log = structlog.get_logger(__name__)

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langgraph.checkpoint.base import BaseCheckpointSaver


class PendingCommand(BaseModel):
    """A command waiting for an operator, as `ask --json` shows it."""

    command_id: str
    command: str
    tag: str
    value: Any
    expires_at: str
    summary: str


class AnswerResult(BaseModel):
    """The exact JSON of design.md section 6."""

    answer: str
    language: Language
    tool_calls: list[dict[str, Any]] = Field(default_factory=list)
    citations: list[dict[str, str]] = Field(default_factory=list)
    pending_command: PendingCommand | None = None


def thread_for(user: str, channel: str = "cli") -> str:
    """One conversation thread per user and channel."""
    return f"{channel}:{user}"


class Copilot:
    """One graph, one checkpointer; every call names its user, role and thread."""

    def __init__(
        self,
        *,
        tools: ToolContext,
        checkpointer: BaseCheckpointSaver,
        model: BaseChatModel | None = None,
        max_rounds: int = 4,
        on_tool_time: Callable[[str, float], None] | None = None,
        context_tokens: int = DEFAULT_CONTEXT_TOKENS,
        grounding: GroundingStats | None = None,
    ) -> None:
        self.tools, self.book, self.model = tools, tools.bundle.commands, model
        tools.command_guard = partial(asked_by_user, book=self.book, plant=tools.plant)
        self.graph = build_graph().compile(checkpointer=checkpointer)
        self.memory_graph = build_graph().compile(checkpointer=InMemorySaver())  # when the store fails
        self._fallbacks: dict[str, AnswerResult] = {}
        self.note: str | None = None  # said after every answer (e.g. conversations kept only in memory)
        self.max_rounds = max_rounds
        self.on_tool_time = on_tool_time
        self.context_tokens = context_tokens
        self.grounding = grounding or GroundingStats()  # model-written answers checked / rewritten

    def _context(self, *, user: str, role: Role, thread_id: str) -> AgentContext:
        return AgentContext(
            tools=self.tools,
            book=self.book,
            user=user,
            role=role,
            thread_id=thread_id,
            model=self.model,
            max_rounds=self.max_rounds,
            on_tool_time=self.on_tool_time,
            context_tokens=self.context_tokens,
            grounding=self.grounding,
        )

    @staticmethod
    def _config(thread_id: str) -> RunnableConfig:
        return {"configurable": {"thread_id": thread_id}}

    def ask(self, question: str, *, user: str, role: Role, thread_id: str | None = None) -> AnswerResult:
        """Answer one question (or take one request) in the user's thread; never raises.

        When the conversation store (PostgreSQL) fails or hangs, the turn runs again on a memory graph
        (tools whose store is down say so); when even that fails, the answer says which store is down.
        """
        thread_id = thread_id or thread_for(user)
        state = _turn_input(question)
        context = self._context(user=user, role=role, thread_id=thread_id)
        try:
            self.graph.invoke(state, self._config(thread_id), context=context)
            result = self.result(thread_id)
            if self.note:
                return result.model_copy(update={"answer": f"{result.answer}\n\n({self.note})".strip()})
            return result
        except Exception as exc:
            log.warning("copilot_turn_failed", error=type(exc).__name__, detail=str(exc).strip()[:200])
            return self._degraded(state, thread_id, context, exc)

    def _degraded(
        self, state: State, thread_id: str, context: AgentContext, first: Exception
    ) -> AnswerResult:
        """The turn on the memory graph, with a note that the conversation was not stored."""
        try:
            self.memory_graph.invoke(state, self._config(thread_id), context=context)
            result = self._result_of(self.memory_graph, thread_id)
        except Exception as exc:
            log.warning("copilot_memory_turn_failed", error=type(exc).__name__)
            return AnswerResult(answer=unavailable_sentence(exc), language=Language.PT)
        note = unavailable_sentence(first)
        return result.model_copy(update={"answer": f"{result.answer}\n\n({note})".strip()})

    def stream(self, question: str, *, user: str, role: Role, thread_id: str | None = None) -> Iterator[Any]:
        """Yield the graph's updates node by node (for a chat UI that shows tool calls as they happen).

        When the conversation store fails, nothing more is yielded and `result` gives the degraded answer.
        """
        thread_id = thread_id or thread_for(user)
        state = _turn_input(question)
        context = self._context(user=user, role=role, thread_id=thread_id)
        try:
            yield from self.graph.stream(
                state, self._config(thread_id), stream_mode="updates", context=context
            )
        except Exception as exc:
            log.warning("copilot_stream_failed", error=type(exc).__name__)
            self._fallbacks[thread_id] = self._degraded(state, thread_id, context, exc)

    async def astream(
        self, question: str, *, user: str, role: Role, thread_id: str | None = None
    ) -> AsyncIterator[TurnEvent]:
        """The turn's events as they happen (LangGraph's async streaming): the model's tokens, each tool
        step as it starts and ends, and the answer; `result(thread_id)` afterwards gives the whole turn.

        When the conversation store fails, the turn runs again on the memory graph (as `ask` does) and
        its answer comes as one ANSWER event.
        """
        thread_id = thread_id or thread_for(user)
        state = _turn_input(question)
        context = self._context(user=user, role=role, thread_id=thread_id)
        parts = self.graph.astream(
            state, self._config(thread_id), stream_mode=["messages", "updates"], context=context
        )
        try:
            async for event in turn_events(parts):
                yield event
        except Exception as exc:
            log.warning("copilot_stream_failed", error=type(exc).__name__, detail=str(exc).strip()[:200])
            degraded = await asyncio.to_thread(self._degraded, state, thread_id, context, exc)
            self._fallbacks[thread_id] = degraded
            yield TurnEvent(EventKind.ANSWER, text=degraded.answer)

    def result(self, thread_id: str) -> AnswerResult:
        """The last turn of a thread as the answer JSON (the degraded one after a failed stream)."""
        if thread_id in self._fallbacks:
            return self._fallbacks.pop(thread_id)
        return self._result_of(self.graph, thread_id)

    def _result_of(self, graph: Any, thread_id: str) -> AnswerResult:
        snapshot = graph.get_state(self._config(thread_id))
        values = snapshot.values
        _, turn = turn_messages(values.get("messages", []))
        calls = [
            {"name": c["name"], "args": c["args"]}
            for m in turn
            if isinstance(m, AIMessage)
            for c in m.tool_calls
        ]
        cites: dict[tuple[str, str], None] = {}
        for m in turn:
            if isinstance(m, ToolMessage):
                for c in (m.artifact or {}).get("citations", []):
                    cites[(c["kind"], c["id"])] = None
        answers = [m for m in turn if isinstance(m, AIMessage) and not m.tool_calls]
        pending = values.get("pending_command") if snapshot.next == ("confirm",) else None
        language = Language(values.get("language", "pt"))
        return AnswerResult(
            answer=str(answers[-1].content) if answers else "",
            language=language,
            tool_calls=calls,
            citations=[{"kind": k, "id": i} for k, i in cites],
            pending_command=_pending(pending, language) if pending else None,
        )

    def _interrupted_on(self, thread_id: str, command_id: str) -> bool:
        snapshot = self.graph.get_state(self._config(thread_id))
        pending = snapshot.values.get("pending_command") or {}
        return snapshot.next == ("confirm",) and pending.get("command_id") == command_id

    def _resume(
        self, record_thread: str, command_id: str, decision: dict[str, Any], *, user: str, role: Role
    ) -> str | None:
        """Resume the interrupted thread with the decision; None when that thread moved on."""
        if not self._interrupted_on(record_thread, command_id):
            return None
        self.graph.invoke(
            Command(resume=decision),
            self._config(record_thread),
            context=self._context(user=user, role=role, thread_id=record_thread),
        )
        return self.result(record_thread).answer or None

    def approve(self, command_id: str, *, user: str) -> tuple[CommandOutcome, str]:
        """Approve (an operator in the user directory now, before expiry), then execute once."""
        desk = self.tools.commands
        if desk is None:
            return CommandOutcome(outcome=Outcome.NOT_FOUND, command_id=command_id), ""
        decided = desk.approve(command_id, user=user)
        record = desk.store.get(command_id)
        if record is None or decided.outcome in (
            Outcome.NOT_ALLOWED,
            Outcome.NOT_FOUND,
            Outcome.ALREADY_DONE,
        ):
            return decided, outcome_text(decided, Language.PT)
        role = Role.OPERATOR  # the desk checked it in the directory
        if decided.outcome is Outcome.EXPIRED:
            text = self._resume(record.thread_id, command_id, {"decision": "expired"}, user=user, role=role)
            return decided, text or outcome_text(decided, Language.PT)
        text = self._resume(
            record.thread_id,
            command_id,
            {"decision": "approve", "user": user, "role": role.value},
            user=user,
            role=role,
        )
        final = execute(
            desk, command_id
        )  # no-op when the graph already ran it; runs it when the thread moved on
        return final, text or outcome_text(final, Language.PT)

    def reject(self, command_id: str, *, user: str, reason: str = "") -> tuple[CommandOutcome, str]:
        """Reject a pending command (an operator, or its requester, per the directory); never written."""
        desk = self.tools.commands
        if desk is None:
            return CommandOutcome(outcome=Outcome.NOT_FOUND, command_id=command_id), ""
        decided = desk.reject(command_id, user=user, reason=reason)
        record = desk.store.get(command_id)
        text = None
        if record is not None and decided.outcome is Outcome.REJECTED:
            role = desk.role_of(user) or Role.VIEWER
            text = self._resume(
                record.thread_id, command_id, {"decision": "reject", "reason": reason}, user=user, role=role
            )
        return decided, text or outcome_text(decided, Language.PT)


def _turn_input(question: str) -> State:
    """A new turn: the user's message; no pending command, no tool round, the model's turn."""
    return {"messages": [HumanMessage(question)], "pending_command": None, "rounds": 0, "planner_turn": False}


def unavailable_sentence(exc: BaseException) -> str:
    """Which store failed and what still answers (pt, then en)."""
    store = store_of(exc)
    if store is not None:
        return SENTENCES[store]
    return (
        "o copiloto não conseguiu responder agora (um armazenamento não respondeu a tempo) / "
        "the copilot could not answer now (a store did not answer in time)"
    )


def _pending(pending: dict[str, Any], language: Language) -> PendingCommand:
    s = pending["summary"]
    return PendingCommand(
        command_id=pending["command_id"],
        command=s["command"],
        tag=s["tag"],
        value=s["value"],
        expires_at=s["expires_at"],
        summary=summary_text(s, language),
    )
