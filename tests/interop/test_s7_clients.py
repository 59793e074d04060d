"""Three S7 clients nobody here wrote against the twin's S7 server: they read every data block of the tag
map and write a command bit, and must agree with python-snap7 byte for byte; C++ snap7 and pyS7 also read
the CPU's identity and state over SZL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from snap7.client import Client

from lockpilot.plant import Plant
from tests.conftest import free_port, wait_for
from tests.interop.tools import node_package, run_node
from twin import LockTwin
from twin.s7layout import COMMAND_DB, DbLayout
from twin.s7server import TwinServer

COMMAND_BIT = "comando_ventilador_resfriador_oleo"  # DB50.DBX2.6: a latching command among pulse bits


@pytest.fixture
def served(plant: Plant) -> Iterator[tuple[TwinServer, int, Client]]:
    port = free_port()
    with TwinServer(LockTwin(plant), port=port) as server:
        reference = Client()
        reference.connect("127.0.0.1", 0, 1, tcp_port=port)
        yield server, port, reference
        reference.disconnect()


def _blocks(reference: Client, layout: DbLayout) -> dict[int, bytes]:
    return {db: bytes(reference.db_read(db, 0, size)) for db, size in layout.sizes.items()}


def _with_bit_set(block: bytes, byte: int, bit: int) -> bytes:
    changed = bytearray(block)
    changed[byte] |= 1 << bit
    return bytes(changed)


def _request(client: str, port: int, layout: DbLayout, plant: Plant) -> dict[str, object]:
    addr = plant.tag(COMMAND_BIT).source.s7
    return {
        "client": client,
        "port": port,
        "dbs": {str(db): size for db, size in layout.sizes.items()},
        "bit": {"db": addr.db, "byte": addr.byte, "bit": addr.bit, "value": True},
    }


@pytest.mark.parametrize(("client", "package"), [("nodes7", "nodes7"), ("snap7", "node-snap7")])
def test_node_client_reads_and_writes_like_python_snap7(
    served: tuple[TwinServer, int, Client], plant: Plant, client: str, package: str
) -> None:
    node_package(package, built="build/Release/node_snap7.node" if package == "node-snap7" else None)
    server, port, reference = served
    layout = DbLayout(plant)
    addr = plant.tag(COMMAND_BIT).source.s7
    with server.lock:  # the twin is held still: every client sees the same scan
        before = _blocks(reference, layout)
        answer = run_node("s7_client.js", _request(client, port, layout, plant))
        after = _blocks(reference, layout)
    assert {int(db): bytes.fromhex(raw) for db, raw in answer["dbs"].items()} == before
    assert after[COMMAND_DB] == _with_bit_set(before[COMMAND_DB], addr.byte, addr.bit)
    assert {db: raw for db, raw in after.items() if db != COMMAND_DB} == {
        db: raw for db, raw in before.items() if db != COMMAND_DB
    }
    assert wait_for(lambda: server.twin.plc.commands[COMMAND_BIT] is True, timeout_s=3.0)


def test_snap7_reads_the_cpu_identity_from_devices_yaml(
    served: tuple[TwinServer, int, Client], plant: Plant
) -> None:
    node_package("node-snap7", built="build/Release/node_snap7.node")
    _, port, _ = served
    identity = plant.devices["clp_eclusa"].identity
    assert identity is not None
    szl = run_node("s7_client.js", _request("snap7", port, DbLayout(plant), plant))["szl"]
    assert szl["cpu_info"] == {
        "ModuleTypeName": identity.module_type,
        "SerialNumber": identity.serial_number,
        "ASName": identity.station_name,
        "Copyright": "Original Siemens Equipment",
        "ModuleName": identity.module_name,
    }
    assert szl["order_code"]["Code"].strip() == identity.order_number
    # C++ snap7 takes the version from the last record, the boot loader (0x0081), as on a real S7-1500
    assert (szl["order_code"]["V1"], szl["order_code"]["V2"], szl["order_code"]["V3"]) == (3, 3, 0)
    assert szl["cp_info"]["MaxPduLength"] == 480 and szl["cp_info"]["MaxConnections"] == 64
    assert szl["plc_status"] == 0x08  # S7CpuStatusRun
    assert szl["protection"]["sch_schal"] == 1
    assert {0x0011, 0x001C, 0x0131, 0x0424} <= set(szl["szl_list"])
    assert szl["missing_szl"] == "CPU : Item not available"


def test_pys7_reads_writes_and_identifies_the_cpu(
    served: tuple[TwinServer, int, Client], plant: Plant
) -> None:
    pys7 = pytest.importorskip("pyS7", reason="PyPI pys7 is not installed (dev extra)")
    server, port, reference = served
    layout = DbLayout(plant)
    addr = plant.tag(COMMAND_BIT).source.s7
    identity = plant.devices["clp_eclusa"].identity
    assert identity is not None
    client = pys7.S7Client("127.0.0.1", 0, 1, port=port, timeout=5.0)
    client.connect()
    try:
        area, byte = pys7.MemoryArea.DB, pys7.DataType.BYTE
        tags = [pys7.S7Tag(area, db, byte, 0, 0, n) for db, n in layout.sizes.items()]
        with server.lock:
            before = _blocks(reference, layout)
            read = dict(zip(layout.sizes, (bytes(v) for v in client.read(tags)), strict=True))
            client.write([f"DB{addr.db},X{addr.byte}.{addr.bit}"], [True])
            after = _blocks(reference, layout)
        status, info = client.get_cpu_status(), client.get_cpu_info()
    finally:
        client.disconnect()
    assert read == before
    assert after[COMMAND_DB] == _with_bit_set(before[COMMAND_DB], addr.byte, addr.bit)
    assert status == "RUN"
    assert info["module_type_name"] == identity.order_number
    assert [m["index"] for m in info["modules"]] == ["0x0001", "0x0006", "0x0007", "0x0081"]
