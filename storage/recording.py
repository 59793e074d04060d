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


def _off_the_line(policy: TagPolicy, last: StoredState, before: Row, now: Row) -> bool:
    """Whether the sample `before` an exception lies off the line from the last stored one to `now`.

    A line drawn between stored samples (how analogs are read back) then misplaces a step after a quiet
    stretch: the sample before it is stored too (as PI's exception reporting does), a ramp's is not.
    """
    if policy.deadband <= 0 or last.value is None or before[2] is None or now[2] is None:
        return False
    if before[3] != last.quality or before[0] <= last.time:
        return False
    share = (before[0] - last.time) / (now[0] - last.time)
    return abs(before[2] - (last.value + (now[2] - last.value) * share)) > policy.deadband


def _flat_from(policy: TagPolicy, last: StoredState, before: Row | None, now: Row) -> bool:
    """Whether `now` repeats `before` exactly after a move: a line drawn to a later sample would hide it.

    A live transmitter changes on every reading; an identical one means it stopped or froze (what a
    frozen-sensor rule looks for), so the start of the flat run is stored.
    """
    if policy.deadband <= 0 or before is None or now[2] is None or before[3] != now[3]:
        return False
    return before[2] == now[2] and last.value != now[2] and before[0] > last.time


class ExceptionFilter:
    """Selects the rows to store against the last stored state; `commit()` adopts the last selection."""

    def __init__(self, policy: RecordingPolicy, *, state: Mapping[str, StoredState] | None = None) -> None:
        self._policy = policy
        self.state: dict[str, StoredState] = dict(state or {})
        self._pending: dict[str, StoredState] = {}
        self._skipped: dict[str, Row] = {}  # each tag's newest sample not stored (committed)
        self._pending_skipped: dict[str, Row | None] = {}
        self._limit_cache: dict[str, tuple[TagPolicy, timedelta]] = {}

    def seed(self, state: Mapping[str, StoredState]) -> None:
        """Adopt the last stored samples read from the database (after a restart); the newest wins."""
        for tag, stored in state.items():
            mine = self.state.get(tag)
            if mine is None or stored.time > mine.time:
                self.state[tag] = stored

    def _limits(self, tag: str) -> tuple[TagPolicy, timedelta]:
        limits = self._limit_cache.get(tag)
        if limits is None:
            policy = self._policy.of(tag)
            limits = self._limit_cache[tag] = (policy, timedelta(seconds=policy.max_interval_s))
        return limits

    def select(self, rows: Sequence[Row]) -> Selection:
        """The rows to store, in their order; one not newer than its tag's last stored is dropped."""
        pending: dict[str, StoredState] = {}
        skipped: dict[str, Row | None] = {}
        kept: list[Row] = []
        state, committed_skips = self.state, self._skipped
        cached, limits = self._limit_cache, self._limits
        for row in rows:  # the hot loop of the writer: the quiet case first, inline
            when, tag, value, quality, source = row
            last = pending.get(tag) or state.get(tag)
            if last is not None:
                if when <= last.time:
                    continue  # already stored, or older than what is (the rollup still counts it)
                policy, max_interval = cached.get(tag) or limits(tag)
                lv = last.value
                if (
                    quality == last.quality
                    and (
                        (value is None and lv is None)
                        or (value is not None and lv is not None and abs(value - lv) <= policy.deadband)
                    )
                    and when - last.time < max_interval
                    and not source.startswith(GAP_PREFIX)
                ):
                    if policy.deadband > 0:  # store-on-change tags never draw lines (nothing to check)
                        before = skipped[tag] if tag in skipped else committed_skips.get(tag)
                        if (
                            before is not None
                            and before[2] == value  # the cheap test first
                            and _flat_from(policy, last, before, row)
                        ):
                            kept.append(before)  # a signal that stops moving (or freezes) is flat from here
                            pending[tag] = StoredState(before[0], before[2], before[3])
                    skipped[tag] = row
                    continue
                before = skipped[tag] if tag in skipped else committed_skips.get(tag)
                if before is not None and _off_the_line(policy, last, before, row):
                    kept.append(before)
            kept.append(row)
            pending[tag] = StoredState(when, value, quality)
            skipped[tag] = None
        self._pending, self._pending_skipped = pending, skipped
        return Selection(kept, pending)

    def commit(self) -> None:
        """The last selection is committed: its stored samples become the references."""
        self.state.update(self._pending)
        for tag, row in self._pending_skipped.items():
            if row is None:
                self._skipped.pop(tag, None)
            else:
                self._skipped[tag] = row
        self._pending, self._pending_skipped = {}, {}
