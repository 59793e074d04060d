"""Load and validate `plants/<plant>/meters.yaml` (RTU lines, Modbus TCP maps, Tuya devices) into tags."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, model_validator

from lockpilot.errors import PlantDataError, PlantDataErrors
from lockpilot.language import Bilingual
from lockpilot.plant.meter_points import (
    PzemMetric,
    RegisterPoint,
    RtuDriver,
    TuyaPoint,
    TuyaRegion,
    ValueType,
    find_overlap,
)
from lockpilot.plant.model import TAG_NAME, DataType, Device, Protocol, Tag, TagGroup, TagSource
from lockpilot.schema import Strict
from lockpilot.yamlio import LinedDict, line_of, load_yaml, validate

DeviceId = Annotated[str, Field(pattern=TAG_NAME, max_length=63)]
PZEM_UNITS = {
    PzemMetric.VOLTAGE_V: "V",
    PzemMetric.CURRENT_A: "A",
    PzemMetric.POWER_W: "W",
    PzemMetric.ENERGY_WH: "Wh",
    PzemMetric.FREQUENCY_HZ: "Hz",
    PzemMetric.POWER_FACTOR: "",
    PzemMetric.ALARM: "",
}


class TuyaVersion(float, Enum):
    """Tuya local protocol versions tinytuya speaks."""

    V31 = 3.1
    V33 = 3.3
    V34 = 3.4
    V35 = 3.5


class RtuMeterConfig(Strict):
    id: DeviceId
    address: Annotated[int, Field(ge=1, le=247)]
    driver: RtuDriver = RtuDriver.PZEM004T
    equipment: str | None = None
    sim_current_tag: str | None = None  # the twin tag whose current this meter sees when simulated
    tags: dict[PzemMetric, Annotated[str, Field(pattern=TAG_NAME, max_length=63)]] = Field(
        default_factory=dict
    )
    points: list[RegisterPoint] = Field(default_factory=list)

    @model_validator(mode="after")
    def _has_map(self) -> RtuMeterConfig:
        if self.driver is RtuDriver.PZEM004T and not self.tags:
            raise ValueError("a pzem004t meter needs 'tags' (metric: tag)")
        if self.driver is RtuDriver.REGISTER_MAP and not self.points:
            raise ValueError("a register_map meter needs 'points'")
        return self


class RtuLineConfig(Strict):
    id: DeviceId
    protocol: Literal[Protocol.MODBUS_RTU]
    port: str = Field(min_length=1)
    baudrate: Literal[1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200] = 9600
    timeout_s: float = Field(default=0.5, gt=0)
    inter_frame_gap_s: float | None = Field(default=None, ge=0)
    period_s: float = Field(default=2.0, gt=0)
    simulated: bool = False
    active: bool = True  # false: configured but not polled (a meter out of service)
    meters: Annotated[list[RtuMeterConfig], Field(min_length=1)]

    @model_validator(mode="after")
    def _unique_addresses(self) -> RtuLineConfig:
        seen = [m.address for m in self.meters]
        dupes = sorted({a for a in seen if seen.count(a) > 1})
        if dupes:
            raise ValueError(f"RTU address {dupes[0]} used by two meters on line '{self.id}'")
        return self


class TcpDeviceConfig(Strict):
    id: DeviceId
    protocol: Literal[Protocol.MODBUS_TCP]
    host: str = Field(min_length=1)
    port: int = Field(default=502, ge=1, le=65535)
    unit_id: int = Field(default=1, ge=0, le=255)
    period_s: float = Field(default=1.0, gt=0)
    timeout_s: float = Field(default=2.0, gt=0)
    equipment: str | None = None
    simulated: bool = False
    active: bool = True
    points: Annotated[list[RegisterPoint], Field(min_length=1)]

    @model_validator(mode="after")
    def _no_overlap(self) -> TcpDeviceConfig:
        pair = find_overlap(self.points)
        if pair is not None:
            raise ValueError(
                f"points '{pair[0].tag}' and '{pair[1].tag}' overlap at {pair[1].kind.value} "
                f"register {pair[1].address}"
            )
        return self


class TuyaDeviceConfig(Strict):
    id: DeviceId
    protocol: Literal[Protocol.TUYA]
    mode: Literal["local", "cloud"] = "local"
    tuya_id: str = Field(min_length=1)
    host: str | None = None
    port: int = Field(default=6668, ge=1, le=65535)
    local_key: str | None = Field(default=None, min_length=16, max_length=16)
    local_key_env: str | None = None  # name of an environment variable holding a real device's key
    version: TuyaVersion = TuyaVersion.V33
    region: TuyaRegion | None = None
    client_id_env: str | None = None  # names of environment variables holding the cloud credentials
    secret_env: str | None = None
    period_s: float = Field(default=5.0, gt=0)
    equipment: str | None = None
    simulated: bool = False
    active: bool = True
    points: Annotated[list[TuyaPoint], Field(min_length=1)]

    @model_validator(mode="after")
    def _reachable(self) -> TuyaDeviceConfig:
        if self.mode == "local" and (self.host is None or not (self.local_key or self.local_key_env)):
            raise ValueError("a local Tuya device needs 'host' and 'local_key' or 'local_key_env'")
        if self.mode == "cloud" and (self.region is None or not self.client_id_env or not self.secret_env):
            raise ValueError("a cloud Tuya device needs 'region', 'client_id_env' and 'secret_env'")
        return self


MeterDevice = RtuLineConfig | TcpDeviceConfig | TuyaDeviceConfig
MODEL_OF: dict[str, type[RtuLineConfig] | type[TcpDeviceConfig] | type[TuyaDeviceConfig]] = {
    Protocol.MODBUS_RTU.value: RtuLineConfig,
    Protocol.MODBUS_TCP.value: TcpDeviceConfig,
    Protocol.TUYA.value: TuyaDeviceConfig,
}


class MetersFile(Strict):
    client: str = Field(min_length=1)
    devices: list[MeterDevice]


def _parse(tree: object, path: Path) -> MetersFile:
    """Validate each device with the model of its protocol, so errors carry the plain field path."""
    if not isinstance(tree, LinedDict) or not isinstance(tree.get("devices"), list):
        raise PlantDataError(
            "expected 'client:' and a list 'devices:'", file=path, line=getattr(tree, "line", 1)
        )
    devices: list[MeterDevice] = []
    errors: list[PlantDataError] = []
    for i, raw in enumerate(tree["devices"]):
        protocol = raw.get("protocol") if isinstance(raw, dict) else None
        model = MODEL_OF.get(str(protocol))
        if model is None:
            errors.append(
                PlantDataError(
                    f"protocol must be one of {', '.join(MODEL_OF)}, not {protocol!r}",
                    file=path,
                    line=line_of(raw, ["protocol"]),
                    field=f"devices.{i}.protocol",
                )
            )
            continue
        try:
            devices.append(validate(model, raw, file=path, loc=("devices", i)))
        except PlantDataErrors as exc:
            errors.extend(exc.errors)
    if errors:
        raise PlantDataErrors(errors)
    return MetersFile.model_construct(client=str(tree.get("client", "")), devices=devices)


def _point_tags(
    device: RtuLineConfig | TcpDeviceConfig | TuyaDeviceConfig,
) -> list[tuple[str, str, DataType, str]]:
    """(tag, device id, type, unit) of every value a device produces."""
    if isinstance(device, RtuLineConfig):
        out = []
        for m in device.meters:
            out += [
                (
                    tag,
                    m.id,
                    DataType.BOOL if metric is PzemMetric.ALARM else DataType.REAL,
                    PZEM_UNITS[metric],
                )
                for metric, tag in m.tags.items()
            ]
            out += [
                (p.tag, m.id, DataType.BOOL if p.type is ValueType.BOOL else DataType.REAL, p.unit)
                for p in m.points
            ]
        return out
    if isinstance(device, TcpDeviceConfig):
        return [
            (p.tag, device.id, DataType.BOOL if p.type is ValueType.BOOL else DataType.REAL, p.unit)
            for p in device.points
        ]
    return [(p.tag, device.id, DataType.BOOL if p.boolean else DataType.REAL, p.unit) for p in device.points]


# Deadbands of the meters' readings by unit: about one display digit of a PZEM-004T or a feeder analyser
# (the history stores a reading when it moves more than this from the last one stored).
METER_DEADBAND = {"V": 0.5, "A": 0.01, "W": 1.0, "kW": 0.01, "Wh": 1.0, "kWh": 0.01, "Hz": 0.05, "": 0.01}


def _tag(name: str, device_id: str, dtype: DataType, unit: str) -> Tag:
    return Tag(
        name=name,
        group=TagGroup.DIAGNOSTIC,
        unit=unit,
        type=dtype,
        description=Bilingual(
            pt=f"Medição {name} do medidor {device_id}", en=f"Measurement {name} of meter {device_id}"
        ),
        source=TagSource(device=device_id),
        deadband=None if dtype is DataType.BOOL else METER_DEADBAND.get(unit),
    )


def load_meters(path: Path, taken: set[str]) -> tuple[MetersFile, dict[str, Device], dict[str, Tag]]:
    """Validate meters.yaml; return it with the devices and tags it adds (no tag name in `taken`)."""
    tree = load_yaml(path)
    meters = _parse(tree, path)
    devices: dict[str, Device] = {}
    tags: dict[str, Tag] = {}
    errors: list[PlantDataError] = []
    for i, dev in enumerate(meters.devices):
        for meter_id in [m.id for m in dev.meters] if isinstance(dev, RtuLineConfig) else [dev.id]:
            devices[meter_id] = Device(
                id=meter_id,
                protocol=dev.protocol,
                period_s=dev.period_s,
                stale_after_s=max(5.0, 3 * dev.period_s),  # a few missed polls before values go stale
                simulated=dev.simulated,
            )
        for name, device_id, dtype, unit in _point_tags(dev):
            if name in tags or name in taken:
                raw = tree["devices"][i] if isinstance(tree, LinedDict) else None
                errors.append(
                    PlantDataError(
                        f"duplicate tag name '{name}'",
                        file=path,
                        line=line_of(raw, ["id"]),
                        field=f"devices.{i}",
                    )
                )
                continue
            tags[name] = _tag(name, device_id, dtype, unit)
    if errors:
        raise PlantDataErrors(errors)
    return meters, devices, tags
