"""`lockpilot bench ...`: every benchmark's command; the measuring code lives in the `bench` package."""

from __future__ import annotations

import secrets
from collections import defaultdict
from typing import Annotated

import typer

from app.cli.bundle import load_cli_bundle
from app.cli.groups import shared_group
from lockpilot.output import err_console, print_json, print_table
from lockpilot.roles import Role
from lockpilot.settings import get_settings
from storage.embedded import stack_urls

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def bench_agent_command(
    repeats: Annotated[int, typer.Option(help="Rounds over the question set.")] = 10,
) -> None:
    """Offline planner over a fixed question set against the running twin: p50/p95 per question and tool."""
    from app.cli.copilot import cli_copilot
    from bench.agent import TARGET_P95_S, run_agent_bench

    tool_times: dict[str, list[float]] = defaultdict(list)
    handle = cli_copilot(offline=True, on_tool_time=lambda name, s: tool_times[name].append(s))
    try:
        report = run_agent_bench(handle.copilot, tool_times, repeats=repeats)
    finally:
        handle.close()
    rows = [
        (x.name, x.count, f"{x.p50_s * 1000:.1f}", f"{x.p95_s * 1000:.1f}")
        for x in [*report.questions, report.overall]
    ]
    print_table("agent: latency per question (ms)", ["question", "n", "p50", "p95"], rows)
    print_table(
        "agent: latency per tool call (ms)",
        ["tool", "n", "p50", "p95"],
        [(x.name, x.count, f"{x.p50_s * 1000:.1f}", f"{x.p95_s * 1000:.1f}") for x in report.tools],
    )
    verdict = "meets" if report.meets_target else "MISSES"
    err_console.print(
        f"p95 {report.overall.p95_s * 1000:.1f} ms {verdict} the target {TARGET_P95_S * 1000:.0f} ms"
    )


def bench_meters_command(
    tcp_cycles: Annotated[int, typer.Option(help="Map reads over Modbus TCP.")] = 3000,
    rtu_cycles: Annotated[int, typer.Option(help="Polls of the 3-meter PZEM line over the pty.")] = 150,
) -> None:
    """Reads/s of the Modbus TCP and RTU collectors vs a bare pymodbus / minimalmodbus loop (same reads)."""
    from bench.meters import bench_rtu, bench_tcp
    from lockpilot.plant.meters import TcpDeviceConfig, load_meters

    settings = get_settings()
    meters, _, _ = load_meters(settings.plants_dir / settings.plant / "meters.yaml", set())
    tcp = next(d for d in meters.devices if isinstance(d, TcpDeviceConfig))
    results = [bench_tcp(tcp.points, cycles=tcp_cycles), bench_rtu(cycles=rtu_cycles)]
    print_table(
        "meter polling: collector vs bare client loop (loopback / pty)",
        ["transport", "reads", "collector reads/s", "bare reads/s", "overhead", "target ≤ 1.2×"],
        [
            (
                r.transport,
                r.reads,
                f"{r.collector_reads_per_s:,.0f}",
                f"{r.bare_reads_per_s:,.0f}",
                f"{r.overhead:.2f}×",
                "ok" if r.overhead <= 1.2 else "over",
            )
            for r in results
        ],
    )


def bench_rules_command(
    seconds: Annotated[float, typer.Option(help="Simulated seconds of twin data.")] = 600.0,
    as_json: JsonOpt = False,
) -> None:
    """Sample evaluations/s (incremental vs every-rule-every-sample) and sample-to-alarm latency."""
    from dataclasses import asdict

    from bench.rules import run_bench

    figures = run_bench(load_cli_bundle(), seconds=seconds)
    if as_json:
        print_json(asdict(figures))
        return
    print_table(
        "rules bench (one core)",
        ["figure", "value"],
        [
            ("samples (full tag map, twin)", figures.samples),
            ("rules", figures.rules),
            ("incremental sample evaluations/s", f"{figures.incremental_per_s:,.0f}"),
            ("naive sample evaluations/s (every rule, every sample)", f"{figures.naive_per_s:,.0f}"),
            ("speed-up", f"{figures.incremental_per_s / figures.naive_per_s:.1f}x"),
            ("sample-to-alarm latency p50 (ms)", f"{figures.latency_p50_ms:.2f}"),
            ("sample-to-alarm latency p99 (ms)", f"{figures.latency_p99_ms:.2f}"),
            ("same alarms as the baseline", figures.same_alarms),
        ],
    )


def bench_ingest_command(
    rows: Annotated[int, typer.Option(help="Rows to write with each method.")] = 500_000,
) -> None:
    """Samples/s of the history writer (rollup kept) vs executemany and a raw binary COPY of the same rows."""
    from bench.ingest import run_ingest_bench

    with stack_urls(get_settings()) as (database_url, _):
        results = run_ingest_bench(database_url, rows=rows)
    copy_rate = next(r.rows_per_s for r in results if r.method == "raw binary COPY")
    columns = ["method", "seconds", "samples/s", "vs raw COPY"]
    print_table(
        f"ingest of {rows:,} samples (10k-row batches)",
        columns,
        [
            (r.method, f"{r.seconds:.2f}", f"{r.rows_per_s:,.0f}", f"{r.rows_per_s / copy_rate:.2f}")
            for r in results
        ],
    )


def bench_historian_command(
    days: Annotated[float, typer.Option(help="Simulated days of plant history.")] = 30.0,
    baseline_hours: Annotated[float, typer.Option(help="Hours written in today's full-rate layout.")] = 1.0,
    as_json: JsonOpt = False,
) -> None:
    """Days of the lock (recorded incidents in operating cycles, 2 Hz) through the writer vs today's rows."""
    from bench.historian import report_rows, run_historian_bench
    from evals.incident import IncidentLibrary

    plant = load_cli_bundle().plant
    with stack_urls(get_settings()) as (database_url, _):
        report = run_historian_bench(
            database_url,
            plant,
            IncidentLibrary(plant.incidents_dir, plant),
            days=days,
            baseline_hours=baseline_hours,
        )
    rows = report_rows(report)
    if as_json:
        print_json(
            {name: {"historian": new, "baseline": old, "target": target} for name, new, old, target in rows}
        )
        return
    print_table(
        f"historian: {days:g} simulated days, {report.collected:,} collected samples",
        ["figure", "historian", "today's rows", "target"],
        rows,
    )
    for note in report.synthesised:
        err_console.print(f"synthesised for the trend queries: {note} (repeating the simulated days)")


def bench_ui_command(
    questions: Annotated[int, typer.Option(help="Questions to ask.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Start a live lock on loopback, ask questions in headless Chromium, print first-token p50/p95."""
    from app.cli.bundle import load_cli_bundle
    from app.loopback import loopback_plane
    from bench.ui import TARGET_FIRST_TOKEN_MS, run_ui_bench

    password = secrets.token_urlsafe(12)
    plane = loopback_plane(get_settings(), bundle=load_cli_bundle())
    plane.start()
    try:
        assert plane.services is not None
        plane.services.users.add("bench-operator", role=Role.OPERATOR, password=password)
        result = run_ui_bench(plane.url, username="bench-operator", password=password, questions=questions)
    finally:
        plane.stop()
    if as_json:
        print_json(
            {
                "questions": result.count,
                "p50_ms": result.p50_ms,
                "p95_ms": result.p95_ms,
                "max_ms": result.max_ms,
                "target_ms": TARGET_FIRST_TOKEN_MS,
                "samples_ms": result.samples_ms,
            }
        )
        return
    print_table(
        "first token in the browser (offline planner)",
        ["questions", "p50 ms", "p95 ms", "max ms", "< 1 s"],
        [
            (
                result.count,
                f"{result.p50_ms:.0f}",
                f"{result.p95_ms:.0f}",
                f"{result.max_ms:.0f}",
                "yes" if result.within_target else "NO",
            )
        ],
    )


def bench_poll_command(
    cycles: Annotated[int, typer.Option(help="Poll cycles per variant.")] = 500,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Poll the full tag map from a live twin: packed multi-reads vs one read per DB range."""
    from bench.poll import BASELINE, run_poll_bench

    figures = run_poll_bench(load_cli_bundle().plant, cycles=cycles)
    if as_json:
        print_json(figures)
        return
    base = figures["variants"][BASELINE]["cycle_ms_p50"]
    print_table(
        f"S7 poll of {figures['tags']} tags in {figures['ranges']} DB ranges",
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
            for name, r in figures["variants"].items()
        ],
    )


def bench_fleet_command(
    sites: Annotated[int, typer.Option(help="Simulated locks, 2 Hz each.")] = 10,
    seconds: Annotated[float, typer.Option(help="Measured seconds.")] = 30.0,
    site_procs: Annotated[int, typer.Option(help="Worker processes the sites share.")] = 2,
    broker_url: Annotated[
        str | None, typer.Option(help="An existing broker (default: a private Mosquitto).")
    ] = None,
) -> None:
    """N simulated locks through a broker into the central's history, against a bare subscriber's."""
    from bench.fleet import run_fleet_bench

    with stack_urls(get_settings()) as (database_url, redis_url):
        r = run_fleet_bench(
            database_url,
            redis_url,
            sites=sites,
            seconds=seconds,
            site_procs=site_procs,
            broker_url=broker_url,
        )
    s = r.seconds
    print_table(
        f"fleet: {r.sites} sites x 2 Hz for {s:g} s ({'keeps up' if r.kept_up else 'does NOT keep up'})",
        ["figure", "value"],
        [
            ("samples given to the sites /s", f"{r.generated / s:,.0f}"),
            ("changes published (produced) /s", f"{r.produced / s:,.0f}"),
            ("stored at the central /s", f"{r.stored / s:,.0f}"),
            ("stored / produced", f"{r.stored / max(r.produced, 1):.4f}"),
            ("bare subscriber metrics /s", f"{r.bare_metrics / s:,.0f}"),
            (
                "end-to-end latency p50 / p95",
                f"{r.latency_p50_s * 1000:.0f} ms / {r.latency_p95_s * 1000:.0f} ms",
            ),
            ("CPU per site (one core)", f"{r.cpu_per_site_pct:.1f} %"),
            ("CPU of the central", f"{r.central_cpu_pct:.1f} %"),
        ],
    )


def register(app: typer.Typer) -> None:
    """Add every `lockpilot bench NAME` to the CLI."""
    group = shared_group(app, "bench", "Benchmarks that print figures against a baseline of the same run.")
    for name, command in (
        ("agent", bench_agent_command),
        ("meters", bench_meters_command),
        ("rules", bench_rules_command),
        ("ingest", bench_ingest_command),
        ("historian", bench_historian_command),
        ("ui", bench_ui_command),
        ("poll", bench_poll_command),
        ("fleet", bench_fleet_command),
    ):
        group.command(name)(command)
