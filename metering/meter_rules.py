"""Per-client device alarm rules (metric, operator, threshold), evaluated on every ingested measurement."""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Operator(StrEnum):
    """Comparison of a measured value with the rule's threshold."""

    GT = ">"
    LT = "<"
    GE = ">="
    LE = "<="
    EQ = "=="
    NE = "!="


COMPARE: dict[Operator, Callable[[float, float], bool]] = {
    Operator.GT: operator.gt,
    Operator.LT: operator.lt,
    Operator.GE: operator.ge,
    Operator.LE: operator.le,
    Operator.EQ: operator.eq,
    Operator.NE: operator.ne,
}


@dataclass(frozen=True, slots=True)
class DeviceRule:
    """A rule as the evaluator needs it: scope (client, optional device), metric, comparison."""

    id: int
    client_id: int
    device_id: int | None
    name: str
    metric: str
    operator: Operator
    threshold: float
    enabled: bool = True

    def applies_to(self, *, client_id: int, device_id: int, metric: str) -> bool:
        return (
            self.enabled
            and self.client_id == client_id
            and self.metric == metric
            and (self.device_id is None or self.device_id == device_id)
        )


@dataclass(frozen=True, slots=True)
class Reading:
    """One measurement as the evaluator sees it."""

    device_id: int
    time: datetime
    metric: str
    value: float


@dataclass(frozen=True, slots=True)
class AlarmHit:
    """A rule that fired on one reading, with the sentence stored in the event's details."""

    rule: DeviceRule
    reading: Reading

    @property
    def details(self) -> str:
        r = self.reading
        return (
            f"{self.rule.name}: {r.metric} = {r.value:g} {self.rule.operator.value} {self.rule.threshold:g}"
        )


def evaluate(rules: Sequence[DeviceRule], readings: Iterable[Reading], *, client_id: int) -> list[AlarmHit]:
    """Every (rule, reading) pair whose comparison holds; pure, so replays give the same events."""
    hits: list[AlarmHit] = []
    for reading in readings:
        for rule in rules:
            if rule.applies_to(
                client_id=client_id, device_id=reading.device_id, metric=reading.metric
            ) and COMPARE[rule.operator](reading.value, rule.threshold):
                hits.append(AlarmHit(rule, reading))
    return hits
