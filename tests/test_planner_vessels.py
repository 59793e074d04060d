"""A vessel's passage asked in the lockmaster's words: yes when the gate of its side is fully open and the
signal green, else not yet with the positions and what runs; "why can't it leave upstream?" checks the
upstream opening's interlocks."""

from __future__ import annotations

from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from agent.planner.question import Intent
from agent.service import Copilot
from lockpilot.roles import Role
from rules.bundle import PlantBundle
from tests.planner_helpers import incident_context, understander

EMPTYING = "quiet_emptying_and_downstream_opening"


def _ask(bundle: PlantBundle, at_s: float, question: str) -> dict[str, Any]:
    copilot = Copilot(tools=incident_context(bundle, EMPTYING, at_s), checkpointer=InMemorySaver())
    return copilot.ask(question, user="ana", role=Role.OPERATOR, thread_id=question).model_dump(mode="json")


@pytest.mark.parametrize(
    "question", ["O rebocador já pode entrar na câmara?", "posso liberar o barco?", "can the tug go in?"]
)
def test_a_vessel_may_enter_once_its_gate_is_open_and_the_signal_green(
    bundle: PlantBundle, question: str
) -> None:
    result = _ask(bundle, 790, question)
    assert result["answer"].startswith(("Sim: a comporta de jusante", "Yes: the downstream gate")), result
    assert {"kind": "tag", "id": "sinal_jusante_verde"} in result["citations"]


def test_not_yet_says_the_gates_and_what_runs(bundle: PlantBundle) -> None:
    result = _ask(bundle, 300, "a chata já pode entrar?")
    answer = result["answer"]
    assert answer.startswith("Ainda não:") and "esvaziamento da câmara" in answer and "Faltam" in answer


def test_a_side_said_is_that_side_only(bundle: PlantBundle) -> None:
    q = understander(incident_context(bundle, EMPTYING, 300))("a chata já pode sair pra montante?")
    assert q.intent is Intent.READ and q.passage
    assert q.tags == ["sinal_montante_verde", "comporta_montante_aberta", "posicao_comporta_montante"]


def test_why_a_vessel_cannot_leave_upstream_checks_the_upstream_opening(bundle: PlantBundle) -> None:
    q = understander(incident_context(bundle, EMPTYING, 300))(
        "Por que ainda não posso soltar a chata pra montante? Tá quase no nível."
    )
    assert q.intent is Intent.WHY_NOT and q.sequence == "abertura_comporta_montante", q


def test_a_vessel_going_down_asks_what_the_lock_is_doing(bundle: PlantBundle) -> None:
    result = _ask(bundle, 200, "já tá descendo a chata?")
    assert result["answer"].startswith("A eclusa está em esvaziamento da câmara"), result["answer"]


def test_an_open_gate_read_through_a_suspect_link_is_no_yes() -> None:
    from agent.planner.answer_readings import Voice
    from agent.planner.vessels import passage_sentence
    from lockpilot.language import Language

    def reading(tag: str, value: object) -> dict[str, object]:
        return {"tag": tag, "value": value, "freshness": "current", "suspect_by": ["perda_comunicacao_clp"]}

    readings = [
        reading("sinal_jusante_verde", True),
        reading("comporta_jusante_aberta", True),
        reading("posicao_comporta_jusante", 100.0),
    ]
    said = passage_sentence(readings, Voice(Language.PT, "America/Sao_Paulo")) or ""
    assert not said.startswith("Sim") and "perda_comunicacao_clp" in said, said
