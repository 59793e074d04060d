"""Exception recording: store a sample only when it says something the last stored one does not.

A sample is stored when its value leaves the tag's deadband around the last *stored* value, when its
quality changes, when a value appears or disappears, when the tag's maximum interval has passed since the
last stored sample, and always when it is a gap marker. Booleans and integers have a deadband of 0
(store on change). Reading the history back holds each stored value until the next one, so every
collected value lies within its deadband of the value in force (see storage.history.raw).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from lockpilot.plant import DataType, Plant
from storage.rollup import Row

DEFAULT_MAX_INTERVAL_S = 60.0
GAP_PREFIX = "gap:"  # sources of gap markers (journal recovery, fleet link loss): always stored


@dataclass(frozen=True, slots=True)
class TagPolicy:
    """How one tag is recorded: a change larger than `deadband`, or at least every `max_interval_s`."""

    deadband: float
    max_interval_s: float


@dataclass(frozen=True, slots=True)
class StoredState:
    """The last sample stored for a tag: what the next one is compared with."""

    time: datetime
    value: float | None
    quality: int


class RecordingPolicy:
    """Per-tag policies with a default for tags the plant does not list (store on change)."""

    def __init__(self, tags: Mapping[str, TagPolicy], *, default: TagPolicy) -> None:
        self._tags = dict(tags)
        self.default = default

    @classmethod
    def for_plant(
        cls, plant: Plant, *, default_max_interval_s: float = DEFAULT_MAX_INTERVAL_S
    ) -> RecordingPolicy:
        """Deadbands and intervals from the tag map; booleans, integers and the rest store on change."""
        tags = {}
        for tag in plant.tags.values():
            analog = tag.type is DataType.REAL
            deadband = (tag.deadband or 0.0) if analog else 0.0
            tags[tag.name] = TagPolicy(deadband, tag.max_interval_s or default_max_interval_s)
        return cls(tags, default=TagPolicy(0.0, default_max_interval_s))

    def of(self, tag: str) -> TagPolicy:
        """The policy of a tag (the default for an unknown one)."""
        return self._tags.get(tag, self.default)


@dataclass(slots=True)
class Selection:
    """The rows of a batch to store, and the state they leave once their transaction commits."""

    kept: list[Row]
    state: dict[str, StoredState] = field(default_factory=dict)


def _changed(policy: TagPolicy, last: StoredState, when: datetime, value: float | None, quality: int) -> bool:
    if quality != last.quality or (value is None) != (last.value is None):
        return True
    if when - last.time >= timedelta(seconds=policy.max_interval_s):
        return True
    return value is not None and last.value is not None and abs(value - last.value) > policy.deadband


class ExceptionFilter:
    """Selects the rows to store against the last stored state; `commit()` adopts the last selection."""

    def __init__(self, policy: RecordingPolicy, *, state: Mapping[str, StoredState] | None = None) -> None:
        self._policy = policy
        self.state: dict[str, StoredState] = dict(state or {})
        self._pending: dict[str, StoredState] = {}

    def seed(self, state: Mapping[str, StoredState]) -> None:
        """Adopt the last stored samples read from the database (after a restart); the newest wins."""
        for tag, stored in state.items():
            mine = self.state.get(tag)
            if mine is None or stored.time > mine.time:
                self.state[tag] = stored

    def select(self, rows: Sequence[Row]) -> Selection:
        """The rows to store, in their order; one not newer than its tag's last stored is dropped."""
        pending: dict[str, StoredState] = {}
        kept: list[Row] = []
        for row in rows:
            when, tag, value, quality, source = row
            last = pending.get(tag) or self.state.get(tag)
            if last is not None and when <= last.time:
                continue  # already stored, or older than what is (the rollup still counts it)
            if (
                last is None
                or source.startswith(GAP_PREFIX)
                or _changed(self._policy.of(tag), last, when, value, quality)
            ):
                kept.append(row)
                pending[tag] = StoredState(when, value, quality)
        self._pending = pending
        return Selection(kept, pending)

    def commit(self) -> None:
        """The last selection is committed: its stored samples become the references."""
        self.state.update(self._pending)
        self._pending = {}
