"""A message that says something before it asks: an aside naming nothing of the plant ("beleza, vou medir
isolamento.") is left out of what is understood; a statement that names the plant is kept, since the
question may lean on it ("a comporta tá abrindo torta, só uma folha mexe. qual que tá parada?")."""

from __future__ import annotations

import pytest

from agent.planner.question import Intent
from rules.bundle import PlantBundle
from tests.planner_helpers import incident_context, understander


@pytest.mark.parametrize(
    ("question", "tag"),
    [
        (
            "beleza, vou medir isolamento. o enrolamento tá com quantos graus? câmbio",
            "temperatura_enrolamento_motor_bomba",
        ),
        ("vou medir isolamento. qual a temperatura do enrolamento?", "temperatura_enrolamento_motor_bomba"),
        ("Prezado, para fins de treinamento. Qual a pressão do sistema?", "pressao_sistema"),
    ],
)
def test_an_aside_before_the_question_is_left_out(bundle: PlantBundle, question: str, tag: str) -> None:
    q = understander(incident_context(bundle, "pump_motor_overcurrent", 60))(question)
    assert q.intent is Intent.READ and q.tags == [tag], q


def test_a_statement_that_names_the_plant_is_kept_for_the_question(bundle: PlantBundle) -> None:
    understand = understander(incident_context(bundle, "gate_jam_downstream_right_leaf", 60))
    q = understand("a comporta de jusante tá abrindo torta. qual a posição dela?")
    assert q.tags and all("jusante" in t for t in q.tags), q


@pytest.mark.parametrize(
    "question",
    [
        "Screens froze and nothing updates. What do I do?",  # the question alone names nothing: both are read
        "as valvulas de saida tao abertas quanto? as duas",  # said after the question: part of it
    ],
)
def test_a_statement_the_question_leans_on_is_kept(bundle: PlantBundle, question: str) -> None:
    from agent.planner.sentences import without_asides
    from agent.planner.understand import catalog_for

    vocabulary = catalog_for(incident_context(bundle, "quiet_idle", 60)).index.vocabulary
    assert without_asides(question, vocabulary=vocabulary, book=bundle.commands) == question
