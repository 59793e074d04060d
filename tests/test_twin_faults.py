"""Every injectable fault shows its physical signature and the PLC takes its automatic action."""

from __future__ import annotations

import pytest

from lockpilot.plant import Plant
from twin import Fault, LockTwin
from twin.equipment import FaultCode, Sequence


def _v(twin: LockTwin, tag: str) -> object:
    return twin.values()[tag]


def test_cavitation_drawdown_then_pump_stop_bypass_and_first_out(plant: Plant) -> None:
    twin = LockTwin(plant)
    twin.inject(Fault.CAVITATION)
    seen = {"suction": 9.9, "vibration": 0.0}

    def signature(t: LockTwin) -> bool:
        v = t.values()
        if v["bomba_principal_status"]:
            seen["suction"] = min(seen["suction"], v["pressao_succao"])
            seen["vibration"] = max(seen["vibration"], v["vibracao_bomba"])
        return bool(v["falha_cavitacao_bomba"])

    twin.run_until(signature, timeout_s=600, check_every_s=0.2)
    v = twin.values()
    assert v["nivel_reservatorio_montante"] < 10.5
    assert seen["suction"] < 0.5 and seen["vibration"] > 7.1
    assert v["pressao_diferencial_filtro"] >= 0.0
    twin.step(10.0)
    v = twin.values()
    assert not v["bomba_principal_status"] and v["valvula_bypass_aberta"]
    assert v["alarme_critico_ativo"] and v["codigo_primeira_falha"] == FaultCode.CAVITACAO_BOMBA


def test_overpressure_relief_opened_by_solenoid_and_pump_slowed(plant: Plant) -> None:
    twin = LockTwin(plant)
    twin.inject(Fault.OVERPRESSURE)
    twin.step(25.0)
    v = twin.values()
    assert v["pressao_sistema"] > 8.5 and v["valvula_alivio_fechada"] and not v["falha_sobrepressao_sistema"]
    twin.step(10.0)
    twin.step(10.0)
    v = twin.values()
    assert v["falha_sobrepressao_sistema"] and v["valvula_alivio_aberta"]
    assert v["velocidade_bomba"] <= 60.0 and v["pressao_sistema"] < 8.5


@pytest.mark.parametrize(
    ("fault", "side"), [(Fault.GATE_JAM_UPSTREAM, "montante"), (Fault.GATE_JAM_DOWNSTREAM, "jusante")]
)
def test_gate_jam_stalls_and_plc_stops_motor_in_manual(plant: Plant, fault: Fault, side: str) -> None:
    chamber = 13.5 if side == "montante" else 5.5
    twin = LockTwin(plant, chamber_m=chamber)
    twin.inject(fault)
    twin.step(1.0)
    twin.command(f"comando_abrir_comporta_{side}", True)
    twin.step(9.0)
    v = twin.values()
    assert v[f"motor_comporta_{side}_ligado"] and v[f"posicao_comporta_{side}"] < 0.5
    assert v[f"corrente_motor_comporta_{side}"] > 1.5 * 22.0
    twin.run_until(
        lambda t: bool(t.values()[f"falha_travamento_comporta_{side}"]), timeout_s=30, check_every_s=0.2
    )
    twin.step(1.0)
    v = twin.values()
    assert not v[f"motor_comporta_{side}_ligado"] and v["modo_operacao"] == 0
    twin.clear(fault)
    twin.command("comando_reconhecer_falhas", True)
    twin.step(1.0)
    v = twin.values()
    assert (
        not v[f"falha_travamento_comporta_{side}"]
        and v["modo_operacao"] == 2
        and v["codigo_primeira_falha"] == 0
    )


def test_level_sensor_drift_moves_transmitter_a_only(plant: Plant) -> None:
    twin = LockTwin(plant)
    twin.inject(Fault.LEVEL_SENSOR_DRIFT, rate_m_min=0.05)
    twin.step(300.0)
    v = twin.values()
    assert v["nivel_camara"] - v["nivel_camara_2"] == pytest.approx(0.25, abs=0.03)
    assert v["alarme_geral"] and v["codigo_primeira_falha"] == FaultCode.DISCREPANCIA_NIVEL_CAMARA


def test_valve_stuck_filling_freezes_valve_1_while_commanded(plant: Plant) -> None:
    twin = LockTwin(plant)
    twin.inject(Fault.VALVE_STUCK_FILLING)
    twin.command("comando_iniciar_sequencia", int(Sequence.ENCHIMENTO))
    twin.step(60.0)
    v = twin.values()
    assert v["posicao_valvula_enchimento_1"] == 0.0 and v["posicao_valvula_enchimento_2"] > 20.0
    assert v["pressao_cilindro_valvula_enchimento_1"] > v["pressao_cilindro_valvula_enchimento_2"]
    assert v["alarme_geral"] and v["codigo_primeira_falha"] == FaultCode.DISCREPANCIA_VALVULA


def test_hpu_oil_overtemp_alarm_then_pump_stop(plant: Plant) -> None:
    twin = LockTwin(plant)
    twin.inject(Fault.HPU_OIL_OVERTEMP)
    twin.run_until(lambda t: bool(t.values()["falha_temperatura_oleo"]), timeout_s=1200)
    v = twin.values()
    assert (
        65.0 <= v["temperatura_oleo_hpu"] < 75.0
        and v["bomba_principal_status"]
        and not v["alarme_critico_ativo"]
    )
    twin.run_until(lambda t: not t.values()["bomba_principal_status"], timeout_s=1200)
    assert twin.values()["alarme_critico_ativo"]
    assert twin.values()["codigo_primeira_falha"] == FaultCode.TEMPERATURA_OLEO_ALTA


def test_motor_overcurrent_trips_pump_after_5_s(plant: Plant) -> None:
    twin = LockTwin(plant)
    twin.inject(Fault.MOTOR_OVERCURRENT)
    twin.run_until(lambda t: t.values()["corrente_motor_bomba"] > 156.0, timeout_s=30, check_every_s=0.2)
    twin.step(4.0)
    assert twin.values()["bomba_principal_status"]
    twin.step(1.6)
    v = twin.values()
    assert not v["bomba_principal_status"] and v["falha_sobrecorrente_motor"]
    twin.command("comando_ligar_bomba_principal", True)
    twin.step(1.0)
    assert not twin.values()["bomba_principal_status"]  # start refused while the trip is latched


def test_sensor_freeze_holds_the_named_tag(plant: Plant) -> None:
    twin = LockTwin(plant)
    twin.command("comando_iniciar_sequencia", int(Sequence.ENCHIMENTO))
    twin.step(120.0)
    twin.inject(Fault.SENSOR_FREEZE)
    twin.step(1.0)
    held = twin.values()["nivel_camara"]
    twin.step(60.0)
    v = twin.values()
    assert v["nivel_camara"] == held and v["nivel_camara_2"] > held + 0.5
    twin.clear(Fault.SENSOR_FREEZE)
    twin.step(1.0)
    assert abs(twin.values()["nivel_camara"] - twin.values()["nivel_camara_2"]) < 0.05
    with pytest.raises(ValueError):
        twin.inject(Fault.SENSOR_FREEZE, tag="nao_existe")


def test_plc_link_loss_is_recorded_for_the_server(plant: Plant) -> None:
    twin = LockTwin(plant)
    twin.inject(Fault.PLC_LINK_LOSS, duration_s=3)
    assert not twin.link_up
    twin.clear(Fault.PLC_LINK_LOSS)
    assert twin.link_up
    with pytest.raises(ValueError):
        twin.inject(Fault.PLC_LINK_LOSS, unknown_s=1)
