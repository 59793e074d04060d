"""`lockpilot bench poll`: S7 requests per cycle and cycle time for the full tag map, against a live twin."""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from typing import Any

from collectors.s7 import S7Collector
from collectors.s7_plan import plan_ranges
from lockpilot.net import free_port
from lockpilot.plant import Plant
from lockpilot.samples import Sample

BASELINE = "one db_read per range (baseline)"


class _Discard:
    def publish(self, batch: Sequence[Sample]) -> None:
        """Drop the batch: the bench measures the poll alone."""


def _measure(collector: S7Collector, cycles: int) -> dict[str, float]:
    times = []
    for _ in range(cycles):
        started = time.perf_counter()
        collector.poll_once()
        times.append(time.perf_counter() - started)
    times.sort()
    return {
        "requests_per_cycle": collector.stats.requests_last_cycle,
        "cycle_ms_p50": statistics.median(times) * 1000,
        "cycle_ms_p95": times[int(len(times) * 0.95) - 1] * 1000,
        "cycles_per_s": cycles / sum(times),
    }


def run_poll_bench(plant: Plant, *, cycles: int) -> dict[str, Any]:
    """Poll the full tag map from a live twin: the collector's packed multi-reads vs one read per DB range."""
    from twin import LockTwin, TwinServer

    port = free_port()
    tags = list(plant.tags_of("clp_eclusa"))
    results = {}
    with TwinServer(LockTwin(plant, seed=0), port=port, speed=1.0, auto_cycle=True):
        for name, multi in (("packed multi-read (collector)", True), (BASELINE, False)):
            collector = S7Collector("127.0.0.1", tags, _Discard(), port=port, multi_read=multi)
            collector.poll_once()  # connect + warm up
            results[name] = _measure(collector, cycles)
            collector.disconnect()
    return {"tags": len(tags), "ranges": len(plan_ranges(tags)), "variants": results}
