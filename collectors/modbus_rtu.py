"""Modbus RTU over one RS-485 line (minimalmodbus): several meters polled in turn, inter-frame gap kept."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import minimalmodbus
import serial

from collectors.polling import PollingCollector, log
from collectors.pzem004t import (
    PZEM_READ_FUNCTION,
    PZEM_REGISTER_COUNT,
    crc16_modbus,
    decode_pzem,
)
from collectors.register_map import Block, decode_point, plan_blocks
from lockpilot.bus import SampleSink
from lockpilot.clock import Clock
from lockpilot.health import FailureLog
from lockpilot.plant.meter_points import RegisterKind, RegisterPoint, RtuDriver
from lockpilot.samples import Quality, Sample

T = TypeVar("T")

READ_FUNCTIONS: dict[RegisterKind, int] = {
    RegisterKind.COIL: 1,
    RegisterKind.DISCRETE: 2,
    RegisterKind.HOLDING: 3,
    RegisterKind.INPUT: 4,
}


def silent_interval_s(baudrate: int) -> float:
    """Modbus RTU t3.5: 3.5 characters of 11 bits, fixed at 1.75 ms above 19200 baud."""
    return 0.00175 if baudrate > 19200 else 3.5 * 11 / baudrate


@dataclass(frozen=True)
class RtuMeter:
    """One slave on the line: its address, driver, metric -> tag map (PZEM) or points (generic)."""

    device_id: str
    address: int
    driver: RtuDriver
    tags: Mapping[str, str] = field(default_factory=dict)
    points: tuple[RegisterPoint, ...] = ()
    source: str = ""

    @property
    def tag_names(self) -> list[str]:
        return list(self.tags.values()) if self.driver is RtuDriver.PZEM004T else [p.tag for p in self.points]


class RtuBus:
    """One serial port shared by every meter on the line; transactions spaced by `inter_frame_gap_s`."""

    def __init__(
        self,
        port: str,
        *,
        baudrate: int = 9600,
        timeout_s: float = 0.5,
        inter_frame_gap_s: float | None = None,
    ) -> None:
        self.port, self.baudrate, self.timeout_s = port, baudrate, timeout_s
        self.inter_frame_gap_s = (
            silent_interval_s(baudrate) if inter_frame_gap_s is None else inter_frame_gap_s
        )
        self._serial: serial.Serial | None = None
        self._instruments: dict[int, minimalmodbus.Instrument] = {}
        self._last_end = 0.0

    def open(self) -> None:
        self._serial = serial.Serial(
            self.port,
            baudrate=self.baudrate,
            bytesize=8,
            parity=serial.PARITY_NONE,
            stopbits=1,
            timeout=self.timeout_s,
            write_timeout=self.timeout_s,
        )
        self._instruments = {}

    def close(self) -> None:
        port, self._serial = self._serial, None
        self._instruments = {}
        if port is not None:
            with contextlib.suppress(OSError):  # the pty or adapter is already gone
                port.close()

    def instrument(self, address: int) -> minimalmodbus.Instrument:
        """The minimalmodbus instrument of `address` on this line (created once)."""
        if self._serial is None:
            raise ConnectionError(f"serial port {self.port} is not open")
        inst = self._instruments.get(address)
        if inst is None:
            inst = minimalmodbus.Instrument(self._serial, address)
            inst.clear_buffers_before_each_transaction = True
            self._instruments[address] = inst
        return inst

    def transact(self, address: int, call: Callable[[minimalmodbus.Instrument], T]) -> T:
        """Run one request/response, waiting out the inter-frame gap since the previous one first."""
        wait = self._last_end + self.inter_frame_gap_s - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        try:
            return call(self.instrument(address))
        finally:
            self._last_end = time.monotonic()

    def read_raw(self, address: int, function: int, request: bytes, answer_bytes: int) -> bytes:
        """Send a frame with a function minimalmodbus does not know (e.g. PZEM 0x42); return the answer."""
        frame = bytes([address, function]) + request
        frame += crc16_modbus(frame)

        def exchange(inst: minimalmodbus.Instrument) -> bytes:
            inst.serial.reset_input_buffer()
            inst.serial.write(frame)
            return bytes(inst.serial.read(answer_bytes))

        answer = self.transact(address, exchange)
        if len(answer) < answer_bytes or crc16_modbus(answer[:-2]) != answer[-2:]:
            raise ConnectionError(f"no valid answer from address {address} to function 0x{function:02X}")
        if answer[1] != function:
            raise ConnectionError(
                f"address {address} refused function 0x{function:02X} (code {answer[1]:#x})"
            )
        return answer


def read_pzem(bus: RtuBus, address: int) -> list[int]:
    """Read the 10 PZEM input registers from 0x0000 (function 04)."""
    return list(
        bus.transact(
            address, lambda i: i.read_registers(0, PZEM_REGISTER_COUNT, functioncode=PZEM_READ_FUNCTION)
        )
    )


def read_block(bus: RtuBus, address: int, block: Block) -> list[int] | list[bool]:
    """Read one planned block with the function of its table."""
    function = READ_FUNCTIONS[block.kind]
    if block.kind.is_bit:
        return [
            bool(b) for b in bus.transact(address, lambda i: i.read_bits(block.start, block.count, function))
        ]
    return list(
        bus.transact(address, lambda i: i.read_registers(block.start, block.count, functioncode=function))
    )


class RtuCollector(PollingCollector):
    """Polls every meter of one RS-485 line in turn; a silent meter gets its own gap, not the whole line."""

    def __init__(
        self,
        bus: RtuBus,
        meters: Sequence[RtuMeter],
        sink: SampleSink,
        *,
        device_id: str,
        period_s: float = 1.0,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(
            device_id=device_id,
            tags=[t for m in meters for t in m.tag_names],
            sink=sink,
            period_s=period_s,
            clock=clock,
        )
        self.bus = bus
        self.meters = list(meters)
        self._blocks = {m.address: plan_blocks(m.points) for m in meters}
        self._meter_failures = {
            m.address: FailureLog(log, device=m.device_id, address=m.address) for m in meters
        }
        self._meter_gap: set[int] = set()

    def connect(self) -> None:
        self.bus.open()

    def disconnect(self) -> None:
        self.bus.close()

    def read_cycle(self) -> list[Sample]:
        batch: list[Sample] = []
        silent: list[RtuMeter] = []
        for meter in self.meters:
            try:
                batch.extend(self._read_meter(meter))
                self._meter_gap.discard(meter.address)
                self._meter_failures[meter.address].recovered("meter_recovered")
            except (OSError, ValueError, minimalmodbus.ModbusException) as exc:
                self._meter_failures[meter.address].failed("meter_unreachable", exc)
                silent.append(meter)
        if len(silent) == len(self.meters):  # the whole line is down: the collector marks one gap
            raise ConnectionError(f"no meter answered on {self.bus.port}")
        for meter in silent:
            batch.extend(self._meter_gap_marker(meter))
        self.stats.requests_last_cycle = sum(
            1 if m.driver is RtuDriver.PZEM004T else len(self._blocks[m.address]) for m in self.meters
        )
        return batch

    def _read_meter(self, meter: RtuMeter) -> list[Sample]:
        now = self.clock.now()
        if meter.driver is RtuDriver.PZEM004T:
            values = decode_pzem(read_pzem(self.bus, meter.address))
            return [
                Sample(tag, now, values[metric], Quality.GOOD, meter.source)  # type: ignore[index]
                for metric, tag in meter.tags.items()
            ]
        batch: list[Sample] = []
        for block in self._blocks[meter.address]:
            data = read_block(self.bus, meter.address, block)
            batch.extend(
                Sample(p.tag, now, decode_point(p, block.slice_of(p, data)), Quality.GOOD, meter.source)
                for p in block.points
            )
        return batch

    def _meter_gap_marker(self, meter: RtuMeter) -> list[Sample]:
        if meter.address in self._meter_gap:
            return []
        self._meter_gap.add(meter.address)
        self.stats.gaps += 1
        now = self.clock.now()
        return [Sample(tag, now, None, Quality.COMM_ERROR, meter.source) for tag in meter.tag_names]
