"""`lockpilot up` (the whole stack in one process) and `lockpilot collect` (collector + stores only)."""

from __future__ import annotations

import signal
import threading
from typing import Annotated

import typer

from lockpilot.output import console
from lockpilot.runtime import DataPlane, TwinOptions
from lockpilot.settings import get_settings


def _wait_for_signal() -> None:
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()


def _announce(plane: DataPlane, *, with_twin: bool) -> None:
    settings = plane.settings
    console.print("[bold green]Lockpilot is running.[/bold green]")
    if with_twin:
        console.print(f"  twin (S7 PLC)   127.0.0.1:{settings.twin_port}  (lockpilot twin inject FAULT)")
    collector = plane.collector
    if collector is not None:
        console.print(
            f"  collector       {collector.host}:{collector.port} every {collector.period_s:g} s, "
            f"{len(collector.tag_names)} tags"
        )
    console.print(f"  history         {plane.database_url}")
    console.print(f"  current values  {plane.redis_url}")
    console.print(
        "  try             lockpilot read nivel_camara   |   lockpilot history nivel_camara --last 1m"
    )
    console.print("Ctrl-C stops everything.")


def up_command(
    speed: Annotated[float, typer.Option(help="Twin speed: simulated seconds per wall second.")] = 1.0,
    seed: Annotated[int, typer.Option(help="Twin random seed.")] = 0,
    twin: Annotated[bool, typer.Option("--twin/--no-twin", help="Run the embedded twin as the PLC.")] = True,
    auto_cycle: Annotated[
        bool, typer.Option("--auto-cycle/--no-auto-cycle", help="Twin cycles the lock.")
    ] = True,
) -> None:
    """Run the whole stack on embedded defaults: twin, collector, history, current values."""
    options = TwinOptions(speed=speed, seed=seed, auto_cycle=auto_cycle) if twin else None
    plane = DataPlane(get_settings(), twin=options).start()
    try:
        _announce(plane, with_twin=twin)
        _wait_for_signal()
    finally:
        plane.stop()


def collect_command() -> None:
    """Run the collector against the configured PLC (devices.yaml, LOCKPILOT_PLC_HOST/PORT)."""
    plane = DataPlane(get_settings(), twin=None).start()
    try:
        _announce(plane, with_twin=False)
        _wait_for_signal()
    finally:
        plane.stop()


def register(app: typer.Typer) -> None:
    app.command("up")(up_command)
    app.command("collect")(collect_command)
