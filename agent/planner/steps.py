"""Which tools the offline planner calls for an understood question, round by round."""

from __future__ import annotations

import re
from typing import Any

from agent.planner.cues import names_an_alarm
from agent.planner.question import NO_TOOL_INTENTS, Aggregate, Intent, Question
from agent.planner.windows import TREND_WINDOW_S
from lockpilot.text import fold
from rules.alarms import ANOMALY_PREFIX
from rules.lifecycle import STANDING_STATES, AlarmState
from tools.history import HistoryMode
from tools.registry import ToolName

Call = tuple[ToolName, dict[str, Any]]
Done = list[tuple[str, dict[str, Any]]]

WHY_EXTRA_TAGS = ("codigo_primeira_falha", "emergencia_acionada", "modo_remoto")
LEVEL_TAGS = ("nivel_reservatorio_montante", "nivel_camara", "nivel_jusante", "taxa_variacao_nivel_camara")
MAX_METERING_WINDOW_S = 4 * 3600.0
DEFAULT_HISTORY_S = 3600.0
CROSSING_WINDOW_S = 7 * 86400.0
RESET_WORDS = "reconhecer rearmar falhas reset"  # finds the documents' rule for a reset, in either language


_ALARM_WORD = re.compile(r"\b(?:alarmes?|alarms?|alertas?|alerts?)\b")


def _history(q: Question) -> list[Call]:
    if not q.tags:
        return []
    if q.aggregate is Aggregate.CROSSING:
        window = q.window_s or CROSSING_WINDOW_S
        return [
            (ToolName.QUERY_HISTORY, {"tag": q.tags[0], "window_s": window, "mode": HistoryMode.RAW.value})
        ]
    if q.aggregate in (Aggregate.TREND, Aggregate.AGO):  # the raw points of a short window
        window = q.window_s or TREND_WINDOW_S
        mode = HistoryMode.RAW.value
        tags = q.tags[:3] if q.named_tags else q.tags[:1]  # "tá baixando a câmara?": its first measurement
        calls = [(ToolName.QUERY_HISTORY, {"tag": t, "window_s": window, "mode": mode}) for t in tags]
        if q.aggregate is Aggregate.TREND:  # the value now, with its quality: a frozen one is said so
            calls.append((ToolName.READ_TAG, {"tags": tags}))
        return calls
    window = q.window_s or DEFAULT_HISTORY_S
    return [(ToolName.QUERY_HISTORY, {"tag": tag, "window_s": window}) for tag in q.tags[:3]]


def _reference_search(q: Question) -> dict[str, Any]:
    """A question about how the lock works ("how long is a full gate stroke?", "can we operate in strong
    wind?") is answered by the manuals and the FAQ: an alarm's own page only when it asks about an alarm
    or a fault."""
    about_an_alarm = names_an_alarm(fold(q.text)) or q.fault or bool(q.symptoms)
    return {"query": _about(q), "beyond_rules": not about_an_alarm}


def _about(q: Question) -> str:
    """A documents query: the question, and in a follow-up the alarm or equipment it is about."""
    topic = q.rule or q.equipment if q.follow_up else None
    return f"{q.text} {topic.replace('_', ' ')}" if topic else q.text


def _direct(q: Question) -> list[Call] | None:
    """The calls of the intents that need only the question; None for the alarm-driven ones."""
    window = q.window_s
    table: dict[Intent, list[Call]] = {
        Intent.READ: (
            [(ToolName.READ_TAG, {"tags": q.tags})]  # it carries the alarms active on what it reads
            + (
                [(ToolName.LIST_ACTIVE_ALARMS, {})]
                if (q.equipment and not q.named_tags) or q.alarms_too
                else []
            )
            + ([(ToolName.PLANT_STATUS, {})] if q.passage else [])  # not yet: what runs, and how long
            if q.tags
            else []
        ),
        Intent.HISTORY: _history(q),
        Intent.STATUS: [(ToolName.PLANT_STATUS, {}), (ToolName.LIST_ACTIVE_ALARMS, {})],
        Intent.TIME_TO: [
            (ToolName.PLANT_STATUS, {}),
            (ToolName.READ_TAG, {"tags": list(LEVEL_TAGS)}),
            *([(ToolName.CHECK_SEQUENCE_PRECONDITIONS, {"sequence_id": q.sequence})] if q.sequence else []),
        ],
        Intent.ACTIVE_ALARMS: [
            (ToolName.LIST_ACTIVE_ALARMS, {"equipment": q.equipment} if q.equipment else {}),
            *([(ToolName.READ_TAG, {"tags": q.tags})] if q.first_out and q.tags else []),  # the latched code
        ],
        Intent.ALARM_KPIS: [(ToolName.ALARM_KPIS, {"window_s": window or 86400.0})],
        Intent.CHECK_SEQUENCE: [(ToolName.CHECK_SEQUENCE_PRECONDITIONS, {"sequence_id": q.sequence})]
        if q.sequence
        else [],
        Intent.WHY_NOT: [
            (ToolName.CHECK_SEQUENCE_PRECONDITIONS, {"sequence_id": q.sequence}),
            (ToolName.LIST_ACTIVE_ALARMS, {}),
            (ToolName.PLANT_STATUS, {}),
        ]
        if q.sequence
        else [],
        Intent.SEARCH_TAGS: [(ToolName.SEARCH_TAGS, {"query": q.text})],
        Intent.KNOWLEDGE: [
            (ToolName.SEARCH_KNOWLEDGE, _reference_search(q)),
            *([(ToolName.READ_TAG, {"tags": q.limit_tags})] if q.limit_tags else []),
        ],
        Intent.PROCEDURE: [(ToolName.SEARCH_KNOWLEDGE, {"query": _about(q)})],
        Intent.COMMAND: [(ToolName.REQUEST_COMMAND, {"command": q.command, "value": q.value})]
        if q.command
        else [],
        Intent.ENERGY_PER_CYCLE: [
            (ToolName.ENERGY_PER_CYCLE, {"window_s": min(window or 7200.0, MAX_METERING_WINDOW_S)})
        ],
        Intent.POWER_BY_EQUIPMENT: [
            (ToolName.POWER_BY_EQUIPMENT, {"window_s": min(window or 3600.0, MAX_METERING_WINDOW_S)})
        ],
        Intent.WHAT_IF: [(ToolName.WHAT_IF, {"action": q.what_if.action, "minutes": q.what_if.minutes})]
        if q.what_if
        else [(ToolName.SEARCH_KNOWLEDGE, {"query": q.text})],
        Intent.ALARM_HISTORY: [
            (ToolName.EXPLAIN_ALARM, {"alarm_id": r})
            for r in (q.candidates[:3] if q.equipment_rules else [q.rule] if q.rule else [])
        ]
        or (  # "teve algum alarme?": which fired, and which are on
            [(ToolName.ALARM_KPIS, {"window_s": window or 86400.0}), (ToolName.LIST_ACTIVE_ALARMS, {})]
            if _ALARM_WORD.search(fold(q.text))
            else []
        ),
    }
    return table.get(q.intent)


def _first_round(q: Question) -> list[Call]:
    if q.intent in NO_TOOL_INTENTS:
        return []
    also = [(ToolName.READ_TAG, {"tags": q.also_read})] if q.also_read else []  # the other question's value
    direct = _direct(q)
    if direct is not None:
        return [*direct, *also]
    # EXPLAIN and WHAT_TO_DO: the active alarms decide what the question is about.
    calls: list[Call] = [(ToolName.LIST_ACTIVE_ALARMS, {})]
    if (q.equipment or (q.follow_up and q.tags)) and q.intent is Intent.EXPLAIN:
        calls.append((ToolName.READ_TAG, {"tags": list(dict.fromkeys([*q.tags, *WHY_EXTRA_TAGS]))}))
    return [*calls, *also]


def _first_out_first(alarms: list[dict[str, Any]]) -> str:
    """Of some alarms (one at least), the first-out if it is among them, else the first."""
    return next((a["id"] for a in alarms if a.get("first_out")), alarms[0]["id"])


def pick_alarm(q: Question, alarms: list[dict[str, Any]], suspecting: set[str] | None = None) -> str | None:
    """The alarm a question is about: in a follow-up naming no alarm, one of those making the reading it is
    about suspect (`suspecting`); else an active candidate rule, this equipment's, the first-out."""
    if q.follow_up and suspecting and not names_an_alarm(fold(q.text)):  # "why do the two disagree?"
        mine = [a for a in alarms if a["id"] in suspecting]
        if mine:
            return _first_out_first(mine)
    active = {a["id"] for a in alarms}
    chosen = next((r for r in q.candidates if r in active), None)
    if chosen is not None:
        return chosen
    if not alarms:
        return None
    if q.equipment:
        on_equipment = [a for a in alarms if a.get("equipment") == q.equipment]
        if on_equipment:
            return _first_out_first(on_equipment)
    return _first_out_first(alarms)


def holding_alarms(q: Question, alarms: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The alarms that may hold a restart back: of its rules (any, without an equipment), in service."""
    return [
        a
        for a in alarms
        if (not q.holding or a["rule_id"] in q.holding)
        and a.get("state") in (*STANDING_STATES, AlarmState.RETURNED_UNACKNOWLEDGED)
    ]


def _restart_pick(q: Question, alarms: list[dict[str, Any]]) -> str | None:
    """The alarm a restart question is about: one still standing, else one to acknowledge; first-out first."""
    held = holding_alarms(q, alarms)
    for group in ([a for a in held if a.get("state") in STANDING_STATES], held):
        if group:
            return _first_out_first(group)
    return None


def _alarm_round(q: Question, done: Done) -> list[Call]:
    """After listing alarms for a "why" or "what now": explain the alarm it is about (and its procedure)."""
    listing: dict[str, Any] = next((res for name, res in done if name == ToolName.LIST_ACTIVE_ALARMS), {})
    read = next((res for name, res in done if name == ToolName.READ_TAG), {})
    suspecting = {
        s for r in read.get("readings", []) if r["tag"] in q.tags for s in r.get("suspect_by") or []
    }
    if q.cleared and q.rule:
        pick: str | None = q.rule  # whether that alarm has gone: that one, active or not
    elif q.restart:
        pick = _restart_pick(q, listing.get("alarms", []))
    else:
        pick = pick_alarm(q, listing.get("alarms", []), suspecting)
    if (
        (pick is None or pick.startswith(ANOMALY_PREFIX))
        and q.rule is not None
        and ((q.symptoms and not q.named_tags) or names_an_alarm(fold(q.text)))
    ):
        pick = q.rule  # no rule active (an anomaly at most): what that alarm would mean, what to do then
    if pick is not None and pick.startswith(ANOMALY_PREFIX):
        return []  # an anomaly is no rule to explain: the listing says it
    searched = any(name == ToolName.SEARCH_KNOWLEDGE for name, _ in done)
    if pick is None and q.intent is Intent.WHAT_TO_DO and q.situation and not searched:
        return [(ToolName.SEARCH_KNOWLEDGE, {"query": q.situation, "limit": 2})]  # what no alarm covers
    if pick is None:
        return []
    calls: list[Call] = [(ToolName.EXPLAIN_ALARM, {"alarm_id": pick})]
    if q.restart:  # what the documents ask before a reset, beside the alarm's own cause
        calls.append((ToolName.SEARCH_KNOWLEDGE, {"query": f"{q.text} {RESET_WORDS}", "limit": 2}))
    elif q.intent is Intent.WHAT_TO_DO:
        query = pick.replace("_", " ")  # the alarm's words find its equipment's pages, beyond its own
        calls.append((ToolName.SEARCH_KNOWLEDGE, {"query": query, "limit": 2, "beyond_rules": True}))
    return calls


def next_calls(q: Question, done: Done) -> list[Call]:
    """The next tool calls, or none when the answer can be written."""
    if not done:
        return _first_round(q)
    called = {name for name, _ in done}
    alarm_driven = q.intent in (Intent.EXPLAIN, Intent.WHAT_TO_DO)
    if alarm_driven and ToolName.EXPLAIN_ALARM.value not in called and ToolName.LIST_ACTIVE_ALARMS in called:
        return _alarm_round(q, done)
    if q.intent is Intent.WHY_NOT and ToolName.EXPLAIN_ALARM.value not in called:
        return _fault_round(q, done)
    return []


def _fault_round(q: Question, done: Done) -> list[Call]:
    """A "why won't it" may be a fault, not an interlock: explain an active alarm of that equipment."""
    alarms: list[dict[str, Any]] = next(
        (res.get("alarms", []) for name, res in done if name == ToolName.LIST_ACTIVE_ALARMS), []
    )
    mine = [
        a for a in alarms if (q.equipment and a.get("equipment") == q.equipment) or a["id"] in q.candidates
    ]
    if not mine:
        return []
    pick = _first_out_first(mine)
    return [(ToolName.EXPLAIN_ALARM, {"alarm_id": pick})]
