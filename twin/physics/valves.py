"""Culvert valves (hydraulic cylinders, move only with the system pressurised) and on/off valves."""

from __future__ import annotations

from dataclasses import dataclass

MIN_MOVE_PRESSURE_BAR = 3.0  # below this the cylinders cannot move the valve gates


@dataclass(slots=True)
class Ramp:
    """A position that travels toward its target at a fixed speed (%/s)."""

    position_pct: float = 0.0
    target_pct: float = 0.0
    speed_pct_s: float = 2.0
    velocity_pct_s: float = 0.0

    def step(self, dt_s: float, *, speed_factor: float = 1.0) -> None:
        """Move toward the target; `speed_factor` scales the speed (0 holds the position)."""
        max_move = self.speed_pct_s * speed_factor * dt_s
        delta = max(-max_move, min(max_move, self.target_pct - self.position_pct))
        self.position_pct += delta
        self.velocity_pct_s = delta / dt_s if dt_s > 0 else 0.0

    @property
    def fraction(self) -> float:
        """Opening as 0..1."""
        return self.position_pct / 100.0


@dataclass(slots=True)
class CulvertValve:
    """A culvert valve driven by a double-acting cylinder on the hydraulic system."""

    ramp: Ramp
    stuck: bool = False
    cylinder_bar: float = 0.0

    def step(self, dt_s: float, *, system_bar: float, normal_bar: float) -> None:
        """Move toward the target if pressurised and not stuck; update the cylinder pressure."""
        span = max(normal_bar - MIN_MOVE_PRESSURE_BAR, 0.1)
        factor = min(1.0, max(0.0, (system_bar - MIN_MOVE_PRESSURE_BAR) / span))
        self.ramp.step(dt_s, speed_factor=0.0 if self.stuck else factor)
        commanded = abs(self.ramp.target_pct - self.ramp.position_pct) > 0.01
        # A stuck valve's cylinder stalls at full system pressure; a moving one works below it.
        share = 0.98 if (self.stuck and commanded) else (0.8 if commanded else 0.55)
        self.cylinder_bar = system_bar * share

    @property
    def position_pct(self) -> float:
        return self.ramp.position_pct

    @property
    def is_open(self) -> bool:
        """Open limit switch."""
        return self.ramp.position_pct >= 99.5

    @property
    def is_closed(self) -> bool:
        """Closed limit switch."""
        return self.ramp.position_pct <= 0.5
