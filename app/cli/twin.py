"""`lockpilot twin`: serve the digital twin over S7; `lockpilot twin inject`: inject or clear a fault."""

from __future__ import annotations

import time
from typing import Annotated

import typer
from snap7.error import S7Error

from app.cli.bundle import load_cli_bundle
from lockpilot.settings import get_settings
from twin.faults import Fault

twin_app = typer.Typer(
    invoke_without_command=True,
    no_args_is_help=False,
    help="Run the lock's digital twin (PLC over S7) or inject faults into it.",
)


def _parse_kv(items: list[str]) -> dict[str, float | str]:
    from twin.control_db import parse_params

    return parse_params(";".join(items))


@twin_app.callback()
def serve(
    ctx: typer.Context,
    port: Annotated[
        int | None, typer.Option(help="TCP port of the S7 server (default: settings.twin_port).")
    ] = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    speed: Annotated[float, typer.Option(help="Simulated seconds per wall second (1, 10, 60).")] = 1.0,
    seed: Annotated[int, typer.Option(help="Random seed (noise, vessels).")] = 0,
    auto_cycle: Annotated[bool, typer.Option("--auto-cycle/--no-auto-cycle", help="Cycle the lock.")] = True,
) -> None:
    """Serve the twin until Ctrl-C."""
    if ctx.invoked_subcommand is not None:
        return
        from twin.model import LockTwin
    from twin.s7server import TwinServer

    settings = get_settings()
    twin = LockTwin(load_cli_bundle().plant, seed=seed)
    server = TwinServer(twin, host=host, port=port or settings.twin_port, speed=speed, auto_cycle=auto_cycle)
    with server:
        typer.echo(f"twin serving S7 on {host}:{server.port} at x{speed:g} (Ctrl-C to stop)")
        try:
            while True:
                time.sleep(1.0)
        except KeyboardInterrupt:
            typer.echo("stopping")


@twin_app.command("inject")
def inject(
    fault: Annotated[Fault, typer.Argument(help="Fault name.")],
    param: Annotated[
        list[str] | None, typer.Option("--param", help="Fault parameter key=value (repeatable).")
    ] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Clear the fault instead of injecting it.")] = False,
    host: Annotated[str, typer.Option(help="Twin host.")] = "127.0.0.1",
    port: Annotated[int | None, typer.Option(help="Twin S7 port (default: settings.twin_port).")] = None,
) -> None:
    """Inject (or clear) a fault in a running twin through its sim-only control block DB99."""
    from twin.inject_client import send_fault_request

    host, target = _twin_address(host, port)
    try:
        result = send_fault_request(fault, params=_parse_kv(param or []), clear=clear, host=host, port=target)
    except (S7Error, OSError) as exc:
        typer.echo(f"twin not reachable at {host}:{target}: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"{'cleared' if clear else 'injected'} {fault.value}: {result}")
    if result != "ok":
        raise typer.Exit(1)


def _twin_address(host: str, port: int | None) -> tuple[str, int]:
    """--port, else LOCKPILOT_TWIN_PORT, else the running stack's PLC (endpoints.json), else the default."""
    import os

    from storage.embedded import read_endpoints

    settings = get_settings()
    if port is not None:
        return host, port
    if "LOCKPILOT_TWIN_PORT" in os.environ:
        return host, settings.twin_port
    running = read_endpoints(settings.data_dir)
    if running is not None and running.plc_port:
        return running.plc_host or host, running.plc_port
    return host, settings.twin_port


def register(app: typer.Typer) -> None:
    """Add `lockpilot twin ...` to the CLI."""
    app.add_typer(twin_app, name="twin")
