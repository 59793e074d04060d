"""`lockpilot up` (the whole stack in one process) and `lockpilot collect` (collector + stores only)."""

from __future__ import annotations

import secrets
import signal
import threading
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import typer

from lockpilot.net import wait_for_port
from lockpilot.output import console
from lockpilot.runtime import DataPlane, TwinOptions
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
    from agent.commands.store import Role

    password = secrets.token_urlsafe(9)
    users.add(FIRST_USER, role=Role.OPERATOR, password=password, display_name="Operador")
    note = data_dir / "first-login.txt"
    note.write_text(f"user: {FIRST_USER}\npassword: {password}\n", encoding="utf-8")
    note.chmod(0o600)
    console.print(
        f"[bold yellow]First start:[/bold yellow] log in as [bold]{FIRST_USER}[/bold] / "
        f"[bold]{password}[/bold] (also in {note}); add people with `lockpilot users add NAME --role ROLE`."
    )


def _serve_http(plane: DataPlane, settings: Settings, *, with_twin: bool) -> None:
    from api.http import build_http_app, serve
    from api.wiring import connect_services

    services = connect_services(
        settings,
        database_url=plane.database_url,
        redis_url=plane.redis_url,
        plant=plane.plant,
        collectors=[plane.collector] if plane.collector else [],
        writer=plane.writer,
        run_migrations=False,
        rules_runner=plane.rules,  # proactive alarm notifications follow the live runner
    )
    try:
        app = build_http_app(services)
        _first_operator(services.users, settings.data_dir)
        listening = partial(wait_for_port, settings.http_host, settings.http_port, timeout_s=120)
        plane.index_knowledge_in_background(after=listening)
        _announce(plane, with_twin=with_twin, http=f"http://{settings.http_host}:{settings.http_port}")
        serve(app, host=settings.http_host, port=settings.http_port, log_level="warning")
    finally:
        services.close()


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
    options = TwinOptions(speed=speed, seed=seed, auto_cycle=auto_cycle) if twin else None
    plane = DataPlane(settings, twin=options, index_knowledge=not http).start()
    try:
        if http:
            _serve_http(plane, settings, with_twin=twin)
        else:
            _announce(plane, with_twin=twin, http=None)
            _wait_for_signal()
    finally:
        plane.stop()


def collect_command() -> None:
    """Run the collector against the configured PLC (devices.yaml, LOCKPILOT_PLC_HOST/PORT)."""
    plane = DataPlane(get_settings(), twin=None).start()
    try:
        _announce(plane, with_twin=False, http=None)
        _wait_for_signal()
    finally:
        plane.stop()


def register(app: typer.Typer) -> None:
    app.command("up")(up_command)
    app.command("collect")(collect_command)
