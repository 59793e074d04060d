"""Assemble the Copilot over the stores: the rules part's alarm store, knowledge, command path, checkpointer.

The copilot never evaluates rules itself: the live rules runner owns alarm state."""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

from langgraph.checkpoint.memory import InMemorySaver

from agent.checkpoints import checkpointer
from agent.model_turn import DEFAULT_CONTEXT_TOKENS
from agent.planner.understand import warm_up
from agent.service import Copilot
from commands.desk import DEFAULT_EXPIRES_AFTER_S, CommandDesk
from commands.identity import Approvers
from commands.plantio import PlantIO
from commands.store import CommandStore
from lockpilot.clock import Clock, SystemClock
from lockpilot.formatting import DEFAULT_TIMEZONE
from rules.bundle import PlantBundle
from rules.store import report_event
from storage.audit_chain import AuditChain
from tools.adapters import CurrentSequences, KnowledgeAdapter, PgHistory, RedisCurrent
from tools.alarm_store import StoredAlarms
from tools.context import ToolContext
from tools.store_guard import SENTENCES, Store


@dataclass
class CopilotHandle:
    """A running copilot and what to close with it."""

    copilot: Copilot
    desk: CommandDesk
    alarms: StoredAlarms
    database_url: str = ""
    _closers: ExitStack = field(default_factory=ExitStack)

    def defer_close(self, closer: Callable[[], object]) -> None:
        """Close this too when the handle closes."""
        self._closers.callback(closer)

    def close(self) -> None:
        self._closers.close()


def tool_context(
    bundle: PlantBundle,
    *,
    database_url: str,
    redis_url: str,
    clock: Clock,
    desk: CommandDesk,
    knowledge: bool,
    closers: ExitStack,
    timezone: str = DEFAULT_TIMEZONE,
) -> ToolContext:
    """The tools over the stores: current values, history, the rules runner's alarms, sequences, knowledge."""
    plant = bundle.plant
    current = RedisCurrent(redis_url, plant, clock)
    history = PgHistory(database_url)
    closers.callback(history.close)
    alarms = StoredAlarms(bundle, database_url=database_url, redis_url=redis_url, clock=clock)
    closers.callback(alarms.close)
    return ToolContext(
        bundle=bundle,
        clock=clock,
        current=current,
        history=history,
        alarms=alarms,
        sequences=CurrentSequences(bundle, current, clock),
        knowledge=KnowledgeAdapter(database_url, plant) if knowledge else None,
        commands=desk,
        stale_after_s=max((d.stale_after_s for d in plant.devices.values()), default=5.0),
        timezone=timezone,
    )


def build_copilot(
    bundle: PlantBundle,
    *,
    database_url: str,
    redis_url: str,
    io: PlantIO,
    clock: Clock | None = None,
    model: Any = None,
    expires_after_s: float = DEFAULT_EXPIRES_AFTER_S,
    knowledge: bool = True,
    on_tool_time: Callable[[str, float], None] | None = None,
    audit: AuditChain | None = None,
    approvers: Approvers | None = None,
    four_eyes: bool = False,
    timezone: str = DEFAULT_TIMEZONE,
    context_tokens: int = DEFAULT_CONTEXT_TOKENS,
) -> CopilotHandle:
    """The one assembly of the copilot, on real PostgreSQL and Redis; `io` is the command path's PLC link.

    Used by the DataPlane (chat, API, bots) and by the CLI (`ask`, `chat`, `approve`); the schema is
    migrated by whoever owns the stores. `audit` is the process's one audit chain (every command step goes
    into it), `approvers` the user directory every approval is checked against at the moment of approval.
    """
    clock = clock or SystemClock()
    closers = ExitStack()
    closers.callback(getattr(io, "close", lambda: None))
    store = CommandStore(database_url, chain=audit)
    closers.callback(store.close)
    desk = CommandDesk(
        bundle.plant,
        bundle.commands,
        store,
        io,
        clock,
        expires_after_s=expires_after_s,
        approvers=approvers,
        four_eyes=four_eyes,
        on_unconfirmed=lambda alarm_id, values: report_event(
            redis_url, bundle.plant.name, alarm_id, values=values, now=clock.now()
        ),
    )
    tools = tool_context(
        bundle,
        database_url=database_url,
        redis_url=redis_url,
        clock=clock,
        desk=desk,
        knowledge=knowledge,
        closers=closers,
        timezone=timezone,
    )
    saver = checkpointer(database_url, closers)
    copilot = Copilot(
        tools=tools,
        checkpointer=saver,
        model=model,
        on_tool_time=on_tool_time,
        context_tokens=context_tokens,
    )
    threading.Thread(target=warm_up, args=(tools,), name="planner-warm-up", daemon=True).start()
    if isinstance(saver, InMemorySaver):  # PostgreSQL did not answer at start
        copilot.note = SENTENCES[Store.POSTGRESQL]
    assert isinstance(tools.alarms, StoredAlarms)
    return CopilotHandle(
        copilot=copilot, desk=desk, alarms=tools.alarms, database_url=database_url, _closers=closers
    )
