"""Rules benchmark: incremental engine against a naive one (every rule on every sample), same input,
plus sample-to-alarm latency through the live runner."""

from __future__ import annotations

import statistics
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from lockpilot.clock import ManualClock
from lockpilot.plant import Plant
from lockpilot.samples import Quality, Sample
from rules.bundle import PlantBundle
from rules.engine import RulesEngine
from rules.network import Network
from rules.runner import RulesRunner

T0 = datetime(2025, 1, 1, tzinfo=UTC)


class NaiveNetwork(Network):
    """The baseline: after every sample, every leaf and every rule's condition is evaluated again
    (state changes still settle once per poll, so both engines give the same alarms)."""

    def _sample(self, tag: str, value: Any, quality: Quality, t: float) -> None:
        super()._sample(tag, value, quality, t)
        truth = self.ix.truth
        for i, leaf in enumerate(self.ix.leaves):
            if not leaf.timed:
                truth[i] = leaf.evaluate(truth[i])
        for watch in self.watches:
            watch.fn()
        self._dirty.update(self.watches)


@dataclass(frozen=True, slots=True)
class BenchFigures:
    samples: int
    rules: int
    incremental_per_s: float
    naive_per_s: float
    latency_p50_ms: float
    latency_p99_ms: float
    same_alarms: bool


def twin_batches(plant: Plant, *, seconds: float, period_s: float = 0.5) -> list[list[Sample]]:
    """Full tag-map batches from the twin running filling then emptying, one per poll period."""
    from twin import LockTwin

    twin = LockTwin(plant, seed=7)
    batches: list[list[Sample]] = []
    steps = int(seconds / period_s)
    for i in range(steps):
        if i == 10:
            twin.command("comando_iniciar_sequencia", 1)
        twin.step(period_s)
        when = T0 + timedelta(seconds=twin.sim_time_s)
        batches.append([Sample(k, when, v, Quality.GOOD, "twin") for k, v in twin.values().items()])
    return batches


def _run(engine: RulesEngine, batches: list[list[Sample]]) -> tuple[float, list[tuple[str, str]]]:
    seen: list[tuple[str, str]] = []
    started = time.perf_counter()
    for batch in batches:
        for event in engine.evaluate(batch, batch[0].time):
            seen.append((event.alarm_id, event.kind.value))
    return time.perf_counter() - started, seen


def _latency(bundle: PlantBundle, batch: list[Sample], *, trials: int) -> list[float]:
    """Publish a batch that trips the e-stop, time until the runner reports the activation."""
    engine = RulesEngine.for_bundle(bundle, anomalies=True)
    clock = ManualClock(T0)
    runner = RulesRunner(engine, clock=clock)
    got = threading.Event()
    runner.listeners.append(
        lambda events: got.set() if any(e.alarm_id == "emergencia_acionada" for e in events) else None
    )
    runner.start()
    out: list[float] = []
    try:
        for i in range(trials * 2):
            when = T0 + timedelta(seconds=0.5 * (i + 1))
            clock.set(when)
            tripped = i % 2 == 1
            samples = [
                Sample(
                    s.tag, when, tripped if s.tag == "emergencia_acionada" else s.value, s.quality, s.source
                )
                for s in batch
            ]
            got.clear()
            started = time.perf_counter()
            runner.publish(samples)
            if got.wait(2.0):
                out.append((time.perf_counter() - started) * 1000.0)
    finally:
        runner.stop()
    return out


def run_bench(bundle: PlantBundle, *, seconds: float = 600.0, latency_trials: int = 200) -> BenchFigures:
    """Measure both engines on the same twin series and the live latency."""
    plant, rules, sequences = bundle.plant, bundle.rules, bundle.sequences
    batches = twin_batches(plant, seconds=seconds)
    samples = sum(len(b) for b in batches)
    incremental = RulesEngine(plant, rules, sequences)
    inc_s, inc_seen = _run(incremental, batches)
    naive = RulesEngine(plant, rules, sequences)
    naive.network = NaiveNetwork(plant, rules)
    naive.network.ctx.step_overdue = incremental.network.ctx.step_overdue
    naive_batches = batches[: max(1, len(batches) // 10)]
    naive_s, naive_seen = _run(naive, naive_batches)
    naive_samples = sum(len(b) for b in naive_batches)
    latencies = _latency(bundle, batches[0], trials=latency_trials)
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return BenchFigures(
        samples,
        len(rules.rules),
        samples / inc_s,
        naive_samples / naive_s,
        statistics.median(latencies) if latencies else 0.0,
        q[98],
        inc_seen[: len(naive_seen)] == naive_seen,
    )
