"""Modbus tools nobody here wrote against the simulated meters of meters.yaml: Debian's mbpoll (libmodbus)
reads the feeder analyser over TCP and the PZEM bank over RTU (a socat pty pair), and PyPI modbus-cli
reads the analyser at its default unit 255. What they read must match what the collectors published."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import pytest

from collectors.modbus_rtu import RtuBus, RtuCollector, RtuMeter
from collectors.modbus_tcp import ModbusTcpCollector
from collectors.pzem004t import PZEM_REGISTER_COUNT, decode_pzem
from collectors.register_map import decode_point
from lockpilot.clock import ManualClock
from lockpilot.plant.meter_points import PzemMetric, RegisterPoint, ValueType
from lockpilot.plant.meters import MetersFile, RtuLineConfig, TcpDeviceConfig, load_meters
from lockpilot.samples import Quality, Sample
from tests.conftest import REPO_ROOT, free_port
from tests.interop.tools import debian_tool
from twin.meters.feed import Channel, ManualValues, MeterFeed
from twin.meters.pzem_bank import PzemBank
from twin.meters.tcp_peer import ModbusTcpPeer

ANALYSER = {  # what the feeder analyser shows, by unit of its points
    "V": 221.5,
    "A": 12.25,
    "kW": 3.5,
    "": 0.87,
    "Hz": 60.01,
    "kWh": 1234.5,
}
CURRENTS_A = {"corrente_motor_bomba": 41.5, "corrente_motor_comporta_montante": 6.2}
T = TypeVar("T")
REGISTER = re.compile(r"^\[(\d+)\]:\s+(\S+)", re.MULTILINE)


class ListSink:
    def __init__(self) -> None:
        self.batches: list[list[Sample]] = []

    def publish(self, batch: Sequence[Sample]) -> None:
        self.batches.append(list(batch))


@pytest.fixture(scope="module")
def meters() -> MetersFile:
    return load_meters(REPO_ROOT / "plants" / "lock" / "meters.yaml", set())[0]


def _device(meters: MetersFile, kind: type[T]) -> T:
    return next(d for d in meters.devices if isinstance(d, kind))


def mbpoll(*args: str, timeout_s: float = 15.0) -> dict[int, str]:
    """Run mbpoll once; its values by reference number."""
    done = subprocess.run(
        [debian_tool("mbpoll"), "-1", *args], capture_output=True, text=True, timeout=timeout_s, check=False
    )
    assert done.returncode == 0, done.stdout[-1500:] + done.stderr[-1500:]
    return {int(ref): value for ref, value in REGISTER.findall(done.stdout)}


@pytest.fixture
def analyser(meters: MetersFile) -> Iterator[tuple[TcpDeviceConfig, int, dict[str, float]]]:
    dev = _device(meters, TcpDeviceConfig)
    values = {p.tag: ANALYSER[p.unit] for p in dev.points}
    port = free_port()
    peer = ModbusTcpPeer(port, unit_id=dev.unit_id, points=dev.points, values=lambda: values)
    peer.start()
    yield dev, port, values
    peer.stop()


def _collect_tcp(dev: TcpDeviceConfig, port: int, unit_id: int) -> dict[str, Sample]:
    collector = ModbusTcpCollector(
        "127.0.0.1", dev.points, ListSink(), device_id=dev.id, port=port, unit_id=unit_id
    )
    try:
        return {s.tag: s for s in collector.poll_once()}
    finally:
        collector.stop()
        collector.close()


def _span(points: list[RegisterPoint]) -> tuple[int, int]:
    start = min(p.address for p in points)
    return start, max(p.address + p.width for p in points) - start


def test_mbpoll_reads_the_tcp_analyser_as_the_collector_stored(
    analyser: tuple[TcpDeviceConfig, int, dict[str, float]],
) -> None:
    dev, port, _ = analyser
    stored = _collect_tcp(dev, port, dev.unit_id)
    start, count = _span(dev.points)
    tcp = ["-m", "tcp", "-p", str(port), "-a", str(dev.unit_id), "-0", "-t", "3:hex"]
    raw = mbpoll(*tcp, "-r", str(start), "-c", str(count), "127.0.0.1")
    registers = [int(raw[start + i], 16) for i in range(count)]
    for p in dev.points:
        value = decode_point(p, registers[p.address - start : p.address - start + p.width])
        assert stored[p.tag].quality is Quality.GOOD
        assert stored[p.tag].value == pytest.approx(value, rel=1e-9), p.tag
    floats = [p for p in dev.points if p.type is ValueType.FLOAT32]
    for p in floats:  # libmodbus decodes the big-endian floats itself (-B: high word first)
        read = mbpoll(
            "-m",
            "tcp",
            "-p",
            str(port),
            "-a",
            str(dev.unit_id),
            "-0",
            "-t",
            "3:float",
            "-B",
            "-r",
            str(p.address),
            "127.0.0.1",
        )
        assert float(read[p.address]) == pytest.approx(stored[p.tag].value, rel=1e-6), p.tag


def test_the_analyser_answers_unit_255_like_a_tcp_device(
    analyser: tuple[TcpDeviceConfig, int, dict[str, float]],
) -> None:
    dev, port, values = analyser
    voltage = next(p for p in dev.points if p.unit == "V")
    at_255 = mbpoll(
        "-m",
        "tcp",
        "-p",
        str(port),
        "-a",
        "255",
        "-0",
        "-t",
        "3:float",
        "-B",
        "-r",
        str(voltage.address),
        "127.0.0.1",
    )
    assert float(at_255[voltage.address]) == pytest.approx(values[voltage.tag])
    assert _collect_tcp(dev, port, 255)[voltage.tag].value == pytest.approx(values[voltage.tag])
    cli = Path(sys.executable).with_name("modbus")
    if not cli.is_file():
        pytest.skip("PyPI modbus-cli is not installed (dev extra)")
    done = subprocess.run(  # no -s: modbus-cli's default unit id, 255
        [str(cli), f"127.0.0.1:{port}", f"i@{voltage.address}/>f"],
        capture_output=True,
        text=True,
        timeout=15,
        check=False,
    )
    assert done.returncode == 0 and str(values[voltage.tag]) in done.stdout, done.stdout + done.stderr


@pytest.fixture
def rtu_line(meters: MetersFile, tmp_path: Path) -> Iterator[tuple[RtuLineConfig, str, PzemBank]]:
    socat = debian_tool("socat")
    line = _device(meters, RtuLineConfig)
    device_end, client_end = tmp_path / "pzem", tmp_path / "client"
    relay = subprocess.Popen(
        [socat, f"pty,raw,echo=0,link={device_end}", f"pty,raw,echo=0,link={client_end}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 5.0
    while not (device_end.exists() and client_end.exists()):
        assert time.monotonic() < deadline and relay.poll() is None, "socat made no pty pair"
        time.sleep(0.05)
    clock = ManualClock(datetime(2026, 3, 1, 12, tzinfo=UTC))  # held still: energy does not move
    channels = {m.id: Channel(m.sim_current_tag or "", voltage_v=220.0) for m in line.meters}
    feed = MeterFeed(ManualValues(CURRENTS_A), channels, clock=clock)
    bank = PzemBank(str(device_end), feed, {m.address: m.id for m in line.meters}, baudrate=line.baudrate)
    bank.start()
    yield line, str(client_end), bank
    bank.stop()
    relay.terminate()
    relay.wait(timeout=5)


def test_mbpoll_reads_the_pzem_bank_over_rtu_as_the_collector_stored(
    rtu_line: tuple[RtuLineConfig, str, PzemBank],
) -> None:
    line, port, _ = rtu_line
    rtu_meters = [
        RtuMeter(m.id, m.address, m.driver, {metric.value: tag for metric, tag in m.tags.items()})
        for m in line.meters
    ]
    collector = RtuCollector(RtuBus(port, baudrate=line.baudrate), rtu_meters, ListSink(), device_id=line.id)
    try:
        stored = {s.tag: s for s in collector.poll_once()}
    finally:
        collector.stop()
    serial = ["-m", "rtu", "-b", str(line.baudrate), "-P", "none", "-0", "-t", "3", "-o", "1"]
    for meter in line.meters:
        raw = mbpoll(*serial, "-a", str(meter.address), "-r", "0", "-c", str(PZEM_REGISTER_COUNT), port)
        decoded = decode_pzem([int(raw[i]) & 0xFFFF for i in range(PZEM_REGISTER_COUNT)])
        for metric, tag in meter.tags.items():
            assert stored[tag].quality is Quality.GOOD, tag
            assert stored[tag].value == pytest.approx(decoded[PzemMetric(metric)]), tag
    pump = next(m for m in line.meters if m.sim_current_tag == "corrente_motor_bomba")
    assert stored[pump.tags[PzemMetric.CURRENT_A]].value == pytest.approx(41.5)
