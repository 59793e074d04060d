"""The data plane in one process: embedded stores, twin, S7 and meter collectors, history, values, rules."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import psycopg
import structlog

from collectors.meters_runtime import MeterParts, start_meters
from collectors.s7 import S7Collector
from lockpilot.bus import SampleBus
from lockpilot.plant import Plant, Protocol, load_plant
from lockpilot.settings import Settings
from storage.current_store import CurrentStore
from storage.embedded import EmbeddedStack, read_endpoints
from storage.history_writer import HistoryWriter
from storage.migrate import migrate
from storage.tags_sync import sync_tags

log = structlog.get_logger(__name__)


@dataclass
class TwinOptions:
    """How to run the embedded twin (None in DataPlane means: read a real PLC)."""

    speed: float = 1.0
    seed: int = 0
    auto_cycle: bool = True


@dataclass
class DataPlane:
    """Starts and stops the parts that move samples: stores, twin, collector, writer, rules."""

    settings: Settings
    twin: TwinOptions | None = field(default_factory=TwinOptions)
    index_knowledge: bool = True  # bring the knowledge index up to date in the background at start
    plant: Plant = field(init=False)
    bus: SampleBus = field(init=False, default_factory=SampleBus)
    database_url: str = field(init=False, default="")
    redis_url: str = field(init=False, default="")
    parts: list[Any] = field(init=False, default_factory=list)  # started parts, stopped in reverse
    collector: S7Collector | None = field(init=False, default=None)
    twin_server: Any = field(init=False, default=None)
    rules: Any = field(init=False, default=None)
    _stack: EmbeddedStack | None = field(init=False, default=None)
    writer: HistoryWriter | None = field(init=False, default=None)
    meters: MeterParts | None = field(init=False, default=None)

    def start(self) -> DataPlane:
        """Bring everything up, each part only once its dependencies run."""
        self.plant = load_plant(self.settings.plant, root=self.settings.plants_dir, with_meters=True)
        self._start_stores()
        migrate(self.database_url)
        with psycopg.connect(self.database_url) as conn:
            sync_tags(conn, self.plant)
        self._start_sinks()
        self._start_rules()
        if self.twin is not None:
            self._start_twin(self.twin)
        self._start_collector()
        self.meters = start_meters(self.plant, self.bus, twin=self.twin_server)
        self.parts.append(self.meters)
        self._start_metering()
        self._start_fleet_publisher()
        if self.index_knowledge:
            self.index_knowledge_in_background()
        return self

    def stop(self) -> None:
        """Stop every started part, newest first; a failing stop never blocks the others."""
        while self.parts:
            part = self.parts.pop()
            try:
                part.close() if hasattr(part, "close") else part.stop()
            except Exception:
                log.exception("stop_failed", part=type(part).__name__)

    def _start_stores(self) -> None:
        running = read_endpoints(self.settings.data_dir)
        db_url = self.settings.database_url or (running.database_url if running else None)
        redis_url = self.settings.redis_url or (running.redis_url if running else None)
        if db_url is None or redis_url is None or running is None:
            stack = EmbeddedStack(
                self.settings.data_dir, postgres=db_url is None, redis=redis_url is None
            ).start()
            self.parts.append(stack)
            self._stack = stack
            db_url, redis_url = db_url or stack.database_url, redis_url or stack.redis_url
            stack.write_endpoints(db_url, redis_url)
        assert db_url is not None and redis_url is not None
        self.database_url, self.redis_url = db_url, redis_url

    def _start_sinks(self) -> None:
        writer = HistoryWriter(self.database_url, spool_dir=self.settings.data_dir / "spool")
        current = CurrentStore(self.redis_url, self.plant)
        self.writer = writer
        for sink in (writer, current):
            sink.start()
            self.parts.append(sink)
            self.bus.subscribe(sink)

    def _start_rules(self) -> None:
        from lockpilot.clock import SystemClock
        from rules.engine import RulesEngine
        from rules.loader import load_rules, load_sequences
        from rules.runner import RulesRunner
        from rules.store import (
            PgAlarmWriter,
            RedisActionSource,
            RedisAlarmWriter,
            restore_engine,
            sync_definitions,
        )

        rules, sequences = load_rules(self.plant), load_sequences(self.plant)
        engine = RulesEngine(self.plant, rules, sequences)
        with psycopg.connect(self.database_url) as conn:
            sync_definitions(conn, rules, sequences)
        restored = restore_engine(engine, self.database_url)
        self.rules = RulesRunner(
            engine,
            clock=SystemClock(),
            writers=[PgAlarmWriter(self.database_url), RedisAlarmWriter(self.redis_url, self.plant.name)],
            actions=RedisActionSource(self.redis_url, self.plant.name),
        )
        self.rules.start()
        self.parts.append(self.rules)
        self.bus.subscribe(self.rules)
        log.info("rules_started", rules=len(engine.rules.rules), restored_alarms=restored)

    def index_knowledge_in_background(self, *, after: Callable[[], object] | None = None) -> None:
        """Bring the knowledge index up to date without delaying start-up (only changed passages embed).

        `after` runs first on the indexing thread (e.g. wait until the HTTP server listens).
        """

        def index() -> None:
            from knowledge.service import index_plant

            try:
                if after is not None:
                    after()
                report = index_plant(
                    self.database_url, plant=self.plant.name, plants_dir=self.settings.plants_dir
                )
                log.info(
                    "knowledge_indexed", passages=report.total, added=report.added, seconds=report.seconds
                )
            except Exception:
                log.exception("knowledge_index_failed")

        threading.Thread(target=index, name="knowledge-index", daemon=True).start()

    def _index_knowledge_in_background(self) -> None:
        """Bring the knowledge index up to date without delaying start-up (only changed passages embed)."""

        def index() -> None:
            from knowledge.service import index_plant

            try:
                report = index_plant(
                    self.database_url, plant=self.plant.name, plants_dir=self.settings.plants_dir
                )
                log.info(
                    "knowledge_indexed", passages=report.total, added=report.added, seconds=report.seconds
                )
            except Exception:
                log.exception("knowledge_index_failed")

        threading.Thread(target=index, name="knowledge-index", daemon=True).start()

    def _start_metering(self) -> None:
        """Meter readings into per-client measurements (audited, rule-checked, forwarded when configured)."""
        from collectors.meter_targets import meter_targets
        from collectors.metering_sink import MeteringSink
        from collectors.meters_runtime import read_meters
        from storage.audit_chain import AuditChain
        from storage.metering_models import Role, User
        from storage.metering_store import MeteringStore
        from storage.outbox import Forwarder

        meters = read_meters(self.plant)
        if meters is None:
            return
        store = MeteringStore(self.database_url, audit=AuditChain(self.settings.data_dir / "audit.log"))
        self.parts.append(store)
        forward = bool(self.settings.forward_url and self.settings.forward_token)
        if forward:
            assert self.settings.forward_url and self.settings.forward_token
            forwarder = Forwarder(
                store, target_url=self.settings.forward_url, token=self.settings.forward_token
            )
            forwarder.start()
            self.parts.append(forwarder)
        sink = MeteringSink(
            store, meter_targets(meters), user=User(username="coletor", role=Role.OPERATOR), forward=forward
        ).start()
        self.parts.append(sink)
        self.bus.subscribe(sink)

    def _start_fleet_publisher(self) -> None:
        """Publish this lock over MQTT Sparkplug B to the central (only when LOCKPILOT_MQTT_URL is set)."""
        from fleet.settings import MqttSettings

        mqtt = MqttSettings()
        if not mqtt.enabled:
            return
        from collectors.meters_runtime import read_meters
        from fleet.site.publisher import SitePublisher

        publisher = SitePublisher(
            mqtt,
            self.plant,
            data_dir=self.settings.data_dir,
            meters=read_meters(self.plant),
            alarms=self.rules,
        )
        publisher.start()
        self.parts.append(publisher)
        self.bus.subscribe(publisher)
        log.info("fleet_publisher_started", node=publisher.node, group=publisher.group, broker=mqtt.host)

    def _start_twin(self, options: TwinOptions) -> None:
        from twin import LockTwin, TwinServer

        twin = LockTwin(self.plant, seed=options.seed)
        self.twin_server = TwinServer(
            twin,
            host="127.0.0.1",
            port=self.settings.twin_port,
            speed=options.speed,
            auto_cycle=options.auto_cycle,
        ).start()
        self.parts.append(self.twin_server)

    def _start_collector(self) -> None:
        device = next(d for d in self.plant.devices.values() if d.protocol is Protocol.S7)
        if self.twin is not None:
            host, port = "127.0.0.1", self.settings.twin_port
        else:
            host = self.settings.plc_host or device.host or "127.0.0.1"
            port = self.settings.plc_port or device.port or 102
        self.collector = S7Collector(
            host,
            self.plant.tags_of(device.id),
            self.bus,
            device_id=device.id,
            port=port,
            rack=device.rack,
            slot=device.slot,
            period_s=device.period_s,
            timeout_s=device.timeout_s,
            heartbeat_tag=device.heartbeat_tag,
            stale_after_s=device.stale_after_s,
        )
        self.collector.start()
        self.parts.append(self.collector)
        if self._stack is not None:  # tell other processes (ask, approve, serve) where this PLC is
            self._stack.write_endpoints(self.database_url, self.redis_url, plc_host=host, plc_port=port)
        log.info("collector_started", device=device.id, host=host, port=port, period_s=device.period_s)
