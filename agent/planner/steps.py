"""Which tools the offline planner calls for an understood question, round by round."""

from __future__ import annotations

from typing import Any

from agent.planner.parse import Intent, Question
from tools.registry import ToolName

Call = tuple[ToolName, dict[str, Any]]
Done = list[tuple[str, dict[str, Any]]]

WHY_EXTRA_TAGS = ("codigo_primeira_falha", "emergencia_acionada", "modo_remoto")
MAX_METERING_WINDOW_S = 4 * 3600.0


def _first_round(q: Question) -> list[Call]:
    """The calls that need nothing but the question."""
    by_intent: dict[Intent, list[Call]] = {
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
        Intent.POWER_BY_EQUIPMENT: [
            (ToolName.POWER_BY_EQUIPMENT, {"window_s": min(q.window_s or 3600.0, MAX_METERING_WINDOW_S)})
        ],
    }
    if q.intent in by_intent:
        return by_intent[q.intent]
    if q.rule is not None:  # EXPLAIN or PROCEDURE about a known rule
        calls: list[Call] = [(ToolName.EXPLAIN_ALARM, {"alarm_id": q.rule})]
        if q.intent is Intent.PROCEDURE:
            calls.append((ToolName.SEARCH_KNOWLEDGE, {"query": q.text}))
        return calls
    if q.intent is Intent.PROCEDURE:
        return [(ToolName.SEARCH_KNOWLEDGE, {"query": q.text})]
    tags = [*q.tags, *WHY_EXTRA_TAGS] if q.equipment else []
    calls = [(ToolName.READ_TAG, {"tags": list(dict.fromkeys(tags))})] if tags else []
    return [*calls, (ToolName.LIST_ACTIVE_ALARMS, {})]


def _explain_round(q: Question, done: Done) -> list[Call]:
    """After listing alarms for a "why": explain the one about this equipment, else the first-out."""
    alarms = next((res.get("alarms", []) for name, res in done if name == ToolName.LIST_ACTIVE_ALARMS), [])
    if not alarms:
        return []
    pick = next((a for a in alarms if q.equipment and a.get("equipment") == q.equipment), None)
    pick = pick or next((a for a in alarms if a.get("first_out")), None) or alarms[0]
    return [(ToolName.EXPLAIN_ALARM, {"alarm_id": pick["id"]})]


def next_calls(q: Question, done: Done) -> list[Call]:
    """The next tool calls, or none when the answer can be written."""
    if not done:
        return _first_round(q)
    called = {name for name, _ in done}
    if q.intent is Intent.EXPLAIN and ToolName.EXPLAIN_ALARM.value not in called and len(done) <= 2:
        return _explain_round(q, done)
    return []
