"""What every tool runs against: the plant, the clock, live values, history, rules, knowledge, commands."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from lockpilot.clock import Clock
from lockpilot.formatting import DEFAULT_TIMEZONE
from lockpilot.plant import Plant
from rules.bundle import PlantBundle
from storage.current import CurrentValue
from storage.history import Bucket, HistoryPoint, TagStats
from tools.ports import AlarmDesk, KnowledgeDesk, SequenceDesk
from tools.tag_index import TagIndex

if TYPE_CHECKING:
    from commands.desk import CommandDesk
    from tools.fleet_desk import FleetDesk


class CurrentReader(Protocol):
    """Latest stored values of some tags (None for a tag never read)."""

    def __call__(self, tags: Sequence[str]) -> Mapping[str, CurrentValue | None]: ...


CommandGuard = Callable[[str, float | None, str], bool]
"""(command id, value, the user's own text) -> True only when that text asked for exactly this command."""


class HistoryReader(Protocol):
    """Stored history of one tag: raw rows, buckets and statistics."""

    def raw(self, tag: str, *, start: datetime, end: datetime, limit: int) -> list[HistoryPoint]: ...

    def aggregate(self, tag: str, *, start: datetime, end: datetime, every_s: float) -> list[Bucket]: ...

    def stats(self, tag: str, *, start: datetime, end: datetime) -> TagStats: ...


@dataclass
class ToolContext:
    """The parts a tool call may use; a missing part makes its tools answer that it is unavailable."""

    bundle: PlantBundle
    clock: Clock
    current: CurrentReader
    history: HistoryReader | None = None
    alarms: AlarmDesk | None = None
    sequences: SequenceDesk | None = None
    knowledge: KnowledgeDesk | None = None
    commands: CommandDesk | None = None
    command_guard: CommandGuard | None = None  # set by the agent; without it every request is refused
    fleet: FleetDesk | None = None  # at a fleet central: every site's stored data (tools.fleet)
    stale_after_s: float = 5.0
    timezone: str = DEFAULT_TIMEZONE  # the plant's local time, how answers say times (UTC in details)
    tag_index: TagIndex = field(init=False)

    def __post_init__(self) -> None:
        self.tag_index = TagIndex(self.plant)

    @property
    def plant(self) -> Plant:
        return self.bundle.plant
