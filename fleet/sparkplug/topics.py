"""Sparkplug B topic namespace and the metric names Lockpilot gives its edge nodes (design.md section 11)."""

from __future__ import annotations

from dataclasses import dataclass

from pysparkplug import MessageType

NAMESPACE = "spBv1.0"
BD_SEQ = "bdSeq"
REBIRTH = "Node Control/Rebirth"
FIRST_OUT = "alarmes/primeira_falha"
ALARM_PREFIX = "alarmes/"
ALARM_SUFFIX = "/estado"
PLC_DEVICE = "clp"
SEQ_MODULO = 256

__all__ = ["MessageType", "Topic", "alarm_metric", "alarm_of_metric", "state_topic"]


def alarm_metric(alarm_id: str) -> str:
    """The node metric holding an alarm's ISA-18.2 state."""
    return f"{ALARM_PREFIX}{alarm_id}{ALARM_SUFFIX}"


def alarm_of_metric(name: str) -> str | None:
    """The alarm id of an alarm-state metric name, None for any other metric."""
    if name.startswith(ALARM_PREFIX) and name.endswith(ALARM_SUFFIX):
        return name[len(ALARM_PREFIX) : -len(ALARM_SUFFIX)]
    return None


def state_topic(host_id: str) -> str:
    """Where a primary host application announces itself (Sparkplug 3.0)."""
    return f"{NAMESPACE}/STATE/{host_id}"


@dataclass(frozen=True, slots=True)
class Topic:
    """`spBv1.0/{group}/{type}/{node}[/{device}]`."""

    group: str
    kind: MessageType
    node: str
    device: str | None = None

    def __str__(self) -> str:
        tail = f"/{self.device}" if self.device else ""
        return f"{NAMESPACE}/{self.group}/{self.kind.value}/{self.node}{tail}"

    @classmethod
    def parse(cls, text: str) -> Topic | None:
        """The topic of an edge node or device message, None for STATE and anything else."""
        parts = text.split("/")
        if len(parts) not in (4, 5) or parts[0] != NAMESPACE:
            return None
        try:
            kind = MessageType(parts[2])
        except ValueError:
            return None
        if kind is MessageType.STATE:
            return None
        return cls(parts[1], kind, parts[3], parts[4] if len(parts) == 5 else None)


def group_filter(group: str) -> str:
    """The subscription of a host application to every message of a group."""
    return f"{NAMESPACE}/{group}/#"
