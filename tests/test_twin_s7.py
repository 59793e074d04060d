"""The twin served over a real python-snap7 server, read and written by a real S7 client."""

from __future__ import annotations

import struct
import time
from collections.abc import Iterator

import pytest
from snap7.client import Client
from snap7.error import S7ProtocolError

from lockpilot.plant import Plant
from lockpilot.plant.s7codec import decode, encode
from tests.conftest import free_port
from twin import Fault, LockTwin
from twin.inject_client import send_fault_request
from twin.s7layout import DbLayout
from twin.s7server import TwinServer


def _client(port: int) -> Client:
    client = Client()
    client.connect("127.0.0.1", 0, 1, tcp_port=port)
    return client


def _read(client: Client, plant: Plant, tag: str) -> object:
    t = plant.tag(tag)
    addr = t.source.s7
    return decode(client.db_read(addr.db, addr.byte, addr.size_bytes), addr, t.type, base=addr.byte)


@pytest.fixture
def served(plant: Plant) -> Iterator[tuple[TwinServer, int]]:
    port = free_port()
    with TwinServer(LockTwin(plant), port=port, speed=10.0) as server:
        yield server, port


def test_server_bytes_decode_to_the_twin_values(served: tuple[TwinServer, int], plant: Plant) -> None:
    server, port = served
    client = _client(port)
    layout = DbLayout(plant)
    with server.lock:
        blocks = {db: client.db_read(db, 0, size) for db, size in layout.sizes.items()}
        expected = server.twin.values()
    for db, buf in blocks.items():
        for name, value in layout.decode_db(db, buf).items():
            assert value == pytest.approx(expected[name], rel=1e-6, abs=1e-5), name
    assert _read(client, plant, "pressao_sistema") > 4.5
    client.disconnect()


def test_command_written_by_a_client_reaches_the_plc_and_is_reset(
    served: tuple[TwinServer, int], plant: Plant
) -> None:
    _, port = served
    client = _client(port)
    tag = plant.tag("comando_iniciar_sequencia")
    buf = bytearray(2)
    encode(buf, tag.source.s7, tag.type, 1, base=tag.source.s7.byte)
    client.db_write(50, tag.source.s7.byte, buf)
    deadline = time.monotonic() + 3.0
    while _read(client, plant, "sequencia_ativa") != 1:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    while _read(client, plant, "comando_iniciar_sequencia") != 0:  # reset by the PLC once acted on
        assert time.monotonic() < deadline
        time.sleep(0.05)
    client.disconnect()


def test_fault_injected_through_db99_and_cleared(served: tuple[TwinServer, int]) -> None:
    server, port = served
    result = send_fault_request(
        Fault.LEVEL_SENSOR_DRIFT, params={"rate_m_min": 0.1}, clear=False, host="127.0.0.1", port=port
    )
    assert result == "ok"
    assert server.twin.faults.get(Fault.LEVEL_SENSOR_DRIFT).num("rate_m_min") == 0.1
    assert (
        send_fault_request(Fault.LEVEL_SENSOR_DRIFT, params={}, clear=True, host="127.0.0.1", port=port)
        == "ok"
    )
    assert Fault.LEVEL_SENSOR_DRIFT not in server.twin.faults
    bad = send_fault_request(Fault.CAVITATION, params={"nope": 1}, clear=False, host="127.0.0.1", port=port)
    assert bad == "bad parameters"


def test_plc_link_loss_silences_the_server_then_it_answers_again(served: tuple[TwinServer, int]) -> None:
    server, port = served
    assert (
        send_fault_request(
            Fault.PLC_LINK_LOSS, params={"duration_s": 1.0}, clear=False, host="127.0.0.1", port=port
        )
        == "ok"
    )
    time.sleep(0.3)
    assert server._server.silent.is_set()
    deadline = time.monotonic() + 5.0
    while server._server.silent.is_set():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    fresh = _client(port)
    assert len(fresh.db_read(10, 0, 8)) == 8
    fresh.disconnect()


def test_speed_60_with_auto_cycle_stays_stable(plant: Plant) -> None:
    port = free_port()
    twin = LockTwin(plant)
    with TwinServer(twin, port=port, speed=60.0, auto_cycle=True) as server:
        time.sleep(3.0)
        with server.lock:
            v = twin.values()
            sim_s = twin.sim_time_s
    assert 120.0 <= sim_s <= 200.0
    assert v["sequencia_ativa"] == 1 and 5.5 < v["nivel_camara"] < 13.6
    assert abs(v["taxa_variacao_nivel_camara"]) <= 1.2 and not v["alarme_geral"]


# (SZL id, index) -> (record bytes, records) as a real S7 CPU lays them out (C++ snap7's s7_firmware.h)
SZL_LAYOUTS = {
    (0x0011, 0x0000): (28, 4),  # module identification: module, basic hardware, firmware, boot loader
    (0x0111, 0x0007): (28, 1),
    (0x001C, 0x0000): (34, 10),  # component identification
    (0x011C, 0x0005): (34, 1),
    (0x0131, 0x0001): (40, 1),  # communication capabilities
    (0x0424, 0x0000): (20, 1),  # CPU mode
    (0x0232, 0x0004): (40, 1),  # protection level
}


@pytest.mark.parametrize(("szl_id", "index"), list(SZL_LAYOUTS))
def test_szl_partial_lists_have_a_real_cpus_layout(
    served: tuple[TwinServer, int], szl_id: int, index: int
) -> None:
    _, port = served
    client = _client(port)
    szl = client.read_szl(szl_id, index)
    client.disconnect()
    data = bytes(szl.Data[: szl.Header.LengthDR])
    record_bytes, records = struct.unpack(">HH", data[:4])
    assert (record_bytes, records) == SZL_LAYOUTS[(szl_id, index)]
    assert len(data) == 4 + record_bytes * records


def test_cpu_identity_comes_from_devices_yaml(served: tuple[TwinServer, int], plant: Plant) -> None:
    _, port = served
    identity = plant.devices["clp_eclusa"].identity
    assert identity is not None
    client = _client(port)
    order, info = client.get_order_code(), client.get_cpu_info()
    with pytest.raises(S7ProtocolError, match="0xd402"):
        client.read_szl(0x0F99, 0)  # a list this CPU does not hold
    assert len(client.db_read(10, 0, 4)) == 4  # the connection survives the refusal
    client.disconnect()
    assert order.OrderCode.decode() == identity.order_number
    assert (order.V1, order.V2, order.V3) == (3, 1, 0)  # the firmware record (0x0007), not the boot loader
    assert info.ModuleTypeName.decode() == identity.module_type
    assert info.SerialNumber.decode() == identity.serial_number
    assert info.ASName.decode() == identity.station_name
