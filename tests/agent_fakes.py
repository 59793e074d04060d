"""A scripted chat model for agent tests: enqueue() the messages it answers with, in order."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from typing import Any

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import Field


class ScriptedChatModel(GenericFakeChatModel):
    """GenericFakeChatModel with bind_tools (it raises in LangChain) and a queue of replies."""

    messages: Iterator[AIMessage | str] = Field(default_factory=lambda: iter(()))
    script: list[AIMessage] = Field(default_factory=list)
    seen: list[list[BaseMessage]] = Field(default_factory=list)
    bound_tools: list[Any] = Field(default_factory=list)

    def enqueue(self, *replies: AIMessage | str) -> ScriptedChatModel:
        self.script.extend(AIMessage(content=r) if isinstance(r, str) else r for r in replies)
        return self

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> ScriptedChatModel:  # type: ignore[override]
        self.bound_tools = list(tools)
        return self

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> ChatResult:
        self.seen.append(list(messages))
        if not self.script:
            raise AssertionError("the scripted model ran out of replies")
        return ChatResult(generations=[ChatGeneration(message=self.script.pop(0))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        """The next reply word by word (as a server streams it), its tool calls in the last chunk."""
        reply = self._generate(messages, stop, run_manager, **kwargs).generations[0].message
        assert isinstance(reply, AIMessage)
        pieces = re.findall(r"\S+\s*|\s+", str(reply.content)) or [""]
        for i, piece in enumerate(pieces):
            calls = (
                [
                    {"name": c["name"], "args": json.dumps(c["args"]), "id": c["id"], "index": n}
                    for n, c in enumerate(reply.tool_calls)
                ]
                if i == len(pieces) - 1
                else []
            )
            chunk = ChatGenerationChunk(message=AIMessageChunk(content=piece, tool_call_chunks=calls))
            if run_manager is not None:
                run_manager.on_llm_new_token(piece, chunk=chunk)
            yield chunk


def tool_call(name: str, args: dict[str, Any], call_id: str = "call_1") -> AIMessage:
    """An AI message asking for one tool call."""
    return AIMessage(content="", tool_calls=[{"name": name, "args": args, "id": call_id}])
