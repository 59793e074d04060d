"""A side said without its noun keeps the noun's gender: "a de montante" is the gate (a comporta), "o de
montante" the reservoir's level; after a level, "e a de jusante?" still swaps the side of that level. A
computed bit ("níveis equalizados") is read with the measurement it comes from."""

from __future__ import annotations

from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from agent.planner.question import Intent
from agent.service import Copilot
from lockpilot.roles import Role
from rules.bundle import PlantBundle
from tests.planner_helpers import incident_context, understander


@pytest.mark.parametrize(
    ("question", "equipment"),
    [
        ("a de montante tá em quanto?", "comporta_montante"),
        ("a de jusante tá aberta?", "comporta_jusante"),
        ("o de montante tá em quanto?", "reservatorio_montante"),
    ],
)
def test_the_article_tells_the_gate_from_the_reservoir(
    bundle: PlantBundle, question: str, equipment: str
) -> None:
    q = understander(incident_context(bundle, "quiet_filling_and_upstream_opening", 400))(question)
    assert q.equipment == equipment, q


def test_after_a_level_the_other_side_is_still_that_level(bundle: PlantBundle) -> None:
    copilot = Copilot(
        tools=incident_context(bundle, "quiet_filling_and_upstream_opening", 400),
        checkpointer=InMemorySaver(),
    )
    copilot.ask("qual o nível de montante?", user="ana", role=Role.OPERATOR, thread_id="t")
    result: Any = copilot.ask("e a de jusante?", user="ana", role=Role.OPERATOR, thread_id="t")
    assert {c["id"] for c in result.citations if c["kind"] == "tag"} == {"nivel_jusante"}, result.answer


@pytest.mark.parametrize(
    "question", ["a câmara já equalizou com jusante?", "Has the chamber equalised with downstream?"]
)
def test_a_computed_bit_is_read_with_the_measurement_it_comes_from(
    bundle: PlantBundle, question: str
) -> None:
    q = understander(incident_context(bundle, "quiet_emptying_and_downstream_opening", 400))(question)
    assert q.tags == ["niveis_equalizados_jusante", "diferenca_nivel_camara_jusante"], q


def test_an_equipments_own_state_bit_is_read_as_before(bundle: PlantBundle) -> None:
    q = understander(incident_context(bundle, "quiet_idle", 60))("tem embarcação na câmara?")
    assert q.tags == ["embarcacao_na_camara"], q


@pytest.mark.parametrize(
    "question", ["tem barco esperando?", "tem alguma embarcação esperando?", "is there any vessel waiting?"]
)
def test_a_reading_of_no_side_with_an_upstream_and_a_downstream_twin_is_read_on_both(
    bundle: PlantBundle, question: str
) -> None:
    q = understander(incident_context(bundle, "quiet_idle", 60))(question)
    assert q.intent is Intent.READ, q
    assert q.tags == ["embarcacao_aguardando_montante", "embarcacao_aguardando_jusante"], q.tags


def test_a_side_said_reads_that_side_only(bundle: PlantBundle) -> None:
    q = understander(incident_context(bundle, "quiet_idle", 60))("tem barco esperando a montante?")
    assert q.tags == ["embarcacao_aguardando_montante"], q.tags
