"""Vessels: arrivals at each side, entry through an open gate on green, exit through the other gate."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from twin.equipment import Side

NO_ECHO_M = 200.0  # sonar reading with nothing in range
WAIT_AT_M = 40.0
APPROACH_M_S = 1.5
MEAN_ARRIVAL_S = 900.0
MANOEUVRE_S = 60.0


@dataclass(slots=True)
class Approach:
    """The nearest vessel on one side (None when the water is clear)."""

    distance_m: float | None = None
    entering_s: float = 0.0


@dataclass(slots=True)
class Traffic:
    """Vessels around and in the lock."""

    sides: dict[Side, Approach] = field(default_factory=lambda: {s: Approach() for s in Side})
    in_chamber: bool = False
    entered_from: Side | None = None
    exiting_s: float = 0.0

    def waiting(self, side: Side) -> bool:
        """A vessel holds at the gate waiting for green."""
        d = self.sides[side].distance_m
        return d is not None and d <= WAIT_AT_M + 1e-6

    def distance_m(self, side: Side) -> float:
        d = self.sides[side].distance_m
        return NO_ECHO_M if d is None else d

    def step(
        self, dt_s: float, rng: np.random.Generator, *, gate_open: dict[Side, bool], green: dict[Side, bool]
    ) -> None:
        """Arrivals (Poisson), approach, entry and exit."""
        for side in Side:
            self._advance_side(side, dt_s, rng, gate_open[side] and green[side])
        if self.in_chamber and self.entered_from is not None and gate_open[self.entered_from.other]:
            self.exiting_s += dt_s
            if self.exiting_s >= MANOEUVRE_S:
                self.in_chamber, self.entered_from, self.exiting_s = False, None, 0.0

    def _advance_side(self, side: Side, dt_s: float, rng: np.random.Generator, go: bool) -> None:
        """Move the nearest vessel on `side`."""
        approach = self.sides[side]
        if approach.distance_m is None:
            if rng.random() < dt_s / MEAN_ARRIVAL_S:
                approach.distance_m = NO_ECHO_M - 1.0
            return
        if approach.distance_m > WAIT_AT_M:
            approach.distance_m = max(WAIT_AT_M, approach.distance_m - APPROACH_M_S * dt_s)
            return
        if go and not self.in_chamber:
            approach.entering_s += dt_s
            approach.distance_m = WAIT_AT_M * max(0.0, 1.0 - approach.entering_s / MANOEUVRE_S)
            if approach.entering_s >= MANOEUVRE_S:
                self.sides[side] = Approach()
                self.in_chamber, self.entered_from = True, side
