"""Meter point schemas of the plant data (Modbus register maps, Tuya data points, PZEM metrics).

They are configuration, validated when `meters.yaml` loads; the collectors read and decode with them.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator


class RegisterKind(StrEnum):
    """Modbus data table of a point."""

    HOLDING = "holding"
    INPUT = "input"
    COIL = "coil"
    DISCRETE = "discrete"

    @property
    def is_bit(self) -> bool:
        return self in (RegisterKind.COIL, RegisterKind.DISCRETE)


class ValueType(StrEnum):
    """How the registers of a point encode its value."""

    BOOL = "bool"
    INT16 = "int16"
    UINT16 = "uint16"
    INT32 = "int32"
    UINT32 = "uint32"
    FLOAT32 = "float32"
    FLOAT64 = "float64"


class Order(StrEnum):
    """Byte order inside a register, or word order across registers."""

    BIG = "big"
    LITTLE = "little"


@dataclass(frozen=True, slots=True)
class Codec:
    """Registers a type takes and its struct code (big-endian bytes once words and bytes are ordered)."""

    registers: int
    code: str


CODECS: dict[ValueType, Codec] = {
    ValueType.BOOL: Codec(1, "?"),
    ValueType.INT16: Codec(1, ">h"),
    ValueType.UINT16: Codec(1, ">H"),
    ValueType.INT32: Codec(2, ">i"),
    ValueType.UINT32: Codec(2, ">I"),
    ValueType.FLOAT32: Codec(2, ">f"),
    ValueType.FLOAT64: Codec(4, ">d"),
}


class RegisterPoint(BaseModel):
    """One value in a device's register map, mapped to a plant tag."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    tag: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=63)]
    kind: RegisterKind
    address: Annotated[int, Field(ge=0, le=65535)]
    type: ValueType = ValueType.UINT16
    word_order: Order = Order.BIG
    byte_order: Order = Order.BIG
    scale: float = 1.0
    offset: float = 0.0
    unit: str = ""

    @model_validator(mode="after")
    def _fits(self) -> RegisterPoint:
        if self.kind.is_bit != (self.type is ValueType.BOOL):
            raise ValueError(
                f"a {self.kind.value} point must be of type "
                f"{'bool' if self.kind.is_bit else 'a register type, not bool'}"
            )
        if self.address + self.width > 65536:
            raise ValueError(f"{self.type.value} at {self.address} runs past register 65535")
        if self.scale == 0:
            raise ValueError("scale must not be 0")
        return self

    @property
    def width(self) -> int:
        """Registers (or bits) the point occupies."""
        return 1 if self.kind.is_bit else CODECS[self.type].registers


def find_overlap(points: Sequence[RegisterPoint]) -> tuple[RegisterPoint, RegisterPoint] | None:
    """The first two points of one table whose registers overlap, or None."""
    for kind in RegisterKind:
        group = sorted((p for p in points if p.kind is kind), key=lambda p: p.address)
        for a, b in itertools.pairwise(group):
            if b.address < a.address + a.width:
                return a, b
    return None


class TuyaPoint(BaseModel):
    """One data point: its key (dp number locally, status code in the cloud), tag and scale."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    key: str = Field(min_length=1)
    tag: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=63)
    scale: float = 1.0
    unit: str = ""
    boolean: bool = False  # an on/off data point (switch, door contact) rather than a number


class PzemMetric(StrEnum):
    """The quantities a PZEM-004T measures (metric names in measurements and tag maps)."""

    VOLTAGE_V = "voltage_v"
    CURRENT_A = "current_a"
    POWER_W = "power_w"
    ENERGY_WH = "energy_wh"
    FREQUENCY_HZ = "frequency_hz"
    POWER_FACTOR = "power_factor"
    ALARM = "alarm"


class RtuDriver(StrEnum):
    """How to read one meter on the line."""

    PZEM004T = "pzem004t"
    REGISTER_MAP = "register_map"


class TuyaRegion(StrEnum):
    """Tuya data centres and their OpenAPI endpoints."""

    CHINA = "cn"
    WESTERN_AMERICA = "us"
    EASTERN_AMERICA = "ue"
    CENTRAL_EUROPE = "eu"
    WESTERN_EUROPE = "we"
    INDIA = "in"

    @property
    def base_url(self) -> str:
        return f"https://openapi.tuya{self.value}.com"
