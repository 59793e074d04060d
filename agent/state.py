"""The graph's state: what the caller sends in, and what the graph keeps between steps and turns."""

from __future__ import annotations

from typing import Annotated, Any

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages
from typing_extensions import TypedDict


class InputState(TypedDict):
    """What a turn starts with."""

    messages: Annotated[list[AnyMessage], add_messages]
    """The conversation; a turn appends the user's message."""


class State(InputState, total=False):
    """Everything the graph keeps (checkpointed in PostgreSQL, so it survives restarts)."""

    language: str
    """The language of the user's last message ("pt" or "en"); answers use it."""

    rounds: int
    """Tool rounds taken in this turn (bounded by the context's max_rounds)."""

    pending_command: dict[str, Any] | None
    """The command request waiting for approval in this thread (id and summary), if any."""

    command_result: dict[str, Any] | None
    """How the last approved, rejected or expired command ended."""

    focus: dict[str, Any] | None
    """What the last answered turn was about (tags, equipment, alarm, sequence), for follow-ups."""

    planner_turn: bool
    """The offline planner took this turn over from the chat model (invalid calls, ungrounded numbers)."""
