"""The site publisher: one lock as a Sparkplug B edge node. A SampleSink and an alarm listener whose work runs
on one thread: changes beyond the deadband go to the journal first, then out as DDATA/NDATA while the broker
is up and the primary host is online; after an outage the journal is replayed as historical metrics."""

from __future__ import annotations

import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any, Protocol

import paho.mqtt.client as paho
import structlog

from fleet import mqtt
from fleet.settings import MqttSettings
from fleet.site.alarm_points import AlarmPoints
from fleet.site.births import Births
from fleet.site.catalog import NODE, AlarmInfo, SiteCatalog
from fleet.site.journal import Entry, Journal, Record
from fleet.sparkplug import codec
from fleet.sparkplug.topics import REBIRTH, MessageType, Topic, state_topic
from lockpilot.plant import Plant
from lockpilot.plant.meters import MetersFile
from lockpilot.samples import Sample
from rules.lifecycle import AlarmEvent
from storage.current_store import moved

log = structlog.get_logger(__name__)
MAX_METRICS_PER_MESSAGE = 2_000
HOUSEKEEPING_EVERY_S = 1.0  # free sent journal segments, forget sends older than the resend window


class AlarmFeed(Protocol):
    """What the publisher needs of the rules runner: its listeners and a way to read the engine safely."""

    listeners: list[Callable[[list[AlarmEvent]], None]]

    def submit(self, action: Callable[[Any], Any]) -> Future[Any]: ...


def _snapshot(engine: Any) -> tuple[list[AlarmInfo], list[dict[str, Any]]]:
    """Every alarm definition and the state of every alarm the engine's book holds (on the rules thread)."""
    infos = [AlarmInfo.of(d) for d in engine.catalog.defs.values()]
    return infos, [a.as_dict() for a in engine.book.alarms.values()]


class SitePublisher:
    """`start()`/`stop()` (idempotent); `publish(batch)` never blocks."""

    def __init__(
        self,
        settings: MqttSettings,
        plant: Plant,
        *,
        data_dir: Path,
        meters: MetersFile | None = None,
        alarms: AlarmFeed | None = None,
        node_id: str | None = None,
    ) -> None:
        self.settings = settings
        self.group = settings.sparkplug_group
        self.node = node_id or settings.sparkplug_node or plant.name
        self.catalog = SiteCatalog.build(plant, meters=meters if meters is not None else plant.meters)
        self.journal = Journal(data_dir / "sparkplug" / self.group / self.node)
        self.alarm_points = AlarmPoints()
        self._alarm_feed = alarms
        self._inbox: queue.Queue[tuple[str, Any]] = queue.Queue()
        self._client = mqtt.make_client(settings, client_id=f"lockpilot-{self.group}-{self.node}")
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = self._on_disconnect
        self._client.on_message = self._on_message
        self._births = Births(self)
        self._bd_seq = self._births.load_bd_seq()
        self._session_bd: int | None = None  # bdSeq of the connection the worker knows is up
        self._host_ts = -1
        self._host_online = not settings.sparkplug_host_id
        self.live = False
        self._cursor = self.journal.first_n  # everything on disk at start is replayed
        self._sent: deque[tuple[int, float]] = deque()
        self._seq = 0
        self.latest: dict[str, Sample] = {}
        self.reported: dict[str, Sample] = {}  # the last value of each tag sent by exception
        self._thread: threading.Thread | None = None
        self.changes_journaled = self.records_sent = self.records_replayed = 0
        self.commands_refused = self.births_sent = self.dropped_metrics = 0

    # -- parts protocol ----------------------------------------------------------------------------
    def start(self) -> None:
        """Load the alarms, start the worker, connect (the will is this session's NDEATH)."""
        if self._thread is not None:
            return
        if self._alarm_feed is not None:
            infos, docs = self._alarm_feed.submit(_snapshot).result(timeout=30)
            for info in infos:
                self.catalog.add_alarm(info)
            self.alarm_points.load(docs)
            self._alarm_feed.listeners.append(self.on_alarm_events)
        self._set_will()
        self._thread = threading.Thread(target=self._run, name=f"sparkplug-{self.node}", daemon=True)
        self._thread.start()
        mqtt.connect(self._client, self.settings)

    def stop(self, *, timeout_s: float = 10.0) -> None:
        """Send NDEATH, disconnect, close the journal."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        if self._alarm_feed is not None and self.on_alarm_events in self._alarm_feed.listeners:
            self._alarm_feed.listeners.remove(self.on_alarm_events)
        self._inbox.put(("stop", None))
        thread.join(timeout_s)

    def publish(self, batch: Sequence[Sample]) -> None:
        self._inbox.put(("samples", batch))

    def on_alarm_events(self, events: list[AlarmEvent]) -> None:
        """Runner listener (called on the rules thread): queue and return."""
        self._inbox.put(("alarms", events))

    def wait_idle(self, *, timeout_s: float) -> bool:
        """Wait until the inbox is empty and, when live, the journal is sent; False on timeout."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._inbox.empty() and (not self.live or self._cursor == self.journal.next_n):
                return True
            time.sleep(0.02)
        return False

    # -- MQTT callbacks (network thread) -------------------------------------------------------------
    def _topic(self, kind: MessageType, device: str | None = None) -> str:
        return str(Topic(self.group, kind, self.node, device or None))

    def _set_will(self) -> None:
        will = codec.encode_death(self._bd_seq, timestamp_ms=int(time.time() * 1000))
        self._client.will_set(self._topic(MessageType.NDEATH), will, qos=mqtt.QOS1, retain=False)

    def _on_connect(self, client: paho.Client, _userdata: Any, _flags: Any, rc: int) -> None:
        if rc != 0:
            log.warning("mqtt_connect_refused", node=self.node, rc=rc)
            return
        subs = [(self._topic(MessageType.NCMD), mqtt.QOS1), (self._topic(MessageType.DCMD) + "/+", mqtt.QOS1)]
        if self.settings.sparkplug_host_id:
            subs.append((state_topic(self.settings.sparkplug_host_id), mqtt.QOS1))
        client.subscribe(subs)
        self._inbox.put(("connected", self._bd_seq))

    def _on_disconnect(self, _client: paho.Client, _userdata: Any, rc: int) -> None:
        self._bd_seq = (self._bd_seq + 1) % 256  # the next connection is a new session
        self._set_will()
        self._inbox.put(("disconnected", rc))

    def _on_message(self, _client: paho.Client, _userdata: Any, message: paho.MQTTMessage) -> None:
        if message.topic.startswith("spBv1.0/STATE/"):
            state = codec.decode_state(message.payload)
            if state is not None:
                self._inbox.put(("state", state))
            return
        topic = Topic.parse(message.topic)
        try:
            metrics = codec.decode(message.payload).metrics
        except Exception:
            metrics = []
        if (
            topic is not None
            and topic.kind is MessageType.NCMD
            and any(m.name == REBIRTH and m.value is True for m in metrics)
        ):
            self._inbox.put(("rebirth", None))
            if all(m.name == REBIRTH for m in metrics):
                return
        self.commands_refused += 1  # this edge node takes no writes: commands are approved at the site only
        log.warning("sparkplug_command_refused", topic=message.topic, metrics=[m.name for m in metrics])

    # -- worker ---------------------------------------------------------------------------------------
    def _run(self) -> None:
        handlers: dict[str, Callable[[Any], None]] = {
            "samples": self._on_samples,
            "alarms": self._on_alarms,
            "connected": self._on_session,
            "disconnected": lambda _: self._away(connected=False),
            "state": self._on_state,
            "rebirth": lambda _: self._births.send() if self.live else None,
        }
        swept = time.monotonic()
        while True:
            if time.monotonic() - swept >= HOUSEKEEPING_EVERY_S:
                self._housekeeping()
                swept = time.monotonic()
            try:
                kind, arg = self._inbox.get(timeout=HOUSEKEEPING_EVERY_S)
            except queue.Empty:
                continue
            if kind == "stop":
                self._shutdown()
                return
            try:
                handlers[kind](arg)
            except Exception:
                log.exception("sparkplug_step_failed", node=self.node, step=kind)

    def _on_session(self, bd_seq: int) -> None:
        self._session_bd = bd_seq
        self._maybe_live()

    def _on_state(self, state: Any) -> None:
        if state.timestamp < self._host_ts:
            return  # an older session's STATE (its will, delivered late)
        self._host_ts = state.timestamp
        was_online, self._host_online = self._host_online, state.online
        if was_online and not state.online:
            self._away(connected=True)
        self._maybe_live()

    def _maybe_live(self) -> None:
        if self.live or self._session_bd is None or not self._host_online:
            return
        self._births.send()
        self.live = True
        self._replay()

    def _away(self, *, connected: bool) -> None:
        """Broker or host gone: stop sending; what went out just before may be lost, so resend it."""
        if not connected:
            self._session_bd = None
        if self.live:
            log.info("sparkplug_store_and_forward", node=self.node, connected=connected)
        self.live = False
        cutoff = time.monotonic() - self.settings.fleet_resend_window_s
        recent = [n for n, sent_at in self._sent if sent_at >= cutoff]
        if recent:
            self._cursor = min(self._cursor, min(recent))

    def _on_samples(self, batch: Sequence[Sample]) -> None:
        groups: dict[str, list[Entry]] = {}
        device_of, deadbands = self.catalog.device_of, self.catalog.deadbands
        for sample in batch:
            device = device_of.get(sample.tag)
            latest = self.latest.get(sample.tag)
            if device is None or (latest is not None and sample.time <= latest.time):
                continue
            self.latest[sample.tag] = sample
            if moved(self.reported.get(sample.tag), sample, deadbands[sample.tag]):
                self.reported[sample.tag] = sample
                entry = (
                    sample.tag,
                    int(sample.time.timestamp() * 1000),
                    sample.value,
                    codec.QUALITY_CODE[sample.quality],
                )
                groups.setdefault(device, []).append(entry)
        for device, entries in groups.items():
            self.changes_journaled += len(entries)
            self._append(device, entries)

    def _on_alarms(self, events: list[AlarmEvent]) -> None:
        unknown = {
            e.alarm_id for e in events if self.catalog.metric(NODE, f"alarmes/{e.alarm_id}/estado") is None
        }
        if unknown and self._alarm_feed is not None:
            infos, _ = self._alarm_feed.submit(_snapshot).result(timeout=10)
            for info in infos:
                self.catalog.add_alarm(info)
        entries = self.alarm_points.apply(events)
        if unknown and self.live:
            self._births.send()  # new metrics are declared by a new birth before they are sent
        self._append(NODE, entries)

    def _append(self, device: str, entries: list[Entry]) -> None:
        record = self.journal.append(device, entries)
        if self.live and self._cursor == record.n and self._send([record], historical=False):
            self._cursor = record.n + 1

    def _replay(self) -> None:
        """Send the journal from the cursor, oldest first, as historical metrics."""
        pending: list[Record] = []
        for record in self.journal.read_from(self._cursor):
            if pending and (
                pending[0].device != record.device or self._size(pending) >= MAX_METRICS_PER_MESSAGE
            ):
                if not self._flush_replay(pending):
                    return
                pending = []
            pending.append(record)
        if pending:
            self._flush_replay(pending)

    @staticmethod
    def _size(records: list[Record]) -> int:
        return sum(len(r.entries) for r in records)

    def _flush_replay(self, records: list[Record]) -> bool:
        if not self._send(records, historical=True):
            self.live = False
            return False
        self.records_replayed += len(records)
        self._cursor = records[-1].n + 1
        return True

    def _send(self, records: list[Record], *, historical: bool) -> bool:
        device = records[0].device
        points = [p for r in records for p in self._births.points(device, r.entries, historical=historical)]
        kind = MessageType.NDATA if device == NODE else MessageType.DDATA
        if not self.publish_payload(kind, device, points):
            return False
        now = time.monotonic()
        self._sent.extend((r.n, now) for r in records)
        self.records_sent += len(records)
        return True

    def publish_payload(
        self, kind: MessageType, device: str, points: list[codec.Point], *, birth: bool = False
    ) -> bool:
        """Encode with the next seq and publish at QoS 0 (Sparkplug's rule for births and data)."""
        payload = codec.encode(points, seq=self._seq, timestamp_ms=int(time.time() * 1000), birth=birth)
        info = self._client.publish(self._topic(kind, device), payload, qos=mqtt.QOS0)
        if info.rc != paho.MQTT_ERR_SUCCESS:
            return False
        self._seq = (self._seq + 1) % 256
        return True

    @property
    def session_bd_seq(self) -> int:
        return self._session_bd if self._session_bd is not None else self._bd_seq

    def _housekeeping(self) -> None:
        cutoff = time.monotonic() - self.settings.fleet_resend_window_s
        while self._sent and self._sent[0][1] < cutoff:
            self._sent.popleft()
        oldest_resendable = self._sent[0][0] if self._sent else self._cursor  # sends are in record order
        self.journal.release(min(self._cursor, oldest_resendable))

    def _shutdown(self) -> None:
        if self.live and self._session_bd is not None:
            death = codec.encode_death(self._session_bd, timestamp_ms=int(time.time() * 1000))
            self._client.publish(self._topic(MessageType.NDEATH), death, qos=mqtt.QOS1).wait_for_publish(2.0)
        self.live = False
        self._client.on_disconnect = None
        mqtt.disconnect(self._client)
        self.journal.close()
