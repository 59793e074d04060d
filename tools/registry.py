"""Every tool by name: its argument schema (what a chat model sees) and how to run it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import psycopg
import redis
from pydantic import BaseModel, Field, ValidationError

from lockpilot.language import Language
from lockpilot.roles import Role
from tools import alarms, commands, history, knowledge, live, metering, sequences, status, what_if
from tools.context import ToolContext
from tools.fleet import FLEET_TOOLS, FleetToolName
from tools.models import ToolResult
from tools.store_guard import SENTENCES, StoreUnavailable, store_of


class ToolName(StrEnum):
    READ_TAG = "read_tag"
    SEARCH_TAGS = "search_tags"
    LIST_ACTIVE_ALARMS = "list_active_alarms"
    EXPLAIN_ALARM = "explain_alarm"
    CHECK_SEQUENCE_PRECONDITIONS = "check_sequence_preconditions"
    QUERY_HISTORY = "query_history"
    SEARCH_KNOWLEDGE = "search_knowledge"
    ALARM_KPIS = "alarm_kpis"
    REQUEST_COMMAND = "request_command"
    ENERGY_PER_CYCLE = "energy_per_cycle"
    POWER_BY_EQUIPMENT = "power_by_equipment"
    WHAT_IF = "what_if"
    PLANT_STATUS = "plant_status"


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is asking, in which thread, and the exact text they typed (for the command guard)."""

    user: str
    role: Role
    thread_id: str
    user_text: str
    language: Language


class ReadTagArgs(BaseModel):
    """Read current value, unit, time, quality and age of up to 20 tags (exact tag names)."""

    tags: list[str] = Field(min_length=1, max_length=20)


class SearchTagsArgs(BaseModel):
    """Find tag names by words of their name, description (pt or en) or equipment."""

    query: str
    limit: int = Field(default=5, ge=1, le=20)


class ListActiveAlarmsArgs(BaseModel):
    """List active alarms, most urgent first, optionally of one equipment id."""

    equipment: str | None = None


class ExplainAlarmArgs(BaseModel):
    """Explain an alarm or rule id: live values, start, first-out, PLC actions, recommended actions."""

    alarm_id: str


class CheckSequenceArgs(BaseModel):
    """Check whether a sequence may start now; each precondition with live value and threshold."""

    sequence_id: str


class QueryHistoryArgs(BaseModel):
    """History of one tag over the last window_s seconds: statistics, points and a chart spec."""

    tag: str
    window_s: float = Field(default=3600.0, gt=0, le=31 * 86400)
    mode: history.HistoryMode = history.HistoryMode.AGGREGATED
    every_s: float | None = Field(default=None, gt=0)


class SearchKnowledgeArgs(BaseModel):
    """Search procedures, equipment notes and FAQ; each passage has an id to cite."""

    query: str
    limit: int = Field(default=3, ge=1, le=10)
    beyond_rules: bool = False  # leave out the alarms' own pages (explain_alarm gives those)


class AlarmKpisArgs(BaseModel):
    """Alarm KPIs (rate per hour, floods, chattering, standing) over the last window_s seconds."""

    window_s: float = Field(default=86400.0, gt=0)


class RequestCommandArgs(BaseModel):
    """Request an allow-listed command id (value only for setpoints); an operator must approve it."""

    command: str
    value: float | None = None


class EnergyPerCycleArgs(BaseModel):
    """Energy (kWh) of each lock cycle (filling, emptying) that ended in the last window_s seconds."""

    window_s: float = Field(default=7200.0, gt=0, le=4 * 3600)


class PowerByEquipmentArgs(BaseModel):
    """Mean, maximum and last power (kW) of each equipment with a power tag over the last window_s seconds."""

    window_s: float = Field(default=3600.0, gt=0, le=4 * 3600)


class WhatIfArgs(BaseModel):
    """Predict, on a sandbox copy of the plant (never the plant), what an action or fault would do."""

    action: str = Field(description='e.g. "abrir a válvula de enchimento 1 a 100 %", "start the pump"')
    minutes: float = Field(default=10.0, gt=0, le=what_if.MAX_MINUTES)


class PlantStatusArgs(BaseModel):
    """What the lock is doing now: sequence, step, progress and time left, alarms, untrusted readings."""


Runner = Callable[[ToolContext, Any, Caller], ToolResult]

TOOLS: dict[ToolName, tuple[type[BaseModel], Runner]] = {
    ToolName.READ_TAG: (ReadTagArgs, lambda c, a, who: live.read_tag(c, a.tags, language=who.language)),
    ToolName.SEARCH_TAGS: (SearchTagsArgs, lambda c, a, who: live.search_tags(c, a.query, limit=a.limit)),
    ToolName.LIST_ACTIVE_ALARMS: (
        ListActiveAlarmsArgs,
        lambda c, a, who: alarms.list_active_alarms(c, equipment=a.equipment, language=who.language),
    ),
    ToolName.EXPLAIN_ALARM: (
        ExplainAlarmArgs,
        lambda c, a, who: alarms.explain_alarm(c, a.alarm_id, language=who.language),
    ),
    ToolName.CHECK_SEQUENCE_PRECONDITIONS: (
        CheckSequenceArgs,
        lambda c, a, who: sequences.check_sequence_preconditions(c, a.sequence_id),
    ),
    ToolName.QUERY_HISTORY: (
        QueryHistoryArgs,
        lambda c, a, who: history.query_history(
            c, a.tag, window_s=a.window_s, mode=a.mode, every_s=a.every_s, language=who.language
        ),
    ),
    ToolName.SEARCH_KNOWLEDGE: (
        SearchKnowledgeArgs,
        lambda c, a, who: knowledge.search_knowledge(c, a.query, limit=a.limit, beyond_rules=a.beyond_rules),
    ),
    ToolName.ALARM_KPIS: (AlarmKpisArgs, lambda c, a, who: alarms.alarm_kpis(c, window_s=a.window_s)),
    ToolName.REQUEST_COMMAND: (
        RequestCommandArgs,
        lambda c, a, who: commands.request_command(
            c,
            a.command,
            a.value,
            user=who.user,
            role=who.role,
            thread_id=who.thread_id,
            user_text=who.user_text,
        ),
    ),
    ToolName.ENERGY_PER_CYCLE: (
        EnergyPerCycleArgs,
        lambda c, a, who: metering.energy_per_lock_cycle(c, window_s=a.window_s),
    ),
    ToolName.POWER_BY_EQUIPMENT: (
        PowerByEquipmentArgs,
        lambda c, a, who: metering.power_by_equipment(c, window_s=a.window_s),
    ),
    ToolName.WHAT_IF: (WhatIfArgs, lambda c, a, who: what_if.what_if(c, a.action, minutes=a.minutes)),
    ToolName.PLANT_STATUS: (PlantStatusArgs, lambda c, a, who: status.plant_status(c, language=who.language)),
}


def tool_args_models(*, fleet: bool = False) -> dict[str, type[BaseModel]]:
    """Every declared tool's argument model by name (the fleet's too at a central)."""
    models: dict[str, type[BaseModel]] = {n.value: m for n, (m, _) in TOOLS.items()}
    if fleet:
        models.update({n.value: m for n, (m, _) in FLEET_TOOLS.items()})
    return models


def tool_schemas(*, fleet: bool = False) -> list[dict[str, Any]]:
    """The tools in OpenAI function format (accepted by every LangChain chat model's bind_tools)."""
    out = []
    models: list[tuple[str, type[BaseModel]]] = [(n.value, m) for n, (m, _) in TOOLS.items()]
    models += [(n.value, m) for n, (m, _) in FLEET_TOOLS.items()] if fleet else []
    for name, args_model in models:
        schema = args_model.model_json_schema()
        schema.pop("title", None)
        out.append(
            {
                "type": "function",
                "function": {
                    "name": name,
                    "description": args_model.__doc__ or "",
                    "parameters": schema,
                },
            }
        )
    return out


def run_tool(ctx: ToolContext, name: str, args: dict[str, Any], caller: Caller) -> ToolResult:
    """Validate the arguments and run one tool; unknown tools and bad arguments come back as errors."""
    runner: Runner
    if name in FLEET_TOOLS:
        args_model, fleet_runner = FLEET_TOOLS[FleetToolName(name)]
        runner = lambda c, a, who: fleet_runner(c, a, who.language)  # noqa: E731
    else:
        try:
            tool = ToolName(name)
        except ValueError:
            return ToolResult(error=f"unknown tool '{name}'")
        args_model, runner = TOOLS[tool]
    try:
        parsed = args_model.model_validate(args)
    except ValidationError as exc:
        return ToolResult(error=f"bad arguments: {exc.errors(include_url=False)}")
    try:
        return runner(ctx, parsed, caller)
    except (StoreUnavailable, psycopg.OperationalError, redis.RedisError) as exc:
        store = store_of(exc)  # the store is named, with what still answers
        assert store is not None
        return ToolResult(error=SENTENCES[store], unavailable=store.value)
