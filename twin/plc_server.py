"""An S7 server that writes single bits the way a real S7 CPU does.

python-snap7's server turns a BIT write into a whole-byte write at the bit's byte, which would clear the
neighbouring command bits of DB50. A real CPU changes only the addressed bit; this subclass does that,
under the same per-area lock the server uses for reads and that `lock_area` takes.
"""

from __future__ import annotations

import threading
from typing import Any

from snap7.datatypes import S7Area, S7WordLen
from snap7.server import Server


class PlcServer(Server):
    """snap7 Server with exact single-bit writes."""

    def __init__(self, *, log: bool = False) -> None:
        super().__init__(log=log)
        self._pending_bit = threading.local()

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
