"""Builders of the DataPlane's parts: each returns a part (not started) wired from the bundle and options."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import psycopg
import structlog

from app.options import CopilotOptions, TwinOptions
from lockpilot.bus import SampleBus
from lockpilot.clock import Clock
from lockpilot.lifecycle import Part
from lockpilot.plant import Device, Plant
from lockpilot.roles import Role
from lockpilot.settings import Settings
from rules.bundle import PlantBundle
from storage.audit_chain import AuditChain

if TYPE_CHECKING:
    from agent.assembly import CopilotHandle
    from app.dataplane import DataPlane
    from collectors.s7 import S7Collector
    from fleet.site.publisher import SitePublisher
    from metering.store import MeteringStore
    from rules.runner import RulesRunner
    from storage.current_store import CurrentStore
    from storage.history_writer import HistoryWriter
    from twin.s7server import TwinServer

log = structlog.get_logger(__name__)
METERING_USER = "coletor"  # who the metering store sees ingesting the site's own meter readings


def sinks(plant: Plant, plane: DataPlane) -> tuple[HistoryWriter, CurrentStore]:
    """The history writer (PostgreSQL, disk spool) and the current-value store (Redis)."""
    from storage.current_store import CurrentStore
    from storage.history_writer import HistoryWriter, recording_ingester
    from storage.recording import RecordingPolicy

    age = plane.options.sink_batch_age_s
    policy = RecordingPolicy.for_plant(plant, default_max_interval_s=plane.settings.history_max_interval_s)
    writer = HistoryWriter(
        plane.database_url,
        spool_dir=plane.settings.data_dir / "spool",
        clock=plane.clock,
        batch_age_s=age if age is not None else HistoryWriter.DEFAULT_BATCH_AGE_S,
        ingester=recording_ingester(policy),  # by exception: deadband, quality change, max interval
    )
    current = CurrentStore(
        plane.redis_url, plant, batch_age_s=age if age is not None else CurrentStore.DEFAULT_BATCH_AGE_S
    )
    return writer, current


def history_maintenance(plane: DataPlane) -> Part:
    """The historian's upkeep, hourly: partitions ahead, expired raw days dropped, closed days compacted."""
    from storage.maintenance import HistoryMaintenance

    settings = plane.settings
    return HistoryMaintenance(
        plane.database_url,
        clock=plane.clock,
        raw_retention_days=settings.history_raw_retention_days,
        compaction_grace_s=settings.history_compaction_grace_s,
    )


def rules_runner(bundle: PlantBundle, database_url: str, redis_url: str, plane: DataPlane) -> RulesRunner:
    """The live rules engine on its own thread, alarm states restored, writing to PostgreSQL and Redis."""
    from rules.engine import RulesEngine
    from rules.runner import RulesRunner
    from rules.store import (
        PgAlarmWriter,
        RedisActionSource,
        RedisAlarmWriter,
        restore_engine,
        sync_definitions,
    )

    engine = RulesEngine.for_bundle(bundle, anomalies=plane.options.anomalies)
    with psycopg.connect(database_url) as conn:
        sync_definitions(conn, bundle.rules, bundle.sequences)
    restored = restore_engine(engine, database_url)
    log.info("rules_ready", rules=len(engine.rules.rules), restored_alarms=restored)
    return RulesRunner(
        engine,
        clock=plane.clock,
        writers=[PgAlarmWriter(database_url), RedisAlarmWriter(redis_url, bundle.plant.name)],
        actions=RedisActionSource(redis_url, bundle.plant.name),
    )


def twin_server(plant: Plant, port: int, options: TwinOptions) -> TwinServer:
    """The twin's PLC program and physics served over a real S7 server on loopback."""
    from twin import LockTwin, TwinServer

    twin = LockTwin(plant, seed=options.seed)
    if options.setup is not None:
        options.setup(twin)
    return TwinServer(twin, host="127.0.0.1", port=port, speed=options.speed, auto_cycle=options.auto_cycle)


def s7_collector(
    plant: Plant, device: Device, bus: SampleBus, host: str, port: int, period_s: float
) -> S7Collector:
    """The PLC's collector: every tag of the device, planned per PDU."""
    from collectors.s7 import S7Collector

    return S7Collector(
        host,
        plant.tags_of(device.id),
        bus,
        device_id=device.id,
        port=port,
        rack=device.rack,
        slot=device.slot,
        period_s=period_s,
        timeout_s=device.timeout_s,
        heartbeat_tag=device.heartbeat_tag,
        stale_after_s=device.stale_after_s,
    )


class MeterRig:
    """The meters of meters.yaml: simulated peers fed by the twin (demo) and the collectors polling them."""

    def __init__(self, plant: Plant, bus: SampleBus, *, twin: TwinServer | None, clock: Clock) -> None:
        from collectors.meters_runtime import MeterParts

        assert plant.meters is not None
        self._plant, self._bus, self._twin, self._clock = plant, bus, twin, clock
        self.parts = MeterParts()
        self._peers: Part | None = None

    @property
    def collectors(self) -> list[Any]:
        return list(self.parts.collectors)

    def start(self) -> None:
        """Start the peers first (they tell the collectors where to look), then the collectors."""
        from collectors.meters_runtime import build_meters
        from twin.meters.peers import SimulatedPeers

        meters = self._plant.meters
        assert meters is not None
        endpoints = None
        if self._twin is not None:
            simulated = [d for d in meters.devices if d.active and d.simulated]
            peers = SimulatedPeers(meters, simulated, self._twin, clock=self._clock)
            peers.start()
            self._peers, endpoints = peers, peers.endpoints
        self.parts = build_meters(meters, self._bus, endpoints=endpoints, clock=self._clock)
        self.parts.start()

    def stop(self) -> None:
        """Stop the collectors, then their simulated peers."""
        self.parts.stop()
        if self._peers is not None:
            self._peers.stop()
            self._peers = None


def meters(plant: Plant, bus: SampleBus, *, twin: TwinServer | None, clock: Clock) -> MeterRig:
    return MeterRig(plant, bus, twin=twin, clock=clock)


def metering_store(database_url: str, audit: AuditChain, clock: Clock) -> MeteringStore:
    """Clients, devices, per-client measurements and API tokens; every change in the one audit chain."""
    from metering.store import MeteringStore

    return MeteringStore(database_url, audit=audit, clock=clock)


def metering_parts(plant: Plant, store: MeteringStore, bus: SampleBus, settings: Settings) -> Sequence[Part]:
    """Meter readings into per-client measurements (rule-checked, forwarded when a slave is configured)."""
    from metering.models import User
    from metering.outbox import Forwarder
    from metering.sink import MeteringSink
    from metering.targets import meter_targets

    assert plant.meters is not None
    out: list[Part] = []
    forward = bool(settings.forward_url and settings.forward_token)
    if settings.forward_url and settings.forward_token:
        out.append(Forwarder(store, target_url=settings.forward_url, token=settings.forward_token))
    sink = MeteringSink(
        store,
        meter_targets(plant.meters),
        user=User(username=METERING_USER, role=Role.OPERATOR),
        forward=forward,
        spool_dir=settings.data_dir / "spool" / "metering",
    )
    bus.subscribe(sink)
    out.append(sink)
    return out


def fleet_publisher(plant: Plant, settings: Settings, rules: RulesRunner | None) -> SitePublisher | None:
    """The lock as a Sparkplug B edge node for the waterway's central (None without LOCKPILOT_MQTT_URL)."""
    from fleet.settings import MqttSettings
    from fleet.site.publisher import SitePublisher

    mqtt = MqttSettings()
    if not mqtt.enabled:
        return None
    log.info(
        "fleet_publisher",
        group=mqtt.sparkplug_group,
        node=mqtt.sparkplug_node or plant.name,
        broker=mqtt.host,
    )
    return SitePublisher(mqtt, plant, data_dir=settings.data_dir, alarms=rules)


def copilot(plane: DataPlane, options: CopilotOptions) -> CopilotHandle:
    """The one copilot of the plane: tools over its stores, commands through its PLC link."""
    from agent.assembly import build_copilot
    from agent.models import load_model
    from api.users import UserDirectory
    from commands.plantio import S7PlantIO

    assert plane.bundle is not None
    host, port = plane.plc_address
    device = plane.plant.devices.get("clp_eclusa")
    io = S7PlantIO(plane.plant, host=host, port=port, timeout_s=device.timeout_s if device else 2.0)
    return build_copilot(
        plane.bundle,
        database_url=plane.database_url,
        redis_url=plane.redis_url,
        io=io,
        clock=plane.clock,
        model=load_model(
            options.model if options.model is not None else plane.settings.model,
            timeout_s=plane.settings.model_timeout_s,
        ),
        expires_after_s=options.expires_after_s,
        knowledge=options.knowledge,
        on_tool_time=options.on_tool_time,
        audit=plane.audit,
        approvers=UserDirectory(database_url=plane.database_url, users_file=plane.options.web.users_file),
        four_eyes=plane.settings.four_eyes,
        timezone=plane.settings.timezone,
        context_tokens=plane.settings.model_context_tokens,
    )


def alarm_notifications(plane: DataPlane) -> Part | None:
    """Proactive alarm messages to Slack/Teams, fed by the in-process runner or else events_log."""
    from api.notifications.service import AlarmNotifications

    assert plane.bundle is not None
    notifications = AlarmNotifications(
        plane.options.web, bundle=plane.bundle, runner=plane.rules, database_url=plane.database_url
    )
    return notifications if notifications.configured else None


def index_knowledge_in_background(
    database_url: str, bundle: PlantBundle, *, after_listening: tuple[str, int] | None = None
) -> threading.Thread:
    """Bring the knowledge index up to date without delaying start-up (only changed passages embed)."""

    def index() -> None:
        from knowledge.service import index_plant
        from lockpilot.net import wait_for_port
        from tools.adapters import mark_indexed, mark_indexing

        mark_indexing(bundle.plant.name)
        try:
            if after_listening is not None:
                wait_for_port(*after_listening, timeout_s=120)
            report = index_plant(database_url, bundle=bundle)
            log.info("knowledge_indexed", passages=report.total, added=report.added, seconds=report.seconds)
        except Exception:
            log.exception("knowledge_index_failed")
        finally:
            mark_indexed(bundle.plant.name)

    thread = threading.Thread(target=index, name="knowledge-index", daemon=True)
    thread.start()
    return thread
