"""Fit tool results into a small model's context, keeping what an answer may cite.

Ids, values, units, times and qualities are never cut; what goes first is presentation (chart specs),
then the middle of long lists (the first and last items stay, with a count of what was left out), then
long free text, then every key that is not one of those kept.
"""

from __future__ import annotations

import json
from typing import Any

DROPPED_FIRST = frozenset({"chart"})
KEPT = frozenset(
    {
        "id",
        "tag",
        "name",
        "value",
        "unit",
        "time",
        "quality",
        "freshness",
        "age_s",
        "citations",
        "kind",
        "error",
        "unavailable",
        "outcome",
        "command_id",
        "command",
        "status",
        "min",
        "max",
        "mean",
        "last",
        "count",
        "threshold",
        "passed",
        "permitted",
        "state",
        "severity",
        "sequence_id",
        "alarm_id",
        "rule_id",
        "start",
        "end",
        "since",
    }
)
CHARS_PER_TOKEN = (
    2.9  # tool-result JSON with Portuguese words, Qwen2.5's tokenizer (measured on llama-server)
)


def size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, default=str))


def tokens_of(text: str) -> int:
    """A tokenizer-free estimate, on the safe side."""
    return int(len(text) / CHARS_PER_TOKEN) + 1


def _lists(value: Any, keep: int) -> Any:
    if isinstance(value, dict):
        return {k: _lists(v, keep) for k, v in value.items()}
    if isinstance(value, list) and len(value) > keep:
        head = max(1, keep - 1)
        cut = len(value) - head - 1
        return [*(_lists(v, keep) for v in value[:head]), f"... {cut} more ...", _lists(value[-1], keep)]
    if isinstance(value, list):
        return [_lists(v, keep) for v in value]
    return value


def _texts(value: Any, limit: int) -> Any:
    if isinstance(value, dict):
        return {k: v if k in KEPT else _texts(v, limit) for k, v in value.items()}
    if isinstance(value, list):
        return [_texts(v, limit) for v in value]
    if isinstance(value, str) and len(value) > limit:
        return value[:limit] + "…"
    return value


def _essentials(value: Any) -> Any:
    if isinstance(value, dict):
        kept = {k: _essentials(v) for k, v in value.items() if k in KEPT or isinstance(v, dict | list)}
        return {k: v for k, v in kept.items() if v not in ({}, [])}
    if isinstance(value, list):
        return [_essentials(v) for v in value]
    return value


def trim_result(data: dict[str, Any], *, max_chars: int) -> dict[str, Any]:
    """The result itself when it fits, else the least-trimmed form that fits (or the smallest one)."""
    if size(data) <= max_chars:
        return data
    out: dict[str, Any] = {k: v for k, v in data.items() if k not in DROPPED_FIRST}
    steps = [lambda d: _lists(d, 12), lambda d: _texts(d, 200), lambda d: _lists(d, 6)]
    steps += [lambda d: _texts(d, 60), lambda d: _lists(d, 3), _essentials, lambda d: _lists(d, 2)]
    for step in steps:
        if size(out) <= max_chars:
            return out
        out = step(out)
    return out
