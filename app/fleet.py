"""The central of a waterway: the Sparkplug primary host application over its own stores, and the web side's
container for it (fleet page, a copilot over every site); no command desk, no PLC, no command path."""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from lockpilot.settings import Settings
from rules.bundle import PlantBundle

if TYPE_CHECKING:
    from api.services import Services
    from fleet.central.host import FleetHost


class NotConfigured(RuntimeError):
    """The central needs the broker the sites publish to."""


@dataclass
class FleetCentral:
    """Stores (given or embedded), migrations and the fleet host; `start()`/`stop()` like every part."""

    settings: Settings
    bundle: PlantBundle
    database_url: str = ""
    redis_url: str = ""
    host: FleetHost | None = None
    _closers: ExitStack = field(default_factory=ExitStack)

    def start(self) -> None:
        from fleet.central.host import FleetHost
        from fleet.settings import MqttSettings
        from storage.embedded import EmbeddedStack
        from storage.migrate import migrate

        mqtt = MqttSettings()
        if not mqtt.enabled:
            raise NotConfigured("set LOCKPILOT_MQTT_URL (the broker the sites publish to)")
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
        host = FleetHost(
            mqtt, self.bundle.plant, database_url=db, redis_url=redis_url, data_dir=self.settings.data_dir
        )
        host.start()
        self.host = host
        self._closers.callback(host.stop)

    def stop(self) -> None:
        self._closers.close()


def central_services(central: FleetCentral, closers: ExitStack) -> Services:
    """What the web side needs at a central: fleet tools and copilot, users and API tokens."""
    from agent.fleet_copilot import fleet_copilot
    from api.services import Services
    from api.users import UserDirectory
    from api.web_settings import WebSettings
    from lockpilot.clock import SystemClock
    from metering.store import MeteringStore
    from storage.audit_chain import AuditChain

    assert central.host is not None, "start the central first"
    clock, web, settings = SystemClock(), WebSettings(), central.settings
    copilot = fleet_copilot(
        central.bundle,
        database_url=central.database_url,
        redis_url=central.redis_url,
        group=central.host.group,
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
        bundle=central.bundle,
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
