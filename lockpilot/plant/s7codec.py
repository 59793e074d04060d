"""Encode and decode tag values in S7 data-block memory (big-endian, as the PLC stores them)."""

from __future__ import annotations

import math
import struct
from collections.abc import Iterable

from lockpilot.plant.model import DataType, Tag
from lockpilot.plant.s7address import S7Address
from lockpilot.samples import Value

_STRUCTS = {
    DataType.INT: struct.Struct(">h"),
    DataType.DINT: struct.Struct(">i"),
    DataType.REAL: struct.Struct(">f"),
}


def decode(buf: bytes | bytearray | memoryview, addr: S7Address, dtype: DataType, *, base: int = 0) -> Value:
    """Read one value at `addr` from `buf`, which holds the DB from byte `base` on."""
    pos = addr.byte - base
    if dtype is DataType.BOOL:
        return bool(buf[pos] >> addr.bit & 1)
    return _STRUCTS[dtype].unpack_from(buf, pos)[0]


def encode(buf: bytearray, addr: S7Address, dtype: DataType, value: Value, *, base: int = 0) -> None:
    """Write one value at `addr` into `buf` (a bit write touches only its bit)."""
    pos = addr.byte - base
    if dtype is DataType.BOOL:
        if value:
            buf[pos] |= 1 << addr.bit
        else:
            buf[pos] &= ~(1 << addr.bit) & 0xFF
        return
    if dtype is DataType.REAL:
        _STRUCTS[dtype].pack_into(buf, pos, float(value))
        return
    number = int(value)
    limit = 2 ** (8 * _STRUCTS[dtype].size - 1)
    if not -limit <= number < limit:
        raise ValueError(f"{number} does not fit a {dtype.value.upper()} at {addr}")
    _STRUCTS[dtype].pack_into(buf, pos, number)


def is_valid(value: Value) -> bool:
    """False for NaN or infinite REALs (a failed transmitter often reads as NaN)."""
    return not (isinstance(value, float) and (math.isnan(value) or math.isinf(value)))


def db_sizes(tags: Iterable[Tag]) -> dict[int, int]:
    """Bytes each DB needs to hold every tag mapped into it."""
    sizes: dict[int, int] = {}
    for tag in tags:
        addr = tag.source.s7
        sizes[addr.db] = max(sizes.get(addr.db, 0), addr.end)
    return sizes
