"""Choose the chat model from LOCKPILOT_MODEL, in this one place; cloud SDKs are imported only when chosen.

- unset or empty: no model, the offline planner answers;
- "anthropic:claude-..." or "openai:gpt-...": LangChain's init_chat_model;
- "http://host:port/v1#model": an OpenAI-compatible server on site (Ollama, vLLM, llama.cpp).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel


class ModelKind(StrEnum):
    OFFLINE = "offline"
    PROVIDER = "provider"  # "provider:model" through init_chat_model
    OPENAI_COMPATIBLE = "openai_compatible"


@dataclass(frozen=True, slots=True)
class ModelChoice:
    kind: ModelKind
    model: str = ""
    base_url: str = ""


def parse_model_setting(value: str | None) -> ModelChoice:
    """Read LOCKPILOT_MODEL."""
    value = (value or "").strip()
    if not value:
        return ModelChoice(ModelKind.OFFLINE)
    if value.startswith(("http://", "https://")):
        url, _, name = value.partition("#")
        return ModelChoice(ModelKind.OPENAI_COMPATIBLE, model=name or "default", base_url=url.rstrip("/"))
    if ":" not in value:
        raise ValueError(
            f"LOCKPILOT_MODEL '{value}': use 'anthropic:MODEL', 'openai:MODEL' or 'http://HOST:PORT/v1#MODEL'"
        )
    return ModelChoice(ModelKind.PROVIDER, model=value)


MAX_TOKENS = 400  # one reply: a tool call or a short answer; a small model left alone can ramble for minutes


def load_model(
    value: str | None, *, timeout_s: float = 60.0, max_tokens: int = MAX_TOKENS
) -> BaseChatModel | None:
    """The chat model LOCKPILOT_MODEL names, or None for the offline planner (replies capped in tokens)."""
    choice = parse_model_setting(value)
    if choice.kind is ModelKind.OFFLINE:
        return None
    from langchain.chat_models import init_chat_model

    if choice.kind is ModelKind.OPENAI_COMPATIBLE:
        return init_chat_model(
            choice.model,
            model_provider="openai",
            base_url=choice.base_url,
            api_key=os.environ.get("OPENAI_API_KEY", "not-needed"),
            timeout=timeout_s,
            temperature=0,
            max_tokens=max_tokens,
        )
    return init_chat_model(choice.model, timeout=timeout_s, temperature=0, max_tokens=max_tokens)
