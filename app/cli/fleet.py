"""`lockpilot fleet`: the central of a waterway (Sparkplug host; with --http the fleet page and copilot)."""

from __future__ import annotations

import signal
import threading
from contextlib import ExitStack
from typing import Annotated

import typer

from app.cli.bundle import load_cli_bundle
from app.fleet import FleetCentral, NotConfigured, central_services
from app.options import HttpOptions
from lockpilot.output import console, err_console
from lockpilot.settings import get_settings


def _wait_for_signal() -> None:
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()


def fleet_command(
    http: Annotated[bool, typer.Option("--http/--no-http", help="Serve the fleet page and copilot.")] = True,
) -> None:
    """Run the central: watch every lock of the Sparkplug group (LOCKPILOT_SPARKPLUG_GROUP) over MQTT."""
    settings = get_settings()
    central = FleetCentral(settings, load_cli_bundle())
    try:
        central.start()
    except NotConfigured as exc:
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    assert central.host is not None
    console.print(
        f"[bold green]Fleet central[/bold green] {central.host.host_id} on group {central.host.group}"
    )
    try:
        if not http:
            _wait_for_signal()
            return
        from app.http import serve_forever

        with ExitStack() as closers:
            services = central_services(central, closers)
            console.print(
                f"  fleet page      http://{settings.http_host}:{settings.http_port}/dashboard/fleet"
            )
            serve_forever(services, HttpOptions(host=settings.http_host, port=settings.http_port))
    finally:
        central.stop()


def register(app: typer.Typer) -> None:
    app.command("fleet")(fleet_command)
