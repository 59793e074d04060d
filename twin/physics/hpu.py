"""Hydraulic header: accumulator pressure, load, bypass and relief valves; HPU oil temperature."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from twin.physics.pump import Pump
from twin.physics.valves import Ramp

LOAD_CONDUCTANCE = 81.0  # m3/h per sqrt(bar): consumers and return line (200 m3/h at ~6 bar)
BYPASS_CONDUCTANCE = 120.0
RELIEF_CONDUCTANCE = 160.0
RELIEF_FULL_OPEN_ABOVE_BAR = 0.5  # mechanical relief is fully open this far above its cracking pressure
ACCUMULATOR_TAU_S = 3.0  # header follows the pump's operating point through the accumulator
BLEED_TAU_S = 60.0  # accumulator drains through the load when the pump stops
OIL_CAPACITY_KJ_K = 150.0
OIL_UA_NATURAL_KW_K = 0.15
OIL_UA_FAN_KW_K = 0.55


@dataclass(slots=True)
class Header:
    """Pressures and flows of the hydraulic header the pump feeds."""

    system_bar: float = 0.0
    accumulator_bar: float = 0.0
    discharge_bar: float = 0.0
    bypass: Ramp = field(default_factory=lambda: Ramp(speed_pct_s=20.0))
    relief: Ramp = field(default_factory=lambda: Ramp(speed_pct_s=50.0))
    load_m3_h: float = 0.0
    bypass_m3_h: float = 0.0
    relief_m3_h: float = 0.0

    def step(
        self,
        dt_s: float,
        pump: Pump,
        *,
        bypass_cmd: bool,
        relief_solenoid: bool,
        crack_bar: float,
        pilot_failed: bool,
        blocked_fraction: float,
    ) -> None:
        """Position the valves, solve the pump's operating point and let the accumulator follow it."""
        mech = min(1.0, max(0.0, (self.system_bar - crack_bar) / RELIEF_FULL_OPEN_ABOVE_BAR))
        self.relief.target_pct = 100.0 if relief_solenoid else (0.0 if pilot_failed else 100.0 * mech)
        self.bypass.target_pct = 100.0 if bypass_cmd else 0.0
        self.relief.step(dt_s)
        self.bypass.step(dt_s)
        load_g = LOAD_CONDUCTANCE * (1.0 - blocked_fraction)
        total_g = (
            load_g + BYPASS_CONDUCTANCE * self.bypass.fraction + RELIEF_CONDUCTANCE * self.relief.fraction
        )
        if pump.speed_pct > 0.5:
            target = pump.operating_point(total_g)
            tau = ACCUMULATOR_TAU_S
        else:
            pump.flow_m3_h, pump.head_m, target, tau = 0.0, 0.0, 0.0, BLEED_TAU_S
        self.discharge_bar = target
        self.system_bar += (target - self.system_bar) * (1.0 - math.exp(-dt_s / tau))
        self.accumulator_bar += (self.system_bar - self.accumulator_bar) * (1.0 - math.exp(-dt_s / 1.5))
        root = math.sqrt(max(self.system_bar, 0.0))
        self.load_m3_h = load_g * root
        self.bypass_m3_h = BYPASS_CONDUCTANCE * self.bypass.fraction * root
        self.relief_m3_h = RELIEF_CONDUCTANCE * self.relief.fraction * root


@dataclass(slots=True)
class OilCircuit:
    """HPU lubrication oil: heated by the running pump, cooled by the cooler fan and the room."""

    temp_c: float = 40.0
    level_pct: float = 78.0
    fan_running: bool = False

    def step(
        self,
        dt_s: float,
        *,
        pump: Pump,
        header: Header,
        fan_cmd: bool,
        room_c: float,
        fault_heat_kw: float,
        cooler_failed: bool,
    ) -> None:
        """First-order thermal balance of the oil tank."""
        self.fan_running = fan_cmd
        throttling_kw = 0.004 * (header.bypass_m3_h + header.relief_m3_h) * header.system_bar
        heat = (2.0 + 6.0 * pump.power_kw / 50.0 + fault_heat_kw) if pump.running else 0.5
        heat += throttling_kw
        ua = OIL_UA_NATURAL_KW_K + (OIL_UA_FAN_KW_K if fan_cmd and not cooler_failed else 0.0)
        self.temp_c += (heat - ua * (self.temp_c - room_c)) * dt_s / OIL_CAPACITY_KJ_K
        self.level_pct = 78.0 + 0.02 * (self.temp_c - 40.0)
