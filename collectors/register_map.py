"""Modbus register maps: points as data, a dispatch table from value type to codec, block planning."""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass

from lockpilot.plant.meter_points import CODECS, Order, RegisterKind, RegisterPoint, ValueType

MAX_REGISTERS_PER_READ = 125  # Modbus limit for function codes 03/04
MAX_BITS_PER_READ = 2000  # Modbus limit for function codes 01/02


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
