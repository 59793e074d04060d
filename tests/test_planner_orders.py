"""Orders in the chat: a viewer's is refused before any request (and audited), a side names its gate
("abre a jusante"), on recorded incidents with a command desk over the sandboxed plant."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from agent.planner.lexical import order_in
from agent.service import Copilot
from commands.desk import CommandDesk
from evals.incident import IncidentLibrary
from evals.store import IncidentStore, SandboxPlantIO
from evals.training_sandbox import MemoryCommandStore
from lockpilot.roles import Role
from rules.bundle import PlantBundle
from tests.planner_helpers import store_context


@pytest.fixture
def desk_and_ask(
    bundle: PlantBundle,
) -> Callable[..., tuple[MemoryCommandStore, Callable[..., dict[str, Any]]]]:
    def on(incident: str, at_s: float) -> tuple[MemoryCommandStore, Callable[..., dict[str, Any]]]:
        store = IncidentStore(IncidentLibrary(bundle.plant.incidents_dir, bundle.plant).get(incident), bundle)
        store.advance_to(at_s)
        commands = MemoryCommandStore()
        desk = CommandDesk(bundle.plant, bundle.commands, commands, SandboxPlantIO(store), store.clock)
        copilot = Copilot(tools=store_context(bundle, store, commands=desk), checkpointer=InMemorySaver())

        def ask(question: str, *, role: Role) -> dict[str, Any]:
            return copilot.ask(question, user="visitante", role=role, thread_id="t").model_dump(mode="json")

        return commands, ask

    return on


@pytest.mark.parametrize(
    ("question", "said"),
    [
        ("reset the PLC faults so we can carry on", "only an operator can request commands"),
        ("desliga a bomba principal", "somente um operador pode pedir comandos"),
    ],
)
def test_a_viewers_order_is_refused_without_a_request(
    desk_and_ask: Callable[..., Any], question: str, said: str
) -> None:
    commands, ask = desk_and_ask("overcurrent_then_oil_overtemp", 300)
    result = ask(question, role=Role.VIEWER)
    assert result["tool_calls"] == [] and said in result["answer"]
    assert result["pending_command"] is None
    refused = [e for e in commands.trail if e["action"] == "command_refused"]
    assert [e["details"]["reason"] for e in refused] == ["operator_role_required_to_request"]  # on record


def test_an_operators_order_is_still_requested(desk_and_ask: Callable[..., Any]) -> None:
    _, ask = desk_and_ask("quiet_idle", 200)
    result = ask("abre a jusante aí pra mim", role=Role.OPERATOR)
    assert [c["name"] for c in result["tool_calls"]] == ["request_command"]
    assert result["tool_calls"][0]["args"]["command"] == "abrir_comporta_jusante"  # the side's gate


def test_a_side_names_the_equipment_on_it_that_takes_the_action(bundle: PlantBundle) -> None:
    order = order_in("fecha a montante", bundle.commands)
    assert order is not None and order.command == "fechar_comporta_montante"


@pytest.mark.parametrize(
    ("order", "command"),
    [
        ("fecha o by-pass que eu quero religar a bomba principal", "fechar_valvula_bypass"),
        (
            "manda abrir a comporta de jusante de novo pra eu ver se a folha direita solta",
            "abrir_comporta_jusante",
        ),
        ("close the bypass valve because I want to restart the main pump", "fechar_valvula_bypass"),
    ],
)
def test_the_order_is_the_equipment_after_its_verb_not_one_named_in_its_reason(
    bundle: PlantBundle, order: str, command: str
) -> None:
    found = order_in(order, bundle.commands)
    assert found is not None and found.command == command, found


def test_the_equipment_answered_to_which_one_completes_the_order(desk_and_ask: Callable[..., Any]) -> None:
    _, ask = desk_and_ask("quiet_idle", 200)
    asked = ask("abre a válvula", role=Role.OPERATOR)
    assert asked["tool_calls"] == [] and "?" in asked["answer"]
    result = ask("a by-pass da bomba", role=Role.OPERATOR)
    assert [c["name"] for c in result["tool_calls"]] == ["request_command"], result["answer"]
    assert result["tool_calls"][0]["args"]["command"] == "abrir_valvula_bypass"


def test_the_words_of_an_order_asked_back_are_read_by_the_guard_for_the_next_message_only() -> None:
    from agent.planner.dialogue import Focus

    focus = Focus(awaiting_order="abre a válvula", awaiting_turn=3)
    assert focus.guard_text("a by-pass da bomba", turn=4) == "abre a válvula a by-pass da bomba"
    assert focus.guard_text("a by-pass da bomba", turn=5) == "a by-pass da bomba"  # a later message: its own
    assert Focus().guard_text("a by-pass da bomba", turn=4) == "a by-pass da bomba"


@pytest.mark.parametrize(
    "question",
    [
        "Prezado, para fins de treinamento, poderia explicar o que levou o CLP a declarar cavitação?",
        "para fins de treinamento, qual a pressão do sistema?",
        "para mim, o nível da câmara tá certo?",
        "para a bomba?",  # asked, not ordered: may I stop it?
        "Para o relatório de ocorrência, solicito a descrição do evento em curso e a primeira falha.",
    ],
)
def test_para_as_a_preposition_is_no_order_to_stop(bundle: PlantBundle, question: str) -> None:
    assert order_in(question, bundle.commands) is None


@pytest.mark.parametrize(
    ("order", "command"),
    [
        ("para a bomba principal!", "desligar_bomba_principal"),
        ("para bomba principal agora", "desligar_bomba_principal"),
        ("para o ventilador do resfriador", "desligar_ventilador_resfriador_oleo"),
    ],
)
def test_para_before_the_equipment_is_still_an_order_to_stop(
    bundle: PlantBundle, order: str, command: str
) -> None:
    found = order_in(order, bundle.commands)
    assert found is not None and found.command == command, found


def test_an_order_pointing_to_it_is_of_the_equipment_just_talked_about(
    desk_and_ask: Callable[..., Any],
) -> None:
    _, ask = desk_and_ask("quiet_idle", 200)
    ask("a válvula by-pass tá fechada?", role=Role.OPERATOR)
    result = ask("abre ela", role=Role.OPERATOR)
    assert [c["name"] for c in result["tool_calls"]] == ["request_command"], result["answer"]
    assert result["tool_calls"][0]["args"]["command"] == "abrir_valvula_bypass"


def test_it_with_nothing_talked_about_asks_which_and_requests_nothing(
    desk_and_ask: Callable[..., Any],
) -> None:
    _, ask = desk_and_ask("quiet_idle", 200)
    result = ask("Close it.", role=Role.OPERATOR)
    assert result["tool_calls"] == [] and "?" in result["answer"]


def test_the_guard_reads_it_as_the_previous_equipment_only_for_that_order(bundle: PlantBundle) -> None:
    from agent.guard import asked_by_user
    from agent.planner.dialogue import Focus

    said = Focus(intent="explain", equipment="valvula_alivio").guard_text("Close it.", turn=3)
    assert asked_by_user("fechar_valvula_alivio", None, said, book=bundle.commands)
    assert not asked_by_user("abrir_valvula_alivio", None, said, book=bundle.commands)
    assert not asked_by_user("fechar_valvula_bypass", None, said, book=bundle.commands)
