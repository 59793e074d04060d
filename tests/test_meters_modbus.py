"""Meters over real peers: PZEM bank on a pty RTU line, register maps over pymodbus TCP, bad configs."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from collectors.modbus_rtu import RtuBus, RtuCollector, RtuMeter, silent_interval_s
from collectors.modbus_tcp import ModbusTcpCollector
from collectors.pzem004t import decode_pzem
from collectors.register_map import decode_point, plan_blocks
from lockpilot.clock import ManualClock, SystemClock
from lockpilot.errors import PlantDataError
from lockpilot.plant.meter_points import PzemMetric, RegisterKind, RegisterPoint, RtuDriver
from lockpilot.plant.meters import load_meters
from lockpilot.samples import Quality
from tests.conftest import free_port
from twin.meters.feed import Channel, ManualValues, MeterFeed
from twin.meters.pty_relay import Direction, PtyRelay
from twin.meters.pzem_bank import PzemBank
from twin.meters.tcp_peer import ModbusTcpPeer


class ListSink:
    def __init__(self) -> None:
        self.batches: list[list] = []

    def publish(self, batch) -> None:  # type: ignore[no-untyped-def]
        self.batches.append(list(batch))


# --- PZEM-004T decoding: raw registers -> values (32-bit values are low word first) -------------------
@pytest.mark.parametrize(
    ("registers", "metric", "expected"),
    [
        ([2301, 0, 0, 0, 0, 0, 0, 600, 100, 0], PzemMetric.VOLTAGE_V, 230.1),
        ([0, 0x86A0, 0x0001, 0, 0, 0, 0, 0, 0, 0], PzemMetric.CURRENT_A, 100.0),  # 0x186A0 mA
        ([0, 0, 0, 0x5678, 0x0002, 0, 0, 0, 0, 0], PzemMetric.POWER_W, 0x25678 * 0.1),
        ([0, 0, 0, 0, 0, 0xFFFF, 0x0001, 0, 0, 0], PzemMetric.ENERGY_WH, 131071.0),  # not 0xFFFF0001
        ([0, 0, 0, 0, 0, 0, 0, 599, 0, 0], PzemMetric.FREQUENCY_HZ, 59.9),
        ([0, 0, 0, 0, 0, 0, 0, 0, 87, 0], PzemMetric.POWER_FACTOR, 0.87),
        ([0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFFFF], PzemMetric.ALARM, True),
        ([0, 0, 0, 0, 0, 0, 0, 0, 0, 0], PzemMetric.ALARM, False),
    ],
)
def test_pzem_decoding(registers: list[int], metric: PzemMetric, expected: float | bool) -> None:
    assert decode_pzem(registers)[metric] == pytest.approx(expected)


# --- Register maps: config + raw registers -> value, every type, word and byte order --------------------
MAP_CASES = [
    ({"kind": "holding", "type": "int16"}, [0xFFFE], -2.0),
    ({"kind": "holding", "type": "uint16"}, [0xFFFE], 65534.0),
    ({"kind": "holding", "type": "int16", "byte_order": "little"}, [0xFEFF], -2.0),
    ({"kind": "input", "type": "int32"}, [0xFFFF, 0xFFFE], -2.0),
    ({"kind": "input", "type": "int32", "word_order": "little"}, [0xFFFE, 0xFFFF], -2.0),
    ({"kind": "input", "type": "uint32"}, [0x0001, 0x0000], 65536.0),
    ({"kind": "input", "type": "uint32", "word_order": "little"}, [0x0000, 0x0001], 65536.0),
    (
        {"kind": "input", "type": "uint32", "word_order": "little", "byte_order": "little"},
        [0x0000, 0x0100],
        65536.0,
    ),
    ({"kind": "holding", "type": "float32"}, [0x4049, 0x0FDB], 3.14159274),
    ({"kind": "holding", "type": "float32", "word_order": "little"}, [0x0FDB, 0x4049], 3.14159274),
    ({"kind": "holding", "type": "float32", "byte_order": "little"}, [0x4940, 0xDB0F], 3.14159274),
    (
        {"kind": "holding", "type": "float32", "word_order": "little", "byte_order": "little"},
        [0xDB0F, 0x4940],
        3.14159274,
    ),
    ({"kind": "input", "type": "float64"}, [0x4009, 0x21FB, 0x5444, 0x2D18], 3.141592653589793),
    (
        {"kind": "input", "type": "float64", "word_order": "little"},
        [0x2D18, 0x5444, 0x21FB, 0x4009],
        3.141592653589793,
    ),
    ({"kind": "holding", "type": "uint16", "scale": 0.1, "offset": -40.0}, [650], 25.0),
    ({"kind": "input", "type": "int32", "scale": 0.001}, [0x0000, 0x3039], 12.345),
    ({"kind": "coil", "type": "bool"}, [1], True),
    ({"kind": "discrete", "type": "bool"}, [0], False),
]


@pytest.mark.parametrize(("config", "raw", "expected"), MAP_CASES)
def test_register_map_decoding(config: dict, raw: list[int], expected: float | bool) -> None:
    point = RegisterPoint(tag="x", address=0, **config)
    assert decode_point(point, raw) == pytest.approx(expected)


def test_tcp_collector_reads_every_case_from_a_real_server() -> None:
    """All table cases at once on a pymodbus TCP server; contiguous points share one request."""
    port = free_port()
    points, expected, next_free = [], {}, dict.fromkeys(RegisterKind, 10)
    for i, (config, _, value) in enumerate(MAP_CASES):  # packed back to back: one request per table
        point = RegisterPoint(tag=f"p{i}", address=next_free[RegisterKind(config["kind"])], **config)
        next_free[point.kind] += point.width
        points.append(point)
        expected[f"p{i}"] = value
    peer = ModbusTcpPeer(port)
    peer.start()
    try:
        for point, (_, raw, _) in zip(points, MAP_CASES, strict=True):
            peer.set_registers(point.kind, point.address, raw)
        collector = ModbusTcpCollector(
            "127.0.0.1", points, ListSink(), device_id="t", port=port, source="sim:t"
        )
        batch = collector.poll_once()
        collector.stop()
        collector.close()
    finally:
        peer.stop()
    assert {s.tag: s.value for s in batch} == pytest.approx(expected)
    assert all(s.quality is Quality.GOOD and s.source == "sim:t" for s in batch)
    assert collector.stats.requests_last_cycle == len(plan_blocks(points)) == 4


def test_blocks_respect_the_125_register_limit() -> None:
    points = [
        RegisterPoint(tag=f"r{i}", kind=RegisterKind.HOLDING, address=i * 2, type="float32")
        for i in range(100)
    ]
    blocks = plan_blocks(points)
    assert [b.count for b in blocks] == [124, 76]


# --- RTU line: several PZEM addresses, inter-frame gap, disconnect and return ---------------------------
@pytest.fixture
def rtu_line():  # type: ignore[no-untyped-def]
    values = ManualValues({"corrente_motor_bomba": 150.0, "corrente_motor_comporta_montante": 18.0})
    clock = ManualClock(datetime(2025, 3, 1, 12, tzinfo=UTC))
    feed = MeterFeed(
        values,
        {
            "bomba": Channel("corrente_motor_bomba", voltage_v=380.0, phases=3),
            "montante": Channel("corrente_motor_comporta_montante"),
        },
        clock=clock,
    )
    relay = PtyRelay(record=True)
    relay.start()
    bank = PzemBank(relay.device_port, feed, {1: "bomba", 2: "montante", 7: "montante"})
    bank.start()
    meters = [
        RtuMeter(
            f"medidor_{a}",
            a,
            RtuDriver.PZEM004T,
            {"current_a": f"m{a}_corrente", "power_w": f"m{a}_potencia", "energy_wh": f"m{a}_energia"},
            source=bank.source(a),
        )
        for a in (1, 2, 7)
    ]
    sink = ListSink()
    collector = RtuCollector(
        RtuBus(relay.client_port, inter_frame_gap_s=0.01), meters, sink, device_id="linha", clock=clock
    )
    yield values, clock, relay, bank, collector, sink
    collector.stop()
    bank.stop()
    relay.stop()


def test_rtu_line_polls_every_address_with_the_inter_frame_gap(rtu_line) -> None:  # type: ignore[no-untyped-def]
    values, clock, relay, _, collector, _ = rtu_line
    first = {s.tag: s for s in collector.poll_once()}
    assert first["m1_corrente"].value == pytest.approx(150.0)
    assert first["m1_potencia"].value == pytest.approx(3**0.5 * 380 * 150 * 0.85, abs=0.1)
    assert first["m2_corrente"].value == pytest.approx(18.0) and first["m7_corrente"].value == pytest.approx(
        18.0
    )
    assert first["m1_corrente"].source == "sim:pzem@1"
    clock.advance(seconds=3600)  # one hour of pumping: energy follows the pump
    values.set(corrente_motor_bomba=0.0)
    second = {s.tag: s.value for s in collector.poll_once()}
    assert second["m1_energia"] == pytest.approx(3**0.5 * 380 * 150 * 0.85, abs=1.0)
    assert second["m1_potencia"] == 0.0
    requests = [t for t in relay.transfers if t.direction is Direction.TO_DEVICE]
    answers = [t for t in relay.transfers if t.direction is Direction.TO_CLIENT]
    assert {r.data[0] for r in requests} == {1, 2, 7}
    gaps = [req.time_s - max(a.time_s for a in answers if a.time_s < req.time_s) for req in requests[1:]]
    assert min(gaps) >= 0.01 > silent_interval_s(9600)


def test_meter_disconnect_is_marked_once_and_recovers(rtu_line) -> None:  # type: ignore[no-untyped-def]
    _, _, relay, _, collector, sink = rtu_line
    collector.bus.timeout_s = 0.1
    collector.poll_once()
    relay.connected = False
    for _ in range(3):
        with pytest.raises(ConnectionError):
            collector.poll_once()
    gap_batches = [b for b in sink.batches if b and all(s.quality is Quality.COMM_ERROR for s in b)]
    assert len(gap_batches) == 1 and len(gap_batches[0]) == 9  # one gap marker per tag, once
    assert collector.stats.gaps == 1
    relay.connected = True
    back = collector.poll_once()
    assert all(s.quality is Quality.GOOD for s in back) and len(back) == 9


def test_tcp_meter_disconnect_and_return() -> None:
    port = free_port()
    point = RegisterPoint(tag="alimentador_potencia", kind="input", address=4, type="float32")
    peer = ModbusTcpPeer(port, points=[point], values=lambda: {"alimentador_potencia": 42.5})
    peer.start()
    sink = ListSink()
    collector = ModbusTcpCollector(
        "127.0.0.1", [point], sink, device_id="analisador", port=port, timeout_s=0.5
    )
    try:
        assert collector.poll_once()[0].value == pytest.approx(42.5)
        peer.stop()
        for _ in range(2):
            with pytest.raises(ConnectionError):
                collector.poll_once()
        assert [s.quality for b in sink.batches for s in b].count(Quality.COMM_ERROR) == 1
        peer = ModbusTcpPeer(port, points=[point], values=lambda: {"alimentador_potencia": 43.0})
        peer.start()
        assert collector.poll_once()[0].value == pytest.approx(43.0)
    finally:
        collector.stop()
        collector.close()
        peer.stop()


# --- PZEM commands only with an approval ---------------------------------------------------------------


# --- Configuration: the plant's meters.yaml loads; bad ones are refused with the field named ----------
REPO = Path(__file__).resolve().parent.parent


def test_plant_meters_load_as_tags() -> None:
    from lockpilot.plant import load_plant

    plant = load_plant("lock", root=REPO / "plants")
    assert plant.tag("medidor_bomba_potencia").unit == "W"
    assert plant.tag("alimentador_energia").unit == "kWh"
    assert plant.devices["medidor_bomba"].simulated


BAD = {
    "float32 on a coil": ("{tag: a, kind: coil, address: 0, type: float32}", "devices.0.points.0"),
    "unknown type": ("{tag: a, kind: holding, address: 0, type: int24}", "devices.0.points.0.type"),
    "unknown word order": (
        "{tag: a, kind: holding, address: 0, type: int32, word_order: middle}",
        "devices.0.points.0.word_order",
    ),
    "address past 65535": ("{tag: a, kind: holding, address: 65535, type: float32}", "devices.0.points.0"),
    "zero scale": ("{tag: a, kind: holding, address: 0, scale: 0}", "devices.0.points.0"),
    "bad tag name": ("{tag: Potencia, kind: holding, address: 0}", "devices.0.points.0.tag"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_register_maps_are_refused_with_the_field(case: str, tmp_path: Path) -> None:
    point, field = BAD[case]
    path = tmp_path / "meters.yaml"
    path.write_text(
        f"client: c\ndevices:\n  - id: d\n    protocol: modbus_tcp\n    host: h\n    points:\n"
        f"      - {point}\n",
        encoding="utf-8",
    )
    with pytest.raises(PlantDataError) as err:
        load_meters(path, set())
    assert field in str(err.value) and "meters.yaml:7" in str(err.value)


def test_overlap_duplicate_address_and_missing_key_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "meters.yaml"
    path.write_text(
        "client: c\ndevices:\n  - id: d\n    protocol: modbus_tcp\n    host: h\n    points:\n"
        "      - {tag: a, kind: holding, address: 0, type: float32}\n"
        "      - {tag: b, kind: holding, address: 1}\n",
        encoding="utf-8",
    )
    with pytest.raises(PlantDataError, match="overlap"):
        load_meters(path, set())
    path.write_text(
        "client: c\ndevices:\n  - id: l\n    protocol: modbus_rtu\n    port: /dev/x\n    meters:\n"
        "      - {id: m1, address: 1, tags: {power_w: p1}}\n"
        "      - {id: m2, address: 1, tags: {power_w: p2}}\n",
        encoding="utf-8",
    )
    with pytest.raises(PlantDataError, match="RTU address 1"):
        load_meters(path, set())
    path.write_text(
        "client: c\ndevices:\n  - id: t\n    protocol: tuya\n    tuya_id: x\n    host: h\n"
        "    local_key: short\n    points: [{key: '1', tag: a}]\n",
        encoding="utf-8",
    )
    with pytest.raises(PlantDataError, match=r"devices\.0\.local_key"):
        load_meters(path, set())


def test_feed_is_labelled_simulated() -> None:
    feed = MeterFeed(ManualValues(), {"x": Channel("i")}, clock=SystemClock())
    assert PzemBank("/dev/null", feed, {4: "x"}).source(4).startswith("sim:")
    assert time.monotonic() > 0


def test_one_silent_meter_gets_its_own_gap(rtu_line) -> None:  # type: ignore[no-untyped-def]
    _, clock, relay, _, line, _ = rtu_line
    line.stop()
    meters = [*line.meters, RtuMeter("medidor_9", 9, RtuDriver.PZEM004T, {"power_w": "m9_potencia"})]
    collector = RtuCollector(
        RtuBus(relay.client_port, timeout_s=0.1), meters, ListSink(), device_id="l2", clock=clock
    )
    try:
        first, second = collector.poll_once(), collector.poll_once()
    finally:
        collector.stop()
    assert [s.quality for s in first if s.tag == "m9_potencia"] == [Quality.COMM_ERROR]
    assert [s for s in second if s.tag == "m9_potencia"] == []  # marked once per outage
    assert all(s.quality is Quality.GOOD for s in second) and len(second) == 9
