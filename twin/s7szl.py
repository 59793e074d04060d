"""The SZL (system status list) answers of an S7-1500 CPU, laid out as a real CPU lays them out.

Each partial list is LENTHDR (record length) + N_DR (record count) + N_DR records of LENTHDR bytes, the
layout Wireshark's s7comm dissector and the C++ snap7 client decode. Record contents follow the dump of a
real CPU bundled with C++ snap7 (`s7_firmware.h`); the identity strings come from `devices.yaml`.
"""

from __future__ import annotations

import struct
from datetime import datetime
from enum import IntEnum

from lockpilot.plant.model import S7Identity

MAX_CONNECTIONS = 64  # communication connections the CPU reports (SZL 0x0131)
MPI_BPS = 12_000_000  # the DP/MPI interface's top rate (the S7-1500 reports it though it has no MPI)
KBUS_BPS = 187_500
BOOT_LOADER = (0x56, 3, 3, 0)  # "V" 3.3.0: a CPU reports its boot loader as record 0x0081 of SZL 0x0011
IDENT_RECORD = 28  # SZL 0x0011 record: index, MLFB[20], BGTyp, Ausbg, Ausbe
COMPONENT_RECORD = 34  # SZL 0x001C record: index + 32 bytes
MODE_RECORD = 20  # SZL 0x0424
COMM_RECORD = 40  # SZL 0x0131 and 0x0232


class CpuMode(IntEnum):
    """The mode nibble of SZL 0x0424's bzu-id (what C++ snap7's GetPlcStatus reads)."""

    STOP = 0x04
    RUN = 0x08


def _text(value: str, size: int, *, pad: bytes = b"\x00") -> bytes:
    return value.encode("ascii")[:size].ljust(size, pad)


def _partial_list(record_bytes: int, records: list[bytes]) -> bytes:
    for record in records:
        if len(record) != record_bytes:
            raise ValueError(f"SZL record of {len(record)} bytes in a list of {record_bytes}-byte records")
    return struct.pack(">HH", record_bytes, len(records)) + b"".join(records)


def _firmware(version: str) -> tuple[int, int, int]:
    major, minor, patch = (int(p) for p in version.removeprefix("V").split("."))
    return major, minor, patch


def identification_records(identity: S7Identity) -> dict[int, bytes]:
    """SZL 0x0011 records by index: module (1), basic hardware (6), firmware (7), boot loader (0x81)."""
    mlfb = _text(identity.order_number, 20, pad=b" ")
    major, minor, patch = _firmware(identity.firmware)
    v, b_major, b_minor, b_patch = BOOT_LOADER
    boot = _text("Boot Loader", 20, pad=b" ")
    return {
        0x0001: struct.pack(">H20sHHH", 0x0001, mlfb, 0x00C0, 0x0004, 0x0001),
        0x0006: struct.pack(">H20sHHH", 0x0006, mlfb, 0x00C0, 0x0004, 0x0001),
        0x0007: struct.pack(">H20sHBBBB", 0x0007, b" " * 20, 0x00C0, 0x56, major, minor, patch),
        0x0081: struct.pack(">H20sHBBBB", 0x0081, boot, 0, v, b_major, b_minor, b_patch),
    }


def component_records(identity: S7Identity) -> dict[int, bytes]:
    """SZL 0x001C records by index: station, module, plant tag, copyright, serial, type, card, ids."""
    return {
        0x0001: struct.pack(">H32s", 0x0001, _text(identity.station_name, 24)),
        0x0002: struct.pack(">H32s", 0x0002, _text(identity.module_name, 24)),
        0x0003: struct.pack(">H32s", 0x0003, _text(identity.plant_tag, 32)),
        0x0004: struct.pack(">H32s", 0x0004, _text("Original Siemens Equipment", 26)),
        0x0005: struct.pack(">H32s", 0x0005, _text(identity.serial_number, 24)),
        0x0007: struct.pack(">H32s", 0x0007, _text(identity.module_type, 32)),
        0x0008: struct.pack(">H32s", 0x0008, _text(identity.memory_card_serial, 32)),
        0x0009: struct.pack(">HHHH26s", 0x0009, 0x002A, 0xF600, 0x0001, b""),  # Siemens, PROFINET profile
        0x000A: struct.pack(">H32s", 0x000A, b""),
        0x000B: struct.pack(">H32s", 0x000B, _text(identity.location, 32)),
    }


def _bcd(value: int) -> int:
    return (value // 10) << 4 | value % 10


def s7_date_and_time(at: datetime) -> bytes:
    """An S7 DATE_AND_TIME (8 BCD bytes: year, month, day, hour, minute, second, ms, weekday)."""
    ms = at.microsecond // 1000
    weekday = at.isoweekday() % 7 + 1  # S7: 1 = Sunday
    return bytes(
        [
            _bcd(at.year % 100),
            _bcd(at.month),
            _bcd(at.day),
            _bcd(at.hour),
            _bcd(at.minute),
            _bcd(at.second),
            _bcd(ms // 10),
            _bcd(ms % 10) << 4 | weekday,
        ]
    )


def mode_record(mode: CpuMode, since: datetime) -> bytes:
    """SZL 0x0424: the last mode transition (event, mode, start-up info, when)."""
    return struct.pack(">HBB4s4s8s", 0x5144, 0xFF, mode, b"", b"", s7_date_and_time(since))


def communication_record(*, pdu_bytes: int) -> bytes:
    """SZL 0x0131 index 1: general communication data (PDU size, connections, bus rates)."""
    return struct.pack(">HHHII26s", 0x0001, pdu_bytes, MAX_CONNECTIONS, MPI_BPS, KBUS_BPS, b"")


def protection_record() -> bytes:
    """SZL 0x0232 index 4: protection level (none), mode switch at RUN, no startup protection."""
    return struct.pack(">HHHHHH28s", 0x0004, 1, 0, 1, 1, 0, b"")


class SzlTable:
    """Every partial list the twin's CPU answers, keyed by (SZL id, index)."""

    def __init__(self, identity: S7Identity, *, pdu_bytes: int, started: datetime) -> None:
        self.identity, self.pdu_bytes, self.started = identity, pdu_bytes, started
        self.mode = CpuMode.RUN

    def ids(self) -> list[int]:
        return [0x0000, 0x0011, 0x0111, 0x0F11, 0x001C, 0x011C, 0x0F1C, 0x0131, 0x0232, 0x0424]

    def answer(self, szl_id: int, index: int) -> bytes | None:
        """LENTHDR + N_DR + records of (szl_id, index), or None when the CPU has no such list."""
        idents = identification_records(self.identity)
        components = component_records(self.identity)
        if szl_id == 0x0000:
            return _partial_list(2, [struct.pack(">H", i) for i in self.ids()])
        if szl_id == 0x0011:
            return _partial_list(IDENT_RECORD, list(idents.values()))
        if szl_id == 0x0F11:
            return struct.pack(">HH", IDENT_RECORD, len(idents))  # header only
        if szl_id == 0x0111:
            return _partial_list(IDENT_RECORD, [idents[index]]) if index in idents else None
        if szl_id == 0x001C:
            return _partial_list(COMPONENT_RECORD, list(components.values()))
        if szl_id == 0x0F1C:
            return struct.pack(">HH", COMPONENT_RECORD, len(components))  # header only
        if szl_id == 0x011C:
            return _partial_list(COMPONENT_RECORD, [components[index]]) if index in components else None
        if szl_id == 0x0424:
            return _partial_list(MODE_RECORD, [mode_record(self.mode, self.started)])
        if szl_id == 0x0131 and index == 0x0001:
            return _partial_list(COMM_RECORD, [communication_record(pdu_bytes=self.pdu_bytes)])
        if szl_id == 0x0232 and index == 0x0004:
            return _partial_list(COMM_RECORD, [protection_record()])
        return None


DEFAULT_IDENTITY = S7Identity(
    order_number="6ES7 516-3AN02-0AB0",
    firmware="V3.1.0",
    module_type="CPU 1516-3 PN/DP",
    serial_number="S V-L9AB12342023",
)
