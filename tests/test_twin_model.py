"""The twin's physics and PLC in process: mass balance, fill/empty, interlocks, determinism."""

from __future__ import annotations

import math

import pytest

from lockpilot.plant import DataType, Plant
from twin import LockTwin
from twin.equipment import Sequence
from twin.sensors import ANALOG_TAGS


def _fill(twin: LockTwin) -> tuple[float, float, float]:
    """Run the filling sequence; return (seconds, max |rate| m/min, peak filling flow m3/s)."""
    twin.command("comando_iniciar_sequencia", int(Sequence.ENCHIMENTO))
    started, max_rate, peak = twin.sim_time_s, 0.0, 0.0
    twin.step(1.0)
    while twin.values()["sequencia_ativa"] != 0:
        assert twin.sim_time_s - started < 1200, "filling did not finish"
        twin.step(1.0)
        v = twin.values()
        max_rate, peak = max(max_rate, abs(v["taxa_variacao_nivel_camara"])), max(peak, v["vazao_enchimento"])
    return twin.sim_time_s - started, max_rate, peak


def test_every_tag_has_a_live_value_of_its_type(plant: Plant) -> None:
    twin = LockTwin(plant)
    twin.step(30.0)
    values = twin.values()
    assert set(values) == {t.name for t in plant.plc_tags}
    kinds = {DataType.BOOL: bool, DataType.INT: int, DataType.DINT: int, DataType.REAL: float}
    for tag in plant.plc_tags:
        name = tag.name
        assert type(values[name]) is kinds[tag.type], name
        if tag.range is not None and tag.type is DataType.REAL:
            lo, hi = tag.range
            assert lo <= values[name] <= hi, name
    assert values["plc_heartbeat"] == 150
    assert 0 < values["tempo_ciclo_plc"] < 50


def test_fill_respects_rate_limit_and_takes_7_to_12_minutes(plant: Plant) -> None:
    twin = LockTwin(plant)
    seconds, max_rate, peak = _fill(twin)
    v = twin.values()
    assert 7 * 60 <= seconds <= 12 * 60
    assert max_rate <= twin.params["taxa_enchimento_max_m_min"]
    assert 20.0 < peak < 40.0
    assert abs(v["diferenca_nivel_montante_camara"]) <= twin.params["tolerancia_equalizacao_m"]
    assert not v["sequencia_em_falha"]
    assert v["niveis_equalizados_montante"]


def test_mass_balance_is_exact_over_a_fill_and_an_empty(plant: Plant) -> None:
    twin = LockTwin(plant)
    water = twin.physics.water
    start = water.chamber_m3
    _fill(twin)
    twin.command("comando_iniciar_sequencia", int(Sequence.ESVAZIAMENTO))
    twin.step(1.0)
    twin.run_until(lambda t: t.values()["sequencia_ativa"] == 0, timeout_s=1200)
    assert water.filled_m3 > 11_000 and water.emptied_m3 > 11_000
    assert math.isclose(water.chamber_m3 - start, water.filled_m3 - water.emptied_m3, abs_tol=1e-6)
    assert twin.values()["volume_camara"] == pytest.approx(water.chamber_m3, abs=0.01)


def test_gate_never_opens_against_a_head_even_when_commanded(plant: Plant) -> None:
    twin = LockTwin(plant)  # chamber at downstream level: 8 m below the upstream pool
    twin.command("comando_abrir_comporta_montante", True)
    twin.step(20.0)
    v = twin.values()
    assert v["posicao_comporta_montante"] == 0.0 and not v["motor_comporta_montante_ligado"]
    twin.command("comando_iniciar_sequencia", int(Sequence.ABERTURA_COMPORTA_MONTANTE))
    twin.step(5.0)
    v = twin.values()
    assert v["sequencia_em_falha"] and v["posicao_comporta_montante"] == 0.0


def test_filling_and_emptying_valves_never_open_together(plant: Plant) -> None:
    twin = LockTwin(plant, chamber_m=9.5)
    twin.command("comando_abrir_valvula_esvaziamento_1", True)
    twin.command("comando_abrir_valvula_enchimento_1", True)
    for _ in range(120):
        twin.step(1.0)
        v = twin.values()
        both = v["posicao_valvula_enchimento_1"] > 0.5 and v["posicao_valvula_esvaziamento_1"] > 0.5
        assert not both
        twin.command("comando_abrir_valvula_enchimento_2", True)
    assert v["posicao_valvula_esvaziamento_1"] > 50.0 and v["posicao_valvula_enchimento_2"] == 0.0


def test_open_gate_blocks_valves_of_the_other_side(plant: Plant) -> None:
    twin = LockTwin(plant)  # chamber level with downstream
    twin.command("comando_abrir_comporta_jusante", True)
    twin.step(5.0)
    assert twin.values()["motor_comporta_jusante_ligado"]
    twin.command("comando_abrir_valvula_enchimento_1", True)
    twin.step(30.0)
    assert twin.values()["posicao_valvula_enchimento_1"] == 0.0


def test_same_seed_same_values_and_copy_is_independent(plant: Plant) -> None:
    a, b = LockTwin(plant, seed=7), LockTwin(plant, seed=7)
    for twin in (a, b):
        twin.command("comando_iniciar_sequencia", int(Sequence.ENCHIMENTO))
        twin.step(200.0)
    assert a.values() == b.values()
    c = a.copy()
    c.command("comando_abortar_sequencia", True)
    c.step(60.0)
    a.step(60.0)
    assert a.values()["sequencia_ativa"] == 1 and c.values()["sequencia_ativa"] == 0
    d = LockTwin(plant, seed=8)
    d.step(10.0)
    e = LockTwin(plant, seed=7)
    e.step(10.0)
    assert d.values()["nivel_camara"] != e.values()["nivel_camara"]


def test_redundant_transmitters_agree_within_noise(plant: Plant) -> None:
    twin = LockTwin(plant)
    twin.step(50.0)
    v = twin.values()
    for a, b in (("nivel_camara", "nivel_camara_2"), ("pressao_sistema", "pressao_sistema_2")):
        assert v[a] != v[b] and abs(v[a] - v[b]) < 0.15
    assert len(ANALOG_TAGS) > 60
