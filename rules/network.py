"""The incremental condition network: leaves indexed by tag, rules re-evaluated only when a leaf flips."""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from lockpilot.plant import Plant
from lockpilot.samples import Quality, Sample
from rules.compile import EvalContext, Leaf, compile_leaf
from rules.loader import AllOf, AnyOf, CondTree, NotOf, RuleSet
from rules.model import BadData


class ChangeKind(StrEnum):
    ACTIVATE = "activate"
    CLEAR = "clear"
    SUPPRESS = "suppress"
    UNSUPPRESS = "unsuppress"
    DATA_BAD = "data_bad"
    DATA_GOOD = "data_good"


@dataclass(frozen=True, slots=True)
class RuleChange:
    """A rule's condition (after delays) or suppression changed, or a tag's data became (un)trusted."""

    kind: ChangeKind
    subject: str  # rule id, or tag name for data-quality changes
    time_s: float
    values: dict[str, Any]


class WatchKind(StrEnum):
    CONDITION = "condition"
    SUPPRESSION = "suppression"


@dataclass(eq=False)
class Watch:
    """A condition tree with on/off delays and a bad-data policy; its output is a delayed boolean."""

    rule_id: str
    kind: WatchKind
    fn: Callable[[], bool]
    inputs: frozenset[str]
    for_s: float
    off_s: float
    policy: BadData
    raw: bool = False
    state: bool = False
    token: int = 0
    bad_inputs: int = 0
    order: int = 0
    direct: Callable[[], bool] | None = None  # the PLC's latched fault bit: activates with no delay

    def change(self, active: bool) -> ChangeKind:
        if self.kind is WatchKind.CONDITION:
            return ChangeKind.ACTIVATE if active else ChangeKind.CLEAR
        return ChangeKind.SUPPRESS if active else ChangeKind.UNSUPPRESS


@dataclass
class _Index:
    leaves: list[Leaf] = field(default_factory=list)
    truth: list[bool] = field(default_factory=list)
    leaf_watches: list[list[Watch]] = field(default_factory=list)
    by_text: dict[tuple[str, float], int] = field(default_factory=dict)
    by_tag: dict[str, list[int]] = field(default_factory=dict)
    timed: list[int] = field(default_factory=list)
    hold_by_tag: dict[str, list[Watch]] = field(default_factory=dict)


class Network:
    """Holds live values and trust per tag, leaf truths, delayed watch states and pending timers."""

    def __init__(self, plant: Plant, rules: RuleSet) -> None:
        self.ctx = EvalContext()
        self.plant = plant
        self.ix = _Index()
        self.watches: list[Watch] = []
        self.stale_after_s = {
            t.name: plant.devices[t.source.device].stale_after_s for t in plant.tags.values()
        }
        self.times: dict[str, float] = {}
        self.quality: dict[str, Quality] = {}
        self.windows: dict[str, float] = {}
        self._timers: list[tuple[float, int, int, Watch, bool]] = []
        self._seq = 0
        self._dirty: set[Watch] = set()
        self._changes: list[RuleChange] = []
        self._last_sweep_s = float("-inf")
        self._first_s: float | None = None  # when the engine first saw time pass: the start-up grace
        for rule in rules.rules:
            d = rule.defn
            self._add_watch(
                rule.id,
                WatchKind.CONDITION,
                rule.condition,
                d.for_s,
                d.off_delay_s,
                d.on_bad_data,
                d.deadband,
                rules.params,
                direct_tag=d.plc_fault_tag,
            )
            if rule.suppress is not None:
                self._add_watch(
                    rule.id,
                    WatchKind.SUPPRESSION,
                    rule.suppress,
                    0.0,
                    d.suppress_hold_s,
                    BadData.HOLD,
                    0.0,
                    rules.params,
                )
        self.rule_tags = frozenset(self.ix.hold_by_tag)

    def _leaf(self, text: str, deadband: float, params: Mapping[str, float]) -> int:
        key = (text, deadband)
        if key not in self.ix.by_text:
            leaf = compile_leaf(text, ctx=self.ctx, tags=self.plant.tags, params=params, deadband=deadband)
            i = len(self.ix.leaves)
            self.ix.leaves.append(leaf)
            self.ix.truth.append(False)
            self.ix.leaf_watches.append([])
            self.ix.by_text[key] = i
            for tag in leaf.tags:
                self.ix.by_tag.setdefault(tag, []).append(i)
            for tag, window_s in leaf.windows.items():
                self.windows[tag] = max(self.windows.get(tag, 0.0), window_s)
                self.ctx.history.setdefault(tag, deque())
            if leaf.timed:
                self.ix.timed.append(i)
        return self.ix.by_text[key]

    def _tree(
        self, tree: CondTree, deadband: float, params: Mapping[str, float], used: list[int]
    ) -> Callable[[], bool]:
        truth = self.ix.truth
        if isinstance(tree, str):
            i = self._leaf(tree, deadband, params)
            used.append(i)
            return lambda: truth[i]
        if isinstance(tree, NotOf):
            inner = self._tree(tree.child, deadband, params, used)
            return lambda: not inner()
        fns = [self._tree(child, deadband, params, used) for child in tree.children]
        if isinstance(tree, AllOf):
            return lambda: all(f() for f in fns)
        assert isinstance(tree, AnyOf)
        return lambda: any(f() for f in fns)

    def _add_watch(
        self,
        rule_id: str,
        kind: WatchKind,
        tree: CondTree,
        for_s: float,
        off_s: float,
        policy: BadData,
        deadband: float,
        params: Mapping[str, float],
        direct_tag: str | None = None,
    ) -> Watch:
        used: list[int] = []
        fn = self._tree(tree, deadband, params, used)
        direct = None if direct_tag is None else self._tree(direct_tag, 0.0, params, used)
        inputs = frozenset(t for i in used for t in self.ix.leaves[i].tags)
        watch = Watch(
            rule_id,
            kind,
            fn,
            inputs,
            for_s,
            off_s,
            policy,
            bad_inputs=len(inputs),
            order=len(self.watches),
            direct=direct,
        )
        self.watches.append(watch)
        for i in set(used):
            self.ix.leaf_watches[i].append(watch)
        if policy is BadData.HOLD:
            for tag in inputs:
                self.ix.hold_by_tag.setdefault(tag, []).append(watch)
        else:
            watch.bad_inputs = 0
        return watch

    def apply(self, samples: Iterable[Sample]) -> list[RuleChange]:
        """Take in a batch of samples (in time order); return the changes they caused."""
        current = None
        for s in samples:
            t = s.time.timestamp()
            if self._first_s is None:
                self._first_s = t
            if t != current:
                if current is not None:
                    self._settle(current)
                current = t
                self._fire_due(t)
            self._sample(s.tag, s.value, s.quality, t)
        if current is not None:
            self._settle(current)
        return self._take()

    def advance(self, now_s: float) -> list[RuleChange]:
        """Let time pass with no new samples: fire due delays and mark data that is too old as stale."""
        self._fire_due(now_s)
        if self._first_s is None:
            self._first_s = now_s
        if now_s - self._last_sweep_s >= 0.5:
            self._last_sweep_s = now_s
            limits, quality = self.stale_after_s, self.quality
            for tag, t in self.times.items():
                if now_s - t > limits.get(tag, 5.0) and quality.get(tag) is Quality.GOOD:
                    self._trust(tag, Quality.STALE, now_s)
            for tag, limit in limits.items():  # never heard of since start-up, for longer than its stale time
                if tag not in self.times and tag not in self.ctx.trusted and now_s - self._first_s > limit:
                    self._trust(tag, Quality.STALE, now_s)
        self._settle(max(now_s, self.ctx.t_s))
        return self._take()

    def _sample(self, tag: str, value: Any, quality: Quality, t: float) -> None:
        self.times[tag] = t
        if quality is not Quality.GOOD or value is None:
            if self.quality.get(tag) is not quality:
                self._trust(tag, quality if value is not None else Quality.BAD, t)
            return
        if self.quality.get(tag) is not Quality.GOOD:
            self._trust(tag, Quality.GOOD, t)
        values = self.ctx.values
        if values.get(tag) == value and tag in values:
            return
        values[tag] = value
        if tag in self.windows:
            self._remember(tag, float(value), t)
        leaves = self.ix.by_tag.get(tag)
        if leaves:
            truth, all_leaves, dirty = self.ix.truth, self.ix.leaves, self._dirty
            for i in leaves:
                new = all_leaves[i].evaluate(truth[i])
                if new is not truth[i]:
                    truth[i] = new
                    dirty.update(self.ix.leaf_watches[i])

    def _remember(self, tag: str, value: float, t: float) -> None:
        points = self.ctx.history[tag]
        points.append((t, value))
        horizon = t - self.windows[tag]
        while len(points) > 1 and points[1][0] <= horizon:
            points.popleft()

    def _trust(self, tag: str, quality: Quality, t: float) -> None:
        previous = self.quality.get(tag)
        was_good = previous is Quality.GOOD
        self.quality[tag] = quality
        good = quality is Quality.GOOD
        self.ctx.trusted[tag] = good
        if was_good == good:
            return
        for watch in self.ix.hold_by_tag.get(tag, ()):
            watch.bad_inputs += -1 if good else 1
            watch.token += 1  # a pending delay never completes across untrusted data
            self._dirty.add(watch)
        for i in self.ix.by_tag.get(tag, ()):
            self._dirty.update(self.ix.leaf_watches[i])
        if tag in self.rule_tags and (previous is not None or not good):
            kind = ChangeKind.DATA_GOOD if good else ChangeKind.DATA_BAD
            self._changes.append(RuleChange(kind, tag, t, {"quality": quality.value}))

    def _settle(self, t: float) -> None:
        """Re-evaluate time-dependent leaves, then every watch whose leaves flipped."""
        self.ctx.t_s = t
        truth, leaves = self.ix.truth, self.ix.leaves
        for i in self.ix.timed:
            new = leaves[i].evaluate(truth[i])
            if new is not truth[i]:
                truth[i] = new
                self._dirty.update(self.ix.leaf_watches[i])
        if not self._dirty:
            return
        dirty, self._dirty = self._dirty, set()
        for watch in sorted(dirty, key=lambda w: w.order):
            self._update(watch, t)

    def _update(self, watch: Watch, t: float) -> None:
        if watch.bad_inputs:
            return
        direct = watch.direct is not None and watch.direct()
        raw = direct or bool(watch.fn())
        if direct and not watch.state:
            watch.raw, watch.token = True, watch.token + 1
            self._set(watch, True, t)
            return
        if raw == watch.raw:
            return
        watch.raw = raw
        watch.token += 1
        if raw == watch.state:
            return
        delay = watch.for_s if raw else watch.off_s
        if delay <= 0:
            self._set(watch, raw, t)
        else:
            self._seq += 1
            heapq.heappush(self._timers, (t + delay, self._seq, watch.token, watch, raw))

    def _fire_due(self, t: float) -> None:
        timers = self._timers
        while timers and timers[0][0] <= t:
            deadline, _, token, watch, target = heapq.heappop(timers)
            if token == watch.token and not watch.bad_inputs and watch.raw == target != watch.state:
                self._set(watch, target, deadline)

    def _set(self, watch: Watch, active: bool, t: float) -> None:
        watch.state = active
        values = {tag: self.ctx.values.get(tag) for tag in sorted(watch.inputs)}
        self._changes.append(RuleChange(watch.change(active), watch.rule_id, t, values))

    def _take(self) -> list[RuleChange]:
        changes, self._changes = self._changes, []
        order = {ChangeKind.ACTIVATE: 0, ChangeKind.SUPPRESS: 0}
        return sorted(changes, key=lambda c: (c.time_s, order.get(c.kind, 1)))
