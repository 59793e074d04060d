"""The S7 collector against a second server implementation: C++ snap7's S7Server (built by node-snap7)
holding the twin's data-block layout filled with known values. The collector must read the same values
and its bit write must land on the addressed bit only."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Sequence

from collectors.s7 import S7Collector
from lockpilot.plant import Plant
from lockpilot.samples import Quality, Sample
from tests.conftest import free_port
from tests.interop.tools import NODE_DIR, node_package
from twin import LockTwin
from twin.s7layout import COMMAND_DB, DbLayout

COMMAND_BIT = "comando_ventilador_resfriador_oleo"


class ListSink:
    def __init__(self) -> None:
        self.batches: list[list[Sample]] = []

    def publish(self, batch: Sequence[Sample]) -> None:
        self.batches.append(list(batch))


def test_collector_reads_a_cpp_snap7_server_like_the_twin(plant: Plant) -> None:
    node_package("node-snap7", built="build/Release/node_snap7.node")
    layout = DbLayout(plant)
    twin = LockTwin(plant)
    twin.step(30.0)  # a state with moving values, not all zeros
    blocks = {db: layout.encode_db(db, twin.values()) for db in layout.sizes}
    expected = {name: v for db, buf in blocks.items() for name, v in layout.decode_db(db, buf).items()}
    port = free_port()
    request = {"port": port, "dbs": {str(db): bytes(buf).hex() for db, buf in blocks.items()}}
    server = subprocess.Popen(
        ["node", str(NODE_DIR / "s7_server.js"), json.dumps(request)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=NODE_DIR,
    )
    assert server.stdout is not None and server.stdin is not None
    try:
        assert json.loads(server.stdout.readline() or "{}").get("ready"), "C++ snap7 server did not start"
        for multi_read in (True, False):  # one multi-item request per cycle, then one read per range
            collector = S7Collector(
                "127.0.0.1", list(layout.tags.values()), ListSink(), port=port, multi_read=multi_read
            )
            batch = {s.tag: s for s in collector.poll_once()}
            collector.stop()
            assert {name: s.value for name, s in batch.items()} == expected
            bad = [name for name, s in batch.items() if s.quality is not Quality.GOOD]
            assert bad == []
        collector = S7Collector("127.0.0.1", list(layout.tags.values()), ListSink(), port=port)
        written = collector.write(COMMAND_BIT, True)
        collector.stop()
        assert written.verified and written.read_back is True
        final, _ = server.communicate(input="", timeout=10)
    finally:
        if server.poll() is None:
            server.kill()
    after = bytes.fromhex(json.loads(final.strip().splitlines()[-1])["dbs"][str(COMMAND_DB)])
    addr = plant.tag(COMMAND_BIT).source.s7
    before = bytearray(blocks[COMMAND_DB])
    before[addr.byte] |= 1 << addr.bit
    assert after == bytes(before)
