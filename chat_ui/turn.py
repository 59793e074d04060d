"""One chat turn through the copilot's async stream: each tool call a step as it runs, the model's answer
token by token (replaced when the grounding check rewrote it), the planner's answer a few words at a time."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import chainlit as cl

from agent.service import Copilot
from agent.streaming import EventKind, TurnEvent
from chat_ui.render import figure, step_output
from lockpilot.roles import Role
from tools.registry import ToolName

_CHUNK = re.compile(r"\S+\s*|\s+")
TOKENS_PER_CHUNK = 3


@dataclass
class TurnView:
    """What one turn put on screen: open steps by call id, the answer message, the charts."""

    message: cl.Message = field(default_factory=lambda: cl.Message(content="", author="Lockpilot"))
    steps: dict[str, cl.Step] = field(default_factory=dict)
    charts: list[Any] = field(default_factory=list)
    streamed: bool = False
    live: bool = False  # model tokens are going out now
    live_text: str = ""  # what those tokens said (taken back when the grounding check rewrote it)

    async def tool_start(self, event: TurnEvent) -> None:
        """Open one collapsible step for a tool call, with its arguments."""
        step = cl.Step(name=event.name, type="tool", show_input="json", language="json")
        step.input = event.args
        await step.send()
        self.steps[event.call_id or event.name] = step

    async def token(self, text: str) -> None:
        """A piece of the model's answer as it is written."""
        if not self.live and self.message.content:
            await self.message.stream_token("\n\n")
        self.live = True
        self.live_text += text
        await self.message.stream_token(text)

    async def final(self, event: TurnEvent) -> None:
        """An answer of the turn: already streamed, streamed wrongly (rewritten: replace it), or not yet."""
        live, text = self.live, self.live_text
        self.live, self.live_text = False, ""
        if event.streamed:
            self.streamed = True
            return
        if event.rewritten and live:
            self.message.content = self.message.content.rpartition(text)[0].rstrip()
        await self.answer(event.text)

    async def tool_result(self, event: TurnEvent) -> None:
        """Close the call's step with its result; keep the chart of a history query."""
        artifact = event.artifact
        step = self.steps.pop(event.call_id, None)
        if step is not None:
            step.output = step_output(artifact)
            step.is_error = bool(artifact.get("error"))
            await step.update()
        chart = artifact.get("chart") or {}
        if event.name == ToolName.QUERY_HISTORY.value and chart.get("data"):
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
    async for event in copilot.astream(question, user=user, role=role, thread_id=thread_id):
        if event.kind is EventKind.TOOL_START:
            await view.tool_start(event)
        elif event.kind is EventKind.TOOL_END:
            await view.tool_result(event)
        elif event.kind is EventKind.TOKEN:
            await view.token(event.text)
        else:
            await view.final(event)
    await view.finish()
    return view
