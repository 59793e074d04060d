"""When a fault's physical signature appears: when a perfect detector with the plant's limits alarms.

Written from the twin's values and the parameter block, independently of the rules engine, so the rules
replay can be scored against it (detection delay = rule activation - signature time).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from twin import Fault

Values = Mapping[str, Any]
History = deque[tuple[float, Values]]
Predicate = Callable[[Values, History, Mapping[str, float]], bool]


def _f(v: Values, tag: str) -> float:
    return float(v[tag])


def _ago(history: History, now_s: float, seconds: float) -> Values | None:
    """The values about `seconds` before `now_s` (None while the history is shorter)."""
    for t, values in history:
        if t >= now_s - seconds - 1e-6:
            return values if now_s - t >= seconds - 0.26 else None
    return None


def _cavitation(v: Values, h: History, p: Mapping[str, float]) -> bool:
    low = 10.0 + 5.0 * p["cavitacao_nivel_montante_pct"] / 100.0
    return (
        _f(v, "nivel_reservatorio_montante") < low
        and bool(v["bomba_principal_status"])
        and _f(v, "pressao_succao") < p["cavitacao_pressao_succao_bar"]
        and _f(v, "vibracao_bomba") > p["cavitacao_vibracao_mm_s"]
    )


def _jam(side: str) -> Predicate:
    def check(v: Values, h: History, p: Mapping[str, float]) -> bool:
        limit = p["comporta_corrente_nominal_a"] * p["travamento_corrente_pct_nominal"] / 100.0
        return bool(v[f"motor_comporta_{side}_ligado"]) and _f(v, f"corrente_motor_comporta_{side}") > limit

    return check


def _frozen_level(v: Values, h: History, p: Mapping[str, float]) -> bool:
    then = _ago(h, h[-1][0], 20.0) if h else None
    if then is None or int(v["sequencia_ativa"]) not in (1, 2):
        return False
    return (
        v["nivel_camara"] == then["nivel_camara"]
        and abs(_f(v, "nivel_camara_2") - _f(then, "nivel_camara_2")) > 0.05
    )


@dataclass(frozen=True, slots=True)
class Signature:
    """A condition and how long it must hold (the rule's on-delay) before the fault is evident."""

    predicate: Predicate
    hold_s: Callable[[Mapping[str, float]], float]
    plc_flag: str | None = None  # the PLC's own latched bit for this logic: evident when it rises


def _leaves(side: str) -> Predicate:
    def check(v: Values, h: History, p: Mapping[str, float]) -> bool:
        gap = abs(_f(v, f"posicao_folha_{side}_esquerda") - _f(v, f"posicao_folha_{side}_direita"))
        return gap > p["desalinhamento_folhas_pct"]

    return check


# By the rule that names the root cause: a perfect detector of that rule's physical signature.
SIGNATURES: dict[str, Signature] = {
    "cavitacao_bomba": Signature(_cavitation, lambda p: p["cavitacao_atraso_s"], "falha_cavitacao_bomba"),
    "sobrepressao_sistema": Signature(
        lambda v, h, p: (
            _f(v, "pressao_sistema") > p["sobrepressao_bar"] and bool(v["valvula_alivio_fechada"])
        ),
        lambda p: p["sobrepressao_tempo_s"],
        "falha_sobrepressao_sistema",
    ),
    "travamento_comporta_montante": Signature(
        _jam("montante"), lambda p: p["travamento_timeout_s"], "falha_travamento_comporta_montante"
    ),
    "travamento_comporta_jusante": Signature(
        _jam("jusante"), lambda p: p["travamento_timeout_s"], "falha_travamento_comporta_jusante"
    ),
    "desalinhamento_folhas_comporta_montante": Signature(_leaves("montante"), lambda p: 5.0),
    "desalinhamento_folhas_comporta_jusante": Signature(_leaves("jusante"), lambda p: 5.0),
    "divergencia_nivel_camara": Signature(
        lambda v, h, p: abs(_f(v, "nivel_camara") - _f(v, "nivel_camara_2")) > p["divergencia_nivel_m"],
        lambda p: p["divergencia_nivel_tempo_s"],
    ),
    "valvulas_enchimento_assimetricas": Signature(
        lambda v, h, p: (
            abs(_f(v, "posicao_valvula_enchimento_1") - _f(v, "posicao_valvula_enchimento_2"))
            > p["valvula_erro_posicao_pct"]
        ),
        lambda p: p["valvula_assimetria_tempo_s"],
    ),
    "temperatura_oleo_hpu_alta": Signature(
        lambda v, h, p: _f(v, "temperatura_oleo_hpu") > p["temperatura_oleo_alta_c"],
        lambda p: 10.0,
        "falha_temperatura_oleo",
    ),
    "sobrecorrente_motor_bomba": Signature(
        lambda v, h, p: (
            _f(v, "corrente_motor_bomba")
            > p["bomba_corrente_nominal_a"] * p["sobrecorrente_pct_nominal"] / 100
        ),
        lambda p: p["sobrecorrente_tempo_s"],
        "falha_sobrecorrente_motor",
    ),
    "sensor_nivel_camara_congelado": Signature(_frozen_level, lambda p: 0.0),
    "perda_comunicacao_clp": Signature(lambda v, h, p: bool(v.get("_link_down")), lambda p: 0.0),
}
# The rule that names each fault when a scenario carries no truth.
FAULT_RULES: dict[Fault, str] = {
    Fault.CAVITATION: "cavitacao_bomba",
    Fault.OVERPRESSURE: "sobrepressao_sistema",
    Fault.GATE_JAM_UPSTREAM: "travamento_comporta_montante",
    Fault.GATE_JAM_DOWNSTREAM: "travamento_comporta_jusante",
    Fault.LEVEL_SENSOR_DRIFT: "divergencia_nivel_camara",
    Fault.VALVE_STUCK_FILLING: "valvulas_enchimento_assimetricas",
    Fault.HPU_OIL_OVERTEMP: "temperatura_oleo_hpu_alta",
    Fault.MOTOR_OVERCURRENT: "sobrecorrente_motor_bomba",
    Fault.SENSOR_FREEZE: "sensor_nivel_camara_congelado",
    Fault.PLC_LINK_LOSS: "perda_comunicacao_clp",
}


@dataclass
class SignatureWatch:
    """Follows one rule's signature from `since_s` and notes the first time it has held for its on-delay."""

    rule: str
    params: Mapping[str, float]
    since_s: float
    found_s: float | None = None
    _held_from: float | None = None
    _history: History = field(default_factory=lambda: deque(maxlen=200))

    def update(self, t_s: float, values: Values) -> None:
        """Look at the values of time `t_s` (call every tick after the injection)."""
        self._history.append((t_s, values))
        if self.found_s is not None or t_s < self.since_s:
            return
        sig = SIGNATURES[self.rule]
        if sig.plc_flag is not None and values.get(sig.plc_flag):
            self.found_s = t_s
            return
        if not sig.predicate(values, self._history, self.params):
            self._held_from = None
            return
        self._held_from = t_s if self._held_from is None else self._held_from
        if t_s - self._held_from >= sig.hold_s(self.params) - 1e-6:
            self.found_s = t_s
