"""Per-tag statistical deviation: EWMA mean and variance per operating state, low-priority advisories."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from lockpilot.plant import Plant
from rules.alarms import ANOMALY_PREFIX
from rules.model import AnomalyConfig
from rules.network import ChangeKind, RuleChange


@dataclass
class _Stats:
    mean: float
    var: float = 0.0
    count: int = 1


class AnomalyDetector:
    """Learns each tag's usual value in each operating state and flags values many deviations away."""

    def __init__(self, plant: Plant, config: AnomalyConfig) -> None:
        self.config = config
        self.floor = {}
        for name in config.tags:
            tag = plant.tags[name]
            span = (tag.range[1] - tag.range[0]) if tag.range else 1.0
            self.floor[name] = max(tag.deadband or 0.0, 0.005 * span)
        self.stats: dict[tuple[str, tuple[Any, ...]], _Stats] = {}
        self.flagged: dict[str, bool] = {}
        self._last_s = float("-inf")

    def update(self, values: dict[str, Any], trusted: dict[str, bool], now_s: float) -> list[RuleChange]:
        """Score and learn every configured tag (at most once per `min_interval_s`)."""
        if now_s - self._last_s < self.config.min_interval_s:
            return []
        self._last_s = now_s
        state = tuple(values.get(t) for t in self.config.state_tags)
        changes = []
        for tag in self.config.tags:
            value = values.get(tag)
            if value is None or not trusted.get(tag, False):
                continue
            change = self._score(tag, float(value), state, now_s)
            if change is not None:
                changes.append(change)
        return changes

    def _score(self, tag: str, x: float, state: tuple[Any, ...], now_s: float) -> RuleChange | None:
        key = (tag, state)
        stats = self.stats.get(key)
        if stats is None:
            self.stats[key] = _Stats(mean=x)
            return None
        std = max(math.sqrt(stats.var), self.floor[tag])
        z = (x - stats.mean) / std
        flagged = self.flagged.get(tag, False)
        ready = stats.count >= self.config.warmup_samples
        now_flagged = ready and (
            abs(z) > self.config.z_threshold or (flagged and abs(z) > self.config.clear_z)
        )
        if not now_flagged:
            a = self.config.alpha
            delta = x - stats.mean
            stats.mean += a * delta
            stats.var = (1 - a) * (stats.var + a * delta * delta)
            stats.count += 1
        if now_flagged == flagged:
            return None
        self.flagged[tag] = now_flagged
        kind = ChangeKind.ACTIVATE if now_flagged else ChangeKind.CLEAR
        return RuleChange(
            kind, ANOMALY_PREFIX + tag, now_s, {tag: x, "mean": round(stats.mean, 4), "z": round(z, 2)}
        )
