"""What the running step waits for: the feedback that ends it, each condition with its live value and
threshold (tools/status.py), and the copilot's answer to "o que falta para esse passo terminar?"."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from agent.service import Copilot
from evals.incident import IncidentLibrary
from evals.store import IncidentStore
from lockpilot.roles import Role
from rules.bundle import PlantBundle
from tests.planner_helpers import incident_context, store_context
from tools.status import plant_status

Say = Callable[[str], dict[str, Any]]


@pytest.fixture
def conversation(bundle: PlantBundle) -> Callable[[str, float], Say]:
    library = IncidentLibrary(bundle.plant.incidents_dir, bundle.plant)

    def on(incident: str, at_s: float) -> Say:
        store = IncidentStore(library.get(incident), bundle)
        store.advance_to(at_s)
        copilot = Copilot(tools=store_context(bundle, store), checkpointer=InMemorySaver())
        return lambda q: copilot.ask(q, user="ana", role=Role.OPERATOR, thread_id="t").model_dump(mode="json")

    return on


def test_the_filling_step_waits_on_the_level_difference_with_its_live_gap(bundle: PlantBundle) -> None:
    status = plant_status(incident_context(bundle, "quiet_filling_and_upstream_opening", 205))
    assert status.sequence is not None and status.sequence.step == 3
    (waits,) = status.sequence.waiting_for
    assert waits.tags == ["nivel_camara", "nivel_reservatorio_montante"]
    assert waits.threshold == pytest.approx(0.05) and waits.operator == "<="
    assert waits.met is False and waits.value == pytest.approx(status.sequence.level_gap_m, abs=0.01)


def test_the_closing_step_waits_on_each_gate_closed_bit(bundle: PlantBundle) -> None:
    status = plant_status(incident_context(bundle, "quiet_gate_closing", 150))
    assert status.sequence is not None and status.sequence.sequence_id == "fechamento_comportas"
    waits = status.sequence.waiting_for
    assert {w.tags[0] for w in waits} >= {"comporta_montante_fechada"} and all(
        len(w.tags) == 1 for w in waits
    )
    assert any(w.met is False for w in waits) and status.sequence.waiting_all


@pytest.mark.parametrize(
    "question",
    [
        "E qual é o critério para que esse passo seja concluído?",
        "o que falta pra esse passo terminar?",
        "what is this step waiting for?",
    ],
)
def test_what_the_step_waits_for_is_answered_with_the_gap(
    conversation: Callable[[str, float], Say], question: str
) -> None:
    say = conversation("quiet_filling_and_upstream_opening", 200)
    say("qual sequência está em execução e em que passo ela se encontra?")
    answer = say(question)["answer"]
    first = answer.split("\n")[0]
    assert "0,05 m" in first or "0.05 m" in first, answer
    assert "montante" in first or "upstream" in first, answer


def test_what_the_closing_waits_for_names_the_gate_not_yet_closed(
    conversation: Callable[[str, float], Say],
) -> None:
    say = conversation("quiet_gate_closing", 150)
    answer = say("Qual sequência está ativa agora e o que ela aguarda para ser concluída?")["answer"]
    first = answer.split("\n")[0]
    assert "fechamento" in first.lower() and "fechad" in first, answer
