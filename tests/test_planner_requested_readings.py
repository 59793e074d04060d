"""Readings asked for by request rather than by a question word ("Accumulator pressure and pump discharge
pressure, please.", "lockpilot me fala a vibração da bomba e a temperatura do mancal") are read, not looked
up in the documents; a clause naming a part no other clause's equipment has (the accumulator) keeps it, and
"…, please" is no clause of its own."""

from __future__ import annotations

import pytest

from agent.planner.question import Intent
from rules.bundle import PlantBundle
from tests.planner_helpers import incident_context, understander


@pytest.mark.parametrize(
    ("question", "tags"),
    [
        (
            "Accumulator pressure and pump discharge pressure, please.",
            ["pressao_acumulador", "pressao_descarga_bomba"],
        ),
        (
            "lockpilot me fala a vibração da bomba e a temperatura do mancal tô aqui do lado dela "
            "e achei esquisito",
            ["vibracao_bomba", "temperatura_mancal_bomba"],
        ),
    ],
)
def test_readings_asked_by_request_are_read(bundle: PlantBundle, question: str, tags: list[str]) -> None:
    q = understander(incident_context(bundle, "quiet_idle", 60))(question)
    assert q.intent is Intent.READ and q.tags == tags, q


def test_the_present_value_against_nominal_is_a_reading(bundle: PlantBundle) -> None:
    q = understander(incident_context(bundle, "quiet_idle", 60))(
        "What are the main pump motor winding temperature and its present current draw relative to nominal?"
    )
    assert q.intent is Intent.READ and "temperatura_enrolamento_motor_bomba" in q.tags, q


@pytest.mark.parametrize(
    "question",
    ["how does the accumulator pressure work?", "por que a pressão do acumulador cai com a bomba parada?"],
)
def test_how_or_why_of_a_named_reading_is_not_turned_into_a_reading(
    bundle: PlantBundle, question: str
) -> None:
    q = understander(incident_context(bundle, "quiet_idle", 60))(question)
    assert q.intent is not Intent.READ, q


@pytest.mark.parametrize("question", ["o pump tá running ou tá off?", "a bomba tá ligada?"])
def test_the_state_of_a_named_equipment_is_read(bundle: PlantBundle, question: str) -> None:
    q = understander(incident_context(bundle, "quiet_idle", 60))(question)
    assert q.intent is Intent.READ and q.equipment == "bomba_principal", q


def test_how_long_after_an_if_asks_the_documents(bundle: PlantBundle) -> None:
    q = understander(incident_context(bundle, "quiet_filling_and_upstream_opening", 100))(
        "se acabar a luz com essa tempestade o gerador entra sozinho? demora quanto?"
    )
    assert q.intent is Intent.KNOWLEDGE, q
    q = understander(incident_context(bundle, "quiet_filling_and_upstream_opening", 100))(
        "quanto tempo falta pra encher?"
    )
    assert q.intent is Intent.TIME_TO, q


def test_each_question_of_a_message_is_read(bundle: PlantBundle) -> None:
    q = understander(incident_context(bundle, "quiet_idle", 60))(
        "a alimentação principal tá ok? quanto tá a tensão?"
    )
    assert q.intent is Intent.READ and q.tags[0] == "energia_principal_ok" and len(q.tags) == 2, q
    assert "tensao" in q.tags[1], q


def test_an_afterthought_is_part_of_the_question_before(bundle: PlantBundle) -> None:
    q = understander(incident_context(bundle, "quiet_emptying_and_downstream_opening", 200))(
        "as valvulas de saida tao abertas quanto? as duas"
    )
    assert q.tags == ["posicao_valvula_esvaziamento_1", "posicao_valvula_esvaziamento_2"], q
