"""The central: Sparkplug primary host application of a group. It announces itself with STATE (its will says
offline), takes every edge node's births and data, keeps values, alarms, status (Redis) and history
(PostgreSQL), asks for a rebirth when it missed a birth or sees a sequence gap, and marks a site offline on
its NDEATH. Its only command is the rebirth request: it has no path to a PLC."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho
import structlog

from fleet import mqtt
from fleet.central.alarm_docs import alarm_docs, first_out_of
from fleet.central.history import fleet_ingester, site_source
from fleet.central.store import FleetStore, SiteStatus
from fleet.central.tracking import DeviceBirth, SeqCheck, SiteTrack
from fleet.settings import MqttSettings
from fleet.sparkplug import codec
from fleet.sparkplug.topics import BD_SEQ, MessageType, Topic, group_filter, state_topic
from lockpilot.plant import Plant
from lockpilot.samples import Sample
from storage.history_writer import HistoryWriter
from storage.rollup import Row

log = structlog.get_logger(__name__)
REBIRTH_EVERY_S = 2.0  # at most one rebirth request per site in this time


class FleetHost:
    """`start()`/`stop()` (idempotent). `on_sample(site, sample, historical)` hooks let a bench observe."""

    def __init__(
        self,
        settings: MqttSettings,
        plant: Plant,
        *,
        database_url: str,
        redis_url: str,
        data_dir: Path,
        status_every_s: float = 0.25,
    ) -> None:
        self.settings, self.group = settings, settings.sparkplug_group
        self.host_id = settings.sparkplug_host_id or "lockpilot-central"
        self.store = FleetStore(redis_url, plant, group=self.group)
        self.writer = (
            HistoryWriter(  # batches of at most 0.25 s: the fleet's end-to-end latency budget is 1 s
                database_url,
                spool_dir=data_dir / "fleet-spool",
                batch_age_s=0.25,
                ingester=fleet_ingester(self._on_commit),
            )
        )
        self.sites: dict[str, SiteTrack] = {}
        self.observers: list[Callable[[str, Sequence[Sample]], None]] = []  # samples taken into history
        self.commit_observers: list[Callable[[Sequence[Row]], None]] = []  # rows committed to PostgreSQL
        self._lock = threading.Lock()  # sites and committed marks: MQTT thread vs writer and flusher threads
        self._committed: dict[str, dict[str, int]] = {}
        self._status_every_s = status_every_s
        self._stop = threading.Event()
        self._flusher: threading.Thread | None = None
        self._client = mqtt.make_client(settings, client_id=f"lockpilot-host-{self.host_id}")
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = self._on_disconnect
        self._client.on_message = self._on_message
        self._state_ts = 0
        self.messages = self.metrics_in = self.duplicates = 0

    # -- parts protocol ----------------------------------------------------------------------------
    def start(self) -> None:
        """Start the history writer and the status flusher, then connect (will: STATE offline)."""
        if self._flusher is not None:
            return
        self.writer.start()
        self._stop.clear()
        self._flusher = threading.Thread(target=self._flush_loop, name="fleet-status", daemon=True)
        self._flusher.start()
        self._new_session()
        mqtt.connect(self._client, self.settings)

    def stop(self) -> None:
        """Say STATE offline, disconnect, flush statuses and history."""
        flusher, self._flusher = self._flusher, None
        if flusher is None:
            return
        offline = codec.encode_state(online=False, timestamp_ms=self._state_ts)
        info = self._client.publish(state_topic(self.host_id), offline, qos=mqtt.QOS1, retain=True)
        if info.rc == paho.MQTT_ERR_SUCCESS:
            info.wait_for_publish(2.0)
        self._client.on_disconnect = None
        mqtt.disconnect(self._client)
        self._stop.set()
        flusher.join(5.0)
        self.writer.stop()  # commits what is queued: its marks must reach Redis below
        self._flush_status()
        self.store.close()

    def wait_idle(self, *, timeout_s: float) -> bool:
        """Wait until what arrived is in Redis and PostgreSQL."""
        return self.store.wait_idle(timeout_s=timeout_s) and self.writer.wait_idle(timeout_s=timeout_s)

    # -- MQTT (network thread) -----------------------------------------------------------------------
    def _new_session(self) -> None:
        self._state_ts = int(time.time() * 1000)
        will = codec.encode_state(online=False, timestamp_ms=self._state_ts)
        self._client.will_set(state_topic(self.host_id), will, qos=mqtt.QOS1, retain=True)

    def _on_connect(self, client: paho.Client, _userdata: Any, _flags: Any, rc: int) -> None:
        if rc != 0:
            log.warning("mqtt_connect_refused", host=self.host_id, rc=rc)
            return
        client.subscribe([(group_filter(self.group), mqtt.QOS1)])  # births first, then say online
        online = codec.encode_state(online=True, timestamp_ms=self._state_ts)
        client.publish(state_topic(self.host_id), online, qos=mqtt.QOS1, retain=True)
        log.info("fleet_host_online", host=self.host_id, group=self.group)

    def _on_disconnect(self, _client: paho.Client, _userdata: Any, rc: int) -> None:
        log.warning("fleet_host_disconnected", host=self.host_id, rc=rc)
        self._new_session()

    def _on_message(self, _client: paho.Client, _userdata: Any, message: paho.MQTTMessage) -> None:
        topic = Topic.parse(message.topic)
        if topic is None or topic.group != self.group:
            return
        try:
            self._handle(topic, message.payload)
        except Exception:
            log.exception("fleet_message_failed", topic=message.topic)

    def _handle(self, topic: Topic, payload: bytes) -> None:
        kind = topic.kind
        if kind in (MessageType.NCMD, MessageType.DCMD):
            return
        self.messages += 1
        with self._lock:
            self._handle_locked(topic, payload)

    def _handle_locked(self, topic: Topic, payload: bytes) -> None:
        kind = topic.kind
        track = self._track(topic.node)
        track.status.last_seen = time.time()
        if kind is MessageType.NBIRTH:
            self._nbirth(track, codec.decode(payload))
        elif kind is MessageType.NDEATH:
            self._ndeath(track, codec.decode(payload))
        else:
            birth = track.birth_of(topic.device) if kind is not MessageType.DBIRTH else None
            message = codec.decode(payload, types=birth.types if birth else None)
            self._sequenced(track, topic, message)

    def _track(self, site: str) -> SiteTrack:
        track = self.sites.get(site)
        if track is None:
            track = SiteTrack(SiteStatus(site), marks=self.store.read_marks(site))
            self.sites[site] = track
        return track

    def _nbirth(self, track: SiteTrack, message: codec.Message) -> None:
        status = track.status
        status.bd_seq = track.on_nbirth(message)
        status.births += 1
        status.devices = {}
        if not status.online:
            status.online, status.since = True, time.time()
        assert track.node_birth is not None
        self._node_metrics(track, track.node_birth, message.metrics)
        log.info("fleet_site_birth", site=status.site, bd_seq=status.bd_seq)

    def _ndeath(self, track: SiteTrack, message: codec.Message) -> None:
        bd = next((m.value for m in message.metrics if m.name == BD_SEQ), None)
        status = track.status
        if bd is not None and status.bd_seq is not None and int(bd) != status.bd_seq:
            return  # the death of an older session: the site is already born again
        status.online, status.since = False, time.time()
        status.devices = dict.fromkeys(status.devices, False)
        track.node_birth, track.seq = None, None
        log.warning("fleet_site_offline", site=status.site, bd_seq=bd)

    def _sequenced(self, track: SiteTrack, topic: Topic, message: codec.Message) -> None:
        check = track.check_seq(message.seq)
        if check is not SeqCheck.OK:
            track.status.seq_gaps += check is SeqCheck.GAP
            self._ask_rebirth(track, reason=check)
            if check is SeqCheck.NO_BIRTH:
                return
        kind = topic.kind
        if kind is MessageType.DBIRTH:
            assert topic.device is not None
            birth = DeviceBirth.of(message)
            track.devices[topic.device] = birth
            track.status.devices[topic.device] = True
            self._device_metrics(track, topic.device, birth, message.metrics, from_birth=True)
        elif kind is MessageType.DDEATH:
            track.devices.pop(topic.device or "", None)
            track.status.devices[topic.device or ""] = False
        elif kind is MessageType.NDATA:
            assert track.node_birth is not None
            self._node_metrics(track, track.node_birth, message.metrics)
        elif kind is MessageType.DDATA:
            born = track.birth_of(topic.device)
            if born is None:
                self._ask_rebirth(track, reason="unknown_device")
                return
            self._device_metrics(track, topic.device or "", born, message.metrics, from_birth=False)

    def _node_metrics(self, track: SiteTrack, birth: DeviceBirth, metrics: list[codec.Received]) -> None:
        docs = alarm_docs(track, birth, metrics)
        self.store.write_alarms(track.status.site, docs)
        first_out = first_out_of(track, birth, metrics)
        if first_out is not None:
            track.status.first_out = first_out

    def _device_metrics(
        self,
        track: SiteTrack,
        device: str,
        birth: DeviceBirth,
        metrics: list[codec.Received],
        *,
        from_birth: bool,
    ) -> None:
        """Live values to the current store; data (live or historical, never births) to history once."""
        site = track.status.site
        source = site_source(site, device)
        live: list[Sample] = []
        history: list[Sample] = []
        for m in metrics:
            name = track.name_of(birth, m)
            if name is None or m.timestamp_ms is None:
                continue
            sample = Sample(
                name, datetime.fromtimestamp(m.timestamp_ms / 1000, UTC), m.value, m.quality, source
            )
            self.metrics_in += 1
            if not m.historical and (m.value is not None or not from_birth):
                live.append(sample)
            if from_birth:
                continue
            if track.is_new(name, m.timestamp_ms):
                history.append(sample)
            else:
                self.duplicates += 1
        if live:
            self.store.current(site).publish(live)
        if history:
            self.writer.publish(history)
            for observer in self.observers:
                observer(site, history)

    def _ask_rebirth(self, track: SiteTrack, *, reason: str) -> None:
        now = time.monotonic()
        if now - track.rebirth_asked_at < REBIRTH_EVERY_S:
            return
        track.rebirth_asked_at = now
        track.status.rebirths_requested += 1
        topic = Topic(self.group, MessageType.NCMD, track.status.site)
        payload = codec.encode_rebirth_request(timestamp_ms=int(time.time() * 1000))
        self._client.publish(str(topic), payload, qos=mqtt.QOS0)
        log.info("fleet_rebirth_requested", site=track.status.site, reason=reason)

    # -- writer thread and flusher -------------------------------------------------------------------
    def _on_commit(self, rows: Sequence[Row]) -> None:
        """History marks of committed rows (what a restarted central will not take twice)."""
        for observer in self.commit_observers:
            observer(rows)
        with self._lock:
            for t, tag, _value, _quality, source in rows:
                marks = self._committed.setdefault(source.partition("/")[0], {})
                t_ms = int(t.timestamp() * 1000)
                if t_ms > marks.get(tag, -1):
                    marks[tag] = t_ms

    def _flush_loop(self) -> None:
        while not self._stop.wait(self._status_every_s):
            try:
                self._flush_status()
            except Exception:
                log.exception("fleet_status_flush_failed")

    def _flush_status(self) -> None:
        with self._lock:
            statuses = [SiteStatus(**t.status.as_dict()) for t in self.sites.values()]
            committed, self._committed = self._committed, {}
        self.store.write_status(statuses)
        for site, marks in committed.items():
            self.store.write_marks(site, marks)
