"""Async streaming of a turn with a scripted model (no database): tool steps as they run, the answer's
tokens, a text tool call never shown, a rewritten answer flagged for replacement."""

from __future__ import annotations

import asyncio

from langgraph.checkpoint.memory import InMemorySaver

from agent.service import Copilot
from agent.streaming import EventKind, TurnEvent
from lockpilot.roles import Role
from rules.bundle import PlantBundle
from tests.agent_fakes import ScriptedChatModel, tool_call
from tests.planner_helpers import incident_context

FENCED = '```json\n{"name": "read_tag", "arguments": {"tags": ["nivel_camara"]}}\n```'


def _events(copilot: Copilot, question: str, thread: str) -> list[TurnEvent]:
    async def run() -> list[TurnEvent]:
        return [e async for e in copilot.astream(question, user="ana", role=Role.VIEWER, thread_id=thread)]

    return asyncio.run(run())


def _copilot(bundle: PlantBundle, *replies: object) -> Copilot:
    model = ScriptedChatModel().enqueue(*replies)  # type: ignore[arg-type]
    return Copilot(tools=incident_context(bundle), checkpointer=InMemorySaver(), model=model)


def test_tool_steps_then_the_answer_token_by_token(bundle: PlantBundle) -> None:
    answer = "A câmara foi lida agora mesmo, veja os detalhes (nivel_camara)."
    copilot = _copilot(bundle, FENCED, answer)
    events = _events(copilot, "qual o nível da câmara?", "s1")
    kinds = [e.kind for e in events]
    assert kinds[:2] == [EventKind.TOOL_START, EventKind.TOOL_END]
    assert events[0].name == "read_tag" and events[0].args == {"tags": ["nivel_camara"]}
    assert events[1].artifact["readings"][0]["tag"] == "nivel_camara"
    tokens = [e.text for e in events if e.kind is EventKind.TOKEN]
    assert len(tokens) > 3 and "".join(tokens) == answer  # the JSON call itself was never shown
    assert kinds[-1] is EventKind.ANSWER and events[-1].streamed and not events[-1].rewritten
    assert copilot.result("s1").answer == answer


def test_a_rewritten_answer_is_flagged_so_the_client_replaces_it(bundle: PlantBundle) -> None:
    copilot = _copilot(bundle, FENCED, "O nível da câmara está em 99,9 m.")
    events = _events(copilot, "qual o nível da câmara?", "s2")
    final = events[-1]
    assert final.kind is EventKind.ANSWER and final.rewritten and not final.streamed
    assert "99,9" not in final.text and final.text == copilot.result("s2").answer
    assert copilot.grounding.rewrites == 1


def test_native_tool_calls_stream_too(bundle: PlantBundle) -> None:
    copilot = _copilot(bundle, tool_call("read_tag", {"tags": ["nivel_camara"]}), "Lido (nivel_camara).")
    events = _events(copilot, "nível da câmara?", "s3")
    assert [e.kind for e in events][:2] == [EventKind.TOOL_START, EventKind.TOOL_END]
    assert events[-1].text == "Lido (nivel_camara)."


def test_the_offline_planner_streams_steps_and_one_answer(bundle: PlantBundle) -> None:
    copilot = Copilot(tools=incident_context(bundle), checkpointer=InMemorySaver())
    events = _events(copilot, "qual o nível da câmara?", "s4")
    assert [e.kind for e in events] == [EventKind.TOOL_START, EventKind.TOOL_END, EventKind.ANSWER]
    assert not events[-1].streamed
