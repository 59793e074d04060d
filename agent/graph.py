"""The copilot graph: agent (chat model or offline planner) -> tools -> agent ... -> confirm (interrupt)."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Sequence
from dataclasses import replace
from enum import StrEnum
from typing import Any, Literal

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, ToolMessage
from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from langgraph.types import interrupt

from agent.context import AgentContext
from agent.fleet_intent import fleet_answer, fleet_plan
from agent.model_turn import ModelTurn
from agent.outcome import outcome_text
from agent.planner.answer import write_answer
from agent.planner.dialogue import Focus, focus_of
from agent.planner.lexical import detect_language, prose_words
from agent.planner.question import NO_TOOL_INTENTS, Intent, Question
from agent.planner.steps import next_calls
from agent.planner.understand import understand
from agent.state import State
from commands.desk import CommandOutcome, Outcome
from commands.execute import execute
from commands.summary import summary_text
from lockpilot.language import Language
from lockpilot.roles import Role
from tools.registry import Caller, ToolName, run_tool


def turn_messages(messages: list[AnyMessage]) -> tuple[str, list[AnyMessage]]:
    """The user's last message and everything after it."""
    for i in range(len(messages) - 1, -1, -1):
        if isinstance(messages[i], HumanMessage):
            return str(messages[i].content), messages[i + 1 :]
    return "", []


def _planner(state: State, ctx: AgentContext) -> tuple[AIMessage, dict[str, Any] | None]:
    """The offline planner's turn: the next tool calls, or the answer written from their results (and the
    subject the next turn's follow-ups refer to)."""
    text, turn = turn_messages(state["messages"])
    done = [(m.name or "", m.artifact or {}) for m in turn if isinstance(m, ToolMessage)]
    focus = Focus.from_state(state.get("focus"))
    tools = ctx.tools
    if tools.fleet is not None:  # at a fleet central: questions about the locks go to the fleet tools
        plan = fleet_plan(
            text, sites=tools.fleet.site_ids(), tag_index=tools.tag_index, now=tools.clock.now()
        )
        if plan is not None:
            if not done:
                return _calls(plan.calls), None
            return AIMessage(content=fleet_answer(done, plan.language, tz=tools.timezone)), None
    question = understand(text, tools, focus=focus)
    if question.intent is Intent.COMMAND and ctx.role is Role.VIEWER and not done:
        refused = _refused_to_viewer(question, ctx)  # not even a request: a viewer only reads
        answer = write_answer(refused, question.language, question=question, tz=tools.timezone)
        return AIMessage(content=answer), focus_of(question, [], previous=focus).as_state()
    calls = next_calls(question, done)
    if calls:
        return _calls(calls), None
    answer = write_answer(done, question.language, question=question, tz=tools.timezone)
    said = focus_of(question, done, previous=focus)
    if said.awaiting_order:  # "Abrir o quê?": the user's next message may name it
        said = replace(said, awaiting_turn=user_turns(state["messages"]))
    return AIMessage(content=answer), said.as_state()


def needs_plant_data(text: str, ctx: AgentContext, state: State) -> bool:
    """Whether the offline planner reads the message as one its tools answer (not small talk, not out of
    the plant's domain, not a question back)."""
    question = understand(text, ctx.tools, focus=Focus.from_state(state.get("focus")))
    return question.intent not in NO_TOOL_INTENTS


def user_turns(messages: list[Any]) -> int:
    """How many messages the user has written in the thread (the current one included)."""
    return sum(1 for m in messages if isinstance(m, HumanMessage))


def _refused_to_viewer(question: Question, ctx: AgentContext) -> list[tuple[str, dict[str, Any]]]:
    """A viewer's order, refused by the command desk on the role alone (audited there; the PLC is not read),
    as the result the answer writer words."""
    desk = ctx.tools.commands
    if desk is None or question.command is None:
        outcome = CommandOutcome(
            outcome=Outcome.REFUSED,
            command=question.command or "",
            reason="operator_role_required_to_request",
        )
    else:
        outcome = desk.request(
            question.command, question.value, user=ctx.user, role=ctx.role, thread_id=ctx.thread_id
        )
    return [(ToolName.REQUEST_COMMAND.value, {"outcome": outcome.model_dump(mode="json")})]


def _calls(calls: Sequence[tuple[StrEnum, dict[str, Any]]]) -> AIMessage:
    """A planner turn that asks for these tool calls."""
    return AIMessage(
        content="",
        tool_calls=[
            {"name": name.value, "args": args, "id": f"call_{uuid.uuid4().hex[:12]}"} for name, args in calls
        ],
    )


def agent_node(state: State, runtime: Runtime[AgentContext]) -> dict[str, Any]:
    """Let the chat model, or the offline planner when none is configured, take the next step."""
    ctx = runtime.context
    text, turn = turn_messages(state["messages"])
    language = detect_language(prose_words(text), otherwise=Language(state.get("language", "pt"))).value
    focus: dict[str, Any] | None = None
    handed_over = False
    if ctx.model is None or state.get("planner_turn"):
        message, focus = _planner(state, ctx)
    else:
        message, focus, handed_over = _model_step(state, ctx, text)
    rounds = sum(1 for m in turn if isinstance(m, AIMessage) and m.tool_calls)
    out: dict[str, Any] = {"messages": [message], "language": language, "rounds": rounds + 1}
    if handed_over:
        out["planner_turn"] = True
    if focus is not None:
        out["focus"] = focus
    return out


def _model_step(state: State, ctx: AgentContext, text: str) -> tuple[AIMessage, dict[str, Any] | None, bool]:
    """The chat model's step; the planner's when the model cannot go on (see agent.model_turn)."""
    planned: dict[str, Any] = {}

    def planner() -> AIMessage:
        message, planned["focus"] = _planner(state, ctx)
        return message

    def rewrite(done: list[tuple[str, dict[str, Any]]]) -> str:
        question = understand(text, ctx.tools, focus=Focus.from_state(state.get("focus")))
        return write_answer(done, question.language, question=question, tz=ctx.tools.timezone)

    turn = ModelTurn(
        tools=ctx.tools,
        model=ctx.model,
        context_tokens=ctx.context_tokens,
        grounding=ctx.grounding,
        planner=planner,
        rewrite=rewrite,
        fleet=ctx.tools.fleet is not None,
        max_rounds=ctx.max_rounds,
        needs_tools=lambda: needs_plant_data(text, ctx, state),
    )
    message = turn.step(state, text)
    return message, planned.get("focus"), turn.handed_over


def tools_node(state: State, runtime: Runtime[AgentContext]) -> dict[str, Any]:
    """Run the tool calls of the last message; a pending command request is remembered for confirmation."""
    ctx = runtime.context
    text, _ = turn_messages(state["messages"])
    focus = Focus.from_state(state.get("focus"))
    turn = user_turns(state["messages"])
    caller = Caller(
        user=ctx.user,
        role=ctx.role,
        thread_id=ctx.thread_id,
        user_text=focus.guard_text(text, turn=turn) if focus is not None else text,
        language=Language(state.get("language", "pt")),
    )
    last = state["messages"][-1]
    out: dict[str, Any] = {"messages": []}
    for call in getattr(last, "tool_calls", []):
        started = time.perf_counter()
        result = run_tool(ctx.tools, call["name"], call["args"], caller)
        if ctx.on_tool_time is not None:
            ctx.on_tool_time(call["name"], time.perf_counter() - started)
        artifact = result.model_dump(mode="json")
        out["messages"].append(
            ToolMessage(
                content=json.dumps(result.for_model(), ensure_ascii=False, default=str),
                tool_call_id=call["id"],
                name=call["name"],
                artifact=artifact,
            )
        )
        outcome = artifact.get("outcome") or {}
        if outcome.get("outcome") == Outcome.PENDING.value:
            out["pending_command"] = {"command_id": outcome["command_id"], "summary": outcome["summary"]}
    return out


def confirm_node(state: State, runtime: Runtime[AgentContext]) -> dict[str, Any]:
    """Pause for an operator's decision; afterwards run the command once if (and only if) it was approved."""
    pending = state["pending_command"] or {}
    language = Language(state.get("language", "pt"))
    decision = interrupt(
        {
            "command_id": pending["command_id"],
            "summary": pending["summary"],
            "text": summary_text(pending["summary"], language),
        }
    )
    desk = runtime.context.tools.commands
    if desk is None:
        outcome = CommandOutcome(
            outcome=Outcome.FAILED, command_id=pending["command_id"], reason="no_command_path"
        )
    elif decision.get("decision") == "approve":
        outcome = execute(desk, pending["command_id"])
    else:
        record = desk.store.get(pending["command_id"])
        outcome = CommandOutcome(
            outcome=Outcome(record.status.value) if record else Outcome.NOT_FOUND,
            command=record.command if record else "",
            command_id=pending["command_id"],
            reason=decision.get("reason", ""),
        )
    return {
        "messages": [AIMessage(content=outcome_text(outcome, language))],
        "pending_command": None,
        "command_result": outcome.model_dump(mode="json"),
    }


def after_agent(state: State, runtime: Runtime[AgentContext]) -> Literal["tools", "confirm", "__end__"]:
    """Tools while the agent asks for them (bounded), then confirmation if a command is pending."""
    last = state["messages"][-1]
    if getattr(last, "tool_calls", None) and state.get("rounds", 0) <= runtime.context.max_rounds:
        return "tools"
    return "confirm" if state.get("pending_command") else "__end__"


def build_graph() -> StateGraph[State, AgentContext, State, State]:
    """The graph, uncompiled (compile it with a checkpointer)."""
    graph = StateGraph(State, context_schema=AgentContext)
    graph.add_node("agent", agent_node)
    graph.add_node("tools", tools_node)
    graph.add_node("confirm", confirm_node)
    graph.add_edge(START, "agent")
    graph.add_conditional_edges("agent", after_agent)
    graph.add_edge("tools", "agent")
    graph.add_edge("confirm", END)
    return graph
