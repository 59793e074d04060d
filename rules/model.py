"""Rules and sequences as data: the validated shape of rules.yaml and sequences.yaml."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field

from lockpilot.language import Bilingual
from lockpilot.schema import Strict

RULE_ID = r"^[a-z][a-z0-9_]*$"


class Severity(StrEnum):
    """How bad the consequence is if nobody acts."""

    CRITICAL = "critical"
    MAJOR = "major"
    MINOR = "minor"
    WARNING = "warning"


class Priority(StrEnum):
    """How fast the operator must respond (ISA-18.2 priority)."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def rank(self) -> int:
        """1 for the most urgent."""
        return {"critical": 1, "high": 2, "medium": 3, "low": 4}[self.value]


class BadData(StrEnum):
    """What a rule does when an input is stale or bad."""

    HOLD = "hold"  # keep the alarm state, start nothing, clear nothing; the tag gets a data-quality alarm
    EVALUATE = "evaluate"  # the rule itself is about data quality (stale(), heartbeat): evaluate anyway


class RuleSource(StrEnum):
    PLANT_TEAM = "plant_team"
    ENGINEERING = "engineering"


class Explanation(Strict):
    cause: Bilingual
    consequence: Bilingual
    action: Bilingual


class PlcAction(Strict):
    """An automatic action the PLC takes on this fault: recorded for explanations, never executed here."""

    pt: str = Field(min_length=1)
    en: str = Field(min_length=1)
    tag: str | None = None


Seconds = Annotated[float, Field(ge=0, le=86400)]


class RuleDef(Strict):
    """One fault rule: condition over tags, delays, deadband, priority, texts and the PLC's own actions."""

    id: Annotated[str, Field(pattern=RULE_ID, max_length=63)]
    name: Bilingual
    description: Bilingual
    equipment: str
    condition: Any
    for_s: Seconds = 0.0
    off_delay_s: Seconds = 0.0
    deadband: Annotated[float, Field(ge=0)] = 0.0
    on_bad_data: BadData = BadData.HOLD
    severity: Severity
    priority: Priority
    suppress_when: Any = None
    suppress_hold_s: Seconds = 0.0  # suppression by design holds this long after its condition clears
    causes: tuple[str, ...] = ()
    explanation: Explanation
    plc_actions: tuple[PlcAction, ...] = ()
    plc_fault_tag: str | None = None
    source: RuleSource = RuleSource.ENGINEERING
    suspect_tags: tuple[str, ...] = ()  # readings this alarm makes untrustworthy (an instrument fault)
    suspect_device: str | None = None  # every reading of this device is untrustworthy (its link is down)
    offer_commands: tuple[str, ...] = ()  # allow-listed commands the copilot may offer (never run) for it
    # The tag that reads what the condition computes (the PLC's own level rate for a rate of the levels):
    # the condition's bound is that tag's limit, to judge its reading against.
    measured_as: str | None = None


class TemplateDef(Strict):
    """Texts and priority of alarms the engine makes per tag; `{tag}` and `{description}` are filled in."""

    name: Bilingual
    explanation: Explanation
    severity: Severity = Severity.WARNING
    priority: Priority = Priority.LOW
    suppressed_by: tuple[str, ...] = ()  # rule ids whose active alarm suppresses these by design


class EventAlarmDef(TemplateDef):
    """An alarm another part reports (the command path), not a tag condition: `equipment` it concerns."""

    equipment: str


class AnomalyConfig(Strict):
    """Per-tag statistical deviation: EWMA mean/variance per operating state, low-priority advisories."""

    tags: tuple[str, ...]
    state_tags: tuple[str, ...] = ()
    alpha: Annotated[float, Field(gt=0, lt=1)] = 0.05
    z_threshold: Annotated[float, Field(gt=0)] = 5.0
    warmup_samples: Annotated[int, Field(ge=2)] = 60
    min_interval_s: Annotated[float, Field(ge=0)] = 1.0
    clear_z: Annotated[float, Field(gt=0)] = 3.0
    template: TemplateDef


class CorrelationConfig(Strict):
    window_s: Annotated[float, Field(gt=0)] = 60.0
    chatter_count: Annotated[int, Field(ge=2)] = 3
    chatter_window_s: Annotated[float, Field(gt=0)] = 60.0
    flood_count: Annotated[int, Field(ge=1)] = 10
    flood_window_s: Annotated[float, Field(gt=0)] = 600.0


class RuleFile(Strict):
    """The whole of rules.yaml."""

    rules: tuple[Any, ...]
    data_quality: TemplateDef
    anomalies: AnomalyConfig | None = None
    correlation: CorrelationConfig = CorrelationConfig()
    events: dict[Annotated[str, Field(pattern=RULE_ID, max_length=63)], EventAlarmDef] = Field(
        default_factory=dict
    )


class Check(Strict):
    """A condition with the sentence an operator reads when it passes or fails."""

    id: Annotated[str, Field(pattern=RULE_ID)]
    condition: str = Field(min_length=1)
    sentence: Bilingual
    remedy: str | None = None  # the sequence that makes this precondition pass (e.g. filling first)


class Command(Strict):
    tag: str
    value: float | bool


class Step(Strict):
    """One step of a sequence: what the PLC commands, the feedback that ends it, its timeout."""

    step: Annotated[int, Field(ge=1, le=20)]
    name: Bilingual
    commands: tuple[Command, ...] = ()
    feedback: Any  # a condition (string, or all/any/not), like a rule's
    timeout_s: Annotated[float, Field(gt=0, le=86400)]


class SequenceDef(Strict):
    """An operating sequence as the PLC runs it: preconditions, steps, postconditions, safety checks."""

    id: Annotated[str, Field(pattern=RULE_ID)]
    code: Annotated[int, Field(ge=1, le=99)]
    name: Bilingual
    description: Bilingual
    preconditions: tuple[Check, ...] = Field(min_length=1)
    steps: tuple[Step, ...] = Field(min_length=1)
    postconditions: tuple[Check, ...] = ()
    safety_checks: tuple[Check, ...] = ()
