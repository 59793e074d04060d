"""Injectable faults by name, their parameters and when they started."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum, StrEnum


class Fault(StrEnum):
    """The faults the twin can inject (names fixed by the design notes, section 7)."""

    CAVITATION = "cavitation"
    OVERPRESSURE = "overpressure"
    GATE_JAM_UPSTREAM = "gate_jam_upstream"
    GATE_JAM_DOWNSTREAM = "gate_jam_downstream"
    LEVEL_SENSOR_DRIFT = "level_sensor_drift"
    VALVE_STUCK_FILLING = "valve_stuck_filling"
    HPU_OIL_OVERTEMP = "hpu_oil_overtemp"
    MOTOR_OVERCURRENT = "motor_overcurrent"
    SENSOR_FREEZE = "sensor_freeze"
    PLC_LINK_LOSS = "plc_link_loss"
    COMMAND_LOST = "command_lost"  # one DB50 command never reaches the field (failed output card or relay)

    @property
    def code(self) -> int:
        """Number of this fault in the sim-only control DB (DB99)."""
        return list(Fault).index(self) + 1

    @classmethod
    def from_code(cls, code: int) -> Fault:
        """The fault with DB99 number `code`."""
        faults = list(cls)
        if not 1 <= code <= len(faults):
            raise ValueError(f"no fault with code {code} (1..{len(faults)})")
        return faults[code - 1]


class GateLeaf(IntEnum):
    """Which leaves a gate jam holds (numeric so it fits DB99 parameters)."""

    BOTH = 0
    LEFT = 1
    RIGHT = 2


# Default parameters of each fault; injected values override them (keys with units in the name).
FAULT_DEFAULTS: dict[Fault, dict[str, float | str]] = {
    Fault.CAVITATION: {"level_m": 10.3, "rate_m_min": 1.0, "strainer_dp_bar": 0.35},
    Fault.OVERPRESSURE: {"blocked_pct": 95.0},
    Fault.GATE_JAM_UPSTREAM: {"leaf": GateLeaf.BOTH.value},
    Fault.GATE_JAM_DOWNSTREAM: {"leaf": GateLeaf.BOTH.value},
    Fault.LEVEL_SENSOR_DRIFT: {"rate_m_min": 0.02, "max_m": 2.0},
    Fault.VALVE_STUCK_FILLING: {"valve": 1.0},
    Fault.HPU_OIL_OVERTEMP: {"heat_kw": 6.0},
    Fault.MOTOR_OVERCURRENT: {"extra_load_pct": 60.0},
    Fault.SENSOR_FREEZE: {"tag": "nivel_camara"},
    Fault.PLC_LINK_LOSS: {"duration_s": 10.0},
    Fault.COMMAND_LOST: {"command": ""},
}


@dataclass(slots=True)
class ActiveFault:
    """One injected fault: its parameters and the simulated time it began."""

    fault: Fault
    params: dict[str, float | str]
    since_s: float

    def num(self, key: str) -> float:
        """A numeric parameter."""
        return float(self.params[key])

    def age_s(self, now_s: float) -> float:
        """Seconds since injection."""
        return max(0.0, now_s - self.since_s)


@dataclass(slots=True)
class FaultSet:
    """The faults active now."""

    active: dict[Fault, ActiveFault] = field(default_factory=dict)

    def inject(self, fault: Fault, now_s: float, **params: float | str) -> ActiveFault:
        """Start `fault` (or restart it with new parameters); unknown parameter names are refused."""
        defaults = FAULT_DEFAULTS[fault]
        unknown = set(params) - set(defaults)
        if unknown:
            raise ValueError(f"fault {fault.value} takes {sorted(defaults)}, not {sorted(unknown)}")
        merged = {**defaults, **params}
        entry = ActiveFault(fault=fault, params=merged, since_s=now_s)
        self.active[fault] = entry
        return entry

    def clear(self, fault: Fault) -> None:
        """End `fault` if active."""
        self.active.pop(fault, None)

    def get(self, fault: Fault) -> ActiveFault | None:
        """The active entry of `fault`, or None."""
        return self.active.get(fault)

    def __contains__(self, fault: object) -> bool:
        return fault in self.active
