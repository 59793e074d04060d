"""npm tuyapi (protocols 3.3, 3.4, 3.5) against the Tuya emulator: it reads the data points and its
`set()` resolves within tuyapi's default timeout (it waits for the STATUS push a real plug sends)."""

from __future__ import annotations

import pytest

from tests.interop.tools import node_package, run_node
from twin.meters.tuya_emulator import TuyaDeviceEmulator

DEVICE_ID, KEY = "eb0c1e5d0a1b2c3d4e5f6a", "0123456789abcdef"
TUYAPI_SET_TIMEOUT_MS = 5000  # tuyapi: responseTimeout (2 s) x 2500 ms


@pytest.mark.parametrize("version", ["3.3", "3.4", "3.5"])
def test_tuyapi_reads_and_sets_a_data_point(version: str) -> None:
    node_package("tuyapi")
    dps = {"1": True, "19": 1234, "20": 2203}
    emulator = TuyaDeviceEmulator(DEVICE_ID, KEY, lambda: dps, version=version)
    emulator.start()
    try:
        answer = run_node(
            "tuya_client.js",
            {
                "id": DEVICE_ID,
                "key": KEY,
                "port": emulator.port,
                "version": version,
                "dp": "1",
                "value": False,
            },
        )
    finally:
        emulator.stop()
    assert answer["errors"] == []
    assert answer["before"]["dps"] == {"1": True, "19": 1234, "20": 2203}
    assert answer["set"]["dps"] == {"1": False}  # the STATUS push carries what changed
    assert answer["after"]["dps"] == {"1": False, "19": 1234, "20": 2203}
    assert answer["set_ms"] < TUYAPI_SET_TIMEOUT_MS
    assert emulator.controls == 1 and emulator.connections == 1
