"""Which tools the offline planner calls for an understood question, round by round."""

from __future__ import annotations

from typing import Any

from agent.planner.parse import Intent, Question
from tools.registry import ToolName

Call = tuple[ToolName, dict[str, Any]]
Done = list[tuple[str, dict[str, Any]]]

WHY_EXTRA_TAGS = ("codigo_primeira_falha", "emergencia_acionada", "modo_remoto")
MAX_METERING_WINDOW_S = 4 * 3600.0


def _direct_calls(q: Question) -> dict[Intent, list[Call]]:
    """The calls of each intent that needs no alarm to be chosen."""
    return {
        Intent.READ: [(ToolName.READ_TAG, {"tags": q.tags})] if q.tags else [],
        Intent.HISTORY: [(ToolName.QUERY_HISTORY, {"tag": q.tags[0], "window_s": q.window_s or 3600.0})]
        if q.tags
        else [],
        Intent.SEARCH_TAGS: [(ToolName.SEARCH_TAGS, {"query": q.text})],
        Intent.ACTIVE_ALARMS: [(ToolName.LIST_ACTIVE_ALARMS, {})],
        Intent.ALARM_KPIS: [(ToolName.ALARM_KPIS, {"window_s": q.window_s or 86400.0})],
        Intent.CHECK_SEQUENCE: [(ToolName.CHECK_SEQUENCE_PRECONDITIONS, {"sequence_id": q.sequence})],
        Intent.KNOWLEDGE: [(ToolName.SEARCH_KNOWLEDGE, {"query": q.text})],
        Intent.COMMAND: [(ToolName.REQUEST_COMMAND, {"command": q.command, "value": q.value})],
        Intent.ENERGY_PER_CYCLE: [
            (ToolName.ENERGY_PER_CYCLE, {"window_s": min(q.window_s or 7200.0, MAX_METERING_WINDOW_S)})
        ],
        Intent.WHAT_IF: [(ToolName.WHAT_IF, {"action": q.what_if.action, "minutes": q.what_if.minutes})]
        if q.what_if
        else [],
        Intent.POWER_BY_EQUIPMENT: [
            (ToolName.POWER_BY_EQUIPMENT, {"window_s": min(q.window_s or 3600.0, MAX_METERING_WINDOW_S)})
        ],
    }


def _first_round(q: Question) -> list[Call]:
    """The calls that need nothing but the question."""
    by_intent = _direct_calls(q)
    if q.intent in by_intent:
        return by_intent[q.intent]
    knowledge = [(ToolName.SEARCH_KNOWLEDGE, {"query": q.text})] if q.intent is Intent.PROCEDURE else []
    if len(q.candidates) > 1:  # equally likely rules: the active one decides
        return [(ToolName.LIST_ACTIVE_ALARMS, {}), *knowledge]
    if q.rule is not None:  # EXPLAIN or PROCEDURE about a known rule
        return [(ToolName.EXPLAIN_ALARM, {"alarm_id": q.rule}), *knowledge]
    if q.intent is Intent.PROCEDURE and not (q.fault or q.equipment):
        return knowledge
    tags = [*q.tags, *WHY_EXTRA_TAGS] if q.equipment else []
    calls = [(ToolName.READ_TAG, {"tags": list(dict.fromkeys(tags))})] if tags else []
    return [*calls, (ToolName.LIST_ACTIVE_ALARMS, {}), *knowledge]


def pick_alarm(q: Question, alarms: list[dict[str, Any]]) -> str | None:
    """The alarm a "why" is about: an active candidate rule, else this equipment's (first-out first)."""
    active = {a["id"] for a in alarms}
    if q.candidates:
        return next((r for r in q.candidates if r in active), q.candidates[0])
    if not alarms:
        return None
    ranked = sorted(alarms, key=lambda a: (a.get("equipment") != q.equipment, not a.get("first_out")))
    on_equipment = ranked[0] if q.equipment and ranked[0].get("equipment") == q.equipment else None
    first_out = next((a for a in alarms if a.get("first_out")), None)
    return (on_equipment or first_out or alarms[0])["id"]


def _explain_round(q: Question, done: Done) -> list[Call]:
    """After listing alarms for a "why": explain the alarm it is about."""
    alarms: list[dict[str, Any]] = next(
        (res.get("alarms", []) for name, res in done if name == ToolName.LIST_ACTIVE_ALARMS), []
    )
    pick = pick_alarm(q, alarms)
    return [(ToolName.EXPLAIN_ALARM, {"alarm_id": pick})] if pick else []


def next_calls(q: Question, done: Done) -> list[Call]:
    """The next tool calls, or none when the answer can be written."""
    if not done:
        return _first_round(q)
    called = {name for name, _ in done}
    explaining = q.intent in (Intent.EXPLAIN, Intent.PROCEDURE)
    if explaining and ToolName.EXPLAIN_ALARM.value not in called and ToolName.LIST_ACTIVE_ALARMS in called:
        return _explain_round(q, done)
    return []
