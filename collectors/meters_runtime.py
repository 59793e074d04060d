"""Start the meters of `meters.yaml`: as configured on a site, or against simulated peers in the demo."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import structlog

from collectors.modbus_rtu import RtuBus, RtuCollector, RtuMeter
from collectors.modbus_tcp import ModbusTcpCollector
from collectors.polling import PollingCollector
from collectors.tuya_cloud import TuyaCloudClient, TuyaCloudCollector
from collectors.tuya_local import TuyaLocalCollector
from lockpilot.bus import SampleSink
from lockpilot.clock import Clock
from lockpilot.plant import Protocol
from lockpilot.plant.meters import (
    MeterDevice,
    MetersFile,
    RtuLineConfig,
    TcpDeviceConfig,
    TuyaDeviceConfig,
)

log = structlog.get_logger(__name__)
Closer = Callable[[], None]
Built = tuple[PollingCollector, list[Closer]]


@dataclass(frozen=True, slots=True)
class MeterEndpoint:
    """Run-time overrides of a device's endpoint (a simulated peer); empty on a real site."""

    host: str | None = None
    port: int | None = None
    serial_port: str | None = None
    local_key: str | None = None
    tuya_version: float | None = None
    sources: Mapping[str, str] = field(default_factory=dict)  # device or meter id -> source label

    def source(self, device_id: str) -> str:
        """The source label of a device's readings: its simulated peer's, else the device id."""
        return self.sources.get(device_id, device_id)


@dataclass
class MeterParts:
    """The meter collectors of `meters.yaml` (for /health) and the resources they need released."""

    collectors: list[PollingCollector] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # device ids not started (inactive, no secret)
    closers: list[Closer] = field(default_factory=list)

    def start(self) -> None:
        """Start polling every built collector."""
        for collector in self.collectors:
            collector.start()
        log.info("meters_started", collectors=[c.device_id for c in self.collectors], skipped=self.skipped)

    def stop(self) -> None:
        """Stop the collectors and release their resources (idempotent)."""
        steps: list[Closer] = [c.stop for c in self.collectors] + self.closers
        for step in steps:
            try:
                step()
            except Exception:
                log.exception("meter_stop_failed", step=getattr(step, "__qualname__", str(step)))
        self.collectors, self.closers = [], []


def build_meters(
    meters: MetersFile,
    sink: SampleSink,
    *,
    endpoints: Mapping[str, MeterEndpoint] | None = None,
    clock: Clock | None = None,
    env: Mapping[str, str] | None = None,
) -> MeterParts:
    """A collector for every active meter device; `endpoints` point simulated devices at their peers."""
    parts = MeterParts()
    active = [d for d in meters.devices if d.active]
    parts.skipped += [d.id for d in meters.devices if not d.active]
    try:
        for device in active:
            _add(
                parts, device, sink, endpoints=endpoints, clock=clock, env=os.environ if env is None else env
            )
    except BaseException:
        parts.stop()
        raise
    return parts


def _add(
    parts: MeterParts,
    device: MeterDevice,
    sink: SampleSink,
    *,
    endpoints: Mapping[str, MeterEndpoint] | None,
    clock: Clock | None,
    env: Mapping[str, str],
) -> None:
    """Build one device's collector into `parts` (or note it skipped)."""
    endpoint = endpoints.get(device.id) if endpoints is not None else None
    if device.simulated and endpoints is not None and endpoint is None:
        raise RuntimeError(f"no simulated peer serves meter device '{device.id}'")
    built = BUILDERS[device.protocol](device, sink, endpoint or MeterEndpoint(), clock=clock, env=env)
    if built is None:
        parts.skipped.append(device.id)
        return
    collector, closers = built
    parts.collectors.append(collector)
    parts.closers += closers


def build_rtu(
    line: RtuLineConfig, sink: SampleSink, at: MeterEndpoint, *, clock: Clock | None, env: Mapping[str, str]
) -> Built:
    """A collector for one RS-485 line with every meter on it."""
    bus = RtuBus(
        at.serial_port or line.port,
        baudrate=line.baudrate,
        timeout_s=line.timeout_s,
        inter_frame_gap_s=line.inter_frame_gap_s,
    )
    meters = [
        RtuMeter(
            m.id,
            m.address,
            m.driver,
            {metric.value: tag for metric, tag in m.tags.items()},
            tuple(m.points),
            source=at.source(m.id),
        )
        for m in line.meters
    ]
    return RtuCollector(bus, meters, sink, device_id=line.id, period_s=line.period_s, clock=clock), []


def build_tcp(
    dev: TcpDeviceConfig, sink: SampleSink, at: MeterEndpoint, *, clock: Clock | None, env: Mapping[str, str]
) -> Built:
    """A collector for one Modbus TCP register map."""
    collector = ModbusTcpCollector(
        at.host or dev.host,
        dev.points,
        sink,
        device_id=dev.id,
        port=at.port or dev.port,
        unit_id=dev.unit_id,
        period_s=dev.period_s,
        timeout_s=dev.timeout_s,
        source=at.source(dev.id),
        clock=clock,
    )
    return collector, [collector.close]


def build_tuya(
    dev: TuyaDeviceConfig, sink: SampleSink, at: MeterEndpoint, *, clock: Clock | None, env: Mapping[str, str]
) -> Built | None:
    """A local collector (a peer's endpoint wins), or a cloud one; None when a secret is missing."""
    if dev.mode == "cloud" and at.host is None:
        return _tuya_cloud(dev, sink, clock=clock, env=env)
    key = at.local_key or dev.local_key or env.get(dev.local_key_env or "")
    host = at.host or dev.host
    if not key or host is None:
        log.error("meter_secret_missing", device=dev.id, env=dev.local_key_env)
        return None
    collector = TuyaLocalCollector(
        dev.id,
        host,
        key,
        dev.points,
        sink,
        tuya_id=dev.tuya_id,
        version=at.tuya_version or dev.version.value,
        port=at.port or dev.port,
        period_s=dev.period_s,
        source=at.source(dev.id),
        clock=clock,
    )
    return collector, []


def _tuya_cloud(
    dev: TuyaDeviceConfig, sink: SampleSink, *, clock: Clock | None, env: Mapping[str, str]
) -> Built | None:
    client_id, secret = env.get(dev.client_id_env or ""), env.get(dev.secret_env or "")
    if not client_id or not secret or dev.region is None:
        log.error("meter_secret_missing", device=dev.id, env=[dev.client_id_env, dev.secret_env])
        return None
    client = TuyaCloudClient(client_id=client_id, secret=secret, region=dev.region)
    collector = TuyaCloudCollector(
        client, dev.tuya_id, dev.points, sink, device_id=dev.id, period_s=dev.period_s, clock=clock
    )
    return collector, [client.close]


BUILDERS: dict[Protocol, Callable[..., Any]] = {
    Protocol.MODBUS_RTU: build_rtu,
    Protocol.MODBUS_TCP: build_tcp,
    Protocol.TUYA: build_tuya,
}
