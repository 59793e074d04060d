"""The whole physical plant: what the PLC's outputs drive and how faults change the physics."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from twin.equipment import Motion, Side, ValveId
from twin.faults import Fault, FaultSet, GateLeaf
from twin.params import Params
from twin.physics.gates import MitreGate
from twin.physics.hpu import Header, OilCircuit
from twin.physics.pump import Pump
from twin.physics.surroundings import Surroundings
from twin.physics.traffic import Traffic
from twin.physics.valves import CulvertValve, Ramp
from twin.physics.water import Water

JAM_FAULTS = {Side.UPSTREAM: Fault.GATE_JAM_UPSTREAM, Side.DOWNSTREAM: Fault.GATE_JAM_DOWNSTREAM}


@dataclass(slots=True)
class Drives:
    """The PLC's outputs to the field (what physically drives the equipment)."""

    pump_run: bool = True
    pump_speed_pct: float = 90.0
    bypass_open: bool = False
    relief_solenoid: bool = False
    fan_on: bool = False
    valve_target_pct: dict[ValveId, float] = field(default_factory=lambda: dict.fromkeys(ValveId, 0.0))
    gate_motion: dict[Side, Motion] = field(default_factory=lambda: dict.fromkeys(Side, Motion.STOP))
    green: dict[Side, bool] = field(default_factory=lambda: dict.fromkeys(Side, False))


@dataclass(slots=True)
class LockPhysics:
    """Water, valves, gates, pump, hydraulic header, oil, surroundings and traffic."""

    params: Params
    water: Water
    valves: dict[ValveId, CulvertValve]
    gates: dict[Side, MitreGate]
    pump: Pump
    header: Header
    oil: OilCircuit
    env: Surroundings
    traffic: Traffic
    now_s: float = 0.0

    @classmethod
    def initial(cls, params: Params, *, chamber_m: float) -> LockPhysics:
        """A lock at rest: pools normal, chamber at `chamber_m`, gates closed, pump running, pressurised."""
        speed = params["valvula_aqueduto_velocidade_pct_s"]
        gates = {
            s: MitreGate(
                stroke_s=params["comporta_tempo_curso_s"],
                nominal_a=params["comporta_corrente_nominal_a"],
                cycles=count,
            )
            for s, count in ((Side.UPSTREAM, 24_106), (Side.DOWNSTREAM, 24_098))
        }
        pump = Pump(
            nominal_flow_m3_h=params["bomba_vazao_nominal_m3_h"],
            nominal_a=params["bomba_corrente_nominal_a"],
            nominal_rpm=params["bomba_rotacao_nominal_rpm"],
            running=True,
            speed_pct=90.0,
            flow_m3_h=200.0,
            hours=12_430.0,
            starts=1_873,
        )
        header = Header(
            system_bar=params["pressao_sistema_normal_bar"],
            accumulator_bar=params["pressao_sistema_normal_bar"],
        )
        return cls(
            params=params,
            water=Water.initial(params, chamber_m=chamber_m),
            valves={v: CulvertValve(ramp=Ramp(speed_pct_s=speed)) for v in ValveId},
            gates=gates,
            pump=pump,
            header=header,
            oil=OilCircuit(),
            env=Surroundings(),
            traffic=Traffic(),
        )

    def step(
        self, dt_s: float, now_s: float, drives: Drives, faults: FaultSet, rng: np.random.Generator
    ) -> None:
        """Advance every part by `dt_s` (at most a fraction of a second for stability)."""
        self.now_s = now_s
        self._step_valves(dt_s, drives, faults)
        self._step_water(dt_s, faults)
        self._step_gates(dt_s, drives, faults)
        self._step_pump(dt_s, drives, faults)
        gate_kw = sum(g.current_a for g in self.gates.values()) * 0.4 * 0.8
        self.env.step(
            dt_s, now_s, rng, upstream_m=self.water.upstream_m, load_kw=self.pump.power_kw + gate_kw
        )
        self.traffic.step(
            dt_s, rng, gate_open={s: g.is_open for s, g in self.gates.items()}, green=drives.green
        )

    def _step_valves(self, dt_s: float, drives: Drives, faults: FaultSet) -> None:
        stuck = faults.get(Fault.VALVE_STUCK_FILLING)
        stuck_id = ValveId.FILLING_2 if stuck and stuck.num("valve") == 2 else ValveId.FILLING_1
        for vid, valve in self.valves.items():
            valve.stuck = stuck is not None and vid is stuck_id
            valve.ramp.target_pct = drives.valve_target_pct[vid]
            valve.step(
                dt_s, system_bar=self.header.system_bar, normal_bar=self.params["pressao_sistema_normal_bar"]
            )

    def _step_water(self, dt_s: float, faults: FaultSet) -> None:
        fill = self.valves[ValveId.FILLING_1].ramp.fraction + self.valves[ValveId.FILLING_2].ramp.fraction
        empty = self.valves[ValveId.EMPTYING_1].ramp.fraction + self.valves[ValveId.EMPTYING_2].ramp.fraction
        cav = faults.get(Fault.CAVITATION)
        self.water.step(
            dt_s,
            fill_opening=fill,
            empty_opening=empty,
            cd=self.params["valvula_aqueduto_cd"],
            area_m2=self.params["valvula_aqueduto_area_m2"],
            drawdown_to_m=cav.num("level_m") if cav else None,
            drawdown_rate_m_min=cav.num("rate_m_min") if cav else 0.0,
        )

    def _step_gates(self, dt_s: float, drives: Drives, faults: FaultSet) -> None:
        heads = {
            Side.UPSTREAM: self.water.upstream_m - self.water.chamber_m,
            Side.DOWNSTREAM: self.water.chamber_m - self.water.downstream_m,
        }
        for side, gate in self.gates.items():
            jam = faults.get(JAM_FAULTS[side])
            leaf = GateLeaf(int(jam.num("leaf"))) if jam else None
            gate.left.jammed = leaf in (GateLeaf.BOTH, GateLeaf.LEFT)
            gate.right.jammed = leaf in (GateLeaf.BOTH, GateLeaf.RIGHT)
            gate.step(
                dt_s,
                motion=drives.gate_motion[side],
                head_m=heads[side],
                wind_m_s=self.env.wind_m_s,
                ambient_c=self.env.ambient_c,
            )

    def _step_pump(self, dt_s: float, drives: Drives, faults: FaultSet) -> None:
        cav, over = faults.get(Fault.CAVITATION), faults.get(Fault.OVERPRESSURE)
        clog = cav.num("strainer_dp_bar") * min(1.0, cav.age_s(self.now_s) / 60.0) if cav else 0.0
        self.pump.ramp_speed(dt_s, run=drives.pump_run, setpoint_pct=drives.pump_speed_pct)
        self.pump.update_suction(upstream_m=self.water.upstream_m, clog_dp_bar=clog)
        self.header.step(
            dt_s,
            self.pump,
            bypass_cmd=drives.bypass_open,
            relief_solenoid=drives.relief_solenoid,
            crack_bar=self.params["pressao_alivio_abertura_bar"],
            pilot_failed=over is not None,
            blocked_fraction=over.num("blocked_pct") / 100.0 if over else 0.0,
        )
        hot, heavy = faults.get(Fault.HPU_OIL_OVERTEMP), faults.get(Fault.MOTOR_OVERCURRENT)
        extra = heavy.num("extra_load_pct") * min(1.0, heavy.age_s(self.now_s) / 10.0) if heavy else 0.0
        self.pump.update_motor(dt_s, extra_load_pct=extra, ambient_c=self.env.ambient_c)
        self.oil.step(
            dt_s,
            pump=self.pump,
            header=self.header,
            fan_cmd=drives.fan_on,
            room_c=self.env.hpu_room_c(self.pump.power_kw),
            fault_heat_kw=hot.num("heat_kw") if hot else 0.0,
            cooler_failed=hot is not None,
        )
