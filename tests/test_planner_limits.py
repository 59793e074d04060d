"""The fault rules' limits on a measurement, read out of rules.yaml and said beside the value: how far a
reading is from the line that raises an alarm, and what a named alarm needs to fire when it is not active."""

from __future__ import annotations

from typing import Any

from langgraph.checkpoint.memory import InMemorySaver

from agent.service import Copilot
from lockpilot.roles import Role
from rules.bundle import PlantBundle
from rules.limits import Side
from tests.planner_helpers import incident_context

QUIET = "quiet_idle"


def _ask(bundle: PlantBundle, incident: str, at_s: float, question: str) -> dict[str, Any]:
    copilot = Copilot(tools=incident_context(bundle, incident, at_s), checkpointer=InMemorySaver())
    return copilot.ask(question, user="ana", role=Role.OPERATOR, thread_id=question).model_dump(mode="json")


def test_limits_come_from_the_rule_conditions_with_parameters_and_percentages(bundle: PlantBundle) -> None:
    oil = {(lim.rule_id, lim.side, lim.value) for lim in bundle.limits["temperatura_oleo_hpu"]}
    assert oil == {
        ("temperatura_oleo_hpu_alta", Side.ABOVE, 65.0),
        ("temperatura_oleo_hpu_muito_alta", Side.ABOVE, 75.0),
    }
    nominal = bundle.plant.tags["corrente_motor_comporta_montante"].nominal
    current = bundle.limits["corrente_motor_comporta_montante"]
    jam = next(lim for lim in current if "travamento" in lim.rule_id)
    assert nominal is not None and jam.value == 1.5 * nominal  # "> 150% nominal"
    assert "posicao_comporta_montante" not in bundle.limits  # "position > 2 %" tells open from closed


def test_is_it_normal_gets_the_limits_beside_the_value(bundle: PlantBundle) -> None:
    result = _ask(bundle, QUIET, 120, "a temperatura do óleo tá normal?")
    assert "47," in result["answer"] or "°C" in result["answer"]
    assert "acima de 65 °C" in result["answer"] and "acima de 75 °C" in result["answer"]


def test_a_plain_reading_far_from_its_limits_is_said_alone(bundle: PlantBundle) -> None:
    result = _ask(bundle, QUIET, 120, "qual a temperatura do óleo?")
    assert "Limites" not in result["answer"]


def test_a_reading_past_a_limit_says_so_and_cites_the_rule(bundle: PlantBundle) -> None:
    result = _ask(bundle, "gate_jam_and_level_drift", 18, "corrente do motor da comporta de montante?")
    assert "ultrapassado" in result["answer"]
    assert any(c["kind"] == "rule" and "comporta_montante" in c["id"] for c in result["citations"])


def test_a_named_alarm_that_is_not_active_is_explained_with_its_limit(bundle: PlantBundle) -> None:
    result = _ask(bundle, QUIET, 120, "explica o alarme de vento forte")
    assert "velocidade_vento_alta" in result["answer"] and "não está ativo" in result["answer"]
    assert "limite: acima de 15 m/s" in result["answer"]
    assert {"kind": "rule", "id": "velocidade_vento_alta"} in result["citations"]


def test_the_alarm_listing_says_the_value_that_raised_the_most_urgent_alarm(bundle: PlantBundle) -> None:
    result = _ask(bundle, "hpu_oil_overtemp", 110, "quais alarmes estão ativos?")
    assert "temperatura_oleo_hpu_alta" in result["answer"] or "Temperatura alta do óleo" in result["answer"]
    assert "(limite: acima de 65 °C; o próximo: acima de 75 °C" in result["answer"]
    assert {"kind": "tag", "id": "temperatura_oleo_hpu"} in result["citations"]


def test_a_time_left_from_a_frozen_transmitter_says_so(bundle: PlantBundle) -> None:
    result = _ask(bundle, "sensor_freeze_looks_like_slow_filling", 300, "quanto falta pra encher?")
    assert "Faltam cerca de" in result["answer"]
    assert "a estimativa usa a leitura de nivel_camara, que é suspeita" in result["answer"]
    assert "sensor_nivel_camara_congelado" in result["answer"] and "nivel_camara_2" in result["answer"]


def test_with_no_sequence_running_the_status_says_which_stopped_last_and_when(bundle: PlantBundle) -> None:
    result = _ask(bundle, "quiet_gate_closing", 230, "o enchimento ainda tá rolando?")
    assert "nenhuma sequência em andamento" in result["answer"]
    assert "A última foi fechamento das comportas (fechamento_comportas), concluída às" in result["answer"]


def test_after_the_plc_link_returned_the_filling_it_kept_running_is_said(bundle: PlantBundle) -> None:
    result = _ask(bundle, "plc_link_loss_during_filling", 180, "o enchimento ainda tá rolando?")
    assert result["answer"].startswith("A eclusa está em enchimento da câmara"), result["answer"]


def test_among_many_readings_only_a_limit_crossed_is_said(bundle: PlantBundle) -> None:
    result = _ask(bundle, "overpressure_during_emptying", 70, "como tá a unidade hidráulica?")
    assert "acima de 8,5 bar, «Sobrepressão no sistema hidráulico» (ultrapassado)" in result["answer"]
    assert "abaixo de 4,5 bar" not in result["answer"]


def test_a_windows_maximum_asked_against_a_line_is_said_past_each_limit(bundle: PlantBundle) -> None:
    result = _ask(
        bundle,
        "cavitation_low_upstream",
        230,
        "qual foi a vibração máxima da bomba nos últimos 2 minutos? quero saber se passou da zona D",
    )
    assert {c["id"] for c in result["citations"] if c["kind"] == "tag"} >= {"vibracao_bomba"}, result[
        "answer"
    ]
    assert "8,63 mm/s" in result["answer"] and "Passou do limite de 7,1 mm/s" in result["answer"], result


def test_a_sentence_that_only_judges_does_not_pull_the_measurement_away(bundle: PlantBundle) -> None:
    from tests.planner_helpers import understander

    understand = understander(incident_context(bundle, "quiet_filling_and_upstream_opening", 600))
    q = understand(
        "qual a maior taxa de subida do nível da câmara nos últimos 10 min? chegou a passar do limite de 1,2?"
    )
    assert q.tags == ["taxa_variacao_nivel_camara"] and q.window_s == 600


def test_the_first_out_answer_gives_the_code_the_plc_latched(bundle: PlantBundle) -> None:
    result = _ask(bundle, "pump_motor_overcurrent", 120, "qual o código de primeira falha do CLP?")
    assert "sobrecorrente_motor_bomba" in result["answer"], result["answer"]
    assert {"kind": "tag", "id": "codigo_primeira_falha"} in result["citations"], result["citations"]


def test_a_rule_computing_what_a_tag_reads_limits_that_tag_both_ways(bundle: PlantBundle) -> None:
    rate = {(lim.rule_id, lim.side, lim.value) for lim in bundle.limits["taxa_variacao_nivel_camara"]}
    assert rate == {  # "abs(rate of the levels) > 1.2 m/min", measured_as the PLC's own rate
        ("taxa_enchimento_excessiva", Side.ABOVE, 1.2),
        ("taxa_enchimento_excessiva", Side.BELOW, -1.2),
    }


def test_filling_too_fast_is_answered_with_the_rate_against_its_limit(bundle: PlantBundle) -> None:
    answer = _ask(
        bundle, "quiet_filling_and_upstream_opening", 100, "a câmara não tá enchendo rápido demais?"
    )
    assert "a câmara está enchendo (sobe 1,14 m/min, limite 1,2 m/min)" in answer["answer"], answer["answer"]


def test_an_unknown_measured_as_tag_is_an_error_naming_the_rule(bundle: PlantBundle, tmp_path: Any) -> None:
    import pytest

    from lockpilot.errors import PlantDataErrors
    from rules.loader import load_rules

    source = (bundle.plant.root / "rules.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "rules.yaml"
    broken.write_text(
        source.replace("measured_as: taxa_variacao_nivel_camara", "measured_as: taxa_x"), "utf-8"
    )
    with pytest.raises(PlantDataErrors) as caught:
        load_rules(bundle.plant, path=broken)
    assert "measured_as" in str(caught.value) and "taxa_x" in str(caught.value)
