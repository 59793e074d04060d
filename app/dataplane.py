"""The one composition of a live lock: stores, twin, collectors, history, rules, meters, copilot and web.

`lockpilot up`, `collect` and `serve`, every test stack and every bench build the plant here, with options;
nothing else starts a twin, a collector and the rules together.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import psycopg
import structlog

from app.options import PlaneOptions, TwinOptions
from lockpilot.bus import SampleBus
from lockpilot.clock import Clock, SystemClock
from lockpilot.lifecycle import Part, PartStack
from lockpilot.plant import Plant, Protocol
from lockpilot.secrets import check_secrets
from lockpilot.settings import Settings
from rules.bundle import PlantBundle, load_bundle
from storage.audit_chain import AuditChain
from storage.audit_head import PgAuditHead
from storage.embedded import EmbeddedStack, read_endpoints
from storage.migrate import migrate
from storage.tags_sync import sync_tags

if TYPE_CHECKING:
    from agent.assembly import CopilotHandle
    from api.services import Services
    from app.parts import MeterRig
    from collectors.s7 import S7Collector
    from rules.runner import RulesRunner
    from storage.history_writer import HistoryWriter
    from twin.s7server import TwinServer

log = structlog.get_logger(__name__)
PLC_DEVICE = "clp_eclusa"
AUDIT_FILE = "audit.log"


@dataclass
class DataPlane:
    """Start every part in dependency order, stop them newest first; each part is an attribute once up."""

    settings: Settings
    options: PlaneOptions = field(default_factory=PlaneOptions)
    bundle: PlantBundle | None = None
    clock: Clock = field(default_factory=SystemClock)
    bus: SampleBus = field(init=False, default_factory=SampleBus)
    database_url: str = field(init=False, default="")
    redis_url: str = field(init=False, default="")
    audit: AuditChain | None = field(init=False, default=None)
    embedded: EmbeddedStack | None = field(init=False, default=None)
    writer: HistoryWriter | None = field(init=False, default=None)
    rules: RulesRunner | None = field(init=False, default=None)
    twin_server: TwinServer | None = field(init=False, default=None)
    collector: S7Collector | None = field(init=False, default=None)
    meters: MeterRig | None = field(init=False, default=None)
    copilot: CopilotHandle | None = field(init=False, default=None)
    services: Services | None = field(init=False, default=None)
    http: Any = field(init=False, default=None)
    _parts: PartStack = field(init=False, default_factory=PartStack)
    _started: bool = field(init=False, default=False)

    @property
    def plant(self) -> Plant:
        assert self.bundle is not None, "DataPlane.start() loads the plant"
        return self.bundle.plant

    @property
    def url(self) -> str:
        """The web app's base URL (HTTP options required)."""
        http = self.options.http
        assert http is not None, "this plane serves no HTTP"
        return f"http://{http.host}:{http.port}"

    def start(self) -> None:
        """Bring everything up, each part only once its dependencies run; a failure stops what started."""
        if self._started:
            return
        self._started = True
        try:
            self._start_all()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop every started part, newest first; a failing stop never blocks the others."""
        self._parts.stop_all()
        self._started = False

    def serve(self) -> None:
        """Serve HTTP in this thread until interrupted (options.http.in_thread False)."""
        from app.http import serve_forever

        assert self.services is not None and self.options.http is not None
        serve_forever(self.services, self.options.http)

    def _start_all(self) -> None:
        from app import parts

        self.bundle = self.bundle or load_bundle(self.settings.plant, root=self.settings.plants_dir)
        self._check_secrets()
        self._start_stores()
        head = PgAuditHead(self.database_url)
        self._parts.closing(head.close)
        self.audit = AuditChain(self.settings.data_dir / AUDIT_FILE, clock=self.clock, head=head)
        self._start_sinks()
        if self.options.rules:
            self.rules = self._add(parts.rules_runner(self.bundle, self.database_url, self.redis_url, self))
            self.bus.subscribe(self.rules)
        if self.options.twin is not None:
            self.twin_server = self._add(parts.twin_server(self.plant, self._twin_port, self.options.twin))
        if self.options.collector:
            self._start_collector()
        if self.options.meters and self.plant.meters is not None:
            rig = parts.meters(self.plant, self.bus, twin=self.twin_server, clock=self.clock)
            self.meters = self._add(rig)
        metering = parts.metering_store(self.database_url, self.audit, self.clock)
        self._parts.closing(metering.close)
        if self.options.metering and self.plant.meters is not None:
            for part in parts.metering_parts(self.plant, metering, self.bus, self.settings):
                self._add(part)
        if self.options.fleet:
            publisher = parts.fleet_publisher(self.plant, self.settings, self.rules)
            if publisher is not None:
                self._add(publisher)
                self.bus.subscribe(publisher)
        if self.options.copilot is not None:
            self.copilot = parts.copilot(self, self.options.copilot)
            self._parts.closing(self.copilot.close)
        if self.options.http is not None:
            self._start_web(metering)
        elif self.options.index_knowledge:
            parts.index_knowledge_in_background(self.database_url, self.bundle)

    def _check_secrets(self) -> None:
        """Stop start-up on a weak secret (empty, placeholder, under 32 bytes) unless in dev mode."""
        pairs: list[tuple[str, str | None]] = []
        if self.options.http is not None:
            pairs += self.options.web.secrets()
            if "CHAINLIT_AUTH_SECRET" in os.environ:
                pairs.append(("CHAINLIT_AUTH_SECRET", os.environ["CHAINLIT_AUTH_SECRET"]))
        if self.settings.forward_url:
            pairs.append(("LOCKPILOT_FORWARD_TOKEN", self.settings.forward_token))
        check_secrets(pairs, dev_mode=self.settings.dev_mode)

    def _add(self, part: Any) -> Any:
        """Start a part and remember it for stop()."""
        self._parts.start(part)
        return part

    @property
    def _twin_port(self) -> int:
        twin = self.options.twin or TwinOptions()
        return twin.port or self.settings.twin_port

    def _start_stores(self) -> None:
        options, settings = self.options, self.settings
        running = read_endpoints(settings.data_dir)
        db_url = options.database_url or settings.database_url or (running.database_url if running else None)
        redis_url = options.redis_url or settings.redis_url or (running.redis_url if running else None)
        if db_url is None or redis_url is None or (running is None and options.write_endpoints):
            self.embedded = self._add(  # starts what is missing; always publishes endpoints.json
                EmbeddedStack(settings.data_dir, postgres=db_url is None, redis=redis_url is None)
            )
            db_url = db_url or self.embedded.database_url
            redis_url = redis_url or self.embedded.redis_url
        assert db_url is not None and redis_url is not None
        self.database_url, self.redis_url = db_url, redis_url
        self._publish_endpoints()
        migrate(self.database_url)
        with psycopg.connect(self.database_url) as conn:
            sync_tags(conn, self.plant)

    def _publish_endpoints(self, *, plc_host: str | None = None, plc_port: int | None = None) -> None:
        """Tell other processes (ask, approve, serve) where this stack's stores and PLC are."""
        if self.embedded is not None and self.options.write_endpoints:
            self.embedded.write_endpoints(
                self.database_url, self.redis_url, plc_host=plc_host, plc_port=plc_port
            )

    def _start_sinks(self) -> None:
        from app import parts

        writer, current = parts.sinks(self.plant, self)
        self.writer = writer
        for sink in (writer, current):
            self._add(sink)
            self.bus.subscribe(sink)
        self._add(parts.history_maintenance(self))

    def _start_collector(self) -> None:
        from app import parts

        device = next(d for d in self.plant.devices.values() if d.protocol is Protocol.S7)
        if self.options.twin is not None:
            host, port = "127.0.0.1", self._twin_port
        else:
            host = self.settings.plc_host or device.host or "127.0.0.1"
            port = self.settings.plc_port or device.port or 102
        period_s = self.options.poll_period_s or device.period_s
        self.collector = self._add(parts.s7_collector(self.plant, device, self.bus, host, port, period_s))
        self._publish_endpoints(plc_host=host, plc_port=port)
        log.info("collector_started", device=device.id, host=host, port=port, period_s=period_s)

    @property
    def plc_address(self) -> tuple[str, int]:
        """Where this plane's PLC answers (the collector's, else settings, else devices.yaml)."""
        if self.collector is not None:
            return self.collector.host, self.collector.port
        device = self.plant.devices[PLC_DEVICE]
        if self.options.twin is not None:
            return "127.0.0.1", self._twin_port
        running = read_endpoints(self.settings.data_dir)
        host = self.settings.plc_host or (running.plc_host if running else None) or device.host
        port = self.settings.plc_port or (running.plc_port if running else None) or device.port
        return host or "127.0.0.1", port or self.settings.twin_port

    def _start_web(self, metering: Any) -> None:
        from app import parts
        from app.web import build_services

        http = self.options.http
        assert http is not None and self.copilot is not None and self.bundle is not None
        self.services = build_services(self, metering=metering)
        self._parts.closing(self.services.close)
        notifications = parts.alarm_notifications(self)
        if notifications is not None:
            self._add(notifications)
        if http.in_thread:
            from app.http import HttpServer

            self.http = self._add(HttpServer(self.services, http))
        if self.options.index_knowledge:
            parts.index_knowledge_in_background(
                self.database_url, self.bundle, after_listening=(http.host, http.port)
            )


__all__ = ["DataPlane", "Part"]
