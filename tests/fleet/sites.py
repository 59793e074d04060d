"""Sites for the fleet tests: a twin (the lock model, in process) feeding a site's bus at 2 Hz, the production
rules runner on that bus, and the production site publisher; plus a central on the same broker."""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho

from fleet.central.host import FleetHost
from fleet.settings import MqttSettings
from fleet.site.publisher import SitePublisher
from lockpilot.bus import SampleBus
from lockpilot.clock import SystemClock
from lockpilot.plant import Plant
from lockpilot.samples import Quality, Sample
from rules.bundle import PlantBundle
from rules.engine import RulesEngine
from rules.lifecycle import AlarmEvent
from rules.runner import RulesRunner
from tests.conftest import wait_for
from twin import LockTwin

__all__ = ["Central", "Site", "TwinSource", "mqtt_settings", "raw_client", "wait_for"]


def mqtt_settings(port: int, *, group: str, host_id: str, keepalive_s: int = 5) -> MqttSettings:
    return MqttSettings(
        mqtt_url=f"mqtt://127.0.0.1:{port}",
        sparkplug_group=group,
        sparkplug_host_id=host_id,
        mqtt_keepalive_s=keepalive_s,
        _env_file=None,  # type: ignore[call-arg]
    )


class TwinSource:
    """Steps a twin in wall time and publishes every PLC tag to a bus each `period_s`; overrides win."""

    def __init__(self, twin: LockTwin, bus: SampleBus, *, period_s: float = 0.5) -> None:
        self.twin, self.bus, self.period_s = twin, bus, period_s
        self.overrides: dict[str, Any] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)

    def _run(self) -> None:
        while not self._stop.wait(self.period_s):
            self.twin.step(self.period_s)
            now = datetime.now(UTC)
            values = {**self.twin.values(), **self.overrides}
            self.bus.publish([Sample(t, now, v, Quality.GOOD, "clp_eclusa") for t, v in values.items()])


@dataclass
class Site:
    """One lock: bus, rules runner, publisher (and a twin source once started)."""

    node: str
    bus: SampleBus
    runner: RulesRunner
    publisher: SitePublisher
    source: TwinSource | None = None
    events: list[tuple[float, AlarmEvent]] = field(default_factory=list)

    @classmethod
    def make(cls, bundle: PlantBundle, settings: MqttSettings, node: str, data_dir: Path) -> Site:
        bus = SampleBus()
        runner = RulesRunner(RulesEngine.for_bundle(bundle), clock=SystemClock())
        publisher = SitePublisher(settings, bundle.plant, data_dir=data_dir, alarms=runner, node_id=node)
        site = cls(node, bus, runner, publisher)
        runner.listeners.append(lambda events: site.events.extend((time.monotonic(), e) for e in events))
        bus.subscribe(runner)
        bus.subscribe(publisher)
        runner.start()
        publisher.start()
        return site

    def run_twin(self, plant: Plant, *, seed: int) -> None:
        self.source = TwinSource(LockTwin(plant, seed=seed), self.bus)
        self.source.start()

    def stop(self) -> None:
        if self.source is not None:
            self.source.stop()
        self.publisher.stop()
        self.runner.stop()


class Central:
    """The fleet host over a database and Redis of the test."""

    def __init__(self, settings: MqttSettings, plant: Plant, *, pg_url: str, redis_url: str, data_dir: Path):
        self.host = FleetHost(settings, plant, database_url=pg_url, redis_url=redis_url, data_dir=data_dir)
        self.host.start()

    def stop(self) -> None:
        self.host.stop()


def raw_client(port: int) -> paho.Client:
    """A plain MQTT client (a test's own hands on the broker)."""
    client = paho.Client(client_id=f"test-{uuid.uuid4().hex[:8]}", clean_session=True)
    client.connect("127.0.0.1", port)
    client.loop_start()
    return client
