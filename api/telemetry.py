"""Prometheus metrics: samples/s, poll cycle time, write lag, spool depth, active alarms, agent latency."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

AGENT_BUCKETS_S = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0)


@dataclass
class Sources:
    """Where the gauges come from: the collectors, the history writer, the alarm store (any may be absent)."""

    collectors: list[Any] = field(default_factory=list)  # PollingCollector: .device_id, .stats
    writer: Any = None  # HistoryWriter: samples_written, lag_s, spool_depth
    active_alarms: Callable[[], int] | None = None
    grounding: Any = None  # agent.model_turn.GroundingStats: model answers checked, rewritten


class _PartsCollector(Collector):
    """Read the parts' own counters at scrape time; samples/s is the rate since the previous scrape."""

    def __init__(self, sources: Sources) -> None:
        self.sources = sources
        self._last: tuple[float, int] | None = None

    def _rate(self, written: int) -> float:
        now = time.monotonic()
        last, self._last = self._last, (now, written)
        if last is None or now <= last[0]:
            return 0.0
        return max(0.0, (written - last[1]) / (now - last[0]))

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        s = self.sources
        cycle = GaugeMetricFamily(
            "lockpilot_poll_cycle_seconds", "Duration of the last poll cycle", labels=["device"]
        )
        polled = GaugeMetricFamily("lockpilot_samples_polled", "Samples read since start", labels=["device"])
        for c in s.collectors:
            cycle.add_metric([c.device_id], c.stats.cycle_time_s)
            polled.add_metric([c.device_id], c.stats.samples)
        yield cycle
        yield polled
        if s.writer is not None:
            yield GaugeMetricFamily(
                "lockpilot_samples_per_second",
                "Samples written to history per second",
                value=self._rate(int(s.writer.samples_written)),
            )
            lag = s.writer.lag_s
            yield GaugeMetricFamily(
                "lockpilot_write_lag_seconds",
                "Age of the newest sample in history",
                value=float("nan") if lag is None else lag,
            )
            yield GaugeMetricFamily(
                "lockpilot_spool_depth_batches",
                "Batches waiting in the disk spool",
                value=s.writer.spool_depth,
            )
        if s.grounding is not None:
            yield CounterMetricFamily(
                "lockpilot_model_answers_checked",
                "Model-written answers passed through the grounding check",
                value=s.grounding.checked,
            )
            yield CounterMetricFamily(
                "lockpilot_model_answers_rewritten",
                "Model-written answers with a number no tool returned, rewritten by the offline writer",
                value=s.grounding.rewrites,
            )
        if s.active_alarms is not None:
            yield GaugeMetricFamily(
                "lockpilot_active_alarms", "Alarms not in normal state", value=s.active_alarms()
            )


class Telemetry:
    """One registry per app, so that several apps (tests) never share counters."""

    def __init__(self, sources: Sources | None = None) -> None:
        self.registry = CollectorRegistry()
        self.sources = sources or Sources()
        self.registry.register(_PartsCollector(self.sources))
        self.agent_latency = Histogram(
            "lockpilot_agent_latency_seconds",
            "Time to answer one question",
            labelnames=["channel"],
            buckets=AGENT_BUCKETS_S,
            registry=self.registry,
        )

    def observe_agent(self, channel: str, seconds: float) -> None:
        """Record how long the agent took to answer on a channel (api, chat, slack, teams)."""
        self.agent_latency.labels(channel=channel).observe(seconds)

    def exposition(self) -> bytes:
        """The metrics in Prometheus text format."""
        return generate_latest(self.registry)
