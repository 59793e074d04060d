"""`lockpilot fleet`: the central of a waterway. The Sparkplug primary host application over its own stores,
and (with --http) the fleet page and a copilot over every site; no command desk, no PLC, no command path."""

from __future__ import annotations

import signal
import threading
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any

import typer

from lockpilot.output import console, err_console
from lockpilot.plant import Plant, load_plant
from lockpilot.settings import Settings, get_settings


@dataclass
class FleetCentral:
    """Stores (given or embedded), migrations, the fleet host; `start()`/`stop()` like every part."""

    settings: Settings
    plant: Plant
    database_url: str = ""
    redis_url: str = ""
    host: Any = None
    _closers: ExitStack = field(default_factory=ExitStack)

    def start(self) -> None:
        from fleet.central.host import FleetHost
        from fleet.settings import MqttSettings
        from storage.embedded import EmbeddedStack
        from storage.migrate import migrate

        mqtt = MqttSettings()
        if not mqtt.enabled:
            raise typer.BadParameter("set LOCKPILOT_MQTT_URL (the broker the sites publish to)")
        db, redis_url = self.settings.database_url, self.settings.redis_url
        if db is None or redis_url is None:
            stack = EmbeddedStack(
                self.settings.data_dir / "fleet", postgres=db is None, redis=redis_url is None
            )
            stack.start()
            self._closers.callback(stack.stop)
            db, redis_url = db or stack.database_url, redis_url or stack.redis_url
        assert db is not None and redis_url is not None
        self.database_url, self.redis_url = db, redis_url
        migrate(db)
        self.host = FleetHost(
            mqtt, self.plant, database_url=db, redis_url=redis_url, data_dir=self.settings.data_dir
        )
        self.host.start()
        self._closers.callback(self.host.stop)

    def stop(self) -> None:
        self._closers.close()


def central_services(central: FleetCentral, closers: ExitStack) -> Any:
    """The web side's container for a central: fleet tools and copilot, users, tokens; nothing that writes."""
    from agent.fleet_copilot import fleet_copilot
    from api.services import Services
    from api.users import UserDirectory
    from api.web_settings import WebSettings
    from lockpilot.clock import SystemClock
    from storage.audit_chain import AuditChain
    from storage.metering_store import MeteringStore

    clock, web, settings = SystemClock(), WebSettings(), central.settings
    group = central.host.group
    copilot = fleet_copilot(
        central.plant,
        database_url=central.database_url,
        redis_url=central.redis_url,
        group=group,
        clock=clock,
        closers=closers,
    )
    metering = MeteringStore(
        central.database_url, audit=AuditChain(settings.data_dir / "audit.log"), clock=clock
    )
    closers.callback(metering.close)
    users = UserDirectory(
        database_url=central.database_url, users_file=web.users_file, default_bot_role=web.bot_default_role
    )
    return Services(
        plant=central.plant,
        clock=clock,
        tools=copilot.tools,
        users=users,
        web=web,
        metering=metering,
        copilot=copilot,
        database_url=central.database_url,
        data_dir=settings.data_dir,
        started_at=datetime.now(UTC),
    )


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
    central = FleetCentral(settings, load_plant(settings.plant, root=settings.plants_dir, with_meters=True))
    try:
        central.start()
    except typer.BadParameter as exc:
        err_console.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(2) from None
    console.print(
        f"[bold green]Fleet central[/bold green] {central.host.host_id} on group {central.host.group}"
    )
    try:
        if not http:
            _wait_for_signal()
            return
        from api.http import build_http_app, serve

        with ExitStack() as closers:
            app = build_http_app(central_services(central, closers))
            console.print(
                f"  fleet page      http://{settings.http_host}:{settings.http_port}/dashboard/fleet"
            )
            serve(app, host=settings.http_host, port=settings.http_port, log_level="warning")
    finally:
        central.stop()


def register(app: typer.Typer) -> None:
    app.command("fleet")(fleet_command)
