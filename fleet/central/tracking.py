"""What the central remembers of one edge node between messages: its births (aliases, datatypes, alarm
definitions), the sequence number it expects next, and the newest sample time stored per metric."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pysparkplug import DataType as SpbType

from fleet.central.store import SiteStatus
from fleet.sparkplug.codec import Message, Received
from fleet.sparkplug.topics import BD_SEQ, SEQ_MODULO


@dataclass
class DeviceBirth:
    """Aliases and datatypes one birth declared (a node's own metrics use the device key "")."""

    names: dict[int, str] = field(default_factory=dict)
    types: dict[int, SpbType] = field(default_factory=dict)
    properties: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def of(cls, message: Message) -> DeviceBirth:
        birth = cls()
        for m in message.metrics:
            if m.name is None:
                continue
            birth.properties[m.name] = m.properties
            if m.alias is not None:
                birth.names[m.alias] = m.name
                birth.types[m.alias] = m.datatype
        return birth


class SeqCheck:
    """The outcome of checking a message's sequence number."""

    OK = "ok"
    GAP = "gap"
    NO_BIRTH = "no_birth"


@dataclass
class SiteTrack:
    """One edge node: status, births, expected seq, history marks (ms per metric)."""

    status: SiteStatus
    node_birth: DeviceBirth | None = None
    devices: dict[str, DeviceBirth] = field(default_factory=dict)
    seq: int | None = None
    marks: dict[str, int] = field(default_factory=dict)
    alarm_marks: dict[str, int] = field(default_factory=dict)  # alarm id -> time (ms) of the state kept
    rebirth_asked_at: float = 0.0

    def on_nbirth(self, message: Message) -> int | None:
        """Take a node birth: its aliases, seq and bdSeq (returned); the devices must be born again."""
        self.node_birth = DeviceBirth.of(message)
        self.devices.clear()
        self.seq = message.seq
        bd = next((m.value for m in message.metrics if m.name == BD_SEQ), None)
        return None if bd is None else int(bd)

    def check_seq(self, seq: int | None) -> str:
        """Advance the expected sequence number; say whether this message was the one expected."""
        if self.node_birth is None or self.seq is None:
            return SeqCheck.NO_BIRTH
        expected = (self.seq + 1) % SEQ_MODULO
        self.seq = seq
        return SeqCheck.OK if seq == expected else SeqCheck.GAP

    def birth_of(self, device: str | None) -> DeviceBirth | None:
        return self.node_birth if device is None else self.devices.get(device)

    def name_of(self, birth: DeviceBirth, metric: Received) -> str | None:
        return metric.name or (birth.names.get(metric.alias) if metric.alias is not None else None)

    def is_new(self, name: str, t_ms: int) -> bool:
        """True once per (metric, time): a replay of a sample already stored is not new."""
        if t_ms <= self.marks.get(name, -1):
            return False
        self.marks[name] = t_ms
        return True
