"""`lockpilot up` (the whole stack in one process), `collect` (data plane only), `serve` (web side only)."""

from __future__ import annotations

import secrets
import signal
import threading
from pathlib import Path
from typing import Annotated, Any

import typer

from app.cli.bundle import load_cli_bundle
from app.dataplane import DataPlane
from app.options import HttpOptions, PlaneOptions, TwinOptions
from lockpilot.output import console
from lockpilot.settings import Settings, get_settings

FIRST_USER = "operador"


def _wait_for_signal() -> None:
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()


def _announce(plane: DataPlane, *, with_twin: bool, http: str | None) -> None:
    settings = plane.settings
    console.print("[bold green]Lockpilot is running.[/bold green]")
    if http:
        console.print(f"  chat            {http}/chat   (dashboard {http}/dashboard, API docs {http}/docs)")
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
        '  try             lockpilot read nivel_camara   |   lockpilot ask "qual o nível da câmara?"'
    )
    console.print("Ctrl-C stops everything.")


def _first_operator(users: Any, data_dir: Path) -> None:
    """On a fresh install, create one operator with a random password and say where it is."""
    if not users.is_empty():
        return
    from lockpilot.roles import Role

    password = secrets.token_urlsafe(9)
    users.add(FIRST_USER, role=Role.OPERATOR, password=password, display_name="Operador")
    note = data_dir / "first-login.txt"
    note.write_text(f"user: {FIRST_USER}\npassword: {password}\n", encoding="utf-8")
    note.chmod(0o600)
    console.print(
        f"[bold yellow]First start:[/bold yellow] log in as [bold]{FIRST_USER}[/bold] / "
        f"[bold]{password}[/bold] (also in {note}); add people with `lockpilot users add NAME --role ROLE`."
    )


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def _run(plane: DataPlane, *, with_twin: bool) -> None:
    """Start the plane, say where everything is, serve (or wait) until interrupted, stop everything.

    SIGTERM stops as Ctrl-C does (uvicorn re-raises it after its own shutdown: without this handler the
    process would die there and leave the embedded PostgreSQL and Redis running)."""
    signal.signal(signal.SIGTERM, _interrupt)
    plane.start()
    try:
        http = plane.options.http
        if plane.services is not None:
            _first_operator(plane.services.users, plane.settings.data_dir)
        _announce(plane, with_twin=with_twin, http=plane.url if http is not None else None)
        if http is not None and not http.in_thread:
            plane.serve()
        else:
            _wait_for_signal()
    except KeyboardInterrupt:  # Ctrl-C is how an operator stops the stack: stop cleanly, exit 0
        pass
    finally:
        plane.stop()


def up_command(
    speed: Annotated[float, typer.Option(help="Twin speed: simulated seconds per wall second.")] = 1.0,
    seed: Annotated[int, typer.Option(help="Twin random seed.")] = 0,
    twin: Annotated[bool, typer.Option("--twin/--no-twin", help="Run the embedded twin as the PLC.")] = True,
    auto_cycle: Annotated[
        bool, typer.Option("--auto-cycle/--no-auto-cycle", help="Twin cycles the lock.")
    ] = True,
    http: Annotated[bool, typer.Option("--http/--no-http", help="Serve chat, API and dashboard.")] = True,
) -> None:
    """Run the whole stack on embedded defaults: twin, collector, rules, history, chat, API, dashboard."""
    settings = get_settings()
    options = PlaneOptions(
        twin=TwinOptions(speed=speed, seed=seed, auto_cycle=auto_cycle) if twin else None,
        http=_http_options(settings) if http else None,
    )
    _run(DataPlane(settings, options, bundle=load_cli_bundle()), with_twin=twin)


def collect_command() -> None:
    """Run the collector against the configured PLC (devices.yaml, LOCKPILOT_PLC_HOST/PORT)."""
    settings = get_settings()
    _run(DataPlane(settings, PlaneOptions(twin=None), bundle=load_cli_bundle()), with_twin=False)


def serve_command(
    host: Annotated[str | None, typer.Option(help="Interface (default: settings.http_host).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default: settings.http_port).")] = None,
) -> None:
    """Serve the chat (/chat), REST API (/api, /docs), dashboard, bots, /health and /metrics on one port.

    The data plane runs elsewhere (`lockpilot collect`, or `up` on another machine); this process reads
    its stores.
    """
    settings = get_settings()
    options = PlaneOptions(
        twin=None,
        collector=False,
        rules=False,
        meters=False,
        metering=False,
        index_knowledge=False,
        http=_http_options(settings, host=host, port=port),
        write_endpoints=False,
    )
    _run(DataPlane(settings, options, bundle=load_cli_bundle()), with_twin=False)


def _http_options(settings: Settings, *, host: str | None = None, port: int | None = None) -> HttpOptions:
    return HttpOptions(host=host or settings.http_host, port=port or settings.http_port, in_thread=False)


def register(app: typer.Typer) -> None:
    app.command("up")(up_command)
    app.command("collect")(collect_command)
    app.command("serve")(serve_command)
