"""One turn as events while it runs (LangGraph's async streaming): the model's tokens, tool steps, the answer.

Tokens of a model reply that may be a tool call written as text (it starts with "{", a fence or
<tool_call>) are held back: shown only if the reply turns out to be an answer. Every model-written answer
still goes through the grounding check before it is final: when the check rewrote it, the ANSWER event
says so and a client replaces what it streamed with the event's text.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk, ToolMessage

AGENT_NODE = "agent"
_MAYBE_CALL = ("{", "`", "<")


class EventKind(StrEnum):
    TOKEN = "token"  # a piece of the model's answer as it is written
    TOOL_START = "tool_start"  # a tool call about to run: name, id, arguments
    TOOL_END = "tool_end"  # its result (the artifact: values, citations, error)
    ANSWER = "answer"  # an answer of the turn, final text (rewritten: the streamed tokens are replaced)


@dataclass
class TurnEvent:
    kind: EventKind
    text: str = ""
    name: str = ""
    call_id: str = ""
    args: dict[str, Any] = field(default_factory=dict)
    artifact: dict[str, Any] = field(default_factory=dict)
    rewritten: bool = False
    streamed: bool = False  # ANSWER: its text already went out as TOKEN events

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind.value}
        for key in ("text", "name", "call_id", "args", "artifact"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        if self.kind is EventKind.ANSWER:
            out |= {"rewritten": self.rewritten, "streamed": self.streamed}
        return out


@dataclass
class TokenGate:
    """Hold a reply's first tokens until it is clearly not a tool call written as text."""

    message_id: str | None = None
    held: str = ""
    open: bool = False
    sent: str = ""

    def feed(self, chunk: AIMessageChunk) -> str:
        """The text to show now for this chunk ("" while held or for a call)."""
        if chunk.id != self.message_id:
            self.message_id, self.held, self.open = chunk.id, "", False
        text = chunk.content if isinstance(chunk.content, str) else ""
        if chunk.tool_call_chunks:
            self.held, self.open = "", False
            return ""
        if self.open:
            self.sent += text
            return text
        self.held += text
        start = self.held.lstrip()
        if not start or start.startswith(_MAYBE_CALL):
            return ""
        self.open, out, self.held = True, self.held, ""
        self.sent += out
        return out

    def take_sent(self) -> str:
        sent, self.sent = self.sent, ""
        return sent


def _update_events(update: dict[str, Any], gate: TokenGate) -> list[TurnEvent]:
    events: list[TurnEvent] = []
    for data in update.values():
        for m in data.get("messages", []) if isinstance(data, dict) else []:
            if isinstance(m, AIMessage) and m.tool_calls:
                gate.take_sent()
                events += [
                    TurnEvent(EventKind.TOOL_START, name=c["name"], call_id=c["id"] or "", args=c["args"])
                    for c in m.tool_calls
                ]
            elif isinstance(m, ToolMessage):
                events.append(
                    TurnEvent(
                        EventKind.TOOL_END,
                        name=m.name or "",
                        call_id=m.tool_call_id,
                        artifact=m.artifact or {},
                    )
                )
            elif isinstance(m, AIMessage) and m.content:
                text, sent = str(m.content), gate.take_sent()
                verdict = m.additional_kwargs.get("grounding")
                events.append(
                    TurnEvent(
                        EventKind.ANSWER,
                        text=text,
                        rewritten=verdict == "rewritten" or bool(sent and sent.strip() != text.strip()),
                        streamed=bool(sent) and sent.strip() == text.strip(),
                    )
                )
    return events


async def turn_events(parts: AsyncIterator[Any]) -> AsyncIterator[TurnEvent]:
    """Events from `graph.astream(..., stream_mode=["messages", "updates"])`."""
    gate = TokenGate()
    async for mode, chunk in parts:
        if mode == "messages":
            message, meta = chunk
            if isinstance(message, AIMessageChunk) and meta.get("langgraph_node") == AGENT_NODE:
                text = gate.feed(message)
                if text:
                    yield TurnEvent(EventKind.TOKEN, text=text)
        elif mode == "updates":
            for event in _update_events(chunk, gate):
                yield event
