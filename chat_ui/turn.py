"""One chat turn: run the graph in a worker thread, show each tool call as a step, stream the answer."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import chainlit as cl
from langchain_core.messages import AIMessage, ToolMessage

from agent.service import Copilot
from chat_ui.render import figure, step_output
from lockpilot.roles import Role
from tools.registry import ToolName

_DONE = object()
_CHUNK = re.compile(r"\S+\s*|\s+")
TOKENS_PER_CHUNK = 3


async def graph_updates(
    copilot: Copilot, question: str, *, user: str, role: Role, thread_id: str
) -> AsyncIterator[dict[str, Any]]:
    """The graph's node-by-node updates, produced in a worker thread and handed over as they come."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[Any] = asyncio.Queue()

    def work() -> None:
        try:
            for update in copilot.stream(question, user=user, role=role, thread_id=thread_id):
                loop.call_soon_threadsafe(queue.put_nowait, update)
        except Exception as exc:  # handed to the event loop, raised there
            loop.call_soon_threadsafe(queue.put_nowait, exc)
        finally:
            loop.call_soon_threadsafe(queue.put_nowait, _DONE)

    worker = loop.run_in_executor(None, work)
    while (item := await queue.get()) is not _DONE:
        if isinstance(item, Exception):
            raise item
        yield item
    await worker


@dataclass
class TurnView:
    """What one turn put on screen: open steps by call id, the answer message, the charts."""

    message: cl.Message = field(default_factory=lambda: cl.Message(content="", author="Lockpilot"))
    steps: dict[str, cl.Step] = field(default_factory=dict)
    charts: list[Any] = field(default_factory=list)
    streamed: bool = False

    async def tool_calls(self, message: AIMessage) -> None:
        """Open one collapsible step per tool call, with its arguments."""
        for call in message.tool_calls:
            step = cl.Step(name=call["name"], type="tool", show_input="json", language="json")
            step.input = call["args"]
            await step.send()
            self.steps[call["id"] or call["name"]] = step

    async def tool_result(self, message: ToolMessage) -> None:
        """Close the call's step with its result; keep the chart of a history query."""
        artifact = message.artifact or {}
        step = self.steps.pop(message.tool_call_id, None)
        if step is not None:
            step.output = step_output(artifact)
            step.is_error = bool(artifact.get("error"))
            await step.update()
        chart = artifact.get("chart") or {}
        if message.name == ToolName.QUERY_HISTORY.value and chart.get("data"):
            self.charts.append(
                cl.Plotly(
                    name=f"tendencia_{artifact.get('tag', '')}",
                    figure=figure(chart),
                    display="inline",
                    size="large",
                )
            )

    async def answer(self, text: str) -> None:
        """Stream the answer a few words at a time."""
        if self.message.content:
            await self.message.stream_token("\n\n")
        chunks = _CHUNK.findall(text)
        for i in range(0, len(chunks), TOKENS_PER_CHUNK):
            await self.message.stream_token("".join(chunks[i : i + TOKENS_PER_CHUNK]))
        self.streamed = True

    async def finish(self) -> None:
        """Send the message with its charts."""
        self.message.elements = list(self.charts)
        await self.message.send()


async def run_turn(copilot: Copilot, question: str, *, user: str, role: Role, thread_id: str) -> TurnView:
    """Ask the copilot, showing steps and streaming the answer; return what was shown."""
    view = TurnView()
    async for update in graph_updates(copilot, question, user=user, role=role, thread_id=thread_id):
        for data in update.values():
            for message in data.get("messages", []) if isinstance(data, dict) else []:
                if isinstance(message, AIMessage) and message.tool_calls:
                    await view.tool_calls(message)
                elif isinstance(message, AIMessage) and message.content:
                    await view.answer(str(message.content))
                elif isinstance(message, ToolMessage):
                    await view.tool_result(message)
    await view.finish()
    return view
