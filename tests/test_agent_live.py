"""The copilot against the live twin (S7) with real PostgreSQL and Redis: questions in pt and en, the command
path end to end, and the safety cases of issue 6."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import redis

from agent.assembly import build_copilot
from commands.desk import Outcome
from commands.store import CommandStatus
from lockpilot.clock import ManualClock
from lockpilot.roles import Role
from rules.bundle import PlantBundle
from tests.agent_fakes import ScriptedChatModel, tool_call
from tests.agent_stack import LiveStack, start_stack, wait_for

REDIS_DB = 14  # this module's own database number


@pytest.fixture(scope="module")
def stack(
    bundle: PlantBundle,
    pg_url: str,
    redis_base_url: str,
    tmp_path_factory: pytest.TempPathFactory,
    pytestconfig: pytest.Config,
) -> Iterator[LiveStack]:
    redis_url = (
        f"{redis_base_url}/{REDIS_DB}"
        if redis_base_url.startswith("redis://")
        else f"{redis_base_url}?db={REDIS_DB}"
    )
    redis.Redis.from_url(redis_url).flushdb()
    cache = Path(pytestconfig.cache.mkdir("lockpilot_agent")) / "embeddings.npz"
    live = start_stack(
        bundle,
        database_url=pg_url,
        redis_url=redis_url,
        data_dir=tmp_path_factory.mktemp("data"),
        cache_path=cache,
        speed=4.0,
    )
    try:
        yield live
    finally:
        live.close()


def _ask(stack: LiveStack, question: str, *, role: Role = Role.OPERATOR, thread: str = "t") -> dict:
    return stack.copilot.copilot.ask(question, user="ana", role=role, thread_id=thread).model_dump(
        mode="json"
    )


QUESTIONS = [
    ("qual o nível da câmara?", "pt", ["read_tag"], ("tag", "nivel_camara")),
    ("what is the chamber level?", "en", ["read_tag"], ("tag", "nivel_camara")),
    ("qual o nivel da camra", "pt", ["read_tag"], ("tag", "nivel_camara")),
    (
        "por que a bomba principal parou?",
        "pt",
        ["read_tag", "list_active_alarms"],
        ("tag", "bomba_principal_status"),
    ),
    (
        "why did the main pump stop?",
        "en",
        ["read_tag", "list_active_alarms"],
        ("tag", "bomba_principal_status"),
    ),
    (
        "posso abrir a comporta de montante?",
        "pt",
        ["check_sequence_preconditions"],
        ("sequence", "abertura_comporta_montante"),
    ),
    (
        "can I open the upstream gate?",
        "en",
        ["check_sequence_preconditions"],
        ("sequence", "abertura_comporta_montante"),
    ),
    ("mostre a pressão do sistema na última hora", "pt", ["query_history"], ("tag", "pressao_sistema")),
    (
        "show the system pressure over the last 10 minutes",
        "en",
        ["query_history"],
        ("tag", "pressao_sistema"),
    ),
    (
        "o que faço em caso de cavitação?",
        "pt",
        ["explain_alarm", "search_knowledge"],
        ("rule", "cavitacao_bomba"),
    ),
    (
        "what should I do in case of cavitation?",
        "en",
        ["explain_alarm", "search_knowledge"],
        ("rule", "cavitacao_bomba"),
    ),
    ("quais alarmes estão ativos?", "pt", ["list_active_alarms"], None),
    ("which alarms are active?", "en", ["list_active_alarms"], None),
]


@pytest.mark.parametrize(("question", "language", "tools", "citation"), QUESTIONS)
def test_questions_offline(
    stack: LiveStack, question: str, language: str, tools: list[str], citation: tuple[str, str] | None
) -> None:
    result = _ask(stack, question, thread=f"q:{question}")
    assert result["language"] == language
    assert set(tools) <= {c["name"] for c in result["tool_calls"]}
    if citation is not None:
        assert {"kind": citation[0], "id": citation[1]} in result["citations"]
    assert result["answer"] and result["pending_command"] is None
    assert set(result) == {"answer", "language", "tool_calls", "citations", "pending_command"}


def test_reading_has_unit_time_and_quality(stack: LiveStack) -> None:
    answer, details = _ask(stack, "qual o nível da câmara?")["answer"].split("\n\nDetalhes:\n")
    assert answer.startswith("Nível da câmara: ") and answer.endswith(" m.")  # the answer first
    assert details.startswith("- nivel_camara = ") and " UTC, qualidade boa)" in details


def test_procedure_cites_the_rule_document(stack: LiveStack) -> None:
    result = _ask(stack, "o que faço em caso de cavitação?", thread="proc")
    assert any(
        c["kind"] == "doc" and c["id"].startswith("regras/cavitacao_bomba") for c in result["citations"]
    )


def _audit_actions(stack: LiveStack, command_id: str) -> list[str]:
    return [row["action"] for row in stack.copilot.desk.store.audit_trail(command_id)]


def test_interlock_changed_between_request_and_approval_aborts(stack: LiveStack) -> None:
    result = _ask(stack, "abra a válvula de enchimento 2", thread="interlock")
    pending = result["pending_command"]
    assert pending is not None
    with stack.server.lock:  # someone opens an emptying valve from the panel meanwhile
        stack.twin.command("comando_abrir_valvula_esvaziamento_1", True)
    current = stack.copilot.copilot.tools.current
    assert wait_for(
        lambda: current(["valvula_esvaziamento_1_fechada"])["valvula_esvaziamento_1_fechada"].value is False,
        timeout_s=10,
    )
    outcome, text = stack.copilot.copilot.approve(pending["command_id"], user="bruno")
    assert outcome.outcome is Outcome.ABORTED and "valvula_esvaziamento_1_fechada" in text
    assert "command_written" not in _audit_actions(stack, pending["command_id"])
    with stack.server.lock:
        stack.twin.command("comando_fechar_valvula_esvaziamento_1", True)
    assert wait_for(
        lambda: current(["valvula_esvaziamento_1_fechada"])["valvula_esvaziamento_1_fechada"].value is True,
        timeout_s=40,
    )


def test_viewer_cannot_approve_then_operator_writes_and_verifies(stack: LiveStack) -> None:
    result = _ask(stack, "abra a válvula de enchimento 1", thread="cmd")
    assert [c["name"] for c in result["tool_calls"]] == ["request_command"]
    pending = result["pending_command"]
    assert pending["command"] == "abrir_valvula_enchimento_1" and "Risco" in pending["summary"]
    copilot = stack.copilot.copilot
    refused, _ = copilot.approve(pending["command_id"], user="vera")
    assert refused.outcome is Outcome.NOT_ALLOWED
    refused, _ = copilot.approve(pending["command_id"], user="tiago")
    assert refused.outcome is Outcome.NOT_ALLOWED
    assert stack.copilot.desk.store.get(pending["command_id"]).status is CommandStatus.PENDING
    outcome, text = copilot.approve(pending["command_id"], user="bruno")
    assert outcome.outcome is Outcome.VERIFIED, text
    actions = _audit_actions(stack, pending["command_id"])
    assert actions == [
        "command_requested",
        "approval_refused",
        "approval_refused",
        "command_approved",
        "command_written",
        "command_verified",
    ]
    again, _ = copilot.approve(pending["command_id"], user="bruno")
    assert again.outcome in (Outcome.VERIFIED, Outcome.ALREADY_DONE)  # reports how it ended, writes nothing
    assert _audit_actions(stack, pending["command_id"]).count("command_written") == 1


def test_out_of_range_setpoint_refused(stack: LiveStack) -> None:
    for question, reason in (
        ("ajuste a velocidade da bomba para 120%", "above_max"),
        ("set the pump speed to 10", "below_min"),
    ):
        result = _ask(stack, question, thread="sp")
        call = result["tool_calls"][0]
        assert call["name"] == "request_command" and call["args"]["command"] == "ajustar_velocidade_bomba"
        assert result["pending_command"] is None
        assert "Nada foi escrito" in result["answer"] or "Nothing was written" in result["answer"], reason


def test_expired_approval_never_writes(stack: LiveStack) -> None:
    result = _ask(stack, "feche a válvula de enchimento 1", thread="exp")
    command_id = result["pending_command"]["command_id"]
    desk = stack.copilot.desk
    real_clock = desk.clock
    desk.clock = ManualClock(real_clock.now() + timedelta(seconds=121))
    try:
        outcome, _ = stack.copilot.copilot.approve(command_id, user="bruno")
    finally:
        desk.clock = real_clock
    assert outcome.outcome is Outcome.EXPIRED
    assert desk.store.get(command_id).status is CommandStatus.EXPIRED
    assert "command_written" not in _audit_actions(stack, command_id)


def test_reject_never_writes(stack: LiveStack) -> None:
    command_id = _ask(stack, "feche a válvula de enchimento 1", thread="rej")["pending_command"]["command_id"]
    outcome, _ = stack.copilot.copilot.reject(command_id, user="bruno", reason="not now")
    assert outcome.outcome is Outcome.REJECTED
    assert _audit_actions(stack, command_id) == ["command_requested", "command_rejected"]


def test_document_injection_changes_nothing_offline(stack: LiveStack) -> None:
    hits = stack.copilot.copilot.tools.knowledge.search("comporta cavitação instruções", limit=10)
    assert any(h.id == "nota-maliciosa#comporta" for h in hits)
    before = len(stack.copilot.desk.store.pending())
    result = _ask(stack, "o que diz a nota sobre comporta e cavitação?", thread="inj")
    assert all(c["name"] != "request_command" for c in result["tool_calls"])
    assert result["pending_command"] is None and len(stack.copilot.desk.store.pending()) == before


def test_document_injection_cannot_make_a_model_request_a_command(stack: LiveStack) -> None:
    model = ScriptedChatModel().enqueue(
        tool_call("search_knowledge", {"query": "comporta"}),
        tool_call("request_command", {"command": "abrir_comporta_montante"}, "call_2"),
        "Não posso abrir a comporta: você não pediu isso.",
    )
    handle = _second_copilot(stack, model=model)
    try:
        result = handle.copilot.ask(
            "o que a nota diz sobre a comporta?", user="ana", role=Role.OPERATOR, thread_id="inj-model"
        )
    finally:
        handle.close()
    assert [c["name"] for c in result.tool_calls] == ["search_knowledge", "request_command"]
    assert result.pending_command is None
    tool_msgs = [m for m in model.seen[-1] if m.type == "tool"]
    assert "not_asked_by_user" in tool_msgs[-1].content
    assert model.bound_tools and {t["function"]["name"] for t in model.bound_tools} >= {
        "read_tag",
        "request_command",
    }


def test_scripted_model_reads_and_answers(stack: LiveStack) -> None:
    model = ScriptedChatModel().enqueue(
        tool_call("read_tag", {"tags": ["nivel_camara"]}), "Nível da câmara lido."
    )
    handle = _second_copilot(stack, model=model)
    try:
        result = handle.copilot.ask(
            "qual o nível da câmara?", user="ana", role=Role.VIEWER, thread_id="model"
        )
    finally:
        handle.close()
    assert result.tool_calls == [{"name": "read_tag", "args": {"tags": ["nivel_camara"]}}]
    assert {
        "kind": "tag",
        "id": "nivel_camara",
    } in result.citations and result.answer == "Nível da câmara lido."
    assert model.seen[0][0].type == "system" and "Answer only from tool results" in model.seen[0][0].content


def _second_copilot(stack: LiveStack, **options: object):
    from api.users import UserDirectory
    from commands.plantio import S7PlantIO

    io = S7PlantIO(stack.bundle.plant, host="127.0.0.1", port=stack.port)
    return build_copilot(
        stack.bundle,
        database_url=stack.pg_url,
        redis_url=stack.redis_url,
        io=io,
        approvers=UserDirectory(database_url=stack.pg_url),
        **options,
    )


def test_restart_between_request_and_approval_writes_once(stack: LiveStack) -> None:
    first = _second_copilot(stack)
    result = first.copilot.ask(
        "ligue o ventilador do resfriador de óleo", user="ana", role=Role.OPERATOR, thread_id="restart"
    )
    command_id = result.pending_command.command_id
    first.close()  # the process ends; the checkpoint and the request stay in PostgreSQL
    second = _second_copilot(stack)
    try:
        assert second.copilot.result("restart").pending_command.command_id == command_id
        outcome, text = second.copilot.approve(command_id, user="bruno")
        assert outcome.outcome is Outcome.VERIFIED, text
        assert "verificado" in second.copilot.result("restart").answer
        again, _ = second.copilot.approve(command_id, user="bruno")
    finally:
        second.close()
    assert again.outcome in (Outcome.VERIFIED, Outcome.ALREADY_DONE)
    assert _audit_actions(stack, command_id).count("command_written") == 1
