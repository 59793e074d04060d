"""The plant as data: tags and devices, validated when loaded."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated

from pydantic import ConfigDict, Field, field_validator, model_validator

from lockpilot.language import Bilingual
from lockpilot.plant.s7address import S7Address, S7Width
from lockpilot.schema import Strict

TAG_NAME = r"^[a-z][a-z0-9_]*$"

KNOWN_UNITS = frozenset(
    {
        "",
        "m",
        "m3",
        "m3/s",
        "m3/h",
        "m/min",
        "m/s",
        "bar",
        "°C",
        "%",
        "%/s",
        "mm/s",
        "A",
        "V",
        "kW",
        "kWh",
        "Wh",
        "W",
        "VA",
        "var",
        "Hz",
        "rpm",
        "h",
        "s",
        "ms",
        "NTU",
    }
)


class TagGroup(StrEnum):
    SENSOR = "sensor"
    ACTUATOR = "actuator"
    STATUS = "status"
    DIAGNOSTIC = "diagnostic"


class DataType(StrEnum):
    """PLC data types of tags; size in bytes and the S7 access width they need."""

    BOOL = "bool"
    INT = "int"
    DINT = "dint"
    REAL = "real"

    @property
    def s7_width(self) -> S7Width:
        return {"bool": S7Width.BIT, "int": S7Width.WORD, "dint": S7Width.DWORD, "real": S7Width.DWORD}[
            self.value
        ]


class Protocol(StrEnum):
    S7 = "s7"
    MODBUS_TCP = "modbus_tcp"
    MODBUS_RTU = "modbus_rtu"
    TUYA = "tuya"


class TagSource(Strict):
    """Where a tag is read: the device and, for S7, its DB address (other protocols add fields)."""

    model_config = ConfigDict(extra="allow", frozen=True)
    device: str
    address: str | None = None

    @property
    def s7(self) -> S7Address:
        if self.address is None:
            raise ValueError("no S7 address")
        return S7Address.parse(self.address)


class Writable(Strict):
    """Limits for an operator write through the copilot's command path."""

    min: float | None = None
    max: float | None = None
    max_step: Annotated[float, Field(gt=0)] | None = None
    pulse: bool = False  # a command bit the PLC resets after acting on it


MAX_INTERVAL_LIMIT_S = 600.0  # the longest a tag's history may go without a stored sample


class Tag(Strict):
    name: Annotated[str, Field(pattern=TAG_NAME, max_length=63)]
    group: TagGroup
    description: Bilingual
    unit: str
    type: DataType
    source: TagSource
    range: tuple[float, float] | None = None
    deadband: Annotated[float, Field(ge=0)] | None = None
    # the history stores the tag at least this often (a reader looks back this far for the value in force)
    max_interval_s: Annotated[float, Field(gt=0, le=MAX_INTERVAL_LIMIT_S)] | None = None
    equipment: str | None = None
    nominal: float | None = None
    redundant: str | None = None  # the other transmitter of the same quantity (A/B pair)
    aliases: tuple[str, ...] = ()  # other names people use for it, pt or en ("taxa de enchimento")
    writable: Writable | None = None
    states: dict[int, Bilingual] = Field(default_factory=dict)  # codes by name (modes; a bool's 0 and 1)

    @field_validator("unit")
    @classmethod
    def _unit_known(cls, unit: str) -> str:
        if unit not in KNOWN_UNITS:
            raise ValueError(
                f"unknown unit '{unit}' (known: {', '.join(sorted(u for u in KNOWN_UNITS if u))})"
            )
        return unit

    @model_validator(mode="after")
    def _consistent(self) -> Tag:
        if self.range is not None and not self.range[0] < self.range[1]:
            raise ValueError(f"range min {self.range[0]} must be below max {self.range[1]}")
        if self.type is DataType.BOOL and self.unit:
            raise ValueError("a bool tag has no unit")
        if self.type is DataType.BOOL and not set(self.states) <= {0, 1}:
            raise ValueError(f"a bool tag's states are 0 and 1, not {sorted(self.states)}")
        w = self.writable
        if w is not None and self.range is not None:
            lo, hi = self.range
            for label, limit in (("writable.min", w.min), ("writable.max", w.max)):
                if limit is not None and not lo <= limit <= hi:
                    raise ValueError(f"{label} {limit} is outside the range [{lo}, {hi}]")
        if w is not None and w.min is not None and w.max is not None and w.min > w.max:
            raise ValueError("writable.min is above writable.max")
        return self

    @property
    def is_writable(self) -> bool:
        return self.writable is not None

    def percent_of_range(self, value: float) -> float:
        """Value as % of the engineering range (how the plant team states level limits)."""
        if self.range is None:
            raise ValueError(f"tag {self.name} has no range")
        lo, hi = self.range
        return (value - lo) / (hi - lo) * 100.0


S7_TEXT = r"^[\x20-\x7e]*$"  # what an S7 CPU's identification strings may hold (printable ASCII)


class S7Identity(Strict):
    """What an S7 CPU says about itself over SZL (0x0011 module, 0x001C components): the twin reports it."""

    order_number: Annotated[str, Field(pattern=r"^6ES7 [0-9A-Z]{3}-[0-9A-Z]{5}-[0-9A-Z]{4}$")]
    firmware: Annotated[str, Field(pattern=r"^V\d{1,3}\.\d{1,3}\.\d{1,3}$")]  # e.g. V3.1.0
    module_type: Annotated[str, Field(min_length=1, max_length=32, pattern=S7_TEXT)]  # CPU 1516-3 PN/DP
    serial_number: Annotated[str, Field(min_length=1, max_length=24, pattern=S7_TEXT)]
    station_name: Annotated[str, Field(max_length=24, pattern=S7_TEXT)] = "S71500/ET200MP station_1"
    module_name: Annotated[str, Field(max_length=24, pattern=S7_TEXT)] = "PLC_1"
    plant_tag: Annotated[str, Field(max_length=32, pattern=S7_TEXT)] = ""
    location: Annotated[str, Field(max_length=32, pattern=S7_TEXT)] = ""
    memory_card_serial: Annotated[str, Field(max_length=32, pattern=S7_TEXT)] = ""

    @field_validator("firmware")
    @classmethod
    def _firmware_fits_a_byte(cls, value: str) -> str:
        if any(int(part) > 255 for part in value[1:].split(".")):
            raise ValueError("each firmware number is one byte (0-255)")
        return value


class Device(Strict):
    """A collector endpoint. Host and port can be overridden by settings to point at a real PLC."""

    model_config = ConfigDict(extra="allow", frozen=True)
    id: Annotated[str, Field(pattern=TAG_NAME)]
    protocol: Protocol
    description: str = ""
    host: str | None = None
    port: int | None = Field(default=None, ge=1, le=65535)
    rack: int = Field(default=0, ge=0, le=7)
    slot: int = Field(default=1, ge=0, le=31)
    period_s: float = Field(default=0.5, gt=0)
    timeout_s: float = Field(default=2.0, gt=0)
    stale_after_s: float = Field(default=5.0, gt=0)
    heartbeat_tag: str | None = None  # a counter the PLC increments every scan: frozen -> values stale
    simulated: bool = False
    identity: S7Identity | None = None  # an S7 CPU's order number, firmware and names

    @model_validator(mode="after")
    def _identity_only_for_s7(self) -> Device:
        if self.identity is not None and self.protocol is not Protocol.S7:
            raise ValueError(f"device {self.id}: only an S7 CPU has an identity")
        return self


def suggest(name: str, choices: list[str]) -> str:
    """A 'did you mean' hint for a misspelt name."""
    import difflib

    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def snake_case(text: str) -> bool:
    return bool(re.match(TAG_NAME, text))
