"""Client side of DB99: inject or clear a fault in a running twin from another process."""

from __future__ import annotations

import time

from snap7.client import Client

from twin import control_db
from twin.faults import Fault

RESULT_TEXT = {
    control_db.Result.OK: "ok",
    control_db.Result.UNKNOWN_FAULT: "unknown fault",
    control_db.Result.BAD_PARAMETERS: "bad parameters",
}


def send_fault_request(
    fault: Fault, *, params: dict[str, float | str], clear: bool, host: str, port: int, timeout_s: float = 5.0
) -> str:
    """Write the request to DB99 and wait for the twin to handle it; return 'ok' or the error."""
    request = control_db.Request.CLEAR if clear else control_db.Request.INJECT
    body, word = control_db.encode_request(request, fault, params)
    client = Client()
    client.connect(host, 0, 1, tcp_port=port)
    try:
        client.db_write(control_db.CONTROL_DB, 2, bytearray(body))
        client.db_write(control_db.CONTROL_DB, 0, bytearray(word))
        if fault is Fault.PLC_LINK_LOSS and not clear:
            return "ok"  # the twin stops answering right after taking the request
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            head = client.db_read(control_db.CONTROL_DB, 0, 6)
            if int.from_bytes(head[0:2], "big") == 0:
                return RESULT_TEXT[control_db.Result(int.from_bytes(head[4:6], "big"))]
            time.sleep(0.05)
        return "no answer from the twin"
    finally:
        client.disconnect()
