"""Parse and describe S7 data-block addresses: DB10.DBX0.1, DB10.DBB2, DB10.DBW4, DB10.DBD8."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

_PATTERN = re.compile(r"^DB(?P<db>\d+)\.DB(?P<kind>[XBWD])(?P<byte>\d+)(?:\.(?P<bit>\d+))?$")


class S7Width(StrEnum):
    """Access width of an address: bit, byte, word (2 bytes), double word (4 bytes)."""

    BIT = "X"
    BYTE = "B"
    WORD = "W"
    DWORD = "D"

    @property
    def size_bytes(self) -> int:
        return {"X": 1, "B": 1, "W": 2, "D": 4}[self.value]


@dataclass(frozen=True, slots=True, order=True)
class S7Address:
    """A parsed S7 data-block address."""

    db: int
    byte: int
    bit: int
    width: S7Width

    @classmethod
    def parse(cls, text: str) -> S7Address:
        match = _PATTERN.match(text.strip())
        if not match:
            raise ValueError(f"'{text}' is not an S7 DB address (expected e.g. DB10.DBD4 or DB10.DBX0.1)")
        width = S7Width(match["kind"])
        bit_text = match["bit"]
        if width is S7Width.BIT:
            if bit_text is None:
                raise ValueError(f"'{text}': a bit address needs a bit number (DB10.DBX0.1)")
            bit = int(bit_text)
            if bit > 7:
                raise ValueError(f"'{text}': bit number must be 0..7")
        else:
            if bit_text is not None:
                raise ValueError(f"'{text}': only DBX addresses take a bit number")
            bit = 0
        return cls(db=int(match["db"]), byte=int(match["byte"]), bit=bit, width=width)

    @property
    def size_bytes(self) -> int:
        return self.width.size_bytes

    @property
    def end(self) -> int:
        """First byte after this address."""
        return self.byte + self.size_bytes

    def __str__(self) -> str:
        suffix = f".{self.bit}" if self.width is S7Width.BIT else ""
        return f"DB{self.db}.DB{self.width.value}{self.byte}{suffix}"
