"""Weather, water quality and the electrical supply around the lock."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

DAY_S = 86400.0
AUX_LOAD_KW = 18.0  # lighting, PLC, HPU auxiliaries, control house


@dataclass(slots=True)
class Surroundings:
    """Slow environmental states and the lock's electrical totals."""

    start_hour: float = 10.0
    ambient_c: float = 24.0
    water_c: float = 22.0
    wind_m_s: float = 3.5
    turbidity_ntu: float = 12.0
    voltage_v: float = 400.0
    power_factor: float = 0.86
    total_kw: float = AUX_LOAD_KW
    energy_kwh: float = 125_000.0

    def step(
        self, dt_s: float, now_s: float, rng: np.random.Generator, *, upstream_m: float, load_kw: float
    ) -> None:
        """Daily temperature swing, gusty wind, turbidity from a low pool, supply under load."""
        phase = 2.0 * math.pi * ((now_s / 3600.0 + self.start_hour - 15.0) / 24.0)
        self.ambient_c = 24.0 + 5.0 * math.cos(phase)
        self.water_c = 22.0 + 0.8 * math.cos(phase - 0.8)
        theta = min(1.0, dt_s / 120.0)
        self.wind_m_s += theta * (3.5 - self.wind_m_s) + 0.6 * math.sqrt(theta) * float(rng.standard_normal())
        self.wind_m_s = max(0.0, self.wind_m_s)
        self.turbidity_ntu = 12.0 + 45.0 * max(0.0, 11.2 - upstream_m)
        self.total_kw = AUX_LOAD_KW + load_kw
        self.voltage_v = 402.0 - 0.03 * self.total_kw
        self.power_factor = min(0.95, 0.80 + 0.0012 * self.total_kw)
        self.energy_kwh += self.total_kw * dt_s / 3600.0

    @property
    def panel_c(self) -> float:
        """PLC panel: ambient plus electronics self-heating."""
        return self.ambient_c + 9.0

    def hpu_room_c(self, pump_kw: float) -> float:
        """HPU room: ambient plus the pump motor's losses."""
        return self.ambient_c + 3.0 + 0.05 * pump_kw
