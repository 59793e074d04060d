"""Plan S7 reads: group the tag map into contiguous DB ranges that fit the negotiated PDU."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from snap7 import optimizer
from snap7.type import Area

from lockpilot.plant.model import DataType, Tag
from lockpilot.plant.s7address import S7Address

MAX_ITEMS_PER_REQUEST = 20  # S7 limit on items in one multi-variable read


@dataclass(frozen=True, slots=True)
class TagSlot:
    """Where one tag sits inside a read range."""

    name: str
    address: S7Address
    dtype: DataType
    range: tuple[float, float] | None


@dataclass(frozen=True, slots=True)
class ReadRange:
    """One contiguous byte range of a DB and the tags decoded from it."""

    db: int
    start: int
    size: int
    slots: tuple[TagSlot, ...]

    def as_item(self) -> dict[str, int | Area]:
        return {"area": Area.DB, "db_number": self.db, "start": self.start, "size": self.size}


def plan_ranges(
    tags: Sequence[Tag], *, max_gap_bytes: int = 32, max_range_bytes: int = 462
) -> list[ReadRange]:
    """Merge tag addresses per DB into ranges, bridging gaps up to `max_gap_bytes`."""
    slots = sorted(
        (TagSlot(t.name, t.source.s7, t.type, t.range) for t in tags),
        key=lambda s: (s.address.db, s.address.byte, s.address.bit),
    )
    ranges: list[ReadRange] = []
    current: list[TagSlot] = []
    for slot in slots:
        if current:
            first, end = current[0].address, max(s.address.end for s in current)
            fits = slot.address.db == first.db and slot.address.byte - end <= max_gap_bytes
            if fits and max(end, slot.address.end) - first.byte <= max_range_bytes:
                current.append(slot)
                continue
            ranges.append(_close(current))
        current = [slot]
    if current:
        ranges.append(_close(current))
    return ranges


def _close(slots: list[TagSlot]) -> ReadRange:
    start = slots[0].address.byte
    end = max(s.address.end for s in slots)
    return ReadRange(db=slots[0].address.db, start=start, size=end - start, slots=tuple(slots))


def requests_per_cycle(ranges: Sequence[ReadRange], *, pdu_bytes: int, multi_read: bool) -> int:
    """How many S7 requests one cycle takes: snap7's own packetiser for multi-reads, else one per range."""
    if not multi_read:
        return len(ranges)
    total = 0
    for chunk_start in range(0, len(ranges), MAX_ITEMS_PER_REQUEST):
        chunk = ranges[chunk_start : chunk_start + MAX_ITEMS_PER_REQUEST]
        items = [
            optimizer.ReadItem(
                area=int(Area.DB),
                db_number=r.db,
                byte_offset=r.start,
                bit_offset=0,
                byte_length=r.size,
                index=i,
            )
            for i, r in enumerate(chunk)
        ]
        blocks = optimizer.merge_items(optimizer.sort_items(items), max_gap=5, max_block_size=pdu_bytes - 18)
        total += len(optimizer.packetize(blocks, pdu_bytes))
    return total
