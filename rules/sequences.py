"""Operating sequences: may this one start now (each precondition with its live value), and where is
the running one (current step, stalled beyond its timeout)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lockpilot.plant import Plant
from lockpilot.samples import Quality
from rules.compile import EvalContext, Leaf, compile_leaf
from rules.model import Bilingual, Check, SequenceDef


@dataclass(frozen=True, slots=True)
class LiveValue:
    """A tag's current value as the stores hold it."""

    value: Any
    time: datetime | None
    quality: Quality = Quality.GOOD


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One precondition: the sentence, live value, threshold, pass/fail and how old the data is."""

    id: str
    sentence: Bilingual
    condition: str
    live: Any
    threshold: Any
    passed: bool
    age_s: float | None
    trusted: bool
    tags: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "sentence": {"pt": self.sentence.pt, "en": self.sentence.en},
            "condition": self.condition,
            "live": self.live,
            "threshold": self.threshold,
            "passed": self.passed,
            "age_s": self.age_s,
            "trusted": self.trusted,
            "tags": list(self.tags),
        }


@dataclass(frozen=True, slots=True)
class SequenceCheck:
    """Whether a sequence is permitted now, and why (never permitted on data that cannot be trusted)."""

    sequence_id: str
    name: Bilingual
    permitted: bool
    checked_at: datetime
    preconditions: tuple[CheckResult, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "sequence": self.sequence_id,
            "name": {"pt": self.name.pt, "en": self.name.en},
            "permitted": self.permitted,
            "checked_at": self.checked_at.isoformat(),
            "preconditions": [p.as_dict() for p in self.preconditions],
        }


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return round(value, 4) if isinstance(value, float) else value


class SequenceChecker:
    """Compiles the preconditions of every sequence once; `check` evaluates them on live values."""

    def __init__(
        self, plant: Plant, sequences: Mapping[str, SequenceDef], params: Mapping[str, float]
    ) -> None:
        self.plant = plant
        self.sequences = dict(sequences)
        self.ctx = EvalContext()
        self.leaves: dict[tuple[str, str], Leaf] = {}
        for seq in self.sequences.values():
            for check in seq.preconditions:
                self.leaves[(seq.id, check.id)] = compile_leaf(
                    check.condition, ctx=self.ctx, tags=plant.tags, params=params
                )

    def check(self, sequence_id: str, values: Mapping[str, LiveValue], now: datetime) -> SequenceCheck:
        """Evaluate the preconditions of `sequence_id` on `values` at `now`."""
        if sequence_id not in self.sequences:
            raise KeyError(f"unknown sequence '{sequence_id}' (known: {', '.join(self.sequences)})")
        seq = self.sequences[sequence_id]
        self.ctx.values.clear()
        self.ctx.values.update({k: v.value for k, v in values.items() if v.value is not None})
        results = tuple(self._one(seq, c, values, now) for c in seq.preconditions)
        return SequenceCheck(seq.id, seq.name, all(r.passed for r in results), now, results)

    def _one(
        self, seq: SequenceDef, check: Check, values: Mapping[str, LiveValue], now: datetime
    ) -> CheckResult:
        leaf = self.leaves[(seq.id, check.id)]
        tags = tuple(sorted(leaf.tags))
        ages, trusted = [], True
        for tag in tags:
            live = values.get(tag)
            if live is None or live.value is None or live.quality is not Quality.GOOD or live.time is None:
                trusted = False
                continue
            age_s = max(0.0, (now - live.time).total_seconds())
            ages.append(age_s)
            device = self.plant.devices[self.plant.tags[tag].source.device]
            trusted = trusted and age_s <= device.stale_after_s
        passed = trusted and leaf.evaluate(False)
        live_value, threshold = (
            leaf.describe() if trusted or all(t in self.ctx.values for t in tags) else (None, None)
        )
        if threshold is True and len(tags) == 1 and isinstance(self.ctx.values.get(tags[0]), bool):
            bit = self.ctx.values[tags[0]]  # "not alarme_critico_ativo": the bit as read, and the passing one
            live_value, threshold = bit, bit if live_value else not bit
        return CheckResult(
            check.id,
            check.sentence,
            check.condition,
            _plain(live_value),
            _plain(threshold),
            bool(passed),
            round(max(ages), 3) if ages else None,
            trusted,
            tags,
        )


@dataclass
class SequenceStatus:
    """Where the running sequence is: its step, since when, and whether it is past its timeout."""

    sequence_id: str | None = None
    code: int = 0
    step: int = 0
    step_name: Bilingual | None = None
    since_s: float = 0.0
    timeout_s: float | None = None
    elapsed_s: float = 0.0
    overdue: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


class SequenceTracker:
    """Follows `sequencia_ativa` / `passo_sequencia` and says when a step outlasts its timeout."""

    def __init__(self, sequences: Mapping[str, SequenceDef]) -> None:
        self.by_code = {s.code: s for s in sequences.values()}
        self._key: tuple[int, int] = (0, 0)
        self._since_s = 0.0

    def status(self, values: Mapping[str, Any], t_s: float) -> SequenceStatus:
        """The current sequence and step from live values at time `t_s`."""
        key = (int(values.get("sequencia_ativa") or 0), int(values.get("passo_sequencia") or 0))
        if key != self._key:
            self._key, self._since_s = key, t_s
        seq = self.by_code.get(key[0])
        if seq is None or not 1 <= key[1] <= len(seq.steps):
            return SequenceStatus(code=key[0], step=key[1], since_s=self._since_s)
        step = seq.steps[key[1] - 1]
        elapsed = t_s - self._since_s
        return SequenceStatus(
            seq.id,
            seq.code,
            step.step,
            step.name,
            self._since_s,
            step.timeout_s,
            elapsed,
            elapsed > step.timeout_s,
        )

    def overdue(self, values: Mapping[str, Any], t_s: float) -> bool:
        return self.status(values, t_s).overdue
