"""Readings with the alarms on them, limits asked about now, side and number follow-ups, faults asked
as "what's wrong", a measurement named before its place (the offline planner on recorded incidents)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from agent.service import Copilot
from evals.incident import IncidentLibrary
from evals.store import IncidentStore
from lockpilot.roles import Role
from rules.bundle import PlantBundle
from tests.planner_helpers import incident_context, store_context
from tools.knowledge import search_knowledge
from tools.ports import KnowledgeHit


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


class _Passages:
    """The plant's documents as a search port: the alarm's own pages rank first, as they do for real."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, int]] = []

    def search(self, query: str, *, limit: int) -> list[KnowledgeHit]:
        self.asked.append((query, limit))
        ids = [
            "regras/temperatura_oleo_hpu_alta#o-que-fazer",
            "regras/temperatura_oleo_hpu_alta#causa",
            "unidade-hidraulica#oleo-e-resfriamento",
            "faq#temperatura-oleo",
        ]
        hits = [KnowledgeHit(id=i, document=i.split("#")[0], heading=i, text="Acima de 65 °C.") for i in ids]
        return hits[:limit]


def test_what_to_do_searches_the_documents_beyond_the_alarms_own_page(bundle: PlantBundle) -> None:
    from agent.planner.question import Intent
    from agent.planner.steps import next_calls
    from agent.planner.understand import understand

    ctx = incident_context(bundle, "hpu_oil_overtemp", 100)
    question = understand("HPU oil is getting hot, what should I do?", ctx)
    assert question.intent is Intent.WHAT_TO_DO
    listing = {"alarms": [{"id": "temperatura_oleo_hpu_alta", "equipment": "unidade_hidraulica"}]}
    calls = next_calls(question, [("list_active_alarms", listing)])
    search = next(args for name, args in calls if name == "search_knowledge")
    assert search["beyond_rules"] is True and "temperatura oleo hpu alta" in search["query"]
    ctx = replace(ctx, knowledge=_Passages())
    found = search_knowledge(ctx, search["query"], limit=2, beyond_rules=True)
    assert [h.id for h in found.hits] == ["unidade-hidraulica#oleo-e-resfriamento", "faq#temperatura-oleo"]
    assert [c.id for c in found.citations] == [h.id for h in found.hits]  # only what it returns is cited


def test_a_procedure_asked_for_a_fault_is_what_to_do(bundle: PlantBundle) -> None:
    from agent.planner.question import Intent
    from agent.planner.understand import understand

    ctx = incident_context(bundle, "gate_jam_upstream_opening", 60)
    assert understand("comporta de montante travada, qual o procedimento?", ctx).intent is Intent.WHAT_TO_DO


def test_may_i_reset_it_now_gives_what_its_trip_asks(conversation: Callable[..., Any]) -> None:
    say = conversation("overcurrent_then_oil_overtemp", 150)
    result = say("posso rearmar a bomba ja?")
    assert "explain_alarm" in [c["name"] for c in result["tool_calls"]]
    assert "sobrecorrente_motor_bomba" in result["answer"]


def test_a_unit_names_which_of_a_things_measurements(bundle: PlantBundle) -> None:
    from agent.planner.understand import understand

    ctx = incident_context(bundle, "quiet_idle", 60)
    assert understand("quantos graus ta o oleo?", ctx).tags == ["temperatura_oleo_hpu"]
    assert understand("quantos graus na sala?", ctx).tags == ["temperatura_sala_hpu"]


def test_where_a_limit_lies_is_asked_of_the_documents(bundle: PlantBundle) -> None:
    from agent.planner.question import Intent
    from agent.planner.understand import understand

    ctx = incident_context(bundle, "quiet_idle", 60)
    question = "a partir de quantos graus o oleo da hpu e considerado quente?"
    assert understand(question, ctx).intent is Intent.KNOWLEDGE


def test_a_follow_up_pointing_back_explains_what_makes_the_reading_suspect(
    conversation: Callable[..., Any],
) -> None:
    say = conversation("sensor_freeze_during_emptying", 115)
    say("chamber level?")
    why = say("why do the two transmitters disagree?")
    assert {"kind": "rule", "id": "sensor_nivel_camara_congelado"} in why["citations"]
    trust = say("so which one do I trust?")
    assert "nivel_camara_2" in trust["answer"]  # the redundant transmitter, with its value


def test_who_to_call_follows_the_fault_just_explained(conversation: Callable[..., Any]) -> None:
    say = conversation("gate_jam_downstream_opening", 40)
    say("what's wrong with the downstream gate?")
    result = say("who do I call?")
    search = [c["args"]["query"] for c in result["tool_calls"] if c["name"] == "search_knowledge"]
    assert search and "travamento comporta jusante" in search[0]  # the documents on that alarm


def test_a_bare_valve_asks_which_one(bundle: PlantBundle) -> None:
    from agent.planner.question import Intent
    from agent.planner.understand import understand

    question = understand("e a valvula?", incident_context(bundle, "quiet_idle", 60))
    assert question.intent is Intent.CLARIFY and question.clarify.startswith("Qual válvula")


def test_a_read_carries_the_alarms_active_on_what_it_read(bundle: PlantBundle) -> None:
    from tools.live import read_tag

    result = read_tag(incident_context(bundle, "hpu_oil_overtemp", 300), ["temperatura_sala_hpu"])
    ids = [a.id for a in result.alarms]
    assert "temperatura_oleo_hpu_alta" in ids  # an alarm of the room's equipment, the hydraulic unit
    assert [r.tag for r in result.alarm_readings["temperatura_oleo_hpu_alta"]] == ["temperatura_oleo_hpu"]
    quiet = read_tag(incident_context(bundle, "quiet_idle", 60), ["temperatura_sala_hpu"])
    assert quiet.alarms == [] and quiet.alarm_readings == {}


def test_where_a_limit_lies_is_answered_by_the_fault_rules(conversation: Callable[..., Any]) -> None:
    say = conversation("hpu_oil_overtemp", 111)
    answer = say("a partir de quantos graus o oleo da hpu e considerado quente?")["answer"]
    assert answer.startswith("Para temperatura do óleo da unidade hidráulica, as regras de falha alarmam")
    assert "acima de 65 °C" in answer and "acima de 75 °C" in answer and "agora" in answer


def test_how_far_it_can_go_follows_up_the_measurement_just_read(conversation: Callable[..., Any]) -> None:
    say = conversation("hpu_oil_overtemp", 100)
    say("temperatura do óleo?")
    result = say("até quanto pode ir antes de desligar a bomba?")
    assert "75 °C" in result["answer"] and "temperatura_oleo_hpu" in _tags(result)
    assert "Nenhuma sequência" not in result["answer"]  # not a time-to-finish question


def test_operating_in_a_condition_gives_the_rule_limit_in_english(conversation: Callable[..., Any]) -> None:
    say = conversation("quiet_idle", 60)
    result = say("Can we keep operating in strong wind?")
    assert "above 15 m/s" in result["answer"] and "velocidade_vento" in _tags(result)
