"""Main pump: centrifugal curve on a VFD, suction from the upstream pool, NPSH, vibration, motor.

The pump lifts water from the upstream pool into the hydraulic header (`hpu.py`), which returns the
operating point. Pressures: suction absolute, discharge and system gauge.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

RHO_G = 1000.0 * 9.81
M_PER_BAR = 1e5 / RHO_G  # metres of water column per bar
ATM_BAR = 1.013
VAPOUR_BAR = 0.023  # water at ~20 °C
SHUTOFF_HEAD_M = 115.0  # at 100 % speed
CURVE_COEFF = 0.0008  # head drop per (m3/h)^2
PUMP_AXIS_M = 12.0  # pump axis above the chamber floor datum (suction lift when the pool is below it)
INTAKE_CREST_M = 9.8  # top of the intake bellmouth
CRITICAL_SUBMERGENCE_M = 0.9  # below this an air-entraining vortex forms at the intake
SUPPLY_V = 400.0
POWER_FACTOR = 0.86
MOTOR_EFF = 0.94
VFD_RAMP_PCT_S = 10.0


@dataclass(slots=True)
class Pump:
    """Electro-mechanical and suction-side state of the main pump."""

    nominal_flow_m3_h: float
    nominal_a: float
    nominal_rpm: float
    running: bool = False
    speed_pct: float = 0.0
    flow_m3_h: float = 0.0
    head_m: float = 0.0
    suction_bar: float = ATM_BAR
    strainer_dp_bar: float = 0.0
    npsh_available_m: float = 10.0
    npsh_required_m: float = 0.0
    cavitation: float = 0.0  # 0 none .. 1 severe (NPSH deficit / NPSH required)
    vibration_mm_s: float = 0.6
    motor_vibration_mm_s: float = 0.5
    power_kw: float = 0.0
    current_a: float = 0.0
    hours: float = 0.0
    starts: int = 0
    bearing_c: float = 32.0
    winding_c: float = 35.0

    def ramp_speed(self, dt_s: float, *, run: bool, setpoint_pct: float) -> None:
        """Contactor and VFD ramp toward the setpoint (coast down when stopped)."""
        if run and not self.running:
            self.starts += 1
        self.running = run
        target = setpoint_pct if run else 0.0
        step = VFD_RAMP_PCT_S * dt_s
        self.speed_pct += max(-step, min(step, target - self.speed_pct))
        if self.running:
            self.hours += dt_s / 3600.0

    def update_suction(self, *, upstream_m: float, clog_dp_bar: float) -> None:
        """Suction pressure from submergence minus intake, strainer and vortex losses at the last flow."""
        q = (self.flow_m3_h / self.nominal_flow_m3_h) ** 2
        submergence = upstream_m - INTAKE_CREST_M
        vortex = 0.6 * min(1.0, max(0.0, (CRITICAL_SUBMERGENCE_M - submergence) / 0.4)) * q
        self.strainer_dp_bar = (0.03 + clog_dp_bar) * q
        static = ATM_BAR + (upstream_m - PUMP_AXIS_M) / M_PER_BAR
        self.suction_bar = max(0.05, static - 0.03 * q - self.strainer_dp_bar - vortex)
        self.npsh_available_m = (self.suction_bar - VAPOUR_BAR) * M_PER_BAR
        self.npsh_required_m = 6.0 * q * (self.speed_pct / 100.0) ** 2 + 1.0 * (self.speed_pct > 1)
        deficit = self.npsh_required_m - self.npsh_available_m
        self.cavitation = min(1.0, max(0.0, deficit / max(self.npsh_required_m, 0.1)))

    @property
    def shutoff_head_m(self) -> float:
        """Zero-flow head at the present speed, lowered by cavitation."""
        s = self.speed_pct / 100.0
        return SHUTOFF_HEAD_M * s * s * (1.0 - 0.25 * self.cavitation)

    def operating_point(self, conductance: float) -> float:
        """Gauge pressure where the pump curve meets Q = conductance * sqrt(p); sets flow and head."""
        suction_gauge = self.suction_bar - ATM_BAR
        p = (self.shutoff_head_m + M_PER_BAR * suction_gauge) / (M_PER_BAR + CURVE_COEFF * conductance**2)
        p = max(0.0, p)
        self.flow_m3_h = conductance * math.sqrt(p)
        self.head_m = max(0.0, self.shutoff_head_m - CURVE_COEFF * self.flow_m3_h**2)
        return p

    def update_motor(self, dt_s: float, *, extra_load_pct: float, ambient_c: float) -> None:
        """Shaft power, current, vibration and temperatures from the operating point."""
        s = self.speed_pct / 100.0
        hydraulic_kw = RHO_G * self.flow_m3_h / 3600.0 * self.head_m / 1000.0
        extra_a = self.nominal_a * extra_load_pct / 100.0 if self.running else 0.0
        to_kw = math.sqrt(3) * SUPPLY_V * POWER_FACTOR * MOTOR_EFF / 1000.0
        self.power_kw = (
            (hydraulic_kw / 0.78 + 10.0 * s**3) / MOTOR_EFF + extra_a * to_kw if self.running else 0.0
        )
        self.current_a = self.power_kw * MOTOR_EFF / to_kw if self.running else 0.0
        self.vibration_mm_s = 0.6 + 2.0 * s * s + 30.0 * self.cavitation + 4.0 * extra_load_pct / 100.0 * s
        self.motor_vibration_mm_s = (
            0.5 + 1.4 * s * s + 2.5 * self.cavitation + 3.0 * extra_load_pct / 100.0 * s
        )
        self._heat(dt_s, ambient_c, extra_load_pct)

    def _heat(self, dt_s: float, ambient_c: float, extra_load_pct: float) -> None:
        """First-order bearing and winding temperatures."""
        load = self.current_a / self.nominal_a
        bearing_target = (
            ambient_c + 18.0 * self.speed_pct / 100.0 + 30.0 * extra_load_pct / 100.0 * self.running
        )
        winding_target = ambient_c + 75.0 * load * load
        self.bearing_c += (bearing_target - self.bearing_c) * (1.0 - math.exp(-dt_s / 400.0))
        self.winding_c += (winding_target - self.winding_c) * (1.0 - math.exp(-dt_s / 300.0))

    @property
    def rpm(self) -> float:
        return self.nominal_rpm * self.speed_pct / 100.0 * (0.99 if self.running else 1.0)

    @property
    def drive_hz(self) -> float:
        return 60.0 * self.speed_pct / 100.0
