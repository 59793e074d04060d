"""What the tools need from the other parts (rules, sequences, knowledge), as small views and protocols.

Adapters in `tools.adapters` fill these from `rules/` and `knowledge/`; the tools never see those types.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from pydantic import BaseModel, Field

from lockpilot.language import Bilingual


class RuleView(BaseModel):
    """A fault rule as the copilot explains it."""

    id: str
    name: Bilingual
    description: Bilingual
    equipment: str
    severity: str
    priority: str
    cause: Bilingual
    consequence: Bilingual
    action: Bilingual
    plc_actions: list[Bilingual] = Field(default_factory=list)
    plc_fault_tag: str | None = None
    tags: list[str] = Field(default_factory=list)  # tags its condition reads
    suspect_tags: list[str] = Field(default_factory=list)  # readings it makes untrustworthy
    suspect_device: str | None = None  # when it is a whole device's link: its tags are suspect alike
    offer_commands: list[str] = Field(default_factory=list)  # commands the copilot may offer for it


class AlarmView(BaseModel):
    """One alarm as the alarm store holds it (ISA-18.2 state)."""

    id: str
    rule_id: str
    name: Bilingual
    state: str
    priority: str
    severity: str
    equipment: str = ""
    since: datetime | None = None
    acknowledged: bool = False
    first_out: bool = False
    related: list[str] = Field(default_factory=list)
    values: dict[str, Any] = Field(default_factory=dict)


class PreconditionView(BaseModel):
    """One precondition of a sequence with its live value and threshold."""

    id: str
    sentence: Bilingual
    passed: bool
    tag: str | None = None
    value: Any = None
    threshold: Any = None
    unit: str = ""
    data_age_s: float | None = None
    reads: str = ""  # what the value is: the tag, or the expression of several ("|a − b|")
    operator: str = ""  # how the value is compared with the threshold
    states: dict[int, str] = Field(default_factory=dict)  # names of an int tag's codes (pt)


class SequenceInfo(BaseModel):
    id: str
    code: int
    name: Bilingual


class SequenceCheckView(BaseModel):
    """Whether a sequence may start now, with every precondition."""

    sequence_id: str
    name: Bilingual
    permitted: bool
    preconditions: list[PreconditionView]


class KnowledgeHit(BaseModel):
    id: str
    document: str
    heading: str
    text: str
    score: float = 0.0


class AlarmDesk(Protocol):
    """Rules and the live alarm store."""

    def rules(self) -> list[RuleView]: ...

    def rule(self, rule_id: str) -> RuleView | None: ...

    def active(self) -> list[AlarmView]: ...

    def kpis(self, *, start: datetime, end: datetime) -> dict[str, Any]: ...

    def activations(self, alarm_id: str, *, start: datetime, end: datetime) -> list[datetime]: ...


class SequenceDesk(Protocol):
    """Sequences and their precondition check against live values."""

    def sequences(self) -> list[SequenceInfo]: ...

    def check(self, sequence_id: str) -> SequenceCheckView: ...


class KnowledgeDesk(Protocol):
    """The knowledge base (procedures, equipment notes, FAQ)."""

    def search(self, query: str, *, limit: int) -> Sequence[KnowledgeHit]: ...
