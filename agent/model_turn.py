"""The chat model's step of a turn: prompt, call, text tool calls with one retry, and the grounding check.

When the model's arguments stay invalid after the retry, or it states numbers with no tool result to take
them from, the offline planner takes the rest of the turn. An answer with a number no tool returned is
rewritten by the offline answer writer from the same tool results (logged, counted on /metrics).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import structlog
from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, SystemMessage, ToolMessage
from pydantic import BaseModel

from agent.grounding import ungrounded
from agent.prompts import SYSTEM_PROMPT, TOOL_GUIDE
from agent.state import State
from agent.toolcalls import (
    TextCall,
    as_call_message,
    native_problems,
    one_object,
    retry_message,
    text_tool_call,
)
from agent.trim import CHARS_PER_TOKEN, size, trim_result
from lockpilot.plant.model import TagGroup
from rules.bundle import PlantBundle
from tools.context import ToolContext
from tools.registry import tool_args_models, tool_schemas

log = structlog.get_logger(__name__)
DEFAULT_CONTEXT_TOKENS = 4096
RESULT_TOKENS = 900  # this turn's tool results at most (a 2-core CPU reads ~30-60 prompt tokens/s)
ANSWER_RESERVE_TOKENS = 512
OLD_TURNS = 3  # earlier question/answer pairs the model sees (never their tool messages)
KEY_TAGS = 22
KEY_RULES = 6
TAG_ARGS = {"read_tag": "tags", "query_history": "tag"}


@dataclass
class GroundingStats:
    """How many model-written answers were checked and how many had to be rewritten (for /metrics)."""

    checked: int = 0
    rewrites: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count(self, *, rewritten: bool) -> None:
        with self._lock:
            self.checked += 1
            self.rewrites += int(rewritten)


def system_prompt(bundle: PlantBundle, *, fleet: bool = False) -> str:
    """The system prompt with the plant's context: its name, the tools, key tags, sequences, rules."""
    plant = bundle.plant
    tools = "\n".join(f"- {name}: {TOOL_GUIDE.get(name, '')}" for name in tool_args_models(fleet=fleet))
    key: dict[str, str] = {}  # one measurement per equipment and unit, in the plant's order
    for t in plant.tags.values():
        if t.group is TagGroup.SENSOR and t.equipment and not t.name.endswith("_2"):
            key.setdefault(f"{t.equipment}/{t.unit}", t.name)
    return SYSTEM_PROMPT.format(
        plant=plant.name,
        tools=tools,
        tags=", ".join(list(key.values())[:KEY_TAGS]),
        sequences=", ".join(s for s in bundle.sequences),
        rules=", ".join(r.id for r in bundle.rules.rules[:KEY_RULES]),
        commands=", ".join(c.id for c in bundle.commands.commands),
    )


_DROPPED = frozenset({"title", "minItems", "maxItems", "minimum", "maximum", "exclusiveMinimum"})


def compact_schemas(*, fleet: bool = False) -> list[dict[str, Any]]:
    """The tool schemas in fewer prompt tokens: no titles, bounds or repeated descriptions, enums inlined,
    optional types said once (arguments are still validated against the full schema)."""

    def compact(node: Any, defs: dict[str, Any]) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                node = {
                    **defs[node["$ref"].rsplit("/", 1)[-1]],
                    **{k: v for k, v in node.items() if k != "$ref"},
                }
            node = {k: compact(v, defs) for k, v in node.items() if k not in _DROPPED}
            options = node.get("anyOf")
            if isinstance(options, list) and {"type": "null"} in options and len(options) == 2:
                node.pop("anyOf")
                node.update(next(o for o in options if o != {"type": "null"}))
            if node.get("default", 0) is None:
                node.pop("default")
            return node
        if isinstance(node, list):
            return [compact(v, defs) for v in node]
        return node

    out = []
    for schema in tool_schemas(fleet=fleet):
        parameters = dict(schema["function"]["parameters"])
        defs = parameters.pop("$defs", {})
        parameters.pop("description", None)
        out.append({**schema, "function": {**schema["function"], "parameters": compact(parameters, defs)}})
    return out


def _earlier(messages: list[AnyMessage]) -> list[AnyMessage]:
    """Earlier turns as question and final answer only."""
    kept: list[AnyMessage] = []
    for m in messages:
        if isinstance(m, HumanMessage):
            kept.append(m)
        elif isinstance(m, AIMessage) and not m.tool_calls and m.content:
            if kept and isinstance(kept[-1], AIMessage):
                kept[-1] = m
            else:
                kept.append(m)
    return kept[-2 * OLD_TURNS :]


def model_messages(state: State, *, system: str, context_tokens: int, schemas_chars: int) -> list[AnyMessage]:
    """System prompt, earlier turns, then this turn with its tool results trimmed to the context left."""
    messages = state["messages"]
    start = max(i for i, m in enumerate(messages) if isinstance(m, HumanMessage))
    earlier, turn = _earlier(messages[:start]), messages[start:]
    tool_msgs = [m for m in turn if isinstance(m, ToolMessage)]
    others = [m for m in [*earlier, *turn] if not isinstance(m, ToolMessage)]
    used = len(system) + schemas_chars + sum(len(str(m.content)) for m in others)
    budget = int((context_tokens - ANSWER_RESERVE_TOKENS) * CHARS_PER_TOKEN) - used
    budget = min(budget, int(RESULT_TOKENS * CHARS_PER_TOKEN))
    each = max(300, budget // max(1, len(tool_msgs)))
    out: list[AnyMessage] = []
    for m in turn:
        if isinstance(m, ToolMessage) and len(str(m.content)) > each:
            data = json.loads(str(m.content))
            content = json.dumps(trim_result(data, max_chars=each), ensure_ascii=False, default=str)
            m = m.model_copy(update={"content": content})
        out.append(m)
    return [SystemMessage(system), *earlier, *out]


def _resolve_tags(call: TextCall, tools: ToolContext) -> TextCall:
    """Tag names a small model guessed ("câmara_nível") replaced by the plant's best match."""
    key = TAG_ARGS.get(call.name)
    if key is None or call.problems or key not in call.args:
        return call
    tags = tools.plant.tags

    def best(name: str) -> str:
        if name in tags:
            return name
        hits = tools.tag_index.search(name.replace("_", " "), limit=1)
        return hits[0][0].name if hits else name

    value = call.args[key]
    resolved = [best(str(n)) for n in value] if isinstance(value, list) else best(str(value))
    return TextCall(call.name, {**call.args, key: resolved})


def _read(reply: AIMessage, declared: dict[str, type[BaseModel]]) -> TextCall | AIMessage:
    """A call to check (from text or a bad native one), or the reply itself (a valid call or an answer)."""
    if reply.tool_calls:
        return native_problems(reply, declared) or reply
    call = text_tool_call(str(reply.content), declared)
    return reply if call is None else call


Handover = Callable[[], AIMessage]


def _is_json(text: str) -> bool:
    """A reply that is JSON, not an answer (the 1.5B echoed the retry message back)."""
    return one_object(text) is not None


def _turn(state: State) -> list[AnyMessage]:
    messages = state["messages"]
    return messages[max(i for i, m in enumerate(messages) if isinstance(m, HumanMessage)) :]


def _done(state: State) -> list[tuple[str, dict[str, Any]]]:
    """This turn's tool results, by tool name."""
    return [(m.name or "", m.artifact or {}) for m in _turn(state) if isinstance(m, ToolMessage)]


@dataclass
class ModelTurn:
    """One model step; `planner` takes the turn when the model cannot."""

    tools: ToolContext
    model: Any
    context_tokens: int
    grounding: GroundingStats
    planner: Handover
    rewrite: Callable[[list[tuple[str, dict[str, Any]]]], str]
    fleet: bool = False
    max_rounds: int = 4
    # Whether the question needs the plant's data (the planner's reading of it): an answer without any
    # tool result is then the model's own idea of the plant, not an answer.
    needs_tools: Callable[[], bool] = lambda: False
    handed_over: bool = field(default=False, init=False)

    def step(self, state: State, user_text: str) -> AIMessage:
        declared = tool_args_models(fleet=self.fleet)
        schemas = compact_schemas(fleet=self.fleet)
        bound = self.model.bind_tools(schemas)
        prompt = model_messages(
            state,
            system=system_prompt(self.tools.bundle, fleet=self.fleet),
            context_tokens=self.context_tokens,
            schemas_chars=size(schemas),
        )
        got = _read(bound.invoke(prompt), declared)
        if isinstance(got, TextCall) and got.problems:
            named = [s["function"]["parameters"] for s in schemas if s["function"]["name"] == got.name]
            schema = named[0] if named else {}
            retry = [AIMessage(content=json.dumps({"name": got.name, "arguments": got.args}))]
            got = _read(bound.invoke([*prompt, *retry, retry_message(got, schema)]), declared)
            echoed = isinstance(got, AIMessage) and not got.tool_calls and _is_json(str(got.content))
            if echoed or (isinstance(got, TextCall) and got.problems):
                problems = ["a JSON reply that is no call"] if echoed else getattr(got, "problems", [])[:3]
                log.info("model_tool_call_invalid", problems=problems)
                return self._hand_over()
        if isinstance(got, TextCall):
            got = as_call_message(_resolve_tags(got, self.tools))
        if got.tool_calls:
            return self._call(state, got)
        return self._grounded(state, got, user_text)

    def _call(self, state: State, message: AIMessage) -> AIMessage:
        """The model's tool calls; when it asks again for what this turn already has, or past the last
        round, the offline writer answers from the results instead (small models loop on tools)."""
        done = _done(state)
        asked = [(m.tool_calls, m) for m in _turn(state) if isinstance(m, AIMessage) and m.tool_calls]
        before = [(c["name"], c["args"]) for calls, _ in asked for c in calls]
        again = all((c["name"], c["args"]) in before for c in message.tool_calls)
        if done and (again or len(asked) >= self.max_rounds):
            log.info("model_tool_calls_stopped", again=again, rounds=len(asked))
            return AIMessage(content=self.rewrite(done), additional_kwargs={"grounding": "offline_writer"})
        return message

    def _hand_over(self) -> AIMessage:
        self.handed_over = True
        return self.planner()

    def _grounded(self, state: State, reply: AIMessage, user_text: str) -> AIMessage:
        done = _done(state)
        bad = ungrounded(
            str(reply.content), [r for _, r in done], user_text=user_text, tz=self.tools.timezone
        )
        unfounded = not done and self.needs_tools()  # "the alarm means the pressure inside the bomb is high"
        self.grounding.count(rewritten=bool(bad) or unfounded)
        if unfounded:
            log.warning("answer_without_tool_results", tools=[])
            return self._hand_over()
        if not bad:
            return AIMessage(content=reply.content, additional_kwargs={"grounding": "passed"})
        log.warning("answer_not_grounded", ungrounded=bad[:5], tools=[n for n, _ in done])
        if not done:
            return self._hand_over()
        return AIMessage(content=self.rewrite(done), additional_kwargs={"grounding": "rewritten"})
