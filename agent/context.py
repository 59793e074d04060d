"""Run-time settings of one graph run: the tools' context, the model (None: offline planner), the caller."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from agent.model_turn import DEFAULT_CONTEXT_TOKENS, GroundingStats
from lockpilot.plant.commands import CommandBook
from lockpilot.roles import Role
from tools.context import ToolContext

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel


@dataclass
class AgentContext:
    """Not checkpointed: rebuilt by the service for every run."""

    tools: ToolContext
    book: CommandBook
    user: str
    role: Role
    thread_id: str
    model: BaseChatModel | None = None
    max_rounds: int = 4
    context_tokens: int = (
        DEFAULT_CONTEXT_TOKENS  # the model's context window (tool results are trimmed to it)
    )
    grounding: GroundingStats = field(default_factory=GroundingStats)
    on_tool_time: Callable[[str, float], None] | None = field(default=None, repr=False)
