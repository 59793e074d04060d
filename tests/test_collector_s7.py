"""The S7 collector against a real S7 server (python-snap7) on loopback."""

from __future__ import annotations

import math
import struct
import threading
import time
from collections.abc import Iterator, Sequence

import pytest
from snap7.type import SrvArea

from collectors.s7 import CommandRejected, S7Collector
from collectors.s7_plan import plan_ranges
from lockpilot.plant import Plant
from lockpilot.plant.s7codec import db_sizes
from lockpilot.samples import Quality, Sample
from tests.conftest import free_port, wait_for
from twin.plc_server import PlcServer


class ListSink:
    """Collects published batches (thread-safe)."""

    def __init__(self) -> None:
        self.batches: list[list[Sample]] = []
        self.lock = threading.Lock()

    def publish(self, batch: Sequence[Sample]) -> None:
        with self.lock:
            self.batches.append(list(batch))

    def all(self) -> list[Sample]:
        with self.lock:
            return [s for b in self.batches for s in b]


def serve(
    plant: Plant, port: int, memory: dict[int, bytearray] | None = None
) -> tuple[PlcServer, dict[int, bytearray]]:
    memory = memory or {db: bytearray(size) for db, size in db_sizes(plant.plc_tags).items()}
    server = PlcServer()
    for db, buf in memory.items():
        server.register_area(SrvArea.DB, db, buf)
    server.start_to("127.0.0.1", tcp_port=port)
    return server, memory


@pytest.fixture
def plc(plant: Plant) -> Iterator[tuple[PlcServer, dict[int, bytearray], int]]:
    port = free_port()
    server, memory = serve(plant, port)
    yield server, memory, port
    server.stop()


def collector(plant: Plant, port: int, sink: ListSink, **options: object) -> S7Collector:
    return S7Collector("127.0.0.1", list(plant.plc_tags), sink, port=port, **options)  # type: ignore[arg-type]


# config (tag) + raw bytes at its address -> expected value
RAW_CASES = [
    ("nivel_camara", struct.pack(">f", 7.25), 7.25),
    ("pressao_sistema", struct.pack(">f", 8.6), pytest.approx(8.6, abs=1e-6)),
    ("modo_operacao", struct.pack(">h", 2), 2),
    ("codigo_primeira_falha", struct.pack(">h", -3), -3),
    ("partidas_bomba", struct.pack(">i", 123456), 123456),
    ("ciclos_eclusa", struct.pack(">i", -2), -2),
]


@pytest.mark.parametrize(("tag", "raw", "expected"), RAW_CASES)
def test_decodes_known_bytes(plant: Plant, plc, tag: str, raw: bytes, expected: object) -> None:
    _, memory, port = plc
    addr = plant.tag(tag).source.s7
    memory[addr.db][addr.byte : addr.byte + len(raw)] = raw
    sink = ListSink()
    batch = {s.tag: s for s in collector(plant, port, sink).poll_once()}
    assert batch[tag].value == expected
    assert batch[tag].quality is Quality.GOOD


def test_decodes_single_bits_without_touching_neighbours(plant: Plant, plc) -> None:
    _, memory, port = plc
    addr = plant.tag("bomba_principal_status").source.s7
    memory[addr.db][addr.byte] = 1 << addr.bit
    batch = {s.tag: s for s in collector(plant, port, ListSink()).poll_once()}
    assert batch["bomba_principal_status"].value is True
    same_byte = [
        t
        for t in plant.plc_tags
        if t.source.s7.db == addr.db
        and t.source.s7.byte == addr.byte
        and t.type.value == "bool"
        and t.name != "bomba_principal_status"
    ]
    assert same_byte and all(batch[t.name].value is False for t in same_byte)


def test_reads_every_tag_in_one_request_per_cycle(plant: Plant, plc) -> None:
    _, _, port = plc
    c = collector(plant, port, ListSink())
    batch = c.poll_once()
    assert {s.tag for s in batch} == {t.name for t in plant.plc_tags}
    assert c.stats.requests_last_cycle == 1
    assert len(plan_ranges(list(plant.plc_tags))) == len({t.source.s7.db for t in plant.plc_tags})


def test_nan_and_far_out_of_range_are_bad_quality(plant: Plant, plc) -> None:
    _, memory, port = plc
    for tag, value in (("nivel_camara", math.nan), ("pressao_succao", 99.0), ("nivel_jusante", 10.5)):
        addr = plant.tag(tag).source.s7
        memory[addr.db][addr.byte : addr.byte + 4] = struct.pack(">f", value)
    batch = {s.tag: s for s in collector(plant, port, ListSink()).poll_once()}
    assert batch["nivel_camara"].quality is Quality.BAD and batch["nivel_camara"].value is None
    assert batch["pressao_succao"].quality is Quality.BAD
    assert batch["nivel_jusante"].quality is Quality.GOOD  # within range + 10 % of span


def test_frozen_heartbeat_marks_values_stale(plant: Plant, plc) -> None:
    _, memory, port = plc
    c = collector(plant, port, ListSink(), heartbeat_tag="plc_heartbeat", stale_after_s=0.2)
    assert all(s.quality is not Quality.STALE for s in c.poll_once())
    time.sleep(0.3)
    assert all(s.quality is Quality.STALE for s in c.poll_once())
    addr = plant.tag("plc_heartbeat").source.s7
    memory[addr.db][addr.byte : addr.byte + 2] = struct.pack(">h", 1)
    assert {s.tag: s for s in c.poll_once()}["nivel_camara"].quality is Quality.GOOD


def test_plc_loss_marks_gap_and_reconnects_within_5_s(plant: Plant) -> None:
    port = free_port()
    server, memory = serve(plant, port)
    sink = ListSink()
    c = collector(plant, port, sink, period_s=0.1, timeout_s=0.5)
    c.start()
    try:
        assert wait_for(lambda: c.stats.cycles >= 3, timeout_s=5)
        server.stop()
        assert wait_for(lambda: c.stats.gaps == 1, timeout_s=5)
        time.sleep(1.5)  # a longer outage: several failed reconnects, still one gap marker
        gap = [s for s in sink.all() if s.quality is Quality.COMM_ERROR]
        assert len(gap) == len(plant.plc_tags) and all(s.value is None for s in gap)
        server, _ = serve(plant, port, memory)
        returned = time.monotonic()
        cycles = c.stats.cycles
        assert wait_for(lambda: c.stats.cycles > cycles, timeout_s=5)
        assert time.monotonic() - returned < 5.0
        assert c.stats.gaps == 1
        assert sink.all()[-1].quality is Quality.GOOD
    finally:
        c.stop()
        server.stop()


def test_bad_read_never_kills_the_loop(plant: Plant) -> None:
    port = free_port()
    sizes = db_sizes(plant.plc_tags)
    short = {db: bytearray(size if db != 40 else 8) for db, size in sizes.items()}  # DB40 too small
    server, _ = serve(plant, port, short)
    c = collector(plant, port, ListSink(), period_s=0.05)
    c.start()
    try:
        assert wait_for(lambda: c.stats.failed_cycles >= 3, timeout_s=10)
        assert c._thread is not None and c._thread.is_alive()
    finally:
        c.stop()
        server.stop()


def test_writes_one_bit_and_reads_it_back(plant: Plant, plc) -> None:
    _, memory, port = plc
    c = collector(plant, port, ListSink())
    open_cmd = plant.tag("comando_abrir_comporta_montante").source.s7
    neighbours = [
        t.source.s7
        for t in plant.plc_tags
        if t.source.s7.db == open_cmd.db and t.source.s7.byte == open_cmd.byte and t.source.s7 != open_cmd
    ]
    for addr in neighbours:
        memory[addr.db][addr.byte] |= 1 << addr.bit
    result = c.write("comando_abrir_comporta_montante", True)
    assert result.verified and memory[open_cmd.db][open_cmd.byte] == 0xFF & sum(
        1 << a.bit for a in [*neighbours, open_cmd]
    )
    assert c.write("setpoint_velocidade_bomba", 72.5).read_back == 72.5


def test_refuses_to_write_a_sensor(plant: Plant, plc) -> None:
    _, _, port = plc
    with pytest.raises(CommandRejected, match="nivel_camara"):
        collector(plant, port, ListSink()).write("nivel_camara", 3.0)
