"""`lockpilot bench meters`: collector reads/s against a bare pymodbus / minimalmodbus loop, same reads."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass

import minimalmodbus
import serial
from pymodbus.client import AsyncModbusTcpClient

from collectors.modbus_rtu import RtuBus, RtuCollector, RtuMeter
from collectors.modbus_tcp import ModbusTcpCollector
from collectors.pzem004t import decode_pzem
from collectors.register_map import decode_point, plan_blocks
from lockpilot.clock import SystemClock
from lockpilot.plant.meter_points import PzemMetric, RegisterPoint, RtuDriver
from lockpilot.samples import Sample
from twin.meters.feed import Channel, ManualValues, MeterFeed
from twin.meters.pty_relay import PtyRelay
from twin.meters.pzem_bank import PzemBank
from twin.meters.tcp_peer import ModbusTcpPeer


@dataclass(frozen=True, slots=True)
class BenchResult:
    """Reads per second of the collector and of the bare loop doing the same requests."""

    transport: str
    reads: int
    collector_reads_per_s: float
    bare_reads_per_s: float

    @property
    def overhead(self) -> float:
        """How many times slower the collector is than the bare loop (1.0 = no overhead)."""
        return self.bare_reads_per_s / self.collector_reads_per_s


class NullSink:
    """Drops batches (the bench measures polling, not storage)."""

    def publish(self, batch: Sequence[Sample]) -> None:
        return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bench_tcp(points: Sequence[RegisterPoint], *, cycles: int = 2000, rounds: int = 5) -> BenchResult:
    """Poll the analyser map with the collector and with a bare async pymodbus loop, alternating rounds."""
    port = _free_port()
    peer = ModbusTcpPeer(port, points=points, values=lambda: {p.tag: 1.0 for p in points})
    peer.start()
    collector = ModbusTcpCollector("127.0.0.1", points, NullSink(), device_id="bench", port=port)
    bare_loop = asyncio.new_event_loop()
    try:
        collector.poll_once()
        client = bare_loop.run_until_complete(_bare_client(port))
        per_round = max(1, cycles // rounds)
        collector_s, bare_s = [], []
        for _ in range(rounds):
            started = time.perf_counter()
            for _ in range(per_round):
                collector.poll_once()
            collector_s.append(time.perf_counter() - started)
            bare_s.append(bare_loop.run_until_complete(_bare_round(client, points, per_round)))
        client.close()
    finally:
        collector.stop()
        collector.close()
        bare_loop.close()
        peer.stop()
    reads = per_round * len(collector.blocks)
    return BenchResult("modbus_tcp", reads * rounds, reads / min(collector_s), reads / min(bare_s))


async def _bare_client(port: int) -> AsyncModbusTcpClient:
    client = AsyncModbusTcpClient("127.0.0.1", port=port)
    await client.connect()
    return client


async def _bare_round(client: AsyncModbusTcpClient, points: Sequence[RegisterPoint], cycles: int) -> float:
    blocks = plan_blocks(points)
    calls = {
        "holding": client.read_holding_registers,
        "input": client.read_input_registers,
        "coil": client.read_coils,
        "discrete": client.read_discrete_inputs,
    }
    started = time.perf_counter()
    for _ in range(cycles):
        for block in blocks:
            answer = await calls[block.kind.value](block.start, count=block.count, device_id=1)
            data = answer.bits if block.kind.is_bit else answer.registers
            for p in block.points:
                decode_point(p, block.slice_of(p, data))
    return time.perf_counter() - started


def bench_rtu(*, addresses: Sequence[int] = (1, 2, 3), cycles: int = 150, rounds: int = 3) -> BenchResult:
    """Poll a simulated PZEM bank over the pty relay with collector and bare minimalmodbus, alternating."""
    feed = MeterFeed(ManualValues({"i": 10.0}), {"c": Channel("i")}, clock=SystemClock())
    relay = PtyRelay()
    relay.start()
    bank = PzemBank(relay.device_port, feed, dict.fromkeys(addresses, "c"))
    bank.start()
    meters = [
        RtuMeter(f"m{a}", a, RtuDriver.PZEM004T, {m.value: f"m{a}_{m.value}" for m in PzemMetric})
        for a in addresses
    ]
    collector = RtuCollector(RtuBus(relay.client_port), meters, NullSink(), device_id="bench")
    per_round = max(1, cycles // rounds)
    collector_s, bare_s = [], []
    try:
        collector.poll_once()
        for _ in range(rounds):
            started = time.perf_counter()
            for _ in range(per_round):
                collector.poll_once()
            collector_s.append(time.perf_counter() - started)
            with collector.lock:
                collector.disconnect()
                collector.stats.connected = False
                bare_s.append(_bare_rtu(relay.client_port, addresses, per_round))
    finally:
        collector.stop()
        bank.stop()
        relay.stop()
    reads = per_round * len(addresses)
    return BenchResult("modbus_rtu", reads * rounds, reads / min(collector_s), reads / min(bare_s))


def _bare_rtu(port: str, addresses: Sequence[int], cycles: int) -> float:
    line = serial.Serial(port, baudrate=9600, timeout=0.5)
    instruments = [minimalmodbus.Instrument(line, a) for a in addresses]
    started = time.perf_counter()
    for _ in range(cycles):
        for inst in instruments:
            decode_pzem(inst.read_registers(0, 10, functioncode=4))
    elapsed = time.perf_counter() - started
    line.close()
    return elapsed
