"""Interlocks that hold on every scan, for manual commands and sequences alike."""

from __future__ import annotations

from collections.abc import Mapping

from lockpilot.samples import Value
from twin.equipment import Motion, Side, ValveId
from twin.params import Params
from twin.plc.memory import PlcMemory

IO = Mapping[str, Value]
_POOL = {Side.UPSTREAM: "nivel_reservatorio_montante", Side.DOWNSTREAM: "nivel_jusante"}


def head_m(io: IO, side: Side) -> float:
    """Head across a gate from the A transmitters (positive: higher on the upstream side of the gate)."""
    pool, chamber = float(io[_POOL[side]]), float(io["nivel_camara"])
    return pool - chamber if side is Side.UPSTREAM else chamber - pool


def worst_head_m(io: IO, side: Side) -> float:
    """Largest |head| over every pairing of the redundant transmitters (a drifting one cannot hide a head)."""
    pools = (float(io[_POOL[side]]), float(io[_POOL[side] + "_2"]))
    chambers = (float(io["nivel_camara"]), float(io["nivel_camara_2"]))
    return max(abs(p - c) for p in pools for c in chambers)


def equalised(io: IO, side: Side, params: Params) -> bool:
    """Levels equal across the gate within the equalisation tolerance on both transmitter pairs."""
    return worst_head_m(io, side) <= params["tolerancia_equalizacao_m"]


def gate_may_start_opening(io: IO, side: Side, params: Params) -> bool:
    """Equalised and the opposite gate closed."""
    return equalised(io, side, params) and bool(io[f"comporta_{side.other.value}_fechada"])


def enforce(mem: PlcMemory, io: IO, params: Params) -> None:
    """Apply every interlock to the outputs of this scan."""
    drives = mem.drives
    for side in Side:
        motion = drives.gate_motion[side]
        starting = motion is Motion.OPEN and mem.prev_motion[side] is not Motion.OPEN
        if starting and not gate_may_start_opening(io, side, params):
            drives.gate_motion[side] = Motion.STOP
        if not io[f"comporta_{side.value}_fechada"] or drives.gate_motion[side] is Motion.OPEN:
            for vid in ValveId.of_side(side.other):
                drives.valve_target_pct[vid] = 0.0
                mem.valve_follow[vid] = False
    for side in Side:
        _valves_exclusive(mem, io, side)
    mem.prev_motion = dict(drives.gate_motion)


def _valves_exclusive(mem: PlcMemory, io: IO, side: Side) -> None:
    """A closed valve of `side` may not start opening unless both valves of the other side are closed."""
    drives = mem.drives
    others = ValveId.of_side(side.other)
    others_shut = all(io[f"valvula_{v.value}_fechada"] and drives.valve_target_pct[v] <= 0.0 for v in others)
    if others_shut:
        return
    for vid in ValveId.of_side(side):
        if io[f"valvula_{vid.value}_fechada"] and drives.valve_target_pct[vid] > 0.0:
            drives.valve_target_pct[vid] = 0.0
            mem.valve_follow[vid] = False
