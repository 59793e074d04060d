"""Mitre gates: two leaves on one electromechanical drive, its motor current and temperature."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from twin.equipment import Motion

STALL_CURRENT_FACTOR = 1.9  # locked-rotor current the drive's torque limiter allows, x nominal
STALL_TIME_CONSTANT_S = 3.0
HEAD_BLOCK_M = 0.3  # above this head the water pressure holds the leaves closed


@dataclass(slots=True)
class Leaf:
    """One gate leaf: position 0 (closed, mitred) .. 100 % (open, in its recess)."""

    position_pct: float = 0.0
    velocity_pct_s: float = 0.0
    jammed: bool = False


@dataclass(slots=True)
class MitreGate:
    """A pair of leaves, their drive motor and its thermal state."""

    stroke_s: float
    nominal_a: float
    left: Leaf = field(default_factory=Leaf)
    right: Leaf = field(default_factory=Leaf)
    current_a: float = 0.0
    motor_temp_c: float = 30.0
    cycles: int = 0
    _was_closed: bool = True

    @property
    def position_pct(self) -> float:
        """Mean of the leaves (what `posicao_comporta_*` reports)."""
        return (self.left.position_pct + self.right.position_pct) / 2.0

    @property
    def velocity_pct_s(self) -> float:
        return (self.left.velocity_pct_s + self.right.velocity_pct_s) / 2.0

    @property
    def is_open(self) -> bool:
        return min(self.left.position_pct, self.right.position_pct) >= 99.5

    @property
    def is_closed(self) -> bool:
        return max(self.left.position_pct, self.right.position_pct) <= 0.5

    def step(self, dt_s: float, *, motion: Motion, head_m: float, wind_m_s: float, ambient_c: float) -> None:
        """Drive the leaves for `dt_s`; a jammed leaf or a head above 0.3 m stalls the drive."""
        blocked = motion is Motion.OPEN and abs(head_m) > HEAD_BLOCK_M
        stalled = False
        for leaf in (self.left, self.right):
            stalled |= self._move_leaf(leaf, dt_s, motion, blocked)
        self._update_current(dt_s, motion, stalled, head_m, wind_m_s)
        self._update_temperature(dt_s, ambient_c)
        if self._was_closed and self.is_open:
            self.cycles += 1
        if self.is_closed or self.is_open:
            self._was_closed = self.is_closed

    def _move_leaf(self, leaf: Leaf, dt_s: float, motion: Motion, blocked: bool) -> bool:
        """Move one leaf; return True if it is driven but cannot move."""
        if motion is Motion.STOP:
            leaf.velocity_pct_s = 0.0
            return False
        target = 100.0 if motion is Motion.OPEN else 0.0
        at_end = abs(leaf.position_pct - target) < 1e-9
        if leaf.jammed or blocked:
            leaf.velocity_pct_s = 0.0
            return not at_end
        step = min(100.0 / self.stroke_s * dt_s, abs(target - leaf.position_pct))
        leaf.position_pct += step * int(motion)
        leaf.velocity_pct_s = step * int(motion) / dt_s
        return False

    def _update_current(
        self, dt_s: float, motion: Motion, stalled: bool, head_m: float, wind_m_s: float
    ) -> None:
        """Running current with wind and head load; climbs toward locked-rotor current when stalled."""
        if motion is Motion.STOP:
            target = 0.0
        elif stalled:
            target = STALL_CURRENT_FACTOR * self.nominal_a
        else:
            target = self.nominal_a * (0.92 + 0.012 * wind_m_s + 0.4 * min(abs(head_m), 0.3))
        tau = STALL_TIME_CONSTANT_S if stalled else 0.5
        self.current_a += (target - self.current_a) * (1.0 - math.exp(-dt_s / tau))

    def _update_temperature(self, dt_s: float, ambient_c: float) -> None:
        """First-order motor heating by I^2 losses."""
        heating = 35.0 * (self.current_a / self.nominal_a) ** 2
        self.motor_temp_c += (ambient_c + heating - self.motor_temp_c) * (1.0 - math.exp(-dt_s / 900.0))
