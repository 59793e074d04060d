"""Metering commands: `lockpilot audit verify`, `lockpilot bench meters`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lockpilot.cligroups import shared_group
from lockpilot.output import console, err_console, print_json, print_table
from lockpilot.settings import get_settings


def default_audit_path() -> Path:
    return get_settings().data_dir / "audit.log"


def audit_verify_command(
    path: Annotated[Path | None, typer.Option(help="Audit log (default: <data_dir>/audit.log).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Recompute the audit log's hash chain; exit 1 at the first modified, removed or reordered line."""
    from storage.audit_chain import verify

    target = path or default_audit_path()
    if not target.exists():
        err_console.print(f"[red]error:[/red] no audit log at {target}")
        raise typer.Exit(2)
    result = verify(target)
    if as_json:
        print_json(
            {"ok": result.ok, "lines": result.lines, "bad_line": result.bad_line, "reason": result.reason}
        )
    elif result.ok:
        console.print(f"audit log intact: {result.lines} lines, chain verified ({target})")
    else:
        console.print(f"[red]audit log TAMPERED[/red] at line {result.bad_line}: {result.reason} ({target})")
    if not result.ok:
        raise typer.Exit(1)


def bench_meters_command(
    tcp_cycles: Annotated[int, typer.Option(help="Map reads over Modbus TCP.")] = 3000,
    rtu_cycles: Annotated[int, typer.Option(help="Polls of the 3-meter PZEM line over the pty.")] = 150,
) -> None:
    """Reads/s of the Modbus TCP and RTU collectors vs a bare pymodbus / minimalmodbus loop (same reads)."""
    from collectors.meters_bench import bench_rtu, bench_tcp
    from lockpilot.plant.modbus_source import TcpDeviceConfig, load_meters

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


def register(app: typer.Typer) -> None:
    """Add the metering commands to the lockpilot CLI."""
    shared_group(app, "audit", "Tamper-evident audit trail.").command("verify")(audit_verify_command)
    shared_group(app, "bench", "Benchmarks that print figures.").command("meters")(bench_meters_command)
