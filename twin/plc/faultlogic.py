"""The plant team's fault logic: detection with on-delays, automatic actions, first-out, reset."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from twin.equipment import FaultCode, Motion, Sequence, Side, ValveId
from twin.params import Params, upstream_low_level_m
from twin.plc.memory import Mode, OnDelay, PlcMemory, StallWatch

IO = Mapping[str, object]
JAM_CODES = {
    Side.UPSTREAM: FaultCode.TRAVAMENTO_COMPORTA_MONTANTE,
    Side.DOWNSTREAM: FaultCode.TRAVAMENTO_COMPORTA_JUSANTE,
}
OVERPRESSURE_SPEED_CAP_PCT = 60.0
VALVE_DISCREPANCY_S = 15.0


def _f(io: IO, tag: str) -> float:
    return float(io[tag])  # type: ignore[arg-type]


@dataclass(slots=True)
class FaultLogic:
    """Timers and watches of every fault condition; `scan` latches faults and applies their actions."""

    params: Params
    cavitation: OnDelay = field(init=False)
    overpressure: OnDelay = field(init=False)
    overcurrent: OnDelay = field(init=False)
    level_discrepancy: OnDelay = field(init=False)
    jams: dict[Side, StallWatch] = field(init=False)
    valves: dict[ValveId, StallWatch] = field(init=False)
    conditions: set[FaultCode] = field(default_factory=set)

    def __post_init__(self) -> None:
        p = self.params
        self.cavitation = OnDelay(p["cavitacao_atraso_s"])
        self.overpressure = OnDelay(p["sobrepressao_tempo_s"])
        self.overcurrent = OnDelay(p["sobrecorrente_tempo_s"])
        self.level_discrepancy = OnDelay(10.0)
        self.jams = {
            s: StallWatch(p["travamento_timeout_s"], p["travamento_variacao_posicao_min_pct"]) for s in Side
        }
        self.valves = {v: StallWatch(VALVE_DISCREPANCY_S, 0.5) for v in ValveId}

    def scan(self, mem: PlcMemory, io: IO, dt_s: float) -> None:
        """Evaluate the conditions, latch new faults (first-out) and apply the automatic actions."""
        now = self._evaluate(mem, io, dt_s)
        self.conditions = now
        for code in sorted(now - mem.latched):
            if not mem.latched and mem.first_out is FaultCode.NONE:
                mem.first_out = code
            mem.latched.add(code)
        self._act(mem)

    def _evaluate(self, mem: PlcMemory, io: IO, dt_s: float) -> set[FaultCode]:
        p, found = self.params, set()
        low = _f(io, "nivel_reservatorio_montante") < upstream_low_level_m(p)
        cav = (
            low
            and bool(io["bomba_principal_status"])
            and _f(io, "pressao_succao") < p["cavitacao_pressao_succao_bar"]
            and _f(io, "vibracao_bomba") > p["cavitacao_vibracao_mm_s"]
        )
        if self.cavitation.update(cav, dt_s):
            found.add(FaultCode.CAVITACAO_BOMBA)
        over = _f(io, "pressao_sistema") > p["sobrepressao_bar"] and bool(io["valvula_alivio_fechada"])
        if self.overpressure.update(over, dt_s):
            found.add(FaultCode.SOBREPRESSAO_SISTEMA)
        limit_a = p["bomba_corrente_nominal_a"] * p["sobrecorrente_pct_nominal"] / 100.0
        if self.overcurrent.update(_f(io, "corrente_motor_bomba") > limit_a, dt_s):
            found.add(FaultCode.SOBRECORRENTE_MOTOR)
        oil = _f(io, "temperatura_oleo_hpu")
        if oil >= p["temperatura_oleo_alta_c"]:
            found.add(FaultCode.TEMPERATURA_OLEO_ALTA)
        if oil >= p["temperatura_oleo_muito_alta_c"]:
            found.add(FaultCode.TEMPERATURA_OLEO_MUITO_ALTA)
        if self.level_discrepancy.update(abs(_f(io, "nivel_camara") - _f(io, "nivel_camara_2")) > 0.15, dt_s):
            found.add(FaultCode.DISCREPANCIA_NIVEL_CAMARA)
        found |= self._jams(mem, io, dt_s) | self._valve_discrepancy(mem, io, dt_s)
        return found

    def _jams(self, mem: PlcMemory, io: IO, dt_s: float) -> set[FaultCode]:
        """Open command on, current above 150 % and the position unchanged for the timeout."""
        limit_a = (
            self.params["comporta_corrente_nominal_a"]
            * self.params["travamento_corrente_pct_nominal"]
            / 100.0
        )
        found = set()
        for side, watch in self.jams.items():
            armed = (
                mem.drives.gate_motion[side] is Motion.OPEN
                and _f(io, f"corrente_motor_comporta_{side.value}") > limit_a
            )
            if watch.update(armed, _f(io, f"posicao_comporta_{side.value}"), dt_s):
                found.add(JAM_CODES[side])
        return found

    def _valve_discrepancy(self, mem: PlcMemory, io: IO, dt_s: float) -> set[FaultCode]:
        """A culvert valve commanded away from its position that does not move while pressurised."""
        pressurised = _f(io, "pressao_sistema") >= self.params["pressao_sistema_min_operacao_bar"]
        stuck = False
        for vid, watch in self.valves.items():
            position = _f(io, f"posicao_valvula_{vid.value}")
            armed = pressurised and abs(mem.drives.valve_target_pct[vid] - position) > 2.0
            stuck |= watch.update(armed, position, dt_s)
        return {FaultCode.DISCREPANCIA_VALVULA} if stuck else set()

    def _act(self, mem: PlcMemory) -> None:
        """Automatic actions of the latched faults (they hold until acknowledged)."""
        drives = mem.drives
        if mem.pump_tripped:
            drives.pump_run = False
        if FaultCode.CAVITACAO_BOMBA in mem.latched:
            drives.bypass_open = True
        if FaultCode.SOBREPRESSAO_SISTEMA in mem.latched:
            drives.relief_solenoid = True
            drives.pump_speed_pct = min(drives.pump_speed_pct, OVERPRESSURE_SPEED_CAP_PCT)
        for side, code in JAM_CODES.items():
            if code in mem.latched and drives.gate_motion[side] is not Motion.STOP:
                drives.gate_motion[side] = Motion.STOP
                mem.mode, mem.forced_manual = Mode.MANUAL, True
                if mem.sequence is not Sequence.NONE:
                    mem.sequence, mem.step, mem.seq_failed = Sequence.NONE, 0, True

    def acknowledge(self, mem: PlcMemory) -> None:
        """Reset latched faults whose condition is gone; restore automatic mode after a cleared jam."""
        mem.latched &= self.conditions
        if not mem.latched:
            mem.first_out = FaultCode.NONE
            mem.seq_failed = False
        if mem.forced_manual and not mem.latched & set(JAM_CODES.values()):
            mem.mode, mem.forced_manual = Mode.AUTOMATIC, False
        if FaultCode.SOBREPRESSAO_SISTEMA not in mem.latched:
            mem.drives.relief_solenoid = mem.relief_manual
        if FaultCode.CAVITACAO_BOMBA not in mem.latched:
            mem.drives.bypass_open = mem.bypass_manual
