"""An S7 server that writes single bits and answers SZL reads the way a real S7 CPU does.

python-snap7's server turns a BIT write into a whole-byte write at the bit's byte, which would clear the
neighbouring command bits of DB50. A real CPU changes only the addressed bit; this subclass does that,
under the same per-area lock the server uses for reads and that `lock_area` takes.

Its SZL answers are not a CPU's either (one 26-byte 0x0011 record, 0x001C/0x0131 without the partial-list
header, no 0x0424): `SzlTable` answers with a real S7-1500's layout and the identity from devices.yaml.
"""

from __future__ import annotations

import struct
import threading
from datetime import UTC, datetime
from typing import Any

from snap7.datatypes import S7Area, S7WordLen
from snap7.server import Server

from lockpilot.plant.model import S7Identity
from twin.s7szl import DEFAULT_IDENTITY, SzlTable

MAX_PDU_BYTES = 480  # python-snap7's server never negotiates more
SZL_NOT_AVAILABLE = 0xD402  # the error C++ snap7's CPU image answers for an SZL it does not hold
USERDATA = 0x07


class PlcServer(Server):
    """snap7 Server with exact single-bit writes and an S7-1500's system status lists."""

    def __init__(self, *, log: bool = False, identity: S7Identity | None = None) -> None:
        super().__init__(log=log)
        self._pending_bit = threading.local()
        self.szl = SzlTable(identity or DEFAULT_IDENTITY, pdu_bytes=MAX_PDU_BYTES, started=datetime.now(UTC))

    def _handle_szl(
        self, request: dict[str, Any], userdata_params: dict[str, Any], client_address: Any
    ) -> bytes:
        raw = request.get("data", {}).get("data", b"")
        szl_id, index = struct.unpack(">HH", raw[:4]) if len(raw) >= 4 else (0, 0)
        records = self.szl.answer(szl_id, index)
        if records is None:
            return _szl_not_available(request, userdata_params)
        answer = struct.pack(">HH", szl_id, index) + records
        return bytes(self._build_userdata_success_response(request, userdata_params, answer))

    def _parse_address_specification(self, addr_spec: bytes) -> dict[str, Any]:
        parsed: dict[str, Any] = super()._parse_address_specification(addr_spec)
        if parsed and parsed.get("word_len") == S7WordLen.BIT and len(addr_spec) >= 12:
            parsed["bit"] = int.from_bytes(addr_spec[9:12], "big") % 8
        return parsed

    def _parse_write_address(self, request: dict[str, Any]) -> Any:
        info = super()._parse_write_address(request)
        spec = request.get("parameters", {}).get("address_spec", {})
        self._pending_bit.value = spec.get("bit") if info and spec.get("word_len") == S7WordLen.BIT else None
        return info

    def _write_to_memory_area(self, area: S7Area, db_number: int, start: int, write_data: bytearray) -> bool:
        bit = getattr(self._pending_bit, "value", None)
        self._pending_bit.value = None
        if bit is None:
            return bool(super()._write_to_memory_area(area, db_number, start, write_data))
        key = (area, db_number)
        if key not in self.memory_areas or not 0 <= start < len(self.memory_areas[key]) or not write_data:
            return False
        with self.area_locks[key]:
            memory = self.memory_areas[key]
            if write_data[0] & 1:
                memory[start] |= 1 << bit
            else:
                memory[start] &= ~(1 << bit) & 0xFF
        return True


def _szl_not_available(request: dict[str, Any], params: dict[str, Any]) -> bytes:
    """A userdata response with the parameter error a CPU sets and an empty "object does not exist"."""
    param = struct.pack(
        ">3BBBBBBBBH",
        0x00,
        0x01,
        0x12,
        0x08,  # parameter length
        0x12,  # method: response
        0x80 | params.get("group", 4),
        params.get("subfunction", 1),
        params.get("sequence", 0),
        0x00,  # data unit reference
        0x00,  # last data unit
        SZL_NOT_AVAILABLE,
    )
    data = struct.pack(">BBH", 0x0A, 0x00, 0)
    header = struct.pack(">BBHHHH", 0x32, USERDATA, 0, request.get("sequence", 0), len(param), len(data))
    return header + param + data
