"""Digital twin of the lock: physics, PLC program, fault injection and an S7 server."""

from twin.faults import Fault
from twin.model import LockTwin
from twin.s7server import TwinServer

__all__ = ["Fault", "LockTwin", "TwinServer"]
