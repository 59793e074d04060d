"""What a condition of the plant data reads, in the words the tools show it."""

from __future__ import annotations

import re

_COMPARISON = re.compile(r"\s*(<=|>=|==|!=|<|>)\s*")


def condition_reads(condition: str, tags: tuple[str, ...]) -> tuple[str, str]:
    """What a precondition reads ("diferença nivel_reservatorio_montante − nivel_camara") and its operator."""
    parts = _COMPARISON.split(condition, maxsplit=1)
    if len(parts) < 3:
        return (tags[0] if len(tags) == 1 else condition), ("==" if tags else "")
    left = parts[0].strip()
    if left.startswith("abs(") and left.endswith(")") and "(" not in left[4:-1]:
        left = f"diferença {left[4:-1]}"  # the value shown is the difference, not the first tag
    return left.replace(" - ", " − "), parts[1]
