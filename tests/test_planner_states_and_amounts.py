"""A state or an amount asked after its subject ("a bomba, ainda tá rodando?", "tá abrindo? tá em quanto?",
"óleo tá quanto?"), and a direction word that names no measurement ("o nível de montante tá baixando?")."""

from __future__ import annotations

import pytest

from agent.planner.question import Intent
from rules.bundle import PlantBundle
from tests.planner_helpers import incident_context, understander


def test_running_asked_after_the_equipment_reads_its_state(bundle: PlantBundle) -> None:
    q = understander(incident_context(bundle, "hpu_oil_overtemp", 100))("e a bomba, ainda tá rodando?")
    assert q.intent is Intent.READ and q.tags[0] == "bomba_principal_status", q.tags


def test_how_much_after_is_it_opening_reads_the_gate_position(bundle: PlantBundle) -> None:
    q = understander(incident_context(bundle, "gate_jam_upstream_opening", 10))(
        "a porta de jusante tá abrindo? tá em quanto?"
    )
    assert q.intent is Intent.READ and q.tags[0] == "posicao_comporta_jusante", q.tags


def test_a_value_asked_at_the_end_is_a_reading_not_an_alarm(bundle: PlantBundle) -> None:
    q = understander(incident_context(bundle, "hpu_oil_overtemp", 60))("oleo ta qnto? ta mto quente ja?")
    assert q.intent is Intent.READ and q.tags == ["temperatura_oleo_hpu"], q


@pytest.mark.parametrize(
    ("question", "tag"),
    [
        ("o nível de montante tá baixando?", "nivel_reservatorio_montante"),
        ("o nível de montante tá caindo?", "nivel_reservatorio_montante"),
        (
            "Observem que o nível de montante está descendo. Qual é o valor atual?",
            "nivel_reservatorio_montante",
        ),
        ("a vibração da bomba tá aumentando?", "vibracao_bomba"),
    ],
)
def test_a_direction_word_is_left_out_of_the_measurement_searched(
    bundle: PlantBundle, question: str, tag: str
) -> None:
    q = understander(incident_context(bundle, "cavitation_low_upstream", 100))(question)
    assert q.tags[:1] == [tag], q.tags


def test_a_state_asked_reads_that_state_bit(bundle: PlantBundle) -> None:
    q = understander(incident_context(bundle, "quiet_emptying_and_downstream_opening", 200))(
        "Me confirma, por favor, se a comporta de montante tá bem fechada antes de eu liberar o pessoal da "
        "manutenção lá em cima."
    )  # two clauses: the state bit of the first, the one it names
    assert q.intent is Intent.READ and q.tags[:1] == ["comporta_montante_fechada"], q.tags


def test_per_minute_asked_of_no_measurement_is_the_one_measured_per_minute(bundle: PlantBundle) -> None:
    q = understander(incident_context(bundle, "quiet_emptying_and_downstream_opening", 200))(
        "blz, a descida ja comecou? ta descendo qnto por minuto?"
    )
    assert q.intent is Intent.READ and q.tags == ["taxa_variacao_nivel_camara"], q
