"""The PLC's data blocks as tags.yaml lays them out: encode every tag, decode the command block."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from lockpilot.plant import DataType, Plant, Tag
from lockpilot.plant.s7address import S7Address
from lockpilot.plant.s7codec import db_sizes, decode, encode
from lockpilot.samples import Value

COMMAND_DB = 50


@dataclass(frozen=True, slots=True)
class Slot:
    """One tag's place in a data block."""

    name: str
    addr: S7Address
    dtype: DataType


class DbLayout:
    """Every S7 tag of the plant by data block."""

    def __init__(self, plant: Plant) -> None:
        tags = plant.plc_tags
        self.sizes: dict[int, int] = db_sizes(tags)
        self.slots: dict[int, list[Slot]] = {db: [] for db in self.sizes}
        for tag in tags:
            addr = tag.source.s7
            self.slots[addr.db].append(Slot(tag.name, addr, tag.type))
        self.tags: dict[str, Tag] = {t.name: t for t in tags}

    def encode_db(self, db: int, values: Mapping[str, Value]) -> bytearray:
        """The bytes of `db` holding `values`."""
        buf = bytearray(self.sizes[db])
        for slot in self.slots[db]:
            encode(buf, slot.addr, slot.dtype, _clamped(values[slot.name], slot.dtype))
        return buf

    def decode_db(self, db: int, buf: bytes | bytearray) -> dict[str, Value]:
        """Every tag value in the bytes of `db`."""
        return {slot.name: decode(buf, slot.addr, slot.dtype) for slot in self.slots[db]}


def _clamped(value: Value, dtype: DataType) -> Value:
    """Integers saturate at their S7 type's limits instead of failing the whole block."""
    if dtype is DataType.INT:
        return max(-32768, min(32767, int(value)))
    if dtype is DataType.DINT:
        return max(-(2**31), min(2**31 - 1, int(value)))
    return value
