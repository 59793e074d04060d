"""Assemble a Copilot from URLs and settings: stores, the rules part's alarm store, knowledge, command path,
checkpointer. The copilot never evaluates rules itself: the live runner of `lockpilot up` owns alarm state."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

import psycopg
from langgraph.checkpoint.postgres import PostgresSaver
from psycopg.rows import dict_row

from agent.commands.desk import DEFAULT_EXPIRES_AFTER_S, CommandDesk
from agent.commands.plantio import PlantIO, S7PlantIO
from agent.commands.spec import load_commands
from agent.commands.store import CommandStore
from agent.models import load_model
from agent.service import Copilot
from lockpilot.clock import Clock, SystemClock
from lockpilot.plant import Plant, load_plant
from lockpilot.settings import Settings
from storage.migrate import migrate
from tools.adapters import CurrentSequences, KnowledgeAdapter, LiveRules, PgHistory, RedisCurrent
from tools.alarm_store import StoredAlarms
from tools.context import ToolContext


@dataclass
class CopilotHandle:
    """A running copilot and what to close with it."""

    copilot: Copilot
    desk: CommandDesk
    alarms: StoredAlarms
    _closers: ExitStack = field(default_factory=ExitStack)

    def close(self) -> None:
        self._closers.close()


def checkpointer(database_url: str, closers: ExitStack) -> PostgresSaver:
    """The Postgres checkpointer: conversations and pending approvals survive restarts."""
    conn = psycopg.connect(database_url, autocommit=True, prepare_threshold=0, row_factory=dict_row)
    closers.callback(conn.close)
    saver = PostgresSaver(conn)
    saver.setup()
    return saver


def tool_context(
    plant: Plant,
    *,
    database_url: str,
    redis_url: str,
    clock: Clock,
    desk: CommandDesk,
    knowledge: bool,
    closers: ExitStack,
    live_rules: LiveRules | None = None,
) -> ToolContext:
    """The tools over the stores: current values, history, alarms, sequences, knowledge.

    Alarms come from the rules runner's store, or from `live_rules` when an engine runs in this process.
    """
    current = RedisCurrent(redis_url, plant, clock)
    history = PgHistory(database_url)
    closers.callback(history.close)
    alarms: StoredAlarms | LiveRules
    if live_rules is None:
        alarms = StoredAlarms(plant, database_url=database_url, redis_url=redis_url, clock=clock)
        closers.callback(alarms.close)
    else:
        alarms = live_rules
    return ToolContext(
        plant=plant,
        clock=clock,
        current=current,
        history=history,
        alarms=alarms,
        sequences=live_rules or CurrentSequences(plant, current, clock),
        knowledge=KnowledgeAdapter(database_url, plant) if knowledge else None,
        commands=desk,
        stale_after_s=max((d.stale_after_s for d in plant.devices.values()), default=5.0),
    )


def build_copilot(
    plant: Plant,
    *,
    database_url: str,
    redis_url: str,
    io: PlantIO,
    clock: Clock | None = None,
    model: Any = None,
    expires_after_s: float = DEFAULT_EXPIRES_AFTER_S,
    knowledge: bool = True,
    on_tool_time: Callable[[str, float], None] | None = None,
) -> CopilotHandle:
    """Everything wired on real PostgreSQL and Redis; `io` is the command path's link to the PLC."""
    clock = clock or SystemClock()
    closers = ExitStack()
    migrate(database_url)
    store = CommandStore(database_url)
    closers.callback(store.close)
    book = load_commands(plant)
    desk = CommandDesk(plant, book, store, io, clock, expires_after_s=expires_after_s)
    tools = tool_context(
        plant,
        database_url=database_url,
        redis_url=redis_url,
        clock=clock,
        desk=desk,
        knowledge=knowledge,
        closers=closers,
    )
    copilot = Copilot(
        tools=tools,
        book=book,
        checkpointer=checkpointer(database_url, closers),
        model=model,
        on_tool_time=on_tool_time,
    )
    assert isinstance(tools.alarms, StoredAlarms)
    return CopilotHandle(copilot=copilot, desk=desk, alarms=tools.alarms, _closers=closers)


def copilot_from_settings(settings: Settings, *, offline: bool = False, **options: Any) -> CopilotHandle:
    """The copilot of `lockpilot ask/chat/approve`: URLs of the running stack, the PLC from devices.yaml."""
    from storage.embedded import resolve_urls

    plant = load_plant(settings.plant, root=settings.plants_dir)
    database_url, redis_url = resolve_urls(settings)
    io = S7PlantIO.from_settings(plant, settings)
    return build_copilot(
        plant,
        database_url=database_url,
        redis_url=redis_url,
        io=io,
        model=None if offline else load_model(settings.model),
        **options,
    )
