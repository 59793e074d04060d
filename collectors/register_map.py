"""Modbus register maps: points as data, a dispatch table from value type to codec, block planning."""

from __future__ import annotations

import itertools
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

MAX_REGISTERS_PER_READ = 125  # Modbus limit for function codes 03/04
MAX_BITS_PER_READ = 2000  # Modbus limit for function codes 01/02


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


def registers_to_bytes(registers: Sequence[int], *, word_order: Order, byte_order: Order) -> bytes:
    """Put the words in big-endian order, each word's bytes big-endian, ready for struct."""
    words = list(registers) if word_order is Order.BIG else list(reversed(registers))
    if byte_order is Order.LITTLE:
        words = [((w & 0xFF) << 8) | (w >> 8) for w in words]
    return b"".join(w.to_bytes(2, "big") for w in words)


def bytes_to_registers(data: bytes, *, word_order: Order, byte_order: Order) -> list[int]:
    """Inverse of registers_to_bytes: split big-endian bytes into ordered 16-bit registers."""
    words = [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2)]
    if byte_order is Order.LITTLE:
        words = [((w & 0xFF) << 8) | (w >> 8) for w in words]
    return words if word_order is Order.BIG else list(reversed(words))


def decode_point(point: RegisterPoint, raw: Sequence[int] | Sequence[bool]) -> float | bool:
    """Turn the point's raw registers (or bit) into its engineering value (scale, then offset)."""
    if point.kind.is_bit:
        return bool(raw[0])
    codec = CODECS[point.type]
    data = registers_to_bytes(
        [int(r) for r in raw[: codec.registers]], word_order=point.word_order, byte_order=point.byte_order
    )
    (number,) = struct.unpack(codec.code, data)
    return float(number) * point.scale + point.offset


def encode_point(point: RegisterPoint, value: float | bool) -> list[int]:
    """Turn an engineering value into the point's raw registers (what a device would hold)."""
    if point.kind.is_bit:
        return [int(bool(value))]
    codec = CODECS[point.type]
    raw = (float(value) - point.offset) / point.scale
    number: float | int = raw if point.type in (ValueType.FLOAT32, ValueType.FLOAT64) else round(raw)
    return bytes_to_registers(
        struct.pack(codec.code, number), word_order=point.word_order, byte_order=point.byte_order
    )


@dataclass(frozen=True, slots=True)
class Block:
    """A contiguous span of one table read in a single request."""

    kind: RegisterKind
    start: int
    count: int
    points: tuple[RegisterPoint, ...]

    def slice_of(
        self, point: RegisterPoint, data: Sequence[int] | Sequence[bool]
    ) -> Sequence[int] | Sequence[bool]:
        offset = point.address - self.start
        return data[offset : offset + point.width]


def plan_blocks(points: Sequence[RegisterPoint], *, max_gap: int = 0) -> list[Block]:
    """Group points of each table into contiguous spans within the per-request limit."""
    blocks: list[Block] = []
    for kind in RegisterKind:
        limit = MAX_BITS_PER_READ if kind.is_bit else MAX_REGISTERS_PER_READ
        group = sorted((p for p in points if p.kind is kind), key=lambda p: p.address)
        current: list[RegisterPoint] = []
        start = end = 0
        for point in group:
            fits = current and point.address <= end + max_gap and point.address + point.width - start <= limit
            if not fits and current:
                blocks.append(Block(kind, start, end - start, tuple(current)))
                current = []
            if not current:
                start = point.address
            current.append(point)
            end = max(end if len(current) > 1 else 0, point.address + point.width)
        if current:
            blocks.append(Block(kind, start, end - start, tuple(current)))
    return blocks


def find_overlap(points: Sequence[RegisterPoint]) -> tuple[RegisterPoint, RegisterPoint] | None:
    """The first two points of one table whose registers overlap, or None."""
    for kind in RegisterKind:
        group = sorted((p for p in points if p.kind is kind), key=lambda p: p.address)
        for a, b in itertools.pairwise(group):
            if b.address < a.address + a.width:
                return a, b
    return None
