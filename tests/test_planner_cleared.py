"""Whether a fault has gone ("a comunicação voltou?", "a cavitação já normalizou?", "is the overpressure alarm
cleared?") is answered yes or no first, from the alarm's state now, then the alarm; a measurement asked back
to normal ("a pressão voltou ao normal?") is not taken for an alarm's name."""

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
    ("question", "rule"),
    [
        ("a comunicação voltou?", "perda_comunicacao_clp"),
        ("Has communication been restored?", "perda_comunicacao_clp"),
        ("a cavitação já normalizou?", "cavitacao_bomba"),
        ("is the overpressure alarm cleared?", "sobrepressao_sistema"),
    ],
)
def test_has_it_gone_asks_the_state_of_that_alarm(bundle: PlantBundle, question: str, rule: str) -> None:
    q = understander(incident_context(bundle, "cavitation_and_link_loss", 160))(question)
    assert q.intent is Intent.EXPLAIN and q.cleared and q.rule == rule, q


def test_a_measurement_back_to_normal_is_no_alarm_question(bundle: PlantBundle) -> None:
    q = understander(incident_context(bundle, "cavitation_and_link_loss", 160))("a pressão voltou ao normal?")
    assert not q.cleared, q


def _ask(bundle: PlantBundle, incident: str, at_s: float, question: str) -> str:
    copilot = Copilot(tools=incident_context(bundle, incident, at_s), checkpointer=InMemorySaver())
    result: Any = copilot.ask(question, user="ana", role=Role.OPERATOR, thread_id="t")
    return str(result.answer)


def test_a_link_still_lost_says_no_first(bundle: PlantBundle) -> None:
    answer = _ask(bundle, "cavitation_and_link_loss", 160, "a comunicação voltou?")
    assert answer.startswith(
        "Não: «Perda de comunicação com o CLP» (perda_comunicacao_clp) continua ativo"
    ), answer


def test_an_alarm_not_active_says_yes_first(bundle: PlantBundle) -> None:
    answer = _ask(bundle, "cavitation_and_link_loss", 160, "is the overpressure alarm cleared?")
    assert answer.startswith("Yes: «") and "(sobrepressao_sistema) is not active now." in answer, answer


def test_an_alarm_returned_to_normal_says_it_still_needs_acknowledging(bundle: PlantBundle) -> None:
    answer = _ask(bundle, "overcurrent_then_oil_overtemp", 85, "a sobrecorrente da bomba já normalizou?")
    assert answer.startswith("Sim: a condição de «Sobrecorrente no motor da bomba principal»"), answer
    assert "falta reconhecer" in answer.split(".")[0], answer
