"""Readings with the alarms on them, limits asked about now, side and number follow-ups, faults asked
as "what's wrong", a measurement named before its place (the offline planner on recorded incidents)."""

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


@pytest.fixture(scope="module")
def library(bundle: PlantBundle) -> IncidentLibrary:
    return IncidentLibrary(bundle.plant.incidents_dir, bundle.plant)


@pytest.fixture
def conversation(
    bundle: PlantBundle, library: IncidentLibrary
) -> Callable[..., Callable[[str], dict[str, Any]]]:
    """A thread on an incident at a moment: say(question) -> the result."""

    def on(incident: str, at_s: float) -> Callable[[str], dict[str, Any]]:
        store = IncidentStore(library.get(incident), bundle)
        store.advance_to(at_s)
        copilot = Copilot(tools=store_context(bundle, store), checkpointer=InMemorySaver())

        def say(question: str) -> dict[str, Any]:
            result = copilot.ask(question, user="ana", role=Role.OPERATOR, thread_id="t")
            return result.model_dump(mode="json") | {"values": store.latest}

        return say

    return on


def _tags(result: dict[str, Any]) -> set[str]:
    return {c["id"] for c in result["citations"] if c["kind"] == "tag"}


def test_a_reading_names_the_alarm_active_on_its_equipment(conversation: Callable[..., Any]) -> None:
    say = conversation("hpu_oil_overtemp", 300)
    result = say("tá um calorão na sala da HPU")
    answer = result["answer"]
    assert answer.startswith("Temperatura da sala da unidade hidráulica")
    assert "Temperatura alta do óleo" in answer and "68,1" in answer  # the alarm, with the reading raising it
    assert "suprimido" not in answer  # an alarm suppressed by design is not for the operator's attention


def test_a_limit_alone_is_asked_about_now_against_the_rated_value(conversation: Callable[..., Any]) -> None:
    say = conversation("overcurrent_during_filling", 97)
    result = say("Is the pump motor current above 130 % of nominal?")
    assert result["language"] == "en" and "read_tag" in [c["name"] for c in result["tool_calls"]]
    now = result["values"]["corrente_motor_bomba"].value
    assert result["answer"].startswith("No:" if now <= 156 else "Yes:")  # 130 % of the 120 A rated current
    assert "156 A" in result["answer"]


def test_a_limit_in_portuguese_answers_yes_or_no_first(conversation: Callable[..., Any]) -> None:
    say = conversation("quiet_idle", 60)
    assert say("o nível de montante ainda tá acima de 10,5 m?")["answer"].startswith("Sim: agora está em")


def test_a_number_alone_follows_up_the_previous_reading(conversation: Callable[..., Any]) -> None:
    say = conversation("valve_stuck_filling_1", 40)
    say("a valvula de enchimento 1 ta em quanto?")
    second = say("e a 2?")
    assert "posicao_valvula_enchimento_2" in _tags(second) and "Olá" not in second["answer"]


def test_the_other_side_in_english_follows_up_the_same_measurement(conversation: Callable[..., Any]) -> None:
    say = conversation("quiet_idle", 100)
    say("upstream gate position?")
    second = say("and the downstream one?")
    assert _tags(second) == {"posicao_comporta_jusante"}


def test_whats_wrong_with_an_equipment_explains_its_fault(conversation: Callable[..., Any]) -> None:
    say = conversation("gate_jam_downstream_opening", 40)
    result = say("what's wrong with the downstream gate?")
    assert "explain_alarm" in [c["name"] for c in result["tool_calls"]]
    assert any(c["kind"] == "rule" and "jusante" in c["id"] for c in result["citations"])


def test_a_measurement_named_before_its_place_is_read(bundle: PlantBundle) -> None:
    from agent.planner.understand import understand

    question = understand("oil temperature in the power unit?", incident_context(bundle, "quiet_idle", 40))
    assert question.tags == ["temperatura_oleo_hpu"]
