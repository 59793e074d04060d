"""The offline planner's language: symptoms mapped to rules through the rules' own data, "why" and "what do
I do" routed to the active alarm, "what if ...?" routed to the what-if tool (no I/O but a sandbox twin)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agent.guard import asked_by_user
from agent.planner.answer import write_answer
from agent.planner.question import Intent
from agent.planner.steps import next_calls
from lockpilot.clock import ManualClock
from lockpilot.language import Language
from lockpilot.plant import Plant
from lockpilot.roles import Role
from lockpilot.samples import Quality
from rules.bundle import PlantBundle
from storage.current import CurrentValue
from tests.planner_helpers import incident_context, understander
from tools.context import ToolContext
from tools.registry import Caller, ToolName, run_tool, tool_schemas
from tools.tag_index import TagIndex
from twin import LockTwin


@pytest.fixture(scope="module")
def index(plant: Plant) -> TagIndex:
    return TagIndex(plant)


@pytest.fixture(scope="module")
def parse_q(bundle: PlantBundle):
    return understander(incident_context(bundle))


@pytest.mark.parametrize(
    ("text", "intent", "rule"),
    [
        ("Por que a comporta de montante travou?", Intent.EXPLAIN, "travamento_comporta_montante"),
        ("a comporta de jusante emperrou, como proceder?", Intent.WHAT_TO_DO, "travamento_comporta_jusante"),
        (
            "the downstream gate is stuck, what should we do?",
            Intent.WHAT_TO_DO,
            "travamento_comporta_jusante",
        ),
        ("O que eu faço com essa cavitaçao?", Intent.WHAT_TO_DO, "cavitacao_bomba"),
        ("O nível da câmara está congelado?", Intent.EXPLAIN, "sensor_nivel_camara_congelado"),
        ("a leitura do nível da câmara está travada", Intent.EXPLAIN, "sensor_nivel_camara_congelado"),
        ("A bomba parou por sobrecorente?", Intent.EXPLAIN, "sobrecorrente_motor_bomba"),
        ("caiu a comunicação com o clp?", Intent.EXPLAIN, "perda_comunicacao_clp"),
        ("os transmissores de nível de jusante não batem", Intent.EXPLAIN, "divergencia_nivel_jusante"),
        ("o filtro de sucção está entupido?", Intent.EXPLAIN, "filtro_succao_obstruido"),
    ],
)
def test_symptom_and_equipment_pick_the_rule(parse_q, text: str, intent: Intent, rule: str) -> None:
    q = parse_q(text)
    assert (q.intent, q.rule) == (intent, rule)
    assert next_calls(q, [])[0] == (ToolName.LIST_ACTIVE_ALARMS, {})  # the active alarms decide first
    listed = {"alarms": [{"id": rule, "equipment": "x", "first_out": True}]}
    calls = next_calls(q, [("list_active_alarms", listed)])
    assert calls[0] == (ToolName.EXPLAIN_ALARM, {"alarm_id": rule})
    assert (ToolName.SEARCH_KNOWLEDGE in [name for name, _ in calls]) is (intent is Intent.WHAT_TO_DO)


def test_equally_likely_rules_are_settled_by_the_active_alarm(parse_q) -> None:
    q = parse_q("por que o óleo da unidade hidráulica está esquentando?")
    assert set(q.candidates[:2]) == {"temperatura_oleo_hpu_alta", "temperatura_oleo_hpu_muito_alta"}
    assert next_calls(q, [])[0] == (ToolName.LIST_ACTIVE_ALARMS, {})
    listed = {"alarms": [{"id": "temperatura_oleo_hpu_muito_alta", "equipment": "unidade_hidraulica"}]}
    explain = next_calls(q, [("list_active_alarms", listed)])
    assert explain == [(ToolName.EXPLAIN_ALARM, {"alarm_id": "temperatura_oleo_hpu_muito_alta"})]


def test_why_did_it_stop_explains_the_equipments_first_out(parse_q) -> None:
    q = parse_q("Why did the main pump trip?")
    q.candidates = []  # nothing named but the pump: its own alarm (first-out first) is the answer
    assert q.intent is Intent.EXPLAIN
    assert [name for name, _ in next_calls(q, [])] == [ToolName.LIST_ACTIVE_ALARMS, ToolName.READ_TAG]
    alarms = [
        {"id": "sobrepressao_sistema", "equipment": "unidade_hidraulica", "first_out": True},
        {"id": "vibracao_bomba_alta", "equipment": "bomba_principal", "first_out": False},
        {"id": "cavitacao_bomba", "equipment": "bomba_principal", "first_out": True},
    ]
    done = [("read_tag", {}), ("list_active_alarms", {"alarms": alarms})]
    assert next_calls(q, done) == [(ToolName.EXPLAIN_ALARM, {"alarm_id": "cavitacao_bomba"})]


@pytest.mark.parametrize(
    "text",
    ["qual o nível da câmara?", "What is the chamber level on transmitter 2?", "qual a vibração da bomba?"],
)
def test_plain_readings_stay_readings(parse_q, text: str) -> None:
    assert parse_q(text).intent is Intent.READ


def test_what_if_is_routed_to_the_sandbox_never_to_a_command(
    bundle: PlantBundle, plant: Plant, parse_q, index: TagIndex
) -> None:
    text = "E se eu abrir a válvula de enchimento 1 a 100 % nos próximos 5 minutos?"
    q = parse_q(text)
    assert (q.intent, q.command) == (Intent.WHAT_IF, None)
    name, args = next_calls(q, [])[0]
    assert name is ToolName.WHAT_IF and args["minutes"] == 5.0 and "enchimento 1 a 100" in args["action"]
    assert parse_q("what if I start the main pump?").intent is Intent.WHAT_IF
    assert not asked_by_user("abrir_valvula_enchimento_1", None, text, book=bundle.commands)
    assert "what_if" in {t["function"]["name"] for t in tool_schemas()}

    twin = LockTwin(plant, seed=3)
    twin.step(10.0)
    clock = ManualClock(datetime(2025, 1, 1, tzinfo=UTC))
    values = twin.values()

    def current(tags: list[str]) -> dict[str, CurrentValue]:
        return {t: CurrentValue(t, values[t], clock.now(), Quality.GOOD, "", 0.0) for t in tags}

    caller = Caller(user="ana", role=Role.OPERATOR, thread_id="t", user_text=text, language=Language.PT)
    ctx = ToolContext(bundle=bundle, clock=clock, current=current)
    result = run_tool(ctx, name.value, {**args, "minutes": 2.0}, caller)
    assert result.error is None and twin.sim_time_s == pytest.approx(10.0)
    answer = write_answer([("what_if", result.model_dump(mode="json"))], Language.PT)
    assert "a planta real não foi tocada" in answer and "Alarmes que a ação dispararia" in answer
