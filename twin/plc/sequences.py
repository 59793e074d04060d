"""Operating sequences as step tables: each step acts and reports completion, under a timeout."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import structlog

from lockpilot.samples import Value
from twin.equipment import FaultCode, Motion, Sequence, Side, ValveId
from twin.params import Params, chamber_area_m2
from twin.physics.water import G_M_S2
from twin.plc.interlocks import equalised, head_m
from twin.plc.memory import Mode, PlcMemory

log = structlog.get_logger(__name__)
IO = Mapping[str, Value]
RATE_MARGIN = 0.95  # aim at 95 % of the plant's rate limit
RATE_RAMP_S = 60.0  # "gradually": the aimed rate ramps up over this time
SIGNAL_DWELL_S = 5.0


@dataclass(frozen=True, slots=True)
class Step:
    """One step: `run` drives the outputs and returns True when the step is complete."""

    name: str
    timeout_s: Callable[[Params], float]
    run: Callable[[PlcMemory, IO, Params], bool]


def _close_gates(mem: PlcMemory, io: IO, _: Params) -> bool:
    for side in Side:
        mem.drives.green[side] = False
        if not io[f"comporta_{side.value}_fechada"]:
            mem.drives.gate_motion[side] = Motion.CLOSE
    return all(bool(io[f"comporta_{s.value}_fechada"]) for s in Side)


def _close_valves(side: Side) -> Callable[[PlcMemory, IO, Params], bool]:
    def run(mem: PlcMemory, io: IO, _: Params) -> bool:
        for vid in ValveId.of_side(side):
            mem.drives.valve_target_pct[vid] = 0.0
        return all(bool(io[f"valvula_{v.value}_fechada"]) for v in ValveId.of_side(side))

    return run


def _level_towards(side: Side) -> Callable[[PlcMemory, IO, Params], bool]:
    """Open the valves of `side` so the chamber level rate stays under the plant's limit."""

    def run(mem: PlcMemory, io: IO, p: Params) -> bool:
        head = abs(head_m(io, side))
        limit = p["taxa_enchimento_max_m_min"]
        aim = RATE_MARGIN * limit * min(1.0, (mem.step_elapsed_s + 0.5) / RATE_RAMP_S)
        flow_per_valve = aim / 60.0 * chamber_area_m2(p) / 2.0
        capacity = (
            p["valvula_aqueduto_cd"] * p["valvula_aqueduto_area_m2"] * math.sqrt(2 * G_M_S2 * max(head, 1e-4))
        )
        opening = min(100.0, 100.0 * flow_per_valve / capacity)
        too_fast = abs(float(io["taxa_variacao_nivel_camara"])) > 0.97 * limit
        for vid in ValveId.of_side(side):
            position = float(io[f"posicao_valvula_{vid.value}"])
            mem.drives.valve_target_pct[vid] = max(0.0, position - 2.0) if too_fast else opening
        return head <= p["tolerancia_equalizacao_m"] / 2.0

    return run


def _stabilise(mem: PlcMemory, io: IO, p: Params) -> bool:
    return mem.step_elapsed_s >= p["estabilizacao_s"]


def _open_gate(side: Side) -> Callable[[PlcMemory, IO, Params], bool]:
    def run(mem: PlcMemory, io: IO, _: Params) -> bool:
        mem.drives.gate_motion[side] = Motion.OPEN
        return bool(io[f"comporta_{side.value}_aberta"])

    return run


def _green(side: Side) -> Callable[[PlcMemory, IO, Params], bool]:
    def run(mem: PlcMemory, io: IO, _: Params) -> bool:
        mem.drives.green[side] = True
        return mem.step_elapsed_s >= SIGNAL_DWELL_S

    return run


def _gate_timeout(p: Params) -> float:
    return p["comporta_tempo_curso_s"] + 30.0


def _level_timeout(p: Params) -> float:
    return p.get("enchimento_timeout_s", 900.0)


def _fixed(seconds: float) -> Callable[[Params], float]:
    return lambda p: seconds


def _level_steps(side: Side) -> tuple[Step, ...]:
    return (
        Step("fechar_comportas", _gate_timeout, _close_gates),
        Step("fechar_valvulas_opostas", _fixed(90.0), _close_valves(side.other)),
        Step("abrir_valvulas_gradualmente", _level_timeout, _level_towards(side)),
        Step("estabilizacao", lambda p: p["estabilizacao_s"] + 10.0, _stabilise),
    )


def _opening_steps(side: Side) -> tuple[Step, ...]:
    return (
        Step("abrir_comporta", _gate_timeout, _open_gate(side)),
        Step("liberar_sinal_verde", _fixed(30.0), _green(side)),
    )


STEPS: dict[Sequence, tuple[Step, ...]] = {
    Sequence.ENCHIMENTO: _level_steps(Side.UPSTREAM),
    Sequence.ESVAZIAMENTO: _level_steps(Side.DOWNSTREAM),
    Sequence.ABERTURA_COMPORTA_MONTANTE: _opening_steps(Side.UPSTREAM),
    Sequence.ABERTURA_COMPORTA_JUSANTE: _opening_steps(Side.DOWNSTREAM),
    Sequence.FECHAMENTO_COMPORTAS: (Step("fechar_comportas", _gate_timeout, _close_gates),),
}
_GATE_OF = {
    Sequence.ABERTURA_COMPORTA_MONTANTE: Side.UPSTREAM,
    Sequence.ABERTURA_COMPORTA_JUSANTE: Side.DOWNSTREAM,
}


def refusal(seq: Sequence, mem: PlcMemory, io: IO, p: Params) -> str | None:
    """Why `seq` may not start now, or None when its preconditions hold."""
    if mem.sequence is not Sequence.NONE:
        return "another sequence is running"
    if mem.mode == Mode.MANUAL:
        return "lock in manual mode"
    if mem.critical:
        return "critical alarm active"
    if (
        seq is not Sequence.FECHAMENTO_COMPORTAS
        and not float(io["pressao_sistema"]) >= p["pressao_sistema_min_operacao_bar"]
    ):
        return "hydraulic system not pressurised"
    side = _GATE_OF.get(seq)
    if side is not None and not equalised(io, side, p):
        return "levels not equalised"
    if side is not None and not io[f"comporta_{side.other.value}_fechada"]:
        return "opposite gate not closed"
    return None


def start(seq: Sequence, mem: PlcMemory, io: IO, p: Params) -> None:
    """Start `seq` if permitted; a refused start sets `sequencia_em_falha`."""
    reason = refusal(seq, mem, io, p)
    if reason is not None:
        log.info("sequence_refused", sequence=seq.name, reason=reason)
        mem.seq_failed = True
        return
    mem.sequence, mem.step, mem.step_elapsed_s, mem.seq_failed = seq, 1, 0.0, False
    mem.valve_follow = dict.fromkeys(ValveId, False)


def run(mem: PlcMemory, io: IO, p: Params, dt_s: float) -> None:
    """Run the active step; advance on completion, fail on timeout."""
    if mem.sequence is Sequence.NONE:
        return
    steps = STEPS[mem.sequence]
    step = steps[mem.step - 1]
    mem.step_elapsed_s += dt_s
    if step.run(mem, io, p):
        mem.step, mem.step_elapsed_s = mem.step + 1, 0.0
        if mem.step > len(steps):
            if mem.sequence in (Sequence.ENCHIMENTO, Sequence.ESVAZIAMENTO):
                mem.cycles += 1
            mem.sequence, mem.step = Sequence.NONE, 0
        return
    if mem.step_elapsed_s > step.timeout_s(p):
        log.warning("sequence_timeout", sequence=mem.sequence.name, step=step.name)
        abort(mem, io, failed=True)
        if not mem.latched and mem.first_out is FaultCode.NONE:
            mem.first_out = FaultCode.TIMEOUT_SEQUENCIA
        mem.latched.add(FaultCode.TIMEOUT_SEQUENCIA)


def abort(mem: PlcMemory, io: IO, *, failed: bool) -> None:
    """Stop the sequence: gates stop, valves hold where they are."""
    for side in Side:
        mem.drives.gate_motion[side] = Motion.STOP
    for vid in ValveId:
        mem.drives.valve_target_pct[vid] = float(io[f"posicao_valvula_{vid.value}"])
    mem.sequence, mem.step, mem.step_elapsed_s, mem.seq_failed = Sequence.NONE, 0, 0.0, failed
