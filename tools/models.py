"""Structured results of the tools: values with unit, time and quality, and the ids to cite."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from lockpilot.samples import Quality
from tools.ports import AlarmView


class CitationKind(StrEnum):
    """What a citation points at (design.md section 6)."""

    TAG = "tag"
    RULE = "rule"
    ALARM = "alarm"
    SEQUENCE = "sequence"
    DOC = "doc"


class Citation(BaseModel):
    """One traceable source of a claim."""

    model_config = ConfigDict(frozen=True)
    kind: CitationKind
    id: str


def alarm_citations(alarms: Iterable[AlarmView]) -> list[Citation]:
    """An answer naming an alarm rests on it and on its rule: each alarm's two citations, alarms first."""
    listed = list(alarms)
    return [Citation(kind=CitationKind.ALARM, id=a.id) for a in listed] + [
        Citation(kind=CitationKind.RULE, id=a.rule_id) for a in listed
    ]


class Freshness(StrEnum):
    """Whether a reading may be presented as the current value."""

    CURRENT = "current"
    STALE = "stale"  # good once, but older than the device allows
    BAD = "bad"  # quality not good (bad, stale, comm_error)
    MISSING = "missing"  # never read


class TagLimit(BaseModel):
    """A fault rule's limit on a reading: where it lies, whether the value is past it, whether it alarms."""

    rule: str
    name: str
    side: str  # rules.limits.Side: "above" or "below"
    value: float
    crossed: bool
    near: bool  # crossed, or within tools.live.NEAR_SHARE of it
    active: bool  # the rule's alarm is active now


class TagReading(BaseModel):
    """The latest value of one tag, with everything needed to say it exactly."""

    tag: str
    description: str
    unit: str
    value: float | int | bool | None
    time: datetime | None
    quality: Quality | None
    age_s: float | None
    freshness: Freshness
    suspect_by: list[str] = Field(default_factory=list)  # active instrument alarms on this reading
    redundant: TagReading | None = None  # the other transmitter, when this reading is suspect
    limits: list[TagLimit] = Field(default_factory=list)  # the fault rules' limits on this measurement
    nominal: float | None = None  # the rated value (in `unit`) that "% of nominal" is taken of
    state: str | None = None  # the value's name in the tag map's states ("parada", "automático")

    @property
    def is_current(self) -> bool:
        return self.freshness is Freshness.CURRENT


class ToolResult(BaseModel):
    """Base of every tool result: the data and what to cite for it."""

    citations: list[Citation] = Field(default_factory=list)
    error: str | None = None
    unavailable: str | None = None  # the store that did not answer ("redis", "postgresql")

    def for_model(self) -> dict[str, Any]:
        """JSON-ready dict for a chat model's tool message."""
        return self.model_dump(mode="json", exclude_none=True)


class ReadTagResult(ToolResult):
    readings: list[TagReading] = Field(default_factory=list)
    unknown: list[str] = Field(default_factory=list)
    # the alarms active on what was read (its equipment, or a rule limiting a tag read), most urgent first,
    # and the readings that raised them (alarm id -> the rule's limited tags not read here)
    alarms: list[AlarmView] = Field(default_factory=list)
    alarm_readings: dict[str, list[TagReading]] = Field(default_factory=dict)


class TagMatch(BaseModel):
    tag: str
    score: float
    unit: str
    equipment: str | None
    description_pt: str
    description_en: str
    writable: bool


class SearchTagsResult(ToolResult):
    matches: list[TagMatch] = Field(default_factory=list)
