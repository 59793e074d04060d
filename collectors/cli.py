"""`lockpilot bench poll`: S7 requests per cycle and cycle time for the full tag map, against a live twin."""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from typing import Annotated

import typer

from collectors.s7 import S7Collector
from collectors.s7_plan import plan_ranges
from lockpilot.cligroups import shared_group
from lockpilot.net import free_port
from lockpilot.output import print_json, print_table
from lockpilot.plant import load_plant
from lockpilot.samples import Sample
from lockpilot.settings import get_settings


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


def bench_poll_command(
    cycles: Annotated[int, typer.Option(help="Poll cycles per variant.")] = 500,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Poll the full tag map from a live twin: packed multi-reads vs one read per DB range."""
    from twin import LockTwin, TwinServer

    plant = load_plant(get_settings().plant)
    port = free_port()
    results = {}
    with TwinServer(LockTwin(plant, seed=0), port=port, speed=1.0, auto_cycle=True):
        for name, multi in (
            ("packed multi-read (collector)", True),
            ("one db_read per range (baseline)", False),
        ):
            collector = S7Collector(
                "127.0.0.1", list(plant.tags.values()), _Discard(), port=port, multi_read=multi
            )
            collector.poll_once()  # connect + warm up
            results[name] = _measure(collector, cycles)
            collector.disconnect()
    results_meta = {"tags": len(plant.tags), "ranges": len(plan_ranges(list(plant.tags.values())))}
    if as_json:
        print_json({**results_meta, "variants": results})
        return
    base = results["one db_read per range (baseline)"]["cycle_ms_p50"]
    print_table(
        f"S7 poll of {results_meta['tags']} tags in {results_meta['ranges']} DB ranges",
        ["variant", "requests/cycle", "p50 ms", "p95 ms", "cycles/s", "p50 vs baseline"],
        [
            (
                name,
                f"{r['requests_per_cycle']:.0f}",
                f"{r['cycle_ms_p50']:.3f}",
                f"{r['cycle_ms_p95']:.3f}",
                f"{r['cycles_per_s']:.0f}",
                f"{r['cycle_ms_p50'] / base:.2f}x",
            )
            for name, r in results.items()
        ],
    )


def register(app: typer.Typer) -> None:
    shared_group(app, "bench", "Benchmarks that print figures.").command("poll")(bench_poll_command)
