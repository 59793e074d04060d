"""What the offline planner understood of one question: intent, entities, window, and how sure it is."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from agent.planner.cues import WhatIf
from agent.planner.symptoms import Symptom
from lockpilot.language import Language
from lockpilot.plant.commands import Action


class Intent(StrEnum):
    """The purposes the planner answers (exemplar phrasings of each in intents.yaml)."""

    READ = "read"
    STATUS = "status"
    TIME_TO = "time_to"
    ACTIVE_ALARMS = "active_alarms"
    EXPLAIN = "explain"
    WHAT_TO_DO = "what_to_do"
    PROCEDURE = "procedure"
    CHECK_SEQUENCE = "check_sequence"
    WHY_NOT = "why_not"
    HISTORY = "history"
    ALARM_HISTORY = "alarm_history"
    ALARM_KPIS = "alarm_kpis"
    COMMAND = "command"
    WHAT_IF = "what_if"
    ENERGY_PER_CYCLE = "energy_per_cycle"
    POWER_BY_EQUIPMENT = "power_by_equipment"
    SEARCH_TAGS = "search_tags"
    KNOWLEDGE = "knowledge"
    GREETING = "greeting"
    CAPABILITIES = "capabilities"
    OUT_OF_DOMAIN = "out_of_domain"
    CLARIFY = "clarify"  # not an exemplar intent: the planner asks one short question back


# Intents answered without any tool (a short reply of the copilot itself).
NO_TOOL_INTENTS = frozenset({Intent.GREETING, Intent.CAPABILITIES, Intent.OUT_OF_DOMAIN, Intent.CLARIFY})


class Aggregate(StrEnum):
    """What a history question asks of the window."""

    TREND = "trend"
    MAX = "max"
    MIN = "min"
    MEAN = "mean"
    CROSSING = "crossing"  # when did it last go above/below a threshold
    AGO = "ago"  # the value some minutes ago ("e 3 minutos atrás?")
    RANGE = "range"  # "me dá o mínimo e o máximo": both ends of the window


@dataclass(frozen=True, slots=True)
class Threshold:
    """A number with a direction in a question ("passou de 180 bar", "below 2 m")."""

    value: float
    above: bool = True
    unit: str = ""


@dataclass
class Question:
    """What the planner understood."""

    text: str
    language: Language
    intent: Intent
    confidence: float = 1.0
    tags: list[str] = field(default_factory=list)
    named_tags: bool = False  # the tags were named, not taken from the equipment
    amount_asked: bool = False  # "quanto?" of measurements (or of on/off bits, read as their amounts)
    unit_asked: bool = False  # the tags are the ones measured in a unit the question names
    unit_unmeasured: bool = False  # it names a unit none of its tags is measured in: a set point, a reference
    equipment: str | None = None
    action: Action | None = None
    command: str | None = None
    value: float | None = None
    rule: str | None = None
    candidates: list[str] = field(default_factory=list)  # equally likely rules, best first
    symptoms: frozenset[Symptom] = frozenset()
    fault: bool = False  # says something went wrong
    what_if: WhatIf | None = None
    sequence: str | None = None
    window_s: float | None = None
    aggregate: Aggregate | None = None
    threshold: Threshold | None = None
    follow_up: bool = False  # resolved against the previous turn
    equipment_rules: bool = False  # candidates are the equipment's rules, not the ones its words point to
    clarify: str = ""  # the question to ask back (Intent.CLARIFY)
    limit_tags: list[str] = field(default_factory=list)  # a limit asked: the measurements its rules limit
    compare: bool = False  # "qual folha está atrasada?", "how far apart are they?": the readings side by side
    first_out: bool = False  # the first-out asked: the alarm, and the PLC's latched code (q.tags)
    situation: str = ""  # what the message tells is happening besides asking what to do, in plant words
    step_wait: bool = False  # "o que esse passo aguarda?": what ends the running step, before the rest
    alarms_too: bool = False  # readings and "se tem algum alarme ativo" asked in one message: both answered
    also_read: list[str] = field(default_factory=list)  # "por que parou? e a pressão, quanto tá?": read too
    passage: bool = False  # "o rebocador já pode entrar?": the gate and signal of its side (q.tags)
    cleared: bool = False  # "a comunicação voltou?": whether the alarm asked about has gone, first
    restart: bool = False  # "posso rearmar a bomba já?": what stands between a trip and a restart
    holding: list[str] = field(default_factory=list)  # its rules that may hold a restart back (none: any)
