"""A situation told with "what do I do?" that no active alarm covers (a person in the water) is answered from
the plant's documents, in the site's words for it; "e agora, o que eu faço?" alone, with nothing active,
still says there is nothing to do."""

from __future__ import annotations

from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from agent.planner.passage import answer_from
from agent.service import Copilot
from evals.knowledge_desk import KnowledgeAdapter
from knowledge.service import index_plant
from lockpilot.language import Language
from lockpilot.roles import Role
from rules.bundle import PlantBundle
from tests.knowledge_helpers import cached_embedder
from tests.planner_helpers import incident_context

PASSAGE = (
    "Acione a parada de emergência quando houver risco a pessoas: pessoa na água ou sobre a folha da "
    "comporta em movimento. EN: emergency stop, e-stop buttons."
)


def test_an_english_keyword_line_is_not_given_as_the_answer() -> None:
    said = answer_from(PASSAGE, "man overboard, what do I do?", Language.EN)
    assert said.startswith("Acione a parada de emergência"), said


@pytest.fixture(scope="module")
def ask(bundle: PlantBundle, pg_url: str, request: pytest.FixtureRequest) -> Any:
    index_plant(pg_url, bundle=bundle, embedder=cached_embedder(request.config))
    ctx = incident_context(bundle, "quiet_idle", 100)
    ctx.knowledge = KnowledgeAdapter(pg_url, bundle.plant)
    copilot = Copilot(tools=ctx, checkpointer=InMemorySaver())
    return lambda q: copilot.ask(q, user="ana", role=Role.OPERATOR, thread_id=q).model_dump(mode="json")


@pytest.mark.parametrize(
    "question",
    [
        "um marinheiro caiu na água perto da comporta de jusante, o que eu faço?",
        "man overboard near the upstream gate, what do I do?",
    ],
)
def test_a_person_in_the_water_gets_the_emergency_procedure(ask: Any, question: str) -> None:
    result = ask(question)
    assert "parada de emergência" in result["answer"], result["answer"]
    assert {"kind": "doc", "id": "emergencia#quando-acionar"} in result["citations"], result["citations"]


def test_what_now_with_nothing_told_and_nothing_active_says_there_is_nothing_to_do(ask: Any) -> None:
    result = ask("e agora, o que eu faço?")
    assert "nada a fazer" in result["answer"] and result["citations"] == [], result
