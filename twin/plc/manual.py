"""Operator commands from DB50: pulse bits are acted on and reset, setpoints are followed."""

from __future__ import annotations

from collections.abc import Callable

import structlog

from lockpilot.samples import Value
from twin.equipment import Motion, Sequence, Side, ValveId
from twin.params import Params
from twin.plc import sequences
from twin.plc.faultlogic import FaultLogic
from twin.plc.interlocks import IO
from twin.plc.memory import PlcMemory

log = structlog.get_logger(__name__)
Commands = dict[str, Value]
Action = Callable[[PlcMemory, IO, Commands], None]


def initial_commands() -> Commands:
    """DB50 at power-up: pulses off, setpoints at their usual values."""
    cmds: Commands = {
        "setpoint_velocidade_bomba": 90.0,
        "comando_iniciar_sequencia": 0,
        "comando_ventilador_resfriador_oleo": False,
        "comando_reconhecer_falhas": False,
        "comando_abortar_sequencia": False,
    }
    for vid in ValveId:
        cmds[f"setpoint_posicao_valvula_{vid.value}"] = 100.0
    for tag in PULSES:
        cmds[tag] = False
    return cmds


def _pump(run: bool) -> Action:
    def act(mem: PlcMemory, io: IO, cmds: Commands) -> None:
        if run and mem.pump_tripped:
            log.info("command_refused", command="ligar_bomba", reason="pump trip latched")
            return
        mem.drives.pump_run = run

    return act


def _bypass(open_: bool) -> Action:
    def act(mem: PlcMemory, io: IO, cmds: Commands) -> None:
        mem.bypass_manual = open_

    return act


def _relief(open_: bool) -> Action:
    def act(mem: PlcMemory, io: IO, cmds: Commands) -> None:
        mem.relief_manual = open_

    return act


def _valve(vid: ValveId, open_: bool) -> Action:
    def act(mem: PlcMemory, io: IO, cmds: Commands) -> None:
        mem.valve_follow[vid] = open_
        if not open_:
            mem.drives.valve_target_pct[vid] = 0.0

    return act


def _gate(side: Side, motion: Motion) -> Action:
    def act(mem: PlcMemory, io: IO, cmds: Commands) -> None:
        if motion is Motion.STOP and mem.sequence is not Sequence.NONE:
            log.info("manual_stop_aborts_sequence", gate=side.value, sequence=mem.sequence.name)
            sequences.abort(mem, io, failed=False)  # an operator's stop has priority over the sequence
        mem.drives.gate_motion[side] = motion
        if motion is not Motion.OPEN:
            mem.drives.green[side] = False

    return act


PULSES: dict[str, Action] = {
    "comando_ligar_bomba_principal": _pump(True),
    "comando_desligar_bomba_principal": _pump(False),
    "comando_abrir_valvula_bypass": _bypass(True),
    "comando_fechar_valvula_bypass": _bypass(False),
    "comando_abrir_valvula_alivio": _relief(True),
    "comando_fechar_valvula_alivio": _relief(False),
}
for _v in ValveId:
    PULSES[f"comando_abrir_valvula_{_v.value}"] = _valve(_v, True)
    PULSES[f"comando_fechar_valvula_{_v.value}"] = _valve(_v, False)
for _s in Side:
    PULSES[f"comando_abrir_comporta_{_s.value}"] = _gate(_s, Motion.OPEN)
    PULSES[f"comando_fechar_comporta_{_s.value}"] = _gate(_s, Motion.CLOSE)
    PULSES[f"comando_parar_comporta_{_s.value}"] = _gate(_s, Motion.STOP)


def handle(mem: PlcMemory, io: IO, cmds: Commands, faults: FaultLogic, params: Params) -> None:
    """Act on the pulse bits set since the last scan (then reset them) and follow the setpoints."""
    if cmds.get("comando_reconhecer_falhas"):
        cmds["comando_reconhecer_falhas"] = False
        faults.acknowledge(mem)
    if cmds.get("comando_abortar_sequencia"):
        cmds["comando_abortar_sequencia"] = False
        sequences.abort(mem, io, failed=False)
    code = int(cmds.get("comando_iniciar_sequencia", 0) or 0)
    if code:
        cmds["comando_iniciar_sequencia"] = 0
        if code in Sequence._value2member_map_:
            sequences.start(Sequence(code), mem, io, params)
    for tag, action in PULSES.items():
        if cmds.get(tag):
            cmds[tag] = False
            action(mem, io, cmds)
    _follow_setpoints(mem, io, cmds)


def _follow_setpoints(mem: PlcMemory, io: IO, cmds: Commands) -> None:
    """Pump speed, manually opened valves, bypass, relief and the cooler fan."""
    mem.pump_speed_sp_pct = min(100.0, max(30.0, float(cmds["setpoint_velocidade_bomba"])))
    mem.drives.pump_speed_pct = mem.pump_speed_sp_pct
    mem.drives.bypass_open = mem.bypass_manual
    mem.drives.relief_solenoid = mem.relief_manual
    for vid, follow in mem.valve_follow.items():
        if follow:
            mem.drives.valve_target_pct[vid] = min(
                100.0, max(0.0, float(cmds[f"setpoint_posicao_valvula_{vid.value}"]))
            )
    oil = float(io["temperatura_oleo_hpu"])
    mem.fan_thermostat = oil >= 50.0 or (mem.fan_thermostat and oil > 45.0)
    mem.drives.fan_on = mem.fan_thermostat or bool(cmds["comando_ventilador_resfriador_oleo"])
    for side in Side:
        motion = mem.drives.gate_motion[side]
        if (motion is Motion.OPEN and io[f"comporta_{side.value}_aberta"]) or (
            motion is Motion.CLOSE and io[f"comporta_{side.value}_fechada"]
        ):
            mem.drives.gate_motion[side] = Motion.STOP
        if not io[f"comporta_{side.value}_aberta"] and motion is not Motion.OPEN:
            mem.drives.green[side] = False
