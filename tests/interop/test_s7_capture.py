"""Wireshark's s7comm dissector (tshark) over a capture of the twin's S7 traffic: a collector cycle, a
connection set-up with the SZL reads a SCADA makes, a command-bit write. No packet may be malformed or
carry an expert error. A stock python-snap7 server in the same capture is the control: tshark must call
its SZL 0x0011 answer malformed, or the check proves nothing."""

from __future__ import annotations

import contextlib
import select
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from snap7.client import Client
from snap7.error import S7ProtocolError
from snap7.server import Server
from snap7.type import SrvArea

from collectors.s7 import S7Collector
from lockpilot.plant import Plant
from tests.conftest import free_port
from tests.interop.tools import debian_tool, run_node
from twin import LockTwin
from twin.s7layout import DbLayout
from twin.s7server import TwinServer

COMMAND_BIT = "comando_ventilador_resfriador_oleo"
SZL_READS = [
    (0x0000, 0),
    (0x0011, 0),
    (0x0111, 1),
    (0x001C, 0),
    (0x011C, 1),
    (0x0131, 1),
    (0x0424, 0),
    (0x0232, 4),
]
PROBLEMS = "_ws.malformed || _ws.expert.severity == error"


@contextmanager
def capture(tshark: str, ports: list[int], path: Path) -> Iterator[None]:
    """Capture loopback TCP on `ports` into `path` while the block runs."""
    proc = subprocess.Popen(
        [tshark, "-i", "lo", "-f", " or ".join(f"tcp port {p}" for p in ports), "-w", str(path), "-q"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    started, seen = time.monotonic(), ""
    while "Capturing on" not in seen:
        if proc.poll() is not None or time.monotonic() - started > 15:
            proc.kill()
            pytest.skip(f"tshark cannot capture on loopback here: {seen.strip()[-300:]}")
        if select.select([proc.stderr], [], [], 0.5)[0]:
            seen += proc.stderr.readline()
    try:
        _until_capturing(ports[0], path)
        yield
        time.sleep(0.5)  # let the last segments reach the capture file
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _until_capturing(port: int, path: Path) -> None:
    """dumpcap says "Capturing on" before its filter is live: knock on `port` until packets land."""
    empty = path.stat().st_size if path.exists() else 0
    deadline = time.monotonic() + 10.0
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1.0):
            pass
        time.sleep(0.2)
        if path.exists() and path.stat().st_size > empty:
            return
    pytest.skip("tshark never captured a packet on loopback")


def dissect(tshark: str, path: Path, ports: list[int], *fields: str, where: str) -> list[list[str]]:
    """Rows of `fields` for the packets matching the display filter `where`, S7 decoded on `ports`."""
    decode = [arg for p in ports for arg in ("-d", f"tcp.port=={p},tpkt")]
    columns = [arg for f in fields for arg in ("-e", f)]
    done = subprocess.run(
        [tshark, "-r", str(path), *decode, "-Y", where, "-T", "fields", *columns],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return [line.split("\t") for line in done.stdout.splitlines() if line.strip()]


def test_tshark_finds_no_malformed_s7_packet(plant: Plant, tmp_path: Path) -> None:
    tshark = debian_tool("tshark")
    twin_port, stock_port = free_port(), free_port()
    pcap = tmp_path / "s7.pcapng"
    stock = Server(log=False)
    stock.register_area(SrvArea.DB, 10, bytearray(16))
    with TwinServer(LockTwin(plant), port=twin_port), capture(tshark, [twin_port, stock_port], pcap):
        stock.start_to("127.0.0.1", tcp_port=stock_port)
        try:
            collector = S7Collector("127.0.0.1", plant.plc_tags, _Sink(), port=twin_port)
            assert len(collector.poll_once()) == len(plant.plc_tags)  # a collector cycle
            scada = Client()
            scada.connect("127.0.0.1", 0, 1, tcp_port=twin_port)
            for szl_id, index in SZL_READS:
                scada.read_szl(szl_id, index)
            with pytest.raises(S7ProtocolError):
                scada.read_szl(0x0F99, 0)  # refused the way a CPU refuses it
            scada.disconnect()
            assert collector.write(COMMAND_BIT, True).verified  # a single-bit write
            collector.stop()
            _snap7_session(plant, twin_port)
            control = Client()
            control.connect("127.0.0.1", 0, 1, tcp_port=stock_port)
            control.read_szl(0x0011, 0)
            control.disconnect()
        finally:
            stock.stop()
    ports = [twin_port, stock_port]
    problems = dissect(tshark, pcap, ports, "frame.number", "tcp.srcport", "_ws.col.Info", where=PROBLEMS)
    from_twin = [row for row in problems if row[1] == str(twin_port)]
    assert from_twin == [], f"tshark flags the twin's packets: {from_twin}"
    assert any(row[1] == str(stock_port) for row in problems), "the control (stock server) was not flagged"
    answered = dissect(
        tshark,
        pcap,
        ports,
        "s7comm.data.userdata.szl_id",
        "s7comm.data.userdata.szl_index",
        where=f"tcp.srcport=={twin_port} && s7comm.param.userdata.subfunc==1 && s7comm.data.returncode==0xff",
    )
    assert {(int(i, 16), int(x, 16)) for i, x in answered} >= set(SZL_READS), answered
    functions = dissect(tshark, pcap, ports, "s7comm.param.func", where=f"tcp.srcport=={twin_port} && s7comm")
    assert {"0x04", "0x05", "0xf0"} <= {row[0] for row in functions}  # read var, write var, setup comm


def _snap7_session(plant: Plant, port: int) -> None:
    """C++ snap7's own connection set-up and SZL reads, when node-snap7 is built."""
    built = Path(__file__).parent / "node/node_modules/node-snap7/build/Release/node_snap7.node"
    if not built.is_file():
        return
    layout = DbLayout(plant)
    addr = plant.tag(COMMAND_BIT).source.s7
    run_node(
        "s7_client.js",
        {
            "client": "snap7",
            "port": port,
            "dbs": {str(db): size for db, size in layout.sizes.items()},
            "bit": {"db": addr.db, "byte": addr.byte, "bit": addr.bit, "value": True},
        },
    )


class _Sink:
    def publish(self, batch: object) -> None:
        return None
