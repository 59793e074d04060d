"""Where each meter tag's readings go in the metering store: client, device, device type, metric."""

from __future__ import annotations

from lockpilot.plant.meters import MetersFile, RtuLineConfig, TcpDeviceConfig, TuyaDeviceConfig
from metering.models import DeviceType
from metering.sink import MeterTag


def meter_targets(meters: MetersFile) -> dict[str, MeterTag]:
    """Map every meter tag of meters.yaml to its client, device and metric (one device per meter)."""
    targets: dict[str, MeterTag] = {}
    for device in meters.devices:
        if isinstance(device, RtuLineConfig):
            for meter in device.meters:
                for metric, tag in meter.tags.items():
                    targets[tag] = MeterTag(meters.client, meter.id, DeviceType.MODBUS_RTU, metric.value)
                for point in meter.points:
                    targets[point.tag] = MeterTag(meters.client, meter.id, DeviceType.MODBUS_RTU, point.tag)
        elif isinstance(device, TcpDeviceConfig):
            for point in device.points:
                targets[point.tag] = MeterTag(meters.client, device.id, DeviceType.MODBUS_TCP, point.tag)
        elif isinstance(device, TuyaDeviceConfig):
            for tuya_point in device.points:
                targets[tuya_point.tag] = MeterTag(meters.client, device.id, DeviceType.TUYA, tuya_point.tag)
    return targets
