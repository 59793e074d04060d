"""Read a hypothetical action in Portuguese or English ("abrir a válvula de enchimento 1 a 100 % agora")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lockpilot.text import fold
from twin import Fault
from twin.equipment import Side, ValveId
from twin.scenario import SequenceId, Step

_PCT = re.compile(r"(\d+(?:[.,]\d+)?)\s*(?:%|pct|por cento|percent)")
_OPEN, _CLOSE = ("abrir", "abra", "abre", "open"), ("fechar", "feche", "fecha", "close", "shut")
_START = ("ligar", "ligue", "liga", "partir", "start", "switch on", "turn on")
_STOP = ("desligar", "desligue", "desliga", "parar", "pare", "stop", "switch off", "turn off")

FAULT_WORDS: dict[Fault, tuple[str, ...]] = {
    Fault.CAVITATION: ("cavita",),
    Fault.OVERPRESSURE: ("sobrepress", "overpressure"),
    Fault.GATE_JAM_UPSTREAM: (
        "travamento da comporta de montante",
        "comporta de montante travar",
        "upstream gate jam",
    ),
    Fault.GATE_JAM_DOWNSTREAM: (
        "travamento da comporta de jusante",
        "comporta de jusante travar",
        "downstream gate jam",
    ),
    Fault.LEVEL_SENSOR_DRIFT: ("deriva", "drift"),
    Fault.VALVE_STUCK_FILLING: ("valvula presa", "valvula travada", "stuck valve", "valve stuck"),
    Fault.HPU_OIL_OVERTEMP: ("superaquec", "oleo quente", "overheat", "oil overtemp"),
    Fault.MOTOR_OVERCURRENT: ("sobrecorrente", "overcurrent"),
    Fault.SENSOR_FREEZE: ("congel", "freeze", "frozen"),
    Fault.PLC_LINK_LOSS: ("perda de comunicacao", "link loss", "comunicacao com o clp"),
}
SEQUENCE_WORDS: dict[SequenceId, tuple[str, ...]] = {
    SequenceId.ENCHIMENTO: (
        "enchimento da camara",
        "encher a camara",
        "sequencia de enchimento",
        "fill the chamber",
        "filling sequence",
    ),
    SequenceId.ESVAZIAMENTO: (
        "esvaziamento da camara",
        "esvaziar a camara",
        "sequencia de esvaziamento",
        "empty the chamber",
        "emptying sequence",
    ),
}
VALVE_WORDS: dict[ValveId, tuple[str, ...]] = {
    ValveId.FILLING_1: ("enchimento 1", "filling valve 1"),
    ValveId.FILLING_2: ("enchimento 2", "filling valve 2"),
    ValveId.EMPTYING_1: ("esvaziamento 1", "emptying valve 1"),
    ValveId.EMPTYING_2: ("esvaziamento 2", "emptying valve 2"),
}
GATE_WORDS: dict[Side, tuple[str, ...]] = {
    Side.UPSTREAM: ("comporta de montante", "upstream gate"),
    Side.DOWNSTREAM: ("comporta de jusante", "downstream gate"),
}


class ActionError(ValueError):
    """The text names no action the sandbox can take."""


@dataclass(frozen=True, slots=True)
class Action:
    """A hypothetical action as timeline steps for the sandbox twin, with a readable label."""

    label: str
    steps: tuple[Step, ...]
    valve: ValveId | None = None


def _has(text: str, words: tuple[str, ...]) -> bool:
    return any(w in text for w in words)


def _verb(text: str) -> str | None:
    found = [
        (text.find(w), name)
        for name, ws in (("open", _OPEN), ("close", _CLOSE), ("start", _START), ("stop", _STOP))
        for w in ws
        if re.search(rf"\b{w}\b", text)
    ]
    return min(found)[1] if found else None


def _cmd(tag: str, value: float | bool = True) -> Step:
    return Step(at_s=0.0, command=tag, value=value)


def _valve_action(valve: ValveId, verb: str | None, text: str) -> Action:
    if verb == "close":
        return Action(f"fechar {valve.value}", (_cmd(f"comando_fechar_valvula_{valve.value}"),), valve)
    pct_match = _PCT.search(text)
    pct = float(pct_match.group(1).replace(",", ".")) if pct_match else 100.0
    steps = (
        _cmd(f"setpoint_posicao_valvula_{valve.value}", pct),
        _cmd(f"comando_abrir_valvula_{valve.value}"),
    )
    return Action(f"abrir {valve.value} a {pct:g} %", steps, valve)


def _equipment_action(text: str, verb: str | None) -> Action | None:
    for valve, words in VALVE_WORDS.items():
        if _has(text, words):
            return _valve_action(valve, verb, text)
    for name, words in (("bypass", ("bypass", "by-pass", "by pass")), ("alivio", ("alivio", "relief"))):
        if _has(text, words):
            op = "fechar" if verb == "close" else "abrir"
            return Action(f"{op} {name}", (_cmd(f"comando_{op}_valvula_{name}"),))
    for side, words in GATE_WORDS.items():
        if _has(text, words) and verb is not None:
            op = {"open": "abrir", "close": "fechar"}.get(verb, "parar")
            return Action(f"{op} comporta {side.value}", (_cmd(f"comando_{op}_comporta_{side.value}"),))
    if _has(text, ("velocidade da bomba", "pump speed")) and _PCT.search(text):
        pct = float(_PCT.search(text).group(1).replace(",", "."))  # type: ignore[union-attr]
        return Action(f"velocidade da bomba {pct:g} %", (_cmd("setpoint_velocidade_bomba", pct),))
    if _has(text, ("bomba", "pump")) and verb in ("start", "stop"):
        op = "ligar" if verb == "start" else "desligar"
        return Action(f"{op} bomba principal", (_cmd(f"comando_{op}_bomba_principal"),))
    if _has(text, ("ventilador", "cooler fan", "fan")):
        return Action(
            "ventilador do resfriador", (_cmd("comando_ventilador_resfriador_oleo", verb != "stop"),)
        )
    return None


def parse_action(text: str) -> Action:
    """The action a sentence describes: a fault, a sequence, or a command to a piece of equipment."""
    folded = " ".join(fold(text).replace("-", " ").split())
    for fault, words in FAULT_WORDS.items():
        if _has(folded, words):
            return Action(f"falha {fault.value}", (Step(at_s=0.0, inject=fault),))
    for seq, words in SEQUENCE_WORDS.items():
        if _has(folded, words):
            return Action(f"sequência {seq.value}", (Step(at_s=0.0, sequence=seq),))
    action = _equipment_action(folded, _verb(folded))
    if action is None:
        raise ActionError(f"no action understood in '{text}' (name a valve, gate, pump, sequence or fault)")
    return action
