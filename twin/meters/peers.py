"""The demo's meters: a PZEM bank on a pty line, the feeder analyser and a Tuya plug, fed by a running twin.

Each peer serves on loopback (free TCP ports, a fresh pty) and tells the collector where it is and the
`sim:` source its readings carry, so they are never taken for a real meter's.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

import structlog

from collectors.meters_runtime import MeterEndpoint
from lockpilot.clock import Clock
from lockpilot.net import free_port
from lockpilot.plant import Protocol as PlantProtocol
from lockpilot.plant.meter_points import RegisterPoint, RtuDriver, TuyaPoint, ValueType
from lockpilot.plant.meters import (
    MeterDevice,
    MetersFile,
    RtuLineConfig,
    TcpDeviceConfig,
    TuyaDeviceConfig,
)
from twin.meters.feed import SIM_SOURCE_PREFIX, Channel, MeterFeed, Reading
from twin.meters.pty_relay import PtyRelay
from twin.meters.pzem_bank import PzemBank
from twin.meters.tcp_peer import ModbusTcpPeer
from twin.meters.tuya_emulator import TuyaDeviceEmulator

log = structlog.get_logger(__name__)
SIM_VOLTAGE_V = 220.0  # supply voltage every simulated meter sees
SIM_PLUG_LOAD_W = 60.0  # constant load behind a simulated Tuya plug (the twin models no auxiliaries)
SIM_LOCAL_KEY = "simulatedlocalky"  # local key of an emulated plug whose real key lives in the environment
SIM_TUYA_VERSION = 3.3  # the only protocol version the emulator speaks
Stop = Callable[[], None]

# What a simulated register-map or Tuya point shows, chosen by its unit (unit-less: power factor).
BY_UNIT: dict[str, Callable[[Reading], float]] = {
    "V": lambda r: r.voltage_v,
    "A": lambda r: r.current_a,
    "W": lambda r: r.power_w,
    "kW": lambda r: r.power_w / 1000.0,
    "Wh": lambda r: r.energy_wh,
    "kWh": lambda r: r.energy_wh / 1000.0,
    "Hz": lambda r: r.frequency_hz,
    "": lambda r: r.power_factor,
}


class RunningTwin(Protocol):
    """A twin being stepped on another thread (TwinServer): the model and the lock that guards it."""

    twin: Any
    lock: threading.Lock


class TwinView:
    """Plant values and simulated time of a running twin, each read under its lock."""

    def __init__(self, running: RunningTwin, *, clock: Clock) -> None:
        self._running = running
        with running.lock:
            self._sim_start_s = float(running.twin.sim_time_s)
        self._start = clock.now()

    def values(self) -> Mapping[str, object]:
        with self._running.lock:
            return self._running.twin.values()

    def now(self) -> datetime:
        """The twin's simulated time as a datetime: energy integrates at the twin's speed."""
        with self._running.lock:
            sim_s = float(self._running.twin.sim_time_s)
        return self._start + timedelta(seconds=sim_s - self._sim_start_s)


class SimulatedPeers:
    """Simulated peers of the meter devices: where each device's collector must look once started."""

    def __init__(
        self, meters: MetersFile, devices: Sequence[MeterDevice], running: RunningTwin, *, clock: Clock
    ) -> None:
        self._meters, self._devices, self._running, self._clock = meters, list(devices), running, clock
        self.endpoints: dict[str, MeterEndpoint] = {}
        self.stops: list[Stop] = []

    def start(self) -> None:
        """Serve each device from a peer fed by the running twin; the feeder analyser sees every channel."""
        if self.endpoints:
            return
        view = TwinView(self._running, clock=self._clock)
        feed = MeterFeed(view, channels_of(self._meters), clock=view)
        try:
            for device in self._devices:
                endpoint, stops = SERVERS[device.protocol](device, feed)
                self.endpoints[device.id] = endpoint
                self.stops += stops
        except BaseException:
            self.stop()
            raise
        log.info("sim_meters_serving", devices={d: e.sources for d, e in self.endpoints.items()})

    def stop(self) -> None:
        """Stop every peer, newest first (the PZEM bank before its pty relay)."""
        while self.stops:
            stop = self.stops.pop()
            try:
                stop()
            except Exception:
                log.exception("sim_peer_stop_failed")
        self.endpoints = {}


def channels_of(meters: MetersFile) -> dict[str, Channel]:
    """One feed channel per PZEM meter, driven by the twin tag of its motor current."""
    return {
        m.id: Channel(m.sim_current_tag or "", voltage_v=SIM_VOLTAGE_V)
        for d in meters.devices
        if isinstance(d, RtuLineConfig)
        for m in d.meters
        if m.driver is RtuDriver.PZEM004T
    }


def serve_rtu(line: RtuLineConfig, feed: MeterFeed) -> tuple[MeterEndpoint, list[Stop]]:
    """A PZEM bank on one end of a pty relay; the collector opens the other end."""
    relay = PtyRelay()
    relay.start()
    served = {m.address: m.id for m in line.meters if m.id in feed.channels}
    bank = PzemBank(relay.device_port, feed, served, baudrate=line.baudrate)
    try:
        bank.start()
    except BaseException:
        relay.stop()
        raise
    sources = {m.id: bank.source(m.address) for m in line.meters}
    return MeterEndpoint(serial_port=relay.client_port, sources=sources), [relay.stop, bank.stop]


def analyser_values(points: Sequence[RegisterPoint], reading: Reading) -> dict[str, float | bool]:
    """The value of each numeric point, chosen by its unit, from the feeder's total reading."""
    return {
        p.tag: BY_UNIT[p.unit](reading) for p in points if p.type is not ValueType.BOOL and p.unit in BY_UNIT
    }


def serve_tcp(dev: TcpDeviceConfig, feed: MeterFeed) -> tuple[MeterEndpoint, list[Stop]]:
    """The feeder power analyser on a free loopback port, showing the sum of every channel."""
    port = free_port()
    size = max(512, max(p.address + p.width for p in dev.points))
    peer = ModbusTcpPeer(
        port,
        unit_id=dev.unit_id,
        size=-(-size // 16) * 16,
        points=dev.points,
        values=lambda: analyser_values(dev.points, feed.total()),
    )
    peer.start()
    source = f"{SIM_SOURCE_PREFIX}modbus_tcp@{dev.id}"
    return MeterEndpoint(host=peer.host, port=port, sources={dev.id: source}), [peer.stop]


def plug_dps(points: Sequence[TuyaPoint]) -> dict[str, object]:
    """Data points of a switched-on plug with a constant load, as raw integers before scale."""
    load = Reading(SIM_VOLTAGE_V, SIM_PLUG_LOAD_W / SIM_VOLTAGE_V, SIM_PLUG_LOAD_W, 0.0, 60.0, 1.0)
    return {
        p.key: True if p.boolean else round(BY_UNIT.get(p.unit, lambda r: 0.0)(load) / p.scale)
        for p in points
    }


def serve_tuya(dev: TuyaDeviceConfig, feed: MeterFeed) -> tuple[MeterEndpoint, list[Stop]]:
    """A Tuya local device (protocol 3.3) on a free loopback port, whatever mode the real one uses."""
    key = dev.local_key or SIM_LOCAL_KEY
    emulator = TuyaDeviceEmulator(dev.tuya_id, key, lambda: plug_dps(dev.points))
    emulator.start()
    endpoint = MeterEndpoint(
        host=emulator.host,
        port=emulator.port,
        local_key=key,
        tuya_version=SIM_TUYA_VERSION,
        sources={dev.id: emulator.source},
    )
    return endpoint, [emulator.stop]


SERVERS: dict[PlantProtocol, Callable[..., tuple[MeterEndpoint, list[Stop]]]] = {
    PlantProtocol.MODBUS_RTU: serve_rtu,
    PlantProtocol.MODBUS_TCP: serve_tcp,
    PlantProtocol.TUYA: serve_tuya,
}
