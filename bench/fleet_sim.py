"""Simulated sites for `lockpilot bench fleet`: the plant's every tag at 2 Hz into a real SitePublisher each,
many sites per worker process; a bare Sparkplug subscriber as the baseline of what the broker delivers."""

from __future__ import annotations

import multiprocessing.connection
import random
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho
import psutil

from fleet.settings import MqttSettings
from fleet.site.publisher import SitePublisher
from fleet.sparkplug import codec
from fleet.sparkplug.topics import MessageType, Topic, group_filter
from lockpilot.plant import DataType, Plant, Tag, load_plant
from lockpilot.samples import Quality, Sample, Value


@dataclass(frozen=True, slots=True)
class SiteJob:
    """What a worker process runs: its sites, the broker, how long and how fast."""

    nodes: tuple[str, ...]
    mqtt_url: str
    group: str
    host_id: str
    data_dir: str
    seconds: float
    period_s: float = 0.5


class Walk:
    """Values that move like a lock's: analog tags wander (often beyond their deadband), bits rarely flip."""

    def __init__(self, tags: list[Tag], seed: int) -> None:
        self.rng = random.Random(seed)
        self.tags = tags
        self.values: dict[str, Value] = {}
        for t in tags:
            lo, hi = t.range or (0.0, 100.0)
            self.values[t.name] = {DataType.BOOL: False, DataType.INT: 0, DataType.DINT: 0}.get(
                t.type, (lo + hi) / 2
            )

    def step(self) -> dict[str, Value]:
        for t in self.tags:
            v = self.values[t.name]
            if t.type is DataType.REAL:
                lo, hi = t.range or (0.0, 100.0)
                step = self.rng.gauss(0.0, 3 * (t.deadband or (hi - lo) / 1000))
                self.values[t.name] = min(hi, max(lo, float(v) + step))
            elif t.type is DataType.BOOL and self.rng.random() < 0.01:
                self.values[t.name] = not v
            elif self.rng.random() < 0.01:
                self.values[t.name] = int(v) + 1
        return self.values


def run_sites(job: SiteJob, conn: multiprocessing.connection.Connection) -> None:
    """Worker process: start the sites, wait for "go", feed them for job.seconds, report counts and CPU."""
    plant: Plant = load_plant("lock")
    settings = MqttSettings(mqtt_url=job.mqtt_url, sparkplug_group=job.group, sparkplug_host_id=job.host_id)
    sites = []
    for i, node in enumerate(job.nodes):
        publisher = SitePublisher(settings, plant, data_dir=Path(job.data_dir), node_id=node)
        publisher.start()
        sites.append((publisher, Walk(list(plant.tags.values()), seed=hash(node) + i)))
    deadline = time.monotonic() + 60
    while not all(p.live for p, _ in sites) and time.monotonic() < deadline:
        time.sleep(0.05)
    conn.send({"ready": sum(p.live for p, _ in sites)})
    conn.recv()  # go
    process = psutil.Process()
    cpu0, samples = process.cpu_times(), 0
    start = time.monotonic()
    tick = start
    while (now := time.monotonic()) - start < job.seconds:
        stamp = datetime.now(UTC)
        for publisher, walk in sites:
            batch = [Sample(t, stamp, v, Quality.GOOD, "sim") for t, v in walk.step().items()]
            publisher.publish(batch)
            samples += len(batch)
        tick += job.period_s
        time.sleep(max(0.0, tick - now))
    for publisher, _ in sites:
        publisher.wait_idle(timeout_s=30)
    cpu1 = process.cpu_times()
    produced = sum(p.changes_journaled for p, _ in sites)
    conn.send(
        {
            "samples": samples,
            "produced": produced,
            "cpu_s": (cpu1.user + cpu1.system) - (cpu0.user + cpu0.system),
        }
    )
    for publisher, _ in sites:
        publisher.stop()


class BareSubscriber:
    """A plain subscriber to the group that decodes every payload and counts DDATA metrics: the ceiling."""

    def __init__(self, settings: MqttSettings) -> None:
        self.metrics = 0
        self.first: float | None = None
        self.last: float | None = None
        self._lock = threading.Lock()
        self._client = paho.Client(client_id=f"bench-bare-{settings.sparkplug_group}", clean_session=True)
        self._client.on_message = self._on_message
        self._client.on_connect = lambda c, *_: c.subscribe(group_filter(settings.sparkplug_group), 0)
        self._settings = settings

    def start(self) -> None:
        self._client.connect(self._settings.host, self._settings.port)
        self._client.loop_start()

    def stop(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()

    def _on_message(self, _client: Any, _userdata: Any, message: paho.MQTTMessage) -> None:
        topic = Topic.parse(message.topic)
        if topic is None or topic.kind is not MessageType.DDATA:
            return
        n = len(codec.decode(message.payload).metrics)
        now = time.monotonic()
        with self._lock:
            self.metrics += n
            self.first = self.first or now
            self.last = now


def run_bare(mqtt_url: str, group: str, seconds: float, conn: multiprocessing.connection.Connection) -> None:
    """Worker process: the bare subscriber for the run; report its count."""
    bare = BareSubscriber(MqttSettings(mqtt_url=mqtt_url, sparkplug_group=group))
    bare.start()
    conn.send({"ready": 1})
    conn.recv()
    time.sleep(seconds + 5)
    bare.stop()
    conn.send({"metrics": bare.metrics})
