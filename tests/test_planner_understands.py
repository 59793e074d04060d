"""The questions of issue 11's table, each answered right and answer-first by the offline planner, on the
recorded incidents (the copilot's real tools over an in-memory store advanced to the moment asked)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from agent.service import Copilot
from commands.desk import CommandDesk
from evals.incident import IncidentLibrary
from evals.store import IncidentStore, SandboxPlantIO
from evals.training_sandbox import MemoryCommandStore
from lockpilot.roles import Role
from rules.bundle import PlantBundle
from tests.planner_helpers import store_context

FILLING = "quiet_filling_and_upstream_opening"
FROZEN = "sensor_freeze_chamber_filling"


@pytest.fixture(scope="module")
def library(bundle: PlantBundle) -> IncidentLibrary:
    return IncidentLibrary(bundle.plant.incidents_dir, bundle.plant)


@pytest.fixture(scope="module")
def ask(bundle: PlantBundle, library: IncidentLibrary) -> Callable[..., dict[str, Any]]:
    stores: dict[tuple[str, float], IncidentStore] = {}

    def run(incident: str, at_s: float, question: str, *, role: Role = Role.OPERATOR) -> dict[str, Any]:
        store = stores.get((incident, at_s))
        if store is None:
            store = stores[(incident, at_s)] = IncidentStore(library.get(incident), bundle)
            store.advance_to(at_s)
        desk = CommandDesk(
            bundle.plant, bundle.commands, MemoryCommandStore(), SandboxPlantIO(store), store.clock
        )
        ctx = store_context(bundle, store, commands=desk)
        copilot = Copilot(tools=ctx, checkpointer=InMemorySaver())
        result = copilot.ask(question, user="ana", role=role, thread_id=f"{incident}:{at_s}:{question}")
        return result.model_dump(mode="json") | {"values": store.latest}

    return run


def _tools(result: dict[str, Any]) -> list[str]:
    return [c["name"] for c in result["tool_calls"]]


def _first_sentence(result: dict[str, Any]) -> str:
    return result["answer"].split("\n")[0]


def test_how_long_until_full_is_the_filling_not_a_power_loss(ask: Callable[..., dict[str, Any]]) -> None:
    result = ask(FILLING, 200, "quanto tempo falta pra encher?")
    first = _first_sentence(result)
    assert "falta_energia" not in result["answer"] and "não está ativo" not in result["answer"]
    assert first.startswith("Faltam cerca de") and " min " in first and "encher" in first
    assert {"kind": "sequence", "id": "enchimento"} in result["citations"]


def test_what_is_the_lock_doing_says_it_is_filling(ask: Callable[..., dict[str, Any]]) -> None:
    result = ask(FILLING, 200, "o que a eclusa está fazendo agora?")
    first = _first_sentence(result)
    assert first.startswith("A eclusa está em enchimento da câmara, passo 3 de 4")
    assert "congelado" not in result["answer"] and "não está ativo" not in result["answer"]


def test_why_not_open_the_upstream_gate_checks_the_preconditions(ask: Callable[..., dict[str, Any]]) -> None:
    result = ask(FILLING, 200, "por que não posso abrir a comporta de montante?")
    assert _tools(result)[0] == "check_sequence_preconditions"
    answer = result["answer"]
    assert answer.startswith("Não:") and "Nível de montante igual ao da câmara" in answer
    gap = result["values"]["nivel_reservatorio_montante"].value - result["values"]["nivel_camara"].value
    assert f"{abs(gap):.2f}".replace(".", ",") in answer and "0,1 m" in answer


def test_two_measurements_in_one_question(ask: Callable[..., dict[str, Any]]) -> None:
    result = ask(FILLING, 200, "qual a pressão do sistema e a temperatura do óleo?")
    assert _tools(result) == ["read_tag"]
    cited = {c["id"] for c in result["citations"] if c["kind"] == "tag"}
    assert {"pressao_sistema", "temperatura_oleo_hpu"} <= cited
    for tag in ("pressao_sistema", "temperatura_oleo_hpu"):
        assert f"{result['values'][tag].value:.2f}".replace(".", ",") in result["answer"]


def test_supply_voltage_in_english(ask: Callable[..., dict[str, Any]]) -> None:
    result = ask(FILLING, 200, "What's the supply voltage?")
    assert result["language"] == "en" and _tools(result) == ["read_tag"]
    assert {"kind": "tag", "id": "tensao_alimentacao"} in result["citations"]
    assert f"{result['values']['tensao_alimentacao'].value:.1f}" in result["answer"]
    assert "knowledge base" not in result["answer"]


def test_thanks_get_one_line_and_no_tool(ask: Callable[..., dict[str, Any]]) -> None:
    result = ask(FILLING, 200, "obrigado")
    assert result["tool_calls"] == [] and "\n" not in result["answer"] and len(result["answer"]) < 80


def test_a_frozen_transmitter_is_flagged_in_the_sentence_that_gives_it(
    ask: Callable[..., dict[str, Any]],
) -> None:
    result = ask(FROZEN, 160, "qual o nível da câmara agora?")
    first = _first_sentence(result)
    assert "suspeita" in first and "sensor_nivel_camara_congelado" in first
    assert "qualidade boa" not in first
    assert f"{result['values']['nivel_camara_2'].value:.2f}".replace(".", ",") in first  # the redundant one


def test_a_trend_on_a_frozen_transmitter_is_flagged_with_the_redundant_value(
    ask: Callable[..., dict[str, Any]],
) -> None:
    result = ask(FROZEN, 160, "o nível da câmara tá subindo?")
    assert {"query_history", "read_tag"} <= set(_tools(result))
    first = _first_sentence(result)
    assert "suspeita" in first and "sensor_nivel_camara_congelado" in first
    assert f"{result['values']['nivel_camara_2'].value:.2f}".replace(".", ",") in first


def test_a_trend_asked_with_its_value_reads_the_value_too(ask: Callable[..., dict[str, Any]]) -> None:
    result = ask(FILLING, 200, "o nível da câmara tá em quanto, tá subindo?")
    assert _tools(result)[:2] == ["query_history", "read_tag"]
    assert "suspeita" not in result["answer"] and "subindo" in _first_sentence(result)


def test_a_viewer_cannot_request_a_command(ask: Callable[..., dict[str, Any]]) -> None:
    result = ask(FILLING, 200, "desligue a bomba principal", role=Role.VIEWER)
    assert result["pending_command"] is None
    assert "somente um operador" in result["answer"] and "Nada foi escrito" in result["answer"]


def test_a_trainer_outside_training_cannot_request_a_command(ask: Callable[..., dict[str, Any]]) -> None:
    result = ask(FILLING, 200, "desligue a bomba principal", role=Role.TRAINER)
    assert result["pending_command"] is None and "somente um operador" in result["answer"]


@pytest.fixture
def thread(bundle: PlantBundle, library: IncidentLibrary) -> Callable[..., dict[str, Any]]:
    """One conversation (one thread, one checkpointer) on an incident at a moment."""
    store = IncidentStore(library.get(FILLING), bundle)
    store.advance_to(200)
    copilot = Copilot(tools=store_context(bundle, store), checkpointer=InMemorySaver())

    def say(question: str) -> dict[str, Any]:
        return copilot.ask(question, user="ana", role=Role.OPERATOR, thread_id="conversa").model_dump(
            mode="json"
        )

    return say


def test_a_follow_up_swaps_the_side_of_the_previous_question(thread: Callable[..., dict[str, Any]]) -> None:
    first = thread("a comporta de montante está fechada?")
    assert {"kind": "tag", "id": "comporta_montante_fechada"} in first["citations"]
    second = thread("e a de jusante?")
    cited = {c["id"] for c in second["citations"]}
    assert "comporta_jusante_fechada" in cited and "comporta_montante_fechada" not in cited


def test_how_long_after_what_is_going_on(thread: Callable[..., dict[str, Any]]) -> None:
    thread("o que a eclusa está fazendo?")
    later = thread("quanto tempo falta?")
    assert later["answer"].startswith("Faltam cerca de") and "encher" in later["answer"]


def test_thanks_keep_the_conversation_and_use_no_tool(thread: Callable[..., dict[str, Any]]) -> None:
    thread("qual o nível da câmara?")
    assert thread("valeu!")["tool_calls"] == []
    again = thread("e o de jusante?")
    assert {"kind": "tag", "id": "nivel_jusante"} in again["citations"]


def test_is_it_rising_is_a_trend_of_the_last_minutes(ask: Callable[..., dict[str, Any]]) -> None:
    result = ask("hpu_oil_overtemp", 200, "a temperatura do óleo está subindo?")
    assert _tools(result) == ["query_history", "read_tag"]
    assert result["tool_calls"][0]["args"]["window_s"] == 300.0
    first = _first_sentence(result)
    assert "está subindo" in first and "°C/min" in first, first


def test_minutes_ago_reads_the_value_then_not_a_range(ask: Callable[..., dict[str, Any]]) -> None:
    result = ask("hpu_oil_overtemp", 200, "qual era a temperatura do óleo 2 minutos atrás?")
    first = _first_sentence(result)
    assert [c["args"]["tag"] for c in result["tool_calls"]] == ["temperatura_oleo_hpu"]
    assert first.startswith("Às 05:01:20, temperatura do óleo") and "; agora" in first, first
    assert "entre" not in first and "média" not in first


def test_a_bit_over_an_hour_says_when_it_changed_not_a_mean(ask: Callable[..., dict[str, Any]]) -> None:
    result = ask("hpu_oil_overtemp", 200, "a falha de temperatura do óleo ficou ativa na última hora?")
    first = _first_sentence(result)
    assert "mudou de estado" in first and "agora sim desde as" in first and "média" not in first, first


def test_three_words_in_english_are_answered_in_english(ask: Callable[..., dict[str, Any]]) -> None:
    result = ask("hpu_oil_overtemp", 200, "oil temperature trend")
    assert result["language"] == "en" and "oil temperature" in result["answer"], result["answer"]


def test_a_command_the_running_sequence_overrides_is_refused_in_the_asker_language(
    ask: Callable[..., dict[str, Any]],
) -> None:
    result = ask(FILLING, 60, "close filling valve 1")
    assert result["pending_command"] is None
    answer = result["answer"]
    assert "'enchimento' is running" in answer and "abort the sequence" in answer, answer
    assert "sequência" not in answer and "comandando" not in answer, answer


def test_a_status_under_a_lost_link_does_not_claim_that_nothing_runs(
    ask: Callable[..., dict[str, Any]],
) -> None:
    result = ask("plc_link_loss_during_filling", 130, "Is the filling still going?")
    assert "No sequence running" not in result["answer"]
    assert "cannot tell whether a sequence is running" in result["answer"], result["answer"]


def test_how_often_an_equipment_tripped_counts_each_of_its_alarms(ask: Callable[..., dict[str, Any]]) -> None:
    result = ask("overcurrent_during_filling", 150, "quantas vezes a bomba desarmou essa semana?")
    assert {c["name"] for c in result["tool_calls"]} == {"explain_alarm"} and len(result["tool_calls"]) >= 2
    first = _first_sentence(result)
    assert first.startswith("Nos últimos 7 dias") and "sobrecorrente_motor_bomba): 1" in first, first


def test_is_the_pump_running_answers_first_then_the_alarm_on_it(ask: Callable[..., dict[str, Any]]) -> None:
    result = ask("overcurrent_during_filling", 150, "a bomba tá ligada?")
    first = _first_sentence(result)
    assert first.startswith("Bomba principal em operação: não (parada).") and "Sobrecorrente" in first, first


def test_how_long_with_the_plc_link_lost_does_not_say_no_sequence_runs(
    ask: Callable[..., dict[str, Any]],
) -> None:
    result = ask("plc_link_loss_during_filling", 130, "quanto falta pra terminar de encher?")
    answer = result["answer"]
    assert "Nenhuma sequência está em andamento" not in answer, answer
    assert _first_sentence(result).startswith("Não sei dizer se há sequência em andamento"), answer


@pytest.mark.parametrize(
    "question",
    [
        "por que a bomba parou? e quanto tá a pressão do sistema?",  # the fault explained, the value beside
        "a bomba desarmou? e a pressão do sistema, tá em quanto?",  # the value, the alarms beside
    ],
)
def test_a_reading_asked_beside_a_fault_is_answered_too(
    ask: Callable[..., dict[str, Any]], question: str
) -> None:
    result = ask("overcurrent_during_filling", 120, question)
    assert "read_tag" in _tools(result) and "sobrecorrente_motor_bomba" in result["answer"], result["answer"]
    pressure = result["values"]["pressao_sistema"].value
    assert f"{pressure:.2f}".replace(".", ",") in result["answer"], result["answer"]
    assert {"kind": "tag", "id": "pressao_sistema"} in result["citations"]
