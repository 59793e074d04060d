"""The model path with a scripted model over a recorded incident (no database): text tool calls, the
structured retry, the planner taking the turn, trimmed tool results, the grounding check and its rewrite."""

from __future__ import annotations

import json

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langgraph.checkpoint.memory import InMemorySaver

from agent.grounding import ungrounded
from agent.prompts import SYSTEM_PROMPT
from agent.service import Copilot
from agent.toolcalls import text_tool_call
from agent.trim import trim_result
from lockpilot.roles import Role
from rules.bundle import PlantBundle
from tests.agent_fakes import ScriptedChatModel
from tests.planner_helpers import incident_context
from tools.registry import tool_args_models

FENCED = '```json\n{"name": "read_tag", "arguments": {"tags": ["nivel_camara"]}}\n```'


def _copilot(bundle: PlantBundle, model: ScriptedChatModel) -> Copilot:
    return Copilot(tools=incident_context(bundle), checkpointer=InMemorySaver(), model=model)


def _chamber(copilot: Copilot) -> float:
    value = copilot.tools.current(["nivel_camara"])["nivel_camara"]
    assert value is not None
    return float(value.value)


def test_a_fenced_json_object_naming_a_tool_becomes_a_tool_call(bundle: PlantBundle) -> None:
    model = ScriptedChatModel().enqueue(FENCED, "O nível da câmara foi lido (nivel_camara).")
    copilot = _copilot(bundle, model)
    result = copilot.ask("qual o nível da câmara?", user="ana", role=Role.VIEWER, thread_id="t1")
    assert result.tool_calls == [{"name": "read_tag", "args": {"tags": ["nivel_camara"]}}]
    assert {"kind": "tag", "id": "nivel_camara"} in result.citations
    assert result.answer == "O nível da câmara foi lido (nivel_camara)."
    assert [m.type for m in model.seen[1]][-2:] == ["ai", "tool"]


@pytest.mark.parametrize(
    ("text", "call"),
    [
        ('{"name": "read_tag", "arguments": {"tags": ["nivel_camara"]}}', ("read_tag", True)),
        ('<tool_call>\n{"name": "plant_status", "arguments": {}}\n</tool_call>', ("plant_status", True)),
        ('```\n{"name": "read_tag", "arguments": {"tags": []}}\n```', ("read_tag", False)),
        ('{"name": "open_the_gate", "arguments": {}}', ("open_the_gate", False)),  # retried, never run
        ('Vou ler: {"name": "read_tag", "arguments": {"tags": ["nivel_camara"]}}', None),
        ('{"name": "read_tag", "arguments": {"tags": ["a"]}} {"name": "plant_status"}', None),
        ("O nível está normal.", None),
    ],
)
def test_only_one_whole_json_object_naming_a_declared_tool_is_a_call(
    text: str, call: tuple[str, bool] | None
) -> None:
    parsed = text_tool_call(text, tool_args_models())
    if call is None:
        assert parsed is None
    else:
        assert parsed is not None and (parsed.name, not parsed.problems) == call


def test_invalid_arguments_get_one_retry_then_the_planner_takes_the_turn(bundle: PlantBundle) -> None:
    bad = '{"name": "read_tag", "arguments": {"tag": "nivel_camara"}}'
    model = ScriptedChatModel().enqueue(bad, bad)
    copilot = _copilot(bundle, model)
    result = copilot.ask("qual o nível da câmara?", user="ana", role=Role.VIEWER, thread_id="t2")
    assert len(model.seen) == 2  # the first reply and one retry, never a third model call
    retry = model.seen[1][-1]
    assert isinstance(retry, HumanMessage)
    body = json.loads(str(retry.content))
    assert body["error"] == "invalid_tool_arguments" and body["tool"] == "read_tag" and body["problems"]
    assert [c["name"] for c in result.tool_calls] == ["read_tag"]  # the planner's call
    assert "nivel_camara" in json.dumps(result.tool_calls)
    assert any(ch.isdigit() for ch in result.answer)  # the planner's answer, with the value


def test_an_undeclared_tool_name_gets_the_retry_then_the_planner(bundle: PlantBundle) -> None:
    made_up = '```json\n{"name": "abort_sequence", "arguments": {"sequence_id": "esvaziamento"}}\n```'
    model = ScriptedChatModel().enqueue(made_up, made_up)
    copilot = _copilot(bundle, model)
    result = copilot.ask("qual o nível da câmara?", user="ana", role=Role.VIEWER, thread_id="t10")
    assert len(model.seen) == 2 and "abort_sequence" not in result.answer
    assert json.loads(str(model.seen[1][-1].content))["problems"][0].startswith("not a declared tool")
    assert [c["name"] for c in result.tool_calls] == ["read_tag"]  # the planner's


def test_a_retry_answered_with_json_that_is_no_call_hands_over(bundle: PlantBundle) -> None:
    made_up = '{"name": "abortar_sequencia", "arguments": {}}'
    echo = '{"error": "invalid_tool_arguments", "tool": "abortar_sequencia"}'
    model = ScriptedChatModel().enqueue(made_up, echo)
    result = _copilot(bundle, model).ask(
        "qual o nível da câmara?", user="ana", role=Role.VIEWER, thread_id="e"
    )
    assert "invalid_tool_arguments" not in result.answer
    assert [c["name"] for c in result.tool_calls] == ["read_tag"]  # the planner's


def test_a_retry_that_fixes_the_arguments_is_run(bundle: PlantBundle) -> None:
    bad = '{"name": "read_tag", "arguments": {"tag": "nivel_camara"}}'
    model = ScriptedChatModel().enqueue(bad, FENCED, "Lido (nivel_camara).")
    result = _copilot(bundle, model).ask("nível da câmara?", user="ana", role=Role.VIEWER, thread_id="t3")
    assert result.tool_calls == [{"name": "read_tag", "args": {"tags": ["nivel_camara"]}}]
    assert result.answer == "Lido (nivel_camara)."


def test_an_answer_with_the_tool_value_passes_the_grounding_check(bundle: PlantBundle) -> None:
    model = ScriptedChatModel().enqueue(FENCED)
    copilot = _copilot(bundle, model)
    level = f"{_chamber(copilot):.2f}".replace(".", ",")
    model.enqueue(f"O nível da câmara está em {level} m (nivel_camara).")
    result = copilot.ask("qual o nível da câmara?", user="ana", role=Role.VIEWER, thread_id="t4")
    assert result.answer == f"O nível da câmara está em {level} m (nivel_camara)."
    assert copilot.grounding.rewrites == 0 and copilot.grounding.checked == 1


def test_an_invented_number_makes_the_offline_writer_rewrite_the_answer(bundle: PlantBundle) -> None:
    model = ScriptedChatModel().enqueue(FENCED)
    copilot = _copilot(bundle, model)
    invented = _chamber(copilot) + 3.7
    model.enqueue(f"O nível da câmara está em {invented:.1f} m.".replace(".", ",", 1))
    result = copilot.ask("qual o nível da câmara?", user="ana", role=Role.VIEWER, thread_id="t5")
    assert f"{invented:.1f}".replace(".", ",") not in result.answer
    assert "Detalhes:" in result.answer and "nivel_camara = " in result.answer  # the offline writer
    assert copilot.grounding.rewrites == 1


def test_a_number_without_any_tool_result_hands_the_turn_to_the_planner(bundle: PlantBundle) -> None:
    model = ScriptedChatModel().enqueue("A câmara está com 4,2 m.")
    copilot = _copilot(bundle, model)
    result = copilot.ask("qual o nível da câmara?", user="ana", role=Role.VIEWER, thread_id="t6")
    assert "4,2 m" not in result.answer and [c["name"] for c in result.tool_calls] == ["read_tag"]
    assert copilot.grounding.rewrites == 1


def test_an_answer_about_the_plant_without_any_tool_result_hands_the_turn_to_the_planner(
    bundle: PlantBundle,
) -> None:
    """The 1.5B answered "explain the cavitacao_bomba alarm" from its own head ("pressure inside the bomb"):
    no number to catch, but nothing of the plant read either."""
    model = ScriptedChatModel().enqueue("The alarm means the pressure inside the pump is too high.")
    copilot = _copilot(bundle, model)
    result = copilot.ask("Explain the cavitacao_bomba alarm.", user="ana", role=Role.VIEWER, thread_id="t7")
    assert "explain_alarm" in [c["name"] for c in result.tool_calls], result.answer
    assert "pressure inside the pump" not in result.answer and copilot.grounding.rewrites == 1


def test_small_talk_answered_by_the_model_without_tools_stays_its_answer(bundle: PlantBundle) -> None:
    model = ScriptedChatModel().enqueue("De nada! Estou por aqui.")
    copilot = _copilot(bundle, model)
    result = copilot.ask("obrigado", user="ana", role=Role.VIEWER, thread_id="t8")
    assert result.answer == "De nada! Estou por aqui." and result.tool_calls == []


READING = {
    "readings": [
        {
            "tag": "nivel_camara",
            "description": "Nível da câmara",
            "unit": "m",
            "value": 3.4567,
            "time": "2026-12-01T19:22:31.500000+00:00",
            "quality": "good",
            "age_s": 1.2,
            "freshness": "current",
        }
    ],
    "citations": [{"kind": "tag", "id": "nivel_camara"}],
}


@pytest.mark.parametrize(
    ("answer", "bad"),
    [
        ("Nível 3,46 m às 16:22 (horário local).", []),
        ("Level 3.5 m at 19:22 UTC, 1.2 s old.", []),
        ("Nível 3 m.", []),
        ("Nível 3,9 m.", ["3,9 m"]),
        ("Nível 3,46 bar.", ["3,46 bar"]),
        ("Nível 3,46 m às 17:05.", ["17:05"]),
        ("Leitura de 01/12/2026 às 16:22.", []),
        ("Comando cmd-77 pendente.", ["cmd-77"]),
        ("Nos últimos 30 minutos: 3,46 m.", []),  # 30 is in the question
        ("Lido às 16h22, perto das 16h.", []),
        ("Lido às 18h.", ["18h"]),
        ("Saem 3,46 metros cúbicos.", ["3,46 metros cúbicos"]),
        ("Saem 3,46 m³ por eclusagem.", ["3,46 m³"]),
        ("Nível de 3,46 metros.", []),
        ("Há 2 h o nível era 3,46 m.", ["2 h"]),
        ("O nível da câmara é de 3,4567 milímetros.", ["3,4567 milímetros"]),  # the 1.5B's wrong unit
        ("O nível é 345,67 centímetros.", []),
        ("O nível é 11,34 pés.", []),  # the reading converted right
        ("O nível é 12,5 pés.", ["12,5 pés"]),
    ],
)
def test_grounding_numbers_units_times_and_ids(answer: str, bad: list[str]) -> None:
    got = ungrounded(answer, [READING], user_text="e nos últimos 30 minutos?", tz="America/Sao_Paulo")
    assert got == bad


def test_trimmed_results_keep_ids_values_units_times_and_qualities() -> None:
    big = {
        "tag": "nivel_camara",
        "unit": "m",
        "stats": {"min": 1.0, "max": 5.5, "mean": 3.2, "count": 3600},
        "points": [
            {"time": f"2026-12-01T19:{i // 60:02d}:{i % 60:02d}+00:00", "value": i / 10, "quality": "good"}
            for i in range(600)
        ],
        "chart": {"data": [{"x": list(range(600)), "y": list(range(600))}]},
        "description": "Nível da câmara " * 80,
        "citations": [{"kind": "tag", "id": "nivel_camara"}],
    }
    trimmed = trim_result(big, max_chars=1500)
    text = json.dumps(trimmed, ensure_ascii=False)
    assert len(text) <= 1500
    assert trimmed["tag"] == "nivel_camara" and trimmed["unit"] == "m" and trimmed["stats"]["max"] == 5.5
    assert trimmed["citations"] == big["citations"]
    point = trimmed["points"][0]
    assert set(point) == {"time", "value", "quality"} and point == big["points"][0]
    assert trimmed["points"][-1] == big["points"][-1]  # first and last kept, the middle said to be cut
    assert "chart" not in trimmed
    small = {"readings": READING["readings"]}
    assert trim_result(small, max_chars=1500) == small


def test_old_turns_reach_the_model_without_their_tool_messages(bundle: PlantBundle) -> None:
    model = ScriptedChatModel().enqueue(FENCED, "Lido (nivel_camara).", "Olá!")
    copilot = _copilot(bundle, model)
    copilot.ask("qual o nível da câmara?", user="ana", role=Role.VIEWER, thread_id="t7")
    copilot.ask("obrigado", user="ana", role=Role.VIEWER, thread_id="t7")
    last = model.seen[-1]
    assert not any(isinstance(m, ToolMessage) for m in last)
    assert [type(m).__name__ for m in last[1:]] == ["HumanMessage", "AIMessage", "HumanMessage"]
    assert isinstance(last[2], AIMessage) and last[2].content == "Lido (nivel_camara)."


def test_the_system_prompt_fits_its_budget(bundle: PlantBundle) -> None:
    from agent.model_turn import compact_schemas, system_prompt
    from agent.trim import size, tokens_of

    prompt = system_prompt(bundle)
    assert SYSTEM_PROMPT.split("{plant}")[0] in prompt and '"lock"' in prompt
    assert "Answer only from tool results" in prompt
    for words in (
        "pt-BR",
        "read_tag",
        "request_command",
        "quality",
        "never state a number",
        "nivel_camara",
        "ligar_bomba_principal",
    ):
        assert words in prompt
    assert tokens_of(prompt) <= 1300
    # with the tool schemas (llama-server counted 1,850 tokens for both), at most 2/3 of the 4k context
    assert tokens_of(prompt) + tokens_of("x" * size(compact_schemas())) <= 2 / 3 * 4096


def test_rewrites_are_counted_on_the_metrics_page(bundle: PlantBundle) -> None:
    from api.telemetry import Sources, Telemetry

    model = ScriptedChatModel().enqueue(FENCED, "O nível da câmara está em 99,9 m.")
    copilot = _copilot(bundle, model)
    copilot.ask("qual o nível da câmara?", user="ana", role=Role.VIEWER, thread_id="t8")
    text = Telemetry(Sources(grounding=copilot.grounding)).exposition().decode()
    assert "lockpilot_model_answers_checked_total 1.0" in text
    assert "lockpilot_model_answers_rewritten_total 1.0" in text


def test_the_turns_tool_results_reach_the_model_within_their_budget() -> None:
    from agent.model_turn import RESULT_TOKENS, model_messages
    from agent.trim import CHARS_PER_TOKEN

    points = [
        {"time": f"2026-12-01T19:00:{i % 60:02d}+00:00", "value": i, "quality": "good"} for i in range(900)
    ]
    big = json.dumps({"tag": "nivel_camara", "unit": "m", "points": points})
    state = {
        "messages": [
            HumanMessage("antes"),
            AIMessage(content="", tool_calls=[{"name": "read_tag", "args": {"tags": ["x"]}, "id": "a"}]),
            ToolMessage(content=big, tool_call_id="a", name="query_history"),
            AIMessage(content="resposta antiga"),
            HumanMessage("agora"),
            AIMessage(content="", tool_calls=[{"name": "query_history", "args": {"tag": "x"}, "id": "b"}]),
            ToolMessage(content=big, tool_call_id="b", name="query_history"),
        ]
    }
    sent = model_messages(state, system="s", context_tokens=4096, schemas_chars=4000)  # type: ignore[arg-type]
    tools = [m for m in sent if isinstance(m, ToolMessage)]
    assert len(tools) == 1 and len(str(tools[0].content)) <= RESULT_TOKENS * CHARS_PER_TOKEN
    assert json.loads(str(tools[0].content))["points"][-1] == points[-1]
    assert [m.content for m in sent if isinstance(m, HumanMessage)] == ["antes", "agora"]


def test_asking_again_for_what_the_turn_has_makes_the_offline_writer_answer(bundle: PlantBundle) -> None:
    model = ScriptedChatModel().enqueue(FENCED, FENCED)
    copilot = _copilot(bundle, model)
    result = copilot.ask("qual o nível da câmara?", user="ana", role=Role.VIEWER, thread_id="t9")
    assert len(model.seen) == 2 and [c["name"] for c in result.tool_calls] == ["read_tag"]
    assert "nivel_camara = " in result.answer  # the offline writer, from the one reading


def test_the_window_an_offline_history_answer_names_is_in_its_tool_result(bundle: PlantBundle) -> None:
    """A rewrite names its window ("nos últimos 60 min"): the history result states it, so the rewritten
    answer passes the check it replaces a model's answer for."""
    from tools.history import query_history

    ctx = incident_context(bundle, "quiet_idle", 300)
    result = query_history(ctx, "nivel_camara", window_s=3600.0).model_dump(mode="json")
    answer = "Nível da câmara nos últimos 60 min: entre 5,49 m e 5,51 m."
    assert "60 min" not in ungrounded(answer, [result], user_text="?", tz="America/Sao_Paulo")


def test_an_offline_history_answer_names_the_window_its_tool_read() -> None:
    from agent.planner.answer import write_answer
    from agent.planner.question import Intent, Question
    from lockpilot.language import Language

    result = {
        "tag": "nivel_camara",
        "description": "Nível da câmara",
        "unit": "m",
        "window_s": 300.0,
        "stats": {"n_values": 10, "min": 5.49, "max": 5.51, "mean": 5.5, "last": 5.5},
    }
    question = Question(text="qual o nível?", language=Language.PT, intent=Intent.HISTORY)  # no window said
    assert "nos últimos 5 min" in write_answer([("query_history", result)], Language.PT, question=question)
