"""Whether a tripped equipment may start again ("posso rearmar a bomba já?", "can I restart the pump?"):
an alarm of it, or of the whole lock, still standing says not yet; one that returned to normal asks for its
acknowledgement; then the trip's cause and what the documents ask before a reset."""

from __future__ import annotations

from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from agent.planner.question import Intent
from agent.service import Copilot
from evals.knowledge_desk import KnowledgeAdapter
from knowledge.service import index_plant
from lockpilot.roles import Role
from rules.bundle import PlantBundle
from tests.knowledge_helpers import cached_embedder
from tests.planner_helpers import incident_context, understander


@pytest.mark.parametrize(
    "question",
    [
        "posso rearmar a bomba já?",
        "já dá pra religar a bomba?",
        "posso ligar a bomba de novo?",
        "can I restart the pump now?",
        "is it safe to turn the pump back on?",
    ],
)
def test_may_it_start_again_is_a_restart_question(bundle: PlantBundle, question: str) -> None:
    q = understander(incident_context(bundle, "overcurrent_then_oil_overtemp", 85))(question)
    assert q.intent is Intent.WHAT_TO_DO and q.restart, q
    assert "rele_termico_sobrecorrente" in q.holding  # a lock-wide rule holds the pump back too


@pytest.mark.parametrize(
    "question", ["posso ligar a bomba?", "o que significa rearmar?", "a bomba tá ligada?"]
)
def test_a_first_start_or_a_definition_is_no_restart_question(bundle: PlantBundle, question: str) -> None:
    q = understander(incident_context(bundle, "overcurrent_then_oil_overtemp", 85))(question)
    assert not q.restart, q


@pytest.fixture(scope="module")
def ask_at(bundle: PlantBundle, pg_url: str, request: pytest.FixtureRequest) -> Any:
    index_plant(pg_url, bundle=bundle, embedder=cached_embedder(request.config))

    def ask(incident: str, at_s: float, question: str) -> dict[str, Any]:
        ctx = incident_context(bundle, incident, at_s)
        ctx.knowledge = KnowledgeAdapter(pg_url, bundle.plant)
        copilot = Copilot(tools=ctx, checkpointer=InMemorySaver())
        return copilot.ask(question, user="ana", role=Role.OPERATOR, thread_id="t").model_dump(mode="json")

    return ask


def test_a_relay_still_tripped_says_not_yet_with_the_cause_and_the_reset_rule(ask_at: Any) -> None:
    result = ask_at("overcurrent_then_oil_overtemp", 85, "posso rearmar a bomba já?")
    answer = result["answer"]
    assert answer.startswith("Ainda não: «Relé térmico de sobrecorrente atuado»"), answer
    assert "esfriar" in answer and "eliminar a causa" in answer, answer
    assert "Parar bomba principal" not in answer  # no stop offered for a pump already stopped
    assert {"kind": "doc", "id": "faq#reconhecer-falhas"} in result["citations"], result["citations"]


def test_in_english_the_verdict_leads(ask_at: Any) -> None:
    answer = ask_at("overcurrent_then_oil_overtemp", 85, "can I restart the pump now?")["answer"]
    assert answer.startswith("Not yet:") and "let it cool" in answer, answer


def test_nothing_standing_says_nothing_holds_the_restart_back(ask_at: Any) -> None:
    result = ask_at("quiet_idle", 60, "posso religar a bomba?")
    assert result["answer"].startswith("Nenhum alarme ativo ou por reconhecer impede"), result["answer"]
