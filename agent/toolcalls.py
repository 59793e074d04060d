"""Tool calls that survive small models: a reply that is exactly one JSON object naming a declared tool.

Small local models (Qwen2.5 1.5B through llama-server) pick the right tool but write the call as text,
fenced in ```json or wrapped in <tool_call>, and leave `tool_calls` empty. A reply whose whole content is
one such object becomes a call; anything else (prose around it, two objects) stays text. Arguments are
checked against the tool's schema; invalid ones, or a name no tool has, get one structured retry message.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import AIMessage, HumanMessage
from pydantic import BaseModel, ValidationError

_WRAPPED = re.compile(r"^(?:```(?:json)?|<tool_call>)\s*(?P<body>.*?)\s*(?:```|</tool_call>)$", re.DOTALL)
ARGUMENT_KEYS = ("arguments", "parameters", "args")


@dataclass(frozen=True, slots=True)
class TextCall:
    """A tool call read from a reply's text; `problems` lists what the schema refused (empty: valid)."""

    name: str
    args: dict[str, Any]
    problems: list[str] = field(default_factory=list)


def one_object(text: str) -> dict[str, Any] | None:
    """The reply as one JSON object (fences or <tool_call> around it allowed), else None."""
    body = text.strip()
    wrapped = _WRAPPED.match(body)
    if wrapped:
        body = wrapped.group("body")
    if not body.startswith("{"):
        return None
    try:
        value, end = json.JSONDecoder().raw_decode(body)
    except json.JSONDecodeError:
        return None
    if body[end:].strip() or not isinstance(value, dict):
        return None
    return value


def _problems(model: type[BaseModel], args: Any) -> list[str]:
    if not isinstance(args, dict):
        return ["arguments must be a JSON object"]
    try:
        model.model_validate(args)
    except ValidationError as exc:
        return [f"{'.'.join(map(str, e['loc'])) or '(root)'}: {e['msg']}" for e in exc.errors()]
    extra = sorted(set(args) - set(model.model_fields))
    return [f"{k}: not an argument of this tool" for k in extra]


def text_tool_call(text: str, declared: Mapping[str, type[BaseModel]]) -> TextCall | None:
    """The tool call a reply's whole text makes, or None when the text is an answer."""
    value = one_object(text)
    if value is None or not isinstance(value.get("name"), str):
        return None
    keys = [k for k in ARGUMENT_KEYS if k in value]
    if set(value) - {"name", *ARGUMENT_KEYS} or len(keys) > 1:
        return None
    args = value[keys[0]] if keys else {}
    args = {} if args is None else args
    if value["name"] not in declared:  # a call of a tool that does not exist: retried, never run
        return TextCall(value["name"], {}, [f"not a declared tool; the tools are: {', '.join(declared)}"])
    problems = _problems(declared[value["name"]], args)
    return TextCall(value["name"], args if isinstance(args, dict) else {}, problems)


def native_problems(message: AIMessage, declared: Mapping[str, type[BaseModel]]) -> TextCall | None:
    """The first native tool call of a message that names no declared tool or has invalid arguments."""
    for call in message.tool_calls:
        if call["name"] not in declared:
            return TextCall(call["name"], call["args"], ["not a declared tool"])
        problems = _problems(declared[call["name"]], call["args"])
        if problems:
            return TextCall(call["name"], call["args"], problems)
    return None


def as_call_message(call: TextCall) -> AIMessage:
    """The assistant message of a valid text call, as LangChain's native tool call."""
    return AIMessage(
        content="",
        tool_calls=[{"name": call.name, "args": call.args, "id": f"call_{uuid.uuid4().hex[:12]}"}],
    )


def retry_message(call: TextCall, schema: Mapping[str, Any]) -> HumanMessage:
    """The one structured retry: what was wrong, the schema, and the two ways to reply."""
    return HumanMessage(
        json.dumps(
            {
                "error": "invalid_tool_arguments",
                "tool": call.name,
                "problems": call.problems,
                "schema": schema,
                "reply_with": 'exactly one JSON object {"name": ..., "arguments": {...}} valid for the '
                "schema, or a plain-text answer",
            },
            ensure_ascii=False,
        )
    )
