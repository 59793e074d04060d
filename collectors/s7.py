"""The S7 collector: reads the whole tag map from a Siemens PLC in as few requests as the PDU allows."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Sequence
from dataclasses import dataclass

import snap7
from snap7.type import Area, WordLen

from collectors.polling import PollingCollector
from collectors.s7_plan import MAX_ITEMS_PER_REQUEST, ReadRange, TagSlot, plan_ranges, requests_per_cycle
from lockpilot.bus import SampleSink
from lockpilot.clock import Clock
from lockpilot.plant.model import DataType, Tag
from lockpilot.plant.s7codec import decode, encode, is_valid
from lockpilot.samples import Quality, Sample, Value

OUT_OF_RANGE_MARGIN = 0.10  # a reading beyond range ± 10 % of span is a failed transmitter, not a value


class CommandRejected(ValueError):
    """A write that the tag map forbids (not writable, wrong type, outside limits)."""


@dataclass(frozen=True, slots=True)
class WriteResult:
    """What a write did: the value sent and the value read back right after."""

    tag: str
    written: Value
    read_back: Value
    verified: bool


def quality_of(slot: TagSlot, value: Value) -> Quality:
    """GOOD, or BAD for NaN/inf and readings far outside the engineering range."""
    if not is_valid(value):
        return Quality.BAD
    if slot.range is not None and slot.dtype is DataType.REAL:
        lo, hi = slot.range
        margin = (hi - lo) * OUT_OF_RANGE_MARGIN
        if not lo - margin <= float(value) <= hi + margin:
            return Quality.BAD
    return Quality.GOOD


class S7Collector(PollingCollector):
    """Polls an S7 PLC (python-snap7 client); one connection, one lock, polls never overlap."""

    def __init__(
        self,
        host: str,
        tags: Sequence[Tag],
        sink: SampleSink,
        *,
        device_id: str = "clp_eclusa",
        port: int = 102,
        rack: int = 0,
        slot: int = 1,
        period_s: float = 0.5,
        timeout_s: float = 2.0,
        heartbeat_tag: str | None = None,
        stale_after_s: float = 5.0,
        multi_read: bool = True,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(
            device_id=device_id, tags=[t.name for t in tags], sink=sink, period_s=period_s, clock=clock
        )
        self.host, self.port, self.rack, self.slot, self.timeout_s = host, port, rack, slot, timeout_s
        self.tags = {t.name: t for t in tags}
        self.ranges: list[ReadRange] = plan_ranges(tags)
        self.multi_read = multi_read
        self.heartbeat_tag = heartbeat_tag if heartbeat_tag in self.tags else None
        self.stale_after_s = stale_after_s
        self._heartbeat: tuple[Value, float] | None = None
        self._client: snap7.Client | None = None
        self.pdu_bytes = 480

    def connect(self) -> None:
        client = snap7.Client()
        client.connect(self.host, self.rack, self.slot, tcp_port=self.port)
        link = client.connection
        if link is not None:  # snap7 3.x: per-request receive timeout
            link.timeout = self.timeout_s
            if link.socket is not None:
                link.socket.settimeout(self.timeout_s)
        self.pdu_bytes = client.get_pdu_length()
        self._client = client

    def disconnect(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(Exception):  # the link is already gone; nothing to close
                client.disconnect()

    def read_cycle(self) -> list[Sample]:
        client = self._require_client()
        buffers = self._read_ranges(client)
        now = self.clock.now()
        stale = self._heartbeat_frozen(buffers)
        batch: list[Sample] = []
        for rng, buf in zip(self.ranges, buffers, strict=True):
            for slot in rng.slots:
                value = decode(buf, slot.address, slot.dtype, base=rng.start)
                quality = Quality.STALE if stale else quality_of(slot, value)
                batch.append(
                    Sample(slot.name, now, value if is_valid(value) else None, quality, self.device_id)
                )
        self.stats.requests_last_cycle = requests_per_cycle(
            self.ranges, pdu_bytes=self.pdu_bytes, multi_read=self.multi_read
        )
        return batch

    def _require_client(self) -> snap7.Client:
        if self._client is None:
            raise ConnectionError(f"not connected to {self.host}:{self.port}")
        return self._client

    def _read_ranges(self, client: snap7.Client) -> list[bytearray]:
        if not self.multi_read:
            return [client.db_read(r.db, r.start, r.size) for r in self.ranges]
        buffers: list[bytearray] = []
        for i in range(0, len(self.ranges), MAX_ITEMS_PER_REQUEST):
            chunk = self.ranges[i : i + MAX_ITEMS_PER_REQUEST]
            _, data = client.read_multi_vars([r.as_item() for r in chunk])
            buffers.extend(bytearray(d) for d in data)
        for rng, buf in zip(self.ranges, buffers, strict=True):
            if len(buf) != rng.size:
                raise ConnectionError(f"DB{rng.db} read returned {len(buf)} of {rng.size} bytes")
        return buffers

    def _heartbeat_frozen(self, buffers: list[bytearray]) -> bool:
        """True when the PLC's heartbeat counter has not moved for `stale_after_s` (CPU stopped or hung)."""
        if self.heartbeat_tag is None:
            return False
        for rng, buf in zip(self.ranges, buffers, strict=True):
            for slot in rng.slots:
                if slot.name == self.heartbeat_tag:
                    value = decode(buf, slot.address, slot.dtype, base=rng.start)
                    now = time.monotonic()
                    if self._heartbeat is None or self._heartbeat[0] != value:
                        self._heartbeat = (value, now)
                    return now - self._heartbeat[1] > self.stale_after_s
        return False

    def write(self, tag_name: str, value: Value) -> WriteResult:
        """Write one writable tag (single-bit write for BOOL), then read it back."""
        tag = self.tags.get(tag_name)
        if tag is None or tag.writable is None:
            raise CommandRejected(f"tag '{tag_name}' is not writable")
        addr = tag.source.s7
        with self.lock:
            client = self._client
            if client is None:
                self.connect()
                client = self._require_client()
                self.stats.connected = True
            if tag.type is DataType.BOOL:
                client.write_area(
                    Area.DB,
                    addr.db,
                    addr.byte * 8 + addr.bit,
                    bytearray([1 if value else 0]),
                    word_len=WordLen.Bit,
                )
            else:
                buf = bytearray(addr.size_bytes)
                encode(buf, addr, tag.type, value, base=addr.byte)
                client.db_write(addr.db, addr.byte, buf)
            raw = client.db_read(addr.db, addr.byte, addr.size_bytes)
        read_back = decode(raw, addr, tag.type, base=addr.byte)
        expected = bool(value) if tag.type is DataType.BOOL else value
        verified = (
            read_back == expected
            if tag.type is not DataType.REAL
            else abs(float(read_back) - float(value)) < 1e-3
        )
        return WriteResult(tag_name, value, read_back, verified)
