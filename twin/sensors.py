"""Field instruments: true physical values seen through transmitters (noise, drift, frozen readings)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lockpilot.samples import Value
from twin.equipment import Side, ValveId
from twin.faults import Fault, FaultSet
from twin.physics.lock import LockPhysics

Reading = Callable[[LockPhysics], Value]

# Analog field values: tag -> (true value, transmitter noise standard deviation).
_ANALOG: dict[str, tuple[Reading, float]] = {
    "nivel_reservatorio_montante": (lambda p: p.water.upstream_m, 0.003),
    "nivel_reservatorio_montante_2": (lambda p: p.water.upstream_m, 0.003),
    "nivel_camara": (lambda p: p.water.chamber_m, 0.003),
    "nivel_camara_2": (lambda p: p.water.chamber_m, 0.003),
    "nivel_jusante": (lambda p: p.water.downstream_m, 0.003),
    "nivel_jusante_2": (lambda p: p.water.downstream_m, 0.003),
    "taxa_variacao_nivel_camara": (
        lambda p: (p.water.fill_m3_s - p.water.empty_m3_s) / p.water.chamber_area_m2 * 60.0,
        0.003,
    ),
    "pressao_succao": (lambda p: p.pump.suction_bar, 0.005),
    "pressao_sistema": (lambda p: p.header.system_bar, 0.02),
    "pressao_sistema_2": (lambda p: p.header.system_bar, 0.02),
    "pressao_descarga_bomba": (lambda p: p.header.discharge_bar if p.pump.running else 0.0, 0.02),
    "pressao_diferencial_filtro": (lambda p: p.pump.strainer_dp_bar, 0.002),
    "pressao_acumulador": (lambda p: p.header.accumulator_bar, 0.02),
    "pressao_cilindro_comporta_montante": (lambda p: _lock_cylinder_bar(p, Side.UPSTREAM), 0.02),
    "pressao_cilindro_comporta_jusante": (lambda p: _lock_cylinder_bar(p, Side.DOWNSTREAM), 0.02),
    "temperatura_agua": (lambda p: p.env.water_c, 0.03),
    "temperatura_ambiente": (lambda p: p.env.ambient_c, 0.05),
    "temperatura_painel_plc": (lambda p: p.env.panel_c, 0.05),
    "temperatura_sala_hpu": (lambda p: p.env.hpu_room_c(p.pump.power_kw), 0.05),
    "posicao_valvula_bypass": (lambda p: p.header.bypass.position_pct, 0.0),
    "posicao_valvula_alivio": (lambda p: p.header.relief.position_pct, 0.0),
    "vazao_enchimento": (lambda p: p.water.fill_m3_s, 0.02),
    "vazao_esvaziamento": (lambda p: p.water.empty_m3_s, 0.02),
    "vazao_bomba": (lambda p: p.pump.flow_m3_h, 0.5),
    "vazao_bypass": (lambda p: p.header.bypass_m3_h, 0.3),
    "vazao_alivio": (lambda p: p.header.relief_m3_h, 0.3),
    "nivel_oleo_hpu": (lambda p: p.oil.level_pct, 0.05),
    "velocidade_vento": (lambda p: p.env.wind_m_s, 0.05),
    "rotacao_bomba": (lambda p: p.pump.rpm, 1.0),
    "abertura_inversor_bomba": (lambda p: p.pump.drive_hz, 0.0),
    "altura_manometrica_bomba": (lambda p: p.pump.head_m, 0.1),
    "distancia_embarcacao_comporta_montante": (lambda p: p.traffic.distance_m(Side.UPSTREAM), 0.05),
    "distancia_embarcacao_comporta_jusante": (lambda p: p.traffic.distance_m(Side.DOWNSTREAM), 0.05),
    "volume_camara": (lambda p: p.water.chamber_m3, 0.0),
    "turbidez_agua": (lambda p: p.env.turbidity_ntu, 0.2),
    "velocidade_bomba": (lambda p: p.pump.speed_pct, 0.0),
    "corrente_motor_comporta_montante": (lambda p: p.gates[Side.UPSTREAM].current_a, 0.05),
    "corrente_motor_comporta_jusante": (lambda p: p.gates[Side.DOWNSTREAM].current_a, 0.05),
    "corrente_motor_bomba": (lambda p: p.pump.current_a, 0.3),
    "vibracao_bomba": (lambda p: p.pump.vibration_mm_s, 0.08),
    "vibracao_motor_bomba": (lambda p: p.pump.motor_vibration_mm_s, 0.06),
    "temperatura_oleo_hpu": (lambda p: p.oil.temp_c, 0.05),
    "temperatura_mancal_bomba": (lambda p: p.pump.bearing_c, 0.05),
    "temperatura_enrolamento_motor_bomba": (lambda p: p.pump.winding_c, 0.05),
    "temperatura_motor_comporta_montante": (lambda p: p.gates[Side.UPSTREAM].motor_temp_c, 0.05),
    "temperatura_motor_comporta_jusante": (lambda p: p.gates[Side.DOWNSTREAM].motor_temp_c, 0.05),
    "potencia_ativa_total": (lambda p: p.env.total_kw, 0.1),
    "potencia_bomba": (lambda p: p.pump.power_kw, 0.1),
    "energia_ativa_total": (lambda p: p.env.energy_kwh, 0.0),
    "tensao_alimentacao": (lambda p: p.env.voltage_v, 0.3),
    "fator_potencia": (lambda p: p.env.power_factor, 0.002),
    "horas_operacao_bomba": (lambda p: p.pump.hours, 0.0),
}


def _valve_readings(v: ValveId) -> dict[str, tuple[Reading, float]]:
    """Position and cylinder pressure of one culvert valve."""
    return {
        f"posicao_valvula_{v.value}": (lambda p: p.valves[v].position_pct, 0.0),
        f"pressao_cilindro_valvula_{v.value}": (lambda p: p.valves[v].cylinder_bar, 0.02),
    }


def _gate_readings(s: Side) -> dict[str, tuple[Reading, float]]:
    """Mean and per-leaf position and speed of one gate."""
    return {
        f"posicao_comporta_{s.value}": (lambda p: p.gates[s].position_pct, 0.0),
        f"posicao_folha_{s.value}_esquerda": (lambda p: p.gates[s].left.position_pct, 0.0),
        f"posicao_folha_{s.value}_direita": (lambda p: p.gates[s].right.position_pct, 0.0),
        f"velocidade_comporta_{s.value}": (lambda p: p.gates[s].velocity_pct_s, 0.0),
    }


for _v in ValveId:
    _ANALOG.update(_valve_readings(_v))
for _s in Side:
    _ANALOG.update(_gate_readings(_s))

ANALOG_TAGS = tuple(_ANALOG)
_SIGMA = np.array([_ANALOG[t][1] for t in ANALOG_TAGS])
# Values that can never go below zero on the instrument.
_ZERO_CUT = np.array(
    [t.startswith(("vazao_", "corrente_", "rotacao_", "altura_", "potencia_bomba")) for t in ANALOG_TAGS]
)
_NON_NEGATIVE = frozenset(
    t for t in ANALOG_TAGS if not t.startswith(("taxa_", "diferenca_", "velocidade_comporta"))
)


def _lock_cylinder_bar(p: LockPhysics, side: Side) -> float:
    """Mitre locking cylinder: holds at near system pressure while the gate is closed."""
    return p.header.system_bar * (0.9 if p.gates[side].is_closed else 0.35)


def _discrete(p: LockPhysics) -> dict[str, Value]:
    """Limit switches, contactor feedback and counters."""
    out: dict[str, Value] = {
        "bomba_principal_status": p.pump.running,
        "valvula_bypass_aberta": p.header.bypass.position_pct >= 99.5,
        "valvula_bypass_fechada": p.header.bypass.position_pct <= 0.5,
        "valvula_alivio_aberta": p.header.relief.position_pct >= 99.5,
        "valvula_alivio_fechada": p.header.relief.position_pct <= 0.5,
        "ventilador_resfriador_oleo_ligado": p.oil.fan_running,
        "partidas_bomba": p.pump.starts,
        "embarcacao_na_camara": p.traffic.in_chamber,
        "embarcacao_aguardando_montante": p.traffic.waiting(Side.UPSTREAM),
        "embarcacao_aguardando_jusante": p.traffic.waiting(Side.DOWNSTREAM),
    }
    for vid, valve in p.valves.items():
        out[f"valvula_{vid.value}_aberta"] = valve.is_open
        out[f"valvula_{vid.value}_fechada"] = valve.is_closed
    for side, gate in p.gates.items():
        out[f"comporta_{side.value}_aberta"] = gate.is_open
        out[f"comporta_{side.value}_fechada"] = gate.is_closed
        out[f"ciclos_comporta_{side.value}"] = gate.cycles
    return out


class Instruments:
    """Reads the physics through the transmitters; keeps drift and frozen readings."""

    def __init__(self) -> None:
        self._frozen: dict[str, Value] = {}
        self.readings: dict[str, Value] = {}

    def read(self, phys: LockPhysics, faults: FaultSet, noise: np.ndarray, now_s: float) -> dict[str, Value]:
        """One scan of every field value (noise is a standard-normal draw per analog tag)."""
        true = np.array([float(_ANALOG[t][0](phys)) for t in ANALOG_TAGS])
        measured = np.where(_ZERO_CUT & (true == 0.0), 0.0, true + _SIGMA * noise)
        out: dict[str, Value] = dict(zip(ANALOG_TAGS, measured.tolist(), strict=True))
        for tag in _NON_NEGATIVE:
            out[tag] = max(0.0, float(out[tag]))
        out.update(_discrete(phys))
        self._apply_faults(out, faults, now_s)
        out["diferenca_nivel_montante_camara"] = float(out["nivel_reservatorio_montante"]) - float(
            out["nivel_camara"]
        )
        out["diferenca_nivel_camara_jusante"] = float(out["nivel_camara"]) - float(out["nivel_jusante"])
        self.readings = out
        return out

    def _apply_faults(self, out: dict[str, Value], faults: FaultSet, now_s: float) -> None:
        drift = faults.get(Fault.LEVEL_SENSOR_DRIFT)
        if drift is not None:
            offset = min(drift.num("max_m"), drift.num("rate_m_min") * drift.age_s(now_s) / 60.0)
            out["nivel_camara"] = float(out["nivel_camara"]) + offset
        freeze = faults.get(Fault.SENSOR_FREEZE)
        if freeze is None:
            self._frozen.clear()
            return
        tag = str(freeze.params["tag"])
        if tag not in out:
            return
        held = self._frozen.setdefault(tag, self.readings.get(tag, out[tag]))
        out[tag] = held
