"""The PLC's retained memory between scans."""

from __future__ import annotations

from dataclasses import dataclass, field

from twin.equipment import FaultCode, Motion, Sequence, Side, ValveId
from twin.physics.lock import Drives

PUMP_TRIPS = frozenset(
    {FaultCode.CAVITACAO_BOMBA, FaultCode.SOBRECORRENTE_MOTOR, FaultCode.TEMPERATURA_OLEO_MUITO_ALTA}
)
CRITICAL = PUMP_TRIPS | {
    FaultCode.SOBREPRESSAO_SISTEMA,
    FaultCode.TRAVAMENTO_COMPORTA_MONTANTE,
    FaultCode.TRAVAMENTO_COMPORTA_JUSANTE,
}


class Mode:
    """Values of `modo_operacao`."""

    MANUAL = 0
    SEMI_AUTOMATIC = 1
    AUTOMATIC = 2


@dataclass(slots=True)
class OnDelay:
    """An on-delay timer (TON): `update` returns True once the input has held for `preset_s`."""

    preset_s: float
    elapsed_s: float = 0.0

    def update(self, condition: bool, dt_s: float) -> bool:
        self.elapsed_s = self.elapsed_s + dt_s if condition else 0.0
        return condition and self.elapsed_s >= self.preset_s - 1e-9


@dataclass(slots=True)
class StallWatch:
    """Tracks whether a driven position has moved less than `min_move` within a window."""

    window_s: float
    min_move: float
    ref: float | None = None
    elapsed_s: float = 0.0

    def update(self, armed: bool, position: float, dt_s: float) -> bool:
        """True when armed for the whole window and the position moved less than `min_move`."""
        if not armed:
            self.ref, self.elapsed_s = None, 0.0
            return False
        if self.ref is None or abs(position - self.ref) >= self.min_move:
            self.ref, self.elapsed_s = position, 0.0
            return False
        self.elapsed_s += dt_s
        return self.elapsed_s >= self.window_s - 1e-9


@dataclass(slots=True)
class PlcMemory:
    """Outputs, mode, sequence state, latched faults and counters."""

    drives: Drives = field(default_factory=Drives)
    mode: int = Mode.AUTOMATIC
    forced_manual: bool = False
    sequence: Sequence = Sequence.NONE
    step: int = 0
    step_elapsed_s: float = 0.0
    seq_failed: bool = False
    latched: set[FaultCode] = field(default_factory=set)
    first_out: FaultCode = FaultCode.NONE
    heartbeat: int = 0
    scan_ms: float = 6.0
    cycles: int = 0
    pump_speed_sp_pct: float = 90.0
    bypass_manual: bool = False
    relief_manual: bool = False
    fan_thermostat: bool = False
    valve_follow: dict[ValveId, bool] = field(default_factory=lambda: dict.fromkeys(ValveId, False))
    opening_started: dict[Side, bool] = field(default_factory=lambda: dict.fromkeys(Side, False))
    prev_motion: dict[Side, Motion] = field(default_factory=lambda: dict.fromkeys(Side, Motion.STOP))

    @property
    def critical(self) -> bool:
        return bool(self.latched & CRITICAL)

    @property
    def pump_tripped(self) -> bool:
        return bool(self.latched & PUMP_TRIPS)
