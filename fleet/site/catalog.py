"""What one lock's edge node declares: its devices (`clp`, each meter bus), every tag as a metric with an
alias and its engineering properties, and one state metric per alarm (design.md section 11)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pysparkplug import DataType as SpbType

from fleet.sparkplug.codec import SPB_TYPE, MetricDef, PropValue
from fleet.sparkplug.topics import FIRST_OUT, PLC_DEVICE, alarm_metric
from lockpilot.plant import Plant, Protocol, Tag
from lockpilot.plant.meters import MetersFile

NODE = ""  # the device key of the edge node's own metrics
ALARM_ALIAS_BASE = 100_000


def device_of_tags(plant: Plant, meters: MetersFile | None) -> dict[str, str]:
    """Tag -> Sparkplug device: `clp` for the PLC's tags, the meter bus id (meters.yaml) for the meters'."""
    bus_of: dict[str, str] = {}
    for bus in meters.devices if meters is not None else []:
        bus_of[bus.id] = bus.id
        for meter in getattr(bus, "meters", []):
            bus_of[meter.id] = bus.id
    s7 = [d.id for d in plant.devices.values() if d.protocol is Protocol.S7]
    out = {}
    for tag in plant.tags.values():
        device = tag.source.device
        if device in s7:
            out[tag.name] = PLC_DEVICE if len(s7) == 1 else device
        else:
            out[tag.name] = bus_of.get(device, device)
    return out


def tag_properties(tag: Tag) -> dict[str, PropValue]:
    """Engineering unit, range and deadband in the property names SCADA hosts read (Ignition's)."""
    props: dict[str, PropValue] = {"Documentation": tag.description.pt}
    if tag.unit:
        props["engUnit"] = tag.unit
    if tag.range is not None:
        props["engLow"], props["engHigh"] = float(tag.range[0]), float(tag.range[1])
    if tag.deadband:
        props["deadband"] = float(tag.deadband)
    return props


@dataclass(frozen=True, slots=True)
class AlarmInfo:
    """The static facts of an alarm a birth carries as properties."""

    id: str
    priority: str
    severity: str
    name_pt: str
    name_en: str
    equipment: str

    @classmethod
    def of(cls, defn: Any) -> AlarmInfo:
        """From a rules AlarmDef."""
        return cls(
            defn.id, defn.priority.value, defn.severity.value, defn.name.pt, defn.name.en, defn.equipment
        )


@dataclass
class SiteCatalog:
    """Metrics by device, aliases unique across the node; alarms can be added (then a rebirth is due)."""

    devices: dict[str, dict[str, MetricDef]] = field(default_factory=dict)
    device_of: dict[str, str] = field(default_factory=dict)
    deadbands: dict[str, float] = field(default_factory=dict)
    _next_alarm_alias: int = ALARM_ALIAS_BASE

    @classmethod
    def build(
        cls, plant: Plant, *, meters: MetersFile | None, alarms: Iterable[AlarmInfo] = ()
    ) -> SiteCatalog:
        catalog = cls(device_of=device_of_tags(plant, meters))
        catalog.devices[NODE] = {
            FIRST_OUT: MetricDef(
                FIRST_OUT, ALARM_ALIAS_BASE - 1, SpbType.STRING, {"Documentation": "first-out"}
            )
        }
        for alias, tag in enumerate(plant.tags.values(), start=1):
            device = catalog.device_of[tag.name]
            metric = MetricDef(tag.name, alias, SPB_TYPE[tag.type], tag_properties(tag))
            catalog.devices.setdefault(device, {})[tag.name] = metric
            catalog.deadbands[tag.name] = tag.deadband or 0.0
        for info in alarms:
            catalog.add_alarm(info)
        return catalog

    def add_alarm(self, info: AlarmInfo) -> bool:
        """Declare an alarm's state metric; False when it was already declared."""
        name = alarm_metric(info.id)
        node = self.devices[NODE]
        if name in node:
            return False
        props: dict[str, PropValue] = {
            "priority": info.priority,
            "severity": info.severity,
            "name_pt": info.name_pt,
            "name_en": info.name_en,
            "equipment": info.equipment,
        }
        node[name] = MetricDef(name, self._next_alarm_alias, SpbType.STRING, props)
        self._next_alarm_alias += 1
        return True

    def metric(self, device: str, name: str) -> MetricDef | None:
        return self.devices.get(device, {}).get(name)

    @property
    def device_ids(self) -> list[str]:
        return [d for d in self.devices if d != NODE]

    def names(self) -> Mapping[str, str]:
        """Metric name -> device, for every declared metric."""
        return {name: device for device, metrics in self.devices.items() for name in metrics}
