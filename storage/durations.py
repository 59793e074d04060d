"""Durations as the CLI writes them: 15s, 10m, 2h, 7d (also 1h30m)."""

from __future__ import annotations

import re
from datetime import timedelta

_UNITS = {"ms": "milliseconds", "s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w)")


def parse_duration(text: str) -> timedelta:
    """Parse '15s', '10m', '2h', '7d' or combinations like '1h30m'; ValueError otherwise."""
    cleaned = text.strip().lower()
    parts = _PART.findall(cleaned)
    if not cleaned or "".join(n + u for n, u in parts) != cleaned:
        raise ValueError(f"bad duration '{text}' (use e.g. 15s, 10m, 2h, 7d)")
    total = sum((timedelta(**{_UNITS[unit]: float(number)}) for number, unit in parts), timedelta())
    if total <= timedelta(0):
        raise ValueError(f"duration '{text}' must be positive")
    return total
