"""A bare measurement word opening a thread ("qual a temperatura?", "how much current?") is asked back:
which one, of the plant's own readings; a word the plant gives to one tag ("nível?", "pressão?") reads
that tag; after a turn about an equipment, the word is that equipment's measurement."""

from __future__ import annotations

from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from agent.planner.question import Intent
from agent.service import Copilot
from evals.incident import IncidentLibrary
from evals.store import IncidentStore
from lockpilot.roles import Role
from rules.bundle import PlantBundle
from tests.planner_helpers import incident_context, store_context, understander


@pytest.mark.parametrize(
    ("question", "opening"),
    [
        ("qual a temperatura?", "Qual temperatura: "),
        ("a corrente tá quanto?", "Qual corrente: "),
        ("what's the temperature?", "Which temperature: "),
        ("how much current?", "Which current: "),
    ],
)
def test_a_bare_measurement_word_is_asked_back(bundle: PlantBundle, question: str, opening: str) -> None:
    q = understander(incident_context(bundle, "quiet_idle", 60))(question)
    assert q.intent is Intent.CLARIFY and q.clarify.startswith(opening), q
    assert q.clarify.count("?") == 1 and q.clarify.count(",") >= 2, q.clarify  # one question, its options


@pytest.mark.parametrize(
    ("question", "tag"),
    [("nível?", "nivel_camara"), ("level?", "nivel_camara"), ("e a pressão?", "pressao_sistema")],
)
def test_a_word_the_plant_gives_to_one_tag_reads_it(bundle: PlantBundle, question: str, tag: str) -> None:
    q = understander(incident_context(bundle, "quiet_idle", 60))(question)
    assert q.intent is Intent.READ and q.tags == [tag], q


@pytest.mark.parametrize(
    ("first", "tag"),
    [
        ("qual a vibração da bomba?", "corrente_motor_bomba"),
        ("qual a posição da comporta de montante?", "corrente_motor_comporta_montante"),
    ],
)
def test_after_an_equipment_the_bare_word_is_its_measurement(
    bundle: PlantBundle, first: str, tag: str
) -> None:
    store = IncidentStore(IncidentLibrary(bundle.plant.incidents_dir, bundle.plant).get("quiet_idle"), bundle)
    store.advance_to(60)
    copilot = Copilot(tools=store_context(bundle, store), checkpointer=InMemorySaver())
    copilot.ask(first, user="ana", role=Role.OPERATOR, thread_id="t")
    result: Any = copilot.ask("e a corrente?", user="ana", role=Role.OPERATOR, thread_id="t")
    assert {c["id"] for c in result.citations if c["kind"] == "tag"} == {tag}, result.answer
